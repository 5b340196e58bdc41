"""Legends: colour bars with tick values for scalar views, swatch lists for categories.

    colour_bar("viridis", (0.1, 0.9), length=240)   -> (h, w, 3) uint8 picture, white ground
    category_legend(["a", "b"], colours)            -> (h, w, 3) uint8
    nice_ticks(0.13, 0.87)                          -> [0.2, 0.4, 0.6, 0.8]

Ticks are "nice" numbers (1, 2 or 5 times a power of ten, Heckbert 1990, "Nice
numbers for graph labels", Graphics Gems) inside the levels, labelled with the
fewest decimals that tell them apart; labels never overlap (fewer ticks are
taken until they fit).  Text is drawn with Pillow's built-in default font (no
font files), so the picture is the same on every machine with the same Pillow.
The bar's colours are render.colour_tables' table, indexed exactly as the map's
pixels are, so the bar and the map agree pixel for pixel.
"""
from __future__ import annotations

import functools
import math
import re

import numpy as np

from somdesk.render.colour_tables import lut

FONT_SIZE = 11
TEXT = (0, 0, 0)
TICK = (0, 0, 0)


# System fonts tried first, by the name Pillow looks up in the system's font folders
# (Linux: fonts-dejavu-core is on every Debian desktop; Windows, macOS): Pillow's own
# default (Aileron) has ASCII only, so 'Größe', 'µg' or Hebrew names were drawn as boxes
# (tester5 F5).  CJK needs a CJK font; without one, boxes remain.
TEXT_FONTS = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf", "arial.ttf", "Helvetica.ttc")


@functools.lru_cache(maxsize=8)
def text_font(size: int = FONT_SIZE):
    """The font every Pillow-drawn text of somdesk uses (legends, profiles): the first of
    TEXT_FONTS the system has, else Pillow's built-in font at `size` px."""
    from PIL import ImageFont

    for name in TEXT_FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: the fixed bitmap font
        return ImageFont.load_default()


# longest label drawn: a 300-character column name would make a legend wider than any screen
MAX_LABEL_CHARS = 80
# Unicode's control characters (category Cc: C0, DEL, C1) and line/paragraph separators;
# a run of them ("\r\n") becomes one space
_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text, max_chars: int = MAX_LABEL_CHARS) -> str:
    """`text` as a label Pillow can draw on one line: line breaks, tabs and other control
    characters (Unicode category Cc, U+2028, U+2029) become one space, and text longer than
    `max_chars` is cut with "..." at the end.

    Every Pillow text draw of somdesk goes through this: a column name is any string a CSV
    header may hold (a quoted header may contain a line break), and Pillow's layout engine
    fails on a line break ("raqm_layout() failed", tester6 F30) or draws the rest of the
    name over the next line.  Only a safety net: names are rendered for display by
    `io.names.display_name` (the session passes them through it before render draws them, so
    'line\\nbreak' is seen as such); this keeps Pillow safe from whatever text reaches it."""
    s = _BREAKS.sub(" ", str(text)).strip()
    if max_chars and len(s) > max_chars:
        s = s[: max(1, max_chars - 3)].rstrip() + "..."
    return s


def _nice(x: float, round_: bool) -> float:
    """Heckbert's nice number near x: 1, 2, 5 or 10 times a power of ten."""
    if x <= 0:
        return 0.0
    exp = math.floor(math.log10(x))
    f = x / 10 ** exp
    if round_:
        nf = 1 if f < 1.5 else 2 if f < 3 else 5 if f < 7 else 10
    else:
        nf = 1 if f <= 1 else 2 if f <= 2 else 5 if f <= 5 else 10
    return nf * 10 ** exp


def nice_ticks(lo: float, hi: float, n: int = 5, integer: bool = False) -> list[float]:
    """Up to about `n` nice tick values within [lo, hi] (both ends when the range is empty);
    with `integer` (counts) only whole numbers, so a hit map of 0..3 is not labelled 0.5, 1.5."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    step = _nice(_nice(hi - lo, False) / max(n - 1, 1), True)
    if integer:
        step = max(1.0, step)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    k = 0
    while first + k * step <= hi + 1e-9 * step:
        ticks.append(round(first + k * step, 12))
        k += 1
    return ticks


def tick_labels(ticks: list[float]) -> list[str]:
    """Labels with the fewest decimals that tell the ticks apart (at most 6)."""
    if not ticks:
        return []
    for decimals in range(0, 7):
        labels = [f"{t:.{decimals}f}" for t in ticks]
        if len(set(labels)) == len(labels) and all(abs(float(s) - t) <= 1e-9 * max(1, abs(t)) for s, t in zip(labels, ticks)):
            break
    if max(abs(t) for t in ticks) >= 1e6 or (0 < max(abs(t) for t in ticks) < 1e-3):
        labels = [f"{t:.3g}" for t in ticks]
    # ASCII hyphen-minus, not U+2212: Pillow's built-in font has no glyph for the minus sign
    # and draws a box in its place
    return labels


def _canvas(width: int, height: int):
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (max(1, width), max(1, height)), (255, 255, 255))
    return im, ImageDraw.Draw(im)


def colour_bar(cmap: str, levels: tuple[float, float], length: int = 240, thickness: int = 14,
               n_ticks: int = 5, title: str | None = None, integer: bool = False) -> np.ndarray:
    """(h, w, 3) uint8: a horizontal colour bar of `length` px for `cmap` over `levels`,
    tick marks and values below it, an optional title above."""
    font = text_font()
    title = one_line(title) if title else title
    lo, hi = float(levels[0]), float(levels[1])
    length = max(16, int(length))
    ticks = nice_ticks(lo, hi, n_ticks, integer)
    labels = tick_labels(ticks)
    # fewer ticks until the labels fit side by side
    while len(ticks) > 2 and _too_crowded(font, labels, ticks, lo, hi, length):
        ticks, labels = ticks[::2], labels[::2]
    pad = 2 + max((font.getbbox(s)[2] for s in labels), default=0) // 2 + 1
    title_h = (font.getbbox(title)[3] + 4) if title else 0
    text_h = max((font.getbbox(s)[3] for s in labels), default=0)
    # a title longer than the bar widens the picture (never clipped)
    width = max(length + 2 * pad, (pad + font.getbbox(title)[2] + 2) if title else 0)
    height = title_h + thickness + 4 + text_h + 2
    im, draw = _canvas(width, height)
    if title:
        draw.text((pad, 0), title, fill=TEXT, font=font)
    table = lut(cmap)
    bar = table[np.minimum((np.arange(length) * 256) // length, 255)]
    pixels = np.asarray(im).copy()
    pixels[title_h: title_h + thickness, pad: pad + length] = bar[None, :, :]
    from PIL import Image, ImageDraw

    im = Image.fromarray(pixels)
    draw = ImageDraw.Draw(im)
    for t, s in zip(ticks, labels):
        x = pad + (t - lo) / (hi - lo) * (length - 1) if hi > lo else pad
        y = title_h + thickness
        draw.line([(x, y), (x, y + 3)], fill=TICK)
        w = font.getbbox(s)[2]
        draw.text((x - w / 2, y + 4), s, fill=TEXT, font=font)
    return np.asarray(im).copy()


def _too_crowded(font, labels, ticks, lo, hi, length) -> bool:
    if hi <= lo or len(ticks) < 2:
        return False
    xs = [(t - lo) / (hi - lo) * (length - 1) for t in ticks]
    widths = [font.getbbox(s)[2] for s in labels]
    return any(xs[k + 1] - xs[k] < (widths[k] + widths[k + 1]) / 2 + 6 for k in range(len(xs) - 1))


# rows of a category list: a label column of 150 values made a legend taller than the screen,
# which grew the window past it (tester6 F22); the rest is "... and N more"
MAX_LEGEND_ROWS = 16


# the gap between two columns of a category legend laid out in columns (px)
COLUMN_GAP = 14

# A table map's segment and label legends run in columns of this many rows: 6 rows are 98 px,
# no taller than the window's smallest legend area (gui.map_view.LEGEND_MIN_HEIGHT), so up to
# 12-18 entries are seen whole under the map (tester F #8) ...
LEGEND_COLUMN_ROWS = 6
# ... in columns no wider together than this (px): the map's side of a 900 px wide window
LEGEND_COLUMNS_WIDTH = 360


def category_legend(names, colours, swatch: int = 12, max_rows: int = MAX_LEGEND_ROWS,
                    rows_per_column: int | None = None, max_width: int | None = None) -> np.ndarray:
    """(h, w, 3) uint8: a swatch of each category's colour and its name (at most `max_rows`
    entries in all: past that, the first max_rows - 1 and "... and N more").

    One column by default.  With `rows_per_column` the entries run down columns of that many
    rows, left to right (column-major), in as few columns as that takes -- but no wider than
    `max_width` px when given: columns that do not fit are folded back into taller ones (one
    column at least).  So a list of 12 segments is 2 columns of 6 rows, short enough to be
    seen whole under a map without scrolling (tester F #8)."""
    font = text_font()
    names = [one_line(n) for n in names]
    colours = np.asarray(colours, dtype=np.uint8).reshape(-1, 3)
    shown = names if len(names) <= max_rows else names[:max(1, max_rows - 1)]
    more = len(names) - len(shown)
    lines = shown + ([f"... and {more} more"] if more > 0 else [])
    row_h = max(swatch, FONT_SIZE + 3) + 2
    widths = [swatch + 6 + font.getbbox(s)[2] + 2 for s in lines] or [swatch + 8]

    def layout(per_column: int):
        """(rows per column, each column's width) with `per_column` rows a column."""
        per = max(1, per_column)
        return per, [max(widths[c:c + per]) for c in range(0, len(widths), per)]

    per, cols = layout(len(lines))
    if rows_per_column and len(lines) > rows_per_column:
        for n_cols in range(math.ceil(len(lines) / rows_per_column), 1, -1):     # widest first
            trial = layout(math.ceil(len(lines) / n_cols))
            if max_width is None or sum(trial[1]) + COLUMN_GAP * (len(trial[1]) - 1) <= max_width:
                per, cols = trial
                break
    left = [sum(cols[:c]) + COLUMN_GAP * c for c in range(len(cols))]
    im, draw = _canvas(left[-1] + cols[-1], row_h * min(per, len(lines)) + 2)
    for k, s in enumerate(lines):
        x, y = left[k // per] + 1, 1 + (k % per) * row_h
        if k < len(shown):
            draw.rectangle([x, y, x + swatch - 1, y + swatch - 1], fill=tuple(int(v) for v in colours[k]),
                           outline=(0, 0, 0))
        draw.text((x + swatch + 5, y), s, fill=TEXT, font=font)
    return np.asarray(im).copy()
