"""The table map's settings: columns (use, weight, passive, categorical), label, normalisation,
missing values, map size and epochs (automatic, shown, overridable), and k with the validity curve.

    panel = TableSetup()
    panel.set_table(table)                 # somdesk.io.tables Table
    spec = panel.spec()                    # session.table_data.TableMapSpec (OptionError if unusable)
    panel.show_auto(auto)                  # what "auto" makes (session.table_size.AutoSize)
    panel.show_curve(curve, k)             # Davies-Bouldin and silhouette against k, suggested k marked

The panel only reads and shows; the workflow (gui/table_workflow.py) trains and clusters.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout,
                               QWidget)

from somdesk.core.options import count_text
from somdesk.errors import OptionError
from somdesk.gui.table_columns import COLS, USABLE, ColumnChoice, ColumnsModel, ColumnsView
from somdesk.io.names import display_name

__all__ = ["COLS", "USABLE", "TableSetup"]

NO_CURVE = "Train to see the validity curve."


def _auto_spin(maximum: int, tip: str) -> QSpinBox:
    s = QSpinBox()
    s.setRange(0, maximum)
    s.setSpecialValueText("auto")          # 0 = automatic
    s.setToolTip(tip)
    return s


LABEL_BAND = 0.3           # of the validity curve's 0..1 height, above it, for the k label


class TableSetup(QWidget):
    """See module docstring.  `spec_edited` when anything changes that needs new training;
    `k_edited(k)` when only the number of segments changed (0 = the suggested k)."""

    spec_edited = Signal()
    k_edited = Signal(int)
    zeros_missing = Signal()         # "Read 0 as missing" (the table note's button)
    text_missing = Signal(str)       # "Read 'x' as missing" (the stray-text note's button)

    def __init__(self, parent=None):
        super().__init__(parent)
        from somdesk.core.preparation import MISSING_POLICIES, NORMALISATIONS

        self.table = None
        self.columns = ColumnsModel(self)     # one record per column: no widget per row (C1)
        self.grid = ColumnsView()
        self.grid.setModel(self.columns)
        self.columns.edited.connect(self._edited)
        self.label = QComboBox()
        self.normalise = QComboBox()
        self.normalise.addItems(NORMALISATIONS)
        self.missing = QComboBox()
        self.missing.addItems(MISSING_POLICIES)
        self.missing.setToolTip("drop: rows with a missing value are left out; mean/median: filled; "
                                "train: BMU and updates over the present columns only (SOM Toolbox)")
        self.height = _auto_spin(400, "Map height in nodes (auto: the SOM Toolbox rule, about 5·N^0.54321 nodes, som_topol_struct)")
        self.width = _auto_spin(400, "Map width in nodes (auto: side ratio from the two largest principal components)")
        self.epochs = _auto_spin(100_000, "Batch epochs (auto: from the rows per node)")
        self.topology = QComboBox()
        self.topology.addItems(["hexagonal", "rectangular"])
        self.topology.setToolTip("Hexagonal: six neighbours per node, the usual choice for segmentation maps "
                                 "(SOM Toolbox, Viscovery); rectangular: four (eight for the topographic error)")
        self.auto = QLabel()
        self.auto.setWordWrap(True)
        # what the table's values suggest before training (zeros that may mean "not rated",
        # session.unrated, testerG #4): shown under the column list, hidden when there is none
        self.table_note = QLabel()
        self.table_note.setObjectName("setup-table-note")
        self.table_note.setWordWrap(True)
        self.table_note.setStyleSheet("color: #a04000;")
        self.table_note.hide()
        # the one-click way the note names: read the file again with 0 as a missing value
        self.zeros_button = QPushButton("Read 0 as missing")
        self.zeros_button.setObjectName("setup-zeros-missing")
        self.zeros_button.setToolTip("Read the file again with the cell 0 as a missing value besides those "
                                     "already read so (NA, N/A, ... are kept; the CLI's --also-missing 0): "
                                     "for a ratings table whose 0 means 'not rated'")
        self.zeros_button.clicked.connect(lambda *_: self.zeros_missing.emit())
        self.zeros_button.hide()
        # columns of numbers read as text because of a stray cell ('x'): why, and the way out
        # (session.table_columns.stray_text_note; testerI #7: "categorical" with no reason said)
        self.stray_note = QLabel()
        self.stray_note.setObjectName("setup-stray-note")
        self.stray_note.setWordWrap(True)
        self.stray_note.setStyleSheet("color: #a04000;")
        self.stray_note.hide()
        self.stray_button = QPushButton()
        self.stray_button.setObjectName("setup-stray-missing")
        self.stray_button.clicked.connect(lambda *_: self.text_missing.emit(self._stray_word))
        self.stray_button.hide()
        self._stray_word = ""
        self.k = QSpinBox()
        self.k.setRange(0, 30)
        self.k.setSpecialValueText("suggested")
        self.k.setToolTip("Number of segments; 'suggested' takes the silhouette's best k")
        self.curve = pg.PlotWidget(background=(255, 255, 255))
        self.curve.setMinimumHeight(130)
        self.curve.setMaximumHeight(170)
        self.curve.getPlotItem().setLabel("bottom", "k (segments)")
        self.curve.getPlotItem().hideButtons()
        self.curve.getPlotItem().setMenuEnabled(False)
        self.curve.setMouseEnabled(False, False)
        self._curve_axes(False)             # no fractional ticks round an empty frame (tester8 #15)
        self.curve_note = QLabel(NO_CURVE)
        self.curve_note.setWordWrap(True)
        size = QHBoxLayout()          # two compact fields side by side, on the left (not stretched apart)
        size.setContentsMargins(0, 0, 0, 0)
        for w, t in ((self.height, "×"), (self.width, ""),):
            w.setMaximumWidth(max(90, w.sizeHint().width()))
            size.addWidget(w)
            if t:
                size.addWidget(QLabel(t))
        size.addStretch(1)
        form = QFormLayout()
        form.addRow("Label column", self.label)
        form.addRow("Normalise", self.normalise)
        form.addRow("Missing values", self.missing)
        form.addRow("Map size (rows × cols)", size)
        form.addRow("Grid", self.topology)
        form.addRow("Epochs", self.epochs)
        form.addRow("", self.auto)
        form.addRow("Segments (k)", self.k)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.grid, 1)
        note = QHBoxLayout()
        note.addWidget(self.table_note, 1)
        note.addWidget(self.zeros_button, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(note)
        stray = QHBoxLayout()
        stray.addWidget(self.stray_note, 1)
        stray.addWidget(self.stray_button, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(stray)
        lay.addLayout(form)
        lay.addWidget(self.curve)
        lay.addWidget(self.curve_note)
        for w in (self.label, self.normalise, self.topology):
            w.currentIndexChanged.connect(lambda *_: self._edited())
        # Missing = train keeps sparse columns (a ratings table's items) among the defaults: re-tick
        # them as the policy changes (connected before the edit is signalled, so the spec sees them)
        self._by_policy: set[str] = set()     # default columns under train but not under drop/mean/median
        self.missing.currentIndexChanged.connect(lambda *_: self._missing_changed())
        self.missing.currentIndexChanged.connect(lambda *_: self._edited())
        for w in (self.height, self.width, self.epochs):
            w.valueChanged.connect(lambda *_: self._edited())
        self.k.valueChanged.connect(lambda v: self.k_edited.emit(int(v)))
        self._updating = False

    def _edited(self) -> None:
        if not self._updating and self.table is not None:
            self.spec_edited.emit()

    # -- the table --------------------------------------------------------------------------
    def set_table(self, table) -> None:
        """One row per column: numeric columns used by default, categorical ones offered (one-hot)."""
        from somdesk.session.table_columns import default_columns, default_label_column, default_passive

        self._updating = True
        try:
            self.table = table
            numeric = set(table.numeric_columns)
            label = default_label_column(table, numeric)
            policy = self.missing.currentText()
            try:                              # row identifiers ("id", row numbers) are not ticked
                ticked = set(default_columns(table, label, policy))
                dates = set(default_passive(table, label, policy))   # a year: ticked passive, as the CLI's default
                # the sparse columns whose tick follows the Missing policy (session.table_columns.missing_share_reason)
                self._by_policy = set(default_columns(table, label, "train")) - set(default_columns(table, label, "drop"))
            except OptionError:
                ticked, dates = numeric - {label}, set()
                self._by_policy = set()
            rows = []
            for c in table.columns:
                kind = table.kind(c)
                rows.append(ColumnChoice(c, kind, table.missing_count(c), use=c in ticked or c in dates,
                                         passive=c in dates, categorical=kind != "numeric"))
            self.columns.set_columns(rows)
            from somdesk.session.unrated import zero_unrated_warning
            self._show_note(zero_unrated_warning(table))
            from somdesk.session.table_columns import stray_text_note
            self._show_stray(stray_text_note(table))
            self.label.clear()
            self.label.addItem("(none)", None)
            for c in table.columns:
                self.label.addItem(display_name(c), c)
            self.label.setCurrentIndex(max(0, self.label.findData(label)))
            self.height.setValue(0)
            self.width.setValue(0)
            self.epochs.setValue(0)
            self.k.setValue(0)
        finally:
            self._updating = False

    def _missing_changed(self) -> None:
        """Tick the columns too sparse to train on by default under drop/mean/median but trainable
        under train (tester13 #2: 12 of a ratings table's 20 films were left out), or untick them,
        as the Missing policy changes; other columns keep the user's ticks."""
        if self._updating or self.table is None:
            return
        use = self.missing.currentText() == "train"
        self._updating = True           # one spec_edited for the change (_edited, connected next)
        try:
            for name in self._by_policy:
                if self.columns.choice(name).use != use:
                    self.columns.set_choice(name, use=use)
        finally:
            self._updating = False

    def clear(self) -> None:
        """No table (a saved map shown without it): no columns to choose, nothing of a previous table."""
        self._updating = True
        try:
            self.table = None
            self._by_policy = set()
            self.columns.set_columns([])
            self.label.clear()
            self.auto.setText("")
            self._show_note(None)
            self._show_stray(None)
        finally:
            self._updating = False

    def _show_note(self, text: str | None) -> None:
        self.table_note.setText(text or "")
        self.table_note.setVisible(bool(text))
        self.zeros_button.setVisible(bool(text))

    def _show_stray(self, note: tuple[str, str] | None) -> None:
        """The stray-text note and its "Read 'x' as missing" button (none without a word)."""
        text, word = note or ("", "")
        self._stray_word = word
        self.stray_note.setText(text)
        self.stray_note.setVisible(bool(text))
        self.stray_button.setText(f"Read {word!r} as missing" if word else "")
        self.stray_button.setToolTip(f"Read the file again with the cell {word!r} as a missing value besides "
                                     f"those already read so (the CLI's --also-missing {word})" if word else "")
        self.stray_button.setVisible(bool(word))

    def set_column(self, name: str, *, use=None, weight=None, passive=None, categorical=None) -> None:
        """Set one column's choices (as the user would by clicking); KeyError for an unknown column."""
        self.columns.set_choice(name, use=use, weight=weight, passive=passive, categorical=categorical)

    def column(self, name: str) -> ColumnChoice:
        """One column's row: name, kind, missing, use, weight, passive, categorical."""
        return self.columns.choice(name)

    # -- what the user chose ----------------------------------------------------------------
    def spec(self, seed: int = 0):
        """The TableMapSpec of the panel; OptionError when no column is used, or when the Label
        column is ticked Use (the CLI's rule for `--label` in `--columns`: it was silently left
        out of training while its row showed the tick, tester10 #25)."""
        from somdesk.session.table_data import TableMapSpec

        label = self.label.currentData()
        if label is not None and any(r.use and r.name == label for r in self.columns.choices()):
            raise OptionError(f"{display_name(label)} is the Label column and is ticked Use: the label names "
                              "the rows and is not trained on; untick its Use, or choose another Label column")
        rows = [r for r in self.columns.choices() if r.use]
        used = [r.name for r in rows]
        if not used:
            raise OptionError("tick at least one column to train on (Use)")
        passive = tuple(r.name for r in rows if r.passive)
        if len(passive) == len(used):
            raise OptionError("at least one used column must be active (not passive)")
        categorical = tuple(r.name for r in rows if r.categorical)
        weights = {r.name: r.weight for r in rows if r.weight != 1.0 and not r.passive}
        return TableMapSpec(columns=tuple(used), label=label, weights=weights, passive=passive,
                            categorical=categorical, normalise=self.normalise.currentText(),
                            missing=self.missing.currentText(), height=self.height.value() or None,
                            width=self.width.value() or None, epochs=self.epochs.value() or None,
                            clusters=self.k.value() or None, seed=seed, topology=self.topology.currentText())

    def show_auto(self, auto=None, pending: str = "") -> None:
        """Say what "auto" makes: `auto` a session.table_size.AutoSize (or None), `pending` the
        text while it is measured (gui/table_estimate.AutoLine)."""
        if auto is None:
            self.auto.setText(pending)
            return
        self.auto.setText(auto.text() + " (set a value to override)")

    def show_trained(self, h: int, w: int, epochs: int, rows: int | None) -> None:
        """The size of the map shown (after training or opening it); `rows` trained on, if known."""
        self.auto.setText(f"this map: {h} × {w} nodes, {count_text(epochs, 'epoch')}"
                          + (f", trained on {count_text(rows, 'row')}" if rows else ""))

    def _curve_axes(self, shown: bool) -> None:
        item = self.curve.getPlotItem()
        for axis in ("left", "bottom"):
            item.showAxis(axis, shown)

    def clear_curve(self) -> None:
        """No map: no curve, and the note says how to get one."""
        self.curve.getPlotItem().clear()
        self._curve_axes(False)
        self.curve_note.setText(NO_CURVE)

    def show_curve(self, curve: dict, k: int | None) -> None:
        """Plot the validity curve (both indices scaled to 0..1 so they share an axis)."""
        item = self.curve.getPlotItem()
        item.clear()
        self._curve_axes(bool(curve and curve.get("k")))
        if not curve or not curve.get("k"):
            self.curve_note.setText("No validity curve (the map is too small).")
            return
        ks = np.asarray(curve["k"], dtype=float)
        for name, colour in (("davies_bouldin", (40, 90, 200)), ("silhouette", (230, 120, 20))):
            v = np.array([np.nan if x is None else float(x) for x in curve.get(name, [])], dtype=float)
            fin = np.isfinite(v)
            if fin.sum() == 0:
                continue
            lo, hi = np.nanmin(v), np.nanmax(v)
            s = (v - lo) / (hi - lo if hi > lo else 1.0)
            item.plot(ks[fin], s[fin], pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=5,
                      symbolBrush=colour, symbolPen=None)
        sug = curve.get("suggested")
        if k is not None and k != sug:
            item.addItem(pg.InfiniteLine(pos=k, angle=90, pen=pg.mkPen((90, 90, 90), width=1,
                                                                       style=Qt.PenStyle.DashLine)))
        if sug is not None:
            # the label sits in a band above the scaled curves (0..1), right of its line: at 0.9 of
            # the height it was drawn over the curves' points at k = 2 (tester10 #23)
            item.setYRange(-0.05, 1.0 + LABEL_BAND, padding=0)
            line = pg.InfiniteLine(pos=sug, angle=90, pen=pg.mkPen((200, 30, 30), width=2),
                                   label=f"suggested k = {sug}",
                                   labelOpts={"position": 1.0 - 0.5 * LABEL_BAND / (1.05 + LABEL_BAND),
                                              "anchors": [(0, 0.5), (0, 0.5)], "color": (200, 30, 30)})
            item.addItem(line)
        db = [x for x in curve.get("davies_bouldin", []) if x is not None and math.isfinite(x)]
        self.curve_note.setText(
            f"<span style='color:#2858c8'>Davies-Bouldin</span> (lower is better) and "
            f"<span style='color:#e67814'>silhouette</span> (higher is better), scaled; "
            f"suggested k = {sug} (silhouette maximum); shown: k = {k}."
            + ("" if db else " Davies-Bouldin could not be computed."))
