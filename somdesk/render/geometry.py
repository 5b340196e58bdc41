"""Where every node is drawn: square cells, or true hexagons for hexagonal maps.

Rectangular maps: node (i, j) is the `scale` x `scale` block at x = j s, y = i s.

Hexagonal maps ("odd-r", pointy-top, as core.topology: odd rows sit half a node
to the right): with s = `scale` pixels between neighbouring centres in a row,
each node is a regular hexagon of inradius s/2 and circumradius R = s / sqrt 3,
centred at

    x = s/2 + (j + (i mod 2) / 2) s,    y = R + i (3/2) R   (= R + i s sqrt(3)/2)

so neighbouring centres are exactly s apart in all six directions.  The picture
is cols s + s/2 wide (one row: cols s) and 2R + (rows - 1) 3R/2 high, each
rounded to the nearest pixel (the tips may lose half a pixel).  A pixel belongs to the node whose centre is nearest its own centre
(x + 0.5, y + 0.5): the hexagons are the Voronoi cells of the lattice.  Pixels
nearer a lattice point outside the map are BACKGROUND, which gives the map its
true zig-zag edge.  Ties (a pixel centre exactly on an edge) go to the lower
row, then the lower column.

`index_image` is that assignment as an (Hpx, Wpx) array of flat node indices
(-1 = background), computed once per (rows, cols, scale) and cached; `layout`
turns per-node values of any dtype into the picture with it.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from somdesk.core.options import count_text
from somdesk.errors import SomdeskError

SQRT3 = math.sqrt(3.0)
MAX_SCALE = 64
MAX_IMAGE_PIXELS = 100_000_000   # ~300 MB of RGB; bigger pictures are refused


def check_scale(scale) -> int:
    """`scale` (pixels per node) as an int; SomdeskError unless it is a whole number in
    1..MAX_SCALE (bools refused).  Text or None raise ValueError/TypeError from float()."""
    if isinstance(scale, bool) or not float(scale).is_integer() or not 1 <= int(scale) <= MAX_SCALE:
        raise SomdeskError(f"scale must be between 1 and {count_text(MAX_SCALE, 'pixel')} per node, got {scale}")
    return int(scale)


def picture_size(rows: int, cols: int, hexagonal: bool, scale: int) -> tuple[int, int]:
    """(width, height) in pixels of a rows x cols map drawn at `scale` px per node."""
    s = int(scale)
    if not hexagonal:
        return cols * s, rows * s
    width = cols * s + (s / 2.0 if rows > 1 else 0.0)
    height = (2.0 + 1.5 * (rows - 1)) * s / SQRT3
    return max(1, int(math.floor(width + 0.5))), max(1, int(math.floor(height + 0.5)))


def check_pixels(width: int, height: int) -> None:
    """SomdeskError when a width x height px picture is over MAX_IMAGE_PIXELS."""
    if width * height > MAX_IMAGE_PIXELS:
        raise SomdeskError(f"an image of {count_text(width * height, 'pixel')} is over the limit of "
                           f"{MAX_IMAGE_PIXELS:,}; choose a smaller scale")


def node_centres(rows: int, cols: int, hexagonal: bool, scale: int) -> np.ndarray:
    """(rows, cols, 2) float64 pixel position (x, y) of every node's centre."""
    s = float(scale)
    i, j = np.mgrid[0:rows, 0:cols].astype(np.float64)
    if not hexagonal:
        return np.stack([(j + 0.5) * s, (i + 0.5) * s], axis=-1)
    r = s / SQRT3
    return np.stack([s / 2 + (j + 0.5 * (i % 2)) * s, r + i * 1.5 * r], axis=-1)


CACHED_PIXELS = 4_000_000   # index images up to this size are kept for reuse (screen redraws)
BAND_PIXELS = 1 << 20       # pictures are drawn (and hexagons assigned) in bands of about this many pixels


def index_image(rows: int, cols: int, hexagonal: bool, scale: int) -> np.ndarray:
    """(Hpx, Wpx) int32 flat node index (i * cols + j) of every pixel, -1 for background
    (read-only; cached when at most CACHED_PIXELS, so big exports do not stay in memory)."""
    width, height = picture_size(rows, cols, hexagonal, scale)
    check_pixels(width, height)
    if width * height <= CACHED_PIXELS:
        return _cached_index(rows, cols, hexagonal, scale)
    return _index(rows, cols, hexagonal, scale)


@lru_cache(maxsize=16)
def _cached_index(rows: int, cols: int, hexagonal: bool, scale: int) -> np.ndarray:
    return _index(rows, cols, hexagonal, scale)


def _index(rows: int, cols: int, hexagonal: bool, scale: int) -> np.ndarray:
    width, height = picture_size(rows, cols, hexagonal, scale)
    if not hexagonal:
        out = layout(np.arange(rows * cols, dtype=np.int32).reshape(rows, cols), False, scale)
    else:
        out = np.empty((height, width), dtype=np.int32)
        for y0, y1 in bands(width, height):          # bounded temporaries for any picture size
            out[y0:y1] = _hex_index(rows, cols, float(scale), width, y0, y1)
    out.flags.writeable = False
    return out


def _nearest_in_row(i: np.ndarray, xs: np.ndarray, ys: np.ndarray, s: float, r: float):
    """(column, squared distance) of the lattice point of row(s) `i` nearest each pixel centre."""
    shift = 0.5 * (i % 2)
    j = np.ceil((xs - s / 2) / s - shift - 0.5).astype(np.int32)      # nearest in the row (tie: lower)
    dx = xs - (s / 2 + (j + shift) * s)
    dy = ys - (r + i * 1.5 * r)
    return j, dx * dx + dy * dy


def _hex_index(rows: int, cols: int, s: float, width: int, y0: int, y1: int) -> np.ndarray:
    """Node index of pixel rows y0..y1-1 of a hexagonal picture (see the module docstring).

    A pixel between the centres of rows i and i + 1 belongs to one of those two rows: a
    hexagon reaches R above and below its centre and rows are 1.5 R apart.  Along x the
    choice repeats every s pixels with the column one higher (s is a whole number of
    pixels), so it is worked out for one period and extended to the full width."""
    r = s / SQRT3
    period = int(s)
    ys = np.arange(y0, y1, dtype=np.float64)[:, None] + 0.5
    xs = np.arange(period, dtype=np.float64)[None, :] + 0.5
    upper = np.floor((ys - r) / (1.5 * r)).astype(np.int32)           # the row at or above
    j_up, d_up = _nearest_in_row(upper, xs, ys, s, r)
    j_lo, d_lo = _nearest_in_row(upper + 1, xs, ys, s, r)
    lower = d_lo < d_up - 1e-9                                         # a tie keeps the upper row
    i_p = np.where(lower, upper + 1, upper)                            # (rows of pixels, period)
    j_p = np.where(lower, j_lo, j_up)
    steps, phase = np.divmod(np.arange(width, dtype=np.int32), period)
    i = i_p[:, phase]
    j = j_p[:, phase] + steps
    inside = (i >= 0) & (i < rows) & (j >= 0) & (j < cols)
    return np.where(inside, i * cols + j, -1).astype(np.int32)


def layout(nodes: np.ndarray, hexagonal: bool, scale: int, fill=(255, 255, 255),
           out: np.ndarray | None = None) -> np.ndarray:
    """Per-node values (rows, cols[, C]) of any dtype -> the picture (Hpx, Wpx[, C]) at `scale`;
    background pixels (around hexagons) get `fill`.  Written into `out` when given (an array of
    that shape and dtype, e.g. the map's part of a taller picture), else into a new array.

    Drawn BAND_PIXELS at a time (`bands`): each band's numpy work is short, so a 9000 x 9000
    export on a task's thread never holds the GIL long enough to freeze the window (tester7
    #31: 0.6-2.5 s in one np.repeat), and a big hexagonal picture needs no whole index image
    beside it (the bands' indices are computed as they are drawn).  SomdeskError over
    MAX_IMAGE_PIXELS or for a bad `scale`; ValueError when `out` has the wrong shape or dtype."""
    nodes = np.asarray(nodes)
    rows, cols = nodes.shape[:2]
    scale = check_scale(scale)
    width, height = picture_size(rows, cols, hexagonal, scale)
    check_pixels(width, height)
    shape = (height, width) + nodes.shape[2:]
    if out is None:
        out = np.empty(shape, dtype=nodes.dtype)
    elif out.shape != shape or out.dtype != nodes.dtype:
        raise ValueError(f"out is {out.shape} {out.dtype}, the picture {shape} {nodes.dtype}")
    draw = _square_band if not hexagonal else _hex_band(nodes, scale, fill, width, height)
    for y0, y1 in bands(width, height):
        out[y0:y1] = draw(nodes, scale, y0, y1)
    return out


def bands(width: int, height: int) -> list[tuple[int, int]]:
    """(y0, y1) pixel-row ranges of about BAND_PIXELS pixels each covering a picture `height` high."""
    band = max(1, BAND_PIXELS // max(width, 1))
    return [(y0, min(y0 + band, height)) for y0 in range(0, height, band)]


def _square_band(nodes: np.ndarray, scale: int, y0: int, y1: int) -> np.ndarray:
    """Pixel rows y0..y1-1 of a rectangular map's picture: node row y // scale, each node `scale` wide.

    Each node row the band touches is widened once (one gather of its values, `scale` times
    each node's), then copied to its `scale` pixel rows whole: the same pixels as
    np.repeat(nodes[y // scale], scale, axis=1), ~10x faster for RGB (repeat copied 3-byte
    items one by one: ~4 ms of every live map's 800 x 800 picture on the GUI thread)."""
    rows, cols = nodes.shape[:2]
    per_node = int(np.prod(nodes.shape[2:], dtype=np.int64))
    first, last = y0 // scale, (y1 - 1) // scale
    values = nodes[first:last + 1].reshape(last + 1 - first, cols * per_node)
    column = ((np.arange(cols * scale) // scale)[:, None] * per_node + np.arange(per_node)).reshape(-1)
    wide = np.take(values, column, axis=1)            # (node rows, pixel columns x values)
    band = wide[np.arange(y0, y1) // scale - first]
    return band.reshape((y1 - y0, cols * scale) + nodes.shape[2:])


def _hex_band(nodes: np.ndarray, scale: int, fill, width: int, height: int):
    """A function (nodes, scale, y0, y1) -> pixel rows y0..y1-1 of a hexagonal map's picture."""
    rows, cols = nodes.shape[:2]
    flat = np.ascontiguousarray(nodes.reshape((rows * cols,) + nodes.shape[2:]))
    # one gather of whole node records (a void view): ~2x faster than indexing (N, C) rows
    record = np.dtype((np.void, flat.itemsize * int(np.prod(flat.shape[1:], dtype=np.int64))))
    records = flat.view(record).reshape(-1)
    cached = width * height <= CACHED_PIXELS      # screen redraws: the cached index image

    def band(_nodes, _scale, y0: int, y1: int) -> np.ndarray:
        if cached:
            idx = _cached_index(rows, cols, True, scale)[y0:y1]
        else:
            idx = _hex_index(rows, cols, float(scale), width, y0, y1)
        out = np.take(records, np.maximum(idx, 0)).view(flat.dtype).reshape(idx.shape + nodes.shape[2:])
        out[idx < 0] = fill
        return out
    return band


def node_at(x: float, y: float, rows: int, cols: int, hexagonal: bool, scale: int) -> tuple[int, int] | None:
    """(row, col) of the node drawn at picture position (x, y) in pixels, or None (background);
    for mouse hover and clicks on the canvas."""
    width, height = picture_size(rows, cols, hexagonal, scale)
    px, py = int(math.floor(x)), int(math.floor(y))
    if not (0 <= px < width and 0 <= py < height):
        return None
    k = int(index_image(rows, cols, hexagonal, scale)[py, px])
    return None if k < 0 else divmod(k, cols)
