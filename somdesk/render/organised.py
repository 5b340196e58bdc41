"""The trained map read back as a palette in map order (Export organised palette)."""
from __future__ import annotations

import math

import numpy as np

from somdesk.core.options import count_text
from somdesk.errors import SomdeskError

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
    map.  `n=None` (or n >= H * W) gives every node.  `weights` (H, W, D); colours keep
    its dtype, nodes are int64.  Raises SomdeskError when no r x c sub-grid of n nodes
    fits (naming the sizes that do, `organised_sizes`).
    """
    h, w = weights.shape[:2]
    grid = sample_grid(h, w, n)
    if grid is None:
        raise SomdeskError(f"{count_text(n, 'colour')} cannot be sampled as an even grid from a {w} x {h} map; "
                           f"choose one of {', '.join(map(str, organised_sizes(h, w)))} or all nodes")
    r, c = grid
    rows = ((np.arange(r) + 0.5) * h / r).astype(np.int64)
    cols = ((np.arange(c) + 0.5) * w / c).astype(np.int64)
    nodes = np.array([(row, col) for i, row in enumerate(rows) for col in (cols if i % 2 == 0 else cols[::-1])],
                     dtype=np.int64)
    return weights[nodes[:, 0], nodes[:, 1]].copy(), nodes
