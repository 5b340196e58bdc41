"""Candidate check of the BLAS-product BMU search, and per-node sums (numba). Imported through `somdesk.core.kernels`.

somdesk.core.bmu_products computes, for a chunk of samples, the expanded
squared distances minus |x|^2 in float32 (one BLAS product) and derives the
rigorous error bound of that expansion; pick_exact then takes, per sample,
every node within the bound's window of the row's smallest as a candidate and
measures those exactly (sum of squared differences in dimension order, as
np.argmin over np.sum((w - x)**2) would): the smallest exact distance wins,
lowest index on ties.  Typically one candidate per sample, so the exact pass
costs O(N D) and the result equals a brute-force search, bit for bit.

The products come node by sample (M, n), so the scans (each sample's minimum,
its candidate count) run element-wise along contiguous rows for many samples at
once; they are small loops compiled with fastmath's no-NaN/no-infinity flags so
LLVM vectorises them.  A minimum and a count do not depend on the order of
evaluation, so the flags change no result (the products are finite: the data
and weights are checked).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from somdesk.core._stop_numba import stop_requested
from somdesk.core.numba_cache import configure as _configure_cache

_configure_cache()     # before any cache=True kernel (somdesk/core/numba_cache.py says why)


@njit(cache=True, nogil=True)
def _exact_d2(wf, m, xs):
    s = 0.0
    for d in range(xs.shape[0]):
        t = wf[m, d] - xs[d]
        s += t * t
    return s


@njit(cache=True, nogil=True, fastmath={'reassoc'})
def _fast_d2(wf, m, xs):
    """The squared distance of _exact_d2 from the same rounded terms t*t (no contraction),
    added in whatever order LLVM vectorises ('reassoc' only): ~55 ns at D = 300 against
    ~230 for the D-long dependent chain.  Any two orders of the same non-negative terms
    are within gamma_(D-1) of their true sum (Higham, eq. 4.4), so they differ by at most
    ~2 D u relative: pick_exact's gap."""
    w = wf[m]
    s = 0.0
    for d in range(xs.shape[0]):
        t = w[d] - xs[d]
        s += t * t
    return s


@njit(cache=True, nogil=True, fastmath={'nnan', 'ninf', 'nsz'})
def _column_minima(qt, best):
    """best[s] = min over m of qt[m, s]: element-wise over contiguous rows, so it vectorises
    (a minimum along one sample's 375 values is a reduction LLVM left scalar: ~100 ns a sample)."""
    best[:] = np.inf
    for m in range(qt.shape[0]):
        row = qt[m]
        for s in range(row.shape[0]):
            v = row[s]
            best[s] = v if v < best[s] else best[s]


@njit(cache=True, nogil=True, fastmath={'nnan', 'ninf', 'nsz'})
def _count_columns(qt, thr, count, isum):
    """count[s] = how many qt[m, s] <= thr[s], isum[s] = the sum of those m (the node, when one)."""
    count[:] = 0
    isum[:] = 0
    for m in range(qt.shape[0]):
        row = qt[m]
        node = np.int32(m)
        for s in range(row.shape[0]):
            t = row[s] <= thr[s]
            count[s] += np.int32(1) if t else np.int32(0)
            isum[s] += node if t else np.int32(0)


@njit(cache=True, nogil=True)
def pick_exact(qt, xsq, wf, x, wsq_max, scale, out_idx, out_d2, flag):
    """out_idx[s], out_d2[s]: exact BMU of x[s] among all rows of wf, and its squared distance.

    qt (M, n) float32: |w - mean|^2 - 2 (x - mean).(w - mean), node by sample, from BLAS
    (nodes x samples, so the scans for the row minima and the candidates run along
    contiguous memory for many samples at once); xsq (n,) |x - mean|^2; wf (M, D), x (n, D)
    the float64 rows, measured exactly; wsq_max = max |w - mean|^2 (W^2); scale =
    bmu_products.tolerance_scale(D).  The window is scale (2 |x| W + W^2) (bmu_products'
    docstring derives it); its edge is rounded up to float32, which can only add candidates.
    An empty out_d2 asks for the BMUs only: a sample with one candidate then costs
    no exact distance (a D-long dependent chain of additions, ~0.4 us at D = 300,
    as much as the rest of the check; batch epochs need no distances).
    Stops (leaving the rest unset) once flag[0] is set; the caller checks.
    """
    m_count, n = qt.shape
    want_d2 = out_d2.shape[0] > 0
    if stop_requested(flag):
        return
    thr = np.empty(n, np.float32)
    _column_minima(qt, thr)
    for s in range(n):
        t = np.float64(thr[s]) + scale * (2.0 * np.sqrt(xsq[s] * wsq_max) + wsq_max)
        t32 = np.float32(t)
        if np.float64(t32) < t:
            t32 = np.nextafter(t32, np.float32(np.inf))
        thr[s] = t32
    count = np.empty(n, np.int32)
    isum = np.empty(n, np.int32)
    _count_columns(qt, thr, count, isum)
    fd = np.empty(m_count)
    # two summation orders of the same D non-negative terms differ by <= 2 gamma_D relative,
    # gamma_D = D u / (1 - D u); 4x that margin, plus one more rounding of the product
    gap = 1.0 + 8.0 * (x.shape[1] + 1) * 2.0 ** -53
    for s in range(n):
        if stop_requested(flag):
            return
        xs = x[s]
        thr32 = thr[s]
        if count[s] == 1:
            only = isum[s]
            out_idx[s] = only
            if want_d2:
                out_d2[s] = _exact_d2(wf, only, xs)
            continue
        # Several candidates (a smooth map's neighbours are close): rank them by _fast_d2;
        # only those within the two orders' rounding gap of the fastest's are measured in
        # _exact_d2's order, whose smallest (lowest index on ties) is brute force's answer.
        left = count[s]
        fast_best = np.inf
        last = 0
        for m in range(m_count):
            if qt[m, s] <= thr32:
                f = _fast_d2(wf, m, xs)
                fd[m] = f
                fast_best = min(fast_best, f)
                last = m
                left -= 1
                if left == 0:
                    break
        limit = fast_best * gap
        survivors = 0
        first = 0
        for m in range(last + 1):
            if qt[m, s] <= thr32 and fd[m] <= limit:
                survivors += 1
                first = m if survivors == 1 else first
        if survivors == 1 and not want_d2:
            out_idx[s] = first
            continue
        best = np.inf
        best_i = 0
        for m in range(first, last + 1):
            if qt[m, s] <= thr32 and fd[m] <= limit:
                e = _exact_d2(wf, m, xs)
                if e < best:
                    best = e
                    best_i = m
        out_idx[s] = best_i
        if want_d2:
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


@njit(cache=True, nogil=True)
def column_stats(x, sums, lo, hi):
    """sums[d] += x[s, d] in sample order, lo[d] / hi[d] = min / max with x[s, d], over x's rows.

    One pass over (n, D) for the product search's centring (three numpy reductions
    read the data three times, ~12 ms on 16,000 x 300).  The data are finite (checked)."""
    for s in range(x.shape[0]):
        row = x[s]
        for d in range(x.shape[1]):
            v = row[d]
            sums[d] += v
            lo[d] = v if v < lo[d] else lo[d]
            hi[d] = v if v > hi[d] else hi[d]


@njit(cache=True, nogil=True, fastmath={'reassoc'})
def centre_rows(x, mean, scale, out32, outsq):
    """out32[s] = [float32(scale (x[s] - mean)), 1], outsq[s] = |scale (x[s] - mean)|^2.

    The centred values are rounded as numpy's (x - mean) * scale then astype(float32);
    only the sum of squares may be added in any order ('reassoc', vectorised): it sets
    the candidate window, where a relative 1e-13 is far inside the margin of 2."""
    dim = x.shape[1]
    for s in range(x.shape[0]):
        row = x[s]
        dst = out32[s]
        acc = 0.0
        for d in range(dim):
            v = (row[d] - mean[d]) * scale
            dst[d] = np.float32(v)
            acc += v * v
        dst[dim] = np.float32(1.0)
        outsq[s] = acc
