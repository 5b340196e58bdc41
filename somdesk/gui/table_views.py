"""The table map's pictures in the Segments dock (a mixin of gui/table_workflow.TableWorkflow):
the map view (segments, U-matrix, hits, the label column's majority label per node, or one
component plane, with its legend) and the Planes tab (every plane at once,
gui/planes_sheet.py).  The pictures are the session's (session/table_views.py, render's
colour tables), so the dock, the report, the session's exports and the CLI agree.
"""
from __future__ import annotations

import numpy as np

from somdesk.io.names import display_name
from somdesk.session.table_views import MAP_VIEWS

__all__ = ["TableViews", "MAP_VIEWS"]

WIDTH_SAMPLE = 24   # the views list's width: measured on this many of its longest texts (capped at 600 px anyway)
HOVER_NAME = 40     # characters of a label or plane name in the hover line (a long name widened the dock)


def _short(name: str) -> str:
    """`name` on one line (io.names.display_name: a line break or NBSP shown escaped, not as a
    space), at most HOVER_NAME characters (an ellipsis in the middle)."""
    name = display_name(name)
    if len(name) <= HOVER_NAME:
        return name
    half = (HOVER_NAME - 1) // 2
    return name[:half] + "…" + name[-half:]


def view_text(view: str) -> str:
    """A map view (TableWorkspace.views: "segments", "plane: <column>", "labels: <column>") as the
    Show list shows it: the column's name through io.names.display_name (the view is the item's data)."""
    head, sep, rest = view.partition(": ")
    if not sep:
        return view
    passive = " (passive)" if rest.endswith(" (passive)") else ""
    return f"{head}: {display_name(rest.removesuffix(passive))}{passive}"


class TableViews:
    """Needs `ws`, `win`, `map_choice`, `map_view`, `legend`, `hover_label`, `planes`, `tabs`
    (TableWorkflow)."""

    map_mode = "segments"
    _filling_views = False
    WINDOW_VIEWS = {"umatrix": "U-matrix", "hits": "hits", "colours": "segments"}   # View menu -> dock

    def _map_mode(self, _i: int = 0) -> None:
        if self._filling_views:
            return
        self.map_mode = self.map_choice.currentData() or self.map_choice.currentText() or "segments"
        self.draw_map()

    def show_view(self, view: str) -> bool:
        """The window's View menu while the dock holds the data: show that map view, if it has one."""
        name = self.WINDOW_VIEWS.get(view)
        # a map's views carry their name as data; the list before a map (MAP_VIEWS) is text only
        i = max(self.map_choice.findData(name), self.map_choice.findText(name)) if name else -1
        if i < 0:
            return False
        self.map_choice.setCurrentIndex(i)
        self.tabs.setCurrentIndex(1)             # Map & rows (gui/table_workflow.py's tab order)
        return True

    def node_labels(self) -> np.ndarray | None:
        """(H, W) object: each node's majority label (TableWorkspace.node_labels)."""
        return self.ws.node_labels()

    def _fill_views(self) -> None:
        """The model's views (TableWorkspace.views); keeps the current choice."""
        current = self.map_mode
        self._filling_views = True
        try:
            self.map_choice.clear()
            views = self.ws.views()
            texts = [view_text(v) for v in views]
            for text, view in zip(texts, views):   # the view's name is the item's data; its text shows it
                self.map_choice.addItem(text, view)
            self.map_choice.setCurrentIndex(max(0, self.map_choice.findData(current)))
            # the drop-down list as wide as its longest name (the closed combo shares the bar);
            # measured on the longest texts only: all 500 of a wide table took 20-90 ms (fixC)
            fm = self.map_choice.fontMetrics()
            longest = sorted(texts, key=len)[-WIDTH_SAMPLE:]
            widest = max((fm.horizontalAdvance(t) for t in longest), default=0)
            self.map_choice.view().setMinimumWidth(min(widest + 40, 600))
        finally:
            self._filling_views = False
        self.map_mode = self.map_choice.currentData() or self.map_choice.currentText() or "segments"

    def node_colours(self) -> np.ndarray:
        """(H, W, 3) uint8 of the map view shown (TableWorkspace.node_colours)."""
        return self.ws.node_colours(self.map_mode)

    def _scalar(self) -> np.ndarray:
        return self.ws.scalar(self.map_mode)

    def draw_map(self) -> None:
        ws = self.ws
        self._hover_data = None          # another map, view or label column: measured again on hover
        if ws.tm is None:
            return
        self.map_view.show_nodes(ws.node_colours(self.map_mode), ws.tm.config.topology == "hexagonal")
        self.legend_picture = ws.legend_picture(self.map_mode)
        self._show_legend()

    def _show_legend(self) -> None:
        """The legend under the map, through the colour-vision preview as the map is: the
        segment swatches must merge on screen where the segments do (the export carries
        both simulated too)."""
        from PySide6.QtGui import QPixmap

        from somdesk.gui.map_view import to_qimage

        pic = getattr(self, "legend_picture", None)
        colour = getattr(self.win, "colour", None)
        if pic is not None:
            self.legend.setPixmap(QPixmap.fromImage(to_qimage(pic if colour is None else colour.screen_filter(pic))))

    def refilter(self) -> None:
        """The colour-vision preview changed: the map and its legend, the Planes sheet and the
        Profiles picture shown again through it."""
        self.map_view.refilter()
        self.planes.refilter()
        self.profiles_view.refilter()
        if self.ws.tm is not None:
            self._show_legend()

    # -- the hover line (tester6 F42: the colour map had one, the table map none) -------------------
    _hover_data = None

    def _node_facts(self) -> dict:
        """Per-node arrays the hover line reads, measured once per map, view and label column."""
        if self._hover_data is None:
            ws, tm = self.ws, self.ws.tm
            facts = {"segments": tm.clusters}
            if ws.node_of_row is not None or ws.all_hits is not None:
                facts["hits"] = ws.scalar("hits")
            facts["U"] = ws.scalar("U-matrix")
            facts["labels"] = ws.node_labels()
            if self.map_mode.startswith("plane: "):
                facts["plane"] = ws.scalar(self.map_mode)
            self._hover_data = facts
        return self._hover_data

    def describe_node(self, node: int) -> str:
        """The hover line of flat node `node` of the table map, as the colour map's:
        "node (2, 3)  segment 1  hits 17  U 0.412  label 'setosa'", and the value of the
        plane shown ("income 48,230.2"); "" outside the map."""
        tm = self.ws.tm
        if tm is None or node < 0:
            return ""
        h, w = tm.codebook.shape[:2]
        if node >= h * w:
            return ""
        r, c = divmod(int(node), w)
        f = self._node_facts()
        text = f"node ({r}, {c})"
        if f["segments"] is not None:
            text += f"  segment {int(f['segments'][r, c])}"
        if "hits" in f:
            text += f"  hits {int(f['hits'][r, c]):,}"
        text += f"  U {f['U'][r, c]:.3f}"
        if f["labels"] is not None:
            label = f["labels"][r, c]
            text += "  no label" if label is None else f"  label {_short(repr(str(label)))}"
        if "plane" in f:
            v = f["plane"][r, c]
            name = _short(self.map_mode[len("plane: "):].removesuffix(" (passive)"))
            text += f"  {name} " + (f"{v:,.6g}" if np.isfinite(v) else "no data")
        return text

    def _node_hovered(self, node: int) -> None:
        """The mouse over node `node` of the map view (-1: off the map): its hover line below the
        map's legend and in the window's hover line, where a hovered row's line goes too."""
        text = self.describe_node(node)
        self.hover_label.setText(text)
        self.win.hover.setText(text)

    def map_picture(self) -> np.ndarray | None:
        """(H, W, 3) uint8: the Map & rows tab's map with its legend below it (what File >
        Export image and Copy image take while the dock holds a table map), or None.  With the
        colour-vision preview on and File > Export with colour-vision preview ticked, the whole
        picture is simulated as a palette map's export is (gui/colour_actions.for_export), so
        the map equals the screen; else true colours."""
        from somdesk.render.sheets import stack

        pic = self.map_view.raw_array()
        if self.ws.tm is None or pic is None:
            return None
        return self.win.colour.for_export(stack([pic, getattr(self, "legend_picture", None)]))

    def show_planes(self) -> None:
        """The Planes tab: every feature's plane (one-hot categories and passive columns
        included) in the file's units, through render.planes_sheet."""
        names, planes, hexagonal = self.ws.planes()
        self.planes.show_planes(planes, names, hexagonal, self.ws.shown_pictures().get("plane_cells"))
