"""The left panel of the one window: the map's settings, then the panel of the dataset's kind.

    colours   the input swatches (gui/swatches.py: a virtualised list)
    image     what the picture is, how it is sampled; Quantise full picture
    table     columns to train on, normalisation, missing values, the label column,
              the component plane shown, clusters
              (the tables helper adds node selection -> rows here: `TablePanel.selection_area`)

The panel only shows the session's state and emits requests; the window applies them.
"""
from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QLabel, QListWidget, QListWidgetItem,
                               QScrollArea, QSpinBox, QStackedWidget, QVBoxLayout, QWidget)

from somdesk.gui.controls import ParameterPanel
from somdesk.gui.swatches import SwatchPanel


def _box(title: str, widget: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    lay = QVBoxLayout(box)
    lay.addWidget(widget)
    return box


class ImagePanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.info)
        lay.addStretch(1)

    def show_dataset(self, d) -> None:
        h, w = d.pixels.shape[:2]
        st = d.settings
        self.info.setText(
            f"<b>{d.title}</b><br>{w:,} × {h:,} pixels{'' if d.full_size else ' (downscaled copy)'}<br>"
            f"{len(d.sample):,} pixels sampled to train the palette map<br>"
            f"fine-tuning {st.fine_tune} epochs, unused colours {'recovered' if st.revive else 'kept'}<br><br>"
            "Train, then <i>Training › Quantise full picture</i> (Ctrl+Shift+Q); "
            "<i>View › Quantised picture</i> shows the result.")


class TablePanel(QWidget):
    preparation_edited = Signal(object)
    label_edited = Signal(object)
    component_changed = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        from somdesk.session.datasets import MISSING_POLICIES, NORMALISATIONS

        self._data = None
        self._updating = False
        self.columns = QListWidget()
        self.columns.setMinimumHeight(120)
        self.columns.itemChanged.connect(self._prep_changed)
        self.normalise = QComboBox()
        self.normalise.addItems(NORMALISATIONS)
        self.missing = QComboBox()
        self.missing.addItems(MISSING_POLICIES)
        self.label = QComboBox()
        self.component = QComboBox()
        self.cluster_k = QSpinBox()
        self.cluster_k.setRange(2, 30)
        self.cluster_k.setValue(5)
        self.normalise.currentIndexChanged.connect(self._prep_changed)
        self.missing.currentIndexChanged.connect(self._prep_changed)
        self.label.currentIndexChanged.connect(self._label_changed)
        self.component.currentIndexChanged.connect(
            lambda i: None if self._updating or i < 0 else self.component_changed.emit(i))
        form = QFormLayout()
        form.addRow("Normalise", self.normalise)
        form.addRow("Missing values", self.missing)
        form.addRow("Label column", self.label)
        form.addRow("Component plane", self.component)
        form.addRow("Clusters", self.cluster_k)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.selection_area = QVBoxLayout()      # node selection -> rows (tables helper)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.info)
        lay.addWidget(QLabel("Columns to train on"))
        lay.addWidget(self.columns, 1)
        lay.addLayout(form)
        lay.addLayout(self.selection_area)

    def show_dataset(self, d) -> None:
        self._updating = True
        try:
            self._data = d
            table = d.table
            numeric = list(getattr(table, "numeric_columns", None) or d.columns) if table is not None else list(d.columns)
            names = list(getattr(table, "columns", None) or numeric) if table is not None else list(d.columns)
            self.columns.clear()
            for name in numeric:
                item = QListWidgetItem(str(name))
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if name in d.columns else Qt.CheckState.Unchecked)
                self.columns.addItem(item)
            self.normalise.setCurrentText(d.preparation.normalise)
            self.missing.setCurrentText(d.preparation.missing)
            self.label.clear()
            self.label.addItem("(none)", None)
            for name in names:
                self.label.addItem(str(name), str(name))
            self.label.setCurrentIndex(max(0, self.label.findData(d.preparation.label_column)))
            self.component.clear()
            self.component.addItems([str(c) for c in d.columns])
            n = len(d.data)
            self.info.setText(f"<b>{d.title}</b><br>{n:,} rows × {len(d.columns)} columns trained"
                              + (f"<br>{'; '.join(d.warnings)}" if d.warnings else ""))
        finally:
            self._updating = False

    def _prep_changed(self, *_):
        if self._updating or self._data is None:
            return
        from dataclasses import replace

        cols = tuple(self.columns.item(i).text() for i in range(self.columns.count())
                     if self.columns.item(i).checkState() == Qt.CheckState.Checked)
        if not cols:
            return
        prep = replace(self._data.preparation, columns=cols, normalise=self.normalise.currentText(),
                       missing=self.missing.currentText())
        self.preparation_edited.emit(prep)

    def _label_changed(self, _i):
        if not self._updating and self._data is not None:
            self.label_edited.emit(self.label.currentData())


class LeftPanel(QScrollArea):
    """Settings + the kind's panel, in a scroll area (nothing is ever cut off)."""

    config_edited = Signal()
    preparation_edited = Signal(object)
    label_edited = Signal(object)
    component_changed = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.params = ParameterPanel()
        self.swatches = SwatchPanel()
        self.image_panel = ImagePanel()
        self.table_panel = TablePanel()
        self.cluster_k = self.table_panel.cluster_k
        self.stack = QStackedWidget()
        self.kind_boxes = {"colours": _box("Input colours", self.swatches),
                           "image": _box("Picture", self.image_panel),
                           "table": _box("Table", self.table_panel)}
        self.stack.addWidget(QLabel("Open a palette, a picture, a table or a saved map."))
        for box in self.kind_boxes.values():
            self.stack.addWidget(box)
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(_box("Map settings", self.params))
        lay.addWidget(self.stack, 1)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(inner.sizeHint().width() + 24)
        self.params.config_changed.connect(self.config_edited)
        self.table_panel.preparation_edited.connect(self.preparation_edited)
        self.table_panel.label_edited.connect(self.label_edited)
        self.table_panel.component_changed.connect(self.component_changed)

    def show_dataset(self, dataset, session) -> None:
        kind = None if dataset is None else dataset.kind
        if kind is None:
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentWidget(self.kind_boxes[kind])
        if kind == "colours":
            self.swatches.set_colours(dataset.colours, dataset.names)
            self.kind_boxes[kind].setTitle(f"Input colours — {dataset.title}")
        elif kind == "image":
            self.image_panel.show_dataset(dataset)
        else:
            self.table_panel.show_dataset(dataset)

    def set_locked(self, locked: bool) -> None:
        self.params.setEnabled(not locked)
        self.swatches.set_locked(locked)
        self.table_panel.setEnabled(not locked)


def basename(path) -> str:
    return os.path.basename(path) if path else ""
