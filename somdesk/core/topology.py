"""Where nodes sit on the grid and how far apart they are.

Rectangular: node (i, j) sits at x = j, y = i.
Hexagonal ("odd-r" offset, pointy-top hexagons): odd rows are shifted right by half
a cell, x = j + 0.5 (i mod 2), y = i sqrt(3)/2, so every node has six neighbours at
distance 1.
Toroidal maps wrap both axes; the period is W along x and H (rectangular) or
H sqrt(3)/2 (hexagonal, H even) along y.
"""
from __future__ import annotations

import math

import numpy as np

HEX_ROW_HEIGHT = math.sqrt(3.0) / 2.0


def node_positions(height: int, width: int, hexagonal: bool) -> np.ndarray:
    """(H, W, 2) array of (x, y) positions in grid units."""
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float64)
    if hexagonal:
        return np.stack([cols + 0.5 * (rows % 2), rows * HEX_ROW_HEIGHT], axis=-1)
    return np.stack([cols, rows], axis=-1)


def periods(height: int, width: int, hexagonal: bool) -> tuple[float, float]:
    """(period along x, period along y) used when the map wraps."""
    return float(width), float(height) * (HEX_ROW_HEIGHT if hexagonal else 1.0)


def squared_grid_distance(a, b, height: int, width: int, hexagonal: bool, toroidal: bool) -> np.ndarray:
    """Squared grid distance between flat node indices a and b (broadcasting)."""
    pos = node_positions(height, width, hexagonal).reshape(-1, 2)
    d = np.abs(pos[np.asarray(a)] - pos[np.asarray(b)])
    if toroidal:
        px, py = periods(height, width, hexagonal)
        d[..., 0] = np.minimum(d[..., 0], px - d[..., 0])
        d[..., 1] = np.minimum(d[..., 1], py - d[..., 1])
    return d[..., 0] ** 2 + d[..., 1] ** 2


def grid_distance(a, b, height: int, width: int, hexagonal: bool, toroidal: bool) -> np.ndarray:
    """Grid distance between flat node indices a and b (broadcasting)."""
    return np.sqrt(squared_grid_distance(a, b, height, width, hexagonal, toroidal))


def neighbour_threshold(hexagonal: bool) -> float:
    """Largest distance at which two nodes count as neighbours (topographic error).

    Rectangular maps use the 8-neighbourhood (diagonal = sqrt 2), hexagonal maps
    the six touching hexagons (distance 1).
    """
    return 1.0 + 1e-9 if hexagonal else math.sqrt(2.0) + 1e-9
