"""Measures of a trained map: quantisation and topographic error, U-matrix, hits.

All take weights (H, W, D) and, where needed, data (N, D); none modifies them.
Data is checked against the weights' D by data_checks.as_samples: a 1-D array
of D values is one sample; any other width, NaN or infinity is a SomdeskError
naming the shapes ("data has 5 columns; the map has 3 (features)"), never a
search that would read past the rows.
Those that search BMUs take `cancel=` (a CancelToken or None) and raise
`somdesk.errors.Cancelled` when it is set during the search.
"""
from __future__ import annotations

import numpy as np

from somdesk.core import kernels
from somdesk.core.data_checks import as_samples, as_weights
from somdesk.errors import SomdeskError
from somdesk.core.topology import grid_distance, neighbour_threshold

# The topographic error needs the two nearest nodes of every sample, an (N, M)
# problem; beyond this many samples it is estimated on a fixed random subset.
TOPOGRAPHIC_SAMPLE_LIMIT = 50_000


def bmus(weights: np.ndarray, data: np.ndarray, cancel=None) -> np.ndarray:
    """(N, 2) int64 (row, column) of each sample's best-matching node (BMU).

    weights (H, W, D) float64, data (N, D); the BMU is the node of least Euclidean
    distance, the first in row-major order on ties.  Raises `Cancelled` when `cancel`
    is set during the search; SomdeskError for weights not (H, W, D) or data not
    (N, D) (a 1-D array of D values is one sample), not numeric or not finite.
    """
    weights, data = _checked(weights, data)
    height, width, dim = weights.shape
    idx, _ = kernels.bmus_of(weights.reshape(-1, dim), data, cancel)
    return np.stack(np.divmod(idx, width), axis=1)


def _checked(weights, data) -> tuple[np.ndarray, np.ndarray]:
    """(weights (H, W, D), data (N, D)) float64, checked (data_checks.as_weights, as_samples)."""
    weights = as_weights(weights)
    return weights, as_samples(data, weights.shape[2])


def quantization_error(weights: np.ndarray, data: np.ndarray, cancel=None) -> float:
    """Mean Euclidean distance (in data units) from each sample to its BMU's weights.

    weights (H, W, D), data (N, D) with N >= 1.  The quantisation error of Kohonen (2001)
    and the SOM Toolbox's som_quality "mqe".  Raises `Cancelled` when `cancel` is set
    during the search; SomdeskError for bad weights or data, as `bmus`, and for data of no
    rows (the mean of nothing: 0.0 read as a perfect map, testerI 8e).
    """
    weights, data = _checked(weights, data)
    if len(data) == 0:
        raise SomdeskError(f"data has no rows (shape {data.shape}): the quantisation error needs at least one")
    dim = weights.shape[2]
    _, d2 = kernels.bmus_of(weights.reshape(-1, dim), data, cancel)
    return float(np.mean(np.sqrt(d2)))


def topographic_error(weights: np.ndarray, data: np.ndarray, hexagonal: bool = False,
                      toroidal: bool = False, cancel=None) -> float:
    """Fraction of samples whose two nearest nodes are not grid neighbours.

    Neighbours: the 8 around a node on rectangular maps, the 6 on hexagonal ones;
    toroidal maps count wrapped neighbours.  A 1-node map has no error.
    weights (H, W, D), data (N, D); returns a float in [0, 1].  Over
    TOPOGRAPHIC_SAMPLE_LIMIT samples it is estimated on a fixed random subset of that
    many.  Source: Kiviluoto, "Topology preservation in self-organizing maps" (ICNN
    1996); the SOM Toolbox's som_quality "tge".  Raises `Cancelled` when `cancel` is set,
    SomdeskError for bad weights or data, as `bmus`.
    """
    weights, data = _checked(weights, data)
    height, width, dim = weights.shape
    if height * width < 2 or len(data) == 0:
        return 0.0
    if len(data) > TOPOGRAPHIC_SAMPLE_LIMIT:
        pick = np.random.default_rng(0).choice(len(data), TOPOGRAPHIC_SAMPLE_LIMIT, replace=False)
        data = data[np.sort(pick)]
    two = kernels.two_nearest(weights.reshape(-1, dim), data, cancel)
    dist = grid_distance(two[:, 0], two[:, 1], height, width, hexagonal, toroidal)
    return float(np.mean(dist > neighbour_threshold(hexagonal)))


def neighbour_offsets(row: int, hexagonal: bool) -> list[tuple[int, int]]:
    """Grid neighbours of a node on `row` as (drow, dcol); hex rows are odd-r offset."""
    if not hexagonal:
        return [(di, dj) for di in (-1, 0, 1) for dj in (-1, 0, 1) if (di, dj) != (0, 0)]
    shift = row % 2  # odd rows sit half a cell to the right
    return [(0, -1), (0, 1), (-1, shift - 1), (-1, shift), (1, shift - 1), (1, shift)]


def u_matrix(weights: np.ndarray, hexagonal: bool = False, toroidal: bool = False) -> np.ndarray:
    """(H, W) float64 mean Euclidean weight distance from each node to its grid neighbours.

    weights (H, W, D).  The node-per-cell form of the U-matrix (Ultsch & Siemon,
    "Kohonen's self organizing feature maps for exploratory data analysis", INNC 1990);
    neighbours as in `neighbour_offsets`, wrapped when `toroidal`.  A node with no
    neighbour (a 1x1 map) gets 0.  SomdeskError naming the shape given when `weights` is
    not such an array (a (N, D) array raised a bare ValueError, testerI 8e).
    """
    shape = np.shape(weights)
    if len(shape) != 3 or 0 in shape:
        raise SomdeskError(f"weights must have shape (height, width, features), got {tuple(shape)}")
    fast = kernels.u_matrix(weights, hexagonal, toroidal)   # the same bits, ~30x faster (live maps)
    return fast if fast is not None else u_matrix_numpy(weights, hexagonal, toroidal)


def u_matrix_numpy(weights: np.ndarray, hexagonal: bool = False, toroidal: bool = False) -> np.ndarray:
    """u_matrix by numpy: one vectorised pass per neighbour offset (every back end, any D)."""
    height, width, _ = weights.shape
    if toroidal and (height <= 2 or width <= 2):
        return _u_matrix_small_torus(weights, hexagonal)
    total = np.zeros((height, width))
    count = np.zeros((height, width))
    rows = np.arange(height)
    cols = np.arange(width)
    for parity in ((0, 1) if hexagonal else (0,)):
        sel = rows[rows % 2 == parity] if hexagonal else rows
        for di, dj in neighbour_offsets(parity, hexagonal):
            ni = sel + di
            nj = cols + dj
            if toroidal:
                ni, nj = ni % height, nj % width
            ok_i = (ni >= 0) & (ni < height)
            ok_j = (nj >= 0) & (nj < width)
            si, sj = sel[ok_i], cols[ok_j]
            if len(si) == 0 or len(sj) == 0:
                continue
            at, to = (np.ix_(si, sj), np.ix_(ni[ok_i], nj[ok_j])) if toroidal else \
                (_as_slices(si, sj), _as_slices(ni[ok_i], nj[ok_j]))   # views: no gathers
            a = weights[at]
            b = weights[to]
            d = np.sqrt(np.sum((a - b) ** 2, axis=-1))
            total[at] += d
            count[at] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), 0.0)


def _as_slices(rows: np.ndarray, cols: np.ndarray) -> tuple[slice, slice]:
    """Evenly spaced ascending rows (step 1 or 2) and consecutive columns as slices (same elements)."""
    step = int(rows[1] - rows[0]) if len(rows) > 1 else 1
    return slice(int(rows[0]), int(rows[-1]) + 1, step), slice(int(cols[0]), int(cols[-1]) + 1)


def _u_matrix_small_torus(weights: np.ndarray, hexagonal: bool) -> np.ndarray:
    """U-matrix of a torus 1 or 2 nodes across: wrapped offsets meet the node itself or
    the same neighbour twice, so each distinct neighbour is counted once and self never."""
    height, width, _ = weights.shape
    out = np.zeros((height, width))
    for i in range(height):
        for j in range(width):
            seen = {((i + di) % height, (j + dj) % width) for di, dj in neighbour_offsets(i, hexagonal)}
            seen.discard((i, j))
            if seen:
                out[i, j] = np.mean([np.linalg.norm(weights[i, j] - weights[n]) for n in sorted(seen)])
    return out


def hit_counts(weights: np.ndarray, data: np.ndarray, cancel=None) -> np.ndarray:
    """(H, W) int64 number of samples of data (N, D) whose BMU is each node of weights (H, W, D).

    Raises `Cancelled` when `cancel` is set during the search, SomdeskError for bad
    weights or data, as `bmus`.
    """
    weights, data = _checked(weights, data)
    height, width, dim = weights.shape
    idx, _ = kernels.bmus_of(weights.reshape(-1, dim), data, cancel)
    return np.bincount(idx, minlength=height * width).reshape(height, width)
