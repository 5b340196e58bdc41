"""Files around the one window: Open Recent, Open Sample, Save palette as…, Export organised palette….

    files = WindowFiles(window)          # fills File > Open Recent and File > Open Sample
    files.remember(path)                 # after a file opened (the window calls it)
    files.last_folder()                  # where the next file dialog starts

**Open Recent** lists up to `settings.MAX_RECENT` files (newest first, "&1 name")
and "Clear list"; a file that no longer opens because it is gone is dropped from
the list.  The list lives in the settings (gui/settings.py), so every window and
the next launch see it; a window without settings (tests, smoke mode) shows "(none)".
**Open Sample** lists the palettes shipped in resources/palettes and the sample
table in resources/samples; each opens like any file (File > Open).
**Save palette as…** writes the input colours (colour datasets) in any writable
palette format, chosen by the extension (`io.palettes.WRITE_FILTERS`).
`check_image_target(path, in_use)` is File > Export image's refusal of a name that is not
.png or that is a file the window has open (tester6 F33).
**Export organised palette…** writes the map's colours in map order
(`Session.export_palette`, render.organised_colours), N colours picked in a dialog
with a preview strip.
"""
from __future__ import annotations

import os

import numpy as np
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout

from somdesk.core.options import count_text
from somdesk.errors import OptionError, SomdeskError
from somdesk.gui import dialogs
from somdesk.io.names import check_not_in_use, display_basename, output_name
from somdesk.io.tables.detect import TABLE_SUFFIXES


def check_image_target(path, in_use=(), what: str = "Export image") -> None:
    """OptionError when File > Export image must not write `path`: its name does not end in
    .png (the bytes are always PNG, and a .csv/.gpl/.jpg holding them misleads every program
    that opens it -- `somdesk quantize` refuses such names too), or it is one of `in_use`,
    (what, path) pairs such as ("the table in use", ws.path), by any name (io.names.same_file):
    writing would replace the file the window works on (tester6 F33).  A device or FIFO
    (/dev/null) is written through whatever its name."""
    import stat

    fspath = os.fspath(path)
    try:
        special = not stat.S_ISREG(os.stat(fspath).st_mode) and not os.path.isdir(fspath)
    except (OSError, ValueError):
        special = False
    if not special and os.path.splitext(fspath)[1].lower() != ".png":
        raise OptionError(f"{what} writes PNG: give it a .png file name, not {output_name(fspath)}")
    check_not_in_use(fspath, in_use)


def sample_files() -> list[str]:
    """The shipped samples: palettes (resources/palettes) then tables and pictures (resources/samples)."""
    from somdesk.resources import resource_path, sample_palettes

    files = [str(p) for p in sample_palettes()]
    folder = resource_path("samples")
    if folder is not None:
        files += [str(p) for p in sorted(folder.iterdir()) if p.is_file()]
    return files


PICTURES = ["*.png", "*.jpg", "*.jpeg", "*.gif", "*.bmp", "*.webp", "*.tif", "*.tiff"]
# what io.tables reads, from its own list; one list for every Open dialog
TABLES = [f"*{suffix}" for suffix in TABLE_SUFFIXES]
MAPS = ["*.somz"]
# Palettes of more colours than this are written by a task on the window's runner (65,536
# colours as JSON took the GUI thread 0.55 s of CPU, 1.1 s on a busy machine); smaller ones
# are written at once, as before (4,096 as JSON: ~0.04 s), also while the map trains.
TASK_COLOURS = 4096


def open_filters(kind: str | None = None) -> str:
    """The File > Open filter string: everything somdesk opens first, then palettes (all,
    and each format of `io.palettes.READ_FILTERS`), pictures, tables, saved maps, all files.
    `kind` "image" or "table" (File > New picture / table window) offers only that kind."""
    from somdesk.io.palettes import READ_FILTERS

    if kind == "image":
        return f"Pictures ({' '.join(PICTURES)});;All files (*)"
    if kind == "table":
        return f"Tables ({' '.join(TABLES)});;All files (*)"
    palettes = sorted({p for _label, pats in READ_FILTERS for p in pats})
    everything = sorted(set(palettes + PICTURES + TABLES + MAPS))
    parts = [f"Everything somdesk opens ({' '.join(everything)})", f"All palettes ({' '.join(palettes)})"]
    parts += [f"{label} ({' '.join(pats)})" for label, pats in READ_FILTERS]
    parts += [f"Pictures ({' '.join(PICTURES)})", f"Tables ({' '.join(TABLES)})", f"somdesk maps ({' '.join(MAPS)})",
              "All files (*)"]
    return ";;".join(parts)


def write_filters():
    from somdesk.io.palettes import WRITE_FILTERS
    return WRITE_FILTERS


class WindowFiles:
    """Recent files, samples, palette out, for one window (`window.settings` may be None)."""

    def __init__(self, window):
        self.win = window
        self.dialog: OrganisedPaletteDialog | None = None
        self.last_losses: list[str] = []        # what the last Save palette as could not keep
        a = window.actions
        a["save_palette"].triggered.connect(lambda: self.save_palette_as())
        a["export_palette"].triggered.connect(lambda: self.export_organised())
        window.recent_menu.aboutToShow.connect(self.refresh_recent)
        self._fill_samples()
        self.refresh_recent()

    @staticmethod
    def open_filters(kind: str | None = None) -> str:
        return open_filters(kind)

    # -- the settings behind it --------------------------------------------------------------
    def recent_files(self) -> list[str]:
        s = self.win.settings
        return s.recent_files() if s is not None else []

    def last_folder(self) -> str:
        s = self.win.settings
        folder = s.get("files/folder", "") if s is not None else ""
        if folder and os.path.isdir(folder):
            return folder
        files = self.recent_files()
        return os.path.dirname(files[0]) if files else ""

    def remember_folder(self, path: str) -> None:
        if self.win.settings is not None and path:
            self.win.settings.set("files/folder", os.path.dirname(os.path.abspath(path)))

    def start_path(self, name: str) -> str:
        """`name` in the last folder: where a save dialog starts."""
        folder = self.last_folder()
        return os.path.join(folder, name) if folder else name

    def remember(self, path: str) -> None:
        """`path` opened: first in Open Recent (samples are not listed), its folder is the last one."""
        if self.win.settings is None:
            return
        if os.path.abspath(path) not in {os.path.abspath(p) for p in sample_files()}:
            self.win.settings.add_recent_file(path)
            self.remember_folder(path)
        self.refresh_recent()

    def forget_if_missing(self, path: str) -> None:
        if self.win.settings is not None and not os.path.exists(path):
            self.win.settings.remove_recent_file(os.path.abspath(path))
        self.refresh_recent()

    def clear_recent(self) -> None:
        if self.win.settings is not None:
            self.win.settings.clear_recent_files()
        self.refresh_recent()

    # -- menus -----------------------------------------------------------------------------------
    def refresh_recent(self) -> None:
        """(Re)fill File > Open Recent: one entry per file, then "Clear list"."""
        menu = self.win.recent_menu
        menu.clear()
        files = self.recent_files()
        for i, path in enumerate(files, start=1):
            act = menu.addAction(f"&{i % 10}  {display_basename(path)}")
            act.setToolTip(path)
            act.setStatusTip(path)
            act.triggered.connect(lambda _checked=False, p=path: self.win.open_paths([p]))
        if files:
            menu.addSeparator()
            menu.addAction("Clear list", self.clear_recent).setObjectName("action-clear-recent")
        else:
            menu.addAction("(none)").setEnabled(False)

    def _fill_samples(self) -> None:
        menu = self.win.samples_menu
        for path in sample_files():
            stem, ext = os.path.splitext(os.path.basename(path))
            act = menu.addAction(f"{stem.replace('-', ' ')} ({ext.lstrip('.')})")
            act.setStatusTip(path)
            act.triggered.connect(lambda _checked=False, p=path: self.win.open_paths([p]))
        menu.setEnabled(not menu.isEmpty())

    def refresh(self, busy: bool) -> None:
        """Enabled state of the file actions (from the window's one refresh)."""
        s, a = self.win.session, self.win.actions
        self.win.recent_menu.setEnabled(not busy)
        self.win.samples_menu.setEnabled(not busy and not self.win.samples_menu.isEmpty())
        a["save_palette"].setEnabled(s.kind == "colours" and not busy)
        a["export_palette"].setEnabled(s.kind in ("colours", "image") and s.map is not None)

    # -- palettes out ----------------------------------------------------------------------------
    def _ask(self, title: str, stem: str) -> str | None:
        path = dialogs.ask_save_path(self.win, title, self.start_path(stem + ".gpl"), write_filters())
        if path:
            self.remember_folder(path)
        return path

    def save_palette_as(self, path: str | None = None) -> bool:
        """The input colours (sRGB, with their names) as a palette file, in any writable format.
        What the format cannot keep (transparency, names: `io.palettes.write_losses`, the
        CLI's warnings) is said in the status line and, interactive, a message (tester8 #11:
        alpha dropped without a word); `last_losses` holds it."""
        from somdesk.io.palettes import Palette, format_for_path, write_losses, write_palette

        w, s = self.win, self.win.session
        if s.kind != "colours" or len(s.dataset.colours) == 0:
            return False
        d = s.dataset
        name = os.path.splitext(d.title or "somdesk colours")[0]
        path = path or self._ask("Save palette as", name.replace(" ", "-"))
        if not path or dialogs.target_refused(w, path):   # a pipe would hold the window 10 s
            return False
        palette = Palette.from_array(d.with_alpha, name, list(d.names) or None)
        try:
            # what is lost is of what the palette has: its own name, not one made from its file's
            # (an unnamed .hex palette saved as .pal said "Not kept: names")
            own = Palette.from_array(d.with_alpha, d.palette_name, list(d.names) or None)
            losses = write_losses(own, format_for_path(path))
        except SomdeskError as exc:
            w.show_error(str(exc))
            return False
        n = len(d.colours)
        clean_at = w.undo.index()

        def written(_none) -> None:
            self.last_losses = losses
            if w.undo.index() == clean_at:
                w.undo.setClean()       # the edited colours are in a file now (tester6 F39)
            text = f"Wrote {count_text(n, 'colour')} to {display_basename(path)}."
            if losses:
                text += "  Not kept: " + "; ".join(losses) + "."
                if w.interactive:
                    dialogs.show_message(w, "Save palette as", text)
            w.statusBar().showMessage(text, 15000)
        return self._write(path, n, "Save palette as", lambda: write_palette(palette, path), written)

    def _write(self, path: str, n: int, what: str, write, done) -> bool:
        """`write()` then `done(its value)`: at once for a palette of at most TASK_COLOURS
        colours, else as a task (gui/window_save.start_write).  SomdeskError: said, False."""
        w = self.win
        if n > TASK_COLOURS:
            return w.start_write(path, what, write, done)
        try:
            value = write()
        except SomdeskError as exc:
            w.show_error(str(exc))
            return False
        done(value)
        return True

    def export_organised(self) -> None:
        """Pick N in a small dialog, then write the map's colours in map order."""
        s = self.win.session
        if s.map is None or s.kind not in ("colours", "image"):
            return
        self.dialog = OrganisedPaletteDialog(self.win, self.win.session)
        self.dialog.accepted.connect(lambda: self.write_organised(self.dialog.count()))
        self.dialog.open()

    def write_organised(self, n: int | None, path: str | None = None) -> bool:
        w, s = self.win, self.win.session
        if s.map is None:
            return False
        base = os.path.splitext(os.path.basename(s.path or getattr(s.dataset, "title", "") or "somdesk map"))[0]
        path = path or self._ask("Export organised palette", f"{base}-organised".replace(" ", "-"))
        if not path or dialogs.target_refused(w, path):
            return False
        try:
            # the map's colours over the palette they were trained on would replace it (tester6 F33)
            check_not_in_use(path, [("the file in use", getattr(s.dataset, "source", None)),
                                    ("the saved map", s.path)])
            write = s.export_palette_writer(path, n)        # the map's colours taken now
        except SomdeskError as exc:
            w.show_error(str(exc))
            return False
        rows, cols = s.map.shape
        return self._write(path, min(n or rows * cols, rows * cols), "Export organised palette", write,
                           lambda count: w.statusBar().showMessage(
                               f"Wrote {count_text(count, 'colour')} in map order to {display_basename(path)}.", 8000))


class OrganisedPaletteDialog(QDialog):
    """How many colours to take from the map, with a preview of the palette in order."""

    def __init__(self, parent, session):
        from somdesk import render

        super().__init__(parent)
        self.setWindowTitle("Export organised palette")
        self.setObjectName("organised-palette-dialog")
        self.session = session
        h, w = session.map.shape
        self.combo = QComboBox()
        for n in render.organised_sizes(h, w):
            self.combo.addItem(f"{count_text(n, 'colour')}", n)
        self.combo.addItem(f"All nodes ({count_text(h * w, 'colour')})", None)
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
        from somdesk import render
        from somdesk.session.exports import node_colours

        nodes, _legend = node_colours(self.session, "colours")      # sRGB, as the export writes
        colours, _ = render.organised_colours(nodes.astype(np.float64) / 255.0, self.count())
        strip = np.ascontiguousarray(render.input_strip(colours[:, :3], 360, 24))
        img = QImage(strip.data, 360, 24, 3 * 360, QImage.Format.Format_RGB888).copy()
        self.preview.setPixmap(QPixmap.fromImage(img))
