"""The classic epoch's passes for colours: gaussian neighbourhood, D = 3 (numba).

Called by somdesk.core._online_numba.online_epoch, which decides per epoch and
per input which one runs (docs/kernels.md, "The classic epoch while sigma is
large" and "The windowed epochs").  Every pass does two things in one sweep of
the rows it touches: the update for the current input v (BMU known) and the
squared distances of the updated nodes to the *next* input u, so the next BMU
costs little beyond the update:

* `_fused_pass3`: the window covers the whole map; the next BMU is exact from
  the sweep alone.
* `_window_pass3` + `_search_outside3`: a window smaller than the map.  The
  nodes of the window rectangle are measured in the sweep; the rest of the map
  is searched by the 8x8 tile boxes, skipping tiles the window covers fully and
  starting from the window's best, so most tiles are pruned at once.

Arithmetic (the same as the general path's, node by node): the update is one
fused multiply-add per weight, `_moved`; distances are summed in dimension
order.  Every kernel here states fastmath={'contract'}, the flags online_epoch
has always compiled them with: a kernel that states none takes the flags of
whichever caller compiles it first (numba's inheritance), and a pass and
`_first_flat` compiled apart then disagreed on a distance's bits (wrong BMUs;
docs/kernels.md, "Fast-math flags are stated, not inherited").  So LLVM may fuse a
distance's multiply-adds; it does so the same way wherever a distance is taken, and
ties go to the first node in row-major order.  A row's minimum is a float minimum the loops vectorise
(`_fmin`: vminpd on AVX2 and AVX-512) and is compared across rows by its bits
as int64 (`_bits`): for non-negative doubles the order is the same.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from somdesk.core._kernels_numba import CUTOFF, TILE, _SLACK, _row_offset, _wrap
from somdesk.core.numba_cache import configure as _configure_cache

_configure_cache()     # before any cache=True kernel (somdesk/core/numba_cache.py says why)

# The bits of +inf: above every finite non-negative double's.  Always used as np.int64(_INF_BITS):
# a bare global constant is typed Literal[int] by numba, and a callee then compiled (and cached)
# for that literal value was seen reused for a call whose value differed (wrong BMUs).
_INF_BITS = 0x7FF0000000000000


@intrinsic
def _bits(typingctx, x):
    """The bits of a float64 as int64 (a register move, no memory)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))
    return types.int64(types.float64), codegen


@intrinsic
def _from_bits(typingctx, x):
    """The float64 whose bits are the int64 x."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.int64), codegen


@intrinsic
def _fmin(typingctx, d, m):
    """d if d < m else m, for the running minimum m of non-negative distances d.

    An fcmp and a select carrying only the flags 'nnan' and 'nsz' (the callers' fastmath
    is 'contract' alone): with those LLVM vectorises the loop's minimum as a float
    reduction, `vminpd`, which computes exactly this select.  On non-negative doubles
    the order is the order of their bits, so the minimum (its bits) is what an int64
    minimum of `_bits` gives.  An int64 minimum is one instruction with AVX-512
    (vpminsq) but two with AVX2 (vpcmpgtq + vblendvpd, crossing between the integer and
    float domains): the fused pass ran 0.73 -> 0.63 ns a node with this one (AVX2,
    micro-benchmark, load 11).
    A NaN distance (only from non-finite weights, whose epoch is undone) makes the
    minimum undefined; the index found stays on the map (_first_flat)."""
    def codegen(context, builder, signature, args):
        flags = ('nnan', 'nsz')
        less = builder.fcmp_ordered('<', args[0], args[1], flags=flags)
        return builder.select(less, args[0], args[1], flags=flags)
    return types.float64(types.float64, types.float64), codegen


@intrinsic
def _opaque(typingctx, x):
    """x (uint64) unchanged, through an empty inline asm LLVM cannot see through.

    For a row's first index: LLVM vectorises the row loops behind a run-time check that
    the three planes' runs do not overlap, and for a row index affine in the row loop it
    hoists that check out of the row loop; when the rows run last to first (negative
    stride) the hoisted check always fails, and every row runs the scalar loop (AVX2,
    LLVM 22, micro-benchmark of the update: 1.3 ns a node against 0.31 forwards).  With
    an opaque index the check stays in the row loop (a few compares a row) and passes."""
    def codegen(context, builder, signature, args):
        fnty = ir.FunctionType(ir.IntType(64), [ir.IntType(64)])
        return builder.call(ir.InlineAsm(fnty, "", "=r,0", side_effect=False), [args[0]])
    return types.uint64(types.uint64), codegen


@njit(cache=True, nogil=True, fastmath={'contract'})
def _moved(w, f, v):
    """w + f (v - w) with one rounding (a fused multiply-add), as the general path's update.

    Written as a function so that the one rounding is stated where the update is; every
    kernel of this module carries 'contract' too (the module docstring says why)."""
    return w + f * (v - w)


@njit(cache=True, nogil=True, fastmath={'contract'})
def _fused_pass3(wp, flat, gxf, v, u, bi, ty, hexagonal, toroidal, backward):
    """Gaussian update of every row around BMU row bi, then the BMU of u (first on ties).

    wp (3, H, W), flat the same codebook as one (3 H W,) array; gxf the column
    factors (2, W) by row parity as one (2 W,) array; ty row factors by row offset.
    Rows whose factor is below CUTOFF are only measured, as the windowed path skips
    them.  Each row's minimum is kept in a register (a store of every distance and
    a second pass over them cost ~25% of the pass); the row holding the smallest is
    measured again (same expression, same bits) for the first node holding it.  The
    caller alternates `backward` (rows last to first) from one input to the next:
    the rows a pass ends with are still in L1 when the next begins (~6% of the pass).
    Flat unsigned indices instead of a view per row: ~18% of the pass (see below).
    """
    _, height, width = wp.shape
    m_count = height * width
    p1 = np.uint64(m_count)
    p2 = np.uint64(2 * m_count)
    wu = np.uint64(width)
    v0, v1, v2 = v[0], v[1], v[2]
    u0, u1, u2 = u[0], u[1], u[2]
    best = np.int64(_INF_BITS)
    best_i = height
    for ii in range(height):
        i = height - 1 - ii if backward else ii
        p = i % 2 if hexagonal else 0
        a = ty[_row_offset(i, bi, height, toroidal)]
        base = _opaque(np.uint64(i * width))      # (see _opaque: the backward rows vectorise)
        gb = np.uint64(p * width)
        dm = np.inf
        if a >= CUTOFF:
            for q in range(wu):
                k = base + q
                f = a * gxf[gb + q]
                w0 = _moved(flat[k], f, v0)
                w1 = _moved(flat[p1 + k], f, v1)
                w2 = _moved(flat[p2 + k], f, v2)
                flat[k] = w0
                flat[p1 + k] = w1
                flat[p2 + k] = w2
                t0 = w0 - u0
                t1 = w1 - u1
                t2 = w2 - u2
                dm = _fmin(t0 * t0 + t1 * t1 + t2 * t2, dm)
        else:
            for q in range(wu):
                k = base + q
                t0 = flat[k] - u0
                t1 = flat[p1 + k] - u1
                t2 = flat[p2 + k] - u2
                dm = _fmin(t0 * t0 + t1 * t1 + t2 * t2, dm)
        m = _bits(dm)
        if m < best or (m == best and i < best_i):
            best = m
            best_i = i
    if best_i == height:      # not reached (an all-NaN row still has a minimum): kept on the map
        best_i = 0
    return best_i * width + _first_flat(flat, m_count, best_i * width, width, u, best)


@njit(cache=True, nogil=True, fastmath={'contract'})
def _first_flat(flat, m_count, base, n, u, m):
    """Offset in [0, n) of the first node from index base (row-major, one row) whose distance
    to u has bits m; flat is the codebook as one (3 M,) array.  0 when none has (a NaN
    weight: its epoch is undone anyway), so the index stays on the map."""
    for q in range(n):
        k = base + q
        t0 = flat[k] - u[0]
        t1 = flat[m_count + k] - u[1]
        t2 = flat[2 * m_count + k] - u[2]
        if _bits(t0 * t0 + t1 * t1 + t2 * t2) == m:
            return q
    return 0


# Every pass here indexes the codebook as one flat array with unsigned indices: numba then
# emits no negative-index checks and the loops vectorise without a view per row (an array
# struct whose reference count is taken and dropped atomically, ~100 cycles per row segment).

@njit(cache=True, nogil=True, fastmath={'contract'})
def _window_pass3(wp, flat, gxf, v, u, bi, r_lo, r_hi, c_lo, c_hi, ty, rowf, hexagonal, toroidal):
    """Gaussian update of the window rows [r_lo, r_hi) x columns [c_lo, c_hi) (taken mod H, W)
    around BMU row bi; every node of the window is then measured against u.  flat is wp
    as one (3 H W,) array, gxf the column factors (2, W) as one (2 W,) array (views made
    once per epoch: a reshape per call cost ~5% of a late epoch).

    rowf[i] receives the factor of each window row (0 for rows below CUTOFF, which are
    measured but not moved, as in the general path).  Returns (bits of the smallest
    distance, its node: the first in row-major order on ties).  Row segments are
    disjoint runs of nodes, so the first segment (by its first node) holding the
    minimum holds the first node holding it: only that one is searched again.
    """
    _, height, width = wp.shape
    m_count = height * width
    v0, v1, v2 = v[0], v[1], v[2]
    u0, u1, u2 = u[0], u[1], u[2]
    p1 = np.uint64(m_count)
    p2 = np.uint64(2 * m_count)
    best = np.int64(_INF_BITS)
    best_n0 = m_count
    best_len = np.int64(0)     # not a bare 0: see _INF_BITS
    for ii in range(r_lo, r_hi):
        i = _wrap(ii, height)
        p = i % 2 if hexagonal else 0
        a = ty[_row_offset(i, bi, height, toroidal)]
        moves = a >= CUTOFF
        rowf[i] = a if moves else 0.0
        lo_c = c_lo
        while lo_c < c_hi:  # one or two segments (two when the window wraps)
            j0 = _wrap(lo_c, width)
            seg = min(c_hi - lo_c, width - j0)
            n0 = i * width + j0
            base = np.uint64(n0)
            gb = np.uint64(p * width + j0)
            dm = np.inf
            if moves:
                for q in range(np.uint64(seg)):
                    k = base + q
                    f = a * gxf[gb + q]
                    w0 = _moved(flat[k], f, v0)
                    w1 = _moved(flat[p1 + k], f, v1)
                    w2 = _moved(flat[p2 + k], f, v2)
                    flat[k] = w0
                    flat[p1 + k] = w1
                    flat[p2 + k] = w2
                    t0 = w0 - u0
                    t1 = w1 - u1
                    t2 = w2 - u2
                    dm = _fmin(t0 * t0 + t1 * t1 + t2 * t2, dm)
            else:
                for q in range(np.uint64(seg)):
                    k = base + q
                    t0 = flat[k] - u0
                    t1 = flat[p1 + k] - u1
                    t2 = flat[p2 + k] - u2
                    dm = _fmin(t0 * t0 + t1 * t1 + t2 * t2, dm)
            m = _bits(dm)
            if m < best or (m == best and n0 < best_n0):
                best = m
                best_n0 = n0
                best_len = seg
            lo_c += seg
    return best, best_n0 + _first_flat(flat, m_count, best_n0, best_len, u, best)


@njit(cache=True, nogil=True, fastmath={'contract'})
def _inside(t, lo, hi, n):
    """True when tile t's indices [t TILE, min(t TILE + TILE, n)) all lie in [lo, hi) taken mod n."""
    length = hi - lo
    if length >= n:
        return True
    s = t * TILE
    e = min(s + TILE, n)
    if lo >= 0 and hi <= n:          # no wrap: no division
        return s >= lo and e <= hi
    return (s - lo) % n + (e - s) <= length


@njit(cache=True, nogil=True, fastmath={'contract'})
def _search_outside3(wp, flat, u, lof, hif, lb, row_in, col_in, best, best_n, guess):
    """The BMU of u (first in row-major order on ties) given the window pass's (best, best_n).

    Tiles with row_in[ty] and col_in[tx] set were measured by the window pass (all
    their nodes, after the update); every other tile is scanned unless its box's
    lower bound exceeds the best distance found so far, which starts from the nearer
    of the window's best and node `guess` (u's BMU in the previous epoch: once the map
    has settled, usually the answer).  lof, hif (3, tiles) (the tile boxes, tile rows
    flattened) must bound the nodes as they are now; flat is wp as one array; lb
    (tiles,) is scratch.
    """
    dim, height, width = wp.shape
    m_count = height * width
    p1 = np.uint64(m_count)
    p2 = np.uint64(2 * m_count)
    u0, u1, u2 = u[0], u[1], u[2]
    t0 = flat[guess] - u0
    t1 = flat[m_count + guess] - u1
    t2 = flat[2 * m_count + guess] - u2
    gb = _bits(t0 * t0 + t1 * t1 + t2 * t2)
    if gb < best or (gb == best and guess < best_n):
        best = gb
        best_n = guess
    nty = row_in.shape[0]
    ntx = col_in.shape[0]
    nt = nty * ntx
    for t in range(nt):
        lb[t] = 0.0
    for d in range(dim):
        ud = u[d]
        a = lof[d]
        b = hif[d]
        for t in range(nt):
            g = max(a[t] - ud, ud - b[t], 0.0)
            lb[t] += g * g
    # tiles the window pass measured are out of the search: an infinite bound
    for ty in range(nty):
        if row_in[ty]:
            for tx in range(ntx):
                if col_in[tx]:
                    lb[ty * ntx + tx] = np.inf
    limit = _from_bits(best) * (1.0 + _SLACK)
    passing = 0
    for t in range(nt):
        passing += lb[t] <= limit
    if 4 * passing > nt:
        # the boxes prune little: a full scan of the planes (long contiguous runs) is faster
        return bmu_scan3(wp, flat, u)
    for ty in range(nty):
        for tx in range(ntx):
            if lb[ty * ntx + tx] > limit:
                continue
            j0 = tx * TILE
            n_j = min(j0 + TILE, width) - j0
            for i in range(ty * TILE, min(ty * TILE + TILE, height)):
                n0 = i * width + j0
                base = np.uint64(n0)
                dm = np.inf
                for q in range(np.uint64(n_j)):
                    k = base + q
                    t0 = flat[k] - u0
                    t1 = flat[p1 + k] - u1
                    t2 = flat[p2 + k] - u2
                    dm = _fmin(t0 * t0 + t1 * t1 + t2 * t2, dm)
                m = _bits(dm)
                if m < best or (m == best and n0 < best_n):
                    # rare enough (a nearer node) to find the node at once; a tile may hold
                    # nodes of the window, so on a tie the first of the two wins
                    n = n0 + _first_flat(flat, m_count, n0, n_j, u, m)
                    if m < best or n < best_n:
                        best = m
                        best_n = n
                        limit = _from_bits(best) * (1.0 + _SLACK)
    return best_n


@njit(cache=True, nogil=True, fastmath={'contract'})
def bmu_scan3(wp, flat, v):
    """Nearest node by a full scan of the three planes row by row; first on ties."""
    _, height, width = wp.shape
    m_count = height * width
    p1 = np.uint64(m_count)
    p2 = np.uint64(2 * m_count)
    wu = np.uint64(width)
    v0, v1, v2 = v[0], v[1], v[2]
    best = np.int64(_INF_BITS)
    best_i = 0
    for i in range(height):
        base = np.uint64(i * width)
        dm = np.inf
        for q in range(wu):
            k = base + q
            t0 = flat[k] - v0
            t1 = flat[p1 + k] - v1
            t2 = flat[p2 + k] - v2
            dm = _fmin(t0 * t0 + t1 * t1 + t2 * t2, dm)
        m = _bits(dm)
        if m < best:
            best = m
            best_i = i
    return best_i * width + _first_flat(flat, m_count, best_i * width, width, v, best)
