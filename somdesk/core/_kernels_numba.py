"""Compiled inner loops and their shared helpers (numba). Imported only through `somdesk.core.kernels`.

The classic epoch itself lives in somdesk.core._online_numba (planar codebook).

Why compiled: the classic algorithm is sequential (each input sees the weights
the previous one left), so numpy can only vectorise over nodes, and its per-call
overhead dominates on a 100x100 map.  These loops do the same arithmetic as the
plain numpy transcription (somdesk.core.reference), with savings that change
the result by no more than float64 rounding:

* Grid offsets are whole steps (rows: multiples of 1 or sqrt(3)/2; columns:
  multiples of 1/2), so the neighbourhood factors of an epoch (sigma is constant
  within one) come from small tables instead of H*W exponentials per input.
* The gaussian is separable, exp(-(dx^2+dy^2)/2s^2) = exp(-dx^2/2s^2) exp(-dy^2/2s^2).
* Nodes whose factor alpha*h is below CUTOFF (1e-16, under float64 resolution
  of the data) are skipped: only a window around the BMU is touched.
* The BMU search prunes 8x8 tiles of nodes by a bounding box of their weights:
  the distance from v to the box is a lower bound for every node inside.  Boxes
  are recomputed each epoch and, after each update, grown to cover where the
  update can have moved the tile's nodes (towards v by at most the tile's
  largest factor), so the search stays exact.  Ties go to the first node in
  row-major order, as np.argmin does.

online_epoch lets LLVM fuse multiply-adds (fastmath 'contract'): in the update one
rounding instead of two, well inside the 1e-6 the reference test allows.  The
helpers here state fastmath=False: numba gives a kernel that states none the flags
of whichever caller compiles it first (docs/kernels.md, "Fast-math flags are
stated, not inherited"); none of them has a multiply feeding an add, so the flag
changes no instruction of theirs.

Loops index from 0 over slices on purpose: numba then knows the index is never
negative, drops its wraparound checks and LLVM vectorises the loop.

`cache=True` keeps the machine code on disk (NUMBA_CACHE_DIR or __pycache__),
so the compile cost (a few seconds) is paid once per machine, not per start.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from somdesk.core._stop_numba import stop_requested
from somdesk.core.numba_cache import configure as _configure_cache

_configure_cache()     # before any cache=True kernel (somdesk/core/numba_cache.py says why)


CUTOFF = 1e-16
GAUSSIAN, BUBBLE, MEXICAN_HAT, TRIANGLE = 0, 1, 2, 3
HEX_H = math.sqrt(3.0) / 2.0
HEX_H2 = 0.75   # HEX_H ** 2 exactly: squared distances come from whole steps (somdesk.core.topology)
# Relative slack of the bubble's d2 <= r^2 test; kernels.py checks it equals topology.RADIUS_RTOL.
RADIUS_RTOL = 1e-9
# Tile side of the pruned BMU search. Written here, not imported, because numba's
# cache only notices edits to this file; kernels.py checks it equals _tiles.TILE.
TILE = 8
_SLACK = 1e-9  # relative slack on pruning bounds, far above rounding error


@njit(cache=True, nogil=True, fastmath=False)
def _h(nb, d2, sigma):
    if nb == GAUSSIAN:
        return math.exp(-d2 / (2.0 * sigma * sigma))
    if nb == BUBBLE:
        return 1.0 if d2 <= sigma * sigma * (1.0 + RADIUS_RTOL) else 0.0
    if nb == TRIANGLE:
        d = math.sqrt(d2)
        return 1.0 - d / sigma if d < sigma else 0.0
    # mexican hat (Ricker wavelet): the negative rim pushes weights apart
    q = d2 / (sigma * sigma)
    return (1.0 - q) * math.exp(-0.5 * q)


@njit(cache=True, nogil=True, fastmath=False)
def _reach(nb, sigma, alpha):
    """Radius beyond which alpha*|h(d)| < CUTOFF, in grid units."""
    if nb == BUBBLE or nb == TRIANGLE:
        return sigma
    if alpha <= CUTOFF:
        return 0.0
    r = sigma * math.sqrt(2.0 * math.log(alpha / CUTOFF))
    if nb == MEXICAN_HAT:
        r = max(r, 10.0 * sigma)
    return r


@njit(cache=True, nogil=True, fastmath=False)
def _window(center, reach_cells, n, toroidal):
    """Index range [lo, hi) around center covering the reach; may pass 0..n if toroidal."""
    r = int(math.ceil(reach_cells)) + 1
    if 2 * r + 1 >= n:
        return 0, n
    lo = center - r
    hi = center + r + 1
    if not toroidal:
        lo = max(lo, 0)
        hi = min(hi, n)
    return lo, hi


@njit(cache=True, nogil=True, fastmath=False)
def _wrap(k, n):
    """k mod n for an index of a _window range (always in [-n, 2n)), without a division."""
    if k < 0:
        return k + n
    if k >= n:
        return k - n
    return k


@njit(cache=True, nogil=True, fastmath=False)
def _row_offset(i, bi, height, toroidal):
    d = abs(i - bi)
    if toroidal and height - d < d:
        d = height - d
    return d


@njit(cache=True, nogil=True, fastmath=False)
def _col_offset2(j, p, bx2, width, toroidal):
    """|x - bx| in half cells for column j on a row of parity p."""
    d = abs(2 * j + p - bx2)
    if toroidal and 2 * width - d < d:
        d = 2 * width - d
    return d


@njit(cache=True, nogil=True, fastmath=False)
def factor_tables(height, width, sigma, alpha, hexagonal):
    """ty[k] = alpha exp(-k^2 ystep^2/2s^2), tx[k] = exp(-(k/2)^2/2s^2), squares exact."""
    ystep2 = HEX_H2 if hexagonal else 1.0
    inv = 1.0 / (2.0 * sigma * sigma)
    ty = np.empty(height + 1)
    for k in range(height + 1):
        ty[k] = alpha * math.exp(-(k * k * ystep2) * inv)
    tx = np.empty(2 * width + 2)
    for k in range(2 * width + 2):
        tx[k] = math.exp(-(k * k * 0.25) * inv)
    return ty, tx


@njit(cache=True, nogil=True)
def bmu_scan(wf, v):
    """(index, squared distance) of the nearest node by a full scan; first on ties."""
    m_count, dim = wf.shape
    best = np.inf
    best_i = 0
    for m in range(m_count):
        s = 0.0
        for d in range(dim):
            t = wf[m, d] - v[d]
            s += t * t
        if s < best:
            best = s
            best_i = m
    return best_i, best


@njit(cache=True, nogil=True)
def _grow_boxes(v, r_lo, r_hi, c_lo, c_hi, rowmax, colmax, height, width, lo, hi, dirty):
    """Grow tile boxes to cover every node an update with factors <= rowmax*colmax moved."""
    dim = v.shape[0]
    nty = lo.shape[0]
    ntx = lo.shape[1]
    tmax_r = np.zeros(nty)
    tmax_c = np.zeros(ntx)
    for ii in range(r_lo, r_hi):
        i = ii % height
        if rowmax[i] > tmax_r[i // TILE]:
            tmax_r[i // TILE] = rowmax[i]
    for jj in range(c_lo, c_hi):
        j = jj % width
        if colmax[j] > tmax_c[j // TILE]:
            tmax_c[j // TILE] = colmax[j]
    for ty in range(nty):
        if tmax_r[ty] == 0.0:
            continue
        for tx in range(ntx):
            h = tmax_r[ty] * tmax_c[tx]
            if h == 0.0:
                continue
            if h > 1.0:
                h = 1.0
            dirty[ty, tx] = 1
            for d in range(dim):
                a = lo[ty, tx, d]
                b = hi[ty, tx, d]
                if v[d] < a:
                    a = a + h * (v[d] - a)
                    a -= 1e-12 * (abs(a) + abs(v[d]))
                    lo[ty, tx, d] = a
                elif v[d] > b:
                    b = b + h * (v[d] - b)
                    b += 1e-12 * (abs(b) + abs(v[d]))
                    hi[ty, tx, d] = b


@njit(cache=True, nogil=True)
def batch_accumulate(sums, counts, height, width, sigma, nb, hexagonal, toroidal, num, den, m0, m1,
                     flag):
    """num[n] += sum_m h(n, m) sums[m]; den[n] += sum_m h(n, m) counts[m], m in [m0, m1).

    Stops early (leaving num, den partial) when flag[0] is set; the caller checks.
    """
    dim = sums.shape[1]
    ystep = HEX_H if hexagonal else 1.0
    ystep2 = HEX_H2 if hexagonal else 1.0
    reach = _reach(nb, sigma, 1.0)
    for m in range(m0, m1):
        if stop_requested(flag):
            return
        c = counts[m]
        if c == 0:
            continue
        bi = m // width
        bj = m - bi * width
        bx2 = 2 * bj + (bi % 2 if hexagonal else 0)
        r_lo, r_hi = _window(bi, reach / ystep, height, toroidal)
        c_lo, c_hi = _window(bj, reach, width, toroidal)
        for ii in range(r_lo, r_hi):
            i = ii % height
            p = i % 2 if hexagonal else 0
            ky = _row_offset(i, bi, height, toroidal)
            dy2 = ky * ky * ystep2
            for jj in range(c_lo, c_hi):
                j = jj % width
                kx = _col_offset2(j, p, bx2, width, toroidal)
                h = _h(nb, dy2 + kx * kx * 0.25, sigma)
                if h >= CUTOFF:
                    n = i * width + j
                    den[n] += h * c
                    for d in range(dim):
                        num[n, d] += h * sums[m, d]


@njit(cache=True, nogil=True)
def two_nearest(wf, x, out, out_d2, flag):
    """out[s] = (nearest, second nearest) node of x[s]; first index wins ties.
    out_d2[s] = the nearest one's squared distance, when out_d2 has a place for every row
    (else it is not written): the nearest node and its distance are bmu_scan's, bit for bit
    (the same sums in the same order, the same strict comparison), so one scan gives a live
    map's BMUs, QE and TE.

    nogil, so the window's worker can measure the topographic error without
    holding up the GUI thread.  Stops early when flag[0] is set (caller checks).
    """
    with_d2 = out_d2.shape[0] == x.shape[0]
    m_count, dim = wf.shape
    for s in range(x.shape[0]):
        if stop_requested(flag):
            return
        b1 = np.inf
        b2 = np.inf
        i1 = 0
        i2 = 0
        for m in range(m_count):
            t2 = 0.0
            for d in range(dim):
                t = wf[m, d] - x[s, d]
                t2 += t * t
            if t2 < b1:
                b2 = b1
                i2 = i1
                b1 = t2
                i1 = m
            elif t2 < b2:
                b2 = t2
                i2 = m
        out[s, 0] = i1
        out[s, 1] = i2
        if with_d2:
            out_d2[s] = b1


@njit(cache=True, nogil=True)
def _add_distances(wp, i, ni, ja, jb, n, s, out, count):
    """Nodes (i, ja..ja+n) against (ni, jb..jb+n): distances added to out, 1 to count.
    Slices indexed from 0 (no negative-index handling), so the loops vectorise."""
    for q in range(n):
        s[q] = 0.0
    for d in range(wp.shape[0]):
        a = wp[d, i, ja:ja + n]
        b = wp[d, ni, jb:jb + n]
        for q in range(n):
            t = a[q] - b[q]
            s[q] += t * t
    o = out[i, ja:ja + n]
    c = count[i, ja:ja + n]
    for q in range(n):
        o[q] += math.sqrt(s[q])
        c[q] += 1.0


@njit(cache=True, nogil=True)
def u_matrix(wp, hexagonal, toroidal, out):
    """out (H, W): mean Euclidean distance from each node of the planar codebook wp (D, H, W)
    to its grid neighbours; the arithmetic of somdesk.core.metrics.u_matrix_numpy for D < 8
    (one pass per neighbour offset in the order of metrics.neighbour_offsets, squared
    differences summed in dimension order), so the same bits.  Toroidal maps need H, W > 2."""
    dim, height, width = wp.shape
    count = np.zeros((height, width))
    out[...] = 0.0
    s = np.empty(width)
    # row by row, each row's offsets in order: a node's distances are added in the same order
    # as offset by offset over the whole map (the same bits), with the three rows it reads
    # still in cache (a 1000x1000 map: 55 -> 30 ms; it was 8 sweeps of the codebook)
    for i in range(height):
        parity = i % 2 if hexagonal else 0
        for k in range(6 if hexagonal else 8):
            if hexagonal:
                # (0, -1), (0, 1), (-1, p-1), (-1, p), (1, p-1), (1, p)
                di = 0 if k < 2 else (-1 if k < 4 else 1)
                dj = (-1 if k == 0 else 1) if k < 2 else parity - 1 + (k % 2)
            else:
                q = k if k < 4 else k + 1          # the 3x3 block without its centre, row by row
                di = q // 3 - 1
                dj = q % 3 - 1
            j0 = max(0, -dj)
            n = min(width, width - dj) - j0
            ni = i + di
            if toroidal:
                ni %= height
            elif ni < 0 or ni >= height:
                continue
            _add_distances(wp, i, ni, j0, j0 + dj, n, s, out, count)
            if toroidal and dj > 0:        # the columns that wrap round
                _add_distances(wp, i, ni, width - dj, 0, dj, s, out, count)
            elif toroidal and dj < 0:
                _add_distances(wp, i, ni, 0, width + dj, -dj, s, out, count)
    for i in range(height):
        for j in range(width):
            c = count[i, j]
            out[i, j] = out[i, j] / c if c > 0 else 0.0
