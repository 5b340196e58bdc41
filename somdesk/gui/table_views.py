"""The table map's pictures in the Segments dock (a mixin of gui/table_workflow.TableWorkflow):
the map view (segments, U-matrix, hits, the label column's majority label per node, or one
component plane, with its legend) and the
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
    WINDOW_VIEWS = {"umatrix": "U-matrix", "hits": "hits", "colours": "segments"}   # View menu -> dock

    def show_view(self, view: str) -> bool:
        """The window's View menu while the dock holds the data: show that map view, if it has one."""
        name = self.WINDOW_VIEWS.get(view)
        i = self.map_choice.findText(name) if name else -1
        if i < 0:
            return False
        self.map_choice.setCurrentIndex(i)
        self.tabs.setCurrentIndex(1)             # Map & rows (gui/table_workflow.py's tab order)
        return True
    _fixed_views = len(MAP_VIEWS)       # views before the planes (MAP_VIEWS, then "labels: COLUMN")

    def _label_column(self) -> str | None:
        """The map's label column when its rows are in memory (not a map shown alone)."""
        col = self.tm.label_column
        t = self.table
        if col is None or t is None or getattr(self, "node_of_row", None) is None or col not in t.columns:
            return None
        return col if len(self.node_of_row) == t.n_rows else None

    def node_labels(self) -> np.ndarray | None:
        """(H, W) object: each node's most frequent label among its rows (None: no rows or no
        label), missing labels ("", NA, ...) not voting (core.clustering.majority_labels)."""
        from somdesk.core.clustering import majority_labels
        from somdesk.session.table_data import MISSING_LABELS

        col = self._label_column()
        if col is None:
            return None
        h, w = self.tm.codebook.shape[:2]
        nodes = np.asarray(self.node_of_row)
        ok = np.flatnonzero(nodes >= 0)
        texts = self.table.strings(col)
        labels = [None if texts[i].strip().lower() in MISSING_LABELS else texts[i] for i in ok]
        return majority_labels(np.stack([nodes[ok] // w, nodes[ok] % w], axis=1), labels, h, w)

    def _fill_views(self) -> None:
        """Segments, U-matrix, hits, the label column's labels (when there is one), then one
        component plane per feature (one-hot categories and passive columns included, in the
        file's units); keeps the current choice."""
        names = list(MAP_VIEWS)
        label = self._label_column()
        if label is not None:
            names.append(f"labels: {label}")
        self._fixed_views = len(names)
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
        i = self.map_choice.currentIndex() - self._fixed_views
        return i if self.map_mode.startswith("plane: ") and i >= 0 else None

    def node_colours(self) -> np.ndarray:
        """(H, W, 3) uint8 of the map view shown (render's colour tables)."""
        from somdesk.render.colour_tables import category_colours, levels_of, scalar_rgb

        tm = self.tm
        if self.map_mode == "segments":
            return category_colours(tm.k)[tm.clusters].astype(np.uint8)
        if self.map_mode.startswith("labels: "):
            return self._labels_view()[0]
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
        elif self.map_mode.startswith("labels: "):
            legend = self._labels_view()[1]
            pic = render.category_legend(list(legend.names), legend.colours)
        else:
            v = self._scalar()
            titles = {"hits": "rows per node", "U-matrix": "distance to neighbours"}
            pic = render.colour_bar("inferno" if self.map_mode == "U-matrix" else "viridis",
                                    render.levels_of(v), length=300,
                                    title=titles.get(self.map_mode, self.map_mode[len("plane: "):]))
        self.legend_picture = pic
        self.legend.setPixmap(QPixmap.fromImage(to_qimage(pic)))

    def map_picture(self) -> np.ndarray | None:
        """(H, W, 3) uint8: the Map & rows tab's map as on screen with its legend below it
        (what File > Export image writes while the dock holds a table map), or None."""
        from somdesk.render.sheets import stack

        pic = self.map_view.image_array()
        if self.tm is None or pic is None:
            return None
        return stack([pic, getattr(self, "legend_picture", None)])

    def _labels_view(self):
        """(nodes (H, W, 3) uint8, Legend) of the labels view: render's "labels" view, one
        category colour per label, nodes without rows or labels left empty."""
        from somdesk import render

        return render.node_colours("labels", self.tm.codebook, node_labels=self.node_labels())

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
