"""Exact nearest-node search for many samples: a kd-tree over the codebook (numba).

Used by batch training and the measures, where a million samples meet a map
of ten thousand nodes: brute force is 1e10 distances, the tree visits tens of
nodes per sample.  Built once per call (the codebook changes every epoch),
which costs milliseconds.  Ties go to the lowest node index, as np.argmin does:
a subtree is skipped only when its splitting plane is strictly farther than
the best distance found (with a relative slack far above rounding error).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange


from somdesk.core._kernels_numba import bmu_scan
from somdesk.core._stop_numba import stop_requested
from somdesk.core.numba_cache import configure as _configure_cache

_configure_cache()     # before any cache=True kernel (somdesk/core/numba_cache.py says why)

LEAF = 12
_SLACK = 1e-9


@njit(cache=True, nogil=True)
def build(wf, flag):
    """Return (perm, start, stop, split_dim, left, right, lo, hi): a kd-tree over wf's rows.

    When flag[0] is set the tree is left unfinished (still a valid tree whose
    unsplit nodes are big leaves); the caller checks the flag.
    """
    m, dim = wf.shape
    cap = 2 * (m // LEAF + 1) * 2 + 8
    perm = np.arange(m)
    start = np.empty(cap, np.int64)
    stop = np.empty(cap, np.int64)
    sdim = np.full(cap, -1, np.int64)
    left = np.full(cap, -1, np.int64)
    right = np.full(cap, -1, np.int64)
    start[0] = 0
    stop[0] = m
    n_nodes = 1
    stack = np.empty(cap, np.int64)
    top = 0
    stack[top] = 0
    top += 1
    while top > 0:
        top -= 1
        node = stack[top]
        a = start[node]
        b = stop[node]
        if b - a <= LEAF or stop_requested(flag):
            continue
        # split the widest dimension at its median
        best_d = 0
        best_spread = -1.0
        for d in range(dim):
            mn = np.inf
            mx = -np.inf
            for k in range(a, b):
                x = wf[perm[k], d]
                mn = min(mn, x)
                mx = max(mx, x)
            if mx - mn > best_spread:
                best_spread = mx - mn
                best_d = d
        if best_spread <= 0.0:
            continue  # all points identical: keep as a (big) leaf
        seg = perm[a:b].copy()
        keys = np.empty(b - a)
        for k in range(b - a):
            keys[k] = wf[seg[k], best_d]
        mid = (b - a) // 2
        # split at the median in O(n) (a selection, not a sort): keys below it go
        # left, then keys equal to it until the left half holds `mid` rows
        kth = np.partition(keys, mid)[mid]
        pos = a
        for k in range(b - a):
            if keys[k] < kth:
                perm[pos] = seg[k]
                pos += 1
        for k in range(b - a):
            if keys[k] == kth:
                perm[pos] = seg[k]
                pos += 1
        for k in range(b - a):
            if keys[k] > kth:
                perm[pos] = seg[k]
                pos += 1
        sdim[node] = best_d
        for child, (ca, cb) in enumerate(((a, a + mid), (a + mid, b))):
            c = n_nodes
            n_nodes += 1
            start[c] = ca
            stop[c] = cb
            if child == 0:
                left[node] = c
            else:
                right[node] = c
            stack[top] = c
            top += 1
    # bounding box of every node: the query's lower bound is its distance to the
    # box, which prunes far better than the splitting plane when the sample is
    # far from a compact codebook (a map early in batch training)
    lo = np.empty((n_nodes, dim))
    hi = np.empty((n_nodes, dim))
    # children are created after their parent: leaves first from their rows,
    # then every parent as the union of its two children (bottom-up, O(M D))
    for node in range(n_nodes - 1, -1, -1):
        if stop_requested(flag):
            break   # unfinished boxes: the caller raises Cancelled before any query
        if sdim[node] < 0:
            for d in range(dim):
                mn = np.inf
                mx = -np.inf
                for k in range(start[node], stop[node]):
                    x = wf[perm[k], d]
                    mn = min(mn, x)
                    mx = max(mx, x)
                lo[node, d] = mn
                hi[node, d] = mx
        else:
            a = left[node]
            b = right[node]
            for d in range(dim):
                lo[node, d] = min(lo[a, d], lo[b, d])
                hi[node, d] = max(hi[a, d], hi[b, d])
    return perm, start, stop, sdim, left, right, lo, hi


@njit(cache=True, nogil=True)
def _box_d2(xs, lo, hi, node):
    t = 0.0
    for d in range(xs.shape[0]):
        g = lo[node, d] - xs[d]
        if g <= 0.0:
            g = xs[d] - hi[node, d]
            if g < 0.0:
                g = 0.0
        t += g * g
    return t


@njit(cache=True, parallel=True)
def query(wf, x, tree, out_idx, out_d2, flag):
    """Exact BMU of every row of x; skips the remaining samples once flag[0] is set."""
    perm, start, stop, sdim, left, right, lo, hi = tree
    dim = wf.shape[1]
    for s in prange(x.shape[0]):
        if stop_requested(flag):
            continue
        xs = x[s]
        best = np.inf
        best_i = wf.shape[0]
        stack = np.empty(256, np.int64)
        bounds = np.empty(256)
        stack[0] = 0
        bounds[0] = 0.0
        top = 1
        while top > 0:
            top -= 1
            node = stack[top]
            if bounds[top] > best * (1.0 + _SLACK):
                continue
            if sdim[node] < 0:
                for k in range(start[node], stop[node]):
                    n = perm[k]
                    t2 = 0.0
                    for j in range(dim):
                        t = wf[n, j] - xs[j]
                        t2 += t * t
                    if t2 < best or (t2 == best and n < best_i):
                        best = t2
                        best_i = n
                continue
            a = left[node]
            b = right[node]
            da = _box_d2(xs, lo, hi, a)
            db = _box_d2(xs, lo, hi, b)
            if da > db:  # push the farther child first: the nearer is searched first
                a, b = b, a
                da, db = db, da
            if db <= best * (1.0 + _SLACK):
                stack[top] = b
                bounds[top] = db
                top += 1
            if da <= best * (1.0 + _SLACK):
                stack[top] = a
                bounds[top] = da
                top += 1
        out_idx[s] = best_i
        out_d2[s] = best


@njit(cache=True, nogil=True)
def brute(wf, x, out_idx, out_d2, flag):
    """Full scan for a handful of samples, where building a tree would cost more."""
    for s in range(x.shape[0]):
        if stop_requested(flag):
            return
        out_idx[s], out_d2[s] = bmu_scan(wf, x[s])


@njit(cache=True, parallel=True)
def query2(wf, x, tree, out, flag):
    """out[s] = (nearest, second-nearest) node of x[s], as _kernels_numba.two_nearest finds them
    (ordered by distance, then index: the first index wins ties), for the topographic error.
    A subtree is skipped when its box is strictly farther than the second-best distance (with
    the same slack as `query`).  Skips the remaining samples once flag[0] is set."""
    perm, start, stop, sdim, left, right, lo, hi = tree
    dim = wf.shape[1]
    for s in prange(x.shape[0]):
        if stop_requested(flag):
            continue
        xs = x[s]
        b1 = np.inf
        b2 = np.inf
        i1 = wf.shape[0]
        i2 = wf.shape[0]
        stack = np.empty(256, np.int64)
        bounds = np.empty(256)
        stack[0] = 0
        bounds[0] = 0.0
        top = 1
        while top > 0:
            top -= 1
            node = stack[top]
            if bounds[top] > b2 * (1.0 + _SLACK):
                continue
            if sdim[node] < 0:
                for k in range(start[node], stop[node]):
                    n = perm[k]
                    t2 = 0.0
                    for j in range(dim):
                        t = wf[n, j] - xs[j]
                        t2 += t * t
                    if t2 < b1 or (t2 == b1 and n < i1):
                        b2 = b1
                        i2 = i1
                        b1 = t2
                        i1 = n
                    elif t2 < b2 or (t2 == b2 and n < i2):
                        b2 = t2
                        i2 = n
                continue
            a = left[node]
            b = right[node]
            da = _box_d2(xs, lo, hi, a)
            db = _box_d2(xs, lo, hi, b)
            if da > db:
                a, b = b, a
                da, db = db, da
            if db <= b2 * (1.0 + _SLACK):
                stack[top] = b
                bounds[top] = db
                top += 1
            if da <= b2 * (1.0 + _SLACK):
                stack[top] = a
                bounds[top] = da
                top += 1
        out[s, 0] = i1
        out[s, 1] = i2
