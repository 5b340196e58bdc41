"""The table mode's map views.

`SegmentCanvas` is the main window's `MapCanvas` (U-matrix and hit map views,
hexagonal drawing, hover) plus three overlays: a "Clusters" fill, cluster
boundaries with the cluster numbers, and the majority label of every node as
a coloured dot (Orange's SOM widget style; the legend is `legend_html()`).

`ComponentPlanes` draws one small map per feature, in the feature's own units,
each with its colour bar, in a grid; past PAGE_SIZE features it pages.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from somdesk.core.clustering import grid_edges
from somdesk.gui.canvas import BACKGROUND, HEX_ROW, MapCanvas, hex_layout, scalar_image

# Tableau 10 plus two: distinct on the dark U-matrix; labels past these share grey
LABEL_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
                 "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#17becf", "#bcbd22")
OTHER_COLOUR = "#8a8a8a"
CLUSTER_FILL = ("#3b5b7a", "#7a5b3b", "#3b7a55", "#7a3b5e", "#6b7a3b", "#3b6f7a", "#5e3b7a",
                "#7a6b3b", "#3b7a7a", "#7a3b3b", "#4f4f7a", "#5f7a4f")
PAGE_SIZE = 20


def _rgba(hex_colour: str, alpha: int = 255) -> tuple[int, int, int, int]:
    c = hex_colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16), alpha


class SegmentCanvas(MapCanvas):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.fill = pg.ImageItem(axisOrder="row-major")
        self.fill.setZValue(5)
        self.fill.setVisible(False)
        self.addItem(self.fill)
        self.edges = pg.PlotCurveItem(pen=pg.mkPen("#ffffff", width=2.5))
        self.edges.setZValue(7)
        self.addItem(self.edges)
        self.dots = pg.ScatterPlotItem(pxMode=False, pen=pg.mkPen(0, 0, 0, 200, width=1))
        self.dots.setZValue(8)
        self.addItem(self.dots)
        self.numbers: list[pg.TextItem] = []
        self.clusters: np.ndarray | None = None
        self.labels: np.ndarray | None = None     # (H, W) object: majority label or None
        self.label_names: list[str] = []          # every label of the data, sorted: colour order
        self.show_fill = False
        self.show_edges = True
        self.show_labels = True
        self._geometry = None

    # -- overlays ---------------------------------------------------------------------------
    def set_segment_view(self, view: str) -> None:
        """"umatrix", "hits" or "clusters" (the cluster fill over the U-matrix)."""
        self.show_fill = view == "clusters"
        self.set_view("umatrix" if view == "clusters" else view)
        self._draw_overlays()

    def set_overlays(self, labels: bool | None = None, edges: bool | None = None) -> None:
        if labels is not None:
            self.show_labels = labels
        if edges is not None:
            self.show_edges = edges
        self._draw_overlays()

    def set_label_names(self, names: list[str]) -> None:
        self.label_names = list(names)

    def set_labels(self, labels: np.ndarray | None) -> None:
        self.labels = labels
        self._draw_overlays()

    def set_clusters(self, clusters: np.ndarray | None) -> None:
        self.clusters = clusters
        self._draw_overlays()

    def label_colour(self, name: str) -> str:
        try:
            i = self.label_names.index(name)
        except ValueError:
            return OTHER_COLOUR
        return LABEL_COLOURS[i] if i < len(LABEL_COLOURS) else OTHER_COLOUR

    def legend_html(self) -> str:
        if not self.label_names or not self.show_labels:
            return ""
        parts = [f'<span style="color:{self.label_colour(n)}; font-size: 14pt;">●</span>&nbsp;'
                 f'{_esc(n).replace(" ", "&nbsp;")}' for n in self.label_names[:len(LABEL_COLOURS)]]
        extra = len(self.label_names) - len(LABEL_COLOURS)
        if extra > 0:
            parts.append(f'<span style="color:{OTHER_COLOUR}; font-size: 14pt;">●</span>&nbsp;{extra:,} other labels')
        return " &nbsp; ".join(parts)

    def show_snapshot(self, snap) -> None:
        super().show_snapshot(snap)
        geometry = (snap.weights.shape[:2], snap.config.topology == "hexagonal")
        if geometry != self._geometry:
            self._geometry = geometry
            self.clusters = self.labels = None
        self._draw_overlays()

    # -- drawing ----------------------------------------------------------------------------
    def _draw_overlays(self) -> None:
        if self._geometry is None:
            return
        (h, w), hexagonal = self._geometry
        self._draw_fill(h, w, hexagonal)
        self._draw_edges(h, w, hexagonal)
        self._draw_dots(h, w, hexagonal)

    def _draw_fill(self, h, w, hexagonal) -> None:
        visible = self.show_fill and self.clusters is not None
        self.fill.setVisible(visible)
        if not visible:
            return
        lut = np.array([_rgba(c) for c in CLUSTER_FILL], dtype=np.uint8)
        rgba = lut[self.clusters % len(lut)]
        self.fill.setImage(hex_layout(rgba) if hexagonal else rgba, autoLevels=False, levels=(0, 255))
        self.fill.setRect(QRectF(0, 0, w + (0.5 if hexagonal else 0), h * (HEX_ROW if hexagonal else 1)))

    def _draw_edges(self, h, w, hexagonal) -> None:
        for t in self.numbers:
            self.removeItem(t)
        self.numbers = []
        if not self.show_edges or self.clusters is None:
            self.edges.setData([], [])
            return
        cl = self.clusters.ravel()
        pairs = grid_edges(h, w, "hexagonal" if hexagonal else "rectangular")
        pairs = pairs[cl[pairs[:, 0]] != cl[pairs[:, 1]]]
        ra, ca = np.divmod(pairs[:, 0], w)
        rb, cb = np.divmod(pairs[:, 1], w)
        rh = HEX_ROW if hexagonal else 1.0
        xa = ca + (0.5 * (ra % 2) if hexagonal else 0.0)
        xb = cb + (0.5 * (rb % 2) if hexagonal else 0.0)
        same = ra == rb          # b is the right neighbour: a vertical line; else b is below: horizontal
        x0 = np.where(same, xa + 1, np.maximum(xa, xb))
        x1 = np.where(same, xa + 1, np.minimum(xa, xb) + 1)
        y0 = np.where(same, ra * rh, (ra + 1) * rh)
        y1 = np.where(same, (ra + 1) * rh, (ra + 1) * rh)
        x = np.column_stack([x0, x1]).ravel()
        y = np.column_stack([y0, y1]).ravel()
        self.edges.setData(x, y, connect="pairs")
        rows, cols = np.divmod(np.arange(h * w), w)
        cx, cy = self.node_centres(rows, cols, hexagonal)
        for k in np.unique(cl):
            members = np.flatnonzero(cl == k)
            mx, my = cx[members].mean(), cy[members].mean()
            j = members[np.argmin((cx[members] - mx) ** 2 + (cy[members] - my) ** 2)]
            text = pg.TextItem(str(int(k)), color="#ffffff", anchor=(0.5, 0.5), fill=pg.mkBrush(0, 0, 0, 170))
            text.setPos(float(cx[j]), float(cy[j]))
            text.setZValue(11)
            self.addItem(text)
            self.numbers.append(text)

    def _draw_dots(self, h, w, hexagonal) -> None:
        if not self.show_labels or self.labels is None or self.labels.shape != (h, w):
            self.dots.setData(x=[], y=[])
            return
        flat = self.labels.ravel()
        nodes = np.array([i for i, s in enumerate(flat) if s is not None], dtype=np.int64)
        if len(nodes) == 0:
            self.dots.setData(x=[], y=[])
            return
        rows, cols = np.divmod(nodes, w)
        x, y = self.node_centres(rows, cols, hexagonal)
        hits = self.snapshot.hits if self.snapshot is not None and self.snapshot.hits is not None else None
        if hits is not None and hits.shape == (h, w) and hits.max() > 0:
            size = 0.3 + 0.4 * np.sqrt(hits.ravel()[nodes] / hits.max())
        else:
            size = np.full(len(nodes), 0.5)
        brushes = [pg.mkBrush(self.label_colour(flat[i])) for i in nodes]
        self.dots.setData(x=x, y=y, size=size, brush=brushes)

    # -- hover --------------------------------------------------------------------------------
    def describe_node(self, row: int, col: int) -> str:
        snap = self.snapshot
        text = f"row {row}, col {col}"
        if snap.hits is not None:
            text += f"   hits {int(snap.hits[row, col])}"
        if snap.umatrix is not None:
            text += f"   U {snap.umatrix[row, col]:.3f}"
        if self.clusters is not None and self.clusters.shape == snap.weights.shape[:2]:
            text += f"   cluster {int(self.clusters[row, col])}"
        if self.labels is not None and self.labels.shape == snap.weights.shape[:2] and self.labels[row, col]:
            text += f"   {self.labels[row, col]}"
        return text


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ComponentPlanes(QWidget):
    """One map per feature (viridis, the feature's original units on its colour bar).

    The grid's column count is chosen for the biggest planes that fit the widget
    (and chosen again when it is resized); past PAGE_SIZE features it pages.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(BACKGROUND)
        self.graphics.setMinimumSize(260, 240)
        self.title = QLabel("Component planes")
        self.title.setStyleSheet("font-weight: 600; padding: 2px 4px;")
        self.prev_button = QPushButton("◀")
        self.next_button = QPushButton("▶")
        self.page_label = QLabel("")
        for b in (self.prev_button, self.next_button):
            b.setFixedWidth(32)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.page_label)
        head.addWidget(self.prev_button)
        head.addWidget(self.next_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(head)
        lay.addWidget(self.graphics, 1)
        self.prev_button.clicked.connect(lambda: self.set_page(self.page - 1))
        self.next_button.clicked.connect(lambda: self.set_page(self.page + 1))
        self._relayout_timer = QTimer(self, singleShot=True, interval=120)
        self._relayout_timer.timeout.connect(self._relayout)
        self.features: list[str] = []
        self.page = 0
        self.planes: list[tuple] = []      # (PlotItem, ImageItem, ColorBarItem) on this page
        self._weights = None
        self._hexagonal = False
        self._map_shape = (10, 12)
        self._ncols = 0
        self._update_pager()

    def count(self) -> int:
        """Number of features (planes over all pages)."""
        return len(self.features)

    def set_features(self, names, map_shape: tuple[int, int] = (10, 12)) -> None:
        self.features = list(names)
        self.page = 0
        self._weights = None
        self._map_shape = map_shape
        self._rebuild()

    def set_page(self, page: int) -> None:
        pages = max(1, math.ceil(len(self.features) / PAGE_SIZE))
        page = min(max(0, page), pages - 1)
        if page != self.page:
            self.page = page
            self._relayout()

    def page_range(self) -> range:
        return range(self.page * PAGE_SIZE, min(len(self.features), (self.page + 1) * PAGE_SIZE))

    def best_columns(self, n: int) -> int:
        """Columns giving the biggest planes for n planes in the widget's current size."""
        width, height = max(1, self.graphics.width()), max(1, self.graphics.height())
        mh, mw = self._map_shape
        best, best_scale = 1, -1.0
        for ncols in range(1, max(1, n) + 1):
            nrows = math.ceil(n / ncols)
            scale = min((width / ncols - 12) / mw, (height / nrows - 70) / mh)
            if scale > best_scale + 1e-9:
                best, best_scale = ncols, scale
        return best

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.planes and self.best_columns(len(self.planes)) != self._ncols:
            self._relayout_timer.start()

    def _relayout(self) -> None:
        self._rebuild()
        if self._weights is not None:
            self.show_weights(self._weights, self._hexagonal)

    def _rebuild(self) -> None:
        self.graphics.clear()
        self.planes = []
        idx = self.page_range()
        self._ncols = ncols = self.best_columns(len(idx))
        font = self.font()
        font.setPointSizeF(max(6.5, font.pointSizeF() * 0.8))
        for n, j in enumerate(idx):
            r, c = divmod(n, ncols)
            plot = self.graphics.addPlot(row=2 * r, col=c)
            name = self.features[j]
            plot.setTitle(name if len(name) <= 28 else name[:26] + "…", size="9pt", color="#d0d0d0")
            for axis in ("left", "bottom"):
                plot.hideAxis(axis)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=False, y=False)
            plot.getViewBox().setAspectLocked(True)
            plot.getViewBox().invertY(True)
            image = pg.ImageItem(axisOrder="row-major")
            plot.addItem(image)
            bar = pg.ColorBarItem(values=(0, 1), colorMap="viridis", interactive=False, width=9,
                                  orientation="horizontal", rounding=1e-12, colorMapMenu=False)
            bar.axis.setStyle(tickFont=font, tickTextOffset=2)
            bar.setMaximumHeight(40)
            self.graphics.addItem(bar, row=2 * r + 1, col=c)
            self.planes.append((plot, image, bar))
        self._update_pager()

    def _update_pager(self) -> None:
        n = len(self.features)
        paged = n > PAGE_SIZE
        for w in (self.prev_button, self.next_button, self.page_label):
            w.setVisible(paged)
        idx = self.page_range()
        self.page_label.setText(f"features {idx.start + 1:,}–{idx.stop:,} of {n:,}" if paged else "")
        self.title.setText(f"Component planes ({n:,} feature{'s' if n != 1 else ''}, original units)"
                           if n else "Component planes")

    def show_weights(self, weights: np.ndarray, hexagonal: bool) -> None:
        """(H, W, D) codebook in the features' original units."""
        self._weights, self._hexagonal = weights, hexagonal
        h, w = weights.shape[:2]
        rect = QRectF(0, 0, w + (0.5 if hexagonal else 0), h * (HEX_ROW if hexagonal else 1))
        for (plot, image, bar), j in zip(self.planes, self.page_range()):
            values = weights[:, :, j]
            rgba = scalar_image(values, "viridis")
            image.setImage(hex_layout(rgba) if hexagonal else rgba, autoLevels=False, levels=(0, 255))
            if getattr(image, "_somdesk_rect", None) != rect:
                image.setRect(rect)
                image._somdesk_rect = rect
                plot.getViewBox().autoRange(padding=0.02)
            lo, hi = float(values.min()), float(values.max())
            bar.setLevels((lo, hi if hi > lo else lo + 1e-9))
