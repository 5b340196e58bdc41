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

Error bound: a dot product of length D in floating point is off by at most
gamma_D |x| |w| with gamma_D = D u / (1 - D u) (Higham, Accuracy and Stability
of Numerical Algorithms, 2nd ed., eq. 3.5), and 2 |x| |w| <= |x|^2 + |w|^2;
the sums of squares add the same order again.  TOLERANCE_FACTOR (D + 4) u
covers all of it with a margin of 4.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

EPS = np.finfo(np.float64).eps


@njit(cache=True, nogil=True)
def _exact_d2(wf, m, xs):
    s = 0.0
    for d in range(xs.shape[0]):
        t = wf[m, d] - xs[d]
        s += t * t
    return s


@njit(cache=True, parallel=True)
def pick_exact(products, wsq, xsq, wf, x, wsq_max, out_idx, out_d2, flag):
    """out_idx[s], out_d2[s]: exact BMU of x[s] among all rows of wf, using products[s] = x[s] . wf.T.

    products (n, M), wsq (M,) = |w|^2, xsq (n,) = |x|^2; skips the remaining
    samples once flag[0] is set (the caller checks).
    """
    n, m_count = products.shape
    dim = x.shape[1]
    scale = 4.0 * (dim + 4) * EPS
    for s in prange(n):
        if flag[0] != 0:
            continue
        row = products[s]
        best_a = np.inf
        for m in range(m_count):
            a = wsq[m] - 2.0 * row[m]
            if a < best_a:
                best_a = a
        tol = 2.0 * scale * (xsq[s] + wsq_max)
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
