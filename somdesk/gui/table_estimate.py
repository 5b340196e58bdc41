"""The Setup panel's "auto" line: the size and epochs Train will make, computed by the one
session function training uses (session.table_size.table_auto, tester8 #15), and said with
the rows it is based on.

    auto = AutoLine(parent, show)            # show(AutoSize | None, pending_text)
    auto.update(table, spec, out_of_core)    # the figure now, or from a worker for a big table
    auto.shutdown()                          # the window closes

Exact in memory costs one preparation of the rows in memory (about 1 s for 1,000,000 x 8),
so over SYNC_ROWS rows it runs as a task of its own TaskRunner (not the window's: it must not
make the window busy nor wait for a training), started once the edits pause for SETTLE_MS;
each edit replaces the task under way, and the line says "measuring ..." meanwhile.  Out of core the figure is an estimate (see table_auto).
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from somdesk.errors import SomdeskError
from somdesk.gui.tasks import TaskRunner

__all__ = ["AUTO_KIND", "SYNC_ROWS", "AutoLine"]

SYNC_ROWS = 20_000          # up to this many rows in memory: computed at once (a few ms)
SETTLE_MS = 250             # a bigger table is measured once the edits have paused this long
AUTO_KIND = "auto size"


def _steps(table, spec, out_of_core: bool, token):
    """Generator for the runner: the AutoSize as its result."""
    from somdesk.session.table_size import table_auto

    yield None
    return table_auto(table, spec, out_of_core, token)


class AutoLine(QObject):
    """Computes "auto" for the Setup panel and hands it to `show(auto, pending)`:
    `auto` an AutoSize (None: nothing to show), `pending` a text to show while it is measured."""

    def __init__(self, parent: QObject, show: Callable):
        super().__init__(parent)
        self._show = show
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(lambda *_: self._show(None, ""))
        # edits in quick succession (ticking five columns) start one measuring, not five: a
        # replaced task cannot stop inside its preparation and would go on using a core
        self._wait = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._wait.timeout.connect(self._start)
        self._args = None

    @property
    def busy(self) -> bool:
        return self.runner.busy or self._wait.isActive()

    def update(self, table, spec, out_of_core: bool = False) -> None:
        """`spec` a TableMapSpec, or None when the panel's choices cannot train (nothing shown)."""
        from somdesk.session.table_size import table_auto

        self.runner.detach()              # an older figure is of other choices
        self._wait.stop()
        self._args = None
        if table is None or spec is None:
            self._show(None, "")
            return
        if table.n_rows <= SYNC_ROWS:
            try:
                auto = table_auto(table, spec, out_of_core)
            except SomdeskError:
                auto = None
            self._show(auto, "")
            return
        self._show(None, f"auto: measuring the {table.n_rows:,} rows in memory…")
        self._args = (table, spec, out_of_core)
        self._wait.start()

    def _start(self) -> None:
        args, self._args = self._args, None
        if args is not None:
            self.runner.start(AUTO_KIND, lambda token: _steps(*args, token))

    def _finished(self, _kind, result, stopped: bool) -> None:
        if not stopped:
            self._show(result, "")

    def shutdown(self) -> None:
        """Stop the measuring at once (the window closes; the task ends at its next check)."""
        self._wait.stop()
        self._args = None
        self.runner.shutdown(wait=False)
