"""Palette files in and out of the window.

In: File > Open palette (Ctrl+O; one filter per format, "All palettes", and
saved maps), Open Recent, drops and the command line all go through
`open_files`; a `.somz` file among them opens as a map (`map_files`).  A
palette is read completely before anything changes, so a corrupt file leaves
the colours as they were and shows a dialog naming the file and the problem.

Out: **Save palette as…** writes the input colours in any writable format
(`somdesk.io.palettes.WRITE_FILTERS`; the format comes from the extension).
**Export organised palette…** writes the trained map's colours in map order:
N = 16 … 256 nodes on an evenly spaced sub-grid, or every node, read as a
serpentine (`somdesk.io.map_render.organised_colours`), so neighbouring
colours in the palette are neighbours on the map.
"""
from __future__ import annotations

import os

import numpy as np
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout

from somdesk.errors import SomdeskError
from somdesk.gui import dialogs
from somdesk.gui.controller import IDLE
from somdesk.gui.map_files import is_map_file
from somdesk.gui.menus import fill_recent_menu


def _write_filters():
    from somdesk.io.palettes import WRITE_FILTERS
    return WRITE_FILTERS


class PaletteFiles:
    """Open / recent / drop / save-as / organised export, for one window."""

    def __init__(self, window):
        self.win = window
        a = window.actions
        a.open.triggered.connect(lambda: self.open_palette())
        a.save_palette.triggered.connect(lambda: self.save_palette_as())
        a.export_palette.triggered.connect(lambda: self.export_organised())
        self.dialog: OrganisedPaletteDialog | None = None

    # -- recent files and folders ----------------------------------------------------------
    def last_folder(self) -> str:
        s = self.win.settings
        files = s.recent_files() if s is not None else []
        return os.path.dirname(files[0]) if files else ""

    def remember(self, path: str) -> None:
        if self.win.settings is not None:
            self.win.settings.add_recent_file(path)
        self.refresh_recent()

    def forget_if_missing(self, path: str) -> None:
        if self.win.settings is not None and not os.path.exists(path):
            self.win.settings.remove_recent_file(os.path.abspath(path))
        self.refresh_recent()

    def refresh_recent(self) -> None:
        s = self.win.settings
        fill_recent_menu(self.win.recent_menu, s.recent_files() if s is not None else [],
                         self.open_palette, self.clear_recent)

    def clear_recent(self) -> None:
        if self.win.settings is not None:
            self.win.settings.clear_recent_files()
        self.refresh_recent()

    # -- in ------------------------------------------------------------------------------------
    def open_palette(self, path: str | None = None) -> bool:
        """Load input colours from a palette file, or open a map (a dialog if `path` is None)."""
        w = self.win
        if w.controller.state != IDLE:
            w.statusBar().showMessage("Stop the training before loading another palette.", 5000)
            return False
        if path is None:
            from somdesk.gui.files import open_filter
            path = dialogs.ask_open_path(w, "Open palette", self.last_folder(), open_filter(maps=True))
            if not path:
                return False
        return self.open_files([path])

    def open_files(self, paths: list[str]) -> bool:
        """Palettes (several are combined) or one map (.somz)."""
        from somdesk.gui.files import load_palettes

        w = self.win
        maps = [p for p in paths if is_map_file(p)]
        if maps:
            if len(paths) > 1:
                w.show_error("Open one map (.somz) at a time; a map cannot be combined with other files.")
                return False
            return w.map_file.open_map(maps[0])
        try:
            colours, names, title, warnings = load_palettes(paths)
        except SomdeskError as exc:
            w.show_error(str(exc))
            for p in paths:
                self.forget_if_missing(p)
            return False
        w.palette_name = title
        w.palette.set_colours(colours, names)
        for p in paths:
            self.remember(p)
        msg = f"Loaded {len(colours)} colours from {title}."
        if warnings:
            msg += "  " + " ".join(warnings[:2])
        w.statusBar().showMessage(msg, 8000)
        return True

    # -- out -------------------------------------------------------------------------------------
    def _write(self, palette, title: str, stem: str) -> bool:
        from somdesk.io.palettes import write_palette

        w = self.win
        start = os.path.join(self.last_folder(), stem + ".gpl")
        path = dialogs.ask_save_path(w, title, start, _write_filters())
        if not path:
            return False
        try:
            write_palette(palette, path)
        except SomdeskError as exc:
            w.show_error(str(exc))
            return False
        w.statusBar().showMessage(f"Wrote {len(palette)} colours to {os.path.basename(path)}.", 8000)
        return True

    def save_palette_as(self) -> bool:
        """The input colours as a palette file, in any writable format."""
        from somdesk.io.palettes import Palette

        colours = self.win.palette.colours()
        if len(colours) == 0:
            return False
        name = os.path.splitext(self.win.palette_name or "somdesk colours")[0]
        palette = Palette.from_array(colours, name, self.win.palette.names())
        return self._write(palette, "Save palette as", name.replace(" ", "-"))

    def export_organised(self) -> None:
        """Pick N in a small dialog, then write the map's colours in map order."""
        snap = self.win.canvas.snapshot
        if snap is None:
            return
        self.dialog = OrganisedPaletteDialog(self.win, snap.weights)
        self.dialog.accepted.connect(lambda: self.write_organised(self.dialog.count()))
        self.dialog.open()

    def write_organised(self, n: int | None) -> bool:
        from somdesk.io.map_render import organised_colours
        from somdesk.io.palettes import Palette

        w = self.win
        snap = w.canvas.snapshot
        if snap is None:
            return False
        try:
            colours, nodes = organised_colours(snap.weights, n)
        except SomdeskError as exc:
            w.show_error(str(exc))
            return False
        base = os.path.splitext(os.path.basename(w.map_file.path or w.palette_name or "somdesk map"))[0]
        name = f"{base} organised {len(colours)}"
        palette = Palette.from_array(colours[:, :3], name, [f"row {r}, col {c}" for r, c in nodes])
        return self._write(palette, "Export organised palette", name.replace(" ", "-"))


class OrganisedPaletteDialog(QDialog):
    """How many colours to take from the map, with a preview of the palette in order."""

    def __init__(self, parent, weights: np.ndarray):
        from somdesk.io.map_render import organised_sizes

        super().__init__(parent)
        self.setWindowTitle("Export organised palette")
        self.weights = weights
        h, w = weights.shape[:2]
        self.combo = QComboBox()
        for n in organised_sizes(h, w):
            self.combo.addItem(f"{n} colours", n)
        self.combo.addItem(f"All nodes ({h * w:,} colours)", None)
        self.combo.setCurrentIndex(min(2, self.combo.count() - 1))
        self.preview = QLabel()
        self.preview.setMinimumHeight(24)
        note = QLabel("Evenly spaced nodes of the map, read as a serpentine: left to right along the "
                      "first row, right to left along the next, so neighbouring colours are neighbours "
                      "on the map.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Colours", self.combo)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.preview)
        lay.addWidget(note)
        lay.addWidget(buttons)
        self.combo.currentIndexChanged.connect(self._update)
        self._update()

    def count(self) -> int | None:
        return self.combo.currentData()

    def _update(self) -> None:
        from somdesk.io.images import input_strip
        from somdesk.io.map_render import organised_colours

        colours, _ = organised_colours(self.weights, self.count())
        strip = np.ascontiguousarray(input_strip(colours[:, :3], 360, 24))
        img = QImage(strip.data, 360, 24, 3 * 360, QImage.Format.Format_RGB888).copy()
        self.preview.setPixmap(QPixmap.fromImage(img))
