"""Saved maps (.somz) in the window: Save / Save as / Open, the unsaved-changes mark
and the Save / Discard / Cancel prompt.

The file format is `somdesk.io.mapfile` (atomic writes, no pickle).  Opening a
map restores its input colours, every parameter (into the panel), its weights
and the iteration reached; **Train** then continues it, to the same final
weights as a run that never stopped.

What is saved is the map as shown: while a run is active that is the last
snapshot (a consistent copy the worker sent), when idle the map itself.

"Unsaved" means the map has trained since it was opened or last saved (an
untrained map, iteration 0, loses nothing).  The window title carries `[*]`, so
Qt shows the mark.  When `window.confirm_unsaved` is on (the app sets it), closing
or quitting, and opening another map, first ask Save / Discard / Cancel; the
question never blocks the event loop (`dialogs.ask_unsaved_changes`).
"""
from __future__ import annotations

import os

from somdesk.core import SOM
from somdesk.errors import SomdeskError
from somdesk.gui import dialogs
from somdesk.gui.controller import IDLE, RUNNING
from somdesk.gui.training import make_snapshot

MAP_FILTERS = [("somdesk maps", ["*.somz"])]


def is_map_file(path: str) -> bool:
    return str(path).lower().endswith(".somz")


class MapDocument:
    """The window's map as a document: its file, whether it has unsaved training."""

    def __init__(self, window):
        self.win = window
        self.path: str | None = None
        self.resume_som: SOM | None = None    # an opened map that Train continues
        self._saved_som: SOM | None = None
        self._saved_iteration = 0
        self._closing = False
        a = window.actions
        a.save_map.triggered.connect(lambda: self.save())
        a.save_map_as.triggered.connect(lambda: self.save_as())
        a.open_map.triggered.connect(lambda: self.open_map())

    # -- state ----------------------------------------------------------------------
    def name(self) -> str:
        return os.path.basename(self.path) if self.path else "untitled map"

    def shown_iteration(self) -> int:
        c = self.win.controller
        snap = self.win.canvas.snapshot
        if c.state != IDLE and snap is not None:
            return snap.iteration
        return c.som.iteration if c.som is not None else 0

    def is_modified(self) -> bool:
        som = self.win.controller.som
        if som is None:
            return False
        it = self.shown_iteration()
        return it > 0 and (som is not self._saved_som or it != self._saved_iteration)

    def refresh(self) -> None:
        """The title's unsaved mark and which file actions are available."""
        w, a = self.win, self.win.actions
        w.setWindowModified(self.is_modified())
        has_map = w.controller.som is not None and w.canvas.snapshot is not None
        for act in (a.save_map, a.save_map_as, a.export_image, a.copy_image, a.export_palette):
            act.setEnabled(has_map)
        a.open_map.setEnabled(w.controller.state == IDLE)
        a.save_palette.setEnabled(len(w.palette.colours()) > 0)
        a.export_timelapse.setEnabled(len(w.timelapse.recorder) > 0)

    # -- saving -----------------------------------------------------------------------
    def som_to_save(self) -> SOM | None:
        """The map as shown (see the module docstring)."""
        c, snap = self.win.controller, self.win.canvas.snapshot
        if c.som is None:
            return None
        if c.state == IDLE:
            return c.som
        if snap is None:
            return None
        som = SOM(c.som.data, snap.config, weights=snap.weights, iteration=snap.iteration)
        som.seed = snap.seed
        return som

    def save(self) -> bool:
        """Save to the map's file (Ctrl+S); asks for a name the first time."""
        return self.write(self.path) if self.path else self.save_as()

    def save_as(self) -> bool:
        """Save to a new file (Ctrl+Shift+S)."""
        if self.win.controller.som is None:
            return False
        start = self.path or os.path.join(self.win.files.last_folder(), "map.somz")
        path = dialogs.ask_save_path(self.win, "Save map", start, MAP_FILTERS)
        if not path:
            return False
        if not is_map_file(path):
            path += ".somz"
        return self.write(path)

    def write(self, path: str) -> bool:
        from somdesk.io.mapfile import save_map

        w = self.win
        som = self.som_to_save()
        if som is None:
            return False
        colours, names = w.palette.colours(), w.palette.names()
        same_inputs = colours.shape == som.data.shape and (colours == som.data).all()
        try:
            save_map(som, path, names if same_inputs and any(n for n in names) else None)
        except SomdeskError as exc:
            w.show_error(str(exc))
            return False
        self.path = os.path.abspath(path)
        self._saved_som, self._saved_iteration = w.controller.som, som.iteration
        w.files.remember(self.path)
        w.update_title()
        w.statusBar().showMessage(f"Saved {self.name()} at iteration {som.iteration:,} of {som.total:,}.", 8000)
        return True

    # -- opening ----------------------------------------------------------------------
    def open_map(self, path: str | None = None) -> bool:
        """Open a .somz file (a dialog if `path` is None); False if nothing was opened (yet)."""
        w = self.win
        if w.controller.state != IDLE:
            w.statusBar().showMessage("Stop the training before opening a map.", 5000)
            return False
        if path is None:
            path = dialogs.ask_open_path(w, "Open map", w.files.last_folder(), dialogs.filter_string(MAP_FILTERS))
            if not path:
                return False
        if w.confirm_unsaved and self.is_modified():
            self.confirm_discard(lambda: self.load(path))
            return False
        return self.load(path)

    def load(self, path: str) -> bool:
        from somdesk.io.mapfile import load_map

        w = self.win
        try:
            saved = load_map(path)
            som = saved.som
            if som.data.shape[1] != 3:
                raise SomdeskError(f"{os.path.basename(path)}: this map was trained on {som.data.shape[1]}-"
                                   "dimensional data; the window shows colour maps (3 dimensions)")
        except SomdeskError as exc:
            w.show_error(str(exc))
            w.files.forget_if_missing(path)
            return False
        w.controller.som = som
        self.path = os.path.abspath(path)
        self.resume_som = som
        self._saved_som, self._saved_iteration = som, som.iteration
        w.palette_name = os.path.basename(path)
        w.palette.set_colours(som.data, saved.input_names)
        w.params.set_config(som.config)
        w.metrics.clear_points(som.total)
        snap = make_snapshot(som, view=w.canvas.view)
        w.canvas.show_snapshot(snap)
        if som.iteration:
            w.status.show_snapshot(snap, running=False)
            w.status.eta.setText("opened")
        else:
            w.status.clear(som.total)
        w.timelapse.restart(som)
        w.files.remember(self.path)
        w.update_title()
        msg = f"Opened {self.name()}: iteration {som.iteration:,} of {som.total:,}."
        if not som.done:
            msg += "  Train continues it."
        if not w.matches_inputs(som):
            msg += "  Its parameters cannot all be shown in the panel: Train starts a new map."
        w.statusBar().showMessage(msg, 10000)
        return True

    # -- unsaved changes ------------------------------------------------------------------
    def confirm_discard(self, then) -> None:
        """Run `then()` once unsaved training is saved or discarded; nothing on Cancel."""
        w = self.win
        if not (w.confirm_unsaved and self.is_modified()):
            then()
            return
        c = w.controller
        was_running = c.state == RUNNING
        if was_running:
            c.pause()

        def answer(choice: str) -> None:
            if choice == "discard" or (choice == "save" and self.save()):
                then()
            elif was_running:
                c.resume()

        dialogs.ask_unsaved_changes(w, self.name(), answer)

    def intercept_close(self, event) -> bool:
        """In closeEvent: True if the close waits for an answer (the event is ignored)."""
        if self._closing or not (self.win.confirm_unsaved and self.is_modified()):
            return False
        answer = {"pending": True, "close_now": False}

        def close() -> None:
            if answer["pending"]:          # answered at once (inside this closeEvent)
                answer["close_now"] = True
            else:                          # answered later, from the message box
                self._closing = True
                self.win.close()

        self.confirm_discard(close)
        answer["pending"] = False
        if answer["close_now"]:
            return False
        event.ignore()
        return True
