"""Starting weights for a map: random-uniform, random-samples or PCA.

random-uniform  every weight uniform in the data's per-dimension range
                (for colours in [0, 1] this is the seed's random start)
random-samples  every node a copy of a randomly chosen input
pca             a plane through the data mean spanned by the first two principal
                components, +-2 standard deviations along each, the longer map
                side along the first component (Kohonen's linear initialisation)
"""
from __future__ import annotations

import numpy as np

from somdesk.core.options import INITS, choose


def initial_weights(method: str, data: np.ndarray, height: int, width: int,
                    rng: np.random.Generator) -> np.ndarray:
    """(height, width, D) float64 starting weights for `data` (N, D) by `method` (module docstring).

    `rng` draws the random starts (pca uses none).  Raises OptionError for an
    unknown method.
    """
    method = choose(method, INITS, "init")
    data = np.asarray(data, dtype=np.float64)
    dim = data.shape[1]
    if method == "random-uniform":
        lo, hi = data.min(axis=0), data.max(axis=0)
        return lo + (hi - lo) * rng.random((height, width, dim))
    if method == "random-samples":
        return data[rng.integers(0, len(data), size=(height, width))].copy()
    return _pca_plane(data, height, width)


def _pca_plane(data: np.ndarray, height: int, width: int) -> np.ndarray:
    mean = data.mean(axis=0)
    centred = data - mean
    n, dim = data.shape
    if n > 1 and dim > n:
        # more columns than rows (a wide table): the D x D covariance costs O(D^3) time and
        # D^2 memory (minutes and 800 MB at 10,000 columns); the N x N Gram matrix has the
        # same nonzero eigenvalues, and centred.T maps its eigenvectors onto the covariance's
        vals, u = np.linalg.eigh(np.dot(centred, centred.T) / (n - 1))
        vecs = centred.T @ u
        norms = np.linalg.norm(vecs, axis=0)
        vecs = np.divide(vecs, norms, out=np.zeros_like(vecs), where=norms > 0)
        return _plane(mean, vals, vecs, height, width)
    # np.dot, not `@`: the same product, same bits, but numpy's matmul holds the GIL through a
    # symmetric product (a.T @ a: 300,000 x 20 let a waiting thread run 31 times in 0.8 s, np.dot
    # 643), and a table map's linear start runs on the worker while the window draws
    cov = np.dot(centred.T, centred) / (n - 1) if n > 1 else np.zeros((dim, dim))
    return pca_plane(mean, cov, height, width)


def pca_plane_from_moments(n: int, total: np.ndarray, outer: np.ndarray, height: int,
                           width: int) -> np.ndarray:
    """The pca start from running moments (count, sum (D,), sum of outer products (D, D)).

    Lets a table too large for memory start exactly as `initial_weights("pca", ...)`
    would on the whole of it (to float64 rounding).
    """
    mean = total / n
    cov = (outer - n * np.outer(mean, mean)) / (n - 1) if n > 1 else np.zeros_like(outer)
    return pca_plane(mean, cov, height, width)


def pca_plane(mean: np.ndarray, cov: np.ndarray, height: int, width: int) -> np.ndarray:
    """(H, W, D): the plane through `mean` spanned by the two leading eigenvectors of `cov`.

    Each component is scaled to +-2 standard deviations across the map and signed so
    that its largest entry is positive, so the start does not depend on the
    eigen-solver's arbitrary sign.
    """
    vals, vecs = np.linalg.eigh((cov + cov.T) / 2)
    return _plane(mean, vals, vecs, height, width)


def _plane(mean: np.ndarray, vals: np.ndarray, vecs: np.ndarray, height: int,
           width: int) -> np.ndarray:
    """(H, W, D) from eigenvalues `vals` (K,) and unit eigenvectors `vecs` (D, K) of the covariance."""
    comps = np.zeros((2, len(mean)))
    scales = np.zeros(2)
    order = np.argsort(vals)[::-1][:2]
    for k, j in enumerate(order):
        if vals[j] <= 0:
            continue
        v = vecs[:, j]
        if v[np.argmax(np.abs(v))] < 0:
            v = -v
        comps[k] = v
        scales[k] = np.sqrt(vals[j])
    ys = np.linspace(-1.0, 1.0, height) if height > 1 else np.zeros(1)
    xs = np.linspace(-1.0, 1.0, width) if width > 1 else np.zeros(1)
    # the first (longest) component runs along the longer side of the map
    along_x, along_y = (0, 1) if width >= height else (1, 0)
    w = (mean
         + xs[None, :, None] * 2 * scales[along_x] * comps[along_x]
         + ys[:, None, None] * 2 * scales[along_y] * comps[along_y])
    return np.ascontiguousarray(w)
