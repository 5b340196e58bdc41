"""The main window: parameters and input colours on the left, the live map and
its measures on the right, training controls in the toolbar.

The window never trains: `TrainingController` runs the SOM in a worker thread
and hands back snapshots.  While a run is active (running or paused) the
parameter panel is disabled and the palette strip refuses edits.

Files and exports live in helpers: `palette_actions.PaletteFiles` (palettes in
and out, recent files, drops), `map_files.MapDocument` (.somz save / open, the
unsaved mark and prompt), `export_dialog.ImageExports` (Export / Copy image) and
`timelapse_recorder.TimelapseRecorder` (frames while training, Export time-lapse).
"""
from __future__ import annotations

import sys

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QLabel, QMainWindow, QScrollArea, QSplitter,
                               QVBoxLayout, QWidget)

from somdesk.core import SOM
from somdesk.gui.modes import install_mode_menu
from somdesk.errors import SomdeskError
from somdesk.gui import dialogs
from somdesk.gui.canvas import VIEWS, MapCanvas, map_qimage
from somdesk.gui.controller import IDLE, PAUSED, RUNNING, TrainingController
from somdesk.gui.controls import ParameterPanel
from somdesk.gui.export_dialog import ImageExports
from somdesk.gui.map_files import MapDocument
from somdesk.gui.menus import SPEEDS, Actions, build_menus, build_toolbar
from somdesk.gui.metrics_plot import MetricsPlot
from somdesk.gui.palette_actions import PaletteFiles
from somdesk.gui.palette_strip import PaletteStrip, random_colours
from somdesk.gui.settings import Settings, restore_window, save_window
from somdesk.gui.status import TrainingStatus
from somdesk.gui.timelapse_recorder import TimelapseRecorder
from somdesk.gui.training import DEFAULT_FPS, Snapshot, make_snapshot

DEFAULT_COLOURS = 20


def _group(title: str, widget: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    lay = QVBoxLayout(box)
    lay.addWidget(widget)
    return box


class MainWindow(QMainWindow):
    """`settings=None` remembers nothing; `interactive=False` prints errors instead of
    showing dialogs (smoke mode); `confirm_unsaved=True` (the app) asks Save / Discard /
    Cancel before unsaved training is lost."""

    def __init__(self, settings: Settings | None = None, *, interactive: bool = True,
                 confirm_unsaved: bool = False):
        super().__init__()
        self.settings = settings
        self.interactive = interactive
        self.confirm_unsaved = confirm_unsaved
        self.last_error: str | None = None
        self.palette_name: str | None = None
        self.setWindowTitle("somdesk")
        self.setAcceptDrops(True)
        self.controller = TrainingController(self)
        self.actions = Actions(self)
        self.recent_menu = build_menus(self, self.actions, lambda path: self.open_palette(path))
        self.fps_spin = build_toolbar(self, self.actions)
        self.fps_spin.setValue(DEFAULT_FPS)
        self.params = ParameterPanel()
        self.palette = PaletteStrip()
        self.canvas = MapCanvas()
        self.metrics = MetricsPlot()
        self.map_title = QLabel()
        self.map_title.setStyleSheet("font-weight: 600; padding: 2px 4px;")
        self.hover_label = QLabel()   # node under the mouse: row, col, hex colour, hits, U
        self.hover_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.hover_label.setStyleSheet("padding: 2px 6px; font-family: monospace;")
        self.status = TrainingStatus()
        self.statusBar().addPermanentWidget(self.status)
        self.files = PaletteFiles(self)
        self.map_file = MapDocument(self)
        self.exports = ImageExports(self)
        self.timelapse = TimelapseRecorder(self)
        install_mode_menu(self)   # image quantisation and table segmentation windows
        self._build_layout()
        self._preview_timer = QTimer(self, singleShot=True, interval=120)
        self._preview_timer.timeout.connect(self.rebuild_preview)
        self._connect()
        self.resize(1320, 860)
        self.palette.set_colours(random_colours(DEFAULT_COLOURS))
        self._restore()
        self._on_state(IDLE)
        self.rebuild_preview()

    # -- construction ----------------------------------------------------------------
    def _build_layout(self) -> None:
        left = QWidget()
        lay = QVBoxLayout(left)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(_group("Map parameters", self.params))
        lay.addWidget(_group("Input colours", self.palette), 1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(left.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width())
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.setSpacing(2)
        header = QHBoxLayout()
        header.addWidget(self.map_title, 1)
        header.addWidget(self.hover_label)
        tl.addLayout(header)
        tl.addWidget(self.canvas, 1)
        self.right_splitter = QSplitter(Qt.Orientation.Vertical)
        self.right_splitter.addWidget(top)
        self.right_splitter.addWidget(_group("Measures", self.metrics))
        self.right_splitter.setStretchFactor(0, 4)
        self.right_splitter.setStretchFactor(1, 1)
        self.right_splitter.setSizes([620, 200])
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.right_splitter)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([scroll.minimumWidth(), 1320 - scroll.minimumWidth()])
        self.setCentralWidget(self.splitter)

    def _connect(self) -> None:
        a, c = self.actions, self.controller
        a.quit.triggered.connect(self.close)
        a.train.triggered.connect(self.train)
        a.pause.triggered.connect(c.toggle_pause)
        a.step.triggered.connect(self.step)
        a.stop.triggered.connect(c.stop)
        a.reset.triggered.connect(self.reset_weights)
        a.speed_group.triggered.connect(lambda act: self.set_speed(act.data()))
        a.view_group.triggered.connect(lambda act: self.set_view(act.data()))
        a.markers.toggled.connect(self.canvas.set_markers_visible)
        a.fit.triggered.connect(self.canvas.fit)
        a.about.triggered.connect(lambda: dialogs.show_about(self))
        self.fps_spin.valueChanged.connect(c.set_fps)
        c.state_changed.connect(self._on_state)
        c.snapshot_ready.connect(self._on_snapshot)
        c.finished.connect(self._on_finished)
        c.failed.connect(self._on_failed)
        self.params.config_changed.connect(self._inputs_changed)
        self.palette.colours_changed.connect(self._colours_changed)
        self.params.validity_changed.connect(lambda _ok: self._on_state(c.state))
        self.palette.edit_refused.connect(lambda msg: self.statusBar().showMessage(msg, 4000))
        self.canvas.hovered.connect(self.hover_label.setText)

    # -- training ------------------------------------------------------------------------
    def matches_inputs(self, som: SOM | None) -> bool:
        if som is None:
            return False
        try:
            cfg = self.params.config()
        except SomdeskError:
            return False
        same_seed = cfg.seed is None or cfg.seed == som.seed
        colours = self.palette.colours()
        return (som.config.replace(seed=None) == cfg.replace(seed=None) and same_seed
                and som.data.shape == colours.shape and np.array_equal(som.data, colours))

    def _new_som(self) -> SOM | None:
        try:
            if len(self.palette.colours()) == 0:
                raise SomdeskError("Add at least one input colour to train on.")
            return SOM(self.palette.colours(), self.params.config())
        except SomdeskError as exc:
            self.show_error(str(exc))
            return None

    def train(self) -> None:
        """Train a new map from the panel's parameters (Ctrl+T)."""
        if self.controller.state != IDLE or not self.params.valid:
            return
        som = self.controller.som
        resume = som is not None and som is self.map_file.resume_som and not som.done   # an opened map
        if not (self.matches_inputs(som) and (som.iteration == 0 or resume)):
            som = self._new_som()
            if som is None:
                return
        self.metrics.clear_points(som.total)
        self.controller.start(som)

    def step(self) -> None:
        """One iteration; while idle, continues the current map if it still matches the inputs."""
        c = self.controller
        if c.state == IDLE:
            if not self.params.valid:
                return
            som = c.som if self.matches_inputs(c.som) and not c.som.done else self._new_som()
            if som is None:
                return
            if som.iteration == 0:
                self.metrics.clear_points(som.total)
            c.som = som
        c.step()

    def reset_weights(self) -> None:
        """Stop any run and go back to the initial weights (same seed)."""
        c = self.controller
        c.shutdown()
        if self.matches_inputs(c.som):
            c.som.reset()
        elif self.params.valid and len(self.palette.colours()):
            c.som = self._new_som()
        self._show_preview()

    def set_speed(self, key: str) -> None:
        ips = {k: v for k, _label, v, _tip in SPEEDS}[key]
        self.actions.speeds[key].setChecked(True)
        self.controller.set_pace(ips)

    def set_view(self, view: str) -> None:
        self.actions.views[view].setChecked(True)
        self.controller.set_view(view)
        self.canvas.set_view(view)
        self.update_title()

    # -- snapshots -----------------------------------------------------------------------
    def _on_snapshot(self, snap: Snapshot) -> None:
        self.canvas.show_snapshot(snap)
        self.metrics.add_points(snap.measures)
        self.status.show_snapshot(snap, running=self.controller.state == RUNNING)
        self.map_file.refresh()

    def _on_finished(self, snap: Snapshot) -> None:
        self.status.show_snapshot(snap)
        self.metrics.flush()   # the final curve now, not at the next redraw tick
        pts = self.metrics.points()
        if snap.stopped:
            msg = f"Stopped at iteration {snap.iteration:,} of {snap.total:,}."
        else:
            msg = f"Finished {snap.total:,} iterations in {snap.elapsed:.1f} s."
        if len(pts):
            msg += f"  Quantisation error {pts[-1, 1]:.4f}, topographic error {pts[-1, 2]:.3f}."
        self.statusBar().showMessage(msg, 15000)

    def _on_failed(self, message: str, details: str) -> None:
        self.show_error(message, details)

    def _on_state(self, state: str) -> None:
        a = self.actions
        idle = state == IDLE
        ready = self.params.valid and len(self.palette.colours()) > 0
        a.train.setEnabled(idle and ready)
        a.pause.setEnabled(not idle)
        a.pause.setText("&Resume" if state == PAUSED else "&Pause")
        a.pause.setIcon(self.style().standardIcon(
            self.style().StandardPixmap.SP_MediaPlay if state == PAUSED else self.style().StandardPixmap.SP_MediaPause))
        a.step.setEnabled(not idle or ready)
        a.stop.setEnabled(not idle)
        a.reset.setEnabled(ready or not idle)
        a.open.setEnabled(idle)
        self.map_file.refresh()
        self.recent_menu.setEnabled(idle)
        self.actions.samples_menu.setEnabled(idle and not self.actions.samples_menu.isEmpty())
        self.params.setEnabled(idle)
        self.palette.set_locked(not idle)
        if state == PAUSED and self.canvas.snapshot is not None:
            self.status.eta.setText("paused")

    # -- inputs and preview ------------------------------------------------------------------
    def _colours_changed(self) -> None:
        n = len(self.palette.colours())
        self.canvas.set_inputs(self.palette.colours())
        self.params.set_extra_error("" if n else "Add at least one input colour to train on.")
        self._inputs_changed()

    def _inputs_changed(self) -> None:
        self._on_state(self.controller.state)
        self.update_title()
        self._preview_timer.start()

    def rebuild_preview(self) -> None:
        """Show the initial weights of the current inputs, unless a trained map is shown."""
        c = self.controller
        if c.state != IDLE or (c.som is not None and c.som.iteration > 0):
            return
        if not self.params.valid or len(self.palette.colours()) == 0:
            return
        if not self.matches_inputs(c.som):
            try:
                c.som = SOM(self.palette.colours(), self.params.config())
            except SomdeskError as exc:
                self.params.set_extra_error(str(exc))
                return
        self._show_preview()

    def _show_preview(self) -> None:
        som = self.controller.som
        if som is None:
            return
        self.metrics.clear_points(som.total)
        snap = make_snapshot(som, view=self.canvas.view, with_bmus=False)
        self.canvas.show_snapshot(snap)
        self.status.clear(som.total)
        self.update_title()

    def update_title(self) -> None:
        n = len(self.palette.colours())
        name = self.map_file.name() if self.map_file.path else self.palette_name or "random colours"
        self.setWindowTitle(f"somdesk — {name}[*] ({n} colour{'s' if n != 1 else ''})")
        self.map_file.refresh()
        som = self.controller.som
        if som is not None:
            cfg = som.config
            self.map_title.setText(f"{VIEWS[self.canvas.view]} · {cfg.width} × {cfg.height} {cfg.topology}"
                                   f"{' toroidal' if cfg.toroidal else ''} · seed {som.seed}")

    # -- files (palette_actions, map_files) -----------------------------------------------------
    def open_palette(self, path: str | None = None) -> bool:
        """Load input colours from a palette file, or open a .somz map (a dialog if `path` is None)."""
        return self.files.open_palette(path)

    def open_files(self, paths: list[str]) -> bool:
        """Load one or more palette files (their colours combined), or one map."""
        return self.files.open_files(paths)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        if self.controller.state != IDLE:
            self.statusBar().showMessage("Stop the training before dropping a palette.", 5000)
            return
        self.open_files(paths)

    # -- the map as a QImage (smoke mode) and as a state --------------------------------------
    def map_image(self, cell: int = 8) -> QImage | None:
        """The displayed map in true colour, `cell` px per node, nearest-neighbour."""
        snap = self.canvas.snapshot
        if snap is None:
            return None
        return map_qimage(snap.weights, snap.config.topology == "hexagonal", cell)

    def map_state(self) -> dict | None:
        """The shown map: config, seed, iteration, a copy of the weights, the inputs."""
        snap = self.canvas.snapshot
        if snap is None:
            return None
        return {"config": snap.config, "seed": snap.seed, "iteration": snap.iteration,
                "weights": snap.weights.copy(), "inputs": self.palette.colours()}

    # -- errors --------------------------------------------------------------------------
    def show_error(self, message: str, details: str = "") -> None:
        self.last_error = message
        if self.interactive:
            dialogs.show_message(self, "somdesk", message, details)
        else:
            print(f"somdesk: {message}", file=sys.stderr)
            if details:
                print(details, file=sys.stderr)

    # -- settings ----------------------------------------------------------------------------
    def _restore(self) -> None:
        if self.settings is not None:
            restore_window(self, self.settings)
        self.files.refresh_recent()

    def save_settings(self) -> None:
        if self.settings is not None:
            save_window(self, self.settings)

    def closeEvent(self, event) -> None:
        if self.map_file.intercept_close(event):   # unsaved training: asks first
            return
        self.controller.shutdown()   # stops and joins the worker thread at once
        self._preview_timer.stop()
        self.save_settings()
        super().closeEvent(event)
