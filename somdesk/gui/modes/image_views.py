"""Original and quantised picture side by side, zoomed and panned together."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QBoxLayout, QLabel, QVBoxLayout, QWidget

from somdesk.gui.canvas import BACKGROUND


class ImagePane(QWidget):
    """A title over a pyqtgraph view of one RGB picture (row 0 at the top, square pixels)."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setStyleSheet("font-weight: 600; padding: 2px 4px;")
        self.plot = pg.PlotWidget(background=BACKGROUND)
        self.plot.setMinimumSize(240, 200)
        item = self.plot.getPlotItem()
        for axis in ("left", "bottom"):
            item.hideAxis(axis)
        item.setMenuEnabled(False)
        item.hideButtons()
        self.vb = item.getViewBox()
        self.vb.setAspectLocked(True)
        self.vb.invertY(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.placeholder = pg.TextItem("", color="#9a9ca3", anchor=(0.5, 0.5))
        self.plot.addItem(self.placeholder)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addWidget(self.plot, 1)
        self._rect = None
        self.pixels: np.ndarray | None = None

    def show_pixels(self, pixels: np.ndarray | None, rect: QRectF | None = None) -> None:
        """Draw (h, w, 3) uint8 pixels stretched over `rect` (scene units: full-size pixels)."""
        self.pixels = pixels
        if pixels is None:
            self.image.clear()
            return
        self.placeholder.setText("")
        self.image.setImage(pixels, autoLevels=False, levels=(0, 255))
        rect = rect or QRectF(0, 0, pixels.shape[1], pixels.shape[0])
        self.image.setRect(rect)
        if rect != self._rect:
            self._rect = rect
            self.vb.autoRange(padding=0.01)

    def show_placeholder(self, text: str) -> None:
        self.show_pixels(None)
        self._rect = None
        self.placeholder.setText(text)
        self.placeholder.setPos(0, 0)
        self.vb.setRange(QRectF(-1, -1, 2, 2), padding=0)


class ImagePair(QWidget):
    """Original and quantised, sharing zoom and pan: side by side, or one above the
    other when that shows the picture bigger (landscape pictures in a wide window)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.original = ImagePane("Original")
        self.quantised = ImagePane("Quantised")
        self.quantised.vb.setXLink(self.original.vb)
        self.quantised.vb.setYLink(self.original.vb)
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(6)
        self.box.addWidget(self.original, 1)
        self.box.addWidget(self.quantised, 1)
        self.picture_shape: tuple[int, int] | None = None
        hint = "Open a picture (or drop one here)"
        self.original.show_placeholder(hint)
        self.quantised.show_placeholder("")

    def fit(self) -> None:
        self.original.vb.autoRange(padding=0.01)

    def set_picture_shape(self, shape) -> None:
        self.picture_shape = (int(shape[0]), int(shape[1]))
        self._orient()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._orient()

    def _orient(self) -> None:
        if self.picture_shape is None:
            return
        h, w = self.picture_shape
        width, height = max(1, self.width()), max(1, self.height() - 40)   # 40: the two titles
        side_by_side = min(width / 2 / w, height / h)
        stacked = min(width / w, height / 2 / h)
        direction = (QBoxLayout.Direction.TopToBottom if stacked > side_by_side * 1.05
                     else QBoxLayout.Direction.LeftToRight)
        if direction != self.box.direction():
            self.box.setDirection(direction)
            self.fit()

    @staticmethod
    def full_rect(shape) -> QRectF:
        return QRectF(0, 0, shape[1], shape[0])

    def set_titles(self, original: str, quantised: str) -> None:
        self.original.title.setText(original)
        self.quantised.title.setText(quantised)

    def clear_quantised(self, text: str = "") -> None:
        self.quantised.show_pixels(None)
        self.quantised.placeholder.setText(text)
        if text:
            self.quantised.placeholder.setPos(*self._centre())

    def _centre(self):
        r = self.original._rect
        return (r.center().x(), r.center().y()) if r is not None else (0, 0)

