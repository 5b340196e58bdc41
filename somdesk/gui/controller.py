"""The GUI side of a training run: owns the worker and its thread, knows the state.

States: "idle" (no worker), "running", "paused" (a worker waits between
iterations).  The SOM object belongs to the worker while one exists; when the
run ends the controller keeps it, so Step, Resume and Reset can carry on with it.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from somdesk.core import SOM
from somdesk.gui.worker import DEFAULT_FPS, Snapshot, TrainingWorker, start_in_thread, stop_thread

IDLE, RUNNING, PAUSED = "idle", "running", "paused"


class TrainingController(QObject):
    state_changed = Signal(str)
    started = Signal(object)           # the SOM a new worker trains (its config is what the core got)
    snapshot_ready = Signal(object)    # relayed from the worker, in the GUI thread
    finished = Signal(object)          # final Snapshot
    failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.som: SOM | None = None
        self.worker: TrainingWorker | None = None
        self.thread = None
        self.pace: float | None = 200.0
        self.fps: float = DEFAULT_FPS
        self.view = "colours"
        self._state = IDLE
        # Workers replaced or shut down before their last signal was delivered.  They
        # are kept alive until it arrives: were one deleted, a newer worker could reuse
        # its address and its queued signals would pass for the new worker's.
        self._retired: list[TrainingWorker] = []

    @property
    def state(self) -> str:
        return self._state

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    # -- starting ----------------------------------------------------------------
    def start(self, som: SOM, *, paused: bool = False) -> None:
        """Train `som` (from whatever iteration it is at) in a new worker thread."""
        self._halt()
        self.som = som
        worker = TrainingWorker(som, pace=self.pace, fps=self.fps, paused=paused, view=self.view)
        worker.snapshot_ready.connect(self._on_snapshot)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self.worker = worker
        self.started.emit(som)
        self.thread = start_in_thread(worker)
        self._set_state(PAUSED if paused else RUNNING)

    # -- control -------------------------------------------------------------------
    def pause(self) -> None:
        if self.worker is not None and self._state == RUNNING:
            self.worker.set_paused(True)
            self._set_state(PAUSED)

    def resume(self) -> None:
        if self.worker is not None and self._state == PAUSED:
            self.worker.set_paused(False)
            self._set_state(RUNNING)
        elif self.worker is None and self.som is not None and not self.som.done:
            self.start(self.som)

    def toggle_pause(self) -> None:
        if self._state == RUNNING:
            self.pause()
        else:
            self.resume()

    def step(self, som_if_idle: SOM | None = None) -> None:
        """One iteration. While idle it starts a paused worker on the current
        (unfinished) SOM, or on `som_if_idle`, so Resume can carry on from there."""
        if self.worker is None:
            som = self.som if self.som is not None and not self.som.done else som_if_idle
            if som is None or som.done:
                return
            self.start(som, paused=True)
        elif self._state == RUNNING:
            self.pause()
        self.worker.request_step()

    def stop(self) -> None:
        """End the run; the map keeps its last state.  Joins the worker thread at
        once; its final snapshot and `finished` follow from the event queue."""
        if self.worker is not None:
            stop_thread(self.worker, self.thread)

    def shutdown(self) -> None:
        """On close/quit: stop at once, leave no thread behind, deliver nothing more."""
        self._halt()

    def _halt(self) -> None:
        if self.worker is not None:
            stop_thread(self.worker, self.thread)
            self._retired.append(self.worker)   # its queued signals are now ignored
            self._drop_worker()

    def set_pace(self, iterations_per_second: float | None) -> None:
        self.pace = iterations_per_second
        if self.worker is not None:
            self.worker.set_pace(iterations_per_second)

    def set_fps(self, fps: float) -> None:
        self.fps = fps
        if self.worker is not None:
            self.worker.set_fps(fps)

    def set_view(self, view: str) -> None:
        self.view = view
        if self.worker is not None:
            self.worker.set_view(view)

    # -- from the worker (queued into the GUI thread) --------------------------------
    # A worker replaced by a newer one (Train while running) may still have
    # signals in the queue: only the current worker's are acted on.
    def _current(self, last: bool = False) -> bool:
        """Is the sender the current worker?  `last`: this is its final signal."""
        sender = self.sender()
        if self.worker is not None and sender is self.worker:
            return True
        if last:
            self._retired = [w for w in self._retired if w is not sender]
        return False

    @Slot(object)
    def _on_snapshot(self, snap: Snapshot) -> None:
        if not self._current():
            return
        self.snapshot_ready.emit(snap)
        self.worker.snapshot_consumed()

    @Slot(object)
    def _on_finished(self, snap: Snapshot) -> None:
        if not self._current(last=True):
            return
        thread = self.thread
        self._drop_worker()
        thread.wait(5000)
        self.finished.emit(snap)

    @Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        if not self._current(last=True):
            return
        thread = self.thread
        self._drop_worker()
        thread.wait(5000)
        self.failed.emit(message, details)

    def _drop_worker(self) -> None:
        self.worker = None
        self.thread = None
        self._set_state(IDLE)
