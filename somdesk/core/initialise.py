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
    dim = data.shape[1]
    comps = np.zeros((2, dim))
    scales = np.zeros(2)
    if len(data) > 1:
        _, s, vt = np.linalg.svd(data - mean, full_matrices=False)
        k = min(2, len(s))
        comps[:k] = vt[:k]
        scales[:k] = s[:k] / np.sqrt(len(data) - 1)
    ys = np.linspace(-1.0, 1.0, height) if height > 1 else np.zeros(1)
    xs = np.linspace(-1.0, 1.0, width) if width > 1 else np.zeros(1)
    # the first (longest) component runs along the longer side of the map
    along_x, along_y = (0, 1) if width >= height else (1, 0)
    w = (mean
         + xs[None, :, None] * 2 * scales[along_x] * comps[along_x]
         + ys[:, None, None] * 2 * scales[along_y] * comps[along_y])
    return np.ascontiguousarray(w)
