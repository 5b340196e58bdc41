"""The classic (online) epoch on a planar codebook (numba). Imported through `somdesk.core.kernels`.

Why planar: the update w += a g(x) (v - w) runs over every node in a window
around the BMU.  With the codebook stored (H, W, D), D = 3 for colours, the
innermost loop is 3 long and does not vectorise; stored as D planes of (H, W)
each row of each plane is a contiguous run of W doubles with one scalar v[d],
which LLVM turns into SIMD code.  somdesk.core.som.SOM keeps its codebook
planar between epochs and shows callers an (H, W, D) view of it, so no epoch
pays a transpose (two would cost ~30% of a seed-job epoch).

Same arithmetic as before, node by node (see somdesk.core._kernels_numba for
the tables, windows, tile pruning and cutoff), so results match the plain
transcription to float64 rounding.  BMU distances are summed in dimension
order; ties go to the first node in row-major order, as np.argmin's.  The
kernels online_epoch calls state fastmath={'contract'} as it does (numba would
otherwise give them the flags of whichever caller compiled them first:
docs/kernels.md, "Fast-math flags are stated, not inherited").
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from somdesk.core._kernels_numba import (
    CUTOFF, GAUSSIAN, HEX_H, HEX_H2, MEXICAN_HAT, TILE, _SLACK, _col_offset2, _h, _reach,
    _row_offset, _window, _wrap, factor_tables,
)
from somdesk.core._online3_numba import _fused_pass3, _inside, _search_outside3, _window_pass3, bmu_scan3
from somdesk.core._stop_numba import stop_requested
from somdesk.core.numba_cache import configure as _configure_cache

_configure_cache()     # before any cache=True kernel (somdesk/core/numba_cache.py says why)


@njit(cache=True, nogil=True, fastmath={'contract'})
def refresh_boxes_planar(wp, lo, hi, dirty):
    """Exact bounding box of every dirty tile; wp (D, H, W), lo/hi (D, tiles, tiles).

    A band of TILE rows holding a dirty tile is measured whole: column minima and
    maxima down the band (element-wise selects over whole rows: they vectorise),
    then each tile's over its columns.  Tile by tile, the 8-long loops did not
    vectorise: ~17 us for a 100x100 map against ~4.
    """
    dim, height, width = wp.shape
    cmn = np.empty(width)
    cmx = np.empty(width)
    for ty in range(dirty.shape[0]):
        any_dirty = False
        for tx in range(dirty.shape[1]):
            any_dirty = any_dirty or dirty[ty, tx] != 0
            dirty[ty, tx] = 0
        if not any_dirty:
            continue
        i0, i1 = ty * TILE, min(ty * TILE + TILE, height)
        for d in range(dim):
            first = wp[d, i0]
            for j in range(width):
                cmn[j] = first[j]
                cmx[j] = first[j]
            for i in range(i0 + 1, i1):
                row = wp[d, i]
                for j in range(width):
                    x = row[j]
                    cmn[j] = x if x < cmn[j] else cmn[j]
                    cmx[j] = x if x > cmx[j] else cmx[j]
            for tx in range(dirty.shape[1]):
                mn = np.inf
                mx = -np.inf
                for j in range(tx * TILE, min(tx * TILE + TILE, width)):
                    mn = min(mn, cmn[j])
                    mx = max(mx, cmx[j])
                lo[d, ty, tx] = mn
                hi[d, ty, tx] = mx


@njit(cache=True, nogil=True, fastmath={'contract'})
def _node_d2(wp, v, i, j):
    s = 0.0
    for d in range(wp.shape[0]):
        t = wp[d, i, j] - v[d]
        s += t * t
    return s


@njit(cache=True, nogil=True, fastmath={'contract'})
def bmu_scan_planar(wp, v, dist):
    """Nearest node by a full scan, vectorised over the nodes of each plane; first on ties."""
    dim = wp.shape[0]
    m_count = dist.shape[0]
    flat = wp.reshape(dim, m_count)
    v0 = v[0]
    for m in range(m_count):
        t = flat[0, m] - v0
        dist[m] = t * t
    for d in range(1, dim):
        vd = v[d]
        row = flat[d]
        for m in range(m_count):
            t = row[m] - vd
            dist[m] += t * t
    # np.argmin compiles to a scalar loop (~1 ns a node); the minimum of the distances'
    # bits as int64 (same order for non-negative doubles) vectorises, then the first
    # node holding it is the argmin, ties included
    di = dist.view(np.int64)
    best = di[0]
    for m in range(1, m_count):
        best = min(best, di[m])
    for m in range(m_count):
        if di[m] == best:
            return m
    return 0


@njit(cache=True, nogil=True, fastmath={'contract'})
def bmu_tiles_planar(wp, v, lo, hi, start, lb, dist):
    """Exact BMU (first in row-major order on ties), pruning 8x8 tiles by their boxes.

    lb (tiles,) and dist (H*W,) are scratch.  The lower bounds of all tiles are
    computed plane by plane (vectorised), then each tile that may hold a nearer
    node is scanned a row of up to 8 nodes at a time, summing in dimension order.
    """
    dim, height, width = wp.shape
    nty = lo.shape[1]
    ntx = lo.shape[2]
    nt = nty * ntx
    lof = lo.reshape(dim, nt)
    hif = hi.reshape(dim, nt)
    for t in range(nt):
        lb[t] = 0.0
    for d in range(dim):
        vd = v[d]
        a = lof[d]
        b = hif[d]
        for t in range(nt):
            g = max(a[t] - vd, vd - b[t], 0.0)
            lb[t] += g * g
    best_i = start
    best = _node_d2(wp, v, start // width, start % width)
    passing = 0
    for t in range(nt):
        if lb[t] <= best * (1.0 + _SLACK):
            passing += 1
    if 4 * passing > nt:
        # a flat, unordered or early map: the boxes prune little, and a full scan
        # of the planes (long contiguous runs, SIMD) is faster than tile by tile
        return bmu_scan_planar(wp, v, dist)
    for t in range(nt):
        if lb[t] > best * (1.0 + _SLACK):
            continue
        ty = t // ntx
        tx = t - ty * ntx
        i1 = min(ty * TILE + TILE, height)
        j0 = tx * TILE
        n_j = min(j0 + TILE, width) - j0
        for i in range(ty * TILE, i1):
            for j in range(j0, j0 + n_j):
                s = 0.0
                for d in range(dim):
                    u = wp[d, i, j] - v[d]
                    s += u * u
                if s < best or (s == best and i * width + j < best_i):
                    best = s
                    best_i = i * width + j
    return best_i


@njit(cache=True, nogil=True, fastmath={'contract'})
def _grow_boxes_planar(v, r_lo, r_hi, c_lo, c_hi, rowmax, colmax, height, width, lo, hi, dirty,
                       tmax_r, tmax_c):
    """Grow tile boxes to cover every node an update with factors <= rowmax*colmax moved.

    A node moved by f <= h towards v stays inside the box grown towards v by h (plus a
    relative 1e-12 for rounding).  The loops over a row of tiles are written without
    branches (selects), so they vectorise: with branches, the unpredictable side of v
    cost ~20% of a windowed epoch.
    """
    dim = v.shape[0]
    nty = dirty.shape[0]
    ntx = dirty.shape[1]
    tmax_r[:] = 0.0
    tmax_c[:] = 0.0
    for ii in range(r_lo, r_hi):
        i = _wrap(ii, height)
        if rowmax[i] > tmax_r[i // TILE]:
            tmax_r[i // TILE] = rowmax[i]
    for jj in range(c_lo, c_hi):
        j = _wrap(jj, width)
        if colmax[j] > tmax_c[j // TILE]:
            tmax_c[j // TILE] = colmax[j]
    tx0 = 0                 # the tile columns the window touches (all between, if it wraps)
    while tx0 < ntx and tmax_c[tx0] == 0.0:
        tx0 += 1
    tx1 = ntx
    while tx1 > tx0 and tmax_c[tx1 - 1] == 0.0:
        tx1 -= 1
    for ty in range(nty):
        tr = tmax_r[ty]
        if tr == 0.0:
            continue
        drow = dirty[ty]
        for tx in range(tx0, tx1):
            drow[tx] = 1 if tr * tmax_c[tx] > 0.0 else drow[tx]
        for d in range(dim):
            vd = v[d]
            lrow = lo[d, ty]
            hrow = hi[d, ty]
            for tx in range(tx0, tx1):
                h = min(tr * tmax_c[tx], 1.0)
                a = lrow[tx]
                na = a + h * (vd - a)
                na -= 1e-12 * (abs(na) + abs(vd))
                lrow[tx] = na if (h > 0.0 and vd < a) else a
                b = hrow[tx]
                nb = b + h * (vd - b)
                nb += 1e-12 * (abs(nb) + abs(vd))
                hrow[tx] = nb if (h > 0.0 and vd > b) else b


@njit(cache=True, nogil=True, fastmath={'contract'})
def _covers(reach_cells, n):
    """True when _window gives the whole range [0, n) wherever the centre is."""
    r = int(math.ceil(reach_cells)) + 1
    return 2 * r + 1 >= n


@njit(cache=True, nogil=True, fastmath={'contract'})
def online_epoch(wp, x, order, alpha, sigma, nb, hexagonal, toroidal, last_bmu, bmus,
                 lo, hi, dirty, flag):
    """One iteration of the classic algorithm: present x[order[k]] in turn.

    wp (D, H, W), the planar codebook, is updated in place.  Returns how many
    inputs were presented: order.shape[0], or fewer when flag[0] (a
    CancelToken's flag, read before every input) was set; wp then holds the
    weights after those inputs.
    last_bmu[n] (input n's BMU last time) seeds the pruned search and is
    updated; bmus[k] receives the BMU of the k-th presented input.  lo, hi
    (tiles, tiles, D) and dirty (tiles, tiles) are the tile boxes kept by the
    caller between epochs (lo, hi planar: (D, tiles, tiles)); mark every tile
    dirty when the weights change from outside.
    """
    dim, height, width = wp.shape
    prune = nb != MEXICAN_HAT      # repulsion moves nodes where the boxes do not follow
    colours = nb == GAUSSIAN and dim == 3
    reach = _reach(nb, sigma, alpha)
    ystep = HEX_H if hexagonal else 1.0
    fused = colours and _covers(reach / ystep, height) and _covers(reach, width)
    if prune and not fused:   # a fused epoch needs no boxes: its first BMU comes from a full scan
        refresh_boxes_planar(wp, lo, hi, dirty)
    dist = np.empty(height * width)
    lb = np.empty(dirty.shape[0] * dirty.shape[1])
    tmax_r = np.empty(dirty.shape[0])
    tmax_c = np.empty(dirty.shape[1])
    ty, tx = factor_tables(height, width, sigma, alpha, hexagonal)
    ystep2 = HEX_H2 if hexagonal else 1.0
    n_par = 2 if hexagonal else 1
    xlo = np.full(dim, np.inf)   # the data's box: the mexican hat's repulsion stays inside it
    xhi = np.full(dim, -np.inf)
    if nb == MEXICAN_HAT:
        for n in range(x.shape[0]):
            for d in range(dim):
                xlo[d] = min(xlo[d], x[n, d])
                xhi[d] = max(xhi[d], x[n, d])
    gx = np.zeros((2, width))
    fr = np.empty(width)
    rowf = np.zeros(height)
    colmax = np.zeros(width)
    done = order.shape[0]
    # colours, gaussian: one pass per input does the update and the next input's distances
    # (somdesk.core._online3_numba); when every input moves every node, that pass alone finds
    # the next BMU (fused), else it is finished by a tile search outside the window
    row_in = np.zeros(dirty.shape[0], dtype=np.bool_)
    col_in = np.zeros(dirty.shape[1], dtype=np.bool_)
    flat = wp.reshape(wp.size)       # 1-D views for those passes, made once per epoch
    gxf = gx.reshape(gx.size)
    lof = lo.reshape(dim, lb.shape[0])
    hif = hi.reshape(dim, lb.shape[0])
    next_b = -1
    for k in range(order.shape[0]):
        if stop_requested(flag):
            done = k
            break
        src = order[k]
        v = x[src]
        if next_b >= 0:
            b = next_b
        elif fused:
            b = bmu_scan3(wp, flat, v)
        elif prune:
            b = bmu_tiles_planar(wp, v, lo, hi, last_bmu[src], lb, dist)
        else:
            b = bmu_scan_planar(wp, v, dist)
        last_bmu[src] = b
        bmus[k] = b
        bi = b // width
        bj = b - bi * width
        bx2 = 2 * bj + (bi % 2 if hexagonal else 0)
        r_lo, r_hi = _window(bi, reach / ystep, height, toroidal)
        c_lo, c_hi = _window(bj, reach, width, toroidal)
        if nb == GAUSSIAN:
            for jj in range(c_lo, c_hi):
                j = _wrap(jj, width)
                cm = 0.0
                for p in range(n_par):
                    g = tx[_col_offset2(j, p, bx2, width, toroidal)]
                    cm = max(cm, g)
                    gx[p, j] = g
                colmax[j] = cm
            u = x[order[k + 1]] if k + 1 < order.shape[0] else v
            if fused:
                next_b = _fused_pass3(wp, flat, gxf, v, u, bi, ty, hexagonal, toroidal, k % 2 == 1)
                continue
            if colours and prune:
                best, best_n = _window_pass3(wp, flat, gxf, v, u, bi, r_lo, r_hi, c_lo, c_hi, ty, rowf,
                                             hexagonal, toroidal)
                _grow_boxes_planar(v, r_lo, r_hi, c_lo, c_hi, rowf, colmax, height, width, lo, hi, dirty,
                                   tmax_r, tmax_c)
                for ii in range(r_lo, r_hi):
                    rowf[_wrap(ii, height)] = 0.0
                for jj in range(c_lo, c_hi):
                    colmax[_wrap(jj, width)] = 0.0
                if k + 1 < order.shape[0]:
                    for t in range(row_in.shape[0]):
                        row_in[t] = _inside(t, r_lo, r_hi, height)
                    for t in range(col_in.shape[0]):
                        col_in[t] = _inside(t, c_lo, c_hi, width)
                    next_b = _search_outside3(wp, flat, u, lof, hif, lb, row_in, col_in, best, best_n,
                                              last_bmu[order[k + 1]])
                continue
        else:
            for jj in range(c_lo, c_hi):
                colmax[_wrap(jj, width)] = 1.0
        for ii in range(r_lo, r_hi):
            i = _wrap(ii, height)
            p = i % 2 if hexagonal else 0
            if nb == GAUSSIAN:
                a = ty[_row_offset(i, bi, height, toroidal)]
                rowf[i] = a if a >= CUTOFF else 0.0
                if a < CUTOFF:
                    continue
                lo_c = c_lo
                while lo_c < c_hi:  # one or two segments (two when the window wraps)
                    j0 = _wrap(lo_c, width)
                    seg = min(c_hi - lo_c, width - j0)
                    gs = gx[p, j0:j0 + seg]
                    fs = fr[:seg]          # the row's factors, shared by every plane
                    for q in range(seg):
                        fs[q] = a * gs[q]
                    for d in range(dim):
                        vd = v[d]
                        rs = wp[d, i, j0:j0 + seg]
                        for q in range(seg):
                            rs[q] += fs[q] * (vd - rs[q])
                    lo_c += seg
            else:
                ky = _row_offset(i, bi, height, toroidal)
                dy2 = ky * ky * ystep2
                rowf[i] = alpha
                for jj in range(c_lo, c_hi):
                    j = _wrap(jj, width)
                    kx = _col_offset2(j, p, bx2, width, toroidal)
                    h = alpha * _h(nb, dy2 + kx * kx * 0.25, sigma)
                    if h > 0.0:
                        for d in range(dim):
                            wp[d, i, j] += h * (v[d] - wp[d, i, j])
                    elif h < 0.0:
                        # repulsion (mexican hat rim): never beyond the data's range, or
                        # beyond where the weight already was (somdesk.core.kernels)
                        for d in range(dim):
                            old = wp[d, i, j]
                            new = old + h * (v[d] - old)
                            wp[d, i, j] = min(max(new, min(xlo[d], old)), max(xhi[d], old))
        if prune:
            _grow_boxes_planar(v, r_lo, r_hi, c_lo, c_hi, rowf, colmax, height, width, lo, hi, dirty,
                               tmax_r, tmax_c)
        for ii in range(r_lo, r_hi):
            rowf[_wrap(ii, height)] = 0.0
        for jj in range(c_lo, c_hi):
            colmax[_wrap(jj, width)] = 0.0
    if fused and prune:
        dirty[...] = 1     # the fused pass does not grow the tile boxes: rebuild them next epoch
    return done


@njit(cache=True, nogil=True, fastmath=False)
def online_epochs(wp, x, orders, alphas, sigmas, nb, hexagonal, toroidal, last_bmu, bmus,
                  lo, hi, dirty, flag, backup, snap_after, snaps):
    """Several classic epochs in one call: epoch e presents x[orders[e, k]] at alphas[e], sigmas[e].

    For a window at full speed: one call runs a frame's worth of epochs without
    the GIL.  Before each epoch wp is copied into backup (D, H, W).  Returns
    (epochs completed, status): status 0 all ran; 1 the flag was set during
    epoch `completed` (wp restored to that epoch's start, tiles marked dirty);
    2 that epoch left a weight non-finite (restored the same way).  bmus
    (E, N) receives each epoch's BMUs.  Snapshots: after epoch e completes, when
    e + 1 is snap_after[s] (ascending int64, epochs of this call), wp is copied
    into snaps[s] (S, D*H*W): a time-lapse's frames at their epochs without ending
    the call for each (every return waits for the GIL the drawing window holds).
    """
    flat = wp.reshape(wp.size)
    saved = backup.reshape(backup.size)
    s = 0
    while s < snap_after.shape[0] and snap_after[s] < 1:
        s += 1
    for e in range(orders.shape[0]):
        if stop_requested(flag):
            return e, 1
        _copy_flat(flat, saved)
        done = online_epoch(wp, x, orders[e], alphas[e], sigmas[e], nb, hexagonal, toroidal, last_bmu,
                            bmus[e], lo, hi, dirty, flag)
        if done < orders.shape[1] or not all_finite_flat(flat):
            _copy_flat(saved, flat)
            dirty[...] = 1
            return e, (1 if done < orders.shape[1] else 2)
        while s < snap_after.shape[0] and snap_after[s] == e + 1:
            _copy_flat(flat, snaps[s])
            s += 1
    return orders.shape[0], 0


# Per epoch of a short job (the seed job: 20 inputs, ~140 us an epoch) the two loops below
# cost ~15 us where `backup[...] = wp` (a strided 3-D loop) and np.sum (a sequential float
# sum that cannot vectorise without reordering) took ~47 us.

@njit(cache=True, nogil=True, fastmath=False)
def _copy_flat(src, dst):
    for k in range(src.shape[0]):
        dst[k] = src[k]


@njit(cache=True, nogil=True, fastmath=False)
def all_finite_flat(a):
    """True when no element of the 1-D float64 array is NaN or infinite: a NaN or an
    infinity is exactly a value whose 11 exponent bits are all ones; counting those on
    the bits as int64 vectorises."""
    bits = a.view(np.int64)
    bad = 0
    for k in range(bits.shape[0]):
        bad += (bits[k] & 0x7FF0000000000000) == 0x7FF0000000000000
    return bad == 0
