"""File > Export image… (Ctrl+E): the export options dialog of the one window.

The dialog picks which view to draw (those that apply to the workspace now:
colours, strip + map, U-matrix, hit map, the
original or quantised picture, or both side by side), the size in pixels per node, whether to ring
each input's best-matching node, and whether to add the legend (colour bar or
category list) below the map; the output size is shown live ("800 x 800 px").
**Save PNG…** writes it, **Copy** puts the same picture on the clipboard.

The picture is `Window.map_image(scale, view=..., markers=..., legend=...)`:
the same `somdesk.render` call the canvas draws with, so at the screen's scale
and with no extras the file equals the screen pixel for pixel.  The choices are
remembered in the settings (export/view, export/scale, export/markers,
export/legend).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from somdesk import render
from somdesk.gui.window_actions import VIEWS
from somdesk.io.names import display_basename

PNG_FILTERS = [("PNG image", ["*.png"])]
PICTURE_VIEWS = ("picture", "quantised", "compare")     # whole pictures: no scale, markers or legend
# Pictures of more pixels than this are exported by a task on the window's runner (progress,
# Stop): a 100 Mpx picture's PNG took the GUI thread 1.2-1.8 s (tester7 #13).  Smaller ones
# are written at once, as before (a 2 Mpx picture: ~0.1 s), also while the map trains.
TASK_PIXELS = 4_000_000


@dataclass
class ExportOptions:
    view: str = "colours"
    scale: int | None = 8          # px per node; None: the screen's scale
    markers: bool = False
    legend: bool = True

    @classmethod
    def from_settings(cls, settings, view: str) -> "ExportOptions":
        d = cls(view=view)
        if settings is None:
            return d
        scale = settings.get("export/scale", d.scale)
        return cls(view, scale if 1 <= scale <= render.MAX_SCALE else d.scale,
                   settings.get("export/markers", d.markers), settings.get("export/legend", d.legend))

    def save(self, settings) -> None:
        if settings is not None:
            settings.set("export/view", self.view)
            settings.set("export/scale", int(self.scale))
            settings.set("export/markers", bool(self.markers))
            settings.set("export/legend", bool(self.legend))


def export_views(session) -> list[str]:
    """The views an export can draw now, in menu order."""
    views = set(session.views())
    if session.kind == "image":
        views.add("picture")
    return [v for v in VIEWS if v in views]


class ExportImageDialog(QDialog):
    """What to export, with the output size; emits save_requested / copy_requested (ExportOptions)."""

    save_requested = Signal(object)
    copy_requested = Signal(object)

    def __init__(self, parent: QWidget | None, options: ExportOptions, views: list[str], rows: int, cols: int,
                 hexagonal: bool, measured: bool):
        super().__init__(parent)
        self.setWindowTitle("Export image")
        self.setObjectName("export-image-dialog")
        self.rows, self.cols, self.hexagonal, self.measured = rows, cols, hexagonal, measured
        self.view = QComboBox()
        self.view.setObjectName("export-view")
        for v in views:
            self.view.addItem(VIEWS[v][0].replace("&", ""), v)
        self.view.setCurrentIndex(max(0, self.view.findData(options.view)))
        self.scale = QSpinBox(minimum=1, maximum=render.MAX_SCALE, suffix=" px per node")
        self.scale.setValue(options.scale)
        self.scale.setToolTip("Nearest-neighbour: every node is a crisp square"
                              + (" (hexagonal map: a true hexagon, this many px between centres)" if hexagonal else ""))
        self.markers = QCheckBox("Ring each input's best-matching node")
        self.markers.setChecked(options.markers and measured)
        self.legend = QCheckBox("Colour scale or category list below the map")
        self.legend.setChecked(options.legend)
        self.size_label = QLabel()
        self.size_label.setObjectName("export-size")
        form = QFormLayout()
        form.addRow("View", self.view)
        form.addRow("Size", self.scale)
        form.addRow("Markers", self.markers)
        form.addRow("Legend", self.legend)
        form.addRow("Output", self.size_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("Save PNG…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.copy_button = QPushButton("Copy")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(lambda: self.copy_requested.emit(self.options()))
        self.accepted.connect(lambda: self.save_requested.emit(self.options()))
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.view.currentIndexChanged.connect(self._update)
        self.scale.valueChanged.connect(self._update)
        self.legend.toggled.connect(self._update)
        self._update()

    def options(self) -> ExportOptions:
        return ExportOptions(self.view.currentData() or "colours", self.scale.value(), self.markers.isChecked(),
                             self.legend.isChecked())

    def _update(self) -> None:
        o = self.options()
        whole = o.view in PICTURE_VIEWS
        for w in (self.scale, self.legend):
            w.setEnabled(not whole)
        self.markers.setEnabled(not whole and self.measured)
        if whole:
            self.size_label.setText("the original and the quantised picture side by side, at full size"
                                    if o.view == "compare" else "the picture at its full size")
            return
        w, h = render.view_size(o.view, self.rows, self.cols, self.hexagonal, o.scale)
        self.size_label.setText(f"{w} x {h} px" + (" + legend" if o.legend and o.view in LEGEND_VIEWS else ""))


LEGEND_VIEWS = ("umatrix", "hits")     # a table's exports are the Segments dock's (gui/table_files.py)


class ImageExports:
    """Export image (the dialog) and its Copy, for one window."""

    def __init__(self, window):
        self.win = window
        self.dialog: ExportImageDialog | None = None

    def original_with_alpha(self, view: str) -> np.ndarray | None:
        """(H, W, 4) uint8: the original picture with its transparency when an export of `view`
        writes it -- a picture with alpha and no colour-vision simulation shown; else None
        (the export writes what the screen shows, e.g. over the checkerboard)."""
        w, s = self.win, self.win.session
        if view != "picture" or s.kind != "image" or not s.dataset.has_alpha:
            return None
        return None if w.colour.simulates_exports() else s.dataset.pixels

    def writes_quantised(self, view: str) -> bool:
        """Is the export of `view` the quantised picture itself (not a colour-vision simulation
        of it)?  Then it is written as `somdesk quantize` does: an indexed PNG, tRNS kept."""
        w = self.win
        if view != "quantised" or self._quantised() is None:
            return False
        return not w.colour.simulates_exports()

    def _quantised(self):
        """The quantised picture the "quantised" view shows: the full-size one once made, else
        the live preview of the training map (at most 640 px a side), or None."""
        w = self.win
        return w.session.quantised if w.session.quantised is not None else getattr(w, "live_preview", None)

    def options(self) -> ExportOptions:
        """The last choices (from the settings), for the view shown now."""
        return ExportOptions.from_settings(self.win.settings, self.win.view)

    def picture(self, options: ExportOptions):
        """(H, W, 3) uint8 of `options` (SomdeskError if it cannot be drawn), or None without a map."""
        return self.win.map_image(options.scale, view=options.view, markers=options.markers,
                                  legend=options.legend)

    def open_dialog(self) -> None:
        w, s = self.win, self.win.session
        if s.map is None:
            return
        views = export_views(s)
        if w.view not in views and w.view in VIEWS:
            views.append(w.view)
        rows, cols = s.map.shape
        self.dialog = ExportImageDialog(w, self.options(), views, rows, cols, s.map.hexagonal, s.map.measured)
        self.dialog.save_requested.connect(lambda o: self.save(o))
        self.dialog.copy_requested.connect(self.copy)
        self.dialog.open()

    def save(self, options: ExportOptions, path: str | None = None, remember: bool = True) -> bool:
        """Write `options`' picture to `path` (asked for when None); `remember` keeps the choices
        in the settings (the dialog's; File > Export image's direct writes do not)."""
        from somdesk.errors import SomdeskError
        from somdesk.gui import dialogs
        from somdesk.gui.window_files import check_image_target
        from somdesk.gui.window_tasks import write_png

        w = self.win
        if remember:
            options.save(w.settings)
        if path is None:
            stem = os.path.splitext(os.path.basename(w.session.path or "somdesk-map"))[0]
            path = dialogs.ask_save_path(w, "Export image", w.files.start_path(f"{stem}-{options.view}.png"),
                                         PNG_FILTERS)
            if not path:
                return False
            w.files.remember_folder(path)
        if dialogs.target_refused(w, path):            # a pipe: refused before any task, not 10 s later
            return False
        try:
            check_image_target(path, self.files_in_use())
            if self.big_picture(options.view):
                return self._save_in_task(options.view, path)
            if self.big_map(options):
                return self._save_map_in_task(options, path)
            if self.writes_quantised(options.view):     # indexed PNG, transparency kept (tRNS)
                from somdesk.io.quantized_png import save_indexed_png

                q = self._quantised()
                save_indexed_png(path, q.indices, q.palette)
                what = "indexed PNG" if q is w.session.quantised else \
                    f"indexed PNG of the live preview, {q.indices.shape[1]} x {q.indices.shape[0]} px"
                w.statusBar().showMessage(f"Exported {display_basename(path)} ({what}).", 8000)
                return True
            rgb = self.original_with_alpha(options.view)      # RGBA: transparency kept
            rgb = self.picture(options) if rgb is None else rgb
            if rgb is None:
                return False
            write_png(path, rgb)
        except SomdeskError as exc:
            w.show_error(str(exc))
            return False
        w.statusBar().showMessage(f"Exported {display_basename(path)} ({rgb.shape[1]} x {rgb.shape[0]} px).", 8000)
        return True

    def big_picture(self, view: str) -> bool:
        """Is the export of `view` a full-size picture of more than TASK_PIXELS pixels?"""
        s = self.win.session
        if view not in PICTURE_VIEWS or s.kind != "image":
            return False
        if view in ("quantised", "compare") and s.quantised is None:
            return False                   # the live preview: at most 640 px a side
        return s.dataset.n_pixels * (2 if view == "compare" else 1) > TASK_PIXELS

    def _save_in_task(self, view: str, path: str) -> bool:
        """Write the full-size picture of `view` to `path` in a task ("export-image"): what is
        written is taken now (the frozen picture, the colour-vision filter shown); the finished
        task's status line says what was written (Window._on_finished -> `finished`)."""
        from somdesk.core.cancel import check
        from somdesk.core.map_quantise import rows_on_checkerboard
        from somdesk.gui.window_tasks import write_png
        from somdesk.io.quantized_png import save_indexed_png
        from somdesk.session import Progress

        s = self.win.session
        simulate = self._simulation()
        if view == "compare":
            return self._save_compare_in_task(path, simulate)
        data, q = s.dataset, (s.quantised if view == "quantised" else None)
        h, wd = data.pixels.shape[:2]

        def steps(token):
            yield Progress("export", 0, 0, "", "Exporting image")
            check(token)
            if q is not None and simulate is None:          # indexed PNG, transparency kept (tRNS)
                save_indexed_png(path, q.indices, q.palette)
                return "indexed PNG"
            if q is None and simulate is None:
                rgb = data.pixels                            # as read: RGB, or RGBA with its transparency
            else:
                rows = (lambda a, b: q.palette[q.indices[a:b]]) if q is not None else (lambda a, b: data.pixels[a:b])
                rgb = simulate(rows_on_checkerboard(h, wd, rows, token))
            check(token)
            write_png(path, rgb)
            return f"{wd} x {h} px"

        return self._start_export(path, steps)

    def _save_compare_in_task(self, path: str, simulate) -> bool:
        """Draw the full-size side-by-side picture (session.exports.compare_drawing: the original
        and the quantised picture shown when Save was pressed) and write it, in a task."""
        from somdesk.gui.window_drawing import quantised_nodes
        from somdesk.session.exports import compare_drawing

        s = self.win.session
        return self._drawn_export(path, compare_drawing(s, nodes=quantised_nodes(s, s.quantised)), simulate)

    def _drawn_export(self, path: str, draw, simulate) -> bool:
        """Export `draw(token)` (an (H, W, 3) uint8 picture drawn on the task's thread), through
        `simulate` (or None) when the colour-vision preview applies, as a task writing `path`."""
        from somdesk.core.cancel import check
        from somdesk.gui.window_tasks import write_png
        from somdesk.session import Progress

        def steps(token):
            yield Progress("export", 0, 0, "", "Exporting image")
            check(token)
            pic = draw(token)
            check(token)
            if simulate is not None:
                pic = simulate(pic)
            check(token)
            write_png(path, pic)
            return f"{pic.shape[1]} x {pic.shape[0]} px"

        return self._start_export(path, steps)

    def _start_export(self, path: str, steps) -> bool:
        """Start the task ("export-image") of `steps(token)`, a generator that writes `path` and
        returns what it wrote (`finished` shows it); False, with one message, while another task
        runs: the window runs one task at a time, and starting would stop the one under way."""
        w = self.win
        if w.runner.busy:
            from somdesk.gui.task_words import wait_message

            w.show_error("Export image of a picture or map this big runs as a task. "
                         + wait_message(w.runner, "exporting"))
            return False
        self._export_out = path
        w.runner.start("export-image", steps)
        w.refresh()
        return True

    def _simulation(self):
        """The colour-vision simulation exports show now as a function for a task's thread (its
        settings taken now), or None."""
        c = self.win.colour
        if not c.simulates_exports():
            return None
        from somdesk.core.colour_cvd import simulate_cvd

        cvd, severity = c.cvd, c.severity
        return lambda pic: simulate_cvd(pic, cvd, severity)

    def big_map(self, options: ExportOptions) -> bool:
        """Is the export of a map view bigger than TASK_PIXELS (a 1000 x 1000 map at 9 px a node)?"""
        m = self.win.session.map
        if options.view in PICTURE_VIEWS or m is None or self.win.tables.holds_data:
            return False
        from somdesk.gui.map_view import scale_for

        rows, cols = m.shape
        w, h = render.view_size(options.view, rows, cols, m.hexagonal, options.scale or scale_for(rows, cols))
        return w * h > TASK_PIXELS

    def _save_map_in_task(self, options: ExportOptions, path: str) -> bool:
        """Draw and write a big map export in a task ("export-image"), as `_save_in_task` does
        for pictures; the map drawn is the one shown when Save was pressed."""
        draw = self.win.map_drawing(options.scale, view=options.view, markers=options.markers, legend=options.legend)
        return self._drawn_export(path, lambda _token: draw(), self._simulation())

    def finished(self, result, stopped: bool) -> None:
        """The export task ended: `result` says what was written (None: nothing)."""
        name = display_basename(getattr(self, "_export_out", "") or "")
        if result is not None:
            self.win.statusBar().showMessage(f"Exported {name} ({result}).", 8000)
        elif stopped:
            self.win.statusBar().showMessage(f"Export image stopped: {name} was not written.", 8000)

    def files_in_use(self) -> list[tuple[str, str | None]]:
        """(what, path) of the files the window works on: the palette or picture it read and
        its saved map -- Export image refuses to write over them (tester6 F33)."""
        s = self.win.session
        return [("the file in use", getattr(s.dataset, "source", None)), ("the saved map", s.path)]

    def copy(self, options: ExportOptions) -> bool:
        from PySide6.QtWidgets import QApplication

        from somdesk.errors import SomdeskError
        from somdesk.gui.map_view import to_qimage

        w = self.win
        options.save(w.settings)
        try:                # a big picture: the copy on screen, not 100 Mpx through the clipboard
            if self.big_picture(options.view):
                s = w.session
                if options.view == "compare":            # the display copies side by side, as on screen
                    from somdesk.gui.window_drawing import quantised_nodes
                    from somdesk.session.exports import compare_picture

                    rgb = w.colour.for_export(compare_picture(s, shown=True, nodes=quantised_nodes(s, s.quantised)))
                else:
                    rgb = w.colour.for_export(s.quantised.shown() if options.view == "quantised" else s.dataset.small)
            else:
                rgb = self.picture(options)
        except SomdeskError as exc:
            w.show_error(str(exc))
            return False
        if rgb is None:
            return False
        QApplication.clipboard().setImage(to_qimage(rgb))
        w.statusBar().showMessage(f"Copied the picture to the clipboard ({rgb.shape[1]} x {rgb.shape[0]} px).", 6000)
        return True
