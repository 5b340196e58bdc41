"""The Setup panel's "auto" line: the size and epochs Train will make, computed by the one
session function training uses (session.table_size, tester8 #15), and said with the rows it
is based on.

    auto = AutoLine(parent, show)            # show(AutoSize | None, pending_text)
    auto.update(table, spec, out_of_core)    # the figure now, or from a worker for a big table
    auto.cancel()                            # a map is shown: nothing more from earlier requests
    auto.shutdown()                          # the window closes

Exact in memory costs one preparation of the rows in memory (about 1 s and a few hundred MB
for 1,000,000 x 8; it cannot stop inside), so over SYNC_ROWS rows or SYNC_COLUMNS columns
(the preparation costs ~0.7 ms a column: 50 rows x 3,000 columns froze the window 4-5 s,
testerW #2) it runs as a task of its own
TaskRunner (not the window's: it must not make the window busy nor wait for a training), and
(review9 #4) ONE at a time: a request made while one runs waits, and only the latest waiting
one runs; a request starts once the edits pause for SETTLE_MS; the prepared rows of the last
choices are kept (`table_size.prep_key`), so editing the size, epochs, grid or the out-of-core
box only re-runs the cheap part; with height, width and epochs all given nothing is measured.
The line says "measuring ..." meanwhile.  Out of core the figure is an estimate (table_auto).
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from somdesk.core.options import count_text
from somdesk.errors import SomdeskError
from somdesk.gui.tasks import TaskRunner

__all__ = ["AUTO_KIND", "SYNC_ROWS", "SYNC_COLUMNS", "SETTLE_MS", "AutoLine", "refusal_text"]

SYNC_ROWS = 20_000          # up to this many rows in memory: computed at once (a few ms)
SYNC_COLUMNS = 64           # ... and up to this many columns (each costs the preparation ~0.7 ms)
SETTLE_MS = 250             # a bigger table is measured once the edits have paused this long
AUTO_KIND = "auto size"


def _steps(table, spec, out_of_core: bool, cached, token):
    """Generator for the runner: (key, filled, kept, AutoSize) as its result; `cached`: the
    (filled, kept) of this table and prep key, or None to prepare them."""
    from somdesk.core.cancel import check
    from somdesk.session import table_size

    from somdesk.gui import tasks

    yield None
    worker = tasks.current()        # the stages, from inside the preparation (testerH #5: > 5 s of no word)
    step = (lambda done, total: worker.offer((done, total))) if worker is not None else None
    filled, kept = cached if cached is not None else table_size.prepared_rows(table, spec, token, step)
    check(token)
    return table_size.prep_key(spec), filled, kept, table_size.auto_from(table, spec, filled, kept, out_of_core)


def refusal_text(exc) -> str:
    """The auto line for choices Train would refuse (`exc` a SomdeskError or its message): "cannot
    train: ..." without the file's name (the tab is the file's), so the line says the way on
    (every row missing under drop: Missing values: train) before Train is pressed (testerG #3:
    the line was empty)."""
    text = str(exc)
    head, sep, rest = text.partition(": ")
    return "cannot train: " + (rest if sep and " " not in head.strip() else text)


class AutoLine(QObject):
    """Computes "auto" for the Setup panel and hands it to `show(auto, pending)`:
    `auto` an AutoSize (None: nothing to show), `pending` a text to show instead."""

    def __init__(self, parent: QObject, show: Callable):
        super().__init__(parent)
        self._show = show
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(self._failed)
        self.runner.yielded.connect(self._step)
        self._wait = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._wait.timeout.connect(self._start)
        self._pending = None        # (table, spec, out_of_core) waiting to run: the latest only
        self._running = None        # the request the runner works on
        self._cache = None          # (table, prep key, filled, kept) of the last preparation
        self._gen = 0               # each request or cancel: a result of an older one is not shown
        self._running_gen = -1

    @property
    def busy(self) -> bool:
        return self.runner.busy or self._wait.isActive() or self._pending is not None

    def update(self, table, spec, out_of_core: bool = False) -> None:
        """`spec` a TableMapSpec, or None when the panel's choices cannot train (nothing shown)."""
        from somdesk.session.table_size import table_auto

        self.cancel()                       # a running request goes on (one at a time), unheard
        if table is None or spec is None:
            self._cache = None if table is None else self._cache
            self._show(None, "")
            return
        if spec.height and spec.width and spec.epochs:       # nothing is automatic: nothing to measure
            self._show(None, f"set: {spec.height} × {spec.width} nodes, {count_text(spec.epochs, 'epoch')}")
            return
        if table.n_rows <= SYNC_ROWS and len(table.columns) <= SYNC_COLUMNS:
            try:
                auto = table_auto(table, spec, out_of_core)
            except SomdeskError as exc:      # why Train would refuse, said before it (testerG #3)
                self._show(None, refusal_text(exc))
                return
            self._show(auto, "")
            return
        self._show(None, self._measuring(table))
        self._pending = (table, spec, out_of_core)
        if not self.runner.busy:
            self._wait.start()

    def _start(self) -> None:
        if self.runner.busy or self._pending is None:
            return                          # one at a time: the running one starts the latest when it ends
        from somdesk.session.table_size import prep_key

        table, spec, ooc = self._running = self._pending
        self._pending, self._running_gen = None, self._gen
        c = self._cache
        cached = (c[2], c[3]) if c is not None and c[0] is table and c[1] == prep_key(spec) else None
        self.runner.start(AUTO_KIND, lambda token: _steps(table, spec, ooc, cached, token))

    @staticmethod
    def _measuring(table, done: int = 0, total: int = 0) -> str:
        of = f" (step {done} of {total})" if total else ""
        return f"auto: measuring the {count_text(table.n_rows, 'row')} in memory{of}…"

    def _step(self, _kind, value) -> None:
        """A stage of the preparation measured (done, total): said while it is the latest request."""
        if isinstance(value, tuple) and self._running is not None and self._running_gen == self._gen:
            self._show(None, self._measuring(self._running[0], *value))

    def _finished(self, _kind, result, stopped: bool) -> None:
        running, self._running = self._running, None
        if result is not None and running is not None:
            key, filled, kept, auto = result
            self._cache = (running[0], key, filled, kept)
            if self._running_gen == self._gen:      # the latest request: show it
                self._show(auto, "")
        self._start()

    def _failed(self, _kind=None, message: str = "", details: str = "") -> None:
        self._running = None
        if self._running_gen == self._gen:
            # a SomdeskError (no details): why Train would refuse; a bug is not shown here
            self._show(None, "" if details or not message else refusal_text(message))
        self._start()

    def cancel(self) -> None:
        """Forget the requests not yet answered: a waiting one is dropped, a running one ends
        unheard but still leaves its prepared rows (a map shown now must not be overwritten by
        an older request's figure: review9 #11)."""
        self._wait.stop()
        self._pending = None
        self._gen += 1

    def shutdown(self) -> None:
        """Stop the measuring at once (the window closes; the task ends at its next check)."""
        self.cancel()
        self._cache = self._running = None
        self.runner.shutdown(wait=False)
