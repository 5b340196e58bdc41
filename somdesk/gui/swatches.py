"""Input colours as a virtualised model/view list (issue 10 item 5).

A `SwatchModel` over an (N, 3) float array answers `data()` only for the rows
Qt paints, so 262,144 colours cost one array, not 262,144 widgets: the view
has uniform item sizes and batched layout, and a swatch's icon is made when
its row becomes visible (cached per colour in a small LRU).  Edits go
through the owner (the window's undo stack), never straight into the model:

    panel = SwatchPanel()
    panel.set_colours(colours, names)
    panel.edit_requested.connect(apply)     # (new_colours, new_names, description)
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QColorDialog, QHBoxLayout, QLabel, QListView, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from somdesk.core.options import count_text
from somdesk.io.names import display_name

SWATCH = 22


def hex_of(rgb) -> str:
    r, g, b = (int(v) for v in np.clip(np.asarray(rgb)[:3] * 255 + 0.5, 0, 255))
    return f"#{r:02x}{g:02x}{b:02x}"


@lru_cache(maxsize=4096)
def _icon(rgba8: tuple[int, ...]) -> QIcon:
    """A rounded swatch; a colour that is not opaque is drawn over a checkerboard."""
    pm = QPixmap(SWATCH, SWATCH)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QColor(0, 0, 0, 90))
    if len(rgba8) == 4 and rgba8[3] < 255:
        p.setBrush(QColor(255, 255, 255))
        p.drawRoundedRect(0.5, 0.5, SWATCH - 1, SWATCH - 1, 4, 4)
        half = SWATCH // 2
        p.fillRect(1, 1, half - 1, half - 1, QColor(200, 200, 200))
        p.fillRect(half, half, half - 1, half - 1, QColor(200, 200, 200))
    p.setBrush(QColor(*rgba8))
    p.drawRoundedRect(0.5, 0.5, SWATCH - 1, SWATCH - 1, 4, 4)
    p.end()
    return QIcon(pm)


class SwatchModel(QAbstractListModel):
    """Rows = input colours; DecorationRole a swatch, ToolTipRole name and hex."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rgb8 = np.zeros((0, 3), dtype=np.uint8)
        self._names: tuple = ()

    def set_colours(self, colours: np.ndarray, names=()) -> None:
        self.beginResetModel()
        # (N, 3) RGB or (N, 4) RGBA: a palette's alpha is drawn over a checkerboard
        self._rgb8 = np.clip(np.asarray(colours, dtype=np.float64) * 255 + 0.5, 0, 255).astype(np.uint8)
        self._names = tuple(names) if names is not None and len(names) == len(self._rgb8) else ()
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rgb8)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = index.row()
        if role == Qt.ItemDataRole.DecorationRole:
            return _icon(tuple(int(v) for v in self._rgb8[row]))
        if role == Qt.ItemDataRole.ToolTipRole:
            r, g, b = (int(v) for v in self._rgb8[row][:3])
            name = self._names[row] if self._names else None
            alpha = int(self._rgb8[row][3]) if self._rgb8.shape[1] == 4 else 255
            return f"{display_name(name) + '  ' if name else ''}#{r:02x}{g:02x}{b:02x}" + (f"  alpha {alpha}" if alpha != 255 else "")
        return None


class SwatchPanel(QWidget):
    """The list of input colours with Add / Edit / Remove / Random N; edits are requests."""

    edit_requested = Signal(object, object, str)   # (colours (N, 3) or RGBA (N, 4), names tuple, what)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._colours = np.zeros((0, 3))
        self._names: tuple = ()
        self.model = SwatchModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setFlow(QListView.Flow.LeftToRight)
        self.view.setWrapping(True)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setUniformItemSizes(True)                       # O(1) layout per item
        self.view.setLayoutMode(QListView.LayoutMode.Batched)     # long lists lay out in steps
        self.view.setBatchSize(2048)
        self.view.setIconSize(QSize(SWATCH, SWATCH))
        self.view.setGridSize(QSize(SWATCH + 4, SWATCH + 4))
        self.view.setMovement(QListView.Movement.Static)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setMinimumHeight(3 * (SWATCH + 4) + 8)
        self.view.doubleClicked.connect(lambda _i: self.edit_selected())
        self.count = QLabel()
        self.add_button = QPushButton("Add…")
        self.edit_button = QPushButton("Edit…")
        self.remove_button = QPushButton("Remove")
        self.random_button = QPushButton("Random")
        self.random_n = QSpinBox()
        self.random_n.setRange(1, 4096)
        self.random_n.setValue(20)
        self.random_n.setToolTip("How many random colours the Random button makes")
        for b, tip in ((self.add_button, "Add a colour"), (self.edit_button, "Change the selected colour"),
                       (self.remove_button, "Remove the selected colours (Delete)"),
                       (self.random_button, "Replace the inputs by N random colours")):
            b.setToolTip(tip)
        self.add_button.clicked.connect(lambda: self.add_colour())
        self.edit_button.clicked.connect(lambda: self.edit_selected())
        self.remove_button.clicked.connect(self.remove_selected)
        self.random_button.clicked.connect(lambda: self.randomise(self.random_n.value()))
        # Delete is the window's Edit > Delete selected colours action (a second shortcut for the
        # same key here made Qt call it ambiguous, and the key did nothing)
        buttons = QHBoxLayout()
        for w in (self.add_button, self.edit_button, self.remove_button, self.random_button, self.random_n):
            buttons.addWidget(w)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.count)
        lay.addWidget(self.view, 1)
        lay.addLayout(buttons)
        self.set_locked(False)

    # -- state ---------------------------------------------------------------------------
    def colours(self) -> np.ndarray:
        return self._colours.copy()

    def names(self) -> tuple:
        return self._names

    def set_colours(self, colours, names=()) -> None:
        """Show these colours (no edit request: the session changed)."""
        colours = np.asarray(colours, dtype=np.float64)
        self._colours = colours if colours.ndim == 2 and colours.shape[1] == 4 else colours.reshape(-1, 3)
        self._names = tuple(names) if names and len(names) == len(self._colours) else ()
        self.model.set_colours(self._colours, self._names)
        n = len(self._colours)
        self.count.setText(count_text(n, 'colour'))

    def set_locked(self, locked: bool) -> None:
        for b in (self.add_button, self.edit_button, self.remove_button, self.random_button):
            b.setEnabled(not locked)
        self._locked = locked

    def selected_rows(self) -> list[int]:
        return sorted(i.row() for i in self.view.selectionModel().selectedIndexes())

    # -- edits (requests) -----------------------------------------------------------------
    def _request(self, colours, names, what: str) -> None:
        if not self._locked:
            colours = np.asarray(colours, dtype=np.float64)
            self.edit_requested.emit(colours if colours.ndim == 2 and colours.shape[1] == 4
                                     else colours.reshape(-1, 3), tuple(names), what)

    def add_colour(self, colour: QColor | None = None) -> None:
        if colour is None:
            colour = QColorDialog.getColor(QColor(128, 128, 128), self, "Add a colour")
            if not colour.isValid():
                return
        rgb = np.array([[colour.redF(), colour.greenF(), colour.blueF()]])
        rgb = np.round(rgb * 255) / 255
        if self._colours.shape[1] == 4:
            rgb = np.column_stack([rgb, [1.0]])      # a new colour is opaque
        names = self._names + ("",) if self._names else ()
        self._request(np.vstack([self._colours, rgb]), names, "Add colour")

    def edit_selected(self, colour: QColor | None = None) -> None:
        rows = self.selected_rows()
        if len(rows) != 1:
            return
        if colour is None:
            old = QColor(hex_of(self._colours[rows[0]]))
            colour = QColorDialog.getColor(old, self, "Edit colour")
            if not colour.isValid():
                return
        new = self._colours.copy()
        new[rows[0], :3] = np.round(np.array([colour.redF(), colour.greenF(), colour.blueF()]) * 255) / 255
        self._request(new, self._names, "Edit colour")

    def remove_selected(self) -> None:
        rows = self.selected_rows()
        if not rows or len(rows) >= len(self._colours):
            return                     # never leaves no inputs at all
        keep = np.ones(len(self._colours), dtype=bool)
        keep[rows] = False
        names = tuple(n for n, k in zip(self._names, keep) if k) if self._names else ()
        self._request(self._colours[keep], names, f"Remove {count_text(len(rows), 'colour')}")

    def randomise(self, n: int, rng: np.random.Generator | None = None) -> None:
        rng = rng if rng is not None else np.random.default_rng()
        self._request(rng.integers(0, 256, size=(int(n), 3)) / 255.0, (), f"Random {count_text(n, 'colour')}")
