"""Table segmentation mode: a CSV's rows organise a map; its regions are the segments.

Open a CSV (button, drop, or "Try the sample"), tick the numeric columns,
optionally pick a label column, choose the normalisation and what to do with
missing cells; the data is prepared in a worker (`Table.prepare`) and the
panel shows the missing-cell count, dropped rows and each column's offset and
scale.  Train runs a batch SOM through the main window's `TrainingController`
and `TrainingWorker`, live: U-matrix or hit map (`SegmentCanvas`, the main
canvas plus overlays), majority labels, one component plane per feature in
its own units, and QE/TE (`MetricsPlot`).  When training ends the codebook is
clustered (SOM-Ward, k from the spin box) in a worker and the assignments of
every row (node row, column, cluster) can be written as CSV.
"""
from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QPushButton, QSplitter, QVBoxLayout, QWidget

from somdesk.core import SOM, SOMConfig
from somdesk.core.clustering import majority_labels
from somdesk.errors import SomdeskError
from somdesk.gui.controller import IDLE, TrainingController
from somdesk.gui.metrics_plot import MetricsPlot
from somdesk.gui.status import TrainingStatus
from somdesk.gui.modes import common
from somdesk.gui.modes.jobs import JobRunner
from somdesk.gui.modes.table_jobs import cluster_job, export_job, prepare_job
from somdesk.gui.modes.table_panel import DataPanel, MapToolbar, SegmentsBox
from somdesk.gui.modes.table_views import ComponentPlanes, SegmentCanvas
from somdesk.io.table import read_table

SAMPLE = dict(columns=("age", "annual_income", "visits_per_month", "basket_size", "online_share"),
              label="segment", normalise="zscore", missing="drop", size=(12, 10), k=5, train=True)
LIVE_LABEL_ROWS = 20_000     # bigger tables get their majority labels at the end only
LABEL_INTERVAL = 0.5         # s between live majority-label updates
PLANE_INTERVAL = 0.1         # s between live component-plane updates
MAX_SUMMARY = 12
CLOSE_WAIT_MS = 0          # closing never waits: jobs stop at their next check or end unheard; quit joins them


class TableModeWindow(common.OpensDroppedFiles, QMainWindow):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("somdesk — table segmentation")
        self.setAcceptDrops(True)
        self.table = None
        self.prepared = None          # Table.prepare of the panel's current choices
        self._prepared_key = None
        self._label_names: list[str] = []
        self.trained = None           # the Prepared the shown map was trained on
        self.snapshot = None
        self.clusters = None
        self.last_error: str | None = None
        self.last_saved: str | None = None
        self._after_load: dict | None = None
        self._train_when_prepared = False
        self._pending_export: str | None = None
        self._last_labels = self._last_planes = 0.0
        self.data_runner = JobRunner(self)      # load, prepare
        self.map_runner = JobRunner(self)       # cluster, export
        self.controller = TrainingController(self)
        self.controller.set_view("umatrix")     # snapshots carry the U-matrix
        self._build()
        self._prepare_timer = QTimer(self, singleShot=True, interval=150)
        self._prepare_timer.timeout.connect(self.prepare)
        self._cluster_timer = QTimer(self, singleShot=True, interval=200)
        self._cluster_timer.timeout.connect(self.find_clusters)
        self._connect()
        self._update_enabled()
        self.status.clear(self.toolbar.epochs_spin.value())
        self.metrics.clear_points(self.toolbar.epochs_spin.value())
        self.resize(1320, 860)

    # -- construction ------------------------------------------------------------------
    def _build(self) -> None:
        self.open_button = QPushButton("Open CSV…")
        self.sample_button = QPushButton("Try the sample")
        self.sample_button.setToolTip("1,000 made-up customers in five segments (resources/samples/customers.csv)")
        self.file_info = common.note("No table yet: open a CSV file, drop one here, or try the sample.")
        self.panel = DataPanel()
        files = QHBoxLayout()
        files.addWidget(self.open_button)
        files.addWidget(self.sample_button)
        self.segments = SegmentsBox()
        seg = self.segments           # short names for what the window uses most
        self.k_spin, self.method_combo = seg.k_spin, seg.method_combo
        self.cluster_summary, self.export_button = seg.summary, seg.export_button
        left = QWidget()
        lay = QVBoxLayout(left)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(common.group("Data", files, self.file_info, self.panel), 1)
        lay.addWidget(self.segments)
        scroll = common.ControlsScroll(left)
        scroll.setMinimumWidth(max(330, left.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width()))
        self.toolbar = MapToolbar()
        self.addToolBar(self.toolbar)
        self.status = TrainingStatus()
        self.statusBar().addPermanentWidget(self.status)

        self.map_title = common.note("", wrap=False)
        self.map_title.setStyleSheet("font-weight: 600; padding: 2px 4px;")
        self.canvas = SegmentCanvas()
        self.canvas.setMinimumSize(300, 280)
        self.canvas.set_segment_view("umatrix")
        self.legend = QLabel("")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.hover_label = common.note("", wrap=False)
        self.hover_label.setStyleSheet("font-family: monospace; padding: 2px 4px;")
        map_box = QWidget()
        ml = QVBoxLayout(map_box)
        ml.setContentsMargins(0, 0, 0, 0)
        ml.setSpacing(3)
        ml.addWidget(self.map_title)
        ml.addWidget(self.canvas, 1)
        ml.addWidget(self.legend)
        ml.addWidget(self.hover_label)
        self.metrics = MetricsPlot()
        self.metrics.setMinimumHeight(120)
        centre = QSplitter(Qt.Orientation.Vertical)
        centre.addWidget(map_box)
        centre.addWidget(common.group("Measures", self.metrics))
        centre.setStretchFactor(0, 4)
        centre.setStretchFactor(1, 1)
        centre.setSizes([600, 190])
        self.planes = ComponentPlanes()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(scroll)
        split.addWidget(centre)
        split.addWidget(self.planes)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 1)
        split.setSizes([scroll.minimumWidth(), 500, 1320 - 500 - scroll.minimumWidth()])
        self.setCentralWidget(split)

    def _connect(self) -> None:
        for runner in (self.data_runner, self.map_runner):
            runner.finished.connect(self._on_job_finished)
            runner.failed.connect(self._on_job_failed)
            runner.busy_changed.connect(lambda _b: self._update_enabled())
        c = self.controller
        c.snapshot_ready.connect(self._on_snapshot)
        c.finished.connect(self._on_finished)
        c.failed.connect(lambda msg, details: self.show_error(msg, details))
        c.state_changed.connect(lambda _s: self._update_enabled())
        self.open_button.clicked.connect(lambda: self.open_table())
        self.sample_button.clicked.connect(lambda: self.load_sample())
        self.panel.changed.connect(self._prepare_timer.start)
        self.toolbar.train_button.clicked.connect(self.train)
        self.toolbar.stop_button.clicked.connect(self.controller.stop)
        self.k_spin.valueChanged.connect(lambda _v: self._cluster_timer.start())
        self.method_combo.currentIndexChanged.connect(lambda _i: self._cluster_timer.start())
        self.export_button.clicked.connect(lambda: self.export_assignments())
        tools = self.toolbar
        tools.view_combo.currentIndexChanged.connect(lambda _i: self.set_view(tools.view_combo.currentData()))
        tools.labels_check.toggled.connect(lambda on: (self.canvas.set_overlays(labels=on), self._update_legend()))
        tools.edges_check.toggled.connect(lambda on: self.canvas.set_overlays(edges=on))
        self.canvas.hovered.connect(self.hover_label.setText)

    def set_fast(self, fast: bool = True) -> None:
        """Train at full speed (True) or at the watchable pace."""
        self.toolbar.pace_combo.setCurrentIndex(1 if fast else 0)

    # -- files ---------------------------------------------------------------------------
    def open_table(self, path: str | None = None, after: dict | None = None) -> bool:
        """Read a CSV in the background (a dialog if `path` is None); `after` = choices to apply."""
        if path is None:
            path = common.ask_open_path(self, "Open table", "CSV tables (*.csv *.tsv *.txt);;All files (*)")
            if not path:
                return False
        self._after_load = after
        self.data_runner.start("load", lambda job: read_table(path))
        self.statusBar().showMessage(f"Reading {common.stem(path)}…")
        return True

    def load_sample(self) -> bool:
        """The sample customers table with its default columns and label, trained at once."""
        from somdesk.resources import resource_path
        path = resource_path("samples", "customers.csv")
        if path is None:
            self.show_error("The sample table resources/samples/customers.csv is not installed.")
            return False
        return self.open_table(str(path), after=SAMPLE)

    def _loaded(self, table) -> None:
        self.controller.shutdown()
        self.map_runner.shutdown()
        self.table, self.prepared, self._prepared_key = table, None, None
        self.file_info.setText(f"{table.name}: {table.n_rows:,} rows, {len(table.columns):,} columns "
                               f"({len(table.numeric_columns):,} numeric), {table.encoding}")
        self.setWindowTitle(f"somdesk — table segmentation — {table.name}")
        self.panel.set_table(table)
        after = self._after_load or {}
        self._after_load = None
        self.panel.set_choices(columns=after.get("columns"), label=after.get("label"),
                               normalise=after.get("normalise"), missing=after.get("missing"))
        if "size" in after:
            self.toolbar.width_spin.setValue(after["size"][0])
            self.toolbar.height_spin.setValue(after["size"][1])
        if "k" in after:
            self.k_spin.setValue(after["k"])
        self._train_when_prepared = bool(after.get("train"))
        self.statusBar().showMessage(f"Opened {table.name}.", 5000)
        if not table.numeric_columns:
            first = next((table.problem(c) for c in table.columns), "")
            self.show_error(f"{table.name} has no numeric column to train on ({first}).")
        self.prepare()

    # -- preparing and training -------------------------------------------------------------
    def prepare(self) -> None:
        self._prepare_timer.stop()
        if self.table is None:
            return
        key = self.panel.choices()
        if not key[0]:
            self.prepared, self._prepared_key = None, None
            self.panel.show_problem("Tick at least one numeric column to train on.")
            if self._train_when_prepared:
                self._train_when_prepared = False
                self.show_error("Tick at least one numeric column to train on.")
            self._update_enabled()
            return
        self.data_runner.start("prepare", prepare_job(self.table, key))

    def train(self) -> None:
        """Train a new map on the prepared data (preparing it first if the choices changed)."""
        if self.controller.state != IDLE:
            return
        if self.table is None:
            self.show_error("Open a CSV table first, or try the sample.")
            return
        if self.prepared is None or self._prepared_key != self.panel.choices():
            self._train_when_prepared = True
            self.prepare()
            return
        prep = self.prepared
        try:
            cfg = SOMConfig(width=self.toolbar.width_spin.value(), height=self.toolbar.height_spin.value(),
                            iterations=self.toolbar.epochs_spin.value(), mode="batch", init="pca",
                            topology=self.toolbar.topology_combo.currentText(), seed=1)
            som = SOM(prep.data, cfg)
        except SomdeskError as exc:
            self.show_error(str(exc))
            return
        self.map_runner.shutdown()
        self.trained, self.snapshot, self.clusters = prep, None, None
        self.canvas.set_label_names(self._label_names)
        self.canvas.set_clusters(None)
        self.canvas.set_labels(None)
        self._update_legend()
        self.cluster_summary.setText("Segments are found when training ends.")
        self.planes.set_features(prep.columns, (cfg.height, cfg.width))
        self.metrics.clear_points(cfg.iterations)
        self.status.clear(cfg.iterations)
        self.k_spin.setMaximum(min(30, cfg.width * cfg.height))
        self.controller.set_pace(self.toolbar.pace_combo.currentData())
        self.controller.start(som)

    def set_view(self, view: str) -> None:
        self.toolbar.view_combo.setCurrentIndex(self.toolbar.view_combo.findData(view))
        self.canvas.set_segment_view(view)
        self._update_title()

    def _on_snapshot(self, snap) -> None:
        self.snapshot = snap
        self.canvas.show_snapshot(snap)
        self.metrics.add_points(snap.measures)
        now = time.perf_counter()
        prep = self.trained
        if snap.final or now - self._last_planes >= PLANE_INTERVAL:
            self._last_planes = now
            h, w, d = snap.weights.shape
            units = prep.scaling.invert(snap.weights.reshape(-1, d)).reshape(h, w, d)
            self.planes.show_weights(units, snap.config.topology == "hexagonal")
        live = len(prep.data) <= LIVE_LABEL_ROWS and now - self._last_labels >= LABEL_INTERVAL
        if prep.labels is not None and snap.bmus is not None and (snap.final or live):
            self._last_labels = now
            self.canvas.set_labels(majority_labels(snap.bmus, prep.labels, *snap.weights.shape[:2]))
            self._update_legend()
        self.status.show_snapshot(snap, running=not snap.final)
        self._update_title()

    def _on_finished(self, snap) -> None:
        self.metrics.flush()   # the final curve now, not at the next redraw tick
        pts = self.metrics.points()
        msg = (f"Stopped at epoch {snap.iteration:,}" if snap.stopped else
               f"Finished {snap.total:,} epochs") + f" in {snap.elapsed:.1f} s"
        if len(pts):
            msg += f" · QE {pts[-1, 1]:.3f} · TE {pts[-1, 2]:.3f}"
        self.status.show_snapshot(snap, running=False)
        self.statusBar().showMessage(msg, 15000)
        self.find_clusters()

    # -- segments ----------------------------------------------------------------------------
    def find_clusters(self) -> None:
        self._cluster_timer.stop()
        snap = self.snapshot
        if snap is None or self.controller.state != IDLE or snap.bmus is None:
            return
        k = min(self.k_spin.value(), snap.weights.shape[0] * snap.weights.shape[1])
        self.cluster_summary.setText(f"Finding {k} segments…")
        self.map_runner.start("cluster", cluster_job(snap.weights, snap.bmus, self.trained.labels, k,
                                                      self.method_combo.currentData(), snap.config.topology))

    def export_assignments(self, path: str | None = None) -> bool:
        """Write row, node_row, node_col, cluster[, label] for every training row."""
        if self.snapshot is None or self.controller.state != IDLE or (
                self.clusters is None and self.map_runner.kind != "cluster"):
            self.show_error("Train the map and let it find the segments first.")
            return False
        if path is None:
            path = common.ask_save_path(self, "Export assignments", f"{common.stem(self.table.name)}-segments.csv",
                                        [("CSV table", ["*.csv"])])
            if not path:
                return False
        if self.map_runner.kind == "cluster":
            self._pending_export = path
            return True
        self.map_runner.start("export", export_job(path, self.trained, self.snapshot.weights, self.clusters))
        return True

    # -- jobs --------------------------------------------------------------------------------
    def _on_job_finished(self, kind: str, result) -> None:
        if kind == "load":
            self._loaded(result)
        elif kind == "prepare":
            key, prep, names = result
            if key == self.panel.choices():
                self.prepared, self._prepared_key, self._label_names = prep, key, names
                self.panel.show_prepared(prep)
                if self._train_when_prepared:
                    self._train_when_prepared = False
                    self.train()
        elif kind == "cluster":
            self.clusters, lines = result
            self.canvas.set_clusters(self.clusters)
            more = len(lines) - MAX_SUMMARY
            self.cluster_summary.setText("\n".join(lines[:MAX_SUMMARY] + ([f"… {more} more"] if more > 0 else [])))
            if self._pending_export:
                path, self._pending_export = self._pending_export, None
                self.export_assignments(path)
        elif kind == "export":
            self.last_saved, n = result
            self.statusBar().showMessage(f"Wrote {n:,} rows to {self.last_saved}.", 8000)
        self._update_enabled()

    def _on_job_failed(self, kind: str, message: str, details: str) -> None:
        if kind == "prepare":
            self.prepared, self._prepared_key = None, None
            self.panel.show_problem(message)
            if not self._train_when_prepared:
                self._update_enabled()
                return
            self._train_when_prepared = False
        self._pending_export = None
        self._update_enabled()
        self.show_error(message, details)

    # -- state -------------------------------------------------------------------------------
    def _update_enabled(self) -> None:
        idle = self.controller.state == IDLE
        self.panel.setEnabled(idle and self.table is not None)
        for w in (self.toolbar.width_spin, self.toolbar.height_spin, self.toolbar.topology_combo, self.toolbar.epochs_spin):
            w.setEnabled(idle)
        self.toolbar.train_button.setEnabled(idle and self.table is not None and self.data_runner.kind != "load")
        self.toolbar.stop_button.setEnabled(not idle)
        self.export_button.setEnabled(idle and self.clusters is not None)

    def _update_legend(self) -> None:
        self.legend.setText(self.canvas.legend_html() if self.canvas.labels is not None else "")

    def _update_title(self) -> None:
        snap = self.snapshot
        if snap is None:
            return
        cfg = snap.config
        view = self.toolbar.view_combo.currentText()
        self.map_title.setText(f"{view} · {cfg.width} × {cfg.height} {cfg.topology} · "
                               f"{len(self.trained.data):,} rows × {len(self.trained.columns):,} features")

    def show_error(self, message: str, details: str = "") -> None:
        self.last_error = message
        common.show_error(self, message, details)

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Stop every worker and join its thread (close: CLOSE_WAIT_MS for the jobs; quit: until done)."""
        self._prepare_timer.stop()
        self._cluster_timer.stop()
        self.controller.shutdown()          # training stops between two epochs
        self.data_runner.shutdown(timeout_ms)
        self.map_runner.shutdown(timeout_ms)

    def open_dropped(self, path: str) -> None:
        self.open_table(path)

    def closeEvent(self, event) -> None:
        self.shutdown(CLOSE_WAIT_MS)
        super().closeEvent(event)
