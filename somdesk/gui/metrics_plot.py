"""A small live plot of the quantisation and topographic errors per iteration.

QE (left axis, auto-ranged) and TE (right axis, 0..1, its own linked ViewBox):
TE starts near 1 and would flatten QE's curve on a shared axis.

The worker measures them (at most a quarter of its time goes to it, so on big
maps not every iteration is measured) and each snapshot carries the new points;
this widget appends them to preallocated arrays and redraws the curves at most
REDRAW_HZ times a second.  Why throttled: each redraw re-renders the axes and
grid (pyqtgraph's AxisItem), ~10-15 ms in software rendering under X11, and at
the canvas's 40-60 snapshots/s those paints stacked into 100+ ms stalls of the
GUI thread.  The map itself still updates at full rate.

Point markers: a short run may be measured only a few times (a 1,000-epoch run
at Max speed: the first and the last epoch), and a bare line between two points
reads as a linear trend.  So while a curve has at most MARKED_POINTS points each
measurement gets a dot and the line between dots is dotted (what lies between is
not measured); denser curves are drawn as lines only (the dots would
merge into a thick line and cost a scatter redraw each time).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGraphicsItem

from somdesk.gui.map_view import BACKGROUND

REDRAW_HZ = 8
QE_COLOUR = "#4fc3f7"
TE_COLOUR = "#ffb74d"
# The legend's words on the plot's white background: the normal dark text colour (a light grey,
# as before, was barely readable).
LEGEND_TEXT = "#303030"
MARKED_POINTS = 60


class MetricsPlot(pg.PlotWidget):
    def __init__(self, parent=None):
        super().__init__(parent, background=BACKGROUND)
        self.setMinimumHeight(140)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)     # no keys: not a tab stop (testerH #8)
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.setLabel("bottom", "epoch")
        plot.setLabel("left", "QE", color=QE_COLOUR)
        plot.setLabel("right", "TE", color=TE_COLOUR)
        plot.getAxis("left").enableAutoSIPrefix(False)
        plot.getAxis("left").setWidth(46)
        plot.getAxis("right").setWidth(40)
        for name in ("left", "right", "bottom"):
            # Each axis draws its grid lines across the plot, so every curve update repainted all
            # three (~10 ms each in software rendering, ~60% of the GUI thread's time while a
            # map trains at Max); cached, an axis is drawn again only when its range changes.
            plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.te_view = pg.ViewBox(enableMouse=False)
        plot.scene().addItem(self.te_view)
        plot.getAxis("right").linkToView(self.te_view)
        self.te_view.setXLink(plot)
        self.te_view.setYRange(0.0, 1.0, padding=0.05)
        plot.vb.sigResized.connect(self._sync_views)
        self.legend = plot.addLegend(offset=(-8, 6), labelTextColor=LEGEND_TEXT, labelTextSize="8pt")
        self.qe_curve = plot.plot(pen=pg.mkPen(QE_COLOUR, width=2), name="quantisation error")
        self.te_curve = pg.PlotDataItem(pen=pg.mkPen(TE_COLOUR, width=2))
        self.te_view.addItem(self.te_curve)
        self.legend.addItem(self.te_curve, "topographic error")
        self.setMouseEnabled(x=False, y=False)
        self._data = np.empty((0, 3))
        self._n = 0
        self._marked = False
        self._redraw = QTimer(self, singleShot=True, interval=int(1000 / REDRAW_HZ))
        self._redraw.timeout.connect(self.flush)
        self.clear_points(1000)

    def _sync_views(self) -> None:
        vb = self.getPlotItem().vb
        self.te_view.setGeometry(vb.sceneBoundingRect())
        self.te_view.linkedViewChanged(vb, self.te_view.XAxis)

    def clear_points(self, total: int) -> None:
        """Forget the curves; the x axis spans a run of `total` iterations."""
        self._data = np.empty((256, 3))
        self._n = 0
        self._redraw.stop()
        self.qe_curve.setData([], [])
        self.te_curve.setData([], [])
        self._span = None
        self.span(total)
        self.getPlotItem().enableAutoRange(axis="y")

    def span(self, total: int) -> None:
        """The x axis from 0 to `total` epochs (the run's planned epochs, then its last one: the
        window's title count, runs.epoch_position), redrawn only when it changes.  A picture's
        recovery rounds run only while colours are unused, so an axis to every possible round
        left 3 points of a 40-epoch run on an axis to 55 (testerG #12)."""
        total = max(1, int(total))
        if total != self._span:
            self._span = total
            self.getPlotItem().setXRange(0, total, padding=0.02)

    def add_points(self, points, now: bool = False) -> None:
        """Append ((iteration, QE, TE), ...); redraw soon, or at once with `now`."""
        if not points:
            return
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        need = self._n + len(pts)
        if need > len(self._data):
            grown = np.empty((max(need, 2 * len(self._data)), 3))
            grown[: self._n] = self._data[: self._n]
            self._data = grown
        self._data[self._n:need] = pts
        self._n = need
        if now:
            self.flush()
        elif not self._redraw.isActive():
            self._redraw.start()

    def flush(self) -> None:
        """Draw every point received so far."""
        self._redraw.stop()
        d = self._data[: self._n]
        self._mark(len(d) <= MARKED_POINTS)
        self.qe_curve.setData(d[:, 0], d[:, 1])
        self.te_curve.setData(d[:, 0], d[:, 2])

    def _mark(self, on: bool) -> None:
        """Dots on the measurements (`on`) or lines only; changed only when the state changes."""
        if on == self._marked:
            return
        self._marked = on
        for curve, colour in ((self.qe_curve, QE_COLOUR), (self.te_curve, TE_COLOUR)):
            curve.setPen(pg.mkPen(colour, width=1.5 if on else 2,
                                  style=Qt.PenStyle.DotLine if on else Qt.PenStyle.SolidLine))
            if on:
                curve.setSymbol("o")
                curve.setSymbolSize(6)
                curve.setSymbolPen(pg.mkPen(colour))
                curve.setSymbolBrush(pg.mkBrush(colour))
            else:
                curve.setSymbol(None)

    def marked(self) -> bool:
        """True while the measurements are drawn with dots."""
        return self._marked

    def points(self) -> np.ndarray:
        return self._data[: self._n].copy()
