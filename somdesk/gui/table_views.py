"""The table map's pictures in the Segments dock (a mixin of gui/table_workflow.TableWorkflow):
the map view (segments, U-matrix, hits or one component plane, with its legend) and the
Planes tab (every plane at once, gui/planes_sheet.py).  Colours come from render's tables,
so the dock, the report and the exports agree.
"""
from __future__ import annotations

import numpy as np

__all__ = ["TableViews", "MAP_VIEWS"]

MAP_VIEWS = ("segments", "U-matrix", "hits")


class TableViews:
    """Needs `tm`, `node_of_row`, `map_choice`, `map_view`, `legend`, `planes` (TableWorkflow)."""

    map_mode = "segments"

    def _map_mode(self, _i: int = 0) -> None:
        if self._filling_views:
            return
        self.map_mode = self.map_choice.currentText() or "segments"
        self.draw_map()

    _filling_views = False

    def _fill_views(self) -> None:
        """Segments, U-matrix, hits, then one component plane per feature (one-hot categories
        and passive columns included, in the file's units); keeps the current choice."""
        names = list(MAP_VIEWS)
        for name, active in zip(self.tm.recipe.features, self.tm.recipe.active):
            names.append(f"plane: {name}" + ("" if active else " (passive)"))
        current = self.map_choice.currentText()
        self._filling_views = True
        try:
            self.map_choice.clear()
            self.map_choice.addItems(names)
            self.map_choice.setCurrentIndex(max(0, self.map_choice.findText(current)))
        finally:
            self._filling_views = False
        self.map_mode = self.map_choice.currentText()

    def _plane(self) -> int | None:
        i = self.map_choice.currentIndex() - len(MAP_VIEWS)
        return i if self.map_mode.startswith("plane: ") and i >= 0 else None

    def node_colours(self) -> np.ndarray:
        """(H, W, 3) uint8 of the map view shown (render's colour tables)."""
        from somdesk.render.colour_tables import category_colours, levels_of, scalar_rgb

        tm = self.tm
        if self.map_mode == "segments":
            return category_colours(tm.k)[tm.clusters].astype(np.uint8)
        v = self._scalar()
        rgb = scalar_rgb(v, "inferno" if self.map_mode == "U-matrix" else "viridis", levels_of(v))
        rgb[~np.isfinite(v)] = (220, 220, 220)          # a passive plane's node that no row reached
        return rgb

    def draw_map(self) -> None:
        from PySide6.QtGui import QPixmap

        from somdesk import render
        from somdesk.gui.map_view import to_qimage

        if self.tm is None:
            return
        self.map_view.show_nodes(self.node_colours(), self.tm.config.topology == "hexagonal")
        if self.map_mode == "segments":
            k = self.tm.k
            pic = render.category_legend([f"segment {s}" for s in range(k)],
                                         render.category_colours(k))
        else:
            v = self._scalar()
            titles = {"hits": "rows per node", "U-matrix": "distance to neighbours"}
            pic = render.colour_bar("inferno" if self.map_mode == "U-matrix" else "viridis",
                                    render.levels_of(v), length=300,
                                    title=titles.get(self.map_mode, self.map_mode[len("plane: "):]))
        self.legend.setPixmap(QPixmap.fromImage(to_qimage(pic)))

    def _scalar(self) -> np.ndarray:
        from somdesk.core.metrics import u_matrix

        tm = self.tm
        h, w = tm.codebook.shape[:2]
        if self.map_mode == "hits" and self.all_hits is not None:     # out of core: every row counted
            return np.asarray(self.all_hits, dtype=float).reshape(h, w)
        if self.map_mode == "hits":
            return np.bincount(self.node_of_row[self.node_of_row >= 0], minlength=h * w).reshape(h, w).astype(float)
        j = self._plane()
        if j is not None:
            return tm.planes_in_units()[1][:, :, j]
        return u_matrix(tm.codebook, tm.config.topology == "hexagonal")

    def show_planes(self) -> None:
        """The Planes tab: every feature's plane (one-hot categories and passive columns
        included) in the file's units, through render.planes_sheet."""
        tm = self.tm
        names, planes = tm.planes_in_units()
        names = [n + ("" if a else " (passive)") for n, a in zip(names, tm.recipe.active)]
        self.planes.show_planes(planes, names, tm.config.topology == "hexagonal")
