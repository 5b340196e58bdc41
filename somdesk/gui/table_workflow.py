"""Issue 13 in the window: a table in, segments out, rows of a selection, profiles, report, scoring.

    wf = TableWorkflow(window)           # adds the "Segments" dock and its File menu actions
    wf.open_table(path)                  # import preview, then the table in the dock
    wf.train()                           # session.table_data.train_table_map as a task (window.runner)
    wf.map_view.select_nodes([...])      # -> wf.rows_model shows those rows
    wf.score_file(map_or_None, data, out)  # session.scoring.score_table as a task, progress + Cancel
    wf.export_report(path)               # session.report.write_report

The table map is the headless one the CLI trains (`somdesk train --table`), so the
window's assignments are `assign_cells` of the same recipe and codebook as
`somdesk assign` -- tests/gui/test_table_workflow.py checks they are equal.  Every
long step runs through the window's one TaskRunner (gui/tasks.py) with the window's
progress line and Stop; progress from inside a blocking headless call is handed to
the worker with `tasks.current().offer(...)` (latest wins).
"""
from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QDockWidget, QHBoxLayout, QLabel, QPushButton, QSplitter,
                               QTabWidget, QVBoxLayout, QWidget)

from somdesk.errors import SomdeskError
from somdesk.gui import dialogs
from somdesk.gui.profiles_view import ProfilesView
from somdesk.gui.segment_map import SegmentMap
from somdesk.gui.table_rows import RowsModel, RowsView
from somdesk.gui.table_setup import TableSetup
from somdesk.gui.table_files import TABLE_FILTER, TableFiles
from somdesk.gui.table_open import TableOpening
from somdesk.gui.table_tasks import map_task, recluster_task, train_task
from somdesk.gui.table_scale import TableScale
from somdesk.gui.table_views import MAP_VIEWS, TableViews

__all__ = ["TableWorkflow", "KINDS"]

KINDS = ("segment", "score", "report")      # runner task kinds of this module


class TableWorkflow(TableOpening, TableFiles, TableViews, TableScale):
    """See module docstring.  Holds the table, the TableMap and the rows' assignments."""

    def __init__(self, window):
        self.win = window
        self.table = None
        self.tm = None
        self.path = self.read_options = self.map_path = None
        self.dirty = False
        self._map_note = ""
        self.assigned: dict | None = None
        self.profiles: dict | None = None
        self.map_mode = "segments"
        self._build()
        window.runner.finished.connect(self._finished)
        # the table closes (dock hidden) before the map area shows again: both at once widen the window
        window.session.events.dataset_changed.connect(self._dataset_changed)
        window.session.events.dataset_changed.connect(self.fit_layout)
        self.dock.visibilityChanged.connect(self.fit_layout)

    # -- construction ---------------------------------------------------------------------------
    def _build(self) -> None:
        w = self.win
        self.setup = TableSetup()
        self.train_button = QPushButton("&Train segments")
        self.train_button.clicked.connect(self.train)
        self.info = QLabel("File › Open… (Ctrl+O) a table: CSV, TSV, Parquet, JSON, spreadsheets")
        self.info.setWordWrap(True)
        setup_page = QWidget()
        sl = QVBoxLayout(setup_page)
        sl.addWidget(self.info)
        sl.addWidget(self.setup, 1)
        self._build_scale(sl)
        sl.addWidget(self.train_button)
        self.map_view = SegmentMap()
        self.map_choice = QComboBox()
        self.map_choice.addItems(MAP_VIEWS)
        self.segment_choice = QComboBox()
        self.segment_choice.setToolTip("Select every node of a segment")
        self.map_choice.currentIndexChanged.connect(self._map_mode)
        self.segment_choice.activated.connect(self._pick_segment)
        self.selection_label = QLabel("Click a node, Ctrl+click to add, drag a region, or pick a segment.")
        self.selection_label.setWordWrap(True)
        self.rows_model = RowsModel()
        self.rows_view = RowsView()
        self.rows_view.setModel(self.rows_model)
        self.export_rows_button = QPushButton("E&xport rows…")
        self.export_rows_button.clicked.connect(lambda: self.export_rows())
        self.map_view.selection_changed.connect(self._selected)
        self.rows_view.row_hovered.connect(self._row_hovered)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.map_choice)
        bar.addWidget(QLabel("Select segment"))
        bar.addWidget(self.segment_choice, 1)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.scale_label)
        tl.addLayout(bar)
        tl.addWidget(self.map_view, 1)
        self.legend = QLabel()
        self.legend.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        tl.addWidget(self.legend)
        self.hover_label = QLabel()
        self.hover_label.setStyleSheet("font-family: monospace;")
        tl.addWidget(self.hover_label)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.selection_label, 1)
        row.addWidget(self.export_rows_button)
        bl.addLayout(row)
        bl.addWidget(self.rows_view, 1)
        rows_page = QSplitter(Qt.Orientation.Horizontal)
        rows_page.addWidget(top)
        rows_page.addWidget(bottom)
        rows_page.setSizes([420, 580])
        self.rows_page = rows_page
        self.profiles_view = ProfilesView()
        prof_page = QWidget()
        pl = QVBoxLayout(prof_page)
        pl.setContentsMargins(0, 0, 0, 0)
        pb = QHBoxLayout()
        self.profiles_csv_button = QPushButton("Export &CSV…")
        self.profiles_png_button = QPushButton("Export &PNG…")
        self.profiles_csv_button.clicked.connect(lambda: self.export_profiles("csv"))
        self.profiles_png_button.clicked.connect(lambda: self.export_profiles("png"))
        pb.addStretch(1)
        pb.addWidget(self.profiles_csv_button)
        pb.addWidget(self.profiles_png_button)
        pl.addWidget(self.profiles_view, 1)
        pl.addLayout(pb)
        from somdesk.gui.planes_sheet import PlanesSheet
        self.planes = PlanesSheet()
        planes_page = QWidget()
        ppl = QVBoxLayout(planes_page)
        ppl.setContentsMargins(0, 0, 0, 0)
        ppl.addWidget(self.planes, 1)
        ppb = QHBoxLayout()
        ppb.addWidget(QLabel("Every column's component plane, in the file's units"), 1)
        self.planes_png_button = QPushButton("Export P&NG…")
        self.planes_png_button.clicked.connect(lambda: self.export_planes())
        ppb.addWidget(self.planes_png_button)
        ppl.addLayout(ppb)
        self.tabs = QTabWidget()
        self.tabs.addTab(setup_page, "Setup")
        self.tabs.addTab(rows_page, "Map && rows")
        self.tabs.addTab(planes_page, "Planes")
        self.tabs.addTab(prof_page, "Profiles")
        self.dock = QDockWidget("Segments", w)
        self.dock.setObjectName("segments-dock")
        self.dock.setWidget(self.tabs)
        w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.setup.k_edited.connect(self._k_edited)
        self.setup.spec_edited.connect(self._estimate_auto)
        self.actions = {}
        for key, text, shortcut, slot in (
                ("open_table", "Open &table…", "Ctrl+Shift+O", lambda: self.open_table_dialog()),
                ("score", "Score &new data…", "Ctrl+Shift+N", lambda: self.score_dialog()),
                ("report", "Export &report (HTML)…", "Ctrl+Shift+R", lambda: self.export_report()),
                ("save_table_map", "Save &table map…", None, lambda: self.save_map())):
            a = QAction(text, w)
            a.setObjectName(f"action-{key}")
            if shortcut:
                a.setShortcut(shortcut)
            a.triggered.connect(slot)
            self.actions[key] = a
        menu = w.menuBar().actions()[0].menu()          # File
        first = menu.actions()[2] if len(menu.actions()) > 2 else None
        for key in ("open_table", "save_table_map", "score", "report"):
            menu.insertAction(first, self.actions[key])
        menu.insertSeparator(first)
        self.refresh()

    # -- state ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        busy = self.win.runner.busy
        has_map = self.tm is not None
        self.train_button.setEnabled(self.table is not None and not busy)
        self.actions["open_table"].setEnabled(not busy)
        self.actions["report"].setEnabled(has_map and not busy)
        self.actions["save_table_map"].setEnabled(has_map and not busy)
        self.actions["score"].setEnabled(not busy)
        self.export_rows_button.setEnabled(self.rows_model.rowCount() > 0)
        self.map_choice.setEnabled(has_map and not busy)      # a live out-of-core view is the sample's hits
        self.segment_choice.setEnabled(has_map and not busy)
        self.profiles_csv_button.setEnabled(self.profiles is not None)
        self.planes_png_button.setEnabled(self.planes.image is not None)
        self.profiles_png_button.setEnabled(self.profiles is not None)
        self.setup.setEnabled(not busy)
        self._window_state(busy, has_map)

    def _window_state(self, busy: bool, has_map: bool) -> None:
        """While the dock holds the window's data (the session none): the title names the
        table and File › Save (Ctrl+S) saves the table map."""
        w = self.win
        if w.session.dataset is not None or (self.table is None and self.tm is None):
            return
        name = os.path.basename(self.map_path or self.path or "table")
        rows = f" ({self.table.n_rows_total:,} rows)" if self.table is not None else ""
        w.setWindowTitle(f"somdesk — {name}[*]{rows}")
        w.setWindowModified(bool(self.dirty))
        for key in ("save", "save_as"):
            if key in w.actions:
                w.actions[key].setEnabled(has_map and not busy)
        if "train" in w.actions:                # Training › Train (Ctrl+T) trains the table map
            w.actions["train"].setEnabled(self.table is not None and not busy)

    # -- the table and its map in the dock (opening: gui/table_open.py) ---------------------------------
    def set_table(self, table, path: str | None = None, options=None, keep_map: bool = False) -> None:
        """Make `table` (io.tables Table, or None for a map without its rows) the dock's table."""
        if self.table is not None and self.table is not table:
            self.table.close()
        self.table, self.path, self.read_options = table, path or getattr(table, "name", None), options
        self.tm = self.assigned = self.profiles = None
        self.map_path = None
        self.dirty = False
        self.setup.set_table(table) if table is not None else None
        if table is not None:
            sampled = (f"; <b>a sample of {table.n_rows:,} of {table.n_rows_total:,} rows is held in memory</b> "
                       "(the rows view, profiles and in-memory training); out of core, training reads every row"
                       if table.sampled else "")
            self.info.setText(f"<b>{table.name}</b>: {table.n_rows_total:,} rows × {len(table.columns)} columns"
                              f"{sampled}")
        else:
            self.info.setText(f"<b>{os.path.basename(path or '')}</b>: a saved table map without its table")
        self.rows_model.set_columns({})
        self.map_view.select_nodes([], emit=False)
        self.profiles_view.show_profiles(None)
        self.planes.show_planes(None)
        self._scale_table_set(table)
        central = self.win.centralWidget()
        if central is not None and self.win.session.dataset is None:
            central.setVisible(False)   # first: showing the dock beside the map area widened the window
        self.dock.show()
        self.fit_layout()
        self.tabs.setCurrentIndex(0)
        if table is not None:
            self._estimate_auto()
        self.refresh()
        self.win.refresh()

    @property
    def running(self) -> bool:
        """Is one of the dock's tasks (training, scoring, the report) running?"""
        return self.win.runner.busy and self.win.runner.kind in KINDS

    def _dataset_changed(self, _dataset) -> None:
        import shiboken6

        if shiboken6.isValid(self.win):
            self.close_table()

    def close_table(self) -> None:
        """Forget the table and its map (another kind of data was opened in the window)."""
        if self.win.session.dataset is None or (self.table is None and self.tm is None):
            return
        if self.table is not None:
            self.table.close()
        self.table = self.tm = self.assigned = self.profiles = None
        self.map_path, self.dirty = None, False
        self.rows_model.set_columns({})
        self.profiles_view.show_profiles(None)
        self.dock.hide()
        self.refresh()

    def install_map(self, tm, table, note: str = "") -> None:
        """Show a saved table map: the rows of `table` (if any) assigned and profiled as a task."""
        self._map_note = note
        self.win.runner.start("segment", lambda token: map_task(tm, table, token))
        self.refresh()

    def fit_layout(self, *_args) -> None:
        """While the window's session holds no dataset, its map area would be an empty canvas:
        hide it so the Segments dock takes the whole window; show it again once it has one."""
        import shiboken6

        if not shiboken6.isValid(self.win):     # the session's events outlived a deleted window
            return
        central = self.win.centralWidget()
        if central is not None:
            central.setVisible(self.win.session.dataset is not None or not self.dock.isVisible())

    def _estimate_auto(self) -> None:
        """What "auto" means for the columns ticked now (same functions as training)."""
        from somdesk.core.preparation import auto_epochs, auto_map_size

        try:
            spec = self.setup.spec()
            prep = self.table.prepare(spec.columns, label_column=spec.label, normalise=spec.normalise,
                                      missing=spec.missing, weights=spec.weights, passive=spec.passive,
                                      categorical=spec.categorical)
        except SomdeskError:
            self.setup.show_auto(None, None, None)
            return
        x = prep.data
        fill = (prep.recipe.fill * np.sqrt(prep.recipe.feature_weight))[prep.recipe.active]
        h, w = auto_map_size(np.where(np.isnan(x), fill, x), spec.topology.startswith("hex"))
        h, w = spec.height or h, spec.width or w
        self.setup.show_auto(h, w, auto_epochs(len(x), h * w), len(x))

    # -- training and segments ------------------------------------------------------------------------
    def train(self, seed: int = 0) -> bool:
        """Train the dock's table map from the setup panel (random seed `seed`: the smoke mode's)."""
        if self.table is None or self.win.runner.busy:
            return False
        try:
            spec = self.setup.spec(seed=seed)
        except SomdeskError as exc:
            self.win.show_error(str(exc))
            return False
        if self.out_of_core.isChecked():
            try:
                started = self.train_out_of_core(spec)
            except SomdeskError as exc:
                self.win.show_error(str(exc))
                return False
            self.win.refresh()
            self.refresh()
            return started
        table = self.table
        self.win.runner.start("segment", lambda token: train_task(table, spec, token))
        self.win.refresh()
        self.refresh()
        return True

    def _k_edited(self, k: int) -> None:
        if self.tm is None or self.win.runner.busy:
            return
        tm, table = self.tm, self.table
        self.win.runner.start("segment", lambda token: recluster_task(tm, table, k or None, token))
        self.refresh()

    def _finished(self, kind: str, result, stopped: bool) -> None:
        if kind not in KINDS:
            return
        if kind == "segment" and result is not None:
            self._install(result)
        elif kind == "score" and result is not None:
            n, warnings = result
            text = f"Scored {n:,} rows into {os.path.basename(self._score_out)}."
            self.last_score = (n, list(warnings))
            self.win.statusBar().showMessage(text, 15000)
            if warnings and self.win.interactive:
                dialogs.show_message(self.win, "somdesk", text, "\n".join(warnings))
        elif kind == "report" and result is not None:
            self.win.statusBar().showMessage(f"Wrote {os.path.basename(result)}.", 10000)
        elif stopped:
            self.win.statusBar().showMessage("Cancelled.", 5000)
        self.refresh()

    def _install(self, result: dict) -> None:
        self.tm, self.assigned, self.profiles = result["tm"], result["assigned"], result["profiles"]
        self.dirty = not result.get("loaded", False)
        self._scale_installed(result)
        tm, a, t = self.tm, self.assigned, self.table
        cfg = tm.config
        self.segment_choice.clear()
        self.segment_choice.addItem("—", None)
        if a is not None and t is not None:
            # the file's row and segment, the file's columns, then where each row sits on the map
            cols = {"row": t.row_index, "segment": a["segment"]}
            for c in t.columns:
                cols.setdefault(c, t.cells(c))
            for key in ("bmu_row", "bmu_col", "distance", "outlier"):
                cols[key if key not in cols else f"som_{key}"] = a[key]
            self.rows_model.set_columns(cols)
            self.node_of_row = np.where(a["bmu_row"] >= 0, a["bmu_row"] * cfg.width + a["bmu_col"], -1)
            for i, s in enumerate(self.profiles["segments"]):
                self.segment_choice.addItem(f"segment {s} ({int(self.profiles['size'][i]):,} rows)", s)
        else:      # a saved map without its table: hits of the rows the map keeps
            self.rows_model.set_columns({})
            self.node_of_row = result["node_of_row"]
            for s in range(tm.k):
                self.segment_choice.addItem(f"segment {s}", s)
        self.setup.show_curve(tm.curve, tm.k)
        self.setup.show_auto(cfg.height, cfg.width, cfg.iterations, len(tm.inputs))
        self.profiles_view.show_profiles(self.profiles)
        self._fill_views()
        self.draw_map()
        self.show_planes()
        self._selected(self.map_view.selected)
        what = "Opened table map" if result.get("loaded") else "Table map"
        note = f"  Rows not shown: {self._map_note}." if result.get("loaded") and self._map_note else ""
        self.win.statusBar().showMessage(
            f"{what} {cfg.height} × {cfg.width}, {cfg.iterations} epochs: quantization error "
            f"{tm.quantization_error:.4f}, topographic error {tm.topographic_error:.3f}; {tm.k} segments.{note}",
            15000)
        if self.tabs.currentIndex() == 0:
            self.tabs.setCurrentIndex(1)
        self.win.refresh()

    def _pick_segment(self, _i: int) -> None:
        s = self.segment_choice.currentData()
        if s is not None and self.tm is not None:
            self.select_segment(int(s))

    def select_segment(self, s: int) -> None:
        i = self.segment_choice.findData(int(s))
        if i >= 0 and i != self.segment_choice.currentIndex():
            self.segment_choice.setCurrentIndex(i)
        self.map_view.select_nodes(np.flatnonzero(self.tm.clusters.reshape(-1) == s))

    def _selected(self, nodes) -> None:
        if self.assigned is None:
            return
        nodes = np.asarray(nodes, dtype=np.int64)
        whole = [s for s in range(self.tm.k)
                 if np.array_equal(nodes, np.flatnonzero(self.tm.clusters.reshape(-1) == s))]
        if not whole:
            self.segment_choice.setCurrentIndex(0)
        rows = np.flatnonzero(np.isin(self.node_of_row, nodes))
        self.rows_model.set_rows(rows)
        n = len(nodes)
        self.selection_label.setText(f"{n} node{'s' if n != 1 else ''} selected: {len(rows):,} rows"
                                     if n else "Click a node, Ctrl+click to add, drag a region, or pick a segment.")
        self.refresh()

    def _row_hovered(self, i: int) -> None:
        node = int(self.node_of_row[i]) if self.assigned is not None and i >= 0 else -1
        self.map_view.highlight(node)
        text = ""
        if node >= 0:
            w = self.tm.config.width
            text = (f"row {int(self.table.row_index[i])}: node ({node // w}, {node % w}), "
                    f"segment {int(self.assigned['segment'][i])}")
        self.hover_label.setText(text)
        self.win.hover.setText(text)
