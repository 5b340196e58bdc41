"""Palette > Sort by map…: reorder the user's own colours, preview before/after, apply undoably.

    SortPreview(window).start()      # runs core.colour_sort on the window's TaskRunner

The sort itself is `core.colour_sort.sort_colours` (a ring SOM + 2-opt/Or-opt on
CIEDE2000 for a strip, a 2-D map for a grid; docs/colour.md).  It runs as the
window's task "sort" (Stop works, ~1 s for 256 colours); the dialog shows the
input order and the sorted order as strips (a grid is drawn `columns` wide)
with the sum of CIEDE2000 between neighbours for both.  Apply pushes one
`ColourEdit` ("Sort by map") on the window's undo stack: names travel with
their colours, nothing is added or lost, Ctrl+Z restores the input order.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QScrollArea,
                               QVBoxLayout)

from somdesk.core.options import count_text
from somdesk.gui.map_view import to_qimage

STRIP_WIDTH = 720          # pixels a strip preview is at most wide
CELL_MAX = 24              # pixels per colour at most
MIN_STRIP_HEIGHT = 28      # pixels: a one-row strip is at least this tall


def strip_array(rgb01, columns: int | None = None, width: int = STRIP_WIDTH, cell: int | None = None) -> np.ndarray:
    """(rows*cell, columns*cell, 3) uint8: colours (N, 3) in [0, 1] in reading order,
    `columns` per row (None: one row); unused cells of the last row are white."""
    rgb = np.asarray(rgb01, dtype=np.float64).reshape(-1, 3)
    n = len(rgb)
    columns = max(1, int(columns or n))
    rows = -(-n // columns)
    cell = cell or int(max(1, min(CELL_MAX, width // columns)))
    # one row of thin cells is drawn taller (MIN_STRIP_HEIGHT) so it reads as a strip
    height = max(cell, MIN_STRIP_HEIGHT) if rows == 1 else cell
    grid = np.full((rows * columns, 3), 255, dtype=np.uint8)
    grid[:n] = np.clip(np.rint(rgb * 255), 0, 255).astype(np.uint8)
    grid = grid.reshape(rows, columns, 3)
    return np.repeat(np.repeat(grid, height, axis=0), max(cell, 1), axis=1)


def sort_task(rgb01, space: str, layout: str, seed: int, token):
    """Generator for gui.tasks: sort the colours; returns core.colour_sort.SortResult."""
    from somdesk.core.colour_sort import sort_colours
    from somdesk.session import Progress

    yield Progress("sort", 0, 1, "palettes", "sort")
    return sort_colours(rgb01, space=space, layout=layout, seed=seed, cancel=token)


class SortPreview(QDialog):
    """The preview of Palette > Sort by map (see module docstring)."""

    def __init__(self, window):
        super().__init__(window)
        from somdesk.core.colour_space import SPACES
        from somdesk.core.colour_sort import LAYOUTS

        self.window = window
        d = window.session.dataset
        # one copy: what an edit writes back (alpha travels with its colour); `colours` views it
        self.inputs = np.array(d.with_alpha)
        self.names = tuple(d.names)
        self.result = None
        self.setWindowTitle("Sort by map")
        self.setObjectName("sort-preview")
        self.space = QComboBox()
        self.space.addItems(SPACES)
        self.space.setCurrentText("oklab")
        self.space.setToolTip("The space the ordering map trains in (the refinement always uses CIEDE2000)")
        self.layout_box = QComboBox()
        self.layout_box.addItems(LAYOUTS)
        self.layout_box.setToolTip("strip: one row, neighbours alike; grid: a 2-D map written row by row")
        self.space.currentIndexChanged.connect(lambda _i: self.start())
        self.layout_box.currentIndexChanged.connect(lambda _i: self.start())
        form = QFormLayout()
        form.addRow("Train in", self.space)
        form.addRow("Layout", self.layout_box)
        self.before_label, self.after_label = QLabel(), QLabel()
        self.before_strip, self.after_strip = QLabel(), QLabel()
        self.status = QLabel()
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("&Apply sort", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        for w in (self.before_label, self._scrolled(self.before_strip), self.after_label,
                  self._scrolled(self.after_strip), self.status):
            lay.addWidget(w)
        lay.addStretch(1)
        lay.addWidget(self.buttons)
        self._show_strip(self.before_strip, self.colours)
        self.before_label.setText(f"Before: {count_text(len(self.colours), 'colour')} in file order")
        self.after_label.setText("After:")
        window.runner.finished.connect(self._on_finished)
        window.runner.failed.connect(self._on_failed)
        self.finished.connect(self._closed)
        self.resize(STRIP_WIDTH + 60, 420)

    @property
    def colours(self) -> np.ndarray:
        """(N, 3) RGB in [0, 1] of the inputs (a view: the inputs are the one copy)."""
        return self.inputs[:, :3]

    @staticmethod
    def _scrolled(label: QLabel) -> QScrollArea:
        area = QScrollArea()
        area.setWidget(label)
        area.setWidgetResizable(True)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return area

    def _show_strip(self, label: QLabel, rgb, columns: int | None = None) -> None:
        pic = strip_array(rgb, columns)
        label.setPixmap(QPixmap.fromImage(to_qimage(pic)))
        label.parentWidget().parentWidget().setFixedHeight(min(320, pic.shape[0] + 8))   # the scroll area

    def start(self) -> None:
        """(Re)start the sort with the dialog's space and layout."""
        self.result = None
        self.apply_button.setEnabled(False)
        self.after_strip.setPixmap(QPixmap())
        self.status.setText("Sorting…")
        rgb, space, layout = self.colours.copy(), self.space.currentText(), self.layout_box.currentText()
        self.window.runner.start("sort", lambda token: sort_task(rgb, space, layout, 0, token))

    @Slot(str, object, bool)
    def _on_finished(self, kind: str, result, stopped: bool) -> None:
        if kind != "sort":
            return
        if stopped or result is None:
            self.status.setText("Stopped.")
            return
        self.result = result
        after = self.colours[result.order]
        grid = result.layout == "grid"
        self._show_strip(self.after_strip, after, result.columns if grid else None)
        if grid:
            self._show_strip(self.before_strip, self.colours, result.columns)
        else:
            self._show_strip(self.before_strip, self.colours)
        moved = int(np.count_nonzero(result.order != np.arange(len(result.order))))
        self.before_label.setText(f"Before: sum of CIEDE2000 between neighbours {result.cost_before:,.1f}")
        self.after_label.setText(f"After ({result.layout}{f', {result.columns} wide' if grid else ''}, "
                                 f"trained in {result.space}): {result.cost:,.1f}")
        self.status.setText(f"{moved:,} of {count_text(len(result.order), 'colour')} move; names move with their colours.")
        self.apply_button.setEnabled(True)

    @Slot(str, str, str)
    def _on_failed(self, kind: str, message: str, _details: str) -> None:
        if kind == "sort":
            self.status.setText(message)

    def accept(self) -> None:
        if self.result is None:
            return
        self.apply()
        super().accept()

    def apply(self) -> None:
        """Reorder the window's colours by the result: one undoable edit."""
        order = self.result.order
        names = tuple(self.names[k] for k in order) if self.names else ()
        self.window.edit_colours(self.inputs[order], names, "Sort by map")

    def _closed(self, _result) -> None:
        runner = self.window.runner
        if runner.kind == "sort" and runner.busy:
            runner.stop()
        runner.finished.disconnect(self._on_finished)
        runner.failed.disconnect(self._on_failed)
        self.deleteLater()
