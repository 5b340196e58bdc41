"""Files that hold several palettes (collections, issue 11): ask which one to open.

    offer_collection(window, Collection(path, palettes))   # from Window.pick_palette

A collection is a JSON list of palettes, a JSON object of name -> list, a CSV
with one list of hex colours per row, a 1536-byte NES .pal (8 emphasis
variants) ... whatever `io.palettes.read_palettes` returns more than one
palette for.  Opening such a file from File > Open, a drop or the command line
reads it once on the worker (window_tasks.open_paths_task returns a
PaletteChoice); `Window.pick_palette` then shows `CollectionPicker` (names,
colour counts and a small strip per palette, a filter box for long lists) and
installs the palette chosen.  Cancel leaves the workspace as it was.

In a non-interactive window (smoke mode) the first palette is opened and the
status line says so.  Several files opened together still take the first
palette of each.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QVBoxLayout)


STRIP_SIZE = QSize(192, 18)     # the small strip drawn for every palette in the list
STRIP_MAX_COLOURS = 64          # a longer palette is shown by an even sample of its colours


@dataclass(frozen=True)
class Collection:
    """A file holding several palettes, read and waiting for the user's choice."""

    path: str
    palettes: tuple         # io.palettes.Palette, in file order

    def label(self, k: int) -> str:
        return palette_label(self.palettes[k], k)


def palette_label(palette, k: int) -> str:
    """"Name (N colours)"; unnamed palettes are "Palette k+1" (read_palettes' advice)."""
    n = len(palette)
    return f"{palette.name or f'Palette {k + 1}'}  ({n:,} colour{'s' if n != 1 else ''})"


def strip_pixmap(palette, size: QSize = STRIP_SIZE) -> QPixmap:
    """A small strip of the palette's colours, left to right (for the picker's list)."""
    rgb = np.array([s.rgb for s in palette.swatches], dtype=np.uint8).reshape(-1, 3)
    if len(rgb) > STRIP_MAX_COLOURS:
        rgb = rgb[np.linspace(0, len(rgb) - 1, STRIP_MAX_COLOURS).round().astype(int)]
    w, h = size.width(), size.height()
    if len(rgb) == 0:
        pm = QPixmap(w, h)
        pm.fill(QColor(0, 0, 0, 0))
        return pm
    cols = (np.arange(w) * len(rgb) // w).clip(0, len(rgb) - 1)
    img = np.ascontiguousarray(np.broadcast_to(rgb[cols][None, :, :], (h, w, 3)))
    qimg = QImage(img.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(qimg)


class CollectionPicker(QDialog):
    """Which palette of a collection to open: a filterable list with strips.

    `chosen(index)` is emitted on OK (double-click or Enter too)."""

    chosen = Signal(int)

    def __init__(self, collection: Collection, parent=None):
        super().__init__(parent)
        self.collection = collection
        n = len(collection.palettes)
        self.setWindowTitle(f"Open which palette? — {os.path.basename(collection.path)}")
        self.setObjectName("collection-picker")
        info = QLabel(f"<b>{os.path.basename(collection.path)}</b> holds {n:,} palettes. "
                      "Choose the one to open.")
        info.setWordWrap(True)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by name…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        self.list = QListWidget()
        self.list.setIconSize(STRIP_SIZE)
        self.list.setUniformItemSizes(True)
        for k, pal in enumerate(collection.palettes):
            item = QListWidgetItem(QIcon(strip_pixmap(pal)), collection.label(k))
            item.setData(Qt.ItemDataRole.UserRole, k)
            if len(pal) == 0:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip("This palette has no colours")
            self.list.addItem(item)
        first = next((i for i in range(self.list.count()) if self.list.item(i).flags() & Qt.ItemFlag.ItemIsEnabled), 0)
        self.list.setCurrentRow(first)
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        self.list.currentRowChanged.connect(self._update_ok)
        lay = QVBoxLayout(self)
        lay.addWidget(info)
        lay.addWidget(self.filter)
        lay.addWidget(self.list, 1)
        lay.addWidget(buttons)
        self.resize(460, 420)
        self._update_ok()

    def index(self) -> int | None:
        """The palette index selected (None when nothing usable is)."""
        item = self.list.currentItem()
        if item is None or item.isHidden() or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return None
        return int(item.data(Qt.ItemDataRole.UserRole))

    def select(self, k: int) -> None:
        self.list.setCurrentRow(k)

    def accept(self) -> None:
        k = self.index()
        if k is None:
            return
        super().accept()
        self.chosen.emit(k)

    def _update_ok(self, *_):
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(self.index() is not None)

    def _filter(self, text: str) -> None:
        text = text.strip().lower()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(text) and text not in item.text().lower())
        cur = self.list.currentItem()
        if cur is None or cur.isHidden():
            visible = [i for i in range(self.list.count()) if not self.list.item(i).isHidden()]
            self.list.setCurrentRow(visible[0] if visible else -1)
        self._update_ok()


def offer_collection(window, collection: Collection) -> None:
    """Show the picker for `collection` in `window` (window-modal, not blocking); the
    choice is installed as the window's colours (window.pick_palette with an index)."""
    def install(k: int) -> None:
        if window.session.running:
            window.show_error("Stop the training before opening another file.")
            return
        window.pick_palette(collection, k)

    picker = CollectionPicker(collection, window)
    picker.setWindowModality(Qt.WindowModality.WindowModal)
    picker.chosen.connect(install)
    picker.finished.connect(lambda _r: picker.deleteLater())
    window.collection_picker = picker
    picker.open()
