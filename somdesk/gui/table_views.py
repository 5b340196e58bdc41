"""The table map's pictures in the Segments dock (a mixin of gui/table_workflow.TableWorkflow):
the map view (segments, U-matrix, hits, the label column's majority label per node, or one
component plane, with its legend) and the Planes tab (every plane at once,
gui/planes_sheet.py).  The pictures are the session's (session/table_views.py, render's
colour tables), so the dock, the report, the session's exports and the CLI agree.
"""
from __future__ import annotations

import numpy as np

from somdesk.session.table_views import MAP_VIEWS

__all__ = ["TableViews", "MAP_VIEWS"]


class TableViews:
    """Needs `ws`, `map_choice`, `map_view`, `legend`, `planes`, `tabs` (TableWorkflow)."""

    map_mode = "segments"
    _filling_views = False
    WINDOW_VIEWS = {"umatrix": "U-matrix", "hits": "hits", "colours": "segments"}   # View menu -> dock

    def _map_mode(self, _i: int = 0) -> None:
        if self._filling_views:
            return
        self.map_mode = self.map_choice.currentText() or "segments"
        self.draw_map()

    def show_view(self, view: str) -> bool:
        """The window's View menu while the dock holds the data: show that map view, if it has one."""
        name = self.WINDOW_VIEWS.get(view)
        i = self.map_choice.findText(name) if name else -1
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
        current = self.map_choice.currentText()
        self._filling_views = True
        try:
            self.map_choice.clear()
            self.map_choice.addItems(self.ws.views())
            self.map_choice.setCurrentIndex(max(0, self.map_choice.findText(current)))
        finally:
            self._filling_views = False
        self.map_mode = self.map_choice.currentText() or "segments"

    def node_colours(self) -> np.ndarray:
        """(H, W, 3) uint8 of the map view shown (TableWorkspace.node_colours)."""
        return self.ws.node_colours(self.map_mode)

    def _scalar(self) -> np.ndarray:
        return self.ws.scalar(self.map_mode)

    def draw_map(self) -> None:
        from PySide6.QtGui import QPixmap

        from somdesk.gui.map_view import to_qimage

        ws = self.ws
        if ws.tm is None:
            return
        self.map_view.show_nodes(ws.node_colours(self.map_mode), ws.tm.config.topology == "hexagonal")
        pic = ws.legend_picture(self.map_mode)
        self.legend_picture = pic
        self.legend.setPixmap(QPixmap.fromImage(to_qimage(pic)))

    def map_picture(self) -> np.ndarray | None:
        """(H, W, 3) uint8: the Map & rows tab's map as on screen with its legend below it
        (what File > Export image writes while the dock holds a table map), or None."""
        from somdesk.render.sheets import stack

        pic = self.map_view.image_array()
        if self.ws.tm is None or pic is None:
            return None
        return stack([pic, getattr(self, "legend_picture", None)])

    def show_planes(self) -> None:
        """The Planes tab: every feature's plane (one-hot categories and passive columns
        included) in the file's units, through render.planes_sheet."""
        names, planes, hexagonal = self.ws.planes()
        self.planes.show_planes(planes, names, hexagonal)
