"""Kohonen's batch map split into the two halves that scale out.

One batch epoch is: every sample finds its BMU on the current codebook; each
node's sum of its samples and their count are formed; the sums and counts are
smoothed over the grid by the neighbourhood; every node with a non-zero
denominator becomes numerator / denominator (Kohonen 2013, "Essentials of the
self-organizing map", Neural Networks 37, sec. 6; the form GigaSOM and somoclu
distribute).  The first half is a sum over samples, so it can run on any
partition of the data and the partial results can be added in any grouping:

    sums, counts = zero_sums(M, D)
    for chunk in chunks:                       # or one task per partition on a cluster
        add_node_sums(codebook, chunk, sums, counts)
    apply_batch_update(weights, sums, counts, sigma, config)

`SOM`'s in-memory batch mode computes the same quantities over all rows at
once; the results agree to float64 rounding (tests check 1e-9).
"""
from __future__ import annotations

import numpy as np

from somdesk.core import kernels
from somdesk.core.cancel import CancelToken, check
from somdesk.core.options import SOMConfig

# Samples per BMU search call: keeps the (chunk, M) work bounded and lets a
# stop request be seen between calls.
SEARCH_CHUNK = 65_536


def zero_sums(nodes: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Empty accumulators: sums (M, D) float64 and counts (M,) float64."""
    return np.zeros((nodes, dim)), np.zeros(nodes)


def node_sums(codebook: np.ndarray, chunk: np.ndarray, cancel: CancelToken | None = None,
              ) -> tuple[np.ndarray, np.ndarray, float]:
    """Per-node sums of the samples each node is BMU of.

    codebook: (M, D) float64 weights, one row per node (row-major grid order).
    chunk: (n, D) float64 samples.
    Returns (sums (M, D), counts (M,), sum of squared BMU distances) for this chunk.
    Raises Cancelled when `cancel` is set (checked every SEARCH_CHUNK samples).
    """
    codebook = np.ascontiguousarray(codebook, dtype=np.float64)
    m, d = codebook.shape
    sums, counts = zero_sums(m, d)
    sq = 0.0
    for s in range(0, len(chunk), SEARCH_CHUNK):
        check(cancel)
        part = np.ascontiguousarray(chunk[s:s + SEARCH_CHUNK], dtype=np.float64)
        idx, d2 = kernels.bmus_of(codebook, part)
        counts += np.bincount(idx, minlength=m)
        for k in range(d):  # one column at a time keeps temporaries at O(n)
            sums[:, k] += np.bincount(idx, weights=part[:, k], minlength=m)
        sq += float(d2.sum())
    return sums, counts, sq


def apply_batch_update(weights: np.ndarray, sums: np.ndarray, counts: np.ndarray, sigma: float,
                       config: SOMConfig) -> None:
    """Replace every node that has support by its neighbourhood-weighted mean, in place.

    weights: (H, W, D) float64, updated in place; sums (H*W, D), counts (H*W,)
    from `node_sums` added over all partitions; sigma: this epoch's radius in
    grid units.  Nodes whose smoothed denominator is 0 keep their weights.
    """
    h, w, d = weights.shape
    num, den = kernels.batch_smooth(sums, counts, h, w, sigma, config.neighbourhood,
                                    config.topology == "hexagonal", config.toroidal)
    ok = den > 0
    flat = weights.reshape(-1, d)
    flat[ok] = num[ok] / den[ok, None]


def add_moments(chunk: np.ndarray, acc: dict | None = None) -> dict:
    """Running count, min, max, sum and sum of outer products of (n, D) samples.

    Enough to start a map out of core the way `initial_weights` does in memory:
    the data range (random-uniform) and mean and covariance (pca).
    """
    chunk = np.asarray(chunk, dtype=np.float64)
    if acc is None:
        d = chunk.shape[1]
        acc = {"n": 0, "min": np.full(d, np.inf), "max": np.full(d, -np.inf),
               "sum": np.zeros(d), "outer": np.zeros((d, d))}
    if len(chunk):
        acc["n"] += len(chunk)
        acc["min"] = np.minimum(acc["min"], chunk.min(axis=0))
        acc["max"] = np.maximum(acc["max"], chunk.max(axis=0))
        acc["sum"] += chunk.sum(axis=0)
        acc["outer"] += np.dot(chunk.T, chunk)     # not `@`: matmul holds the GIL (preparation.auto_map_size)
    return acc


def merge_moments(a: dict, b: dict) -> dict:
    """The moments of two partitions together (for a tree reduction)."""
    return {"n": a["n"] + b["n"], "min": np.minimum(a["min"], b["min"]),
            "max": np.maximum(a["max"], b["max"]), "sum": a["sum"] + b["sum"],
            "outer": a["outer"] + b["outer"]}
