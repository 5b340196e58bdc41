"""The one window's time-lapse: frames taken from the run itself, and File > Export time-lapse….

A run of a colour or picture map feeds a `somdesk.io.timelapse.FrameRecorder` (at
most `MAX_FRAMES`, evenly spaced, always the latest) from its own thread at the
epochs the recorder wants (`RunFrames`, handed to `Session.train_task(frames=...)`:
runs.train_task ends each chunk of epochs there and offers a copy of the codebook,
coloured as `somdesk train --timelapse` colours its frames, `render.colour_nodes` of
the weights in sRGB).  So the frames are the CLI's, at the CLI's epochs, for the
same seed, whatever the speed and however few maps the window found time to draw
(tester7 #32: a 7.7-s run kept the 5 maps it had drawn).  The GUI thread colours
nothing during or after a run (a 1000 x 1000 map's last frame cost it ~250 ms at
Reset, tester7 #8); it only clears the recording when the map shown goes back
(Reset weights, new settings) and starts one from the shown map when another
dataset or map is opened.  A table's map is the Segments dock's and is not recorded.
Continuing a map (Step, Resume, Train on an opened map) adds to the recording.

The export dialog chooses the frame rate and the size; the animated GIF or PNG is
written by a task ("export-timelapse") through `somdesk.io.timelapse.write_animation`
(true hexagons via `render.layout`), the same writer as `somdesk train --timelapse`.
"""
from __future__ import annotations

import os
import threading

import numpy as np

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox

from somdesk import render
from somdesk.errors import SomdeskError
from somdesk.gui import dialogs
from somdesk.io.timelapse import FrameRecorder, write_animation

MAX_FRAMES = 120
FPS_CHOICES = (5, 10, 15, 20, 25, 30, 50)
ANIMATION_FILTERS = [("Animated GIF", ["*.gif"]), ("Animated PNG", ["*.png", "*.apng"])]


def frame_view(session) -> str | None:
    """Which view a frame shows: the map's colours (colour and picture maps: a table's map is
    the Segments dock's and is not recorded)."""
    return None if session.map is None else "colours"


def _frames_written(result, stopped: bool, path: str) -> str:
    if result is not None:
        return f"Exported {os.path.basename(path)}: {result[0]} frames at {result[1]} fps."
    return f"Export time-lapse stopped: {os.path.basename(path)} was not written." if stopped else ""


class _TaskSaving:
    """Export time-lapse as a task (mixed into TimelapseRecorder): always, since starting one
    costs nothing and 5 frames of a 1000 x 1000 map took the GUI thread 3.9 s (tester7 #32)."""

    def _save_in_task(self, fps: int, scale: int, path: str) -> bool:
        from somdesk.core.cancel import check
        from somdesk.io.timelapse import animation_format
        from somdesk.session import Progress

        w = self.win
        try:
            animation_format(path)                 # a wrong extension: said at once
        except SomdeskError as exc:
            w.show_error(str(exc))
            return False
        if w.runner.busy:
            w.show_error("Export time-lapse runs as a task and waits for the one under way (training, "
                         "quantising) to end: let it finish or Stop it, then export.")
            return False
        with self.lock:
            frames, hexagonal = list(self.recorder.frames), self.hexagonal

        def steps(token):
            yield Progress("export", 0, 0, "", "Writing the time-lapse")
            check(token)
            write_animation(path, frames, fps, scale, hexagonal=hexagonal)
            return len(frames), fps

        self._export_out = path
        w.runner.start("export-timelapse", steps)
        w.refresh()
        return True

    def finished_export(self, result, stopped: bool) -> None:
        text = _frames_written(result, stopped, getattr(self, "_export_out", ""))
        if text:
            self.win.statusBar().showMessage(text, 8000)


class RunFrames:
    """The time-lapse's side of a run (runs.train_task's `frames`), called on the run's thread."""

    def __init__(self, owner: "TimelapseRecorder", generation: int, colour):
        self.owner, self.generation, self.colour = owner, generation, colour

    def _current(self) -> bool:
        return self.owner._generation == self.generation

    def next_epoch(self, epoch: int) -> int:
        """The first epoch from `epoch` on the recorder keeps a frame of."""
        with self.owner.lock:
            return self.owner.recorder.next_wanted(epoch)

    def offer(self, epoch: int, weights, last: bool) -> None:
        """A frame of `epoch` when the recorder wants one or it is the run's `last` epoch."""
        rec = self.owner.recorder
        with self.owner.lock:
            its = rec.iterations
            wanted = rec.next_wanted(epoch) == epoch
            if not self._current() or (its and its[-1] == epoch) or not (wanted or last):
                return
        try:
            rgb = self.colour(weights)           # outside the lock: the GUI thread only reads
        except (SomdeskError, ValueError):       # not colours (no 3 values a node): no frame, the run goes on
            return
        with self.owner.lock:
            if self._current():
                rec.offer(epoch, rgb)


def frame_colours(session):
    """weights -> (H, W, 3) uint8 frame of `session`'s map, as `somdesk train --timelapse`
    colours them (colour_nodes of the weights, gamut-fitted to sRGB when trained in another
    space), or None for a map that is not recorded (a table's)."""
    from somdesk.render.views import colour_nodes

    if session.kind not in ("colours", "image"):
        return None
    space = getattr(session.dataset, "space", "srgb") if session.kind == "colours" else "srgb"
    if space == "srgb":
        return lambda w: colour_nodes(np.asarray(w))
    from somdesk.core.colour_space import fit_gamut

    return lambda w: colour_nodes(fit_gamut(w, space))


class TimelapseRecorder(QObject, _TaskSaving):
    """Keeps the frames of the current map's runs; exports them."""

    def __init__(self, window):
        super().__init__(window)
        self.win = window
        self.recorder = FrameRecorder(MAX_FRAMES)
        self.lock = threading.Lock()     # the run's thread offers frames, the GUI thread reads
        self.hexagonal = False
        self.dialog: TimelapseDialog | None = None
        self._generation = None
        window.actions["export_timelapse"].triggered.connect(lambda: self.export())
        window.session.events.map_changed.connect(self.on_map)

    def run_frames(self) -> RunFrames | None:
        """The `frames` of a run about to start (Session.train_task), None when not recorded."""
        s = self.win.session
        colour = frame_colours(s)
        if colour is None:
            return None
        self._new_generation(s)
        self.hexagonal = s.config.topology == "hexagonal"
        return RunFrames(self, s.generation, colour)

    def _new_generation(self, s) -> bool:
        if s.generation == self._generation:
            return False
        with self.lock:
            self._generation = s.generation
            self.recorder.reset()
        return True

    def on_map(self, state, final: bool = False) -> None:
        """A map shown: another dataset or map starts a recording with it; a map that went back
        (Reset weights, new settings) ends the recording, colouring nothing (the next run takes
        its own frames)."""
        from somdesk.session.runs import epoch_position

        s = self.win.session
        if state is None:
            return
        if self._new_generation(s):
            if frame_view(s) is not None and state.iteration > 0:       # an opened map: its first frame
                self.hexagonal = state.hexagonal
                with self.lock:
                    self.recorder.offer(epoch_position(s, state.iteration)[0], frame_colours(s)(state.weights))
            return
        if self.win.runner.busy and self.win.runner.kind == "train":
            return                                 # the run feeds the recorder itself
        its = self.recorder.iterations
        if its and epoch_position(s, state.iteration)[0] < its[-1]:
            with self.lock:
                self.recorder.reset()

    def __len__(self) -> int:
        with self.lock:
            return len(self.recorder)

    # -- export ---------------------------------------------------------------------------
    def export(self) -> None:
        if len(self.recorder) == 0:
            return
        s = self.win.settings
        fps = s.get("timelapse/fps", 20) if s is not None else 20
        scale = s.get("timelapse/scale", 4) if s is not None else 4
        self.dialog = TimelapseDialog(self.win, self.recorder, self.hexagonal, fps, scale)
        self.dialog.accepted.connect(lambda: self.save(self.dialog.fps(), self.dialog.scale.value()))
        self.dialog.open()

    def save(self, fps: int, scale: int, path: str | None = None) -> bool:
        w = self.win
        if w.settings is not None:
            w.settings.set("timelapse/fps", int(fps))
            w.settings.set("timelapse/scale", int(scale))
        if path is None:
            path = dialogs.ask_save_path(w, "Export time-lapse", w.files.start_path("somdesk-timelapse.gif"),
                                         ANIMATION_FILTERS)
            if not path:
                return False
            w.files.remember_folder(path)
        return self._save_in_task(fps, scale, path)


class TimelapseDialog(QDialog):
    """Frame rate and size of the animation, with what it will be."""

    def __init__(self, parent, recorder: FrameRecorder, hexagonal: bool, fps: int, scale: int):
        super().__init__(parent)
        self.setWindowTitle("Export time-lapse")
        self.setObjectName("timelapse-dialog")
        self.recorder, self.hexagonal = recorder, hexagonal
        self.fps_combo = QComboBox()
        for f in FPS_CHOICES:
            self.fps_combo.addItem(f"{f} frames per second", f)
        self.fps_combo.setCurrentIndex(max(0, self.fps_combo.findData(fps)))
        self.scale = QSpinBox(minimum=1, maximum=32, suffix=" px per node")
        self.scale.setValue(scale)
        self.info = QLabel()
        self.info.setObjectName("timelapse-info")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Save…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Frame rate", self.fps_combo)
        form.addRow("Size", self.scale)
        form.addRow("Animation", self.info)
        form.addRow(QLabel("GIF (.gif) or animated PNG (.png): chosen by the file name's extension."))
        form.addRow(buttons)
        self.fps_combo.currentIndexChanged.connect(self._update)
        self.scale.valueChanged.connect(self._update)
        self._update()

    def fps(self) -> int:
        return int(self.fps_combo.currentData())

    def _update(self) -> None:
        its = self.recorder.iterations
        h, w = self.recorder.frames[-1].shape[:2]
        pw, ph = render.picture_size(h, w, self.hexagonal, self.scale.value())
        seconds = (len(its) - 1) / self.fps() + 1.0   # the last frame is held for 1 s
        self.info.setText(f"{len(its)} frames, epochs {its[0]:,} to {its[-1]:,}; "
                          f"{seconds:.1f} s; {pw} x {ph} px")
