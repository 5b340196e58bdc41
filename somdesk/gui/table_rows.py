"""The rows of selected nodes or segments: a sortable, virtualised table view over numpy columns.

    model = RowsModel()
    model.set_columns({"row": rows, "segment": seg, "age": ages, ...})   # (N,) arrays, one per column
    model.set_rows(indices)           # which of the N rows are shown (the selection), file order
    view = RowsView(); view.setModel(model)
    view.row_hovered.connect(fn)      # fn(i): index into the N rows of the row under the mouse (-1: none)
    model.write_csv(path)             # the shown rows in the shown order, every column

Only the rows on screen are asked for (QTableView asks `data()` per visible cell),
so a selection of a million rows costs one index array, not a million items.
Numbers show one format per column (session.number_columns: the same decimals in every cell,
chosen once from the whole column's values; integers without ".0"; e-notation for a column
with huge or tiny values), right-aligned; export (write_csv) keeps every digit.
Sorting reorders that index array with a stable sort by the column's ranks
(session.row_order: ranked once per column, NaN and missing text last), so equal
values keep the order they had.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from somdesk.io.names import display_name
from somdesk.session.number_columns import ColumnFormat
from somdesk.session.row_order import column_ranks, sorted_rows
from somdesk.session.table_pictures import number_format_of
from somdesk.session.table_workspace import format_cell, write_rows_csv

FEW_ROWS = 50_000      # shown rows sorted by ranking just them (more: the whole column ranked once)

__all__ = ["RowsModel", "RowsView", "format_cell"]


class RowsModel(QAbstractTableModel):
    """Columns of N rows (numpy arrays) and the subset of rows shown (see module docstring)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._names: list[str] = []
        self._cols: list[np.ndarray] = []
        self._rows = np.zeros(0, dtype=np.int64)
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._ranks: dict[int, np.ndarray] = {}     # column -> column_ranks, made at its first sort
        self._formats: dict[int, ColumnFormat | None] = {}     # column -> its number format (None: not numbers)

    # -- contents ---------------------------------------------------------------------
    def set_columns(self, columns: dict, formats: dict | None = None) -> None:
        """`columns`: name -> (N,) array (all the same length).  Shows no row until set_rows.
        `formats`: name -> ColumnFormat | None made off the GUI thread (session.table_pictures.
        number_formats; testerW #3: judging 300,000-row columns at the first draw held the
        window 1.6 s); a column without one is judged at its first draw."""
        lengths = {len(a) for a in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        self.beginResetModel()
        self._names = [str(k) for k in columns]
        self._cols = [np.asarray(a) for a in columns.values()]
        self._ranks = {}
        self._formats = {j: formats[k] for j, k in enumerate(self._names) if formats and k in formats}
        self._rows = np.zeros(0, dtype=np.int64)
        self.endResetModel()

    def set_rows(self, rows) -> None:
        """Show rows `rows` (indices into the columns), then re-apply the current sort."""
        self.beginResetModel()
        self._rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        self.endResetModel()
        if self._sort is not None:
            self.sort(*self._sort)

    @property
    def names(self) -> list[str]:
        return list(self._names)

    @property
    def shown_rows(self) -> np.ndarray:
        """Indices of the shown rows, in the shown order (a copy)."""
        return self._rows.copy()

    def row_of(self, view_row: int) -> int:
        """Index into the N rows of the shown row `view_row` (-1 outside)."""
        return int(self._rows[view_row]) if 0 <= view_row < len(self._rows) else -1

    def column(self, name: str) -> np.ndarray:
        return self._cols[self._names.index(name)]

    def number_format(self, j: int) -> ColumnFormat | None:
        """Column `j`'s one number format (session.number_columns.column_format of all its N
        values, made at its first draw), or None for a column of text or true/false."""
        if j not in self._formats:
            self._formats[j] = number_format_of(self._cols[j])
        return self._formats[j]

    # -- Qt's model interface -----------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._names)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            # a text cell with a line break, tab, NBSP or zero-width character is shown escaped
            # as names are (io.names.display_name: "x\xa0y" looked like "x y"); plain text
            # passes one str.isprintable (C, ~50 ns).  Only what is drawn: sort, export and
            # the data keep the real value.
            j = index.column()
            value = self._cols[j][self._rows[index.row()]]
            fmt = self.number_format(j)
            if fmt is not None:
                return fmt.text(value)
            text = format_cell(value)
            return text if text.isprintable() else display_name(text)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            numeric = self._cols[index.column()].dtype.kind in "biuf"
            return int((Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft)
                       | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt API
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:   # the whole name
            return display_name(self._names[section]) if 0 <= section < len(self._names) else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:    # a line break or NBSP in a name shown escaped
            return display_name(self._names[section]) if 0 <= section < len(self._names) else None
        return str(section + 1)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Stable sort of the shown rows by `column`; missing values last in both orders."""
        if not 0 <= column < len(self._names):
            return
        self._sort = (column, order)
        if len(self._rows) == 0:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        ranks = self._ranks.get(column)
        col = self._cols[column]
        if ranks is None and len(self._rows) <= max(FEW_ROWS, len(col) // 8):
            # few rows shown (a node's): rank just them -- ranking a 1,000,000-row text
            # column first stalled the GUI thread 2.6 s for a 10-row view (review9 #14)
            rows = self._rows[sorted_rows(column_ranks(col[self._rows]), np.arange(len(self._rows)), descending)]
        else:
            # many rows shown: the column's ranks once (tester8 #16: 0.73 s a click on
            # 120,000 rows of text), then each click sorts integers of the shown rows only
            if ranks is None:
                ranks = self._ranks[column] = column_ranks(col)
            rows = sorted_rows(ranks, self._rows, descending)
        self.layoutAboutToBeChanged.emit()
        self._rows = rows
        self.layoutChanged.emit()

    # -- export --------------------------------------------------------------------------
    def write_csv(self, path) -> int:
        """Write the shown rows (shown order, every column) as CSV atomically; returns the row count.
        SomdeskError on an unwritable path (session.table_workspace.write_rows_csv)."""
        return write_rows_csv(path, dict(zip(self._names, self._cols)), self._rows)


class RowsView(QTableView):
    """A QTableView for RowsModel: sortable by header click, uniform row heights (virtualised),
    emits `row_hovered(i)` with the model's row index under the mouse (-1 when it leaves)."""

    row_hovered = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortingEnabled(True)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)      # moves without a button reach mouseMoveEvent
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        vh = self.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)     # no per-row size measuring
        vh.setDefaultSectionSize(self.fontMetrics().height() + 6)
        # the table's own `row` column numbers the rows; the header's 1, 2, 3 ... beside it was a
        # second, meaningless numbering once sorted or filtered to a node (tester10 #23); hidden,
        # it still sets the rows' height
        vh.hide()
        hh = self.horizontalHeader()
        hh.setSortIndicatorShown(True)
        # a name wider than its column: its start shown, "…" on the right (centred text lost both ends)
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        hh.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._last = -2

    def setModel(self, model) -> None:  # noqa: N802 - Qt API
        super().setModel(model)
        if model is not None:        # other rows (another selection or table): row i is not the hovered one
            model.modelReset.connect(self._forget_hover)

    def _forget_hover(self) -> None:
        self._last = -2

    def _emit(self, i: int) -> None:
        if i != self._last:
            self._last = i
            self.row_hovered.emit(i)

    def hover_at(self, view_row: int) -> None:
        """What hovering over shown row `view_row` does (also used by tests)."""
        model = self.model()
        self._emit(model.row_of(view_row) if model is not None else -1)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.hover_at(self.rowAt(int(event.position().y())))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802 - Qt API
        self._emit(-1)
        super().leaveEvent(event)
