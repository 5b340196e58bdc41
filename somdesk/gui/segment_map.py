"""The table map with node selection: click a node, Ctrl+click to add, drag a region, or pick a segment.

    m = SegmentMap()
    m.show_nodes(rgb (H, W, 3) uint8, hexagonal)       # pixels from somdesk.render (same as the report)
    m.selection_changed.connect(fn)                     # fn(nodes: np.ndarray of flat node indices)
    m.select_nodes([3, 4]); m.highlight(node or -1)     # programmatic selection / the hovered row's node

Pixels are drawn by `render.outlines.outlined` at a fixed scale (true hexagons for
hexagonal maps) with each node's outline in a darker shade of its colour while a node is seen at
least render.outlines.OUTLINE_MIN_PX px wide (the view's zoom decides; a zoom past that mark
draws the picture again); hit-testing is `render.node_at`, so a click picks the node whose
hexagon is under the mouse.  A drag selects every node whose centre lies in the
dragged rectangle.  Selected nodes get white rings (white dots where nodes are seen less than
RING_PX apart), the hovered row's node a red one.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QGraphicsRectItem, QVBoxLayout, QWidget

from somdesk import render
from somdesk.render.geometry import layout
from somdesk.render.outlines import OUTLINE_MIN_PX, outline_pixels, outline_width, outlined

__all__ = ["SegmentMap", "SCALE", "scale_for", "warm_outlines"]

SCALE = 24      # the least pixels between node centres (zoom is the view box's)
MAX_SCALE = 64  # render.geometry.check_scale's limit; small maps are drawn larger, so the view's zoom does not blow up their pixel steps
SHOWN_PIXELS = 720   # about the picture's longer side for a small map


def scale_for(rows: int, cols: int) -> int:
    """Pixels between node centres for a rows x cols map: SCALE, or more for a small map so
    its picture is about SHOWN_PIXELS wide (the slanted hexagon edges then stay fine on screen
    instead of stair-steps of the zoomed-up raster), at most MAX_SCALE."""
    return int(max(SCALE, min(MAX_SCALE, SHOWN_PIXELS // max(1, rows, cols))))


def warm_outlines(h: int, w: int, hexagonal: bool) -> None:
    """Find the outlines an h x w map's picture can be shown with (render.outlines, numpy only:
    every width from 1 up to the widest, at the least shown size), so a draw or a zoom on the GUI
    thread finds them cached; called on the map's task (gui/table_workflow.py)."""
    scale = scale_for(h, w)
    for width in range(1, outline_width(scale, OUTLINE_MIN_PX) + 1):
        outline_pixels(h, w, bool(hexagonal), scale, width)


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


# Nodes seen closer than this (px between centres) get a dot for a selection mark, not a 13-px ring.
RING_PX = 15.0


class _Marks(pg.ScatterPlotItem):
    """Rings drawn over nodes that never take a click: the click is the view box's, so a
    selected (ringed) node can be clicked again (tester8 #12: Ctrl+click did not take it out
    of the selection, a plain click did not make it the only one)."""

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph API
        ev.ignore()


class SegmentMap(QWidget):
    """See module docstring."""

    _ring_drawn = (0.0, 0.0)                 # (size, pen) of the selection marks drawn (_ring_style)

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
        self._nodes: np.ndarray | None = None      # (H, W, 3) uint8 node colours shown
        self._plain: np.ndarray | None = None      # their picture without outlines (render.layout)
        self._width = 0                            # the outline width drawn (render.outlines.outline_width)
        self.plot.scene().sigMouseMoved.connect(self._moved)
        self.vb.sigRangeChanged.connect(self._zoomed)
        self.vb.sigResized.connect(self._zoomed)

    # -- drawing ----------------------------------------------------------------------------
    def show_nodes(self, rgb: np.ndarray, hexagonal: bool) -> None:
        """Draw per-node colours `rgb` (H, W, 3) uint8 as a map; keeps the selection if the shape is unchanged."""
        h, w = rgb.shape[:2]
        new_shape = self.shape != (h, w) or self.hexagonal != hexagonal
        self.shape, self.hexagonal, self.scale = (h, w), bool(hexagonal), scale_for(h, w)
        self._nodes = np.array(rgb, dtype=np.uint8)
        self._plain = layout(self._nodes, hexagonal, self.scale)
        self._centres = render.node_centres(h, w, hexagonal, self.scale).reshape(-1, 2)
        if new_shape:
            self.vb.setRange(xRange=(0, self._plain.shape[1]), yRange=(0, self._plain.shape[0]), padding=0.02)
            self.select_nodes([], emit=False)
        self._draw_outlined()
        self._draw_rings()

    def shown_node_px(self) -> float:
        """Screen pixels between node centres at the view's zoom now (0.0 before the view has a size)."""
        span = self.vb.viewRect().width()                # picture pixels across the view
        return float(self.scale * self.vb.width() / span) if span > 0 and self.vb.width() > 0 else 0.0

    def _draw_outlined(self) -> None:
        """The picture with the outlines the zoom calls for (render.outlines decides)."""
        shown = self.shown_node_px()
        self._width = outline_width(self.scale, shown)
        self._set_pixels(outlined(self._nodes, self.hexagonal, self.scale, shown=shown, plain=self._plain))

    def _zoomed(self, *_) -> None:
        """The view's zoom or size changed: draw again only when the outlines' width changes
        (none <-> some, or wider), not at every wheel step."""
        if self._nodes is not None and outline_width(self.scale, self.shown_node_px()) != self._width:
            self._draw_outlined()
        if len(self.selected) and self._ring_style() != self._ring_drawn:
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
        self._centres = self._array = self._raw = self._nodes = self._plain = None
        self.selected = np.zeros(0, dtype=np.int64)
        self.rings.setData([], [])
        self.highlight(-1)

    def image_array(self) -> np.ndarray | None:
        """(Hpx, Wpx, 3) uint8: the pixels on screen (a copy), or None."""
        return None if self._array is None else self._array.copy()

    def raw_array(self) -> np.ndarray | None:
        """The pixels before `pixel_filter` (true colours, a copy), or None."""
        return None if self._raw is None else self._raw.copy()

    def _ring_style(self) -> tuple[float, float]:
        """(diameter px, pen width px) of a selected node's mark at the zoom now: the 13-px white ring
        where nodes are seen at least RING_PX apart; below that a ring would overlap its neighbours
        (2,049 selected nodes at 7.4 px drew a white mesh over the map, testerH), so the mark is a
        white dot 0.7 of the node's pitch with a thin dark rim, readable on every segment colour."""
        shown = self.shown_node_px()
        if shown <= 0 or shown >= RING_PX:
            return 13.0, 2.2
        return round(max(3.0, 0.7 * shown), 1), 1.0

    def _draw_rings(self) -> None:
        if self._centres is None or len(self.selected) == 0:
            self.rings.setData([], [])
            return
        size, pen = self._ring_style()
        self._ring_drawn = (size, pen)
        if pen >= 2:
            style = dict(size=size, pen=pg.mkPen("w", width=pen), brush=pg.mkBrush(0, 0, 0, 90))
        else:
            style = dict(size=size, pen=pg.mkPen((0, 0, 0, 170), width=pen), brush=pg.mkBrush(255, 255, 255))
        c = self._centres[self.selected]
        self.rings.setData(c[:, 0], c[:, 1], **style)

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
