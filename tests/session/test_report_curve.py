"""The report's validity curve: the suggested-k label sits above the plot (never over a
curve), the legend gives each curve's range on its own line below the k axis."""
from __future__ import annotations

import numpy as np

from somdesk.session.report import curve_picture

BLUE, ORANGE, RED = (40, 90, 200), (230, 120, 20), (200, 30, 30)


def _rows_with(img, colour, tol=40):
    hit = (np.abs(img.astype(int) - colour).sum(-1) < tol)
    return set(np.flatnonzero(hit.any(1)))


def test_label_above_the_curves_and_legend_below_the_axis():
    ks = list(range(2, 13))
    curve = {"k": ks, "davies_bouldin": [1.3, 0.6, 0.9, 1.1, 1.2, 1.0, 0.7, 0.8, 1.2, 0.9, 1.0],
             "silhouette": [0.30, 0.36, 0.31, 0.25, 0.22, 0.20, 0.24, 0.21, 0.18, 0.17, 0.19], "suggested": 3}
    img = curve_picture(curve)
    h = img.shape[0]
    plot_top, plot_bottom = 20, h - 48
    red_rows = _rows_with(img, RED, tol=60)
    label_rows = {r for r in red_rows if r < plot_top - 3}
    assert label_rows, "the suggested k is labelled above the plot"
    curve_rows = (_rows_with(img, BLUE) | _rows_with(img, ORANGE))
    in_plot = {r for r in curve_rows if plot_top <= r <= plot_bottom}
    assert in_plot and not (label_rows & in_plot)
    legend_rows = {r for r in curve_rows if r > plot_bottom + 15}
    assert legend_rows, "each curve's colour appears in the legend, below the k axis"
    assert not _rows_with(img[:plot_top - 3], BLUE) and not _rows_with(img[:plot_top - 3], ORANGE)   # markers: radius 2


def test_an_empty_curve_is_a_blank_picture():
    img = curve_picture({})
    assert img.shape == (220, 360, 3) and (img == 255).all()
