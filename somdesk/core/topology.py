"""Where nodes sit on the grid and how far apart they are.

Rectangular: node (i, j) sits at x = j, y = i.
Hexagonal ("odd-r" offset, pointy-top hexagons): odd rows are shifted right by half
a cell, x = j + 0.5 (i mod 2), y = i sqrt(3)/2, so every node has six neighbours at
distance 1.
Toroidal maps wrap both axes; the period is W along x and H (rectangular) or
H sqrt(3)/2 (hexagonal, H even) along y.

Grid distances compared against a radius have ONE definition, used by every
kernel back end (numba, ahead-of-time, numpy) and the measures:

* Offsets are counted in whole steps: rows k = |i - i'| (wrapped on a torus)
  and columns in half cells m = |2j + p - 2j' - p'| (p = row parity on
  hexagonal maps, 0 on rectangular ones; wrapped with period 2W).
* The squared distance is then computed exactly from those integers:
  rectangular d2 = k^2 + (m/2)^2, hexagonal d2 = (3 k^2 + m^2) / 4.  Writing it
  as (k sqrt(3)/2)^2 + ... instead rounds: the lower neighbours of a hexagon
  came out at 1.0000000000000002 and a bubble of radius 1 missed them.
* "Within radius r" is d2 <= r^2 (1 + RADIUS_RTOL): r^2 itself rounds (e.g.
  r = sqrt(3)), and a node exactly on the rim is inside.
"""
from __future__ import annotations

import math

import numpy as np

HEX_ROW_HEIGHT = math.sqrt(3.0) / 2.0
HEX_ROW_HEIGHT2 = 0.75            # HEX_ROW_HEIGHT ** 2, exactly
RADIUS_RTOL = 1e-9                # relative slack of "d2 <= r^2" (see module docstring)


def within_radius(d2, radius: float):
    """d2 <= radius^2, with the shared tolerance: the bubble neighbourhood's test."""
    return d2 <= radius * radius * (1.0 + RADIUS_RTOL)


def node_positions(height: int, width: int, hexagonal: bool) -> np.ndarray:
    """(H, W, 2) float64 (x, y) positions in grid units (node spacings); hexagonal maps shift
    odd rows half a node right and space rows HEX_ROW_HEIGHT apart."""
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float64)
    if hexagonal:
        return np.stack([cols + 0.5 * (rows % 2), rows * HEX_ROW_HEIGHT], axis=-1)
    return np.stack([cols, rows], axis=-1)


def periods(height: int, width: int, hexagonal: bool) -> tuple[float, float]:
    """(period along x, period along y) used when the map wraps."""
    return float(width), float(height) * (HEX_ROW_HEIGHT if hexagonal else 1.0)


def grid_offsets(a, b, height: int, width: int, hexagonal: bool, toroidal: bool):
    """(row steps k, half-cell column steps m) between flat node indices a and b (integers)."""
    ia, ja = np.divmod(np.asarray(a, dtype=np.int64), width)
    ib, jb = np.divmod(np.asarray(b, dtype=np.int64), width)
    k = np.abs(ia - ib)
    if hexagonal:
        m = np.abs((2 * ja + ia % 2) - (2 * jb + ib % 2))
    else:
        m = 2 * np.abs(ja - jb)
    if toroidal:
        k = np.minimum(k, height - k)
        m = np.minimum(m, 2 * width - m)
    return k, m


def squared_from_offsets(k, m, hexagonal: bool):
    """Exact squared grid distance from row steps k and half-cell column steps m."""
    k = np.asarray(k, dtype=np.float64)
    m = np.asarray(m, dtype=np.float64)
    if hexagonal:
        return (3.0 * k * k + m * m) * 0.25
    return k * k + m * m * 0.25


def squared_grid_distance(a, b, height: int, width: int, hexagonal: bool, toroidal: bool) -> np.ndarray:
    """Squared grid distance between flat node indices a and b (broadcasting), exact.

    The one definition every back end uses (see the module docstring).
    """
    k, m = grid_offsets(a, b, height, width, hexagonal, toroidal)
    return squared_from_offsets(k, m, hexagonal)


def grid_distance(a, b, height: int, width: int, hexagonal: bool, toroidal: bool) -> np.ndarray:
    """Grid distance between flat node indices a and b (broadcasting)."""
    return np.sqrt(squared_grid_distance(a, b, height, width, hexagonal, toroidal))


def neighbour_threshold(hexagonal: bool) -> float:
    """Largest distance at which two nodes count as neighbours (topographic error).

    Rectangular maps use the 8-neighbourhood (diagonal = sqrt 2), hexagonal maps
    the six touching hexagons (distance 1).
    """
    return 1.0 + 1e-9 if hexagonal else math.sqrt(2.0) + 1e-9
