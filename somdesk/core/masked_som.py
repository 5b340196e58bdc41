"""Batch SOM over data with missing values, and planes for passive columns (numpy + BLAS).

The SOM Toolbox way (Vesanto et al., "SOM Toolbox for Matlab 5", 2000,
som_batchtrain.m / som_bmus.m): a NaN component takes no part.  The distance
from row x to node m is the sum over the row's PRESENT components only,
    d(x, m) = sum_k p_k (x_k - m_k)^2,  p_k = 1 if x_k is present else 0,
computed for all rows and nodes at once as
    (p*x)^2 . 1  - 2 (p*x) M^T  + p (M^2)^T          (three matrix products),
and the batch update averages, per component, only the rows where it is present:
    m_jk = sum_i h(j, b_i) p_ik x_ik / sum_i h(j, b_i) p_ik
(gaussian h, smoothed by the core's separable batch kernel).
A node that no present value reaches in a component keeps its old value there.

Rows are processed in blocks so memory stays at O(block x nodes); the cancel
token is checked between blocks and between epochs, and an interrupted epoch
leaves the codebook as it was before that epoch.
"""
from __future__ import annotations


import numpy as np

from somdesk.core import cancel as cancel_mod
from somdesk.errors import SomdeskError

__all__ = ["masked_bmus", "train_masked", "passive_planes", "sigma_start", "present_sums", "smooth_sums"]

BLOCK_CELLS = 4_000_000      # rows x nodes of distances held at once (32 MB)


def masked_bmus(codebook: np.ndarray, x: np.ndarray, cancel=None) -> tuple[np.ndarray, np.ndarray]:
    """(flat BMU (N,) int64, squared distance over present components (N,)) of rows `x` (N, D)
    with NaN for missing, against `codebook` (M, D) (or (H, W, D)).  A row with nothing present
    gets node 0, inf.  SomdeskError when x is not 2-D or its width is not the codebook's D."""
    from somdesk.core import kernels

    from somdesk.core.data_checks import check_columns

    m = np.asarray(codebook, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise SomdeskError(f"data must be a table of shape (samples, {m.shape[-1]}), got {x.shape}")
    check_columns(x.shape[1], m.shape[-1])   # a reshape to x's width would silently mix the nodes' values
    m = m.reshape(-1, x.shape[1])
    n = len(x)
    idx = np.zeros(n, dtype=np.int64)
    dist = np.full(n, np.inf)
    # Rows with every value present (and far from overflowing its square) are the plain BMU
    # search: the core's exact search (kd-tree or float32 BLAS candidates, both cores), 5-10x
    # faster than the masked products below, which measured a 200,000-row table on a 3,762-node
    # map in 9 s after every training or stop (tester6 F13).  Same BMUs up to ties, which the
    # exact search resolves by the first node of the true minimum.
    whole = (np.abs(x) < 1e150).all(1)      # False for NaN and infinities too
    if whole.any():
        sel = np.flatnonzero(whole)
        got, d2 = kernels.bmus_of(np.ascontiguousarray(m), np.ascontiguousarray(x[sel]), cancel)
        idx[sel], dist[sel] = got, d2
    rest = np.flatnonzero(~whole)
    m2 = (m * m).T                                  # (D, M)
    block = max(64, BLOCK_CELLS // max(1, len(m)))
    for lo in range(0, len(rest), block):
        cancel_mod.check(cancel)
        rows = rest[lo:lo + block]
        xb = x[rows]
        p = ~np.isnan(xb)
        xz = np.where(p, xb, 0.0)
        # a value beyond ~1e154 overflows its squares: that row's distances are inf or NaN
        # and the caller treats it as unmeasurable (scoring: no BMU, an outlier), not the
        # numpy warning on the terminal (tester5 F6)
        with np.errstate(over="ignore", invalid="ignore"):
            d = (xz * xz).sum(1)[:, None] - 2.0 * (xz @ m.T) + p.astype(np.float64) @ m2
        j = np.argmin(d, axis=1)
        idx[rows] = j
        best = np.maximum(d[np.arange(len(j)), j], 0.0)
        dist[rows] = np.where(p.any(1), best, np.inf)
    return idx, dist


def smooth_sums(s, c, height, width, sigma, hexagonal, toroidal):
    """(H s, H c), each (M, D), for the gaussian neighbourhood H of radius `sigma` (nodes) on a
    height x width map (M nodes): the core's separable batch smoothing
    (somdesk.core.kernels.batch_smooth) applied to the sums `s` and counts `c` ((M, D) each,
    present_sums) side by side, so no (M, M) matrix is built.  Out-of-core training smooths the
    sums of every chunk with it (session.outofcore)."""
    from somdesk.core.kernels import batch_smooth

    d = s.shape[1]
    both = np.ascontiguousarray(np.concatenate([s, c], axis=1))
    num, _ = batch_smooth(both, np.ascontiguousarray(c[:, 0]), height, width, float(sigma), "gaussian",
                          hexagonal, toroidal)
    return num[:, :d], num[:, d:]


def present_sums(idx, x, n_nodes):
    """(sums, counts), each (M, D) float64: per node of `n_nodes` (M), the sum and the count of the
    present (not NaN) values of the rows `x` (N, D) whose best node is `idx` (N,) int.  A batch
    epoch's numerator and denominator before smoothing (train_masked; out of core per chunk)."""
    p = ~np.isnan(x)
    xz = np.where(p, x, 0.0)
    d = x.shape[1]
    s = np.zeros((n_nodes, d))
    c = np.zeros((n_nodes, d))
    np.add.at(s, idx, xz)
    np.add.at(c, idx, p.astype(np.float64))
    return s, c


def train_masked(x: np.ndarray, codebook: np.ndarray, epochs: int, sigma0: float, sigma1: float = 1.0,
                 hexagonal: bool = False, toroidal: bool = False, cancel=None, callback=None) -> np.ndarray:
    """Batch-train `codebook` (H, W, D) on `x` (N, D, NaN = missing) for `epochs` epochs.

    The radius falls exponentially from sigma0 to sigma1 (SOM Toolbox batch training
    uses a linear fall; exponential matches somdesk's "classic" schedule).  Returns the
    new (H, W, D) codebook; `callback(epoch, codebook)` is called after each epoch.
    Raises Cancelled (the input codebook is never modified).
    """
    h, w, d = codebook.shape
    m = np.array(codebook, dtype=np.float64).reshape(-1, d)
    x = np.asarray(x, dtype=np.float64)
    n_nodes = h * w
    for e in range(int(epochs)):
        frac = e / max(1, epochs - 1)
        sigma = sigma0 * (sigma1 / sigma0) ** frac if sigma0 > sigma1 else sigma1
        idx, _ = masked_bmus(m, x, cancel)
        s, c = present_sums(idx, x, n_nodes)
        num, den = smooth_sums(s, c, h, w, sigma, hexagonal, toroidal)
        ok = den > 1e-12
        m = np.where(ok, num / np.where(ok, den, 1.0), m)
        cancel_mod.check(cancel)
        if callback is not None:
            callback(e, m.reshape(h, w, d))
    return m.reshape(h, w, d)


def passive_planes(bmu_flat: np.ndarray, values: np.ndarray, height: int, width: int, sigma: float = 1.0,
                   hexagonal: bool = False, toroidal: bool = False) -> np.ndarray:
    """(H, W, P) planes for passive columns `values` (N, P, NaN = missing): the final batch
    step applied to them, i.e. each node's neighbourhood-weighted mean of the rows around it
    (radius `sigma`, the end radius of training).  A node no value reaches gets NaN."""
    v = np.asarray(values, dtype=np.float64)
    if v.ndim == 1:
        v = v[:, None]
    s, c = present_sums(np.asarray(bmu_flat, dtype=np.int64), v, height * width)
    num, den = smooth_sums(s, c, height, width, max(sigma, 1e-6), hexagonal, toroidal)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 1e-12, num / den, np.nan)
    return out.reshape(height, width, v.shape[1])


def sigma_start(height: int, width: int) -> float:
    """The SOM Toolbox's initial batch radius: max(H, W) / 4, at least 1."""
    return max(1.0, max(height, width) / 4.0) if max(height, width) > 1 else 1.0


