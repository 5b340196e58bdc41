"""The classic (online) epoch for many dimensions, gaussian neighbourhood (numba). Imported through `somdesk.core.kernels`.

Same arithmetic, node by node and dimension by dimension, as
somdesk.core._online_numba.online_epoch (the weights agree bit for bit; tests
check), arranged for D in the tens or hundreds, where that kernel's 8x8 tile
boxes prune almost nothing (in 50-D the distance from an input to a box is far
below its distance to any node in it) and its update runs one short loop per
(row, plane):

* BMU: a full scan of the planar codebook, four planes per pass over the
  nodes.  Each node's distance is still summed in dimension order with no
  fused multiply-add (((d + t0^2) + t1^2) + ...), so ties resolve as
  np.argmin over np.sum((w - v)**2) does; the running sums are loaded and
  stored once per four planes instead of once per plane.
* Update: the window's rows are contiguous in every plane, so the factors of
  the rows in the window go into one array (zero outside the column window:
  w + 0 (v - w) = w) and each plane is updated by one long loop.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from somdesk.core._kernels_numba import (
    CUTOFF, HEX_H, _col_offset2, _reach, _row_offset, _window, _wrap, factor_tables,
)
from somdesk.core._stop_numba import stop_requested
from somdesk.core.numba_cache import configure as _configure_cache

_configure_cache()     # before any cache=True kernel (somdesk/core/numba_cache.py says why)

GAUSSIAN_CODE = 0


@njit(cache=True, nogil=True)
def bmu_scan_blocked(flat, v, dist):
    """Nearest node of v among the columns of flat (D, M); first on ties; dist (M,) is scratch."""
    dim, m_count = flat.shape
    v0 = v[0]
    r0 = flat[0]
    for m in range(m_count):
        t = r0[m] - v0
        dist[m] = t * t
    d = 1
    while d + 4 <= dim:
        va = v[d]
        vb = v[d + 1]
        vc = v[d + 2]
        vd = v[d + 3]
        ra = flat[d]
        rb = flat[d + 1]
        rc = flat[d + 2]
        rd = flat[d + 3]
        for m in range(m_count):
            ta = ra[m] - va
            tb = rb[m] - vb
            tc = rc[m] - vc
            td = rd[m] - vd
            dist[m] = (((dist[m] + ta * ta) + tb * tb) + tc * tc) + td * td
        d += 4
    while d < dim:
        vd = v[d]
        rd = flat[d]
        for m in range(m_count):
            t = rd[m] - vd
            dist[m] += t * t
        d += 1
    best = dist[0]
    best_i = 0
    for m in range(1, m_count):
        if dist[m] < best:
            best = dist[m]
            best_i = m
    return best_i


@njit(cache=True, nogil=True, fastmath={'contract'})
def _update_span(flat, v, fac, s0, s1):
    """w += f (v - w) for nodes s0..s1 of every plane (the same expression and flags as online_epoch)."""
    fs = fac[s0:s1]
    for d in range(flat.shape[0]):
        vd = v[d]
        rs = flat[d, s0:s1]
        for q in range(s1 - s0):
            rs[q] += fs[q] * (vd - rs[q])


@njit(cache=True, nogil=True)
def column_factors(gx, tx, bi, bj, reach, hexagonal, toroidal, width):
    """gx[p, j] = the gaussian's column factor of column j for BMU (bi, bj), per row parity p
    (two on a hexagonal grid, whose odd rows sit half a cell right); zero outside the column
    window.  One definition for the wide and the block epochs, so their factors are the same;
    the window's columns wrap without an integer division (_wrap)."""
    bx2 = 2 * bj + (bi % 2 if hexagonal else 0)
    c_lo, c_hi = _window(bj, reach, width, toroidal)
    for p in range(2 if hexagonal else 1):
        for j in range(width):
            gx[p, j] = 0.0
        for jj in range(c_lo, c_hi):
            j = _wrap(jj, width)
            gx[p, j] = tx[_col_offset2(j, p, bx2, width, toroidal)]


@njit(cache=True, nogil=True)
def online_epoch_wide(wp, x, order, alpha, sigma, hexagonal, toroidal, last_bmu, bmus, flag):
    """One iteration of the classic algorithm with the gaussian neighbourhood: present x[order[k]] in turn.

    wp (D, H, W) planar codebook, updated in place; x (N, D); order (n,) int64;
    last_bmu (N,) and bmus (n,) int64 receive the BMUs.  Returns how many
    inputs were presented (fewer when flag[0], read before every input, was set).
    """
    dim, height, width = wp.shape
    m_count = height * width
    flat = wp.reshape(dim, m_count)
    dist = np.empty(m_count)
    ty, tx = factor_tables(height, width, sigma, alpha, hexagonal)
    ystep = HEX_H if hexagonal else 1.0
    reach = _reach(GAUSSIAN_CODE, sigma, alpha)
    gx = np.zeros((2, width))
    fac = np.zeros(m_count)
    for k in range(order.shape[0]):
        if stop_requested(flag):
            return k
        src = order[k]
        v = x[src]
        b = bmu_scan_blocked(flat, v, dist)
        last_bmu[src] = b
        bmus[k] = b
        bi = b // width
        bj = b - bi * width
        r_lo, r_hi = _window(bi, reach / ystep, height, toroidal)
        column_factors(gx, tx, bi, bj, reach, hexagonal, toroidal, width)
        lo_r = r_lo
        while lo_r < r_hi:   # one or two runs of rows (two when the window wraps)
            i0 = lo_r % height
            seg = min(r_hi - lo_r, height - i0)
            first = -1
            last = -1
            for i in range(i0, i0 + seg):
                a = ty[_row_offset(i, bi, height, toroidal)]
                if a < CUTOFF:    # as online_epoch: such a row is not touched
                    for j in range(width):
                        fac[i * width + j] = 0.0
                    continue
                if first < 0:
                    first = i
                last = i
                p = i % 2 if hexagonal else 0
                for j in range(width):
                    fac[i * width + j] = a * gx[p, j]
            if first >= 0:
                _update_span(flat, v, fac, first * width, (last + 1) * width)
            lo_r += seg
    return order.shape[0]
