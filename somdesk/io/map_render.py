"""Pictures of a map for export: one implementation for the window and the CLI (no Qt).

    render_view(kind, weights, inputs=None, hexagonal=False, toroidal=False,
                scale=4, markers=False) -> (H, W, 3) uint8

Kinds (`KINDS`):

  "map"      the weights in true colour; every node is an exact block of its colour
             (`images.to_rgb8`: clipped to [0, 1], rounded to the nearest 8-bit level)
  "seed"     the seed's layout: a strip of the input colours, a white gap, the map
             (for rectangular maps exactly `images.seed_picture`)
  "umatrix"  each node's mean distance to its grid neighbours, scaled min..max through
             VIRIDIS (dark = similar neighbours, bright = a boundary)
  "hits"     how many inputs map to each node, 0..max through INFERNO; a node that
             no input maps to is EMPTY_NODE grey

Colour maps: matplotlib's perceptual, colour-blind-friendly "viridis" and "inferno"
(Smith & van der Walt, CC0), kept here as 17 anchor colours and interpolated
linearly to 256 levels (within 6/255 of matplotlib's tables); the window's
canvas uses the same two maps.

Scaling is nearest-neighbour, `scale` pixels per node.  Hexagonal maps ("odd-r":
odd rows sit half a node to the right) are drawn as offset "brick" cells, like
the canvas: a node is `2 * ceil(scale / 2)` px wide (the canvas's two
sub-columns per node), odd rows are shifted right by half of that, rows are
round(width * sqrt(3) / 2) px high so node centres sit on a true hexagonal
lattice, and the free half cell at the end of each row is BACKGROUND (white).

Markers: the best-matching node of each input gets a thin ring centred on it,
black on light nodes and white on dark ones (by the node's luminance in the
chosen view).  The ring is 0.84 of a cell across, but at least 9 px, so at
sizes under 11 px per node it reaches into the neighbouring cells while the
node itself shows through inside it.  Pixels away from the rings keep exactly
the map's colours.

`organised_colours` reads the map back as a palette in map order (see there).
"""
from __future__ import annotations

import math

import numpy as np

from somdesk.errors import SomdeskError
from somdesk.io.images import MAX_IMAGE_PIXELS, map_rgb, scale_nearest, seed_layout, seed_strip_height, to_rgb8

KINDS = ("map", "seed", "umatrix", "hits")
KIND_LABELS = {"map": "Map", "seed": "Seed layout (inputs above the map)",
               "umatrix": "U-matrix", "hits": "Hit map"}
BACKGROUND = (255, 255, 255)
EMPTY_NODE = (62, 64, 72)
MAX_SCALE = 64

VIRIDIS = ("#440154", "#48186a", "#472d7b", "#424086", "#3b528b", "#33638d", "#2c728e", "#26828e",
           "#21918c", "#1f9f88", "#27ad81", "#3dbc74", "#5cc863", "#81d34d", "#aadc32", "#d5e21a",
           "#fde725")
INFERNO = ("#000004", "#0b0724", "#210c4a", "#3d0965", "#57106e", "#71196e", "#8a226a", "#a32c61",
           "#bc3754", "#d04545", "#e35933", "#f1711f", "#f98c0a", "#fcaa0f", "#f9c932", "#f2e865",
           "#fcffa4")
_LUTS: dict[str, np.ndarray] = {}


def colormap_lut(name: str) -> np.ndarray:
    """(256, 3) uint8 lookup table of "viridis" or "inferno"."""
    if name not in _LUTS:
        anchors = {"viridis": VIRIDIS, "inferno": INFERNO}.get(name)
        if anchors is None:
            raise SomdeskError(f"unknown colour map {name!r}; choose viridis or inferno")
        rgb = np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for h in anchors], dtype=np.float64)
        x = np.linspace(0.0, 1.0, 256)
        xs = np.linspace(0.0, 1.0, len(anchors))
        _LUTS[name] = np.rint(np.stack([np.interp(x, xs, rgb[:, k]) for k in range(3)], axis=1)).astype(np.uint8)
    return _LUTS[name]


def scalar_rgb(values: np.ndarray, cmap: str, lo: float | None = None) -> np.ndarray:
    """(H, W) values -> (H, W, 3) uint8 through `cmap`, scaled lo..max (lo defaults to the minimum)."""
    v = np.asarray(values, dtype=np.float64)
    if lo is None:
        lo = float(v.min()) if v.size else 0.0
    hi = float(v.max()) if v.size else 1.0
    if hi <= lo:
        idx = np.zeros(v.shape, dtype=np.intp)
    else:
        idx = np.clip(((v - lo) * (255.0 / (hi - lo))).astype(np.intp), 0, 255)
    return colormap_lut(cmap)[idx]


def _check(kind: str, weights: np.ndarray, inputs, markers: bool, scale: int) -> None:
    if kind not in KINDS:
        raise SomdeskError(f"unknown view {kind!r}; choose one of {', '.join(KINDS)}")
    if not isinstance(weights, np.ndarray) or weights.ndim != 3:
        raise SomdeskError("weights must be an (height, width, dim) array")
    if (kind in ("seed", "hits") or markers) and inputs is None:
        raise SomdeskError(f"the {KIND_LABELS[kind].lower()}{' with markers' if markers else ''} needs the inputs")
    if not 1 <= int(scale) <= MAX_SCALE:
        raise SomdeskError(f"scale must be between 1 and {MAX_SCALE} pixels per node, got {scale}")


def node_rgb(kind: str, weights: np.ndarray, inputs=None, hexagonal: bool = False,
             toroidal: bool = False) -> np.ndarray:
    """(H, W, 3) uint8: one colour per node for view `kind` ("seed" gives the map's colours)."""
    if kind in ("map", "seed"):
        return map_rgb(weights)
    if kind == "umatrix":
        from somdesk.core.metrics import u_matrix
        return scalar_rgb(u_matrix(weights, hexagonal, toroidal), "viridis")
    from somdesk.core.metrics import hit_counts
    hits = hit_counts(weights, np.asarray(inputs, dtype=np.float64))
    out = scalar_rgb(hits, "inferno", lo=0.0)
    out[hits == 0] = EMPTY_NODE
    return out


# -- geometry ---------------------------------------------------------------------
def cell_size(hexagonal: bool, scale: int) -> tuple[int, int, int]:
    """(width, height, odd-row shift) of one node's cell in pixels."""
    if not hexagonal:
        return scale, scale, 0
    cw = 2 * math.ceil(scale / 2)
    return cw, max(1, round(cw * math.sqrt(3.0) / 2.0)), cw // 2


def body_size(rows: int, cols: int, hexagonal: bool, scale: int) -> tuple[int, int]:
    """(width, height) in pixels of a rows x cols map drawn at `scale`."""
    cw, ch, shift = cell_size(hexagonal, scale)
    return cols * cw + (shift if rows > 1 else 0), rows * ch


def view_size(kind: str, rows: int, cols: int, hexagonal: bool = False, scale: int = 4) -> tuple[int, int]:
    """(width, height) in pixels that `render_view` gives, without rendering (for a size preview)."""
    width, height = body_size(rows, cols, hexagonal, scale)
    if kind == "seed":
        height += seed_strip_height(height) + max(2, scale)
    return width, height


def layout(nodes: np.ndarray, hexagonal: bool, scale: int, fill=BACKGROUND) -> np.ndarray:
    """(H, W[, C]) per-node values -> the picture at `scale` (hexagonal: offset rows, `fill` in the gaps)."""
    if not hexagonal:
        return scale_nearest(nodes, scale)
    h, w = nodes.shape[:2]
    cw, ch, shift = cell_size(True, scale)
    width, height = body_size(h, w, True, scale)
    if width * height > MAX_IMAGE_PIXELS:
        raise SomdeskError(f"an image of {width * height:,} pixels is over the limit of "
                           f"{MAX_IMAGE_PIXELS:,}; choose a smaller scale")
    out = np.empty((h, ch, width) + nodes.shape[2:], dtype=nodes.dtype)
    out[...] = fill
    rows = np.repeat(nodes, cw, axis=1)[:, None]
    out[0::2, :, : w * cw] = rows[0::2]
    out[1::2, :, shift: shift + w * cw] = rows[1::2]
    return out.reshape((height, width) + nodes.shape[2:])


def node_origin(rows: np.ndarray, cols: np.ndarray, hexagonal: bool, scale: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-left pixel (y, x) of each node's cell."""
    cw, ch, shift = cell_size(hexagonal, scale)
    rows, cols = np.asarray(rows), np.asarray(cols)
    return rows * ch, cols * cw + (rows % 2) * shift


MIN_RING_RADIUS = 4.5   # px: a marker stays visible at small sizes (it may overlap the neighbours)


def ring_mask(cell_w: int, cell_h: int) -> np.ndarray:
    """A ring (radius R = max(0.42 * cell, MIN_RING_RADIUS)) around the centre of a
    cell_w x cell_h cell, as a bool mask that starts `ring_offset` from the cell's corner."""
    outer = max(0.42 * min(cell_w, cell_h), MIN_RING_RADIUS)
    thick = max(1.0, outer / 4.0)
    half = int(math.ceil(outer)) + 1
    cx, cy = cell_w / 2.0, cell_h / 2.0
    # pixel (y, x) of the mask sits at cell pixel (y + oy, x + ox), oy/ox = ring_offset
    oy, ox = ring_offset(cell_w, cell_h)
    y, x = np.mgrid[0: 2 * half + cell_h, 0: 2 * half + cell_w]
    d = np.hypot(x + ox + 0.5 - cx, y + oy + 0.5 - cy)
    return (d <= outer) & (d >= outer - thick)


def ring_offset(cell_w: int, cell_h: int) -> tuple[int, int]:
    """Where `ring_mask`'s (0, 0) lies relative to the cell's top-left pixel."""
    half = int(math.ceil(max(0.42 * min(cell_w, cell_h), MIN_RING_RADIUS))) + 1
    return -half, -half


def draw_markers(img: np.ndarray, nodes: np.ndarray, bmus: np.ndarray, hexagonal: bool, scale: int) -> None:
    """Ring each BMU (row, col) on the map picture `img` (in place), black on light nodes and
    white on dark ones (`nodes` gives each node's colour in the picture); clipped at the edges."""
    cw, ch, _ = cell_size(hexagonal, scale)
    mask = ring_mask(cw, ch)
    oy, ox = ring_offset(cw, ch)
    rows, cols = np.unique(np.asarray(bmus).reshape(-1, 2), axis=0).T
    ys, xs = node_origin(rows, cols, hexagonal, scale)
    lum = nodes[rows, cols].astype(np.float64) @ np.array([0.2126, 0.7152, 0.0722])
    height, width = img.shape[:2]
    for y, x, light in zip(ys + oy, xs + ox, lum > 140.0):
        y0, x0 = max(y, 0), max(x, 0)
        y1, x1 = min(y + mask.shape[0], height), min(x + mask.shape[1], width)
        if y0 < y1 and x0 < x1:
            m = mask[y0 - y: y1 - y, x0 - x: x1 - x]
            img[y0:y1, x0:x1][m] = (0, 0, 0) if light else (255, 255, 255)


def render_view(kind: str, weights: np.ndarray, inputs=None, hexagonal: bool = False, toroidal: bool = False,
                scale: int = 4, markers: bool = False) -> np.ndarray:
    """The picture of view `kind` of a map (see the module docstring)."""
    _check(kind, weights, inputs, markers, scale)
    scale = int(scale)
    nodes = node_rgb(kind, weights, inputs, hexagonal, toroidal)
    body = layout(nodes, hexagonal, scale)
    if markers:
        from somdesk.core.metrics import bmus
        draw_markers(body, nodes, bmus(weights, np.asarray(inputs, dtype=np.float64)), hexagonal, scale)
    if kind == "seed":
        return seed_layout(np.asarray(inputs, dtype=np.float64), body, scale)
    return body


# -- the map as a palette -----------------------------------------------------------
ORGANISED_SIZES = (16, 32, 64, 128, 256)


def sample_grid(rows: int, cols: int, n: int | None) -> tuple[int, int] | None:
    """(r, c) with r * c == n, r <= rows, c <= cols, closest to the map's aspect; all nodes
    when n is None or at least rows * cols; None when no such sub-grid exists."""
    if n is None or n >= rows * cols:
        return rows, cols
    best, score = None, math.inf
    for r in range(1, min(rows, n) + 1):
        c, rem = divmod(n, r)
        if rem or c > cols:
            continue
        s = abs(math.log((r / c) / (rows / cols)))
        if s < score - 1e-12:
            best, score = (r, c), s
    return best


def organised_sizes(rows: int, cols: int) -> list[int]:
    """The ORGANISED_SIZES that fit a rows x cols map as an even sub-grid."""
    return [n for n in ORGANISED_SIZES if n < rows * cols and sample_grid(rows, cols, n) is not None]


def organised_colours(weights: np.ndarray, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The trained map as a palette in map order: (colours (n, D), nodes (n, 2) row, col).

    The nodes are an evenly spaced sub-grid of r x c nodes (r * c == n, the shape
    closest to the map's own), each at the centre of its share of the map
    (row floor((i + 1/2) * H / r)), read in a serpentine: row 0 left to right,
    row 1 right to left, and so on.  Consecutive colours are therefore always
    neighbours on the sub-grid, and the palette reads as one smooth path over the
    map.  `n=None` (or n >= H * W) gives every node.
    """
    h, w = weights.shape[:2]
    grid = sample_grid(h, w, n)
    if grid is None:
        raise SomdeskError(f"{n} colours cannot be sampled as an even grid from a {w} x {h} map; "
                           f"choose one of {', '.join(map(str, organised_sizes(h, w)))} or all nodes")
    r, c = grid
    rows = ((np.arange(r) + 0.5) * h / r).astype(np.int64)
    cols = ((np.arange(c) + 0.5) * w / c).astype(np.int64)
    nodes = np.array([(row, col) for i, row in enumerate(rows) for col in (cols if i % 2 == 0 else cols[::-1])],
                     dtype=np.int64)
    return weights[nodes[:, 0], nodes[:, 1]].copy(), nodes


__all__ = ["KINDS", "KIND_LABELS", "render_view", "view_size", "node_rgb", "layout", "colormap_lut",
           "organised_colours", "organised_sizes", "sample_grid", "to_rgb8"]
