"""The one window's time-lapse: frames kept while the map trains, and File > Export time-lapse….

Every map the session shows may become a frame (`somdesk.io.timelapse.
FrameRecorder`: at most `MAX_FRAMES`, evenly spaced, always the latest), stored
at one pixel per node: the node colours of the map's "colours" view (colour and
picture maps; a table's map is the Segments dock's), from `session.exports.node_colours`,
i.e. through the one renderer.  A new map (another dataset, Reset weights, new
settings: an earlier epoch than the last frame) starts a new recording;
continuing a map (Step, Resume, Train on an opened map) adds to it.  The export
dialog chooses the frame rate and the size and writes an animated GIF or PNG
through `somdesk.io.timelapse.write_animation` (true hexagons via
`render.layout`), the same writer as `somdesk train --timelapse`.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox

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


def _animation_pixels(frames, hexagonal: bool, scale: int) -> int:
    h, w = frames[-1].shape[:2]
    pw, ph = render.picture_size(h, w, hexagonal, scale)
    return len(frames) * pw * ph


def _frames_written(result, stopped: bool, path: str) -> str:
    if result is not None:
        return f"Exported {os.path.basename(path)}: {result[0]} frames at {result[1]} fps."
    return f"Export time-lapse stopped: {os.path.basename(path)} was not written." if stopped else ""


class _TaskSaving:
    """Export time-lapse of a big recording as a task (mixed into TimelapseRecorder)."""

    def _big(self, scale: int) -> bool:
        from somdesk.gui.export_dialog import TASK_PIXELS

        # all frames at the chosen size: 5 frames of a 1000 x 1000 map took the GUI thread 3.9 s (tester7 #32)
        return len(self.recorder) > 0 and _animation_pixels(self.recorder.frames, self.hexagonal, scale) > TASK_PIXELS

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
            w.show_error("Export time-lapse of a recording this big runs as a task and waits for the one under "
                         "way (training, quantising) to end: let it finish or Stop it, then export.")
            return False
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


class TimelapseRecorder(QObject, _TaskSaving):
    """Keeps the frames of the current map's run; exports them."""

    def __init__(self, window):
        super().__init__(window)
        self.win = window
        self.recorder = FrameRecorder(MAX_FRAMES)
        self.hexagonal = False
        self.dialog: TimelapseDialog | None = None
        self._generation = None
        window.actions["export_timelapse"].triggered.connect(lambda: self.export())
        window.session.events.map_changed.connect(self.on_map)

    def on_map(self, state, final: bool = False) -> None:
        """A map shown: keep it as a frame when it is due (or the last of a run)."""
        s = self.win.session
        if state is None:
            return
        if s.generation != self._generation:          # another dataset: a new recording
            self._generation = s.generation
            self.recorder.reset()
        view = frame_view(s)
        if view is None:
            return
        its = self.recorder.iterations
        # an epoch at or before the last frame is a new map (new settings, Reset weights): it
        # replaces the recording, whatever `wants` says about spacing
        restart = not its or state.iteration <= its[-1]
        if not (final or restart or state.iteration >= state.total or self.recorder.wants(state.iteration)):
            return
        from somdesk.session.exports import node_colours

        nodes, _legend = node_colours(s, view)
        self.hexagonal = state.hexagonal
        self.recorder.offer(state.iteration, nodes)

    def finished(self) -> None:
        """The run ended (stopped or done): its last map is the last frame."""
        self.on_map(self.win.session.map, final=True)

    def __len__(self) -> int:
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
        if self._big(scale):
            return self._save_in_task(fps, scale, path)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            write_animation(path, self.recorder.frames, fps, scale, hexagonal=self.hexagonal)
        except SomdeskError as exc:
            QApplication.restoreOverrideCursor()
            w.show_error(str(exc))
            return False
        QApplication.restoreOverrideCursor()
        w.statusBar().showMessage(f"Exported {os.path.basename(path)}: {len(self.recorder)} frames at {fps} fps.",
                                  8000)
        return True


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
