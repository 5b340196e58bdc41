"""The one worker mechanism: run a session generator on a pool thread.

Every long task in the window (training, a full-size quantisation, reading a
big palette or table, clustering) is an ordinary generator built by the
session layer from a `CancelToken`:

    runner = TaskRunner(parent)
    runner.yielded.connect(show)             # latest state only, in the GUI thread
    runner.finished.connect(done)            # (kind, result, stopped)
    runner.failed.connect(report)            # (kind, message, details)
    runner.start("train", lambda token: session.train(cancel=token), pausable=True)

The generator runs in a `superqt` worker (a QRunnable in Qt's thread pool, so
there is no QThread object that could be destroyed while running).  The
adapter adds what superqt leaves to the caller:

- **Cancellation inside the pass.**  Stop and close call `token.cancel()`;
  the core checks the token between inputs (SOM.step(cancel=...)), so a pass
  of any length ends within ~50 ms and raises `Cancelled`, leaving the map
  as before that pass.  `Cancelled` is a normal end: `finished(kind, None, True)`.
- **Pause inside the pass.**  Pause cancels the token too; when the
  generator has ended with `Cancelled`, the worker waits, and Resume builds a
  new generator from the same factory with a fresh token.  That is exact for
  resumable tasks (training restarts the interrupted epoch from the state
  before it); tasks that are not resumable are started with `pausable=False`.
- **Latest snapshot wins.**  The worker keeps only the newest yielded value
  and signals once; the GUI takes it when it gets there, so a slow paint never
  builds a queue of stale pictures and the worker never waits for the GUI.
- **Errors as signals.**  A `SomdeskError` becomes `failed(kind, message, "")`,
  anything else `failed(kind, message, traceback)`.
- **Nothing outlives the application.**  Every live worker is in a registry;
  `shutdown_all()` (at quit) cancels them and waits until they have ended,
  which takes one cancellation check, not a pass.  Work that reads no token
  (numba compiling the kernels on a source install's first run: minutes) is
  not waited for by a closing window (`TaskRunner.shutdown(timeout_s=...)`)
  nor by the application's exit (`exit_when_tasks_end` leaves the process).

Signals from a task that was replaced, stopped by a window close or shut
down never reach the runner's listeners.
"""
from __future__ import annotations

import atexit
import threading
import time
import traceback
from collections.abc import Callable, Generator

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot
from superqt.utils._qthreading import WorkerBase, WorkerBaseSignals  # public: WorkerBase only

from somdesk.core import memory
from somdesk.core.cancel import CancelToken
from somdesk.errors import Cancelled, SomdeskError
from somdesk.gui.task_words import out_of_memory_text

Factory = Callable[[CancelToken], Generator]

_LIVE: set["TaskWorker"] = set()        # started and not yet ended
_HERE = threading.local()               # the TaskWorker running in this thread, if any
_LIVE_LOCK = threading.Lock()
MIN_POOL_THREADS = 16                   # two windows, each training and loading, never queue


_POOL: QThreadPool | None = None


def _pool() -> QThreadPool:
    """Our own pool (not Qt's global one, which the application's exit path drains)."""
    global _POOL
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setMaxThreadCount(MIN_POOL_THREADS)
        atexit.register(_stop_at_exit)
    return _POOL


AT_EXIT_WAIT_S = 5.0                    # how long the interpreter's exit waits for live tasks


def _stop_at_exit() -> None:
    """At the interpreter's exit, stop every task still live and wait a bounded time.

    The pool's C++ destructor joins its threads without telling them anything: a task
    left paused (its window never closed -- a script, a test, a close that was cancelled
    -- and no aboutToQuit because app.exec() never ran) waited for a resume forever and
    the process never ended (testerW #10).  atexit runs before that destructor."""
    shutdown_all(AT_EXIT_WAIT_S, abandon=True)      # nobody is left to receive a result


def current() -> "TaskWorker | None":
    """The task running in the calling thread (None outside tasks)."""
    return getattr(_HERE, "worker", None)


def live_workers() -> list["TaskWorker"]:
    """Workers started here that have not ended (tests assert this is empty)."""
    with _LIVE_LOCK:
        return list(_LIVE)


QUIT_WAIT_S = 2.0      # at quit, how long tasks may take to end before the process leaves them


def exit_when_tasks_end(code: int, timeout_s: float = QUIT_WAIT_S) -> int:
    """At the application's end (after its event loop): `code` once every task has ended;
    a task still running after `timeout_s` (one that cannot look at its token: numba
    compiling the kernels, a C call) must not hold a closed application for minutes, nor
    be torn down by the interpreter's exit (threads running Python while it finalises can
    abort the process), so the process leaves at once with `code` (os._exit after
    flushing its streams; windows have saved their settings when they closed)."""
    if shutdown_all(timeout_s):
        return code
    import os
    import sys

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(code)


def shutdown_all(timeout_s: float | None = None, abandon: bool = False) -> bool:
    """Cancel every live task (`abandon`: their finishing work too, TaskWorker.stop) and wait
    until each has ended; True if all did.

    Waiting is cheap: cancellation reaches inside every pass, so a task ends at
    its next check (~50 ms).  `timeout_s=None` waits as long as that takes.
    """
    workers = live_workers()
    for w in workers:
        w.stop(abandon=abandon)
    return _join(workers, timeout_s)


def _join(workers, timeout_s: float | None) -> bool:
    """Wait until every worker of `workers` has ended, `timeout_s` in all (None: as long as that
    takes); True if all did."""
    deadline = None if timeout_s is None else time.perf_counter() + timeout_s
    for w in workers:
        left = None if deadline is None else max(0.0, deadline - time.perf_counter())
        if not w.wait(left):
            return False
    return True


class _Signals(WorkerBaseSignals):
    ready = Signal()                 # a new latest value is waiting in `take()`
    progress = Signal(object)        # nothing: kept for superqt's protocol
    state = Signal(str)              # "running", "paused"
    done = Signal(object, bool)      # (result, stopped)
    error = Signal(str, str)         # (message, details)


class TaskWorker(WorkerBase):
    """Runs `factory(token)` to its end in a pool thread (see the module docstring)."""

    def __init__(self, kind: str, factory: Factory, *, pausable: bool = False, paused: bool = False):
        super().__init__(SignalsClass=_Signals)
        self.setAutoDelete(False)          # Python owns it: its signals object must outlive run()
        self.kind = kind
        self.what: str | None = None       # gui/task_words.py: set by TaskRunner.start
        self.factory = factory
        self.pausable = pausable
        self.token = CancelToken()
        self._lock = threading.Lock()
        self._latest = None
        self._has_latest = False
        self._signalled = False            # a `ready` is on its way and not yet taken
        self._stop = False
        self._pause = bool(paused) and pausable
        self._step = 0                     # single steps asked for while paused
        self._wake = threading.Event()
        self._ended = threading.Event()

    # -- control, from any thread -------------------------------------------------------
    def stop(self, abandon: bool = False) -> None:
        """End the task at its next cancellation check; `abandon`: its finishing work after a
        stop too (core.cancel: nobody will receive the result)."""
        self._stop = True
        self.quit()
        self.token.abandon() if abandon else self.token.cancel()
        self._wake.set()

    def pause(self) -> None:
        if self.pausable and not self._pause:
            self._pause = True
            self.token.cancel()            # interrupts the pass under way
            self._wake.set()

    def resume(self) -> None:
        if self._pause:
            self._pause = False
            self._wake.set()

    def step_once(self) -> None:
        """While paused: run until the generator's next yield, then pause again."""
        if self._pause:
            self._step += 1
            self._wake.set()

    @property
    def paused(self) -> bool:
        return self._pause

    @property
    def stopping(self) -> bool:
        """Told to stop and not yet ended (a table map is still measured after a stop)."""
        return self._stop and not self._ended.is_set()

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the task has ended (True) or `timeout_s` passed (False)."""
        return self._ended.wait(timeout_s)

    def take(self):
        """The newest yielded value (GUI thread); the next yield signals again."""
        with self._lock:
            value, self._latest, self._has_latest = self._latest, None, False
            self._signalled = False
        return value

    # -- the loop, in the pool thread -------------------------------------------------------
    def offer(self, value) -> None:
        """Make `value` the latest (from the task's thread); signals the GUI once."""
        with self._lock:
            self._latest, self._has_latest = value, True
            send = not self._signalled
            self._signalled = True
        if send:
            self.signals.ready.emit()

    def _wait_while_paused(self) -> None:
        self.signals.state.emit("paused")
        while self._pause and not self._stop and not self._step:
            self._wake.wait(0.1)
            self._wake.clear()
        if not self._stop:
            self.signals.state.emit("running")

    def work(self):
        result, stopped = None, False
        try:
            while True:
                if self._stop:
                    stopped = True
                    break
                if self._pause and not self._step:
                    self._wait_while_paused()
                    continue
                self.token.reset()
                gen = self.factory(self.token)
                try:
                    result = self._drive(gen)
                    if self.pausable and not self._stop and self.token.cancelled:
                        continue     # a pause ended the pass early (the task caught Cancelled)
                    break                                   # the generator ran to its end
                except Cancelled:
                    if self._stop or not self.pausable:
                        stopped = True
                        break
                    # paused mid-pass (maybe resumed already): the work is as it was
                    # before the pass; the loop waits while paused, then rebuilds
                finally:
                    gen.close()
            self.signals.done.emit(result, stopped or self._stop)
        except Exception as exc:
            if memory.is_out_of_memory(exc):
                # every shape (MemoryError, DuckDB's, a thread that could not start: core.memory)
                # is one sentence naming the task; the window stays (testerC #2)
                self.signals.error.emit(out_of_memory_text(self.kind, self.what), "")
            elif isinstance(exc, SomdeskError):
                self.signals.error.emit(str(exc), "")
            else:  # a bug: report it, never kill the thread silently
                self.signals.error.emit(f"Unexpected error: {type(exc).__name__}: {exc}",
                                        traceback.format_exc())
        return None

    def _drive(self, gen: Generator):
        """Run `gen` until it returns (its value), raising Cancelled when stopped or paused."""
        while True:
            if self._stop or (self._pause and not self._step):
                raise Cancelled("stopped")
            try:
                value = next(gen)
            except StopIteration as end:
                return end.value
            if value is not None:                       # None: progress made, nothing to show
                self.offer(value)
            if self._step:
                self._step -= 1

    def run(self) -> None:
        _HERE.worker = self
        try:
            super().run()
        finally:
            _HERE.worker = None
            with _LIVE_LOCK:
                _LIVE.discard(self)
            self._ended.set()

    def start(self) -> None:
        with _LIVE_LOCK:
            _LIVE.add(self)
        _pool().start(self)


class TaskRunner(QObject):
    """One task at a time for one window; everything it emits arrives in the GUI thread.

    Signals: `yielded(kind, value)` (latest value only), `finished(kind, result,
    stopped)`, `failed(kind, message, details)`, `state_changed(state)` with
    state in "idle", "running", "paused".
    """

    yielded = Signal(str, object)
    finished = Signal(str, object, bool)
    failed = Signal(str, str, str)
    state_changed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.worker: TaskWorker | None = None
        self._retired: list[TaskWorker] = []    # detached, maybe still ending: joined by shutdown
        self._state = "idle"

    @property
    def state(self) -> str:
        return self._state

    @property
    def busy(self) -> bool:
        return self.worker is not None

    @property
    def kind(self) -> str | None:
        return self.worker.kind if self.worker is not None else None

    @property
    def what(self) -> str | None:
        """What the task does when its kind says too little (a table "segment" task trains,
        re-segments or measures: gui/task_words.py); None: its kind says it."""
        return self.worker.what if self.worker is not None else None

    @property
    def stopping(self) -> bool:
        """The task was told to stop and is finishing (Stop has nothing more to do)."""
        return self.worker is not None and self.worker.stopping

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    def start(self, kind: str, factory: Factory, *, pausable: bool = False,
              paused: bool = False, what: str | None = None) -> TaskWorker:
        """Run `factory(token)` in a pool thread; a task still running is stopped first
        (it ends within one cancellation check; its signals are no longer heard).  `what`:
        what the task does, for messages, when `kind` says too little (gui/task_words.WORDS)."""
        self.detach()
        worker = TaskWorker(kind, factory, pausable=pausable, paused=paused)
        worker.what = what
        sig = worker.signals
        sig.ready.connect(self._on_ready)
        sig.done.connect(self._on_done)
        sig.error.connect(self._on_error)
        sig.state.connect(self._on_state)
        self.worker = worker
        self._set_state("paused" if worker.paused else "running")
        worker.start()
        return worker

    # -- control ------------------------------------------------------------------------
    def stop(self) -> None:
        """End the task at its next check; `finished(..., stopped=True)` follows."""
        if self.worker is not None:
            self.worker.stop()

    def pause(self) -> None:
        if self.worker is not None and self.worker.pausable:
            self.worker.pause()
            self._set_state("paused")

    def resume(self) -> None:
        if self.worker is not None and self.worker.paused:
            self.worker.resume()
            self._set_state("running")

    def toggle_pause(self) -> None:
        if self._state == "paused":
            self.resume()
        else:
            self.pause()

    def step_once(self) -> None:
        if self.worker is not None:
            if not self.worker.paused:
                self.pause()
            self.worker.step_once()

    def detach(self) -> TaskWorker | None:
        """Stop the current task and forget it: nothing more from it is delivered.
        Returns immediately; the task ends on its own within one cancellation check."""
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop(abandon=True)          # nothing more is delivered: no finishing work either
            self._disconnect(worker)
            self._retired = [w for w in self._retired if not w.ended] + [worker]
        self._set_state("idle")
        return worker

    def shutdown(self, wait: bool = True, timeout_s: float | None = None) -> bool:
        """On close: stop at once, deliver nothing more and (by default) join every task
        this runner started; each ends at its next cancellation check.  `timeout_s` bounds
        the wait: a task inside work that cannot look at its token (numba compiling the
        kernels on a source install's first run: minutes) is left to end on its own and
        `shutdown_all` / `exit_when_tasks_end` deal with it at quit.  True if all ended."""
        self.detach()
        if wait:
            _join(self._retired, timeout_s)
        self._retired = [w for w in self._retired if not w.ended]
        return not self._retired

    def _disconnect(self, worker: TaskWorker) -> None:
        sig = worker.signals
        for signal, slot in ((sig.ready, self._on_ready), (sig.done, self._on_done),
                             (sig.error, self._on_error), (sig.state, self._on_state)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):   # already gone
                pass

    # -- from the worker (queued into the GUI thread) ---------------------------------------
    def _current(self) -> bool:
        w = self.worker
        return w is not None and self.sender() is w.signals

    @Slot()
    def _on_ready(self) -> None:
        if self._current():
            w = self.worker
            value = w.take()
            self.yielded.emit(w.kind, value)

    @Slot(str)
    def _on_state(self, state: str) -> None:
        if self._current() and self.worker.paused == (state == "paused"):
            self._set_state(state)

    @Slot(object, bool)
    def _on_done(self, result, stopped: bool) -> None:
        if not self._current():
            return
        w = self.worker
        if w._has_latest:                  # the last yield before the end, not yet shown
            self.yielded.emit(w.kind, w.take())
        self.worker = None
        w.wait()                           # run() is returning: at most a moment
        self._set_state("idle")
        self.finished.emit(w.kind, result, stopped)

    @Slot(str, str)
    def _on_error(self, message: str, details: str) -> None:
        if not self._current():
            return
        w = self.worker
        self.worker = None
        w.wait()
        self._set_state("idle")
        self.failed.emit(w.kind, message, details)
