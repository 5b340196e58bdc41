"""Markers: a thin ring on the best-matching node of each input.

The ring is centred on the node's centre (render.geometry.node_centres, so it
sits in the middle of a hexagon too), its outer radius 0.42 of the node pitch
but at least MIN_RING_RADIUS px so it stays visible at small sizes (it may then
reach into the neighbours while the node shows through inside it), its width a
quarter of the radius (at least 1 px).  It is black on light nodes and white on
dark ones, judged by the node's colour in the view drawn.  Pixels away from the
rings keep exactly the view's colours.
"""
from __future__ import annotations

import math

import numpy as np

from somdesk.render.colour_tables import is_light
from somdesk.render.geometry import node_centres

MIN_RING_RADIUS = 4.5


def ring_radius(scale: int) -> tuple[float, float]:
    """(outer radius, thickness) in px of the ring at `scale` px per node."""
    outer = max(0.42 * scale, MIN_RING_RADIUS)
    return outer, max(1.0, outer / 4.0)


def draw_markers(img: np.ndarray, nodes_rgb: np.ndarray, bmus: np.ndarray, hexagonal: bool, scale: int) -> None:
    """Ring every distinct BMU (row, col) in `bmus` (N, 2) on the picture `img` in place;
    `nodes_rgb` (rows, cols, 3) uint8 are the node colours the picture shows."""
    rows, cols = nodes_rgb.shape[:2]
    bmus = np.asarray(bmus, dtype=np.int64).reshape(-1, 2)
    if len(bmus) == 0:
        return
    outer, thick = ring_radius(scale)
    half = int(math.ceil(outer)) + 1
    centres = node_centres(rows, cols, hexagonal, scale)
    height, width = img.shape[:2]
    for r, c in np.unique(bmus, axis=0):
        cx, cy = centres[r, c]
        x0, x1 = max(int(cx) - half, 0), min(int(cx) + half + 1, width)
        y0, y1 = max(int(cy) - half, 0), min(int(cy) + half + 1, height)
        if x0 >= x1 or y0 >= y1:
            continue
        y, x = np.mgrid[y0:y1, x0:x1]
        d = np.hypot(x + 0.5 - cx, y + 0.5 - cy)
        ring = (d <= outer) & (d >= outer - thick)
        img[y0:y1, x0:x1][ring] = (0, 0, 0) if is_light(nodes_rgb[r, c]) else (255, 255, 255)
