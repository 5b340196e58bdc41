"""Jobs of the mode windows as tasks of the one worker mechanism (`gui.tasks`).

    runner = JobRunner(self)
    runner.finished.connect(self._on_done)          # (kind, result), GUI thread
    runner.start("load", lambda job: load_image(path))

`fn(job)` runs in a pool thread through `tasks.TaskRunner`.  It talks back
only through the job: `job.report(done, total, text)` (False once a stop was
asked: return early), `job.preview_due()` / `job.send_preview(obj)` (latest
wins: the GUI sees the newest preview when it gets there), `job.sleep(s)`
(interruptible) and `job.token` (the CancelToken to pass to core work, which
then stops inside its pass).  Whatever it returns is `finished(kind, result)`;
a `SomdeskError` becomes `failed(kind, message, "")` and any other exception
`failed(kind, message, traceback)` (from `tasks`).

Replacing a job (`start` while one runs) stops the old one and does not wait
for it; its signals are never heard.  `shutdown()` stops and joins them all.
"""
from __future__ import annotations

import collections
import time

from PySide6.QtCore import QObject, Signal, Slot

from somdesk.core.cancel import CancelToken
from somdesk.gui import tasks
from somdesk.gui.tasks import TaskRunner

PREVIEW_FPS = 15.0          # live previews per second at most
PROGRESS_INTERVAL = 0.05    # seconds between progress updates


class Job:
    """What `fn(job)` sees (see the module docstring); lives in the pool thread."""

    def __init__(self, kind: str, token: CancelToken, offer):
        self.kind = kind
        self.token = token
        self._offer = offer
        self._progress = None
        self._events = collections.deque(maxlen=256)   # progress lines, all kept in order (throttled)
        self._preview = None
        self._seq = 0
        self._last_preview = 0.0
        self._last_progress = 0.0

    @property
    def stopped(self) -> bool:
        return self.token.cancelled

    def report(self, done: int, total: int, text: str = "") -> bool:
        now = time.perf_counter()
        if done >= total or done == 0 or now - self._last_progress >= PROGRESS_INTERVAL:
            self._last_progress = now
            self._progress = (int(done), int(total), text)
            self._events.append(self._progress)
            self._offer((self._events, self._seq, self._preview))
        return not self.token.cancelled

    def preview_due(self, fps: float = PREVIEW_FPS) -> bool:
        return time.perf_counter() - self._last_preview >= 1.0 / fps

    def send_preview(self, obj) -> None:
        self._last_preview = time.perf_counter()
        self._seq += 1
        self._preview = obj
        self._offer((self._events, self._seq, obj))

    def sleep(self, seconds: float) -> bool:
        end = time.perf_counter() + seconds
        while not self.token.cancelled and time.perf_counter() < end:
            time.sleep(min(0.01, max(0.0, end - time.perf_counter())))
        return not self.token.cancelled


def _as_task(kind: str, fn):
    """A generator around `fn(job)` for the adapter: fn runs to its end inside the
    generator's first step; its updates go straight to the task's latest-value slot."""

    def factory(token: CancelToken):
        return _run(kind, fn, token)

    return factory


def _run(kind, fn, token):
    job = Job(kind, token, tasks.current().offer)
    return fn(job)
    yield  # pragma: no cover - makes this a generator


class JobRunner(QObject):
    """Runs one job at a time for a window; everything it emits is in the GUI thread."""

    progress = Signal(str, int, int, str)     # kind, done, total, text
    preview = Signal(str, object)             # kind, object
    finished = Signal(str, object)            # kind, result
    failed = Signal(str, str, str)            # kind, message, details
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.tasks = TaskRunner(self)
        self.tasks.yielded.connect(self._on_update)
        self.tasks.finished.connect(self._on_finished)
        self.tasks.failed.connect(self._on_failed)
        self._seen_seq = 0
        self._seen_progress = None

    @property
    def busy(self) -> bool:
        return self.tasks.busy

    @property
    def kind(self) -> str | None:
        return self.tasks.kind

    @property
    def job(self):
        return self.tasks.worker

    def start(self, kind: str, fn):
        """Run `fn(job)` as a task; a job still running is stopped and forgotten."""
        was_busy = self.tasks.busy
        self._seen_seq, self._seen_progress = 0, None
        worker = self.tasks.start(kind, _as_task(kind, fn))
        if not was_busy:
            self.busy_changed.emit(True)
        return worker

    def stop(self) -> None:
        """Ask the job to stop; it returns early and its result still arrives."""
        self.tasks.stop()

    def shutdown(self, timeout_ms: int | None = None) -> bool:
        """Stop every job of this runner; nothing more is delivered.  `timeout_ms=0`
        (a window closing) does not wait: a step that cannot be interrupted (encoding
        a PNG) ends unheard and quitting joins it (`tasks.shutdown_all`); otherwise
        the jobs are joined, each at its next cancellation check."""
        busy = self.tasks.busy
        self.tasks.shutdown(wait=timeout_ms != 0)
        if busy:
            self.busy_changed.emit(False)
        return True

    @Slot(str, object)
    def _on_update(self, kind: str, update) -> None:
        events, seq, preview = update
        while events:                 # every progress line in order; previews: the latest only
            try:
                progress = events.popleft()
            except IndexError:
                break
            self.progress.emit(kind, *progress)
        if seq > self._seen_seq:
            self._seen_seq = seq
            self.preview.emit(kind, preview)

    @Slot(str, object, bool)
    def _on_finished(self, kind: str, result, _stopped: bool) -> None:
        self.busy_changed.emit(False)
        self.finished.emit(kind, result)

    @Slot(str, str, str)
    def _on_failed(self, kind: str, message: str, details: str) -> None:
        self.busy_changed.emit(False)
        self.failed.emit(kind, message, details)
