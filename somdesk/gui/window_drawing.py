"""The map area of the window: which views the dataset has, and drawing them (a mixin of
gui/window.Window).

    win.set_view("umatrix")     # View menu; a table's views are the Segments dock's
    win.schedule_draw()         # at most FPS redraws a second, through one timer
    win.map_image(scale=8, markers=True, legend=True)   # (H, W, 3) uint8, as Export writes it
    win.set_view("compare")     # a picture: the original and the quantised picture side by side

Pixels come from `somdesk.render` (gui/map_view.py), so the screen, the PNG export and the
clipboard agree.  Needs the window's `session`, `canvas`, `actions`, `left`, `colour`,
`tables`, `undo`, `_redraw` (a single-shot QTimer) and `refresh()`.
"""
from __future__ import annotations

import time

import numpy as np

from somdesk.gui.map_view import map_picture, scale_for, shrunk_note
from somdesk.gui.window_actions import VIEWS

__all__ = ["WindowDrawing", "FPS", "quantised_nodes"]

FPS = 25.0                        # map redraws per second while training (at most)


def panel_config(session):
    """The session's config as the parameter panel shows it: a drawn seed as random (None)."""
    return session.config.replace(seed=None) if session.seed_drawn else session.config


class WindowDrawing:
    """The dataset's views and the map drawn (see module docstring)."""

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
        # a seed nobody typed shows as "random" (the title still names it): shown as typed, it
        # turned fixed after File > Open and every later file reused it (testerW #5)
        self.left.params.set_config(panel_config(self.session))
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
        if s.kind == "image" and self.view == "compare":
            self._draw_compare()
            return
        if s.kind == "image" and self.view in ("picture", "quantised"):
            live = getattr(self, "live_preview", None)
            # the pictures drawn are at most DISPLAY_MAX_SIDE a side, made off the GUI thread
            # (ImageData.small, QuantisedPicture.small): a 100 Mpx picture drawn whole froze
            # the window 11-20 s per view (tester7 #13); exports use the full-size picture
            if self.view == "quantised" and s.quantised is not None:
                q = s.quantised
                words = f"{q.colours_text(quantised_nodes(s, q))}, {'dithered, ' if q.dithered else ''}"
                self.canvas.show_picture(q.shown(), f"{words}{q.quality_text()}"
                                         + shrunk_note(q.indices.shape, q.shown().shape))
            elif self.view == "quantised" and live is not None and s.map is not None:
                colours = live.colours_text(quantised_nodes(s, live))
                self.canvas.show_picture(live.shown(), f"Live preview (at most 640 px a side): {colours}, "
                                         f"{live.quality_text()}.  Training › Quantise full picture for every pixel.")
            elif self.view == "quantised":
                self.canvas.show_message("Quantise the full picture first (Training > Quantise full picture).")
            else:
                small = s.dataset.small        # transparency over a checkerboard
                self.canvas.show_picture(small, shrunk_note(s.dataset.pixels.shape, small.shape).strip())
            return
        if s.map is None:
            reading = self.tables.reading_name() if hasattr(self, "tables") else None
            # a big table's read takes a while: the canvas says so, not "Open ..." (testerH #5)
            self.canvas.show_message(f"Reading {reading}…" if reading else
                                     "Open a palette, a picture, a table or a saved map (File > Open).")
            return
        inputs = s.dataset.colours if s.kind == "colours" else None
        self.canvas.show_map(s.map, self.view, inputs=inputs, describe=self.describe_node, **self.view_kwargs())

    def _compared(self):
        """(QuantisedPicture, title, words under the picture) the side-by-side view shows: the
        full quantised picture, else the live preview of the training map, else None."""
        s = self.session
        live = getattr(self, "live_preview", None)
        if s.quantised is not None:
            return s.quantised, "Quantised", ""
        if live is not None and s.map is not None:
            return live, "Live preview", ("Live preview (at most 640 px a side).  Training › Quantise full "
                                          "picture for every pixel.")
        return None

    def _draw_compare(self) -> None:
        """The original and the quantised picture side by side (session.exports.compare_picture,
        drawn by render.side_by_side): the display copies, at most DISPLAY_MAX_SIDE a side."""
        from somdesk.errors import SomdeskError
        from somdesk.session.exports import compare_picture

        s, shown = self.session, self._compared()
        if shown is None:
            self.canvas.show_message("Quantise the full picture first (Training > Quantise full picture).")
            return
        q, title, words = shown
        # drawn once per picture pair: a redraw (any refresh of the window) reuses it -- two
        # 2048 x 2048 display copies side by side take 60-100 ms to compose
        key = (id(s.dataset), id(q), title, quantised_nodes(s, q))
        cached = getattr(self, "_compare_cache", None)
        if cached is not None and cached[0] == key:
            pic = cached[1]
        else:
            try:
                pic = compare_picture(s, q, shown=True, nodes=key[3], title=title)
            except SomdeskError as exc:
                self.canvas.show_message(str(exc))
                return
            self._compare_cache = (key, pic, (s.dataset, q))     # the objects kept: their ids stay theirs
        note = shrunk_note(q.indices.shape, q.shown().shape).strip() if q is s.quantised else ""
        self.canvas.show_picture(pic, words or note)

    def map_image(self, scale: int | None = None, *, view: str | None = None, markers: bool = False,
                  legend: bool = False) -> np.ndarray | None:
        """(H, W, 3) uint8: `view` (default: the one shown) at `scale` px per node (default:
        the screen's), as export writes it; with rings on each input's node (`markers`, a
        measured map) and the legend below (`legend`).  None when there is nothing to draw."""
        from somdesk import render

        s = self.session
        view = view or self.view
        if view == "compare":          # full size, as drawn; a big one is made by the export task
            from somdesk.session.exports import compare_picture

            shown = self._compared()
            if shown is None:
                return None
            q, title, _words = shown
            return self.colour.for_export(compare_picture(s, q, nodes=quantised_nodes(s, q), title=title))
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
        if self.session.kind == "image" and self.view in ("picture", "quantised", "compare"):
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


def quantised_nodes(session, picture) -> int:
    """The number of nodes of the map `picture` was quantised with (its opaque entries when
    no map is held)."""
    if session.map is not None:
        return int(session.map.weights.shape[0] * session.map.weights.shape[1])
    return picture.parts[0]
