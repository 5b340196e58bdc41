"""The input colours as swatches, with add / edit / remove / random N / clear.

Editing while a run is active is REFUSED: `set_locked(True)` disables every
button, and a double-click (or any edit) on a locked strip emits
`edit_refused(message)` instead of changing anything.  The colours are a plain
(N, 3) float array in [0, 1]; `colours_changed` fires after every edit.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (QColorDialog, QHBoxLayout, QLabel, QListView, QListWidget, QListWidgetItem,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

SWATCH = 22
LOCKED_MESSAGE = "Stop the training to edit the input colours."


def random_colours(n: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """`n` random colours, (n, 3) in [0, 1], quantised to 8 bits (the seed's input)."""
    rng = rng if rng is not None else np.random.default_rng()
    return rng.integers(0, 256, size=(n, 3)) / 255.0


def _hex(rgb) -> str:
    r, g, b = (int(v) for v in np.clip(np.asarray(rgb) * 255 + 0.5, 0, 255))
    return f"#{r:02x}{g:02x}{b:02x}"


def _icon(colour: QColor) -> QIcon:
    pm = QPixmap(SWATCH, SWATCH)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QColor(0, 0, 0, 90))
    p.setBrush(colour)
    p.drawRoundedRect(0.5, 0.5, SWATCH - 1, SWATCH - 1, 4, 4)
    p.end()
    return QIcon(pm)


class _SwatchList(QListWidget):
    """Asks for three rows of swatches, not QListWidget's default 192 px."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), 3 * (SWATCH + 6) + 2 * self.frameWidth() + 4)


class PaletteStrip(QWidget):
    colours_changed = Signal()
    edit_refused = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._colours = np.zeros((0, 3))
        self._names: list[str | None] = []
        self._locked = False
        self.list = _SwatchList()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setFlow(QListView.Flow.LeftToRight)
        self.list.setWrapping(True)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setIconSize(QSize(SWATCH, SWATCH))
        self.list.setGridSize(QSize(SWATCH + 6, SWATCH + 6))
        self.list.setSpacing(0)
        self.list.setUniformItemSizes(True)
        self.list.setMinimumHeight(2 * (SWATCH + 6) + 8)
        self.list.setToolTip("The input colours. Double-click one to edit it.")
        self.list.itemDoubleClicked.connect(lambda _item: self.edit_selected())
        self.list.itemSelectionChanged.connect(self._update_buttons)

        self.add_button = QPushButton("Add…")
        self.add_button.setToolTip("Add a colour chosen in a colour dialog.")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip("Change the selected colour.")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected colour.")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove every colour.")
        self.random_button = QPushButton("Random")
        self.random_button.setToolTip("Replace the colours with this many random ones.")
        self.random_spin = QSpinBox(minimum=1, maximum=10_000, value=20)
        self.random_spin.setToolTip("How many random colours 'Random' makes.")
        self.add_button.clicked.connect(self.add_colour)
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.clear_button.clicked.connect(self.clear)
        self.random_button.clicked.connect(lambda: self.randomise(self.random_spin.value()))

        row1 = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.remove_button, self.clear_button):
            row1.addWidget(b)
        row2 = QHBoxLayout()
        row2.addWidget(self.random_button)
        row2.addWidget(self.random_spin, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(row1)
        layout.addLayout(row2)
        hint = QLabel("Double-click a swatch to edit it. Drop palette files (GIMP, Adobe, "
                      "Krita, CSS, …) anywhere on the window, or use File ▸ Open.")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: gray;")
        layout.addWidget(hint)
        self._buttons = (self.add_button, self.edit_button, self.remove_button, self.clear_button,
                         self.random_button, self.random_spin)
        self._update_buttons()

    # -- state ---------------------------------------------------------------------
    def colours(self) -> np.ndarray:
        return self._colours.copy()

    def names(self) -> list[str | None]:
        return list(self._names)

    def set_colours(self, colours, names=None) -> None:
        arr = np.asarray(colours, dtype=np.float64).reshape(-1, 3)
        self._colours = np.clip(arr, 0.0, 1.0)
        self._names = list(names) if names is not None else [None] * len(arr)
        self.list.clear()
        for rgb, name in zip(self._colours, self._names):
            self.list.addItem(self._item(rgb, name))
        self._changed()

    def set_locked(self, locked: bool) -> None:
        self._locked = locked
        self._update_buttons()

    @property
    def locked(self) -> bool:
        return self._locked

    # -- edits -------------------------------------------------------------------------
    def _refused(self) -> bool:
        if self._locked:
            self.edit_refused.emit(LOCKED_MESSAGE)
        return self._locked

    def add_colour(self, colour: QColor | None = None) -> None:
        if self._refused():
            return
        if colour is None:
            colour = QColorDialog.getColor(QColor("#808080"), self, "Add a colour")
            if not colour.isValid():
                return
        rgb = np.array([colour.redF(), colour.greenF(), colour.blueF()])
        self.set_colours(np.vstack([self._colours, rgb]), self._names + [None])
        self.list.setCurrentRow(len(self._colours) - 1)

    def edit_selected(self, colour: QColor | None = None) -> None:
        row = self.list.currentRow()
        if self._refused() or row < 0:
            return
        if colour is None:
            old = QColor(_hex(self._colours[row]))
            colour = QColorDialog.getColor(old, self, "Edit colour")
            if not colour.isValid():
                return
        arr = self._colours.copy()
        arr[row] = (colour.redF(), colour.greenF(), colour.blueF())
        self.set_colours(arr, self._names)
        self.list.setCurrentRow(row)

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if self._refused() or row < 0:
            return
        names = self._names[:row] + self._names[row + 1:]
        self.set_colours(np.delete(self._colours, row, axis=0), names)
        if len(self._colours):
            self.list.setCurrentRow(min(row, len(self._colours) - 1))

    def clear(self) -> None:
        if not self._refused():
            self.set_colours(np.zeros((0, 3)))

    def randomise(self, n: int) -> None:
        if not self._refused():
            self.set_colours(random_colours(n))

    # -- internals ---------------------------------------------------------------
    def _item(self, rgb, name) -> QListWidgetItem:
        hx = _hex(rgb)
        item = QListWidgetItem(_icon(QColor(hx)), "")
        item.setToolTip(f"{name}  {hx}" if name else hx)
        item.setSizeHint(QSize(SWATCH + 6, SWATCH + 6))
        return item

    def _changed(self) -> None:
        self._update_buttons()
        self.colours_changed.emit()

    def _update_buttons(self) -> None:
        free = not self._locked
        selected = self.list.currentRow() >= 0 and bool(self.list.selectedItems())
        self.add_button.setEnabled(free)
        self.random_button.setEnabled(free)
        self.random_spin.setEnabled(free)
        self.clear_button.setEnabled(free and len(self._colours) > 0)
        self.edit_button.setEnabled(free and selected)
        self.remove_button.setEnabled(free and selected)
