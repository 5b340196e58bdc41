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

The class is assembled from pieces named for what they hold: gui/table_dock.py (the dock's
widgets and menu actions), gui/table_runs.py (training, re-segmenting, measuring a stopped run,
each task's end), gui/table_map_events.py (the model's map, label and selection events),
gui/table_open.py, table_files.py, table_views.py and table_scale.py.
"""
from __future__ import annotations

import html
import os

from somdesk.core.options import count_text
from somdesk.errors import SomdeskError
from somdesk.gui.table_dock import NO_SELECTION, TableDock
from somdesk.gui.table_files import TableFiles
from somdesk.gui.table_map_events import TableMapEvents
from somdesk.gui.table_open import TableOpening
from somdesk.gui.table_runs import KINDS, TableRuns, offer
from somdesk.gui.table_scale import TableScale
from somdesk.gui.table_views import MAP_VIEWS, TableViews
from somdesk.io.names import display_basename, display_name

__all__ = ["TableWorkflow", "KINDS", "offer"]


def _model_state(name: str, doc: str):
    return property(lambda self: getattr(self.ws, name), doc=f"{doc} (the session's TableWorkspace)")



def _warm_outlines(tm) -> None:
    """The node outlines of `tm`'s map shape (render.outlines.outline_pixels, numpy only),
    found on the map's task so its first draw (and zoom) on the GUI thread finds them cached."""
    from somdesk.gui.segment_map import warm_outlines

    h, w = tm.codebook.shape[:2]
    warm_outlines(h, w, tm.config.topology == "hexagonal")

class TableWorkflow(TableDock, TableRuns, TableMapEvents, TableOpening, TableFiles, TableViews, TableScale):
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
        self.ws.prepare_view = _warm_outlines        # on the map's task: not the GUI thread (testerW #3)
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
        self.locate_button.setEnabled(not busy)
        self.profiles_csv_button.setEnabled(ws.profiles is not None)
        self.planes_png_button.setEnabled(self.planes.has_planes)     # `image` would draw the sheet now
        self.profiles_png_button.setEnabled(ws.profiles is not None)
        self.top_items_button.setVisible(self.profiles_view.ratings.isChecked())
        self.top_items_button.setEnabled(ws.top_items is not None)
        self.setup.setEnabled(not busy)
        self._window_state(busy, has_map)
        self._say_why_untrainable(busy)

    def _window_state(self, busy: bool, has_map: bool) -> None:
        """While the session holds a table: the title names it and File › Save (Ctrl+S)
        saves the table map."""
        w, ws = self.win, self.ws
        if not self.holds_data:
            return
        rows = f" ({count_text(ws.table.n_rows_total, 'row')})" if ws.table is not None else ""
        w.setWindowTitle(f"somdesk — {display_name(ws.title)}[*]{rows}")
        w.setWindowModified(w.shows_unsaved())     # a retrained saved map too (testerW #6)
        for key in ("save", "save_as"):
            if key in w.actions:
                w.actions[key].setEnabled(has_map and not busy)
        if "train" in w.actions:                # Training › Train (Ctrl+T) trains the table map
            w.actions["train"].setEnabled(ws.table is not None and not busy)

    def _say_why_untrainable(self, busy: bool) -> None:
        """A reopened map without its table cannot train: the disabled Train buttons say why
        in their tooltips and Ctrl+T in the status line (testerW #5: every Train was disabled
        and nothing said why).  A disabled action's shortcut does not fire, so a shortcut of
        our own takes Ctrl+T exactly while the action is disabled for that reason (never both
        enabled: Qt would call the key ambiguous)."""
        from PySide6.QtGui import QKeySequence, QShortcut

        w = self.win
        reason = self.ws.untrainable_reason() if self.ws.tm is not None and self.holds_data else None
        tip = f"{reason}." if reason else None
        self.train_button.setToolTip(tip or "")
        if "train" in w.actions:
            action = w.actions["train"]
            action.setToolTip(tip or action.statusTip())
        shortcut = getattr(self, "_untrainable_key", None)
        if shortcut is None:
            shortcut = self._untrainable_key = QShortcut(QKeySequence("Ctrl+T"), w)
            shortcut.setObjectName("untrainable-ctrl-t")
            shortcut.activated.connect(self._untrainable_pressed)
        shortcut.setEnabled(bool(reason) and not busy)

    def _untrainable_pressed(self) -> None:
        reason = self.ws.untrainable_reason()
        if reason:
            self.win.statusBar().showMessage(f"{reason}.", 15000)

    # -- the model's events (the map's: gui/table_map_events.py) -----------------------------------
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
            from somdesk.session.table_size import TRAIN_ROWS
            # the epochs' own sample (session.table_size.training_subset) said where the import's is
            epochs = f": its epochs on a random {TRAIN_ROWS:,} of them" if table.n_rows > TRAIN_ROWS else ""
            sampled = (f"; <b>a sample of {table.n_rows:,} of {count_text(table.n_rows_total, 'row')} is held in memory</b> "
                       f"(the rows view, profiles and training{epochs}, as somdesk train --table); out of core, training "
                       "reads every row" if table.sampled else "")
            read = "".join(f"<br>Warning: {html.escape(w)}" for w in table.warnings if not table.sampled
                           or "random sample" not in w)       # the sample is said above
            self.info.setText(f"<b>{html.escape(self._short(display_name(table.name)))}</b>: {count_text(table.n_rows_total, 'row')} × "
                              f"{count_text(len(table.columns), 'column')}{sampled}{read}")
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
        self.locate_button.hide()
        self.score_notes.clear()                # the last scoring's warnings were about another map
        self.score_notes.hide()
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

    def close_table(self) -> None:
        """Forget the table and its map (TableWorkspace.close; the dock hides on its event)."""
        self.ws.close()

    def _estimate_auto(self, *_args) -> None:
        """What "auto" makes for the choices now: the session's rule (gui/table_estimate.AutoLine)."""
        try:
            spec = self.setup.spec() if self.ws.table is not None else None
        except SomdeskError:
            spec = None
        self.auto_line.update(self.ws.table, spec, self.out_of_core.isChecked())


