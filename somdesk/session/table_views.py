"""The pictures of a table map (a mixin of session.table_workspace.TableWorkspace), no Qt.

    ws.views()                      ["segments", "U-matrix", "hits", "labels: species", "plane: age", ...]
    rgb = ws.node_colours("hits")   # (H, W, 3) uint8, render's colour tables
    bar = ws.legend_picture("hits") # (h, w, 3) uint8: the colour bar or the category list
    pic = ws.view_picture("segments", scale=8, legend=True)   # what the dock shows and exports

The views: the segments, the U-matrix, the hits (of every row for an out-of-core map),
the label column's majority label per node (when the rows are in memory), and one
component plane per feature (one-hot categories and passive columns included, in the
file's units).  The Segments dock, File > Export image and the session's exports all
draw from here, so they agree pixel for pixel.
"""
from __future__ import annotations

import numpy as np

from somdesk.io.names import display_name

NO_LABEL = "no rows (or no label)"    # the labels view's entry for nodes without a majority label

__all__ = ["TableViewsMixin", "MAP_VIEWS", "WINDOW_VIEWS", "plane_data"]

MAP_VIEWS = ("segments", "U-matrix", "hits")
# the window's view names (render / View menu / CLI) -> the table's
WINDOW_VIEWS = {"umatrix": "U-matrix", "hits": "hits", "colours": "segments", "clusters": "segments",
                "segments": "segments"}


def _columns_legend(names, colours) -> np.ndarray:
    """(h, w, 3) uint8: a segment or label list in short columns (render.LEGEND_COLUMN_ROWS rows
    each, within render.LEGEND_COLUMNS_WIDTH px), so a dozen segments fit the window's legend
    area without scrolling (tester F #8); exports draw the same picture."""
    from somdesk import render
    from somdesk.render.legend import LEGEND_COLUMN_ROWS, LEGEND_COLUMNS_WIDTH

    return render.category_legend(names, colours, rows_per_column=LEGEND_COLUMN_ROWS,
                                  max_width=LEGEND_COLUMNS_WIDTH)


class TableViewsMixin:
    """Needs `tm`, `table`, `node_of_row`, `label_column`, `all_hits` (TableWorkspace)."""

    def views(self) -> list[str]:
        """The map's views, in the dock's order (see module docstring); [] without a map."""
        tm = self.tm
        if tm is None:
            return []
        names = list(MAP_VIEWS)
        if self._label_ok(self.label_column):
            names.append(f"labels: {self.label_column}")
        for name, active in zip(tm.recipe.features, tm.recipe.active):
            names.append(f"plane: {name}" + ("" if active else " (passive)"))
        return names

    def view_name(self, view: str, component: int | None = None) -> str:
        """A view of `views()` from a window/CLI name ("umatrix", "hits", "colours", "clusters",
        "labels", "component" with `component`) or one of `views()` itself; SomdeskError if none."""
        from somdesk.errors import SomdeskError

        names = self.views()
        if view in names:
            return view
        if view in WINDOW_VIEWS:
            return WINDOW_VIEWS[view]
        if view == "labels" and self._label_ok(self.label_column):
            return f"labels: {self.label_column}"
        planes = [n for n in names if n.startswith("plane: ")]
        if view == "component" and planes and 0 <= int(component or 0) < len(planes):
            return planes[int(component or 0)]
        raise SomdeskError(f"the table map has no view {view!r}; it has: {', '.join(names) or 'none yet'}")

    def window_views(self) -> tuple[str, ...]:
        """The map's views under the window's / render's names (Session.views)."""
        if self.tm is None:
            return ()
        return ("clusters", "umatrix", "hits") + (("labels",) if self._label_ok(self.label_column) else ()) \
            + ("component",)

    def node_labels(self) -> np.ndarray | None:
        """(H, W) object: each node's majority label (None: no labelled row; the whole result None:
        no label column or no rows in memory).  The map's own label counts when they are of the
        column shown -- what the report and the .somz name the nodes by -- else the counts of the
        rows in memory; either way session.table_labels.node_majority, one rule for every output
        (ties: the label more frequent in the whole table, then the first in sorted order)."""
        from somdesk.session.table_labels import label_counts, node_majority

        rows = self._labelled_rows(self.label_column)
        if rows is None:
            return None
        lc = getattr(self.tm, "label_counts", None)
        if lc is None or lc.column != self.label_column:
            labels, nodes, h, w = rows
            lc = label_counts(labels, nodes, h, w, self.label_column)
            if lc is None:                                   # no row has a label
                return np.empty((h, w), dtype=object)
        return node_majority(lc)

    def _plane_index(self, view: str) -> int | None:
        planes = [n for n in self.views() if n.startswith("plane: ")]
        return planes.index(view) if view in planes else None

    def scalar(self, view: str) -> np.ndarray:
        """(H, W) float: the values a U-matrix, hits or plane view colours."""
        from somdesk.core.metrics import u_matrix

        tm = self.tm
        h, w = tm.codebook.shape[:2]
        if view == "hits" and self.all_hits is not None:     # out of core: every row counted
            return np.asarray(self.all_hits, dtype=float).reshape(h, w)
        if view == "hits":
            nodes = np.asarray(self.node_of_row)
            return np.bincount(nodes[nodes >= 0], minlength=h * w).reshape(h, w).astype(float)
        j = self._plane_index(view)
        if j is not None:
            return tm.planes_in_units()[1][:, :, j]
        return u_matrix(tm.codebook, tm.config.topology == "hexagonal")

    def _labels_view(self):
        from somdesk import render

        return render.node_colours("labels", self.tm.codebook, node_labels=self.node_labels())

    def node_colours(self, view: str = "segments") -> np.ndarray:
        """(H, W, 3) uint8 of `view` (render's colour tables)."""
        from somdesk.render.colour_tables import category_colours, levels_of, scalar_rgb

        tm = self.tm
        if view == "segments":
            return category_colours(tm.k)[tm.clusters].astype(np.uint8)
        if view.startswith("labels: "):
            return self._labels_view()[0]
        v = self.scalar(view)
        rgb = scalar_rgb(v, "inferno" if view == "U-matrix" else "viridis", levels_of(v))
        rgb[~np.isfinite(v)] = (220, 220, 220)          # a passive plane's node that no row reached
        return rgb

    def legend_picture(self, view: str = "segments") -> np.ndarray:
        """(h, w, 3) uint8: the legend of `view` (segment list, label list or colour bar)."""
        from somdesk import render

        if view == "segments":
            k = self.tm.k
            return _columns_legend([f"segment {s}" for s in range(k)], render.category_colours(k))
        if view.startswith("labels: "):
            legend = self._labels_view()[1]
            # labels as the window writes names: 'x\xa0y' is not 'x y', a line break is \n (io.names)
            names = [display_name(n) for n in legend.names]
            colours = np.asarray(legend.colours, dtype=np.uint8).reshape(-1, 3)
            labels = self.node_labels()
            if labels is not None and any(v is None for v in labels.ravel()):    # the grey nodes, named
                names.append(NO_LABEL)
                colours = np.vstack([colours, np.asarray(render.EMPTY_NODE, dtype=np.uint8)])
            return _columns_legend(names, colours)
        v = self.scalar(view)
        titles = {"hits": "rows per node", "U-matrix": "distance to neighbours"}
        return render.colour_bar("inferno" if view == "U-matrix" else "viridis", render.levels_of(v), length=300,
                                 title=titles.get(view, display_name(view[len("plane: "):])))

    def view_picture(self, view: str = "segments", scale: int = 8, legend: bool = False) -> np.ndarray:
        """(H, W, 3) uint8: `view` at `scale` px per node (true hexagons), with its legend below
        when `legend` (render.sheets.stack, as the dock's Export image writes it)."""
        from somdesk import render
        from somdesk.render.sheets import stack

        self._require_map()
        pic = render.layout(self.node_colours(view), self.tm.config.topology == "hexagonal", scale)
        return stack([pic, self.legend_picture(view)]) if legend else pic

    def planes(self):
        """(names, (H, W, F) planes in the file's units, hexagonal): the Planes sheet's data."""
        return plane_data(self._require_map())


def plane_data(tm):
    """(names, (H, W, F) planes in the file's units, hexagonal) of TableMap `tm`: the Planes
    sheet's data, each name as shown, " (passive)" after a passive column's."""
    names, planes = tm.planes_in_units()
    names = [display_name(n) + ("" if a else " (passive)") for n, a in zip(names, tm.recipe.active)]
    return names, planes, tm.config.topology == "hexagonal"
