"""Colour tables: the exact viridis / inferno data, scalar fields through them, categories.

One source for the screen and every export: the window hands `lut(name)` and the
levels to its image items, the exports call `scalar_rgb`, and both index the
table the way pyqtgraph's ImageItem does (`index_of`), so a pixel is the same
colour wherever it is drawn.

    lut("viridis")                 (256, 3) uint8, entry k = int(255 * c_k + 0.5)
    scalar_rgb(values, "inferno", levels=(0, hits.max()))    (..., 3) uint8
    category_colours(5)            (5, 3) uint8 distinct colours for clusters and labels
"""
from __future__ import annotations

import colorsys

import numpy as np

from somdesk.errors import SomdeskError
from somdesk.render._colour_data import INFERNO, VIRIDIS

TABLES = {"viridis": VIRIDIS, "inferno": INFERNO}
EMPTY_NODE = (62, 64, 72)       # a node no input maps to (hit map), or without a label
BACKGROUND = (255, 255, 255)    # outside the map: the white around hexagons
# Segment and label colours.  The first seven are Okabe & Ito's colour-blind-safe set ("Color
# Universal Design", 2002; its black left out: outlines and empty nodes are dark), so the
# segments of a typical map (3-8) stay apart for readers with a colour-vision deficiency: the
# first ten differ by CIEDE2000 >= 10.9 under a full protanopia, deuteranopia and tritanopia
# (somdesk.core.colour_cvd; matplotlib's tab10, used before, put segments 1 and 2 at 1.3 under
# protanopia: orange and green both olive, testerG's screenshot of View > Colour vision).
# Entries 8-10 were picked greedily to keep that (farthest point by the smaller of the normal
# CIEDE2000 and 1.5x the smallest under the three simulations), 11-20 farthest in normal vision
# alone (20 colours cannot all stay apart under a dichromacy), all among sRGB colours of
# lightness 35-85 and chroma over 25 and away from white, black and EMPTY_NODE: any two of the
# 20 differ by CIEDE2000 >= 20 in normal vision.  Past 20 categories the golden-angle hues
# follow; those are not guaranteed distinct (a legend of >20 segments is hard to read anyway).
CATEGORY = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#56b4e9", "#cc79a7", "#f0e442",
            "#962d3c", "#b4d2a5", "#784b78",
            "#5a5a00", "#2d1eff", "#ffb4a5", "#d2c3ff", "#879600", "#006969", "#ff2d4b",
            "#00e1e1", "#8778ff", "#00f000")
_LUTS: dict[str, np.ndarray] = {}


def lut(name: str) -> np.ndarray:
    """(256, 3) uint8 table of colour map `name` ("viridis" or "inferno"), read-only.

    The floats are matplotlib's (via pyqtgraph's CC0 CSV files, vendored in
    _colour_data); bytes are rounded as pyqtgraph rounds them, int(255 c + 0.5).
    Raises SomdeskError for another name.
    """
    if name not in _LUTS:
        if name not in TABLES:
            raise SomdeskError(f"unknown colour map {name!r}; choose one of {', '.join(TABLES)}")
        table = np.floor(np.array(TABLES[name], dtype=np.float64) * 255.0 + 0.5).astype(np.uint8)
        table.flags.writeable = False
        _LUTS[name] = table
    return _LUTS[name]


def levels_of(values, lo: float | None = None, hi: float | None = None) -> tuple[float, float]:
    """(lo, hi) for a field `values` (any shape): the given ends, else its finite minimum /
    maximum ((0.0, 1.0) when nothing is finite)."""
    v = np.asarray(values, dtype=np.float64)
    finite = v[np.isfinite(v)]
    if lo is None:
        lo = float(finite.min()) if finite.size else 0.0
    if hi is None:
        hi = float(finite.max()) if finite.size else 1.0
    return float(lo), float(hi)


def index_of(values, levels: tuple[float, float], n: int = 256) -> np.ndarray:
    """intp table index of every value, same shape as `values`: floor((v - lo) * n / (hi - lo))
    clipped to 0..n-1 (pyqtgraph ImageItem's rescaling with a lookup table of n entries); all 0
    when hi <= lo; NaN gives 0, +inf n - 1."""
    v = np.asarray(values, dtype=np.float64)
    lo, hi = levels
    if not hi > lo:
        return np.zeros(v.shape, dtype=np.intp)
    scaled = np.nan_to_num((v - lo) * (n / (hi - lo)), nan=0.0, posinf=n - 1, neginf=0.0)
    return np.clip(np.floor(scaled), 0, n - 1).astype(np.intp)


def scalar_rgb(values, name: str, levels: tuple[float, float] | None = None) -> np.ndarray:
    """(..., 3) uint8: `values` (...) through colour map `name`, scaled over `levels`
    (default: the values' own minimum to maximum).  SomdeskError for an unknown `name`."""
    levels = levels if levels is not None else levels_of(values)
    return lut(name)[index_of(values, levels)]


def category_colours(n: int) -> np.ndarray:
    """(n, 3) uint8 distinct colours: CATEGORY first (any two of those 20 differ by CIEDE2000
    >= 20, the first ten by >= 10 under full protanopia, deuteranopia and tritanopia too), then
    golden-angle hues (deterministic)."""
    out = [tuple(int(h[i:i + 2], 16) for i in (1, 3, 5)) for h in CATEGORY[:n]]
    for k in range(len(out), n):
        r, g, b = colorsys.hsv_to_rgb((k * 0.618033988749895) % 1.0, 0.65, 0.85 if k % 2 else 0.65)
        out.append((round(r * 255), round(g * 255), round(b * 255)))
    return np.array(out, dtype=np.uint8).reshape(-1, 3)


def to_rgb8(values) -> np.ndarray:
    """Float colours in [0, 1] (any shape ending in 3) to uint8, clipped and rounded to nearest."""
    return np.clip(np.rint(np.asarray(values, dtype=np.float64) * 255.0), 0, 255).astype(np.uint8)


def luminance(rgb8) -> np.ndarray:
    """(...) float64 relative luminance (BT.709 weights) of uint8 colours (..., 3), 0..255."""
    return np.asarray(rgb8, dtype=np.float64) @ np.array([0.2126, 0.7152, 0.0722])


def is_light(rgb8) -> np.ndarray:
    """(...) bool, True where black reads better than white on uint8 colours (..., 3)
    (BT.709 luminance above 140 of 255)."""
    return luminance(rgb8) > 140.0


