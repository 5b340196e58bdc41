"""The Segments dock's widgets: its tabs (Setup, Map & rows, Planes, Profiles), the File menu's
table actions, and how the dock shares the window (a mixin of gui/table_workflow.TableWorkflow).

    wf._build()          # once, from TableWorkflow.__init__: every widget as an attribute of wf
    wf.show_dock()       # the map area hidden first while the window holds no dataset

Widgets only: what they show comes from the session's TableWorkspace through the workflow's
event handlers (gui/table_map_events.py) and its refresh().
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QDockWidget, QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QSplitter, QTabWidget, QVBoxLayout, QWidget)

from somdesk.gui.map_view import HoverLine, legend_area
from somdesk.gui.profiles_view import ProfilesView
from somdesk.gui.segment_map import SegmentMap
from somdesk.gui.table_estimate import AutoLine
from somdesk.gui.table_rows import RowsModel, RowsView
from somdesk.gui.table_setup import TableSetup
from somdesk.gui.table_views import MAP_VIEWS
from somdesk.gui.warning_notes import notes_label

__all__ = ["TableDock", "NO_SELECTION", "NAME_PX"]

NO_SELECTION = "Click a node, Ctrl+click to add, drag a region, or pick a segment."
# the widest a file name is drawn in the dock's labels (px); longer names are elided in the middle
NAME_PX = 360


class TableDock:
    """The dock and its widgets (see module docstring)."""

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
        # "segment 1 (40,228 rows)" was cut to "segment 1 (40,228 ro" at 1280 x 720 (testerH #8): the
        # segment combo asks for its longest item and gets it before the Show combo's stretch;
        # squeezed below that (a narrow pane) it can shrink to "segment 12" and its tooltip has it all
        self.segment_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.segment_choice.setMinimumWidth(self.segment_choice.fontMetrics().horizontalAdvance("segment 12") + 36)
        self.segment_choice.currentTextChanged.connect(self._segment_tip)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.map_choice, 3)
        bar.addWidget(QLabel("Select segment"))
        bar.addWidget(self.segment_choice)
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
        # a reopened map whose table moved: point at the file instead of starting afresh (testerH #9)
        self.locate_button = QPushButton("&Locate table…")
        self.locate_button.setToolTip("Show the map's rows: pick its table where it is now "
                                      "(it must have the columns the map was trained on)")
        self.locate_button.clicked.connect(lambda: self.locate_table())
        self.locate_button.hide()
        locate_row = QHBoxLayout()
        locate_row.addWidget(self.locate_button)
        locate_row.addStretch(1)
        tl.addLayout(locate_row)
        self.score_notes = notes_label("score-warnings")   # the last Score new data's warnings (`assign`'s)
        tl.addWidget(self.score_notes)
        tl.addLayout(bar)
        tl.addWidget(self.map_view, 1)
        self.legend = QLabel()
        self.legend.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        tl.addWidget(legend_area(self.legend))      # scrolls past 200 px (tester6 F22)
        self.hover_label = HoverLine()          # "Hover over a node…" while empty (gui/map_view.HoverLine)
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
        self.setup.zeros_missing.connect(lambda: self.read_zeros_as_missing())
        self.setup.text_missing.connect(lambda word: self.read_as_missing(word))
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

    def show_dock(self) -> None:
        """Show the Segments dock.  Without a dataset the map area is hidden FIRST: the dock's
        minimum width beside the map area's (576 + 786 px) made Qt widen the window to 1,368 px
        when a table map was reopened (tester8 #15 b; the long status line was not the cause)."""
        central = self.win.centralWidget()
        if central is not None and self.win.session.dataset is None:
            central.setVisible(False)
        self.dock.show()
        self.fit_layout()

    def _segment_tip(self, text: str) -> None:
        """The segment combo's tooltip names the chosen segment whole (the combo may be squeezed)."""
        base = "Select every node of a segment"
        self.segment_choice.setToolTip(f"{base}: {text}" if text and text != "—" else base)

    def fit_layout(self, *_args) -> None:
        """While the window's session holds no dataset, its map area would be an empty canvas:
        hide it so the Segments dock takes the whole window; show it again once it has one."""
        import shiboken6

        if not shiboken6.isValid(self.win):     # the session's events outlived a deleted window
            return
        central = self.win.centralWidget()
        if central is not None:
            central.setVisible(self.win.session.dataset is not None or not self.dock.isVisible())

    def _short(self, name: str, px: int = NAME_PX) -> str:
        """`name` elided in the middle to `px` pixels of the info label's bold font: a file name
        has no spaces to wrap at, and a long one widened the window past the screen (tester6
        F51); the whole path is the label's tooltip."""
        from PySide6.QtGui import QFontMetrics

        font = self.info.font()
        font.setBold(True)
        return QFontMetrics(font).elidedText(name, Qt.TextElideMode.ElideMiddle, px)
