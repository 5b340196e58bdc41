"""The QE/TE plot: dots on sparse measurements (tester10 #12), a readable legend."""
from PySide6.QtGui import QColor

from somdesk.gui.metrics_plot import MARKED_POINTS, MetricsPlot


def _legend_colours(plot):
    return [label.opts.get("color") for _sample, label in plot.legend.items]


def test_two_measurements_are_drawn_as_dots_a_long_run_as_lines(qtbot):
    plot = MetricsPlot()
    qtbot.addWidget(plot)
    plot.clear_points(1000)
    plot.add_points([(1, 0.27, 0.9), (1000, 0.0, 0.0)], now=True)
    assert plot.marked()
    assert plot.qe_curve.opts["symbol"] == "o" and plot.te_curve.opts["symbol"] == "o"
    plot.add_points([(i, 0.1, 0.1) for i in range(2, 2 + MARKED_POINTS)], now=True)
    assert not plot.marked()
    assert plot.qe_curve.opts["symbol"] is None and plot.te_curve.opts["symbol"] is None
    plot.clear_points(10)
    plot.add_points([(1, 0.3, 0.5)], now=True)
    assert plot.marked()


def test_the_legend_text_is_dark_on_the_white_plot(qtbot):
    plot = MetricsPlot()
    qtbot.addWidget(plot)
    for colour in _legend_colours(plot):
        assert QColor(colour).lightness() < 100, colour
