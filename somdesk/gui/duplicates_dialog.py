"""Palette > Near-duplicates… (and the palette panel's button): find and merge close colours.

Groups come from `core.colour_duplicates.find_duplicates` (CIEDE2000 below the
threshold, default 2.3, centre-based groups: every member is within the
threshold of the colour kept; docs/colour.md).  Each group is a checkable
row with its members as children (swatch, hex, name, CIEDE2000 to the kept
colour); double-clicking a member makes it the colour kept.  Merge keeps one
colour per checked group where it was and removes the others, as ONE undoable
edit on the window's undo stack ("Merge N near-duplicates").

Finding runs in the GUI thread: it is vectorised, and a palette has at most
MAX_SORT_COLOURS-scale sizes here (6,000 colours take about a second).
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel,
                               QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout)

from somdesk.core.colour_duplicates import MAX_DUPLICATE_COLOURS
from somdesk.core.options import count_text
from somdesk.errors import SomdeskError

ICON = 16


def _icon(rgb01) -> QIcon:
    pm = QPixmap(ICON, ICON)
    r, g, b = (int(round(v * 255)) for v in rgb01)
    pm.fill(QColor(r, g, b))
    return QIcon(pm)


def _hex(rgb01) -> str:
    r, g, b = (int(round(v * 255)) for v in rgb01)
    return f"#{r:02x}{g:02x}{b:02x}"


class DuplicatesDialog(QDialog):
    """List near-duplicate groups of the window's colours; merge the checked ones."""

    def __init__(self, window):
        super().__init__(window)
        from somdesk.core.colour_duplicates import DEFAULT_THRESHOLD

        self.window = window
        d = window.session.dataset
        # one copy: what an edit writes back (alpha travels with its colour); `colours` views it
        self.inputs = np.array(d.with_alpha)
        self.names = tuple(d.names)
        self.setWindowTitle("Near-duplicate colours")
        self.setObjectName("duplicates-dialog")
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.1, 50.0)
        self.threshold.setDecimals(1)
        self.threshold.setSingleStep(0.5)
        self.threshold.setValue(DEFAULT_THRESHOLD)
        self.threshold.setToolTip("Colours closer than this CIEDE2000 are near-duplicates (2.3: just noticeable)")
        self.find_button = QPushButton("&Find")
        self.find_button.clicked.connect(self.find)
        form = QFormLayout()
        form.addRow("CIEDE2000 below", self.threshold)
        form.addRow("", self.find_button)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Colour", "Name", "ΔE00 to kept"])
        self.tree.setColumnWidth(0, 180)
        self.tree.itemDoubleClicked.connect(self._make_kept)
        self.tree.itemChanged.connect(lambda *_: self._update())
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.merge_button = self.buttons.addButton("&Merge checked groups", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.summary)
        lay.addWidget(self.buttons)
        self.finished.connect(lambda _r: self.deleteLater())
        self.resize(520, 460)
        self.groups: list[list[int]] = []
        self.error: str | None = None     # why the last search found nothing; kept on screen
        self.find()
        if self.error is not None and len(self.colours) > MAX_DUPLICATE_COLOURS:
            # no threshold makes this size searchable: Find would only say it again (tester6 F53)
            self.find_button.setEnabled(False)
            self.threshold.setEnabled(False)
            self.find_button.setToolTip(self.error)

    @property
    def colours(self) -> np.ndarray:
        """(N, 3) RGB in [0, 1] of the inputs (a view: the inputs are the one copy)."""
        return self.inputs[:, :3]

    # -- finding ---------------------------------------------------------------------------
    def find(self) -> None:
        from somdesk.core.colour_duplicates import find_duplicates

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        self.error = None
        try:
            found = find_duplicates(np.ascontiguousarray(self.colours), threshold=float(self.threshold.value()))
        except SomdeskError as exc:
            self.error = str(exc)             # _update shows it, not "No two colours are closer"
            found = []
        finally:
            QApplication.restoreOverrideCursor()
        # each group: [kept, *others]
        self.groups = [[g.keep] + [m for m in g.members if m != g.keep] for g in found]
        self._fill()

    def _fill(self) -> None:
        from somdesk.core.colour import delta_e_2000_srgb

        self.tree.blockSignals(True)
        self.tree.clear()
        for gi, members in enumerate(self.groups):
            kept = members[0]
            de = delta_e_2000_srgb(self.colours[members], self.colours[kept][None, :])
            top = QTreeWidgetItem([f"Group {gi + 1}: {count_text(len(members), 'colour')}", "", f"max {de.max():.2f}"])
            top.setFlags(top.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            top.setCheckState(0, Qt.CheckState.Checked)
            top.setData(0, Qt.ItemDataRole.UserRole, gi)
            for k, idx in enumerate(members):
                name = self.names[idx] if self.names else ""
                child = QTreeWidgetItem([f"{idx + 1}: {_hex(self.colours[idx])}" + ("  (kept)" if k == 0 else ""),
                                         name, f"{de[k]:.2f}"])
                child.setIcon(0, _icon(self.colours[idx]))
                child.setData(0, Qt.ItemDataRole.UserRole, idx)
                child.setToolTip(0, "Double-click to keep this colour instead")
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        self.tree.blockSignals(False)
        self._update()

    def _make_kept(self, item, _column) -> None:
        parent = item.parent()
        if parent is None:
            return
        gi = parent.data(0, Qt.ItemDataRole.UserRole)
        idx = item.data(0, Qt.ItemDataRole.UserRole)
        members = self.groups[gi]
        members.remove(idx)
        members.insert(0, idx)
        self._fill()

    def checked_groups(self) -> list[list[int]]:
        """The groups to merge, each [kept, *removed] (0-based indices)."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top.checkState(0) == Qt.CheckState.Checked:
                out.append(list(self.groups[top.data(0, Qt.ItemDataRole.UserRole)]))
        return out

    def _update(self) -> None:
        groups = self.checked_groups()
        removed = sum(len(g) - 1 for g in groups)
        n = len(self.groups)
        if self.error is not None:
            self.summary.setText(self.error)
        elif n == 0:
            self.summary.setText(f"No two of the {count_text(len(self.colours), 'colour')} are closer than "
                                 f"CIEDE2000 {self.threshold.value():.1f}.")
        else:
            self.summary.setText(f"{n} group{'s' * (n != 1)} found; merging the checked ones removes "
                                 f"{removed} colour{'s' * (removed != 1)} (undoable).")
        self.merge_button.setEnabled(removed > 0)

    # -- merging ---------------------------------------------------------------------------------
    def accept(self) -> None:
        if self.merge():
            super().accept()

    def merge(self) -> bool:
        """Merge the checked groups into the window's colours: one undoable edit."""
        from somdesk.core.colour_duplicates import merge_duplicates

        groups = self.checked_groups()
        if not groups:
            return False
        items = list(range(len(self.colours)))
        kept, _undo = merge_duplicates(items, groups)
        kept = np.array(kept, dtype=np.int64)
        names = tuple(self.names[k] for k in kept) if self.names else ()
        removed = len(self.colours) - len(kept)
        self.window.edit_colours(self.inputs[kept], names,
                                 f"Merge {removed} near-duplicate{'s' * (removed != 1)}")
        return True
