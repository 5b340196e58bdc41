"""The import preview's grid of first rows: a model that formats a cell only when it is drawn,
with column widths from a cheap rule, so a table of thousands of columns shows at once.

    cells = preview_cells(table, 50)     # on the reading thread: every per-column choice
    grid = PreviewGrid()                 # a QTableView over its own PreviewModel
    grid.show_cells(cells)               # on the GUI thread: header, widths, no cell formatted yet
    grid.model().data(grid.model().index(0, 2))      # "1.50": cell (row 0, column 2) as drawn

Why: the preview was a QTableWidget of one item per cell and `resizeColumnsToContents`, which
asks every cell of every column for its size.  A 50-row x 3,000-column CSV held the window's
thread 1.8-10 s (150,000 items made, formatted and measured; docs/status.md, thirteenth
session).  Now the reading thread chooses each column's number format (session.number_columns:
one format per column, from every value read) and its widest shown text (for numbers the
largest, smallest and tiniest value formatted -- with one format per column no other value is
longer), and the GUI thread only measures one header name and one text per column with the
font's metrics (the digits of one shape measured once).  A column is at most MAX_COLUMN_PX
wide; a longer text is elided as Qt does.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QStyle, QTableView

from somdesk.io.names import display_name
from somdesk.session.number_columns import ColumnFormat, column_format

__all__ = ["PreviewCells", "preview_cells", "PreviewModel", "PreviewGrid", "MAX_COLUMN_PX"]

MAX_COLUMN_PX = 320     # a column of long texts is cut here (the cell's text elided), not 2,000 px wide
_DIGITS = str.maketrans("123456789", "000000000")   # numbers of one shape measure alike (tabular digits)


@dataclass(frozen=True)
class PreviewCells:
    """What the grid shows, made off the GUI thread by `preview_cells`.  For C columns, R rows:

    headers    C texts "name\\nkind" (the name's own line breaks escaped: io.names.display_name)
    row_labels R texts, the rows' numbers in the file counted from 0 (as the Rows tab, exports
               and assign number them)
    values     C per-column cells: (R,) float64 (NaN missing) where `formats[j]` is a format,
               else R texts as the file has them
    formats    C ColumnFormat (a numeric column) or None (text shown as read)
    widest     C texts: the longest one each column shows, header lines excepted (its width rule)
    """
    headers: list
    row_labels: list
    values: list
    formats: list
    widest: list

    @property
    def n_rows(self) -> int:
        return len(self.row_labels)

    @property
    def n_columns(self) -> int:
        return len(self.headers)


def _widest_number(shown: np.ndarray, fmt: ColumnFormat) -> str:
    """The longest text of `fmt` over `shown` ((R,) float64): with one format for the column,
    the longest is that of its largest or smallest value (sign and whole digits), or, in
    e-notation, of its tiniest magnitude (a three-digit exponent); infinities as written."""
    finite = shown[np.isfinite(shown)]
    texts = []
    if finite.size:
        texts += [fmt.text(float(finite.max())), fmt.text(float(finite.min()))]
        nonzero = np.abs(finite[finite != 0])
        if fmt.kind == "exp" and nonzero.size:
            texts.append(fmt.text(-float(nonzero.min())))
    if np.isinf(shown).any():
        texts.append("-inf")
    return max(texts, key=len, default="")


def preview_cells(table, n_rows: int) -> PreviewCells:
    """The first `n_rows` rows of `table` (io.tables Table, C columns) as the grid shows them;
    numbers formatted one way per column, chosen from every value `table` holds (not only the
    rows shown).  Costs ~0.1 ms a column; call it on the thread that read the table."""
    rows = min(int(n_rows), table.n_rows)
    headers, values, formats, widest = [], [], [], []
    for c in table.columns:
        kind = table.kind(c)
        headers.append(f"{display_name(c)}\n{kind}")
        cells = table.cells(c)
        if kind == "numeric" and cells.dtype.kind == "f":
            fmt = column_format(cells)
            shown = np.array(cells[:rows], dtype=np.float64)
            values.append(shown)
            formats.append(fmt)
            widest.append(_widest_number(shown, fmt))
        else:
            texts = table.strings(c, rows)
            values.append(texts)
            formats.append(None)
            widest.append(max(texts, key=len, default=""))
    labels = [str(int(k)) for k in table.row_index[:rows]]
    return PreviewCells(headers, labels, values, formats, widest)


_DISPLAY = Qt.ItemDataRole.DisplayRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_HORIZONTAL = Qt.Orientation.Horizontal
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_VERTICAL_TIP = "row: counted from 0, as in the Rows tab, exports and assign"


class PreviewModel(QAbstractTableModel):
    """The cells of a PreviewCells, read only; a number is formatted when Qt asks for it (only
    the cells on screen are asked for), numbers right-aligned."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.cells: PreviewCells | None = None

    def set_cells(self, cells: PreviewCells | None) -> None:
        """Show `cells` (None: nothing, no headers either)."""
        self.beginResetModel()
        self.cells = cells
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() or self.cells is None else self.cells.n_rows

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() or self.cells is None else self.cells.n_columns

    def data(self, index, role=_DISPLAY):
        if self.cells is None or not index.isValid():
            return None
        j = index.column()
        if role == _DISPLAY:
            fmt = self.cells.formats[j]
            value = self.cells.values[j][index.row()]
            return value if fmt is None else fmt.text(value)
        if role == _ALIGN:
            return _LEFT if self.cells.formats[j] is None else _RIGHT
        return None

    def headerData(self, section, orientation, role=_DISPLAY):  # noqa: N802 - Qt API
        if self.cells is None:
            return None
        if role == _DISPLAY:
            labels = self.cells.headers if orientation == _HORIZONTAL else self.cells.row_labels
            return labels[section] if 0 <= section < len(labels) else None
        if role == _TOOLTIP and orientation != _HORIZONTAL:
            return _VERTICAL_TIP
        return None


class PreviewGrid(QTableView):
    """The preview's read-only grid over a PreviewModel; `show_cells` sets the cells and sizes
    the columns by the module's rule."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setModel(PreviewModel(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.verticalHeader().setToolTip(_VERTICAL_TIP)

    def show_cells(self, cells: PreviewCells | None) -> None:
        """Show `cells` (None: an empty grid) with each column as wide as its header's lines and
        its widest text (at most MAX_COLUMN_PX)."""
        self.model().set_cells(cells)
        if cells is not None:
            self._fit_columns(cells)

    def column_widths(self, cells: PreviewCells) -> list[int]:
        """(C,) pixel widths by the module's rule: the header's widest line and the column's
        widest text, in this view's fonts, with Qt's own margins."""
        header = self.horizontalHeader()
        hfm, fm = self._header_metrics(), self.fontMetrics()
        header_pad, cell_pad = self._pads(cells)
        least = header.minimumSectionSize()
        measured: dict[str, int] = {}       # header kinds and numbers of one shape repeat: measure once

        def advance(metrics, text: str, key: str) -> int:
            w = measured.get(key)
            if w is None:
                w = measured[key] = metrics.horizontalAdvance(text)
            return w
        widths = []
        for head, text in zip(cells.headers, cells.widest):
            name, _, kind = head.partition("\n")
            w = max(hfm.horizontalAdvance(name), advance(hfm, kind, "\0h" + kind)) + header_pad
            if text:
                shape = text.translate(_DIGITS)
                w = max(w, advance(fm, shape, "\0c" + shape) + cell_pad)
            widths.append(min(max(w, least), MAX_COLUMN_PX))
        return widths

    def _header_metrics(self) -> QFontMetrics:
        """The header's font metrics, bold: Qt sizes a section for its bold (highlighted) text."""
        font = QFont(self.horizontalHeader().font())
        font.setBold(True)
        return QFontMetrics(font)

    def _pads(self, cells: PreviewCells) -> tuple[int, int]:
        """(header, cell) pixels Qt adds around a text in this style: its own size of the first
        column's header and first cell less their texts' widths (the style's margins otherwise)."""
        header, style = self.horizontalHeader(), self.style()
        header_pad = 2 * style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header) + 2
        cell_pad = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1) + 1
        if cells.n_columns:
            hfm = self._header_metrics()
            text = max(cells.headers[0].split("\n"), key=hfm.horizontalAdvance)
            header_pad = max(header_pad, header.sectionSizeHint(0) - hfm.horizontalAdvance(text))
        if cells.n_columns and cells.n_rows:
            index = self.model().index(0, 0)
            text = str(self.model().data(index) or "")
            cell_pad = max(cell_pad, self.sizeHintForIndex(index).width() - self.fontMetrics().horizontalAdvance(text))
        return header_pad, cell_pad

    def _fit_columns(self, cells: PreviewCells) -> None:
        header = self.horizontalHeader()
        for j, w in enumerate(self.column_widths(cells)):
            header.resizeSection(j, w)

