"""The canvas of the one window: a map view drawn by `somdesk.render`, with its legend.

    view = MapView()
    view.show_map(state, "umatrix", inputs=colours)   # MapState from the session
    view.show_picture(rgb)                             # the quantised picture, the original
    img = view.image_array()                           # exactly the pixels on screen

Every pixel comes from `render.node_colours` + `render.picture` at the view's
scale (true hexagons for hexagonal maps), the same calls as PNG export,
clipboard and the smoke test, so `image_array()` equals the exported PNG at
that scale.  The pyqtgraph ImageItem shows that array unscaled in picture
coordinates; zoom only changes the view box.  BMU markers are ONE
ScatterPlotItem updated with `setData` (one call for 262,144 inputs), drawn at
render.node_centres.  The legend (colour bar with ticks, or category swatches)
is `render.colour_bar` / `render.category_legend` under the map, in a label
that wraps nothing and never clips: scalar views (U-matrix, hit map, component
planes) always show theirs.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from somdesk import render
from somdesk.errors import SomdeskError

BACKGROUND = (255, 255, 255)
TARGET_PIXELS = 800          # a map is drawn about this big at its own scale (zoom on top)
MARKER_LIMIT = 262_144       # more inputs than this: markers are not drawn (one item anyway)


MAX_ASPECT = 8.0      # a map picture longer than this is stretched across on screen (1-D maps)


def scale_for(rows: int, cols: int, hexagonal: bool = False) -> int:
    """Pixels per node the window draws a rows x cols map at (1..render.MAX_SCALE)."""
    side = max(rows, cols, 1)
    return int(min(render.MAX_SCALE, max(1, math.floor(TARGET_PIXELS / side))))


def to_qimage(rgb: np.ndarray) -> QImage:
    """(H, W, 3) uint8 -> a QImage that owns a copy of the pixels."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def shrunk_note(full_shape, shown_shape) -> str:
    """"  Shown at 1:5 …" for the caption of a picture drawn smaller than it is
    (core.map_quantise.shown_small), else ""."""
    h, w = full_shape[:2]
    sh, sw = shown_shape[:2]
    if (sh, sw) == (h, w):
        return ""
    f = -(-max(h, w) // max(sh, sw, 1))
    return f"  Shown at 1:{f} ({sw:,} x {sh:,} of {w:,} x {h:,} px); Export image writes every pixel."


def view_nodes(state, view: str, *, space: str = "srgb"):
    """(nodes (rows, cols, 3) uint8, Legend) of `view` of a MapState (render.node_colours);
    a colour map trained in another `space` is shown in sRGB (gui/colour_space_view.py).
    (A table's map is drawn by the Segments dock: gui/table_views.py.)"""
    weights = state.weights
    if space != "srgb" and render.view_name(view) in ("colours", "strip"):
        from somdesk.session.exports import shown_weights

        weights = shown_weights(weights, space)
    return render.node_colours(view, weights, umatrix=state.umatrix, hits=state.hits)


def map_picture(state, view: str, scale: int, *, inputs=None, **kw) -> tuple[np.ndarray, object]:
    """(picture (H, W, 3) uint8, Legend): what the window shows and what export writes."""
    nodes, legend = view_nodes(state, view, **kw)
    strip_inputs = inputs if view == "strip" else None
    pic = render.picture(nodes, state.hexagonal, scale, inputs=strip_inputs)
    space = kw.get("space", "srgb")
    if space != "srgb" and render.view_name(view) in ("colours", "strip"):
        from somdesk.gui.colour_space_view import mark_out_of_gamut

        rows, cols = state.shape
        offset = pic.shape[0] - render.picture_size(rows, cols, state.hexagonal, scale)[1]
        mark_out_of_gamut(pic, state.weights, space, state.hexagonal, scale, offset)
    return pic, legend


# the tallest a legend gets on screen: past it, it scrolls (render.category_legend also
# caps its rows); a legend never makes the window taller (tester6 F22)
LEGEND_MAX_HEIGHT = 200


# ... and at least this tall when its legend is (a legend of a few rows is shown whole)
LEGEND_MIN_HEIGHT = 100


class LegendArea(QScrollArea):
    """A scroll area as tall as its legend up to its maximum height, and no less than the
    legend's height up to LEGEND_MIN_HEIGHT when the window is short.  No tab stop: a legend
    takes no keys (testerH #8: Tab stopped on it before the first field); the wheel scrolls it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = super().minimumSizeHint()
        w = self.widget()
        return QSize(hint.width(), min(w.sizeHint().height(), LEGEND_MIN_HEIGHT) if w is not None else 0)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = super().sizeHint()
        w = self.widget()
        return QSize(hint.width(), min(w.sizeHint().height(), self.maximumHeight()) if w is not None else 0)

    def viewportEvent(self, event) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LayoutRequest:       # a new legend picture: ask the layout again
            self.updateGeometry()
        return super().viewportEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        # a legend set while its tab was hidden (a table map trained from the Setup tab) posts
        # no LayoutRequest (Qt posts it only to a visible parent): the layout kept the empty
        # label's one-line height, and 2-6 segments showed as "segment 0" and a scroll arrow
        # (tester F #8).  Shown now: ask the layout again.
        self.updateGeometry()
        super().showEvent(event)


def legend_area(label: QLabel, max_height: int = LEGEND_MAX_HEIGHT) -> QScrollArea:
    """`label` (a legend picture or caption) in a frameless scroll area at most `max_height`
    px tall, whose minimum size is small: a long category list or a wide title scrolls
    instead of growing the window past the screen."""
    area = LegendArea()
    area.setObjectName("legend-area")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(label)
    # no background of its own: in a tab page (lighter than the window) the area's own fill
    # showed as an empty grey box right of a short legend (testerG)
    area.viewport().setAutoFillBackground(False)
    label.setAutoFillBackground(False)
    area.setMaximumHeight(max_height)
    area.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    return area


HOVER_HINT = "Hover over a node to read it here."


class HoverLine(QLabel):
    """The hover read-out under a map's legend: its text is the node or row hovered ("" when
    none, as `text()` says); while empty it draws HOVER_HINT in grey, so the line is not a blank
    strip with no clue (testerG), and its height does not change as the mouse comes and goes."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setStyleSheet("font-family: monospace;")
        self.setMinimumHeight(self.fontMetrics().height() + 4)

    def paintEvent(self, event) -> None:
        if self.text():
            super().paintEvent(event)
            return
        from PySide6.QtGui import QPainter

        p = QPainter(self)
        p.setPen(self.palette().color(self.palette().ColorGroup.Disabled, self.palette().ColorRole.WindowText))
        p.drawText(self.contentsRect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), HOVER_HINT)
        p.end()


class MapView(QWidget):
    """The map (or a picture) and its legend; emits `hovered(text)` over nodes."""

    hovered = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background=BACKGROUND)
        self.plot.setMinimumSize(320, 320)
        item = self.plot.getPlotItem()
        item.hideAxis("left")
        item.hideAxis("bottom")
        item.setMenuEnabled(False)
        item.hideButtons()
        self.vb = item.getViewBox()
        self.vb.setAspectLocked(True)
        self.vb.invertY(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.markers = pg.ScatterPlotItem(size=9, pen=pg.mkPen("w", width=1.2),
                                          brush=pg.mkBrush(0, 0, 0, 0), symbol="o", pxMode=True)
        self.markers.setZValue(10)
        self._pens = np.array([pg.mkPen("k", width=1.2), pg.mkPen("w", width=1.2)], dtype=object)
        self._rings = None               # (x, y, light) of the rings shown, as bytes (_set_rings)
        self.plot.addItem(self.markers)
        self.legend = QLabel()
        self.legend.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.plot, 1)
        lay.addWidget(legend_area(self.legend))
        self.setFocusProxy(self.plot)
        self.plot.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._array: np.ndarray | None = None
        self._raw: np.ndarray | None = None  # the pixels before `pixel_filter`
        self.pixel_filter = None             # rgb -> rgb shown (the colour-vision preview), or None
        self._geometry = None            # (rows, cols, hexagonal, scale) of the map shown
        self._describe = None            # (row, col) -> text for the hover line
        self.markers_visible = True
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)

    # -- what is shown --------------------------------------------------------------
    def image_array(self) -> np.ndarray | None:
        """The (H, W, 3) uint8 pixels on screen (a copy), or None."""
        return None if self._array is None else self._array.copy()

    @property
    def scale(self) -> int | None:
        return None if self._geometry is None else self._geometry[3]

    def show_map(self, state, view: str, *, inputs=None, describe=None, **kw) -> None:
        """Draw `view` of the MapState `state` at the window's scale for its size."""
        rows, cols = state.shape
        scale = scale_for(rows, cols, state.hexagonal)
        try:
            pic, legend = map_picture(state, view, scale, inputs=inputs, **kw)
        except SomdeskError as exc:      # a view that needs what this map lacks (not measured yet)
            self.show_message(str(exc))
            return
        # fitted when the map or the picture's size changes: the strip above the map makes the
        # picture taller, and its bottom rows were cut off (tester6 F1); zoom kept otherwise
        first = (self._geometry is None or self._geometry[:3] != (rows, cols, state.hexagonal)
                 or self._array is None or self._array.shape[:2] != pic.shape[:2])
        self._geometry = (rows, cols, state.hexagonal, scale)
        self._describe = describe
        self._stretch(pic.shape)
        self._set_array(pic, fit=first)
        self._show_legend(legend)
        offset = 0
        if view == "strip":
            offset = pic.shape[0] - render.picture_size(rows, cols, state.hexagonal, scale)[1]
        self._show_markers(state, scale, offset)

    def show_picture(self, rgb: np.ndarray, caption: str = "") -> None:
        """Draw a picture as it is (the quantised picture, the original)."""
        first = self._geometry is not None or self._array is None or self._array.shape != rgb.shape
        self._geometry = None
        self._describe = None
        self._stretch(None)              # a picture is drawn as it is
        self._set_array(np.asarray(rgb, dtype=np.uint8), fit=first)
        self._set_rings([], [])
        self.legend.setText(caption)
        self.legend.setPixmap(QPixmap()) if not caption else None

    def show_message(self, text: str) -> None:
        self.image.clear()
        self._array = self._raw = None
        self._set_rings([], [])
        self.legend.setPixmap(QPixmap())
        self.legend.setText(text)

    def set_markers_visible(self, visible: bool) -> None:
        self.markers_visible = bool(visible)
        self.markers.setVisible(self.markers_visible)

    def _stretch(self, shape) -> None:
        """Draw a map picture at most MAX_ASPECT : 1 by stretching its short side on screen (the
        picture's pixels, hover and markers keep their coordinates): a 2000 x 1 map was 0.4 px
        tall, an empty canvas with rings (tester7 #26).  None: square pixels."""
        ratio = 1.0
        if shape is not None:
            h, w = max(1, shape[0]), max(1, shape[1])
            if w / h > MAX_ASPECT:
                ratio = MAX_ASPECT * h / w        # x pixels per unit / y pixels per unit
            elif h / w > MAX_ASPECT:
                ratio = h / (MAX_ASPECT * w)
        if ratio != getattr(self, "_ratio", 1.0):
            self._ratio = ratio
            self.vb.setAspectLocked(True, ratio=ratio)

    def fit(self) -> None:
        if self._array is not None:
            h, w = self._array.shape[:2]
            self.vb.setRange(xRange=(0, w), yRange=(0, h), padding=0.02)

    # -- internals -----------------------------------------------------------------------
    def raw_array(self) -> np.ndarray | None:
        """The pixels before `pixel_filter` (a copy), or None."""
        return None if self._raw is None else self._raw.copy()

    def refilter(self) -> None:
        """Show the current pixels again through `pixel_filter` (it changed)."""
        if self._raw is not None:
            self._set_array(self._raw, fit=False)

    def _set_array(self, pic: np.ndarray, fit: bool) -> None:
        self._raw = pic
        if self.pixel_filter is not None:
            pic = self.pixel_filter(pic)
        self._array = pic
        # uint8 RGB without levels goes to the screen as it is; levels (0, 255) made
        # pyqtgraph rescale every pixel through float (~3 ms for an 800 x 800 map) to the same values
        self.image.setImage(pic, autoLevels=False, levels=None if pic.dtype == np.uint8 else (0, 255))
        self.image.setRect(0, 0, pic.shape[1], pic.shape[0])
        if fit:
            self.fit()

    def _show_legend(self, legend) -> None:
        if legend.cmap is not None and legend.levels is not None:
            bar = render.colour_bar(legend.cmap, legend.levels, length=300, integer=legend.integer)
            self.legend.setPixmap(QPixmap.fromImage(to_qimage(bar)))
            self.legend.setToolTip(legend.title)
        elif legend.names:
            sw = render.category_legend(list(legend.names), legend.colours)
            self.legend.setPixmap(QPixmap.fromImage(to_qimage(sw)))
            self.legend.setToolTip("")
        else:
            self.legend.setPixmap(QPixmap())
            self.legend.clear()

    def _show_markers(self, state, scale: int, y_offset: int) -> None:
        bmus = state.bmus
        if bmus is None or len(bmus) == 0 or len(bmus) > MARKER_LIMIT:
            self._set_rings([], [])
            return
        from somdesk.render.colour_tables import is_light

        rows, cols = state.shape
        distinct = np.unique(bmus[:, 0] * cols + bmus[:, 1])
        centres = render.node_centres(rows, cols, state.hexagonal, scale).reshape(-1, 2)[distinct]
        x, y = centres[:, 0], centres[:, 1] + y_offset
        # black rings on light nodes, white on dark, judged by the pixel shown under the centre
        # (render.markers' rule for exports): white rings vanished on a hit map's pale yellow
        # nodes (tester6 F2)
        pic = self._array
        light = np.zeros(len(x), bool)
        if pic is not None:
            px = np.clip(x.astype(np.int64), 0, pic.shape[1] - 1)
            py = np.clip(y.astype(np.int64), 0, pic.shape[0] - 1)
            light = np.asarray(is_light(pic[py, px]), bool)
        self._set_rings(x, y, light)
        self.markers.setVisible(self.markers_visible)

    def _set_rings(self, x, y, light=None) -> None:
        """Rings at pixel centres (x, y), black where `light`, else white; nothing redone when
        they are the rings shown (a live map's BMUs mostly stay put: pyqtgraph's setData was
        ~2 ms of each map drawn at Max)."""
        key = (np.asarray(x, dtype=np.float64).tobytes(), np.asarray(y, dtype=np.float64).tobytes(),
               None if light is None else np.asarray(light, dtype=bool).tobytes())
        if key == self._rings:
            return
        self._rings = key
        if light is None:
            self.markers.setData(x, y)
        else:
            self.markers.setData(x, y, pen=list(np.where(light, self._pens[0], self._pens[1])))

    def node_at(self, x: float, y: float):
        if self._geometry is None:
            return None
        rows, cols, hexagonal, scale = self._geometry
        return render.node_at(x, y, rows, cols, hexagonal, scale)

    def _on_mouse_moved(self, pos) -> None:
        if self._geometry is None or self._describe is None:
            return
        p = self.vb.mapSceneToView(pos)
        node = self.node_at(p.x(), p.y())
        self.hovered.emit("" if node is None else self._describe(*node))
