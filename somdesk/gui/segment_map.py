"""The table map with node selection: click a node, Ctrl+click to add, drag a region, or pick a segment.

    m = SegmentMap()
    m.show_nodes(rgb (H, W, 3) uint8, hexagonal)       # pixels from somdesk.render (same as the report)
    m.selection_changed.connect(fn)                     # fn(nodes: np.ndarray of flat node indices)
    m.select_nodes([3, 4]); m.highlight(node or -1)     # programmatic selection / the hovered row's node

Pixels are drawn by `render.geometry.layout` at a fixed scale (true hexagons for
hexagonal maps) with each node's 1 px outline in a darker shade of its colour; hit-testing is `render.node_at`, so a click picks the node whose
hexagon is under the mouse.  A drag selects every node whose centre lies in the
dragged rectangle.  Selected nodes get white rings, the hovered row's node a red one.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QGraphicsRectItem, QVBoxLayout, QWidget

from somdesk import render
from somdesk.render.geometry import index_image, layout

__all__ = ["SegmentMap", "SCALE", "outlined", "scale_for"]

SCALE = 24      # the least pixels between node centres (zoom is the view box's)
MAX_SCALE = 64  # render.geometry.check_scale's limit; small maps are drawn larger, so the view's zoom does not blow up their pixel steps
SHOWN_PIXELS = 720   # about the picture's longer side for a small map


def scale_for(rows: int, cols: int) -> int:
    """Pixels between node centres for a rows x cols map: SCALE, or more for a small map so
    its picture is about SHOWN_PIXELS wide (the slanted hexagon edges then stay fine on screen
    instead of stair-steps of the zoomed-up raster), at most MAX_SCALE."""
    return int(max(SCALE, min(MAX_SCALE, SHOWN_PIXELS // max(1, rows, cols))))
EDGE_SHADE = 0.6    # an outline pixel keeps 60 % of its node's colour: nodes of one segment told apart


def outlined(rgb: np.ndarray, hexagonal: bool, scale: int = SCALE) -> np.ndarray:
    """(H, W, 3) uint8 node colours -> the picture (Hpx, Wpx, 3) uint8 of render's layout at
    `scale` with every node's outline drawn 1 px wide per SCALE px in a darker shade of its own colour, so
    single nodes stand apart inside a segment of one colour.  The outline is where the
    renderer's node index (render.geometry.index_image) changes to the right or below, so
    hexagons and squares get their true borders."""
    pic = np.array(layout(rgb, hexagonal, scale))
    h, w = rgb.shape[:2]
    edge = outline_pixels(h, w, bool(hexagonal), int(scale))
    flat = pic.reshape(-1, 3)
    flat[edge] = (flat[edge].astype(np.float32) * EDGE_SHADE).astype(np.uint8)
    return pic


@lru_cache(maxsize=8)
def outline_pixels(h: int, w: int, hexagonal: bool, scale: int) -> np.ndarray:
    """(E,) int64 flat pixel indices of the node outlines of an h x w map at `scale` (read-only).
    They depend on the shape alone, so they are found once per shape (testerW #3: found again
    at every draw, a 66 x 57 map's outlines took 0.45 s of the GUI thread)."""
    idx = index_image(h, w, hexagonal, scale)
    edge = np.zeros(idx.shape, dtype=bool)
    for k in range(1, max(1, round(scale / SCALE)) + 1):     # 1 px per SCALE: still seen when zoomed out
        edge[:, :-k] |= idx[:, :-k] != idx[:, k:]
        edge[:-k, :] |= idx[:-k, :] != idx[k:, :]
    edge &= idx >= 0                                  # the background stays as it is
    out = np.flatnonzero(edge)
    out.flags.writeable = False
    return out


class _SelectBox(pg.ViewBox):
    """A view box whose left button selects instead of panning (wheel still zooms)."""

    def __init__(self, owner: "SegmentMap"):
        super().__init__(lockAspect=True, invertY=True, enableMenu=False)
        self.owner = owner
        self.band = QGraphicsRectItem()
        self.band.setPen(pg.mkPen((30, 30, 30), width=1, style=Qt.PenStyle.DashLine))
        self.band.setBrush(pg.mkBrush(60, 120, 220, 50))
        self.band.setZValue(20)
        self.band.hide()
        self.addItem(self.band, ignoreBounds=True)

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph API
        if ev.button() != Qt.MouseButton.LeftButton:
            return super().mouseClickEvent(ev)
        ev.accept()
        p = self.mapSceneToView(ev.scenePos())
        add = bool(ev.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier))
        self.owner.click_at(p.x(), p.y(), add)

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802 - pyqtgraph API
        if ev.button() != Qt.MouseButton.LeftButton:
            return super().mouseDragEvent(ev, axis)
        ev.accept()
        a, b = self.mapSceneToView(ev.buttonDownScenePos()), self.mapSceneToView(ev.scenePos())
        rect = QRectF(a, b).normalized()
        if ev.isFinish():
            self.band.hide()
            add = bool(ev.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier))
            self.owner.select_rect(rect.left(), rect.top(), rect.right(), rect.bottom(), add)
        else:
            self.band.setRect(rect)
            self.band.show()


class _Marks(pg.ScatterPlotItem):
    """Rings drawn over nodes that never take a click: the click is the view box's, so a
    selected (ringed) node can be clicked again (tester8 #12: Ctrl+click did not take it out
    of the selection, a plain click did not make it the only one)."""

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph API
        ev.ignore()


class SegmentMap(QWidget):
    """See module docstring."""

    selection_changed = Signal(object)       # np.ndarray of selected flat node indices
    node_hovered = Signal(int)               # flat node index under the mouse, -1 outside

    def __init__(self, parent=None):
        super().__init__(parent)
        self.vb = _SelectBox(self)
        self.plot = pg.PlotWidget(background=(255, 255, 255), viewBox=self.vb)
        self.plot.setMinimumSize(260, 220)
        item = self.plot.getPlotItem()
        item.hideAxis("left")
        item.hideAxis("bottom")
        item.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.rings = _Marks(size=13, pen=pg.mkPen("w", width=2.2), brush=pg.mkBrush(0, 0, 0, 90),
                            symbol="o", pxMode=True)
        self.rings.setZValue(10)
        self.hot = _Marks(size=17, pen=pg.mkPen((230, 20, 20), width=3), brush=pg.mkBrush(0, 0, 0, 0),
                          symbol="o", pxMode=True)
        self.hot.setZValue(11)
        self.plot.addItem(self.rings)
        self.plot.addItem(self.hot)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot)
        self.shape: tuple[int, int] | None = None
        self.scale = SCALE                   # pixels between node centres of the map shown (scale_for)
        self.hexagonal = False
        self.selected = np.zeros(0, dtype=np.int64)
        self._centres: np.ndarray | None = None
        self._array: np.ndarray | None = None      # the pixels on screen (through pixel_filter)
        self._raw: np.ndarray | None = None        # the same before the filter (true colours)
        # (H, W, 3) uint8 -> the same, or None: the window's colour-vision preview, as on its
        # canvas (gui/colour_actions.py); it was not applied here, so a table's segment colours
        # could not be checked for colour-blind readers (testerG #6)
        self.pixel_filter = None
        self.plot.scene().sigMouseMoved.connect(self._moved)

    # -- drawing ----------------------------------------------------------------------------
    def show_nodes(self, rgb: np.ndarray, hexagonal: bool) -> None:
        """Draw per-node colours `rgb` (H, W, 3) uint8 as a map; keeps the selection if the shape is unchanged."""
        h, w = rgb.shape[:2]
        new_shape = self.shape != (h, w) or self.hexagonal != hexagonal
        self.shape, self.hexagonal, self.scale = (h, w), bool(hexagonal), scale_for(h, w)
        pic = outlined(np.asarray(rgb, dtype=np.uint8), hexagonal, self.scale)
        self._centres = render.node_centres(h, w, hexagonal, self.scale).reshape(-1, 2)
        self._set_pixels(pic)
        if new_shape:
            self.vb.setRange(xRange=(0, pic.shape[1]), yRange=(0, pic.shape[0]), padding=0.02)
            self.select_nodes([], emit=False)
        self._draw_rings()

    def _set_pixels(self, pic: np.ndarray) -> None:
        self._raw = pic
        self._array = pic if self.pixel_filter is None else self.pixel_filter(pic)
        self.image.setImage(self._array, autoLevels=False, levels=(0, 255))
        self.image.setRect(0, 0, pic.shape[1], pic.shape[0])

    def refilter(self) -> None:
        """Show the map again through `pixel_filter` (it changed); selection and zoom stay."""
        if self._raw is not None:
            self._set_pixels(self._raw)

    def clear(self) -> None:
        """No map: no picture, no selection, no hovered node (another table, or the map dropped)."""
        self.image.clear()
        self.shape, self.hexagonal = None, False
        self._centres = self._array = self._raw = None
        self.selected = np.zeros(0, dtype=np.int64)
        self.rings.setData([], [])
        self.highlight(-1)

    def image_array(self) -> np.ndarray | None:
        """(Hpx, Wpx, 3) uint8: the pixels on screen (a copy), or None."""
        return None if self._array is None else self._array.copy()

    def raw_array(self) -> np.ndarray | None:
        """The pixels before `pixel_filter` (true colours, a copy), or None."""
        return None if self._raw is None else self._raw.copy()

    def _draw_rings(self) -> None:
        if self._centres is None or len(self.selected) == 0:
            self.rings.setData([], [])
            return
        c = self._centres[self.selected]
        self.rings.setData(c[:, 0], c[:, 1])

    def highlight(self, node: int) -> None:
        """Mark flat node `node` (the hovered row's BMU) with a red ring; -1 clears it."""
        if self._centres is None or node is None or node < 0 or node >= len(self._centres):
            self.hot.setData([], [])
            self.highlighted = -1
            return
        self.highlighted = int(node)
        x, y = self._centres[node]
        self.hot.setData([x], [y])

    highlighted = -1

    # -- selecting --------------------------------------------------------------------------
    def node_at(self, x: float, y: float) -> int:
        if self.shape is None:
            return -1
        rc = render.node_at(x, y, self.shape[0], self.shape[1], self.hexagonal, self.scale)
        return -1 if rc is None else int(rc[0] * self.shape[1] + rc[1])

    def select_nodes(self, nodes, emit: bool = True) -> None:
        self.selected = np.unique(np.asarray(nodes, dtype=np.int64).reshape(-1))
        self._draw_rings()
        if emit:
            self.selection_changed.emit(self.selected.copy())

    def click_at(self, x: float, y: float, add: bool = False) -> None:
        """A click in picture coordinates: select that node (toggle it when `add`); outside clears."""
        node = self.node_at(x, y)
        if node < 0:
            if not add:
                self.select_nodes([])
            return
        if add:
            sel = set(self.selected.tolist())
            sel.symmetric_difference_update({node})
            self.select_nodes(sorted(sel))
        else:
            self.select_nodes([node])

    def select_rect(self, x0: float, y0: float, x1: float, y1: float, add: bool = False) -> None:
        """Select the nodes whose centres lie in the rectangle (picture coordinates)."""
        if self._centres is None:
            return
        c = self._centres
        inside = np.flatnonzero((c[:, 0] >= x0) & (c[:, 0] <= x1) & (c[:, 1] >= y0) & (c[:, 1] <= y1))
        self.select_nodes(np.union1d(self.selected, inside) if add else inside)

    def leaveEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.node_hovered.emit(-1)           # off the map: its hover line goes
        super().leaveEvent(event)

    def _moved(self, pos) -> None:
        if self.shape is None:
            return
        p = self.vb.mapSceneToView(pos)
        self.node_hovered.emit(self.node_at(p.x(), p.y()))
