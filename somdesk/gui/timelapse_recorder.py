"""The window's time-lapse: frames kept while the map trains, and File > Export time-lapse….

Every snapshot the window shows may become a frame (`somdesk.io.timelapse.
FrameRecorder`: at most `MAX_FRAMES`, evenly spaced, always the latest), stored
at one pixel per node.  A new map (Train from iteration 0, Reset weights)
starts a new recording; continuing a map (Step, Resume, Train on an opened map)
adds to it.  The export dialog chooses the frame rate and the size and writes
an animated GIF or PNG through `somdesk.io.timelapse.write_animation`, the same
writer as `somdesk train --timelapse`.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox

from somdesk.core import SOM
from somdesk.errors import SomdeskError
from somdesk.gui import dialogs
from somdesk.io.images import map_rgb
from somdesk.io.map_render import body_size
from somdesk.io.timelapse import FrameRecorder, write_animation

MAX_FRAMES = 120
FPS_CHOICES = (5, 10, 15, 20, 25, 30, 50)
ANIMATION_FILTERS = [("Animated GIF", ["*.gif"]), ("Animated PNG", ["*.png", "*.apng"])]


class TimelapseRecorder(QObject):
    """Keeps the frames of the current map's run; exports them."""

    def __init__(self, window):
        super().__init__(window)
        self.win = window
        self.recorder = FrameRecorder(MAX_FRAMES)
        self.som: SOM | None = None
        self.dialog: TimelapseDialog | None = None
        c = window.controller
        c.started.connect(self._on_started)
        c.snapshot_ready.connect(self._on_snapshot)
        c.finished.connect(self._on_finished)
        window.actions.export_timelapse.triggered.connect(lambda: self.export())

    def restart(self, som: SOM) -> None:
        """A new recording that starts with `som` as it is now (GUI thread, idle)."""
        self.som = som
        self.recorder.reset()
        self.recorder.offer(som.iteration, map_rgb(som.weights))

    @Slot(object)
    def _on_started(self, som: SOM) -> None:
        # emitted before the worker thread starts: som is still ours to read
        frames = self.recorder.iterations
        if som is not self.som or not frames or som.iteration < frames[-1]:
            self.restart(som)

    @Slot(object)
    def _on_snapshot(self, snap) -> None:
        if self.recorder.wants(snap.iteration) or snap.final:
            self.recorder.offer(snap.iteration, map_rgb(snap.weights))

    @Slot(object)
    def _on_finished(self, snap) -> None:
        self.recorder.offer(snap.iteration, map_rgb(snap.weights))
        self.win.map_file.refresh()

    # -- export ---------------------------------------------------------------------------
    def hexagonal(self) -> bool:
        return self.som is not None and self.som.config.topology == "hexagonal"

    def export(self) -> None:
        if len(self.recorder) == 0:
            return
        s = self.win.settings
        fps = s.get("timelapse/fps", 20) if s is not None else 20
        scale = s.get("timelapse/scale", 4) if s is not None else 4
        self.dialog = TimelapseDialog(self.win, self.recorder, self.hexagonal(), fps, scale)
        self.dialog.accepted.connect(lambda: self.save(self.dialog.fps(), self.dialog.scale.value()))
        self.dialog.open()

    def save(self, fps: int, scale: int, path: str | None = None) -> bool:
        w = self.win
        if w.settings is not None:
            w.settings.set("timelapse/fps", int(fps))
            w.settings.set("timelapse/scale", int(scale))
        if path is None:
            start = os.path.join(w.files.last_folder(), "somdesk-timelapse.gif")
            path = dialogs.ask_save_path(w, "Export time-lapse", start, ANIMATION_FILTERS)
            if not path:
                return False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            write_animation(path, self.recorder.frames, fps, scale, hexagonal=self.hexagonal())
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
        frames = self.recorder.frames
        h, w = frames[-1].shape[:2]
        pw, ph = body_size(h, w, self.hexagonal, self.scale.value())
        seconds = (len(its) - 1) / self.fps() + 1.0   # the last frame is held for 1 s
        self.info.setText(f"{len(its)} frames, iterations {its[0]:,} to {its[-1]:,}; "
                          f"{seconds:.1f} s; {pw} x {ph} px")
