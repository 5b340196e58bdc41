"""The table mode's controls.  `DataPanel`: which columns, which label, how to
normalise and fill gaps, and what that did (missing cells, dropped rows,
offset/scale per column).  `MapToolbar`: map size, epochs, speed, Train/Stop, view.
`SegmentsBox`: k, the clustering method, the per-cluster summary and Export.

The panel only collects choices (`choices()`) and shows results
(`show_prepared`); the window runs `Table.prepare` in a worker.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QHeaderView,
                               QLabel, QListWidget, QListWidgetItem, QPushButton, QSpinBox, QTableWidget,
                               QTableWidgetItem, QToolBar, QVBoxLayout, QWidget)

from somdesk.gui.modes import common

NORMALISE = (("z-score", "zscore", "x' = (x − mean) / standard deviation: mean 0, standard deviation 1"),
             ("min–max", "minmax", "x' = (x − min) / (max − min): every column from 0 to 1"),
             ("none", "none", "the values as they are"))
MISSING = (("drop the row", "drop", "Rows with a missing cell in a chosen column are left out"),
           ("fill: column mean", "mean", "A missing cell becomes its column's mean"),
           ("fill: column median", "median", "A missing cell becomes its column's median"))
SCALING_HEADERS = {"zscore": ("mean", "std dev"), "minmax": ("min", "range"), "none": ("offset", "scale")}
MAX_SCALING_ROWS = 200      # the offset/scale table lists at most this many columns
NO_LABEL = "(none)"
PACES = (("Watch (20 epochs/s)", 20.0), ("Max speed", None))
VIEWS = (("U-matrix", "umatrix"), ("Hit map", "hits"), ("Clusters", "clusters"))


class DataPanel(QWidget):
    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.table = None
        self.columns = QListWidget()
        self.columns.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.columns.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.columns.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.columns.setToolTip("Tick the numeric columns the map learns from. Columns that are "
                                "not numbers are greyed out with the reason.")
        self.all_button = QPushButton("All numeric")
        self.none_button = QPushButton("None")
        self.label_combo = QComboBox()
        self.label_combo.setToolTip("Optional: a column whose most frequent value per node is shown on "
                                    "the map (it is not used for training).")
        self.normalise_combo = QComboBox()
        for i, (text, key, tip) in enumerate(NORMALISE):
            self.normalise_combo.addItem(text, key)
            self.normalise_combo.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
        self.normalise_combo.setToolTip("Put the columns on a common scale so none dominates the distances.")
        self.missing_combo = QComboBox()
        for i, (text, key, tip) in enumerate(MISSING):
            self.missing_combo.addItem(text, key)
            self.missing_combo.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
        self.summary = common.note("")
        self.warnings = common.note("")
        self.warnings.setStyleSheet("color: #d08a1e;")
        self.scaling = QTableWidget(0, 3)
        self.scaling.setHorizontalHeaderLabels(("column",) + SCALING_HEADERS["none"])
        self.scaling.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.scaling.verticalHeader().setVisible(False)
        self.scaling.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.scaling.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self._fit_heights()
        self.scaling.setToolTip("x' = (x − offset) / scale for each column, as used for training.")
        buttons = QHBoxLayout()
        buttons.addWidget(self.all_button)
        buttons.addWidget(self.none_button)
        buttons.addStretch(1)
        form = QFormLayout()
        form.addRow("Label", self.label_combo)
        form.addRow("Normalise", self.normalise_combo)
        form.addRow("Missing", self.missing_combo)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(common.note("Columns to train on:", wrap=False))
        lay.addWidget(self.columns, 1)
        lay.addLayout(buttons)
        lay.addLayout(form)
        lay.addWidget(self.summary)
        lay.addWidget(self.scaling)
        lay.addWidget(self.warnings)
        self.columns.itemChanged.connect(lambda _item: self.changed.emit())
        self.label_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.normalise_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.missing_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.all_button.clicked.connect(lambda: self.set_choices(columns=self.numeric_columns()))
        self.none_button.clicked.connect(lambda: self.set_choices(columns=[]))

    # -- filling ------------------------------------------------------------------------------
    def set_table(self, table) -> None:
        """Show a freshly read table: numeric columns ticked, the others disabled with the reason."""
        self.table = table
        self.blockSignals(True)
        self.columns.blockSignals(True)
        try:
            self.columns.clear()
            for name in table.columns:
                problem = table.problem(name)
                item = QListWidgetItem()
                item.setData(Qt.ItemDataRole.UserRole, name)
                if problem is None:
                    missing = table.missing_count(name)
                    item.setText(name + (f"   ({missing:,} missing)" if missing else ""))
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Checked)
                else:
                    reason = problem.replace(f"column {name!r} is ", "").replace(f"column {name!r} ", "")
                    reason = reason.replace("not numeric: line ", "text at line ")
                    item.setText(f"{name} — {reason}")
                    item.setToolTip(problem)
                    item.setFlags(Qt.ItemFlag.ItemIsUserCheckable)   # shown greyed out, cannot be ticked
                    item.setCheckState(Qt.CheckState.Unchecked)
                self.columns.addItem(item)
            self.label_combo.clear()
            self.label_combo.addItem(NO_LABEL, None)
            for name in table.columns:
                self.label_combo.addItem(name, name)
        finally:
            self.columns.blockSignals(False)
            self.blockSignals(False)
        self.summary.setText("")
        self.scaling.setRowCount(0)
        self.warnings.setText("\n".join(table.warnings))
        self._fit_heights()
        self.changed.emit()

    def set_choices(self, columns=None, label: str | None = "", normalise: str | None = None,
                    missing: str | None = None) -> None:
        """Set any of the choices (label "" leaves the label as it is; None means no label)."""
        self.columns.blockSignals(True)
        try:
            if columns is not None:
                wanted = set(columns)
                for i in range(self.columns.count()):
                    item = self.columns.item(i)
                    if item.flags() & Qt.ItemFlag.ItemIsEnabled:
                        on = item.data(Qt.ItemDataRole.UserRole) in wanted
                        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            if label != "":
                self.label_combo.setCurrentIndex(max(0, self.label_combo.findData(label)) if label else 0)
            if normalise is not None:
                self.normalise_combo.setCurrentIndex(self.normalise_combo.findData(normalise))
            if missing is not None:
                self.missing_combo.setCurrentIndex(self.missing_combo.findData(missing))
        finally:
            self.columns.blockSignals(False)
        self.changed.emit()

    # -- reading -------------------------------------------------------------------------------
    def numeric_columns(self) -> list[str]:
        return [self.columns.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.columns.count())
                if self.columns.item(i).flags() & Qt.ItemFlag.ItemIsEnabled]

    def chosen_columns(self) -> list[str]:
        out = []
        for i in range(self.columns.count()):
            item = self.columns.item(i)
            if item.flags() & Qt.ItemFlag.ItemIsEnabled and item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out

    def choices(self) -> tuple:
        """(columns, label column or None, normalise, missing): what `Table.prepare` takes."""
        return (tuple(self.chosen_columns()), self.label_combo.currentData(),
                self.normalise_combo.currentData(), self.missing_combo.currentData())

    # -- results -------------------------------------------------------------------------------
    def show_prepared(self, prep) -> None:
        n, d = prep.data.shape
        how = {"drop": f"{prep.n_dropped_rows:,} rows dropped",
               "mean": "filled with the column mean", "median": "filled with the column median"}[prep.missing]
        self.summary.setText(f"{prep.n_missing:,} missing cells, {how}.\n"
                             f"Training on {n:,} rows × {d:,} columns.")
        s = prep.scaling
        self.scaling.setHorizontalHeaderLabels(("column",) + SCALING_HEADERS[s.method])
        shown = min(d, MAX_SCALING_ROWS)
        self.scaling.setRowCount(shown + (1 if d > shown else 0))
        for i in range(shown):
            for j, text in enumerate((prep.columns[i], f"{s.offset[i]:.4g}", f"{s.scale[i]:.4g}")):
                item = QTableWidgetItem(text)
                if j:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.scaling.setItem(i, j, item)
        if d > shown:
            self.scaling.setItem(shown, 0, QTableWidgetItem(f"… and {d - shown:,} more"))
        self.scaling.resizeColumnToContents(1)
        self.scaling.resizeColumnToContents(2)
        self._fit_heights()
        table_warnings = list(self.table.warnings) if self.table is not None else []
        self.warnings.setText("\n".join(table_warnings + list(prep.warnings)))

    def _fit_heights(self, max_rows: int = 8) -> None:
        """Lists as tall as their rows (up to `max_rows`, then they scroll): no empty boxes."""
        row = max(self.columns.sizeHintForRow(0) if self.columns.count() else 0, self.fontMetrics().height() + 4)
        n = min(max(self.columns.count(), 4), max_rows)
        self.columns.setMinimumHeight(n * row + 2 * self.columns.frameWidth() + 4)
        rows = min(max(self.scaling.rowCount(), 1), max_rows - 2)
        self.scaling.setFixedHeight(self.scaling.horizontalHeader().sizeHint().height()
                                    + rows * self.scaling.verticalHeader().defaultSectionSize()
                                    + 2 * self.scaling.frameWidth() + 2)

    def show_problem(self, message: str) -> None:
        """The current choices cannot be prepared: say why in place (training is refused)."""
        self.summary.setText(message)
        self.scaling.setRowCount(0)


class MapToolbar(QToolBar):
    """Map size, epochs, speed, Train / Stop and the view, as in the main window's toolbar."""

    def __init__(self, parent=None):
        super().__init__("Map", parent)
        self.setObjectName("table-toolbar")
        self.setMovable(False)
        self.width_spin, self.height_spin = QSpinBox(), QSpinBox()
        for spin, value in ((self.width_spin, 12), (self.height_spin, 10)):
            spin.setRange(2, 60)
            spin.setValue(value)
        self.width_spin.setToolTip("Node columns of the map")
        self.height_spin.setToolTip("Node rows of the map")
        self.topology_combo = QComboBox()
        self.topology_combo.addItems(["rectangular", "hexagonal"])
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 10_000)
        self.epochs_spin.setValue(40)
        self.epochs_spin.setToolTip("Batch-map epochs: each one moves every node to the "
                                    "neighbourhood-weighted mean of its rows.")
        self.pace_combo = QComboBox()
        for label, pace in PACES:
            self.pace_combo.addItem(label, pace)
        self.train_button = QPushButton("Train")
        self.stop_button = QPushButton("Stop")
        self.view_combo = QComboBox()
        for label, key in VIEWS:
            self.view_combo.addItem(label, key)
        self.view_combo.setToolTip("U-matrix: distance to the neighbours (bright = a border between "
                                   "segments). Hit map: rows per node. Clusters: the segments.")
        self.labels_check = QCheckBox("Labels")
        self.labels_check.setChecked(True)
        self.labels_check.setToolTip("Majority label of each node's rows, as a coloured dot sized by its hits")
        self.edges_check = QCheckBox("Boundaries")
        self.edges_check.setChecked(True)
        self.edges_check.setToolTip("Cluster boundaries and numbers")
        for item in (QLabel(" Nodes "), self.width_spin, QLabel(" × "), self.height_spin, self.topology_combo,
                     QLabel("  Epochs "), self.epochs_spin, self.pace_combo, None, self.train_button,
                     self.stop_button, None, QLabel(" View "), self.view_combo, self.labels_check,
                     self.edges_check):
            if item is None:
                self.addSeparator()
            else:
                self.addWidget(item)


class SegmentsBox(QGroupBox):
    """k (the user's), SOM-Ward or k-means, a line per cluster, and Export."""

    def __init__(self, parent=None):
        super().__init__("Segments", parent)
        self.k_spin = QSpinBox()
        self.k_spin.setRange(2, 30)
        self.k_spin.setValue(5)
        self.k_spin.setToolTip("Number of segments: the map's nodes are merged into this many clusters.")
        self.method_combo = QComboBox()
        self.method_combo.addItem("SOM-Ward", "ward")
        self.method_combo.addItem("k-means", "kmeans")
        self.method_combo.setItemData(0, "Ward merging of touching nodes only: every segment is one "
                                         "connected region of the map.", Qt.ItemDataRole.ToolTipRole)
        self.method_combo.setItemData(1, "k-means++ on the nodes' weights: compact, may be split on the map.",
                                      Qt.ItemDataRole.ToolTipRole)
        self.summary = common.note("Train the map to find segments.")
        self.export_button = QPushButton("Export assignments CSV…")
        self.export_button.setToolTip("row, node_row, node_col, cluster (and label) of every training row")
        row = QHBoxLayout()
        row.addWidget(QLabel("Clusters k"))
        row.addWidget(self.k_spin)
        row.addWidget(self.method_combo, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 8)
        lay.addLayout(row)
        lay.addWidget(self.summary)
        lay.addWidget(self.export_button)
