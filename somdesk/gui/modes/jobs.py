"""Background jobs for the mode windows: a function run in a QThread, with
progress, live previews, cancelling and errors, all reported through signals.

    runner = JobRunner(self)
    runner.finished.connect(self._on_done)          # (kind, result), GUI thread
    runner.start("load", lambda job: load_image(path))

`fn(job)` runs in the worker thread.  It talks back only through the job:
`job.report(done, total, text)` (returns False once a stop was asked: the
function should then return early), `job.preview_due()` / `job.send_preview(obj)`
(throttled, acknowledged by the GUI like the training worker's snapshots) and
`job.sleep(seconds)` (interruptible pacing).  Whatever it returns is delivered
as `finished(kind, result)`; a `SomdeskError` becomes `failed(kind, message, "")`
and any other exception `failed(kind, message, traceback)`.

The threads are started and joined with `somdesk.gui.worker.start_in_thread` /
`stop_thread`, so they are in the same registry as training threads (tests fail
if one is left running, `stop_all` stops them).  As in `TrainingController`, the
job's signals are relayed through this runner's `@Slot` methods, so they are
handled in the GUI thread (PySide6 runs a plain callable connected to a
signal of an object in another thread in THAT thread), and signals still queued
from a job that was replaced or shut down are ignored.

Replacing a job (`start` while one runs) asks the old one to stop but does not
wait for it: a step that cannot be interrupted (encoding a big PNG) would
otherwise freeze the window.  It finishes on its own thread, unheard.
`shutdown(timeout_ms)` asks every job to stop and joins them; one still busy
in such a step after the timeout is left to finish unheard (a window closes
at once), and the mode manager's final `shutdown()` when the application
quits waits for it.
"""
from __future__ import annotations

import threading
import time
import traceback

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from somdesk.errors import SomdeskError
from somdesk.gui.worker import start_in_thread, stop_thread

PREVIEW_FPS = 15.0          # live previews per second at most
PROGRESS_INTERVAL = 0.05    # seconds between progress signals
UNACKED_TIMEOUT = 1.0       # send a preview even if the last one was never acknowledged


class Job(QObject):
    """One function run in a worker thread (see the module docstring)."""

    progress = Signal(int, int, str)
    preview = Signal(object)
    finished = Signal(object)
    failed = Signal(str, str)

    def __init__(self, kind: str, fn):
        super().__init__()
        self.kind = kind
        self._fn = fn
        self._stop = False
        self._wake = threading.Event()
        self._in_flight = False
        self._last_preview = 0.0
        self._last_progress = 0.0
        self._thread: QThread | None = None
        self._delivered = False     # its last signal (finished / failed) reached the runner

    # -- from any thread -------------------------------------------------------------
    def request_stop(self) -> None:
        self._stop = True
        self._wake.set()

    @property
    def stopped(self) -> bool:
        return self._stop

    def preview_consumed(self) -> None:
        self._in_flight = False

    # -- from the job function, in the worker thread ------------------------------------
    def report(self, done: int, total: int, text: str = "") -> bool:
        """Progress; False once a stop was asked (the function should return)."""
        now = time.perf_counter()
        if done >= total or done == 0 or now - self._last_progress >= PROGRESS_INTERVAL:
            self._last_progress = now
            self.progress.emit(int(done), int(total), text)
        return not self._stop

    def preview_due(self, fps: float = PREVIEW_FPS) -> bool:
        """Is it time for another preview (and has the GUI drawn the last one)?"""
        now = time.perf_counter()
        acked = not self._in_flight or now - self._last_preview > UNACKED_TIMEOUT
        return acked and now - self._last_preview >= 1.0 / fps

    def send_preview(self, obj) -> None:
        self._in_flight = True
        self._last_preview = time.perf_counter()
        self.preview.emit(obj)

    def sleep(self, seconds: float) -> bool:
        """Wait up to `seconds`, waking at once on stop; False once a stop was asked."""
        if seconds > 0 and not self._stop:
            self._wake.wait(seconds)
        return not self._stop

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn(self)
            self.finished.emit(result)
        except SomdeskError as exc:
            self.failed.emit(str(exc), "")
        except MemoryError:
            self.failed.emit("Not enough memory for this job.", traceback.format_exc())
        except Exception as exc:  # a bug: report it, never kill the thread silently
            self.failed.emit(f"Unexpected error: {type(exc).__name__}: {exc}", traceback.format_exc())
        finally:
            if self._thread is not None:
                self._thread.quit()
                app = QCoreApplication.instance()
                if app is not None:
                    self.moveToThread(app.thread())


class JobRunner(QObject):
    """Runs one job at a time for a window; everything it emits is in the GUI thread."""

    progress = Signal(str, int, int, str)     # kind, done, total, text
    preview = Signal(str, object)             # kind, object
    finished = Signal(str, object)            # kind, result
    failed = Signal(str, str, str)            # kind, message, details
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.job: Job | None = None
        self.thread: QThread | None = None
        # Replaced or shut-down jobs, kept until their last signal has arrived (so a new job
        # cannot reuse a deleted one's address and pass for its sender) and their thread has
        # ended (so shutdown can still join it).
        self._retired: list[Job] = []

    @property
    def busy(self) -> bool:
        return self.job is not None

    @property
    def kind(self) -> str | None:
        return self.job.kind if self.job is not None else None

    def start(self, kind: str, fn) -> Job:
        """Run `fn(job)` in a new thread; a job still running is told to stop and forgotten."""
        if self.job is not None:
            self.job.request_stop()
            self._retired.append(self.job)
            self._drop()
        job = Job(kind, fn)
        job.progress.connect(self._on_progress)
        job.preview.connect(self._on_preview)
        job.finished.connect(self._on_finished)
        job.failed.connect(self._on_failed)
        self.job = job
        self.thread = start_in_thread(job)
        self.busy_changed.emit(True)
        return job

    def stop(self) -> None:
        """Ask the job to stop; it returns early and its result still arrives."""
        if self.job is not None:
            self.job.request_stop()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Stop and join every job of this runner; nothing more is delivered (on close).
        True if all of them ended within `timeout_ms` each (see the module docstring)."""
        if self.job is not None:
            self._retired.append(self.job)
            self._drop()
        ended = True
        for job in list(self._retired):
            if job._thread is not None and not stop_thread(job, job._thread, timeout_ms):
                ended = False
        return ended

    def _drop(self) -> None:
        self.job = None
        self.thread = None
        self.busy_changed.emit(False)

    def _current(self, last: bool = False) -> bool:
        sender = self.sender()
        if self.job is not None and sender is self.job:
            return True
        if last and isinstance(sender, Job):
            sender._delivered = True
        self._retired = [j for j in self._retired
                         if not (j._delivered and (j._thread is None or not j._thread.isRunning()))]
        return False

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self._current():
            self.progress.emit(self.job.kind, done, total, text)

    @Slot(object)
    def _on_preview(self, obj) -> None:
        if self._current():
            job = self.job
            self.preview.emit(job.kind, obj)
            job.preview_consumed()

    @Slot(object)
    def _on_finished(self, result) -> None:
        if not self._current(last=True):
            return
        kind, thread = self.job.kind, self.thread
        self._drop()
        thread.wait(5000)
        self.finished.emit(kind, result)

    @Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        if not self._current(last=True):
            return
        kind, thread = self.job.kind, self.thread
        self._drop()
        thread.wait(5000)
        self.failed.emit(kind, message, details)
