"""The GUI side of a training run, over the one worker mechanism (`gui.tasks`).

States: "idle" (no task), "running", "paused".  The SOM object belongs to the
task while one runs; when the run ends the controller keeps it, so Step,
Resume and Reset can carry on with it.  Stop, Pause, Reset and close reach
inside the epoch under way through its CancelToken (see `gui.tasks`): the SOM
is then as it was before that epoch, and the run can be resumed exactly.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from somdesk.core import SOM
from somdesk.gui.tasks import TaskRunner
from somdesk.gui.training import DEFAULT_FPS, RunControl, Snapshot, make_snapshot, train_states

IDLE, RUNNING, PAUSED = "idle", "running", "paused"


class TrainingController(QObject):
    state_changed = Signal(str)
    started = Signal(object)           # the SOM a new task trains (its config is what the core got)
    snapshot_ready = Signal(object)    # the latest Snapshot, in the GUI thread
    finished = Signal(object)          # final Snapshot (stopped=True after Stop)
    failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.som: SOM | None = None
        self.control = RunControl()
        self.runner = TaskRunner(self)
        self.runner.yielded.connect(self._on_yielded)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.state_changed.connect(self.state_changed)
        self._last: Snapshot | None = None

    # settings kept for the next run (and passed to the one running)
    @property
    def pace(self) -> float | None:
        return self.control.pace

    @property
    def fps(self) -> float:
        return self.control.fps

    @property
    def view(self) -> str:
        return self.control.view

    @property
    def state(self) -> str:
        return self.runner.state

    @property
    def worker(self):
        """The task running (None when idle)."""
        return self.runner.worker

    # -- starting ----------------------------------------------------------------
    def start(self, som: SOM, *, paused: bool = False) -> None:
        """Train `som` (from whatever epoch it is at) as a new task."""
        self.runner.shutdown()
        self.som = som
        self._last = None
        self.started.emit(som)
        control = self.control
        self.runner.start("train", lambda token: train_states(som, token, control),
                          pausable=True, paused=paused)

    # -- control -------------------------------------------------------------------
    def pause(self) -> None:
        if self.state == RUNNING:
            self.runner.pause()

    def resume(self) -> None:
        if self.state == PAUSED:
            self.runner.resume()
        elif self.state == IDLE and self.som is not None and not self.som.done:
            self.start(self.som)

    def toggle_pause(self) -> None:
        if self.state == RUNNING:
            self.pause()
        else:
            self.resume()

    def step(self, som_if_idle: SOM | None = None) -> None:
        """One epoch. While idle it starts a paused task on the current (unfinished)
        SOM, or on `som_if_idle`, so Resume can carry on from there."""
        if self.state == IDLE:
            som = self.som if self.som is not None and not self.som.done else som_if_idle
            if som is None or som.done:
                return
            self.start(som, paused=True)
        self.control.single = True
        self.runner.step_once()

    def stop(self) -> None:
        """End the run at the task's next check (~50 ms); `finished` follows with the
        map as it was after the last complete epoch."""
        self.runner.stop()

    def shutdown(self) -> None:
        """On close/quit/reset: stop within one check, join, deliver nothing more."""
        self.runner.shutdown()

    def set_pace(self, iterations_per_second: float | None) -> None:
        self.control.pace = iterations_per_second

    def set_fps(self, fps: float) -> None:
        self.control.fps = max(1.0, float(fps))

    def set_view(self, view: str) -> None:
        self.control.view = view

    # -- from the task (in the GUI thread) --------------------------------------------
    @Slot(str, object)
    def _on_yielded(self, _kind: str, snap) -> None:
        if snap is not None:
            self._last = snap
            self.snapshot_ready.emit(snap)

    @Slot(str, object, bool)
    def _on_finished(self, _kind: str, final, stopped: bool) -> None:
        if stopped or final is None:
            # The epoch under way was abandoned: show the map as it is now.  No BMU
            # search here (a huge map would hold the GUI thread); the last ones stay.
            last = self._last
            extra = {}
            if last is not None and last.iteration == self.som.iteration:
                extra = dict(bmus=last.bmus, hits=last.hits)
            final = make_snapshot(self.som, view=self.view, with_bmus=False, final=True,
                                  stopped=not self.som.done, elapsed=last.elapsed if last else 0.0)
            if extra:
                final = type(final)(**{**final.__dict__, **extra})
        self._last = None
        self.snapshot_ready.emit(final)
        self.finished.emit(final)

    @Slot(str, str, str)
    def _on_failed(self, _kind: str, message: str, details: str) -> None:
        self._last = None
        self.failed.emit(message, details)
