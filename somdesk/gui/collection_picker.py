"""Files that hold several palettes (collections, issue 11): ask which one to open.

    offer_collection(window, Collection(path, palettes))   # from Window.pick_palette

A collection is a JSON list of palettes, a JSON object of name -> list, a CSV
with one list of hex colours per row, a 1536-byte NES .pal (8 emphasis
variants) ... whatever `io.palettes.read_palettes` returns more than one
palette for.  Opening such a file from File > Open, a drop or the command line
reads it once on the worker (window_tasks.open_paths_task returns a
PaletteChoice); `Window.pick_palette` then shows `CollectionPicker` (names,
colour counts and a small strip per palette, a filter box for long lists) and
installs the palette chosen.  Cancel leaves the workspace as it was.  The list is a
model/view list (`PaletteList`): a strip is drawn when its row is first shown, so a
file of 60,000 palettes opens its picker at once.

In a non-interactive window (smoke mode) the first palette is opened and the
status line says so.  Several files opened together still take the first
palette of each.
"""
from __future__ import annotations

import html
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QListView, QVBoxLayout

from somdesk.core.options import count_text
from somdesk.io.names import display_basename


STRIP_SIZE = QSize(192, 18)     # the small strip drawn for every palette in the list
STRIP_MAX_COLOURS = 64          # a longer palette is shown by an even sample of its colours
STRIP_CACHE = 512               # strips kept drawn (the rows on screen and around them)
LABELS_MEASURED = 2000          # labels measured for the picker's width (a 60,000-palette file opens at once)


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
    return f"{palette.name or f'Palette {k + 1}'}  ({count_text(n, 'colour')})"


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


class PaletteList(QAbstractListModel):
    """The collection's palettes as list rows: a label, and a strip drawn when the view first
    shows the row (STRIP_CACHE kept), so 60,000 palettes cost no 60,000 pixmaps up front (the
    QListWidget built them all and froze the window 14.7 s: tester7 #18)."""

    def __init__(self, collection: Collection, parent=None):
        super().__init__(parent)
        self.collection = collection
        self._strips: OrderedDict[int, QPixmap] = OrderedDict()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.collection.palettes)

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if len(self.collection.palettes[index.row()]) == 0:
            return Qt.ItemFlag.NoItemFlags              # shown, not choosable
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        k = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.collection.label(k)
        if role == Qt.ItemDataRole.DecorationRole:
            return self.strip(k)
        if role == Qt.ItemDataRole.ToolTipRole:   # the whole label, should the row be elided
            return self.collection.label(k) + (" -- this palette has no colours"
                                               if len(self.collection.palettes[k]) == 0 else "")
        if role == Qt.ItemDataRole.UserRole:
            return k
        return None

    def strip(self, k: int) -> QPixmap:
        pm = self._strips.get(k)
        if pm is None:
            pm = self._strips[k] = strip_pixmap(self.collection.palettes[k])
            if len(self._strips) > STRIP_CACHE:
                self._strips.popitem(last=False)
        else:
            self._strips.move_to_end(k)
        return pm

    def drawn(self) -> int:
        """How many strips are held now (at most STRIP_CACHE)."""
        return len(self._strips)


class CollectionPicker(QDialog):
    """Which palette of a collection to open: a filterable list with strips.

    `chosen(index)` is emitted on OK (double-click or Enter too)."""

    chosen = Signal(int)

    def __init__(self, collection: Collection, parent=None):
        super().__init__(parent)
        self.collection = collection
        n = len(collection.palettes)
        self.setWindowTitle(f"Open which palette? — {display_basename(collection.path)}")
        self.setObjectName("collection-picker")
        info = QLabel(f"<b>{html.escape(display_basename(collection.path))}</b> holds {count_text(n, 'palette')}. "
                      "Choose the one to open.")
        info.setWordWrap(True)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by name…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        self.model = PaletteList(collection, self)
        self.shown = QSortFilterProxyModel(self)
        self.shown.setSourceModel(self.model)
        self.shown.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.list = QListView()
        self.list.setModel(self.shown)
        self.list.setIconSize(STRIP_SIZE)
        self.list.setUniformItemSizes(True)     # no size asked of every row
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        first = next((k for k, pal in enumerate(collection.palettes) if len(pal)), 0)
        self.select(first)
        self.list.doubleClicked.connect(lambda _i: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        self.list.selectionModel().currentChanged.connect(self._update_ok)
        lay = QVBoxLayout(self)
        lay.addWidget(info)
        lay.addWidget(self.filter)
        lay.addWidget(self.list, 1)
        lay.addWidget(buttons)
        # wide enough for the strip and the longest label: at 460 px "red+green+blue emphasis
        # (64 colours" was cut behind a horizontal scroll bar (testerW #8); a label still too
        # wide for the screen is elided in the middle, the whole of it in the tooltip
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.resize(self.wanted_width(), 420)
        self._update_ok()

    def wanted_width(self) -> int:
        """Pixels for the strip and the longest label of the first LABELS_MEASURED palettes,
        with the list's frame, spacing and scroll bar, and the dialog's margins; at least
        460 and at most 90 % of the screen's width."""
        fm = self.list.fontMetrics()
        labels = (self.collection.label(k) for k in range(min(len(self.collection.palettes), LABELS_MEASURED)))
        text = max((fm.horizontalAdvance(t) for t in labels), default=0)
        chrome = 2 * self.list.frameWidth() + self.list.verticalScrollBar().sizeHint().width() + 6 * \
            self.list.spacing() + 24
        margins = self.layout().contentsMargins()
        want = STRIP_SIZE.width() + text + chrome + margins.left() + margins.right()
        screen = (self.parentWidget() or self).screen()
        cap = int(screen.availableGeometry().width() * 0.9) if screen is not None else want
        return max(460, min(want, cap))

    def count(self) -> int:
        """Rows shown (after the filter)."""
        return self.shown.rowCount()

    def text(self, k: int) -> str:
        """The label of palette `k` (file order)."""
        return self.model.data(self.model.index(k), Qt.ItemDataRole.DisplayRole)

    def index(self) -> int | None:
        """The palette index selected (None when nothing usable is)."""
        cur = self.list.currentIndex()
        if not cur.isValid():
            return None
        src = self.shown.mapToSource(cur)
        if not self.model.flags(src) & Qt.ItemFlag.ItemIsEnabled:
            return None
        return src.row()

    def select(self, k: int) -> None:
        self.list.setCurrentIndex(self.shown.mapFromSource(self.model.index(k)))

    def accept(self) -> None:
        k = self.index()
        if k is None:
            return
        super().accept()
        self.chosen.emit(k)

    def _update_ok(self, *_):
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(self.index() is not None)

    def _filter(self, text: str) -> None:
        self.shown.setFilterFixedString(text.strip())
        if not self.list.currentIndex().isValid():
            first = next((r for r in range(self.shown.rowCount())
                          if self.shown.flags(self.shown.index(r, 0)) & Qt.ItemFlag.ItemIsEnabled), None)
            self.list.setCurrentIndex(self.shown.index(first, 0) if first is not None else QModelIndex())
        if self.list.currentIndex().isValid():
            self.list.scrollTo(self.list.currentIndex())     # the choice stays in sight as the filter changes
        self._update_ok()


def offer_collection(window, collection: Collection) -> None:
    """Show the picker for `collection` in `window` (window-modal, not blocking); the
    choice is installed as the window's colours (window.pick_palette with an index)."""
    def install(k: int) -> None:
        if window.session.running:
            from somdesk.gui.task_words import wait_message

            window.show_error(wait_message(window.runner, "opening another file")
                              or "Stop the training before opening another file.")
            return
        window.pick_palette(collection, k)

    picker = CollectionPicker(collection, window)
    picker.setWindowModality(Qt.WindowModality.WindowModal)
    picker.chosen.connect(install)
    # Cancel: not the "Opening coll.json…" of the read before the picker, for ever (tester7 #19)
    picker.rejected.connect(lambda: window.statusBar().showMessage(
        f"Nothing opened from {display_basename(collection.path)}.", 5000))
    picker.finished.connect(lambda _r: picker.deleteLater())
    window.collection_picker = picker
    picker.open()
