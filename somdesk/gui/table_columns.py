"""The Setup panel's column list: one row per table column (name, kind, missing, use, weight,
passive, categorical) as a Qt item model, so a table of 10,000 columns costs one list of
records, not 40,000 widgets (a QTableWidget with cell widgets took ~13 ms per column).

    model = ColumnsModel()
    model.set_columns([ColumnChoice("age", "numeric", 3, use=True), ...])
    view = ColumnsView(); view.setModel(model)
    model.edited.connect(fn)                 # any choice changed (by the user or set_choice)
    model.set_choice("age", weight=2.0)      # as the user would by clicking
    model.choice("age").use                  # -> bool

Use, Passive and Categorical are checkable items (Qt.CheckStateRole); Weight is an editable
number (EditRole) edited with a spin box 0.01..100 (the SOM Toolbox mask's priority).
Columns whose kind cannot be trained on (dates, empty columns) have Use and Categorical disabled,
and their row's tooltip says why (UNUSABLE).
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QDoubleSpinBox, QHeaderView, QStyledItemDelegate, QTableView

from somdesk.io.names import display_name

__all__ = ["COLS", "USABLE", "ColumnChoice", "ColumnsModel", "ColumnsView"]

COLS = ("Column", "Kind", "Missing", "Use", "Weight", "Passive", "Categorical")
USABLE = ("numeric", "categorical", "text", "boolean")
KIND_WORDS = USABLE + ("date", "nested", "empty")     # every kind io.tables gives a column
_CHECKS = {3: "use", 5: "passive", 6: "categorical"}
_WEIGHT = 4
_TIPS = {3: "Train on this column", 4: "Priority of the column in the BMU distance (SOM Toolbox mask)",
         5: "Shown as a plane and in profiles, not used to pick the BMU",
         6: "One-hot encoded categories instead of numbers"}
WEIGHT_RANGE = (0.01, 100.0)
# why a column's Use and Categorical boxes are greyed, by kind: the tooltip of its row's name,
# kind and boxes (testerG: a date's greyed Use box had no visible reason)
UNUSABLE = {"date": "Dates are not trained on: a date is not a number the map can place. To use one, add a "
                    "column of its year (or days since a start) to the file: a year is shown as a passive plane.",
            "empty": "This column has no values (every cell is missing): there is nothing to train on.",
            "nested": "This column holds lists or records, not numbers or categories: it cannot be trained on."}


@dataclass
class ColumnChoice:
    """One column's row: what the table says (name, kind, missing count) and what the user chose."""
    name: str
    kind: str
    missing: int
    use: bool = False
    weight: float = 1.0
    passive: bool = False
    categorical: bool = False

    @property
    def usable(self) -> bool:
        return self.kind in USABLE


class ColumnsModel(QAbstractTableModel):
    """See module docstring.  `edited` after every change of a choice."""

    edited = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[ColumnChoice] = []
        self._index: dict[str, int] = {}

    def set_columns(self, rows: list[ColumnChoice]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._index = {r.name: i for i, r in enumerate(self._rows)}
        self.endResetModel()

    def choices(self) -> list[ColumnChoice]:
        return list(self._rows)

    def choice(self, name: str) -> ColumnChoice:
        return self._rows[self._index[name]]

    def set_choice(self, name: str, *, use=None, weight=None, passive=None, categorical=None) -> None:
        """Set one column's choices (as the user would by clicking); KeyError for an unknown column."""
        i = self._index[name]
        for col, value in ((3, use), (5, passive), (6, categorical)):
            if value is not None:
                state = Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
                self.setData(self.index(i, col), state, Qt.ItemDataRole.CheckStateRole)
        if weight is not None:
            self.setData(self.index(i, _WEIGHT), float(weight), Qt.ItemDataRole.EditRole)

    # -- QAbstractTableModel ----------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return COLS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return _TIPS.get(section)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        r, col = self._rows[index.row()], index.column()
        base = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        if col in (3, 6) and not r.usable:
            return Qt.ItemFlag.ItemIsSelectable          # shown, not clickable
        if col in _CHECKS:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if col == _WEIGHT:
            return base if r.passive else base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return display_name(r.name)      # 'a\xa0b' is not 'a b' (io.names)
            if col == 1:
                return r.kind
            if col == 2:
                return f"{r.missing:,}"
            if col == _WEIGHT:     # a passive column has weight 0 (tester8 #15: it read 1.00)
                return "0 (passive)" if r.passive else f"{r.weight:.2f}"
            return None
        if role == Qt.ItemDataRole.EditRole and col == _WEIGHT:
            return float(r.weight)
        if role == Qt.ItemDataRole.CheckStateRole and col in _CHECKS:
            return Qt.CheckState.Checked if getattr(r, _CHECKS[col]) else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole and col in (0, 1, 3, 6) and not r.usable:
            return UNUSABLE.get(r.kind, UNUSABLE["nested"])      # why its boxes are greyed (testerG)
        if role == Qt.ItemDataRole.ToolTipRole and col in _TIPS:
            return _TIPS[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        r, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.CheckStateRole and col in _CHECKS:
            # (unusable kinds: the view cannot click them, flags(); code may still set them)
            # the view hands an int, Python code a Qt.CheckState
            checked = Qt.CheckState(value.value if hasattr(value, "value") else int(value)) \
                == Qt.CheckState.Checked
            if getattr(r, _CHECKS[col]) == checked:
                return True
            setattr(r, _CHECKS[col], checked)
        elif role == Qt.ItemDataRole.EditRole and col == _WEIGHT:
            try:
                w = float(value)
            except (TypeError, ValueError):
                return False
            w = min(max(w, WEIGHT_RANGE[0]), WEIGHT_RANGE[1])
            if w == r.weight:
                return True
            r.weight = w
        else:
            return False
        self.dataChanged.emit(index, index, [role])
        if col == 5:                      # passive: the weight cell shows it
            w = self.index(index.row(), _WEIGHT)
            self.dataChanged.emit(w, w, [Qt.ItemDataRole.DisplayRole])
        self.edited.emit()
        return True


class _WeightDelegate(QStyledItemDelegate):
    """Edits a weight with a spin box bounded like the SOM Toolbox mask priorities."""

    def createEditor(self, parent, option, index):
        s = QDoubleSpinBox(parent)
        s.setRange(*WEIGHT_RANGE)
        s.setDecimals(2)
        s.setSingleStep(0.5)
        s.setFrame(False)
        return s


class ColumnsView(QTableView):
    """The column list's view: no row header, the name column stretches, weight edited in place."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.verticalHeader().hide()
        self.setItemDelegateForColumn(_WEIGHT, _WeightDelegate(self))
        self.setEditTriggers(QTableView.EditTrigger.DoubleClicked | QTableView.EditTrigger.SelectedClicked
                             | QTableView.EditTrigger.EditKeyPressed | QTableView.EditTrigger.AnyKeyPressed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.setMinimumHeight(150)

    def setModel(self, model) -> None:
        super().setModel(model)
        h = self.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for j in range(1, len(COLS)):      # header-sized: not measured over thousands of rows
            h.setSectionResizeMode(j, QHeaderView.ResizeMode.Interactive)
            h.resizeSection(j, max(h.sectionSizeFromContents(j).width() + 12, 60))
        # the Kind column holds one of a few words: as wide as the widest, so "categorical" is
        # not cut to "catego…" while the name column takes the spare width (tester6 F49)
        words = max(self.fontMetrics().horizontalAdvance(k) for k in KIND_WORDS)
        h.resizeSection(1, max(h.sectionSize(1), words + 16))
        # the Weight column as wide as a passive column's "0 (passive)", not cut to "0 …"
        h.resizeSection(_WEIGHT, max(h.sectionSize(_WEIGHT), self.fontMetrics().horizontalAdvance("0 (passive)") + 16))
