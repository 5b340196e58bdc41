"""Node outlines: each node's border drawn in a darker shade of its own colour, so single nodes
stand apart inside a segment of one colour -- but only where a node is big enough to show one.

    pic = outlined(rgb (H, W, 3) uint8, hexagonal, scale=24)            # an export, seen 1:1
    pic = outlined(rgb, hexagonal, scale=24, shown=5.5)                 # seen at 5.5 px per node

`scale` is the picture's pixels between node centres (render.geometry); `shown` the pixels
between node centres where the picture is seen (on screen after the view's zoom; an export
is seen 1:1, the default).  Below OUTLINE_MIN_PX shown pixels a node gets no outline: a
69 x 55 hexagonal map seen at ~380 px (5.5 px a node) drew every node's 1 px border, and the
view's shrinking kept some of those pixels and dropped others -- a moire of dark specks over
every segment (testerH #8).  Above it an outline is as many picture pixels wide as makes one
shown pixel (`outline_width`), so shrinking the picture cannot drop it.  The window's table
map, its Export image and Copy image all draw through `outlined`.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from somdesk.render.geometry import index_image, layout

__all__ = ["OUTLINE_MIN_PX", "EDGE_SHADE", "outline_width", "outline_pixels", "outlined"]

# 12 px between node centres where seen: a 1 px outline is then at most ~1/6 of a node's width,
# a border between nodes; at the 5-6 px of a 69 x 55 map in a 380 px view it was a third of
# the node, texture instead of borders
OUTLINE_MIN_PX = 12.0
EDGE_SHADE = 0.6    # an outline pixel keeps 60 % of its node's colour: nodes of one segment told apart


def outline_width(scale: int, shown: float | None = None) -> int:
    """Outline width in picture pixels for a picture at `scale` px per node seen at `shown` px
    per node (None: 1:1, an export): 0 (no outline) when `shown` < OUTLINE_MIN_PX, else the
    least whole number of picture pixels that is at least one shown pixel (1 at 1:1 or larger)."""
    shown = float(scale if shown is None else shown)
    if not math.isfinite(shown) or shown < OUTLINE_MIN_PX:
        return 0
    return max(1, math.ceil(int(scale) / shown - 1e-9))


@lru_cache(maxsize=16)
def outline_pixels(h: int, w: int, hexagonal: bool, scale: int, width: int = 1) -> np.ndarray:
    """(E,) int64 flat pixel indices of the node outlines, `width` px wide, of an h x w map's
    picture at `scale` (read-only).  The outline is where the renderer's node index
    (render.geometry.index_image) changes to the right or below within `width` pixels, so
    hexagons and squares get their true borders; background pixels are never outline.  They
    depend on the shape alone, so they are found once per shape (testerW #3: found again at
    every draw, a 66 x 57 map's outlines took 0.45 s of the GUI thread)."""
    idx = index_image(h, w, hexagonal, scale)
    edge = np.zeros(idx.shape, dtype=bool)
    for k in range(1, max(1, int(width)) + 1):
        edge[:, :-k] |= idx[:, :-k] != idx[:, k:]
        edge[:-k, :] |= idx[:-k, :] != idx[k:, :]
    edge &= idx >= 0
    out = np.flatnonzero(edge)
    out.flags.writeable = False
    return out


def outlined(rgb: np.ndarray, hexagonal: bool, scale: int, shown: float | None = None,
             plain: np.ndarray | None = None) -> np.ndarray:
    """(H, W, 3) uint8 node colours -> the picture (Hpx, Wpx, 3) uint8 of render.geometry.layout
    at `scale` px per node, with each node's outline `outline_width(scale, shown)` px wide in
    EDGE_SHADE of its colour (none when the node is seen smaller than OUTLINE_MIN_PX px).
    `plain`: that layout already drawn (not changed; saves drawing it again on a zoom).
    SomdeskError for a bad `scale` or a picture over the pixel limit (render.geometry)."""
    rgb = np.asarray(rgb, dtype=np.uint8)
    pic = np.array(layout(rgb, hexagonal, scale) if plain is None else plain, dtype=np.uint8)
    width = outline_width(scale, shown)
    if width:
        h, w = rgb.shape[:2]
        edge = outline_pixels(h, w, bool(hexagonal), int(scale), width)
        flat = pic.reshape(-1, 3)
        flat[edge] = (flat[edge].astype(np.float32) * EDGE_SHADE).astype(np.uint8)
    return pic
