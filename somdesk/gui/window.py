"""The one window: any dataset kind over a Qt-free `Session`.

    win = Window(Session())          # or Window.for_paths(["a.gpl", "b.gpl"])
    win.open_paths(["customers.csv"])     # a table: session.table, shown by the Segments dock (gui/table_workflow.py)

The window only calls session methods and listens to `session.events`; every
event ends in ONE `refresh()` that re-derives the title, status line and the
enabled state of every action (MNELAB's data_changed).  Long work (opening,
training, quantising) runs through one `TaskRunner`
(gui/tasks.py); the session's changes from its thread are posted into the GUI
thread (`Poster`).  Pixels come from `somdesk.render` (gui/map_view.py), so
the screen, PNG export and clipboard agree.  The left panel shows the
parameters and the panel of the dataset's kind (gui/panels.py).
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox, QSplitter, QVBoxLayout, QWidget

from somdesk.errors import SomdeskError
from somdesk.gui import dialogs
from somdesk.gui.map_view import MapView, map_picture, scale_for, shrunk_note, to_qimage
from somdesk.gui.metrics_plot import MetricsPlot
from somdesk.gui.panels import LeftPanel
from somdesk.gui.task_words import wait_message
from somdesk.gui.tasks import TaskRunner
from somdesk.gui.window_actions import DEFAULT_SPEED, SPEEDS, VIEWS, build_menus, build_toolbar, make_actions
from somdesk.gui.window_tasks import (ColourEdit, PaletteChoice, SnapshotPolicy, open_paths_task, palette_edited,
                                      paced)
from somdesk.io.names import display_basename, display_name
from somdesk.session.runs import epoch_position, planned_epochs

# the close prompt during a table task (gui/tasks.TaskRunner.what -> question, what to do)
DROP_TABLE_RUN = {
    None: ("A table map is being trained in this window.",
           "Closing now loses the epochs trained so far. To keep them, cancel, use Training > Stop, "
           "then save the map."),
    "measure": ("The map of a stopped table run is being measured in this window.",
                "Closing now loses its epochs. To keep them, cancel, let the measuring end, then save the map."),
    "resegment": ("The table map is being re-segmented in this window.",
                  "Closing now loses the new segments. To keep them, cancel, let it end, then save the map."),
}
WINDOWS: list["Window"] = []      # open windows (strong refs: a window lives until closed)
FPS = 25.0                        # map redraws per second while training (at most)
MEASURE_BUDGET = 0.05             # share of training time the live maps (BMUs, QE, TE, U) may take


_TRAINED_ONCE = False     # a training was started in this process (the JIT kernels are compiled)


class Poster(QObject):
    """`post(fn)` runs fn in the GUI thread (queued when called from another thread)."""

    _run = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._run.connect(self._call, Qt.ConnectionType.QueuedConnection)

    def post(self, fn) -> None:
        if QThread.currentThread() is self.thread():
            fn()
        else:
            self._run.emit(fn)

    @Slot(object)
    def _call(self, fn) -> None:
        fn()


class Window(QMainWindow):
    """`interactive=False` prints errors instead of showing dialogs (smoke mode);
    `confirm_unsaved` asks Save / Discard / Cancel before unsaved training is lost;
    `settings` (gui/settings.Settings) is what the window remembers between runs
    (geometry, speed, view, recent files, last folder, export choices; None: nothing)."""

    def __init__(self, session=None, *, interactive: bool = True, confirm_unsaved: bool = True, settings=None):
        super().__init__()
        from somdesk.session import Session

        self.poster = Poster(self)
        self.session = session if session is not None else Session(post=self.poster.post)
        if session is not None:
            session._post = self.poster.post
        self.interactive = interactive
        self.confirm_unsaved = confirm_unsaved
        self.settings = settings
        self.speed = DEFAULT_SPEED
        self._opening: list[str] = []
        self.last_error: str | None = None
        self.view = "colours"
        self.run_epoch: tuple[int, int] | None = None   # (epochs trained, planned) of the run going on
        self.pace = dict((k, v) for k, _l, v, _s, _t in SPEEDS)[DEFAULT_SPEED]
        self.undo = QUndoStack(self)     # palette edits and Reset weights; its clean state: colours saved
        self._same_document = 0          # > 0 while an edit installs colours (window_tasks.same_document)
        self.runner = TaskRunner(self)
        self.actions = make_actions(self)
        build_menus(self, self.actions)
        self.toolbar = build_toolbar(self, self.actions)
        self.left = LeftPanel(self)
        self.canvas = MapView()
        self.metrics = MetricsPlot()
        self.map_title = QLabel()
        self.map_title.setStyleSheet("font-weight: 600; padding: 2px 4px;")
        # long titles wrap: an unwrapped label's text width is its minimum width, which pushed
        # the whole window wider than the screen after a long file name or seed (tester)
        self.map_title.setWordWrap(True)
        self.hover = QLabel()
        self.hover.setStyleSheet("font-family: monospace; padding: 2px 6px;")
        self.hover.setWordWrap(True)
        self.progress_label = QLabel()
        self.statusBar().addPermanentWidget(self.progress_label)
        self._layout()
        self._connect()
        from somdesk.gui.table_workflow import TableWorkflow
        self.tables = TableWorkflow(self)      # issue 13: segments dock, rows, profiles, report, scoring
        self.setAcceptDrops(True)
        from somdesk.gui.settings import first_size
        self.resize(*first_size(self, 1320, 860))     # within the screen (tester7 #24)
        self._last_draw = 0.0
        self._redraw = QTimer(self, singleShot=True)
        self._redraw.timeout.connect(self.draw)
        from somdesk.gui.colour_actions import ColourActions
        self.colour = ColourActions(self)  # Palette menu, colour-vision preview, contrast (issue 15)
        from somdesk.gui.colour_space_view import ColourSpaceBox
        self.colour_space = ColourSpaceBox(self)   # training colour space of colour datasets
        from somdesk.gui.export_dialog import ImageExports
        from somdesk.gui.timelapse_recorder import TimelapseRecorder
        from somdesk.gui.window_files import WindowFiles
        self.files = WindowFiles(self)            # Open Recent, Open Sample, palettes out
        self.exports = ImageExports(self)         # the Export image options dialog
        self.timelapse = TimelapseRecorder(self)  # frames while training, Export time-lapse
        WINDOWS.append(self)
        if settings is not None:
            from somdesk.gui.settings import restore_window
            restore_window(self, settings)
        self._on_dataset(self.session.dataset)
        from somdesk.gui.fit_text import hold_label_widths
        hold_label_widths(self)          # no status, path or message text widens the window (tester8 #15)
        self.canvas.setFocus()           # focus starts on the map, not on a spin box

    # -- construction ----------------------------------------------------------------
    def _layout(self) -> None:
        right = QWidget()
        lay = QVBoxLayout(right)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.map_title)
        lay.addWidget(self.canvas, 1)
        lay.addWidget(self.hover)
        split_right = QSplitter(Qt.Orientation.Vertical)
        split_right.addWidget(right)
        split_right.addWidget(self.metrics)
        split_right.setSizes([640, 180])
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(split_right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([400, 920])
        self.setCentralWidget(self.splitter)

    def _connect(self) -> None:
        a, s, ev = self.actions, self.session, self.session.events
        a["new_colours"].triggered.connect(lambda: self.new_window("colours"))
        a["new_image"].triggered.connect(lambda: self.new_window("image"))
        a["new_table"].triggered.connect(lambda: self.new_window("table"))
        a["open"].triggered.connect(lambda: self.open_dialog())
        a["save"].triggered.connect(lambda: self.save())
        a["save_as"].triggered.connect(lambda: self.save(ask=True))
        a["export_image"].triggered.connect(lambda: self.export_image())
        a["copy_image"].triggered.connect(self.copy_image)
        a["close"].triggered.connect(self.close)
        a["quit"].triggered.connect(quit_all)
        a["undo"].triggered.connect(self.undo.undo)
        a["redo"].triggered.connect(self.undo.redo)
        a["delete"].triggered.connect(lambda: self.left.swatches.remove_selected())
        a["train"].triggered.connect(self.train)
        a["pause"].triggered.connect(self.runner.toggle_pause)
        a["step"].triggered.connect(self.step)
        a["stop"].triggered.connect(self.stop_task)
        a["reset"].triggered.connect(self.reset_weights)
        a["quantise"].triggered.connect(self.quantise)
        a["markers"].toggled.connect(self.canvas.set_markers_visible)
        a["fit"].triggered.connect(self.canvas.fit)
        a["help"].triggered.connect(lambda: dialogs.show_help(self))
        a["about"].triggered.connect(lambda: dialogs.show_about(self))
        self.speed_group.triggered.connect(lambda act: self.set_speed(act.data()))
        self.view_group.triggered.connect(lambda act: self.set_view(act.data()))
        # bound slots, not lambdas: Qt disconnects them when the window is deleted (the
        # undo stack and the runner are its children and may signal while being destroyed)
        self.undo.cleanChanged.connect(self._refresh_slot)
        self.undo.indexChanged.connect(self._refresh_slot)
        self.runner.yielded.connect(self._on_yielded)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.state_changed.connect(self._refresh_slot)
        ev.dataset_changed.connect(self._on_dataset)
        ev.map_changed.connect(lambda _m: self.schedule_draw())
        ev.quantised_changed.connect(lambda _q: self.schedule_draw())
        ev.measures_changed.connect(self._on_measures)
        for name in ("run_state_changed", "dirty_changed", "path_changed", "config_changed"):
            getattr(ev, name).connect(lambda *_: self.refresh())
        self.left.swatches.edit_requested.connect(self.edit_colours)
        self.left.config_edited.connect(self._config_edited)
        self.canvas.hovered.connect(self.hover.setText)
        self.left.params.keep_seed.toggled.connect(self._refresh_slot)

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def for_paths(cls, paths, **kw) -> "Window":
        """A window on `paths` (opened as File > Open does), else on 20 random colours
        with the remembered map settings (a palette opened here keeps them too)."""
        win = cls(**kw)
        if not paths or win.settings is not None:
            win.new_colours()
        if paths:
            win.open_paths(paths)
        return win

    def new_colours(self) -> None:
        """20 random colours, with the remembered map settings when the window has settings."""
        self.session.new_colours(seed=None)
        if self.settings is not None:
            from somdesk.gui.settings import apply_remembered_config
            apply_remembered_config(self, self.settings)

    def new_window(self, kind: str) -> "Window | None":
        win = Window(interactive=self.interactive, confirm_unsaved=self.confirm_unsaved, settings=self.settings)
        win.show()
        if kind == "colours":
            win.new_colours()
            return win
        if not win.open_dialog(kind):
            win.new_colours()
        return win

    def open_dialog(self, kind: str | None = None) -> bool:
        path = dialogs.ask_open_path(self, "Open", self.files.last_folder(), self.files.open_filters(kind))
        return bool(path) and self.open_paths([path])

    def open_paths(self, paths) -> bool:
        """Open files: palettes combine (within a stated limit); one picture, table or map.
        Reading runs as a task with progress and Cancel (Stop)."""
        paths = [os.fspath(p) for p in paths]
        if not paths:
            return False
        if self.session.running or self.tables.running:
            self.show_error(wait_message(self.runner, "opening another file"))
            return False
        if not self.may_discard_training():   # unsaved training or table map: Save / Discard / Cancel
            return False
        self.statusBar().showMessage(f"Opening {', '.join(display_basename(p) for p in paths)}…")
        self._opening = paths
        self.runner.start("open", lambda token: open_paths_task(self.session, paths, token))
        return True

    # -- training ----------------------------------------------------------------------------
    def train(self) -> None:
        """Train (Ctrl+T): from where the map is, or afresh when the panel's settings changed."""
        s = self.session
        if self.tables.holds_data and not self.runner.busy:
            self.tables.train()                # the table map in the Segments dock
            return
        if s.dataset is None or self.runner.busy:
            return
        if not self._apply_panel_config():
            return
        if s.done:
            s.reset_weights()
        self.metrics.clear_points(planned_epochs(s))     # an image map's phases continue the axis
        self._start_training(paused=False)

    def _start_training(self, paused: bool) -> None:
        s = self.session
        from somdesk.core import kernels
        global _TRAINED_ONCE
        if kernels.BACKEND == "numba" and not _TRAINED_ONCE:
            # a source install compiles its kernels on the first run (numba's cache then keeps
            # them): up to a minute with no epoch to show, which looked like nothing happening
            # (tester6 F24); the first epoch's progress replaces the line
            self.progress_label.setText("Starting (the first run after an install or an update compiles "
                                        "the training kernels: this can take a minute)…")
        _TRAINED_ONCE = True
        self.run_started()
        self._run_from = epoch_position(s, s.map.iteration)[0] if s.map is not None else 0
        policy = SnapshotPolicy(FPS, MEASURE_BUDGET, pace=lambda: self.pace)
        frames = self.timelapse.run_frames()      # the time-lapse's frames, taken by the run itself
        self.runner.start("train", lambda token: paced(
            s.train_task(cancel=token, snapshot_when=policy, chunk=policy.epochs, frames=frames), self, token,
            policy),
            pausable=True, paused=paused)

    def run_started(self) -> None:
        """A training run starts: the last run's "Stopped at …" / "Finished …" line goes, so the
        status line never describes a run that is over while another one trains (tester6 F16)."""
        self.statusBar().clearMessage()

    def step(self) -> None:
        if self.runner.busy:
            self.runner.step_once()
            return
        if self.session.dataset is None or not self._apply_panel_config() or self.session.done:
            return
        self._start_training(paused=True)
        self.runner.step_once()

    def end_tasks(self) -> None:
        """Stop and join the window's tasks, then run what they posted to the session before
        they ended: without that, the last epoch a training posted landed AFTER a Reset made
        during the run (the map read "epoch 41" after Reset, tester6 F37).  The progress line
        of a task ended this way goes too (its finished signal is not heard)."""
        from PySide6.QtCore import QCoreApplication

        self.runner.shutdown()
        QCoreApplication.sendPostedEvents(self.poster)
        self.progress_label.clear()

    def reset_weights(self) -> None:
        """Back to the initial weights; undoable (Ctrl+Z)."""
        s = self.session
        if s.dataset is None:
            return
        self.end_tasks()
        from somdesk.gui.window_tasks import ResetWeights
        self.undo.push(ResetWeights(self))

    def set_speed(self, key: str) -> None:
        self.actions[f"speed_{key}"].setChecked(True)
        self.pace = dict((k, v) for k, _l, v, _s, _t in SPEEDS)[key]
        self.speed = key

    def quantise(self) -> None:
        if self.session.kind == "image" and not self.runner.busy:
            self.runner.start("quantise", lambda token: self.session.quantise_task(cancel=token))

    def _apply_panel_config(self) -> bool:
        """Make the panel's settings the session's; a change that throws away unsaved
        training asks first.  False if the user cancelled or the settings are invalid."""
        s = self.session
        try:
            cfg = self.left.params.config()
        except SomdeskError as exc:
            self.show_error(str(exc))
            return False
        current = s.config if cfg.seed is not None else s.config.replace(seed=None)
        if cfg == current:
            return True
        if s.would_discard_training and s.dirty and self.interactive:
            answer = QMessageBox.question(self, "somdesk", "New settings start a fresh map. "
                                          "Discard the unsaved training?",
                                          QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                                          QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                return False
        s.set_config(cfg)
        return True

    def _config_edited(self) -> None:
        """Settings edited while nothing is trained: show the new map's initial weights."""
        s = self.session
        if not self.runner.busy and s.dataset is not None and not s.would_discard_training:
            try:
                cfg = self.left.params.config()
            except SomdeskError:
                return
            if cfg != s.config:
                s.set_config(cfg)

    # -- edits ------------------------------------------------------------------------------
    def edit_colours(self, colours, names, what: str) -> None:
        if self.session.running:
            self.statusBar().showMessage(wait_message(self.runner, "editing the input colours")
                                         or "Stop the training to edit the input colours.", 4000)
            return
        self.undo.push(ColourEdit(self, colours, names, what))


    def _guard(self, fn) -> None:
        try:
            fn()
        except SomdeskError as exc:
            self.show_error(str(exc))

    # -- task results ---------------------------------------------------------------------
    @Slot(object)
    def _refresh_slot(self, *_args) -> None:
        self.refresh()

    @Slot(str, str, str)
    def _on_failed(self, kind: str, message: str, details: str) -> None:
        self.progress_label.clear()            # the failed task's last "segment…" line goes too
        if kind == "train":
            self.run_epoch = None
        if kind == "open":
            for p in self._opening:
                self.files.forget_if_missing(p)     # a vanished recent file leaves the list
        self.show_error(message, details)

    @Slot(str, object)
    def _on_yielded(self, kind: str, value) -> None:
        if kind == "train":
            if value.map is not None:
                self.session.show(value.map)
            if getattr(value, "preview", None) is not None:    # image maps: the picture quantised live
                self.live_preview = value.preview
                if self.view == "quantised":
                    self.schedule_draw()
            self.run_epoch = (value.overall, value.planned)    # the title reads it while the run goes on
            self.progress_label.setText(f"epoch {value.overall:,} of {value.planned:,}"
                                        + (f" · {value.phase} {value.iteration:,} of {value.total:,}"
                                           if value.phase != "training" else ""))
        elif self.runner.stopping:
            return                                 # "Stopping…" stays until the task ends
        else:
            done, total = getattr(value, "done", 0), getattr(value, "total", 0)
            what, phase = getattr(value, "what", ""), getattr(value, "phase", "")
            head = phase or {"segment": "training"}.get(kind, kind)
            self.progress_label.setText(f"{head}: {done:,} of {total:,} {what}" if total else f"{head}…")

    @Slot(str, object, bool)
    def _on_finished(self, kind: str, result, stopped: bool) -> None:
        self.progress_label.clear()
        if kind == "train":
            self.run_epoch = None
        if kind == "train" and result is not None:
            m, done, planned, timed = self._final_map(result)
            ran = max(0, done - getattr(self, "_run_from", 0))
            # this run's epochs and time: "at epoch 25 of 1,000 in 0.0 s" after a run continued
            # from epoch 25 read as 25 epochs in no time (tester6 F16)
            msg = ("Stopped" if result.stopped else "Finished") + \
                  f" at epoch {done:,} of {planned:,} ({ran:,} epoch{'' if ran == 1 else 's'}" + \
                  (f" in {result.elapsed:.1f} s)." if timed else " in this run).")
            if m.qe is not None:
                msg += f"  Quantisation error {m.qe:.4f}, topographic error {m.te:.3f}."
                from somdesk.gui.colour_space_view import run_summary
                msg += run_summary(self.session, m)   # colours: mean CIEDE2000, gamut
            self.statusBar().showMessage(msg, 15000)
            self.last_run = result
        elif kind == "train" and stopped and self.session.map is not None:
            m = self.session.map                   # stopped inside an epoch: no outcome, the map stays
            done, planned = epoch_position(self.session, m.iteration)
            ran = max(0, done - getattr(self, "_run_from", 0))
            self.statusBar().showMessage(f"Stopped at epoch {done:,} of {planned:,} "
                                         f"({ran:,} epoch{'' if ran == 1 else 's'} in this run).", 15000)
        elif kind == "open" and self.tables.is_found(result):
            self.tables.open_found(result)          # the import preview, then the Segments dock
        elif kind == "open" and isinstance(result, PaletteChoice):
            self.files.remember(result.path)
            self.pick_palette(result)
        elif kind == "open":
            self.statusBar().showMessage("Cancelled." if stopped else (result or ""), 8000)
            if not stopped:
                for p in self._opening:
                    self.files.remember(p)
        elif kind == "quantise" and result is not None:
            self.set_view("quantised")
        elif kind == "quantise" and stopped:
            self.statusBar().showMessage("Quantise stopped: the full picture was not quantised.", 8000)
        elif kind == "export-image":
            self.exports.finished(result, stopped)
        elif kind == "export-timelapse":
            self.timelapse.finished_export(result, stopped)
        self.refresh()

    def _final_map(self, result):
        """(map, epochs trained, planned, timed) a run's end reports: its outcome's map, or the
        map shown when Steps after a Pause took it further (the outcome is the Pause's, so Stop
        said "Stopped at epoch 431" of a map at 434, and its time: tester7 #9, #15)."""
        m = result.map
        done, planned = epoch_position(self.session, m.iteration)
        shown = self.session.map
        if shown is not None and shown is not m:
            later, later_plan = epoch_position(self.session, shown.iteration)
            if later > done:
                return shown, later, later_plan, False
        return m, done, planned, True

    def pick_palette(self, choice, index: int | None = None) -> None:
        """A file with several palettes: ask which one (non-interactive: the first)."""
        from somdesk.gui.window_tasks import install_palette

        if index is None:
            index = 0
            if self.interactive:     # the list with strips and a filter (gui/collection_picker.py)
                from somdesk.gui.collection_picker import Collection, offer_collection

                offer_collection(self, Collection(choice.path, tuple(choice.palettes)))
                return
        self._guard(lambda: install_palette(self.session, choice.path, choice.palettes[index]))
        self.statusBar().showMessage(f"Opened palette {index + 1} of {len(choice.palettes)} "
                                     f"from {display_basename(choice.path)}.", 8000)

    def _on_measures(self, measures) -> None:
        if not measures:
            self.metrics.clear_points(planned_epochs(self.session))
            self._n_measures = 0
            return
        n = getattr(self, "_n_measures", 0)
        self.metrics.add_points(measures[n:])
        self._n_measures = len(measures)

    # -- dataset and drawing -----------------------------------------------------------------
    def _on_dataset(self, dataset) -> None:
        self.live_preview = None
        if not self._same_document:
            # another file (or new colours): its edits start afresh and are clean; undoing
            # into the previous file's colours replaced the file just opened without a word
            self.undo.clear()
        self.left.show_dataset(dataset, self.session)
        kind = None if dataset is None else dataset.kind     # a table's views are the dock's
        for key, (_label, kinds) in VIEWS.items():
            # no session dataset: empty, or a table in the Segments dock, whose map these pick
            self.actions[f"view_{key}"].setVisible(kind in kinds if kind else key in ("colours", "umatrix", "hits"))
        if kind is not None and kind not in VIEWS[self.view][1]:
            self.set_view("colours")
        self.left.params.set_config(self.session.config)
        # rings on every input's node help with a palette; on a picture's
        # thousands of inputs they cover every node (View > Markers brings them back)
        self.actions["markers"].setChecked(kind == "colours")
        self.schedule_draw()
        self.refresh()

    def set_view(self, view: str) -> None:
        if self.tables.holds_data:
            self.tables.show_view(view)      # View > U-matrix / Hits / Colours: the dock's map view
        self.view = view
        self.actions[f"view_{view}"].setChecked(True)
        self.schedule_draw()
        self.refresh()

    def schedule_draw(self) -> None:
        """Draw soon: at the next event-loop pass, at most FPS times a second."""
        # Always through the timer: several changes in one event-loop pass draw once,
        # and a state change (Stop -> idle) is handled before the picture is redrawn.
        wait = max(0.0, self._last_draw + 1.0 / FPS - time.perf_counter())
        if not self._redraw.isActive():
            self._redraw.start(int(wait * 1000))

    def view_kwargs(self) -> dict:
        from somdesk.session.exports import map_space

        space = map_space(self.session)
        return {"space": space} if space != "srgb" else {}   # trained in another space: shown in sRGB, gamut marked

    def draw(self) -> None:
        self._last_draw = time.perf_counter()
        self.refresh()                   # the title line names the map drawn (epoch, seed)
        s = self.session
        if s.kind == "image" and self.view in ("picture", "quantised"):
            live = getattr(self, "live_preview", None)
            # the pictures drawn are at most DISPLAY_MAX_SIDE a side, made off the GUI thread
            # (ImageData.small, QuantisedPicture.small): a 100 Mpx picture drawn whole froze
            # the window 11-20 s per view (tester7 #13); exports use the full-size picture
            if self.view == "quantised" and s.quantised is not None:
                q = s.quantised
                self.canvas.show_picture(q.shown(), f"{q.used} colours, PSNR {q.psnr:.2f} dB"
                                         + shrunk_note(q.indices.shape, q.shown().shape))
            elif self.view == "quantised" and live is not None and s.map is not None:
                self.canvas.show_picture(live.shown(), f"Live preview (at most 640 px a side): {live.used} colours, "
                                         f"PSNR {live.psnr:.2f} dB.  Training › Quantise full picture for every pixel.")
            elif self.view == "quantised":
                self.canvas.show_message("Quantise the full picture first (Training > Quantise full picture).")
            else:
                small = s.dataset.small        # transparency over a checkerboard
                self.canvas.show_picture(small, shrunk_note(s.dataset.pixels.shape, small.shape).strip())
            return
        if s.map is None:
            self.canvas.show_message("Open a palette, a picture, a table or a saved map (File > Open).")
            return
        inputs = s.dataset.colours if s.kind == "colours" else None
        self.canvas.show_map(s.map, self.view, inputs=inputs, describe=self.describe_node, **self.view_kwargs())

    def map_image(self, scale: int | None = None, *, view: str | None = None, markers: bool = False,
                  legend: bool = False) -> np.ndarray | None:
        """(H, W, 3) uint8: `view` (default: the one shown) at `scale` px per node (default:
        the screen's), as export writes it; with rings on each input's node (`markers`, a
        measured map) and the legend below (`legend`).  None when there is nothing to draw."""
        from somdesk import render

        s = self.session
        view = view or self.view
        if view in ("picture", "quantised"):
            # full size, as drawn (over a checkerboard); a big picture's is made by the export
            # task (gui/export_dialog.py), the screen shows a smaller copy
            if view == "quantised" and s.quantised is not None:
                return self.colour.for_export(s.quantised.rgb())
            if view == "quantised":        # the live preview, when it is what the view shows
                live = getattr(self, "live_preview", None)
                return None if live is None or s.map is None else self.colour.for_export(live.rgb())
            return self.colour.for_export(s.dataset.shown())
        if s.map is None:
            return None
        return self.colour.for_export(self.map_drawing(scale, view=view, markers=markers, legend=legend)())

    def map_drawing(self, scale: int | None = None, *, view: str | None = None, markers: bool = False,
                    legend: bool = False):
        """A function of no arguments that draws `map_image`'s picture of the map shown now
        (before any colour-vision filter): what it needs is taken here, so it may run on a
        task's thread (a 9000 x 9000 px export took the GUI thread 8 s, tester7 #31)."""
        from somdesk import render

        s = self.session
        state, view = s.map, view or self.view
        scale = scale or scale_for(*state.shape)
        inputs = s.dataset.colours if s.kind == "colours" else None
        kw = self.view_kwargs()

        def draw() -> np.ndarray:
            pic, how = map_picture(state, view, scale, inputs=inputs, **kw)
            if markers and state.bmus is not None:
                from somdesk.gui.map_view import view_nodes

                rows, cols = state.shape
                top = pic.shape[0] - render.picture_size(rows, cols, state.hexagonal, scale)[1]   # below the strip
                render.draw_markers(pic[top:], view_nodes(state, view, **kw)[0], state.bmus, state.hexagonal, scale)
            if legend:
                pic = render.with_legend(pic, how)
            return pic
        return draw

    def screen_image(self) -> np.ndarray | None:
        """(H, W, 3) uint8: the pixels drawn now before any colour-vision filter, as Edit > Copy
        image puts them on the clipboard -- a big picture's smaller copy, not its 100 Mpx."""
        if self.session.kind == "image" and self.view in ("picture", "quantised"):
            return self.colour.for_export(self.canvas.raw_array())
        return self.map_image()

    def describe_node(self, row: int, col: int) -> str:
        m = self.session.map
        if m is None:
            return ""
        text = f"node ({row}, {col})"
        if self.session.kind == "colours":
            from somdesk.session.exports import map_space, shown_weights
            rgb = shown_weights(m.weights[row:row + 1, col:col + 1, :3], map_space(self.session))[0, 0]
            r, g, b = (int(v) for v in np.clip(rgb * 255 + 0.5, 0, 255))
            text += f"  #{r:02x}{g:02x}{b:02x}"
        if m.hits is not None:
            text += f"  hits {int(m.hits[row, col])}"
        if m.umatrix is not None:
            text += f"  U {m.umatrix[row, col]:.3f}"
        return text

    # -- the one refresh -------------------------------------------------------------------------
    def stop_task(self) -> None:
        """Training > Stop: the task ends at its next check.  Said at once, with Stop disabled
        (the label kept saying "1 of 30 epochs" with Stop enabled as if it had not been heard,
        tester6 F13).  A table run's kept epochs are measured afterwards by a task of their
        own (gui/table_workflow.measure_stopped), which Stop ends at once too."""
        if not self.runner.busy:
            return
        self.runner.stop()
        if self.runner.busy:
            self.progress_label.setText("Stopping…")
        self.refresh()

    def refresh(self) -> None:
        """Title, status and every action's enabled state, from the session and the runner."""
        s, a, r = self.session, self.actions, self.runner
        busy = r.busy
        training = r.kind == "train"
        has = s.dataset is not None
        name = display_basename(s.path) if s.path else display_name(getattr(s.dataset, "title", None) or "somdesk")
        n = len(s.dataset.data) if has else 0
        unit = {"colours": "colour", "image": "sampled pixel"}.get(s.kind, "input")
        self.setWindowTitle(f"somdesk — {name}[*]" + (f" ({n:,} {unit}{'s' if n != 1 else ''})" if has else ""))
        self.setWindowModified(self.unsaved())   # the mark says what a close would ask about (tester2 B5)
        a["open"].setEnabled(not busy)
        # while a colour or picture map trains too: paused it saves (the map is between epochs),
        # running it says to pause first -- it was disabled, and Ctrl+S did nothing (tester7 #27)
        a["save"].setEnabled(has and (not busy or training))
        a["save_as"].setEnabled(has and (not busy or training))
        a["export_image"].setEnabled(s.map is not None or self.tables.tm is not None)
        a["export_timelapse"].setEnabled(len(self.timelapse) > 0 and not busy)
        self.files.refresh(busy)
        a["copy_image"].setEnabled(s.map is not None or self.tables.tm is not None)
        a["train"].setEnabled(has and not busy)
        a["pause"].setEnabled(training)
        a["pause"].setText("&Resume" if r.state == "paused" else "&Pause")
        a["step"].setEnabled(has and (training or not busy) and not s.done)
        a["stop"].setEnabled(busy and not r.stopping)
        a["reset"].setEnabled(has and s.would_discard_training or (has and training))
        a["quantise"].setEnabled(s.kind == "image" and not busy and s.map is not None)
        a["delete"].setEnabled(s.kind == "colours" and not busy)
        a["undo"].setEnabled(self.undo.canUndo() and not busy)
        a["redo"].setEnabled(self.undo.canRedo() and not busy)
        a["undo"].setText(f"&Undo {self.undo.undoText()}".rstrip())
        a["redo"].setText(f"&Redo {self.undo.redoText()}".rstrip())
        self.left.set_locked(busy)
        self.colour.refresh()
        if getattr(self, "tables", None) is not None:
            self.tables.refresh()
        paused = training and r.state == "paused" and not r.stopping
        if s.map is not None:
            cfg = s.map.config
            what = VIEWS[self.view][0].replace("&", "")
            # an image map counts every phase, as the QE/TE plot does; during a run the worker's
            # count (maps come at most FPS times a second); paused, the map's own (the last
            # progress line, throttled, lagged it: "epoch 411" of a map at 431, tester7 #15)
            live = busy and self.run_epoch and not paused
            done, planned = self.run_epoch if live else epoch_position(s, s.map.iteration)
            if paused:
                self.progress_label.setText(f"Paused at epoch {done:,} of {planned:,}")
            self.map_title.setText(f"{what} · {cfg.width} × {cfg.height} "
                                   f"{cfg.topology}{' toroidal' if cfg.toroidal else ''} · epoch "
                                   f"{done:,} of {planned:,} · random seed {s.map.seed}"
                                   + self.seed_note()
                                   + self.colour.describe())
        else:
            self.map_title.setText("")

    def unsaved(self) -> bool:
        """Would a close or another file lose work: the session's unsaved training or table
        map, or palette edits not saved as a palette or a map since (tester6 F39)?"""
        return bool(self.session.unsaved) or self.palette_edited()

    def palette_edited(self) -> bool:
        return self.session.kind == "colours" and palette_edited(self.undo)

    def seed_note(self) -> str:
        """" (fixed)" when the map shown uses the seed the user typed, " (fixed, kept for later launches)" when
        the user asked to keep it (issue 12), "" for a random seed."""
        typed = self.left.params.seed_spin.value()
        m = self.session.map
        if typed < 0 or m is None or m.seed != typed:   # a drawn seed, or the map predates the typed one
            return ""
        return " (fixed, kept for later launches)" if self.left.params.keep_seed.isChecked() else " (fixed)"

    # -- files out ------------------------------------------------------------------------------
    def save(self, ask: bool = False) -> bool:
        s = self.session
        if self.tables.holds_data:           # a table map in the Segments dock (gui/table_files.py)
            return self.tables.save(ask)
        r = self.runner
        if r.busy and r.kind == "train" and r.state == "running":
            self.statusBar().showMessage(wait_message(r, "saving the map") if r.stopping
                                         else "Pause or stop the training to save the map.", 8000)
            return False
        path = s.path
        if ask or not path:
            start = path or os.path.splitext(getattr(s.dataset, "source", None)
                                             or self.files.start_path("map"))[0] + ".somz"
            path = dialogs.ask_save_path(self, "Save map", start, [("somdesk map", ["*.somz"])])
            if not path:
                return False
        if not (r.busy and r.kind == "train" and r.state == "paused" and not s.running):
            self.end_tasks()       # paused between epochs, the run stays (Resume continues it)
        try:
            s.save(path)
        except SomdeskError as exc:
            self.show_error(str(exc))
            return False
        self.files.remember(path)
        self.undo.setClean()                 # the map holds the edited colours
        self.statusBar().showMessage(f"Saved {display_basename(path)}.", 5000)
        return True

    def export_image(self, path: str | None = None, scale: int | None = None) -> bool:
        """Without `path`: the export options dialog (gui/export_dialog.py).  With it: the
        view shown, at `scale` (default the screen's), exactly as on screen."""
        from somdesk.gui.export_dialog import ExportOptions

        if self.tables.holds_data:
            return self.tables.export_map(path)    # the Segments dock's map view and its legend
        if path is None:
            self.exports.open_dialog()
            return False
        return self.exports.save(ExportOptions(self.view, scale, markers=False, legend=False), path, remember=False)

    def copy_image(self) -> None:
        pic = self.tables.map_picture() if self.tables.holds_data else self.screen_image()
        if pic is not None:
            QApplication.clipboard().setImage(to_qimage(pic))

    # -- drops, errors, closing ----------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_paths(paths)

    def show_error(self, message: str, details: str = "") -> None:
        self.last_error = message
        self.statusBar().clearMessage()          # not "Opening x…" under the error about x
        if self.interactive:
            dialogs.show_message(self, "somdesk", message, details)
        else:
            print(f"somdesk: {message}", file=sys.stderr)
            if details:
                print(details, file=sys.stderr)

    def unsaved_text(self) -> str:
        """The unsaved prompt's question: training, or palette edits alone (tester6 F39)."""
        if self.palette_edited() and not self.session.unsaved:
            return "This window has palette edits that are not saved."
        return "This window has training that is not saved."

    def ask_unsaved(self) -> str:
        """"save", "discard" or "cancel" for unsaved training (the prompt, at once).

        Mnemonics: Alt+S saves, Alt+D discards, Esc cancels.  The default button
        is Save only when saving cannot overwrite a saved map with a run restarted
        from scratch; otherwise it is Cancel."""
        s = self.session
        edits = self.palette_edited() and not s.unsaved
        box = QMessageBox(QMessageBox.Icon.Question, "somdesk", self.unsaved_text(), parent=self)
        box.setInformativeText("Save them in a map (.somz) before closing? (File › Save palette as… "
                               "writes a palette file.)" if edits else "Save it before closing?")
        save = box.addButton("&Save", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setEscapeButton(cancel)
        restarted = s.path is not None and s.map is not None and s.map.iteration == 0
        box.setDefaultButton(cancel if restarted else save)
        box.setObjectName("unsaved-prompt")
        self._prompt = box
        box.exec()
        self._prompt = None
        clicked = box.clickedButton()
        return "save" if clicked is save else "discard" if clicked is discard else "cancel"

    def _may_drop_table_run(self) -> bool:
        """A table map still being trained, measured after a Stop or re-segmented has no map to
        save yet: closing loses it, so ask Discard / Cancel (the window closed without a word:
        tester6 F15), in words true for the task (a stopped run's measuring is not training)."""
        text, more = DROP_TABLE_RUN.get(self.runner.what, DROP_TABLE_RUN[None])
        box = QMessageBox(QMessageBox.Icon.Question, "somdesk", text, parent=self)
        box.setInformativeText(more)
        discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setEscapeButton(cancel)
        box.setDefaultButton(cancel)
        box.setObjectName("unsaved-prompt")
        self._prompt = box
        box.exec()
        self._prompt = None
        return box.clickedButton() is discard

    def may_discard_training(self) -> bool:
        """Before something replaces the workspace (close, open another file): unsaved
        training asks Save / Discard / Cancel first.  True when it may go ahead."""
        s = self.session
        if self.confirm_unsaved and s.kind == "table" and self.runner.kind == "segment" \
                and self.runner.busy and not self.runner.stopping:
            return self._may_drop_table_run()
        if not (self.confirm_unsaved and self.unsaved()):   # the session's work or palette edits
            return True
        was_running = self.runner.state == "running"
        self.runner.pause()                    # the pass under way stops at once
        answer = self.ask_unsaved()
        if answer == "cancel" or (answer == "save" and not self.save()):
            if was_running:
                self.runner.resume()
            return False
        return True

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if not self.may_discard_training():
            event.ignore()
            return
        self.runner.shutdown()                     # every task ends at its next check
        self.tables.auto_line.shutdown()           # the Setup tab's "auto" measuring too
        self._redraw.stop()
        if self.settings is not None:
            from somdesk.gui.settings import save_window
            save_window(self, self.settings)
        self.session.events.disconnect()           # no session event reaches a closed window
        self.session.table.events.disconnect()     # nor one of its table
        if self in WINDOWS:
            WINDOWS.remove(self)
        super().closeEvent(event)


def quit_all() -> None:
    """Close every window (each asks about its own unsaved training); the application
    ends when its last window has closed (Qt's quitOnLastWindowClosed), and its exit
    joins every task (app.py connects tasks.shutdown_all to aboutToQuit)."""
    for win in list(WINDOWS):
        if not win.close():
            return
