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

The class is assembled from pieces named for what they hold: gui/window_runs.py
(training, Step, Stop, Reset, Quantise and every task's end), gui/window_drawing.py
(the dataset's views and the map drawn), gui/window_unsaved.py (what a close or
another file would lose, and its prompts), gui/window_save.py (every Save as a task, and
what waits for it); the menus and toolbar are in
gui/window_actions.py, files in and out in gui/window_files.py.
"""
from __future__ import annotations

import os
import sys

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QSplitter, QVBoxLayout, QWidget

from somdesk.core.options import count_text
from somdesk.errors import SomdeskError
from somdesk.gui import dialogs
from somdesk.gui.map_view import MapView, to_qimage
from somdesk.gui.metrics_plot import MetricsPlot
from somdesk.gui.panels import LeftPanel
from somdesk.gui.task_words import wait_message
from somdesk.gui.tasks import TaskRunner
from somdesk.gui.poster import Poster
from somdesk.gui.window_actions import (DEFAULT_SPEED, SPEEDS, VIEWS, apply_table_state, build_menus, build_toolbar,
                                        connect_actions, make_actions)
from somdesk.gui.window_drawing import FPS, WindowDrawing
from somdesk.gui.window_runs import MEASURE_BUDGET, WindowRuns
from somdesk.gui.window_tasks import ColourEdit, EditStack, open_paths_task
from somdesk.gui.window_save import WindowSave
from somdesk.gui.window_unsaved import WindowUnsaved
from somdesk.io.names import display_basename, display_name
from somdesk.session.runs import epoch_position

__all__ = ["Window", "Poster", "WINDOWS", "FPS", "MEASURE_BUDGET", "quit_all", "window_holding"]

WINDOWS: list["Window"] = []      # open windows (strong refs: a window lives until closed)
CLOSE_WAIT_S = 0.5                # a closing window waits this long for its tasks (see closeEvent)


class Window(WindowRuns, WindowDrawing, WindowUnsaved, WindowSave, QMainWindow):
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
        self.undo = EditStack(self)      # palette edits and Reset weights; its clean state: colours saved
        from somdesk.session.undo import UNDO_LIMIT
        self.undo.setUndoLimit(UNDO_LIMIT)  # no more steps than the session can undo (review12 #7)
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
        ev = self.session.events
        connect_actions(self, self.actions, quit_all)      # menus, toolbar and keys (gui/window_actions.py)
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
    def for_paths(cls, paths, *, apart: bool = False, **kw) -> "Window":
        """A window on `paths` (opened as File > Open does), else on 20 random colours
        with the remembered map settings (a palette opened here keeps them too).  `apart`: one
        of the windows a single open of several files makes (open_apart), which opens its file
        even when another window holds it (the user named it twice: a window each, testerG #12)."""
        win = cls(**kw)
        if not paths or win.settings is not None:
            win.new_colours()
        if paths:
            win.open_paths(paths, already_open_ok=apart)
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
        """File › Open (Ctrl+O): one file or several (several palettes combine; other files
        open a window each: open_paths)."""
        paths = dialogs.ask_open_paths(self, "Open", self.files.last_folder(), self.files.open_filters(kind))
        return bool(paths) and self.open_paths(paths)

    def open_paths(self, paths, *, already_open_ok: bool = False) -> bool:
        """Open files: palettes combine (within a stated limit); a picture, table or map opens
        here, and given with other files each opens in a window of its own (open_apart).
        Reading runs as a task with progress and Cancel (Stop).

        True when the reading started; its outcome comes when the task ends (the status line,
        or `show_error` / `last_error`).  False, with the message said, when nothing could
        start: no path, a task running, the user kept unsaved work, or a path that is missing,
        a folder or not a file (checked here, before anything is asked or changed).  A failed
        open leaves the window as it was: title, unsaved mark, data, map and Open Recent.  A
        saved map already open in another window, or in this one with unsaved changes
        (`window_holding`), is not read again: that window comes forward and its status line says
        "x.somz is already open." (False if nothing else was given); open here and saved, it is
        read again and the status line says so.  `already_open_ok`: skip that check (a window
        of open_apart, opening what the same action named)."""
        from somdesk.errors import SomdeskError
        from somdesk.io.names import stat_input

        paths = [os.fspath(p) for p in paths]
        if not paths:
            return False
        if self.saving and not (self.session.running or self.tables.running):
            # File > Open straight after Save was refused ("Wait for the saving...", testerI 8d):
            # it follows the save, as an open whose prompt was answered Save does (after_save);
            # every check below is made then.  A failed or stopped save drops it (its message says why)
            self.after_save(lambda: self.open_paths(paths, already_open_ok=already_open_ok))
            self.statusBar().showMessage(f"Saving {display_basename(self._save_out or '')}…: "
                                         f"{', '.join(display_basename(p) for p in paths)} opens once it is saved.")
            return True
        if self.session.running or self.tables.running or self.saving:
            self.show_error(wait_message(self.runner, "opening another file"))
            return False
        try:
            for p in paths:
                stat_input(p)           # the reader's own words ("cannot read x.gpl: no such file")
        except SomdeskError as exc:
            self.show_error(str(exc))
            for p in paths:
                self.files.forget_if_missing(p)     # a vanished recent file leaves the list
            return False
        # a map already open was read again in place without a word, unsaved changes lost (testerH
        # #9).  Open in another window, or here with unsaved changes: not read again, its window
        # comes forward and says so.  Here and saved: read again (it may have changed, or its
        # table come back), and the status line says that is what happens
        again = []
        for p in list(paths):
            holder = None if already_open_ok else window_holding(p)
            if holder is self and not self.unsaved():
                again.append(p)
            elif holder is not None:
                kept = " Its unsaved changes are kept; it was not read again." if holder.unsaved() else ""
                holder.statusBar().showMessage(f"{display_basename(p)} is already open.{kept}", 15000)
                if holder.isMinimized():
                    holder.showNormal()
                holder.raise_()
                holder.activateWindow()
                paths.remove(p)
        if not paths:
            return False
        self._again = again
        # unsaved training or table map: Save / Discard / Cancel; a Save opens once the map is written
        if not self.may_discard_training(opening=True, then=lambda: self._start_open(paths)):
            return self.saving
        self._start_open(paths)
        return True

    def _start_open(self, paths: list[str]) -> None:
        """The open task of `paths`, checked and the unsaved work answered for (open_paths)."""
        again = " again (it was already open)" if paths == getattr(self, "_again", None) else ""
        self.statusBar().showMessage(f"Opening {', '.join(display_basename(p) for p in paths)}{again}…")
        self._opening = paths
        self.runner.start("open", lambda token: open_paths_task(self.session, paths, token))

    def open_apart(self, groups: list[list[str]]) -> list["Window"]:
        """Several files that do not combine (window_tasks.OpenApart): the first group opens
        here -- whose unsaved work open_paths already asked about -- and every other in a new
        window, shown a little lower and to the right of this one (README: two datasets, two
        windows).  Returns the new windows."""
        from PySide6.QtCore import QPoint

        others = []
        for i, group in enumerate(groups[1:], start=1):
            other = Window.for_paths(group, apart=True, interactive=self.interactive,
                                     confirm_unsaved=self.confirm_unsaved, settings=self.settings)
            other.move(self.pos() + QPoint(32 * i, 32 * i))
            other.show()
            others.append(other)
        self._start_open(groups[0])
        return others

    # -- edits ------------------------------------------------------------------------------
    def edit_colours(self, colours, names, what: str) -> None:
        if self.session.running or self.saving:      # an edit ends the window's task: not a save's
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
        from somdesk.gui.window_tasks import with_warnings

        self.statusBar().showMessage(with_warnings(f"Opened palette {index + 1} of {len(choice.palettes)} "
                                                   f"from {display_basename(choice.path)}.",
                                                   choice.palettes[index].warnings), 8000)

    # -- the one refresh -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Title, status and every action's enabled state, from the session and the runner."""
        s, a, r = self.session, self.actions, self.runner
        busy = r.busy
        training = r.kind == "train"
        has = s.dataset is not None
        title = getattr(s.dataset, "title", None)
        name = display_basename(s.path) if s.path else (display_name(title) if title else "")
        n = len(s.dataset.data) if has else 0
        unit = {"colours": "colour", "image": "sampled pixel"}.get(s.kind, "input")
        # an empty window is "somdesk", not "somdesk — somdesk" (tester F #14 took the doubled
        # name after a failed open for a change; the [*] is Qt's place for the unsaved mark)
        self.setWindowTitle((f"somdesk — {name}[*]" if name else "somdesk[*]")
                            + (f" ({count_text(n, unit)})" if has else ""))
        self.setWindowModified(self.shows_unsaved())   # the mark says what a close would ask about (tester2 B5)
        a["open"].setEnabled(not busy)
        # while a colour or picture map trains too: paused it saves (the map is between epochs),
        # running it says to pause first -- it was disabled, and Ctrl+S did nothing (tester7 #27)
        a["save"].setEnabled(has and (not busy or training) and not self.saving)
        a["save_as"].setEnabled(has and (not busy or training) and not self.saving)
        a["export_image"].setEnabled(s.map is not None or self.tables.tm is not None)
        a["export_timelapse"].setEnabled(len(self.timelapse) > 0 and not busy)
        self.files.refresh(busy)
        a["copy_image"].setEnabled(s.map is not None or self.tables.tm is not None)
        a["train"].setEnabled(has and not busy)
        a["pause"].setEnabled(training)
        a["pause"].setText("&Resume" if r.state == "paused" else "&Pause")
        a["step"].setEnabled(has and (training or not busy) and not s.done)
        a["stop"].setEnabled(busy and not r.stopping)
        a["reset"].setEnabled((has and s.would_discard_training or (has and training)) and not self.saving)
        a["quantise"].setEnabled(s.kind == "image" and not busy and s.map is not None)
        apply_table_state(self, self.tables.holds_data)     # Markers and speeds do not apply to a table
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
            self.metrics.span(planned)       # the plot's axis counts as the title does
            if paused:
                self.progress_label.setText(f"Paused at epoch {done:,} of {planned:,}")
            self.map_title.setText(f"{what} · {cfg.width} × {cfg.height} "
                                   f"{cfg.topology}{' toroidal' if cfg.toroidal else ''} · epoch "
                                   f"{done:,} of {planned:,} · random seed {s.map.seed}"
                                   + self.seed_note()
                                   + self.colour.describe())
        else:
            self.map_title.setText("")

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
        paused_run = r.busy and r.kind == "train" and r.state == "paused" and not s.running
        if r.busy and not paused_run:
            # another task (Quantise full picture, an export, an open...): starting the save on the
            # runner ended it without a word (testerI #3).  Said now, before the file is asked for
            self.show_error(wait_message(r, "saving the map"))
            return False
        path = s.path
        if ask or not path:
            start = path or os.path.splitext(getattr(s.dataset, "source", None)
                                             or self.files.start_path("map"))[0] + ".somz"
            path = dialogs.ask_save_path(self, "Save map", start, [("somdesk map", ["*.somz"])])
            if not path:
                return False
        if dialogs.target_refused(self, path):     # before a paused run's task is ended for the save
            return False
        if not paused_run and r.busy:        # the runner's task ended while the name was asked for
            self.show_error(wait_message(r, "saving the map"))
            return False
        try:
            steps = s.save_steps(path)       # checked now; written by a task (gui/window_save.py)
        except SomdeskError as exc:
            self.show_error(str(exc))
            return False
        # paused between epochs, the run stays on the window's runner (Resume continues it): the
        # save is a task of a runner of its own (gui/window_save.paused_saver)
        return self.start_save(path, steps, self.paused_saver() if paused_run else None)

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

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.saving and self.confirm_unsaved:
            # a close while the map is written: the window closes once it is saved (closing now
            # would stop the save and lose the map); a failed or stopped save keeps it open.
            # A window that asks nothing (Ctrl+C's quit, smoke runs) stops it: the old file stays
            self.after_save(self._close_when_saved)
            self.statusBar().showMessage(f"Saving {display_basename(self._save_out or '')}…: the window closes "
                                         "once it is saved.")
            event.ignore()
            return
        if not self.may_discard_training(then=self._close_when_saved):
            event.ignore()
            return
        # every task ends at its next check; one that cannot check (numba compiling the
        # kernels on a first run: minutes, testerW 15 #1) is not waited for here
        self.runner.shutdown(timeout_s=CLOSE_WAIT_S)
        self.stop_saving(timeout_s=CLOSE_WAIT_S)   # a paused run's save (a window that asks nothing)
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


    _quit_when_saved = False        # a quit waits for this window's save (quit_all)

    def _close_when_saved(self) -> None:
        """A close (or a quit) whose prompt was answered Save, once the map is saved."""
        if self.close() and self._quit_when_saved:
            quit_all()


def quit_all() -> None:
    """Close every window (each asks about its own unsaved training); the application
    ends when its last window has closed (Qt's quitOnLastWindowClosed), and its exit
    joins every task (app.py connects tasks.shutdown_all to aboutToQuit).  A window whose
    map is being saved (its prompt answered Save) closes once it is saved, and the quit
    goes on from there (Window._close_when_saved)."""
    for win in list(WINDOWS):
        if not win.close():
            if win.saving:
                win._quit_when_saved = True
            return


def window_holding(path) -> "Window | None":
    """The open window whose saved map (Session.path: a palette, picture or table map's .somz)
    is the file `path` -- the same file by os.path.samefile, so another spelling or a link to
    it counts -- or None."""
    import shiboken6

    try:
        target = os.stat(path)
    except (OSError, ValueError):
        return None
    for win in list(WINDOWS):
        own = getattr(getattr(win, "session", None), "path", None) if shiboken6.isValid(win) else None
        try:
            if own and os.path.samestat(os.stat(own), target):
                return win
        except (OSError, ValueError):       # its file is gone since: not this one
            continue
    return None
