"""File > Export image… (Ctrl+E) and Edit > Copy image (Ctrl+C).

The dialog picks what to draw (`somdesk.io.map_render.KINDS`: the map, the
seed's layout, the U-matrix, the hit map), whether to ring each input's
best-matching node, and the size in pixels per node, with the output size
shown live ("800 x 800 px").  The picture itself comes from
`map_render.render_view`, the same code as `somdesk train --out`, so the
window and the CLI give the same pixels.  Copy image puts the picture of the
last choices on the clipboard.  The choices are remembered in the settings.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QPushButton, QRadioButton, QSpinBox, QVBoxLayout, QWidget)

from somdesk.errors import SomdeskError
from somdesk.gui import dialogs
from somdesk.io.map_render import KIND_LABELS, KINDS, MAX_SCALE, render_view, view_size

PNG_FILTERS = [("PNG image", ["*.png"])]


@dataclass
class ExportOptions:
    kind: str = "map"
    markers: bool = False
    scale: int = 8

    @classmethod
    def from_settings(cls, settings) -> "ExportOptions":
        d = cls()
        if settings is None:
            return d
        kind = settings.get("export/kind", d.kind)
        scale = settings.get("export/scale", d.scale)
        return cls(kind if kind in KINDS else d.kind, settings.get("export/markers", d.markers),
                   scale if 1 <= scale <= MAX_SCALE else d.scale)

    def save(self, settings) -> None:
        if settings is not None:
            settings.set("export/kind", self.kind)
            settings.set("export/markers", bool(self.markers))
            settings.set("export/scale", int(self.scale))


def rgb_qimage(rgb: np.ndarray) -> QImage:
    """(H, W, 3) uint8 -> a QImage that owns its pixels."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class ExportImageDialog(QDialog):
    """What to export, with the output size; emits save_requested / copy_requested."""

    save_requested = Signal(object)
    copy_requested = Signal(object)

    def __init__(self, parent: QWidget | None, options: ExportOptions, rows: int, cols: int, hexagonal: bool):
        super().__init__(parent)
        self.setWindowTitle("Export image")
        self.rows, self.cols, self.hexagonal = rows, cols, hexagonal
        self.kinds = QButtonGroup(self)
        form = QFormLayout()
        box = QVBoxLayout()
        for i, kind in enumerate(KINDS):
            b = QRadioButton(KIND_LABELS[kind])
            b.setObjectName(f"kind-{kind}")
            self.kinds.addButton(b, i)
            box.addWidget(b)
            b.setChecked(kind == options.kind)
        form.addRow("Show", box)
        self.markers = QCheckBox("Ring each input colour's best-matching node")
        self.markers.setChecked(options.markers)
        form.addRow("Markers", self.markers)
        self.scale = QSpinBox(minimum=1, maximum=MAX_SCALE, suffix=" px per node")
        self.scale.setValue(options.scale)
        self.scale.setToolTip("Nearest-neighbour: every node is a crisp block"
                              + (" (hexagonal: an even width, odd rows shifted by half)" if hexagonal else ""))
        form.addRow("Size", self.scale)
        self.size_label = QLabel()
        self.size_label.setObjectName("export-size")
        form.addRow("Output", self.size_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("Save PNG…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.copy_button = QPushButton("Copy")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(lambda: self.copy_requested.emit(self.options()))
        self.accepted.connect(lambda: self.save_requested.emit(self.options()))
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.kinds.idToggled.connect(lambda *_: self._update())
        self.scale.valueChanged.connect(self._update)
        self._update()

    def options(self) -> ExportOptions:
        return ExportOptions(KINDS[max(0, self.kinds.checkedId())], self.markers.isChecked(), self.scale.value())

    def _update(self) -> None:
        o = self.options()
        w, h = view_size(o.kind, self.rows, self.cols, self.hexagonal, o.scale)
        self.size_label.setText(f"{w} x {h} px")


class ImageExports:
    """Export image / Copy image for one window."""

    def __init__(self, window):
        self.win = window
        self.dialog: ExportImageDialog | None = None
        self._options: ExportOptions | None = None
        window.actions.export_image.triggered.connect(lambda: self.export_image())
        window.actions.copy_image.triggered.connect(lambda: self.copy_image())

    def options(self) -> ExportOptions:
        """The last choices (from the settings at first)."""
        if self._options is None:
            self._options = ExportOptions.from_settings(self.win.settings)
        return self._options

    def _remember(self, options: ExportOptions) -> None:
        self._options = options
        options.save(self.win.settings)

    def render(self, options: ExportOptions) -> np.ndarray | None:
        """The picture of the map shown, as the CLI would draw it."""
        w = self.win
        snap, som = w.canvas.snapshot, w.controller.som
        if snap is None:
            return None
        inputs = som.data if som is not None else w.palette.colours()
        return render_view(options.kind, snap.weights, inputs, snap.config.topology == "hexagonal",
                           snap.config.toroidal, options.scale, options.markers)

    def export_image(self) -> None:
        snap = self.win.canvas.snapshot
        if snap is None:
            return
        h, w = snap.weights.shape[:2]
        self.dialog = ExportImageDialog(self.win, self.options(), h, w, snap.config.topology == "hexagonal")
        self.dialog.save_requested.connect(self.save_image)
        self.dialog.copy_requested.connect(self.copy_image)
        self.dialog.open()

    def save_image(self, options: ExportOptions, path: str | None = None) -> bool:
        from somdesk.io.images import save_png

        w = self.win
        self._remember(options)
        if path is None:
            start = os.path.join(w.files.last_folder(), f"{self._stem()}-{options.kind}.png")
            path = dialogs.ask_save_path(w, "Export image", start, PNG_FILTERS)
            if not path:
                return False
        try:
            rgb = self.render(options)
            if rgb is None:
                return False
            save_png(rgb, path)
        except SomdeskError as exc:
            w.show_error(str(exc))
            return False
        w.statusBar().showMessage(f"Exported {os.path.basename(path)} ({rgb.shape[1]} x {rgb.shape[0]} px).", 8000)
        return True

    def copy_image(self, options: ExportOptions | None = None) -> bool:
        w = self.win
        if options is not None:
            self._remember(options)
        try:
            rgb = self.render(options or self.options())
        except SomdeskError as exc:
            w.show_error(str(exc))
            return False
        if rgb is None:
            return False
        QGuiApplication.clipboard().setImage(rgb_qimage(rgb))
        w.statusBar().showMessage(f"Copied the picture to the clipboard ({rgb.shape[1]} x {rgb.shape[0]} px).", 6000)
        return True

    def _stem(self) -> str:
        path = self.win.map_file.path
        return os.path.splitext(os.path.basename(path))[0] if path else "somdesk-map"
