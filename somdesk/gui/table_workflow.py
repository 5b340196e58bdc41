"""Issue 13 in the window: the Segments dock, a view of the session's table model.

    wf = TableWorkflow(window)           # adds the "Segments" dock and its File menu actions
    wf.ws                                # window.session.table: session.table_workspace.TableWorkspace
    wf.open_table(path)                  # import preview, then Session.new_table (the dock shows it)
    wf.train()                           # TableWorkspace.train_task as a task (window.runner)
    wf.map_view.select_nodes([...])      # -> TableWorkspace.select_nodes -> the rows view
    wf.score_file(map_or_None, data, out)  # TableWorkspace.score_task, progress + Cancel
    wf.export_report(path)               # TableWorkspace.report_task

The dock holds widgets only: the table, its map, the rows' assignments, profiles, the
selection, the label column, the map's file and its saved state live in the Qt-free
`TableWorkspace` (session/table_workspace.py); the dock calls its methods and redraws
on its events (table_changed, map_changed, selection_changed, labels_changed,
dirty_changed, path_changed).  The map is the headless one the CLI trains
(`somdesk train --table`), so the window's assignments are `assign_cells` of the same
recipe and codebook as `somdesk assign`.  Every long step runs through the window's one
TaskRunner (gui/tasks.py) with the window's progress line and Stop; progress from
inside a blocking headless call comes through the task's `progress=` callback, which
the dock wires to `tasks.current().offer(...)` (latest wins).
"""
from __future__ import annotations

import html
import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QDockWidget, QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QSplitter, QTabWidget, QVBoxLayout, QWidget)

from somdesk.errors import SomdeskError
from somdesk.gui import dialogs
from somdesk.gui.map_view import legend_area
from somdesk.gui.profiles_view import ProfilesView
from somdesk.gui.segment_map import SegmentMap
from somdesk.gui.table_rows import RowsModel, RowsView
from somdesk.gui.table_estimate import AutoLine
from somdesk.gui.table_setup import TableSetup
from somdesk.gui.table_files import TABLE_FILTER, TableFiles
from somdesk.gui.table_open import TableOpening
from somdesk.gui.table_scale import TableScale
from somdesk.gui.table_views import MAP_VIEWS, TableViews
from somdesk.io.names import display_basename, display_name

__all__ = ["TableWorkflow", "KINDS", "offer"]

KINDS = ("segment", "score", "report", "export")      # runner task kinds of this module
_NONE = object()                                       # no label column picked during a run
NO_SELECTION = "Click a node, Ctrl+click to add, drag a region, or pick a segment."


def offer(value) -> None:
    """A task's `progress=` callback: hand `value` to the running worker (latest wins)."""
    from somdesk.gui import tasks

    worker = tasks.current()
    if worker is not None:
        worker.offer(value)


def _model_state(name: str, doc: str):
    return property(lambda self: getattr(self.ws, name), doc=f"{doc} (the session's TableWorkspace)")


# the widest a file name is drawn in the dock's labels (px); longer names are elided in the middle
NAME_PX = 360


class TableWorkflow(TableOpening, TableFiles, TableViews, TableScale):
    """See module docstring.  The state is `ws` (window.session.table); these read it."""

    table = _model_state("table", "The io.tables Table (None: none, or a saved map alone)")
    tm = _model_state("tm", "The TableMap (None before training)")
    path = _model_state("path", "The table's file")
    read_options = _model_state("read_options", "The import's read options")
    map_path = _model_state("map_path", "The map's .somz")
    dirty = _model_state("dirty", "Trained or changed since saved?")
    assigned = _model_state("assigned", "The rows' assignments (assign_cells)")
    profiles = _model_state("profiles", "The segment profiles")
    node_of_row = _model_state("node_of_row", "The flat node of each row")
    all_hits = _model_state("all_hits", "Every row's hits of an out-of-core map")
    unsaved = _model_state("unsaved", "A map not saved since")

    def __init__(self, window):
        self.win = window
        self.map_mode = "segments"
        self._map_message = ""
        self._build()
        window.runner.finished.connect(self._finished)
        window.runner.failed.connect(self._failed)
        ev = self.ws.events
        ev.table_changed.connect(self._table_changed)
        ev.map_changed.connect(self._map_changed)
        ev.selection_changed.connect(self._rows_selected)
        ev.labels_changed.connect(self._labels_changed)
        for name in ("dirty_changed", "path_changed"):
            getattr(ev, name).connect(lambda *_: self._refresh_if_alive())
        window.session.events.dataset_changed.connect(self.fit_layout)
        self.dock.visibilityChanged.connect(self.fit_layout)

    @property
    def ws(self):
        """The table model: session.table_workspace.TableWorkspace of the window's session."""
        return self.win.session.table

    @property
    def holds_data(self) -> bool:
        """Is a table (or table map) the window's data (Session.kind == "table")?"""
        return self.win.session.kind == "table"

    def _alive(self) -> bool:
        import shiboken6

        return shiboken6.isValid(self.win) and shiboken6.isValid(self.dock)

    def _refresh_if_alive(self) -> None:
        if self._alive():
            self.refresh()

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
        self.selection_label = QLabel(NO_SELECTION)
        self.selection_label.setWordWrap(True)
        self.rows_model = RowsModel()
        self.rows_view = RowsView()
        self.rows_view.setModel(self.rows_model)
        self.export_rows_button = QPushButton("E&xport rows…")
        self.export_rows_button.clicked.connect(lambda: self.export_rows())
        self.map_view.selection_changed.connect(self._selected)
        self.rows_view.row_hovered.connect(self._row_hovered)
        self.map_view.node_hovered.connect(self._node_hovered)
        # the Show combo was sized once for "segments" and cut a later "labels: customer_type" to
        # "labels: custome": it shares the bar's width now, its tooltip and list give whole names
        self.map_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.map_choice.setMinimumContentsLength(12)
        self.map_choice.currentTextChanged.connect(self.map_choice.setToolTip)
        self.segment_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.segment_choice.setMinimumContentsLength(8)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.map_choice, 3)
        bar.addWidget(QLabel("Select segment"))
        bar.addWidget(self.segment_choice, 2)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.scale_label)
        self.warnings_label = QLabel()          # the preparation's warnings (what the CLI prints)
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setObjectName("table-warnings")
        self.warnings_label.setStyleSheet("color: #a04000;")
        self.warnings_label.hide()
        tl.addWidget(self.warnings_label)
        tl.addLayout(bar)
        tl.addWidget(self.map_view, 1)
        self.legend = QLabel()
        self.legend.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        tl.addWidget(legend_area(self.legend))      # scrolls past 200 px (tester6 F22)
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
        # a ratings table's top items as CSV, as `train --top-items` (tester9 #3): shown with the list
        self.top_items_button = QPushButton("Export top &items CSV…")
        self.top_items_button.setToolTip("Each segment's top items (segment, rank, item, mean, ratings, lift): "
                                         "the file somdesk train --top-items writes")
        self.top_items_button.clicked.connect(lambda: self.export_top_items())
        self.top_items_button.hide()
        self.profiles_view.ratings.toggled.connect(lambda _on: self.refresh())
        pb.addStretch(1)
        pb.addWidget(self.top_items_button)
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
        # the Setup tab scrolls when the window is short: its form, column list and curve asked
        # 616 px, which made a window with a table at least 742 px high (tester6 F49: a 768 px
        # laptop screen); it fills the tab when there is room
        setup_scroll = QScrollArea()
        setup_scroll.setWidget(setup_page)
        setup_scroll.setWidgetResizable(True)
        setup_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.tabs.addTab(setup_scroll, "Setup")
        self.tabs.addTab(rows_page, "Map && rows")
        self.tabs.addTab(planes_page, "Planes")
        self.tabs.addTab(prof_page, "Profiles")
        self.dock = QDockWidget("Segments", w)
        self.dock.setObjectName("segments-dock")
        # no close button: the dock holds the window's table and map, and closing it left an
        # empty window with no way back (tester6 F41); it still moves and floats
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                              | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.dock.setWidget(self.tabs)
        w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.setup.k_edited.connect(self._k_edited)
        self.setup.label.currentIndexChanged.connect(self._label_edited)
        self.auto_line = AutoLine(self.dock, self.setup.show_auto)
        self.setup.spec_edited.connect(self._estimate_auto)
        self.out_of_core.toggled.connect(self._estimate_auto)
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
        ws = self.ws
        busy = self.win.runner.busy
        has_map = ws.tm is not None
        self.train_button.setEnabled(ws.table is not None and not busy)
        self.actions["open_table"].setEnabled(not busy)
        self.actions["report"].setEnabled(has_map and not busy)
        self.actions["save_table_map"].setEnabled(has_map and not busy)
        self.actions["score"].setEnabled(not busy)
        self.export_rows_button.setEnabled(self.rows_model.rowCount() > 0 and not busy)
        self.map_choice.setEnabled(has_map and not busy)      # a live out-of-core view is the sample's hits
        self.segment_choice.setEnabled(has_map and not busy)
        self.profiles_csv_button.setEnabled(ws.profiles is not None)
        self.planes_png_button.setEnabled(self.planes.image is not None)
        self.profiles_png_button.setEnabled(ws.profiles is not None)
        self.top_items_button.setVisible(self.profiles_view.ratings.isChecked())
        self.top_items_button.setEnabled(ws.top_items is not None)
        self.setup.setEnabled(not busy)
        self._window_state(busy, has_map)

    def _window_state(self, busy: bool, has_map: bool) -> None:
        """While the session holds a table: the title names it and File › Save (Ctrl+S)
        saves the table map."""
        w, ws = self.win, self.ws
        if not self.holds_data:
            return
        rows = f" ({ws.table.n_rows_total:,} rows)" if ws.table is not None else ""
        w.setWindowTitle(f"somdesk — {display_name(ws.title)}[*]{rows}")
        w.setWindowModified(bool(ws.dirty))
        for key in ("save", "save_as"):
            if key in w.actions:
                w.actions[key].setEnabled(has_map and not busy)
        if "train" in w.actions:                # Training › Train (Ctrl+T) trains the table map
            w.actions["train"].setEnabled(ws.table is not None and not busy)

    # -- the model's events -------------------------------------------------------------------------
    def _short(self, name: str, px: int = NAME_PX) -> str:
        """`name` elided in the middle to `px` pixels of the info label's bold font: a file name
        has no spaces to wrap at, and a long one widened the window past the screen (tester6
        F51); the whole path is the label's tooltip."""
        from PySide6.QtGui import QFontMetrics

        font = self.info.font()
        font.setBold(True)
        return QFontMetrics(font).elidedText(name, Qt.TextElideMode.ElideMiddle, px)

    def _table_changed(self, table) -> None:
        """Another table (or none): every widget of the old one is cleared."""
        if not self._alive():
            return
        ws = self.ws
        if table is not None:
            self.setup.set_table(table)
        else:                                   # a map without its table, or closed: no old columns
            self.setup.clear()
        if table is not None:
            sampled = (f"; <b>a sample of {table.n_rows:,} of {table.n_rows_total:,} rows is held in memory</b> "
                       "(the rows view, profiles and training, as somdesk train --table); out of core, training reads every row"
                       if table.sampled else "")
            read = "".join(f"<br>Warning: {html.escape(w)}" for w in table.warnings if not table.sampled
                           or "random sample" not in w)       # the sample is said above
            self.info.setText(f"<b>{html.escape(self._short(table.name))}</b>: {table.n_rows_total:,} rows × "
                              f"{len(table.columns)} columns{sampled}{read}")
            self.info.setToolTip(os.fspath(getattr(table, "path", None) or ws.path or table.name))
        else:
            self.info.setText(f"<b>{html.escape(self._short(display_basename(ws.path or '')))}</b>: "
                              "a saved table map without its table")
            self.info.setToolTip(ws.path or "")
        self._clear_map_widgets()
        self._scale_table_set(table)
        if not ws.holds_data:                   # closed: another kind of data is the window's
            self.dock.hide()
            self.refresh()
            return
        self.show_dock()
        self.tabs.setCurrentIndex(0)
        if table is not None:
            self._estimate_auto()
        self.refresh()
        self.win.refresh()

    def _clear_map_widgets(self) -> None:
        """Every widget that shows something of a map back to its empty state (another table,
        the map dropped, or the table closed for a palette): nothing of the old map survives."""
        self.rows_model.set_columns({})
        self.map_view.clear()
        self.profiles_view.show_profiles(None)
        self.planes.show_planes(None)
        self.segment_choice.clear()
        self.selection_label.setText(NO_SELECTION)
        self.setup.clear_curve()
        self.setup.show_auto(None)
        self.legend.clear()
        self.legend_picture = None
        self.hover_label.setText("")
        self.warnings_label.setText("")
        self.warnings_label.hide()
        if getattr(self.win, "hover", None) is not None:
            self.win.hover.setText("")
        self._filling_views = True
        try:                                  # the old map's plane names are not this table's views
            self.map_choice.clear()
            self.map_choice.addItems(MAP_VIEWS)
        finally:
            self._filling_views = False
        self.map_mode = "segments"
        if self._map_message and self.win.statusBar().currentMessage() == self._map_message:
            self.win.statusBar().clearMessage()
        self._map_message = ""

    @property
    def running(self) -> bool:
        """Is one of the dock's tasks (training, scoring, the report) running?"""
        return self.win.runner.busy and self.win.runner.kind in KINDS

    def close_table(self) -> None:
        """Forget the table and its map (TableWorkspace.close; the dock hides on its event)."""
        self.ws.close()

    def show_dock(self) -> None:
        """Show the Segments dock.  Without a dataset the map area is hidden FIRST: the dock's
        minimum width beside the map area's (576 + 786 px) made Qt widen the window to 1,368 px
        when a table map was reopened (tester8 #15 b; the long status line was not the cause)."""
        central = self.win.centralWidget()
        if central is not None and self.win.session.dataset is None:
            central.setVisible(False)
        self.dock.show()
        self.fit_layout()

    def fit_layout(self, *_args) -> None:
        """While the window's session holds no dataset, its map area would be an empty canvas:
        hide it so the Segments dock takes the whole window; show it again once it has one."""
        import shiboken6

        if not shiboken6.isValid(self.win):     # the session's events outlived a deleted window
            return
        central = self.win.centralWidget()
        if central is not None:
            central.setVisible(self.win.session.dataset is not None or not self.dock.isVisible())

    def _estimate_auto(self, *_args) -> None:
        """What "auto" makes for the choices now: the session's rule (gui/table_estimate.AutoLine)."""
        try:
            spec = self.setup.spec() if self.ws.table is not None else None
        except SomdeskError:
            spec = None
        self.auto_line.update(self.ws.table, spec, self.out_of_core.isChecked())

    # -- training and segments ------------------------------------------------------------------------
    def train(self, seed: int = 0) -> bool:
        """Train the table map from the setup panel (random seed `seed`: the smoke mode's)."""
        ws = self.ws
        if self.win.runner.busy:
            return False
        try:
            ws.check_trainable()      # a map whose table is not open says so (tester6 F26)
            spec = self.setup.spec(seed=seed)
            ws.set_spec(spec)
            if self.out_of_core.isChecked():
                ws.check_out_of_core(spec)
        except SomdeskError as exc:
            self.win.show_error(str(exc))
            return False
        self.win.run_started()        # the last run's "Table map (stopped after …)" line goes
        if self.out_of_core.isChecked():
            self.train_out_of_core(spec)
        else:
            self.win.runner.start("segment", lambda token: ws.train_task(spec, token, offer, defer_measuring=True))
        self.win.refresh()
        self.refresh()
        return True

    def _k_edited(self, k: int) -> None:
        ws = self.ws
        if ws.tm is None or self.win.runner.busy:
            return
        self.win.runner.start("segment", lambda token: ws.recluster_task(k or None, token), what="resegment")
        self.refresh()

    def _apply_wanted_label(self) -> bool:
        """The label column picked during the run, applied to the map it ended with; True when
        one was (the status line then says so)."""
        wanted, self._label_wanted = getattr(self, "_label_wanted", _NONE), _NONE
        ws = self.ws
        if wanted is _NONE or ws.tm is None or ws.table is None or wanted == ws.label_column:
            return False
        try:
            ws.set_label_column(wanted)
        except SomdeskError as exc:
            self.win.show_error(str(exc))
            return False
        label = display_name(wanted) if wanted is not None else "no column"
        self.win.statusBar().showMessage(f"{self._map_message}  Labelled by {label}, as picked during the run.",
                                         15000)
        return True

    def measure_stopped(self, run) -> None:
        """A table run was stopped (the task ended at once): its epochs' map is measured,
        segmented and its rows assigned by a task of its own, which Stop ends at once too
        (tester7 #25: that measuring on 200,000 rows held the stopped task 18 s)."""
        ws = self.ws
        self.win.statusBar().showMessage(f"Stopped after epoch {run.tm.epochs_done} of {run.tm.config.iterations}: "
                                         f"measuring that map on {run.rows:,} rows (Stop skips it; Train "
                                         "continues the run).", 15000)
        self.win.runner.start("segment", lambda token: ws.measure_task(run, token), what="measure")
        self.win.refresh()
        self.refresh()

    def _failed(self, kind: str, _message: str, _details: str) -> None:
        """A failed training run (the window shows the message): the dock says what is shown
        again, not the run's last progress line (tester4 F1: "Training on all 2,000,001 rows
        out of core ..." stayed over an empty map)."""
        if kind == "segment":
            self._label_wanted = _NONE        # a pick during a failed run must not return over a later one
        if kind == "segment" and self._alive():
            if self.ws.tm is None:            # nothing to show on the map tab: back to the settings
                self.tabs.setCurrentIndex(0)
            self._nothing_kept("Training failed; ")
            self.refresh()

    def _nothing_kept(self, why: str) -> None:
        """A table run that kept nothing (stopped before its first epoch, failed): the dock
        says what is shown again, not the run's last line, and the status bar why."""
        self._scale_installed()
        self.selection_label.setText(NO_SELECTION)
        self.win.statusBar().showMessage(why + "nothing was kept"
                                         + (" (the previous map stays)." if self.ws.tm is not None else "."), 15000)

    def _finished(self, kind: str, result, stopped: bool) -> None:
        if not self._alive():
            return
        if kind == "open" and not stopped and self.holds_data and self.ws.loaded and self._map_message:
            # after the window's "Opened x" (connected first): what the opened table map is
            self.win.statusBar().showMessage(self._map_message, 15000)
        if kind not in KINDS:
            return
        follow_up = result is not None and isinstance(result, dict) and "stopped_run" in result
        labelled = kind == "segment" and not follow_up and self._apply_wanted_label()
        if kind == "score" and result is not None:
            n, warnings = result
            text = f"Scored {n:,} rows into {display_basename(self._score_out)}."
            self.last_score = (n, list(warnings))
            self.win.statusBar().showMessage(text, 15000)
            if warnings and self.win.interactive:
                dialogs.show_message(self.win, "somdesk", text, "\n".join(warnings))
        elif kind == "report" and result is not None:
            self.win.statusBar().showMessage(f"Wrote {display_basename(result)}.", 10000)
        elif kind == "export" and result is not None:      # Export rows (gui/table_files.py)
            self.win.statusBar().showMessage(f"Wrote {result:,} rows to {display_basename(self._export_out)}.", 8000)
        elif kind == "segment" and follow_up:
            self.measure_stopped(result["stopped_run"])
            return
        elif kind == "segment" and stopped and self.ws.pending is not None:
            run = self.ws.pending
            self._nothing_kept(f"Measuring stopped: the map of epoch {run.tm.epochs_done} of "
                               f"{run.tm.config.iterations} is not shown, Train continues the run from it; ")
        elif kind == "segment" and result is not None and labelled:
            pass                                                         # the status says both
        elif kind == "segment" and result is not None and self._map_message:
            self.win.statusBar().showMessage(self._map_message, 15000)    # a stopped run's map too
        elif stopped:
            if kind == "segment":
                self._nothing_kept("Stopped before the first epoch ended: ")
            elif kind == "export":
                self.win.statusBar().showMessage(f"Export rows stopped: {display_basename(self._export_out)} "
                                                 "was not written.", 8000)
            else:
                self.win.statusBar().showMessage("Cancelled.", 5000)
        self.refresh()

    def _map_changed(self, tm) -> None:
        """A map trained, re-clustered or opened (or None: gone): every view of it again."""
        if not self._alive():
            return
        ws = self.ws
        if tm is None:
            self._clear_map_widgets()
            if ws.table is not None:
                self._estimate_auto()
            self.refresh()
            return
        self._scale_installed()
        self.auto_line.cancel()             # an "auto" asked for before the map came must not replace its line
        cfg = tm.config
        self.segment_choice.clear()
        self.segment_choice.addItem("—", None)
        self.rows_model.set_columns(ws.row_columns())
        if ws.assigned is not None:
            for i, s in enumerate(ws.profiles["segments"]):
                self.segment_choice.addItem(f"segment {s} ({int(ws.profiles['size'][i]):,} rows)", s)
        else:      # a saved map without its table: hits of the rows the map keeps
            for s in range(tm.k):
                self.segment_choice.addItem(f"segment {s}", s)
        if ws.loaded and ws.table is not None and ws.spec is not None:
            self._show_spec(ws.spec)                # a reopened map: its recipe in the Setup tab
        elif ws.loaded and ws.spec is not None:
            self._show_map_choices(ws.spec)         # without its table: its k and label at least
        i = self.setup.label.findData(ws.label_column)
        if i >= 0 and i != self.setup.label.currentIndex():       # the map's label column, shown
            self.setup.label.blockSignals(True)
            self.setup.label.setCurrentIndex(i)
            self.setup.label.blockSignals(False)
        self.setup.show_curve(tm.curve, tm.k)
        # rows trained on: known for a run of this window; a saved map keeps only its inputs (an
        # out-of-core map's are its sample), so a reopened one does not say
        ooc = ws.out_of_core or {}
        rows = ooc.get("rows") or (None if ws.loaded or tm.inputs is None else len(tm.inputs))
        self.setup.show_trained(cfg.height, cfg.width, cfg.iterations, rows)
        self.profiles_view.show_profiles(ws.profiles, ws.top_items)
        if ws.profiles is None and ws.table is None:     # not "Train the table map…" on a trained map
            self.profiles_view.note.setText(self.profiles_missing())
        self._fill_views()
        self.draw_map()
        self.show_planes()
        self.map_view.select_nodes(ws.selected, emit=False)
        self._rows_selected(ws.selected_rows)
        what = "Opened table map" if ws.loaded else "Table map"
        if ws.stopped:
            what += f" (stopped after epoch {tm.epochs_done} of {cfg.iterations}: Train continues it)"
        note = f"  Rows not shown: {ws.map_note}." if ws.loaded and ws.map_note else ""
        warned = "; ".join(ws.warnings)
        self.warnings_label.setText(f"Warning: {warned}." if warned else "")
        self.warnings_label.setVisible(bool(warned))
        note += f"  Warning: {warned}." if warned else ""
        epochs = "" if ws.stopped else f", {cfg.iterations} epochs"     # stopped: said in `what` (tester8 #15)
        self._map_message = (f"{what} {cfg.height} × {cfg.width}{epochs}: quantization error "
                             f"{tm.quantization_error:.4f}, topographic error {tm.topographic_error:.3f}; "
                             f"{tm.k} segment{'' if tm.k == 1 else 's'}.{note}")
        self.win.statusBar().showMessage(self._map_message, 15000)
        if not self.dock.isVisible():
            self.show_dock()
        if self.tabs.currentIndex() == 0:
            self.tabs.setCurrentIndex(1)
        self.refresh()
        self.win.refresh()

    def _show_spec(self, spec) -> None:
        """The Setup tab shows `spec` (TableWorkspace.spec of a reopened map), so Train repeats it;
        no edit signal fires (no re-clustering, no estimate)."""
        su = self.setup
        widgets = (su.label, su.k, su.normalise, su.missing, su.topology, su.height, su.width, su.epochs)
        su._updating = True
        for w in widgets:
            w.blockSignals(True)
        try:
            for c in [r.name for r in su.columns.choices()]:
                used = c in (spec.columns or ())
                su.set_column(c, use=used, passive=c in spec.passive, weight=spec.weights.get(c, 1.0),
                              categorical=(c in spec.categorical) if used else None)
            su.label.setCurrentIndex(max(0, su.label.findData(spec.label)))
            for combo, text in ((su.normalise, spec.normalise), (su.missing, spec.missing),
                                (su.topology, spec.topology)):
                if combo.findText(str(text)) >= 0:
                    combo.setCurrentText(str(text))
            su.height.setValue(spec.height or 0)
            su.width.setValue(spec.width or 0)
            su.epochs.setValue(spec.epochs or 0)
            su.k.setValue(spec.clusters or 0)
        finally:
            for w in widgets:
                w.blockSignals(False)
            su._updating = False

    def profiles_missing(self) -> str:
        """Why a reopened map shows no profiles: they are of its rows, and its table is not open."""
        tm = self.ws.tm
        name = display_basename((tm.source or tm.source_path or "") if tm is not None else "") or "its table"
        why = f" ({self.ws.map_note})" if self.ws.map_note else ""
        return f"Profiles need the map's table {name}{why}: open it (File › Open) to see them."

    def _show_map_choices(self, spec) -> None:
        """A reopened map without its table: the Setup tab shows its number of segments and its
        label column (tester8 #8: "suggested" and "(none)" for a map saved with k = 4 and a label),
        no edit signal fires."""
        su = self.setup
        su._updating = True
        for w in (su.label, su.k):
            w.blockSignals(True)
        try:
            su.k.setValue(spec.clusters or 0)
            label = self.ws.label_column
            if label is not None and su.label.findData(label) < 0:
                su.label.addItem(display_name(label), label)
            su.label.setCurrentIndex(max(0, su.label.findData(label)))
        finally:
            for w in (su.label, su.k):
                w.blockSignals(False)
            su._updating = False

    def _label_edited(self, _i: int) -> None:
        """Another label column picked while a map is shown: relabel it, no retraining.  Picked
        while a map trains, it is kept and applied to the map the run ends with (tester8 #4:
        the run's end put the combo back to the label it started with, without a word)."""
        ws = self.ws
        if self.win.runner.busy and self.win.runner.kind == "segment":
            self._label_wanted = self.setup.label.currentData()
            return
        self._label_wanted = _NONE            # picked when idle: this choice is the latest
        if ws.tm is None or ws.table is None or self.win.runner.busy:
            return
        try:
            ws.set_label_column(self.setup.label.currentData())
        except SomdeskError as exc:
            self.win.show_error(str(exc))

    def _labels_changed(self, column) -> None:
        """Another label column (from the Setup tab or the model: Session.set_label_column): the
        Setup tab's combo shows it, the views list and the map follow (no retraining)."""
        if not self._alive():
            return
        combo = self.setup.label
        i = combo.findData(column)
        if i >= 0 and i != combo.currentIndex():
            combo.blockSignals(True)          # the model changed it: no "edited" back to the model
            combo.setCurrentIndex(i)
            combo.blockSignals(False)
        if self.ws.tm is not None:
            self._fill_views()
            self.draw_map()

    def _pick_segment(self, _i: int) -> None:
        s = self.segment_choice.currentData()
        if s is not None and self.ws.tm is not None:
            self.select_segment(int(s))

    def select_segment(self, s: int) -> None:
        i = self.segment_choice.findData(int(s))
        if i >= 0 and i != self.segment_choice.currentIndex():
            self.segment_choice.setCurrentIndex(i)
        self.map_view.select_nodes(self.ws.segment_nodes(s))

    def _selected(self, nodes) -> None:
        """The map view's selection (clicks, drags, a segment) goes to the model."""
        if self.ws.tm is not None:
            self.ws.select_nodes(nodes)

    def _rows_selected(self, rows) -> None:
        if not self._alive():
            return
        ws = self.ws
        if ws.whole_segment() is None:
            self.segment_choice.setCurrentIndex(0 if self.segment_choice.count() else -1)
        self.rows_model.set_rows(rows)
        n = len(ws.selected)
        self.selection_label.setText(f"{n} node{'s' if n != 1 else ''} selected: {len(rows):,} rows"
                                     if n else NO_SELECTION)
        self.refresh()

    def _row_hovered(self, i: int) -> None:
        ws = self.ws
        node = ws.node_of(i) if i >= 0 else -1
        self.map_view.highlight(node)
        text = ws.describe_row(i) if node >= 0 else ""
        self.hover_label.setText(text)
        self.win.hover.setText(text)
