"""The map canvas: a pyqtgraph view of one SOM snapshot.

Views: "colours" (the weights in true colour), "umatrix" (mean distance to the
grid neighbours, viridis: dark = similar neighbours, bright = a boundary) and
"hits" (inputs per node, inferno).  Every view is turned into an RGBA uint8
image and drawn with ONE `ImageItem.setImage(..., autoLevels=False, levels=(0, 255))`
per snapshot; the item is `axisOrder="row-major"`, so image[row, col] is node
(row, col): row 0 at the top, column 0 on the left.

Hexagonal maps ("odd-r": odd rows sit half a cell to the right) are drawn at
twice the horizontal resolution: every node is two sub-columns wide and odd
rows are shifted by one sub-column, with a transparent half cell at the free
end of each row.  Rows are sqrt(3)/2 high, so node centres land exactly on
`somdesk.core.topology.node_positions` (offset "brick" cells, not hexagon
polygons: one image, so it stays fast on big maps).

Scene units: node (row, col) covers x in [col + shift, col + shift + 1],
y in [row * h, (row + 1) * h], with shift = 0.5 on odd hexagonal rows, h = 1
(rectangular) or sqrt(3)/2 (hexagonal).
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage

from somdesk.core.metrics import u_matrix
from somdesk.gui.training import Snapshot

VIEWS = {"colours": "Colours", "umatrix": "U-matrix", "hits": "Hit map"}
HEX_ROW = math.sqrt(3.0) / 2.0
BACKGROUND = "#1e1f22"
EMPTY_NODE = (62, 64, 72, 255)   # hit map: a node no input maps to (lighter than BACKGROUND)
_LUTS: dict[str, np.ndarray] = {}


def _lut(name: str) -> np.ndarray:
    if name not in _LUTS:
        _LUTS[name] = pg.colormap.get(name).getLookupTable(nPts=256, mode="byte", alpha=True)
    return _LUTS[name]


def colour_image(weights: np.ndarray) -> np.ndarray:
    """(H, W, D>=3) floats in [0, 1] -> (H, W, 4) RGBA uint8 (values outside are clipped)."""
    h, w = weights.shape[:2]
    out = np.empty((h, w, 4), dtype=np.uint8)
    out[..., :3] = np.clip(weights[..., :3] * 255.0 + 0.5, 0, 255)
    out[..., 3] = 255
    return out


def scalar_image(values: np.ndarray, cmap: str, zero_transparent: bool = False) -> np.ndarray:
    """(H, W) floats -> (H, W, 4) RGBA uint8 through colour map `cmap`, scaled min..max."""
    v = np.asarray(values, dtype=np.float64)
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 1.0)
    if zero_transparent:
        lo = 0.0
    idx = np.zeros(v.shape, dtype=np.intp) if hi <= lo else ((v - lo) * (255.0 / (hi - lo))).astype(np.intp)
    out = _lut(cmap)[np.clip(idx, 0, 255)]
    if zero_transparent:
        out[v <= 0] = EMPTY_NODE
    return out


def hex_layout(img: np.ndarray) -> np.ndarray:
    """(H, W, 4) -> (H, 2W+1, 4): two sub-columns per node, odd rows shifted by one."""
    h, w = img.shape[:2]
    out = np.zeros((h, 2 * w + 1, img.shape[2]), dtype=img.dtype)
    doubled = np.repeat(img, 2, axis=1)
    out[0::2, : 2 * w] = doubled[0::2]
    out[1::2, 1:] = doubled[1::2]
    return out


def map_rgba(weights: np.ndarray, hexagonal: bool) -> np.ndarray:
    """The colour view's image as drawn (hexagonal maps at 2x horizontal resolution)."""
    img = colour_image(weights)
    return hex_layout(img) if hexagonal else img


def map_qimage(weights: np.ndarray, hexagonal: bool, cell: int = 8) -> QImage:
    """The map in true colour, `cell` pixels per node, nearest-neighbour (for PNGs)."""
    rgba = np.ascontiguousarray(map_rgba(weights, hexagonal))
    h, w = rgba.shape[:2]
    img = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
    cell_w = cell / 2 if hexagonal else cell
    cell_h = round(cell * HEX_ROW) if hexagonal else cell
    return img.scaled(max(1, round(w * cell_w)), max(1, h * cell_h),
                      Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation)


class MapCanvas(pg.PlotWidget):
    """Shows snapshots; emits `hovered(text)` as the mouse moves over nodes."""

    hovered = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent, background=BACKGROUND)
        self.setMinimumSize(320, 320)
        self.view = "colours"
        self.snapshot: Snapshot | None = None
        self._shape: tuple | None = None
        self._umatrix: np.ndarray | None = None
        plot = self.getPlotItem()
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.setMenuEnabled(False)
        plot.hideButtons()
        self.vb = plot.getViewBox()
        self.vb.setAspectLocked(True)
        self.vb.invertY(True)           # row 0 at the top, as in the image
        self.image = pg.ImageItem(axisOrder="row-major")
        self.addItem(self.image)
        # a marker is the input's colour in a white ring on a dark halo: visible on any map colour
        self.halo = pg.ScatterPlotItem(size=15, pen=None, brush=pg.mkBrush(0, 0, 0, 170), symbol="o")
        self.markers = pg.ScatterPlotItem(size=11, pen=pg.mkPen("w", width=1.5), symbol="o")
        self.halo.setZValue(9)
        self.markers.setZValue(10)
        self.addItem(self.halo)
        self.addItem(self.markers)
        self._marker_brushes: list = []
        self._marker_key = None
        self._markers_stale = False
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)

    # -- public ------------------------------------------------------------------
    def set_view(self, view: str) -> None:
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}")
        self.view = view
        if self.snapshot is not None:
            self.show_snapshot(self.snapshot)

    def set_markers_visible(self, visible: bool) -> None:
        self.markers.setVisible(visible)
        self.halo.setVisible(visible)

    def set_inputs(self, colours: np.ndarray) -> None:
        """The input colours, for the markers' fill.  New inputs clear the markers:
        the shown BMUs belong to the old ones (the next snapshot brings new ones)."""
        key = colours.tobytes()
        if key != self._marker_key:
            self._marker_key = key
            rgb = np.clip(colours[:, :3] * 255 + 0.5, 0, 255).astype(int)
            self._marker_brushes = [pg.mkBrush(*c) for c in rgb]
            self._markers_stale = True
            self._update_markers(self.snapshot, False)

    def show_snapshot(self, snap: Snapshot) -> None:
        if snap is not self.snapshot:
            self._markers_stale = False
            self._umatrix = snap.umatrix   # None: computed here if the U-matrix view needs it
        self.snapshot = snap
        hexagonal = snap.config.topology == "hexagonal"
        rgba = self._view_rgba(snap)
        if hexagonal:
            rgba = hex_layout(rgba)
        self.image.setImage(rgba, autoLevels=False, levels=(0, 255))
        h, w = snap.weights.shape[:2]
        shape = (h, w, hexagonal)
        if shape != self._shape:
            self._shape = shape
            row_h = HEX_ROW if hexagonal else 1.0
            self.image.setRect(QRectF(0.0, 0.0, w + (0.5 if hexagonal else 0.0), h * row_h))
            self.vb.autoRange(padding=0.02)
        self._update_markers(snap, hexagonal)

    def fit(self) -> None:
        self.vb.autoRange(padding=0.02)

    def node_at(self, x: float, y: float) -> tuple[int, int] | None:
        """The (row, col) of the node under scene-view point (x, y), or None."""
        if self._shape is None:
            return None
        h, w, hexagonal = self._shape
        row = math.floor(y / (HEX_ROW if hexagonal else 1.0))
        col = math.floor(x - (0.5 if hexagonal and row % 2 else 0.0))
        if 0 <= row < h and 0 <= col < w:
            return row, col
        return None

    def node_centres(self, rows: np.ndarray, cols: np.ndarray, hexagonal: bool) -> tuple[np.ndarray, np.ndarray]:
        if hexagonal:
            return cols + 0.5 + 0.5 * (rows % 2), (rows + 0.5) * HEX_ROW
        return cols + 0.5, rows + 0.5

    # -- internals ---------------------------------------------------------------
    def _view_rgba(self, snap: Snapshot) -> np.ndarray:
        if self.view == "umatrix":
            if self._umatrix is None:  # switched view while idle: compute it here, once
                self._umatrix = u_matrix(snap.weights, snap.config.topology == "hexagonal", snap.config.toroidal)
            return scalar_image(self._umatrix, "viridis")
        if self.view == "hits":
            hits = snap.hits if snap.hits is not None else np.zeros(snap.weights.shape[:2])
            return scalar_image(hits, "inferno", zero_transparent=True)
        return colour_image(snap.weights)

    def _update_markers(self, snap: Snapshot | None, hexagonal: bool) -> None:
        if (snap is None or snap.bmus is None or self._markers_stale
                or len(snap.bmus) != len(self._marker_brushes)):
            self.markers.setData(x=[], y=[])
            self.halo.setData(x=[], y=[])
            return
        x, y = self.node_centres(snap.bmus[:, 0], snap.bmus[:, 1], hexagonal)
        self.halo.setData(x=x, y=y)
        self.markers.setData(x=x, y=y, brush=self._marker_brushes)

    def _on_mouse_moved(self, pos) -> None:
        if self.snapshot is None or not self.vb.sceneBoundingRect().contains(pos):
            return
        p = self.vb.mapSceneToView(pos)
        node = self.node_at(p.x(), p.y())
        if node is None:
            self.hovered.emit("")
            return
        self.hovered.emit(self.describe_node(*node))

    def describe_node(self, row: int, col: int) -> str:
        snap = self.snapshot
        r, g, b = (int(v) for v in np.clip(snap.weights[row, col, :3] * 255 + 0.5, 0, 255))
        text = f"row {row}, col {col}   {QColor(r, g, b).name()}"
        if snap.hits is not None:
            text += f"   hits {int(snap.hits[row, col])}"
        if self._umatrix is not None:
            text += f"   U {self._umatrix[row, col]:.3f}"
        return text
