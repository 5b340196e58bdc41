"""Exact BMUs from BLAS matrix products (numba, parallel). Imported through `somdesk.core.kernels`.

For many dimensions the fastest way to compare N samples with M nodes is the
expansion |x - w|^2 = |x|^2 + |w|^2 - 2 x.w with the products x.w from one
BLAS matrix multiplication (N x D x M, multi-threaded, SIMD).  Its rounding can
reorder near-ties, so it only nominates candidates: every node whose expanded
distance is within a rigorous error bound of the row's smallest is then
measured exactly (sum of squared differences in dimension order, as np.argmin
over np.sum((w - x)**2) would), and the smallest exact distance wins, lowest
index on ties.  Typically one candidate per sample, so the exact pass costs
O(N D).  The result is the same as a brute-force search, bit for bit.

Single precision: the products are computed in float32 (twice the BLAS
speed) on data and codebook centred on the data's mean (distances do not
change under a shift; centring keeps the norms, and so the bound, small).

Error bound, with u the float32 unit roundoff: rounding the centred
coordinates to float32 moves a squared distance by at most
4 u (|x|^2 + |w|^2); a float32 dot product of length D is off by at most
gamma_D |x| |w| <= D u (|x|^2 + |w|^2) / 2 (Higham, Accuracy and Stability of
Numerical Algorithms, 2nd ed., eq. 3.5, with 2 |x| |w| <= |x|^2 + |w|^2), and
the expansion doubles it.  So every expanded distance is within
(D + 8) u (|x|^2 + max |w|^2) of the true one; candidates are the nodes within
twice that of the row's smallest, and the caller passes `scale` = 4 (D + 8) u
(a margin of 2).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange



@njit(cache=True, nogil=True)
def _exact_d2(wf, m, xs):
    s = 0.0
    for d in range(xs.shape[0]):
        t = wf[m, d] - xs[d]
        s += t * t
    return s


@njit(cache=True, parallel=True)
def pick_exact(products, wsq, xsq, wf, x, wsq_max, scale, out_idx, out_d2, flag):
    """out_idx[s], out_d2[s]: exact BMU of x[s] among all rows of wf.

    products (n, M) float32 = centred x . centred w; wsq (M,), xsq (n,) their
    squared norms (float64); wf, x the original float64 rows, measured exactly;
    scale = somdesk.core.kernels.tolerance_scale(D).  Skips the remaining samples once flag[0] is set.
    """
    n, m_count = products.shape
    for s in prange(n):
        if flag[0] != 0:
            continue
        row = products[s]
        best_a = np.inf
        for m in range(m_count):
            a = wsq[m] - 2.0 * row[m]
            if a < best_a:
                best_a = a
        tol = scale * (xsq[s] + wsq_max)
        xs = x[s]
        best = np.inf
        best_i = 0
        for m in range(m_count):
            if wsq[m] - 2.0 * row[m] <= best_a + tol:
                e = _exact_d2(wf, m, xs)
                if e < best:
                    best = e
                    best_i = m
        out_idx[s] = best_i
        out_d2[s] = best


@njit(cache=True, nogil=True)
def sums_by_node(idx, x, sums, counts):
    """sums[m] += x[s], counts[m] += 1 for every sample s with BMU m = idx[s], in sample order
    (the order np.bincount adds in, so the sums are the same to the last bit)."""
    dim = x.shape[1]
    for s in range(x.shape[0]):
        m = idx[s]
        counts[m] += 1.0
        for d in range(dim):
            sums[m, d] += x[s, d]
