"""The classic epoch by blocks of inputs, scalar part (numba). Driven by somdesk.core.online_block.

Within a block of inputs x_0 .. x_{B-1} that starts from the weights W0 (D, M),
every update is w <- (1 - f) w + f x_t with f = alpha h in [0, 1), so after the
block's first t updates node j is

    w_j(t) = c_j(t) (w0_j + sum_{s<t} g_sj x_s),
    c_j(t) = prod_{s<t} (1 - f_sj),   g_sj = f_sj / c_j(s + 1).

Its distance to x_t is |w_j(t)|^2 - 2 w_j(t).x_t + |x_t|^2, where
w_j(t).x_t = c_j(t) (A_tj + sum_{s<t} g_sj G_st) with A = X W0 (one BLAS
product per block) and G = X X^T, and |w_j(t)|^2 follows the update exactly:
P' = (1 - f)^2 P + 2 f (1 - f) w.x_t + f^2 |x_t|^2.  So an input costs O(M t)
scalar work from the block's small arrays instead of reading the (D, M)
codebook for its BMU and reading and writing it for its update; the weights are
formed once per block, W = diag(c) (W0 + X^T g), another BLAS product.

The correction sums go by sub-blocks of SUB inputs: when a sub-block is done,
its terms g_sj G_st are added to the later inputs' rows of A in one pass
(`_propagate`, the sub-block's g rows in L1), so an input's own pass
(`_dots`) adds at most SUB - 1 terms.  Same sums in another order (the error
bound holds for any order).  Under the float32 screen (`block_steps32`) these
sums run in float32 on the screen's product itself, within its allowance
(somdesk.core.online_block, "The correction sums in float32").

The BMU is exact: every node whose expanded distance is within twice the error
bound (`block_tolerance`) of the smallest is a candidate; one candidate is the
BMU, several are measured again from their weights formed in float64 (summed in
dimension order) and the first holding the minimum wins, as np.argmin does.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from somdesk.core._kernels_numba import CUTOFF, HEX_H, _row_offset, _window, _wrap
from somdesk.core._online_wide_numba import column_factors
from somdesk.core._stop_numba import stop_requested
from somdesk.core.numba_cache import configure as _configure_cache

_configure_cache()     # before any cache=True kernel (somdesk/core/numba_cache.py says why)


@njit(cache=True, nogil=True, fastmath={'contract'}, error_model='numpy')
def _dots(q, acc, dist, at, g, gram, s0, t, c, p, xx, back):
    """q = c (A_t + sum_{s0<=s<t} g_s G_st) back, each node's w_j(t).x_t, and dist = max(P - 2 q + |x_t|^2, 0).

    at holds A_t with the terms s < s0 already added (`_propagate`), so at
    most SUB - 1 terms are left, their g rows in L1.  The sum runs in at's
    precision into acc (M,) (float32 for the screen, `block_steps32`: at, g
    and gram all float32; float64 otherwise, and acc may be q itself), up to
    four terms a pass over the nodes (the order is free: the error bound
    covers any); back scales it (a power of two: exact).  Returns the
    smallest distance's bits (as int64 they order like the non-negative
    doubles, and an integer minimum vectorises).
    """
    m_count = q.shape[0]
    s = s0
    if s + 4 <= t:
        g0 = g[s]
        g1 = g[s + 1]
        g2 = g[s + 2]
        g3 = g[s + 3]
        k0 = gram[s, t]
        k1 = gram[s + 1, t]
        k2 = gram[s + 2, t]
        k3 = gram[s + 3, t]
        for j in range(m_count):
            acc[j] = at[j] + ((g0[j] * k0 + g1[j] * k1) + (g2[j] * k2 + g3[j] * k3))
        s += 4
    elif s < t:
        gs = g[s]
        ks = gram[s, t]
        for j in range(m_count):
            acc[j] = at[j] + gs[j] * ks
        s += 1
    else:
        for j in range(m_count):
            acc[j] = at[j]
    while s + 2 <= t:
        g0 = g[s]
        g1 = g[s + 1]
        k0 = gram[s, t]
        k1 = gram[s + 1, t]
        for j in range(m_count):
            acc[j] += g0[j] * k0 + g1[j] * k1
        s += 2
    if s < t:
        gs = g[s]
        ks = gram[s, t]
        for j in range(m_count):
            acc[j] += gs[j] * ks
    for j in range(m_count):
        qj = c[j] * (np.float64(acc[j]) * back)
        q[j] = qj
        dist[j] = max((p[j] - 2.0 * qj) + xx, 0.0)
    di = dist.view(np.int64)
    best = di[0]
    for j in range(1, m_count):
        best = min(best, di[j])
    return best


# Inputs per sub-block: the correction sum of `_dots` covers at most SUB - 1 inputs; the
# sub-block's g rows (SUB x M doubles, 24 KB at M = 375) stay in L1 for `_propagate`.
SUB = 8


@njit(cache=True, nogil=True, fastmath={'contract'}, error_model='numpy')
def _propagate(ag, g, gram, s0, r0, r1, m_count):
    """ag[r, :M] += sum_{s0 <= s < s0 + SUB} g_s G_sr for the later inputs r0 <= r < r1.

    The finished sub-block's share of the later inputs' correction sums: its
    SUB g rows stay in L1 and two later rows are done per pass, so each g load
    serves two multiply-adds (instead of every input reading every earlier g
    row again, from L2).  Each row's terms are one chain of fused
    multiply-adds onto ag (8 per node, no separate products and additions):
    with AVX2's 16 vector registers the 16 broadcast coefficients do not all
    fit, and the pairwise tree's 24 operations a node, half of them reading a
    spilled coefficient, cost 13-14 us a block of 32 at 25x15 against 10 for
    the chains (docs/kernels.md, AVX2 machine).  Same terms in another order.
    """
    g0 = g[s0]
    g1 = g[s0 + 1]
    g2 = g[s0 + 2]
    g3 = g[s0 + 3]
    g4 = g[s0 + 4]
    g5 = g[s0 + 5]
    g6 = g[s0 + 6]
    g7 = g[s0 + 7]
    r = r0
    while r + 2 <= r1:
        k0, k1, k2, k3 = gram[s0, r], gram[s0 + 1, r], gram[s0 + 2, r], gram[s0 + 3, r]
        k4, k5, k6, k7 = gram[s0 + 4, r], gram[s0 + 5, r], gram[s0 + 6, r], gram[s0 + 7, r]
        e0, e1, e2, e3 = gram[s0, r + 1], gram[s0 + 1, r + 1], gram[s0 + 2, r + 1], gram[s0 + 3, r + 1]
        e4, e5, e6, e7 = gram[s0 + 4, r + 1], gram[s0 + 5, r + 1], gram[s0 + 6, r + 1], gram[s0 + 7, r + 1]
        a = ag[r, :m_count]
        e = ag[r + 1, :m_count]
        for j in range(m_count):
            v0, v1, v2, v3, v4, v5, v6, v7 = g0[j], g1[j], g2[j], g3[j], g4[j], g5[j], g6[j], g7[j]
            u = a[j] + v0 * k0      # with fastmath 'contract' each line is one fused multiply-add
            w = e[j] + v0 * e0
            u += v1 * k1
            w += v1 * e1
            u += v2 * k2
            w += v2 * e2
            u += v3 * k3
            w += v3 * e3
            u += v4 * k4
            w += v4 * e4
            u += v5 * k5
            w += v5 * e5
            u += v6 * k6
            w += v6 * e6
            u += v7 * k7
            w += v7 * e7
            a[j] = u
            e[j] = w
        r += 2
    if r < r1:
        k0, k1, k2, k3 = gram[s0, r], gram[s0 + 1, r], gram[s0 + 2, r], gram[s0 + 3, r]
        k4, k5, k6, k7 = gram[s0 + 4, r], gram[s0 + 5, r], gram[s0 + 6, r], gram[s0 + 7, r]
        a = ag[r, :m_count]
        for j in range(m_count):
            u = a[j] + g0[j] * k0
            u += g1[j] * k1
            u += g2[j] * k2
            u += g3[j] * k3
            u += g4[j] * k4
            u += g5[j] * k5
            u += g6[j] * k6
            u += g7[j] * k7
            a[j] = u


@njit(cache=True, nogil=True, error_model='numpy')
def _measured(w0, xb, g, c, t, j, w):
    """|w_j(t) - x_t|^2 with w_j(t) formed in float64, summed in dimension order (no fused multiply-add).

    w (>= D,) scratch.  Each coordinate is w0 + g_0 x_0 + g_1 x_1 + ... in
    input order; the inputs go in the outer loop so that the D coordinates'
    sums run side by side (vectorised, ~10x faster than one coordinate's
    chain of t dependent additions at a time), the same operations in the
    same order for each coordinate, so the same bits.
    """
    dim = w0.shape[0]
    for d in range(dim):
        w[d] = w0[d, j]
    for s in range(t):
        gs = g[s, j]
        xs = xb[s]
        for d in range(dim):
            w[d] += gs * xs[d]
    cj = c[j]
    xt = xb[t]
    s2 = 0.0
    for d in range(dim):
        e = cj * w[d] - xt[d]
        s2 += e * e
    return s2


@njit(cache=True, nogil=True)
def _from_bits(bits):
    """The non-negative double whose IEEE 754 bits, read as an int64, are `bits` (exact)."""
    e = bits >> 52
    m = bits & ((1 << 52) - 1)
    if e == 0:
        return math.ldexp(float(m), -1074)          # subnormal
    return math.ldexp(float(m + (1 << 52)), int(e) - 1075)


@njit(cache=True, nogil=True, error_model='numpy')
def _pick(dist, best_bits, bound, w0, xb, g, c, t, w):
    """The BMU from the expanded distances: the only candidate, or the measured minimum (first on ties)."""
    m_count = dist.shape[0]
    lim = _from_bits(best_bits) + 2.0 * bound
    n = 0
    for j in range(m_count):
        n += dist[j] <= lim
    if n == 1:
        di = dist.view(np.int64)
        j0 = 0
        while j0 + 16 <= m_count:       # 16 at a time: the comparisons vectorise
            hit = False
            for j in range(j0, j0 + 16):
                hit |= di[j] == best_bits
            if hit:
                break
            j0 += 16
        for j in range(j0, m_count):
            if di[j] == best_bits:
                return j, 1
    best = np.inf
    best_j = 0
    for j in range(m_count):
        if dist[j] <= lim:
            e = _measured(w0, xb, g, c, t, j, w)
            if e < best:
                best = e
                best_j = j
    return best_j, n


@njit(cache=True, nogil=True, error_model='numpy')
def _factors(arow, gx, ty, tx, b, reach, hexagonal, toroidal, height, width):
    """Separable factors for BMU b: the node in row i, column j gets arow[i] * gx[i % 2 or 0, j].

    arow[i] = 0 for the rows the wide kernel (somdesk.core._online_wide_numba)
    does not touch (outside the window or below CUTOFF), gx zero outside the
    column window: the same products a * gx as its update's factors.
    """
    ystep = HEX_H if hexagonal else 1.0
    bi = b // width
    bj = b - bi * width
    r_lo, r_hi = _window(bi, reach / ystep, height, toroidal)
    column_factors(gx, tx, bi, bj, reach, hexagonal, toroidal, width)
    if r_hi - r_lo < height:
        for i in range(height):
            arow[i] = 0.0
    for ii in range(r_lo, r_hi):
        i = _wrap(ii, height)
        a = ty[_row_offset(i, bi, height, toroidal)]
        arow[i] = a if a >= CUTOFF else 0.0     # as the wide kernel: a row below CUTOFF is not touched


@njit(cache=True, nogil=True, error_model='numpy')
def _advance(arow, gx, hexagonal, width, p, q, c, gt, xx):
    """The update of every node, as scalars: |w|^2, c and this input's g (zero where the factor is)."""
    for i in range(arow.shape[0]):
        a = arow[i]
        base = i * width
        if a == 0.0:
            for j in range(width):
                gt[base + j] = 0.0
            continue
        gp = gx[(i & 1) if hexagonal else 0]
        for j in range(width):
            f = a * gp[j]
            om = 1.0 - f
            k = base + j
            p[k] = om * om * p[k] + f * (2.0 * om * q[k] + f * xx)
            cn = c[k] * om
            c[k] = cn
            gt[k] = f / cn


# Rows of the per-node scratch array `nodes` (5, M).
P_ROW, C_ROW, Q_ROW, DIST_ROW, FAC_ROW = 0, 1, 2, 3, 4    # FAC_ROW: the H row factors


@njit(cache=True, nogil=True, error_model='numpy')
def block_steps(buf, m_count, xb, ag, nodes, g, gx, ty, tx, params, geometry, src, last_bmu, bmus, counts, flag):
    """Present the block's inputs xb (b, D) in turn; return how many (fewer when flag[0] was set).

    buf (D, >= M) holds the block's start weights in its first m_count columns
    (read only here); ag (b, M + b) = xb buf[:, :M + b] whose last b columns are
    xb^T, so ag[:, :M] = X W0 (overwritten: each finished sub-block's terms of
    the correction sums are added to the later rows) and ag[:, M:] = X X^T; nodes (5, M): row P_ROW
    |w0_j|^2 on entry and |w_j|^2 after the presented inputs on return, C_ROW
    and g (>= b, M) receive the coefficients (module docstring), the other rows
    are scratch; gx (2, W) scratch; ty, tx the epoch's factor tables
    (somdesk.core._kernels_numba.factor_tables); params = (reach, tolerance, and for the float32 screen
    (`block_steps32`; zeros otherwise) its relative, absolute and centring allowances, |mu|^2, 1.0 and
    1 / s, s the power of two scaling its float32 copies);
    geometry = (height, width, hexagonal, toroidal); src (b,) the inputs' rows
    of the data; last_bmu (N,) and bmus (b,) receive the BMUs; counts[0] +=
    inputs with several candidates, counts[1] += their candidates.
    """
    b_count = xb.shape[0]
    xxd = np.empty(b_count)
    for t in range(b_count):
        xxd[t] = ag[t, m_count + t]
    return _present(buf, m_count, xb, ag, g, ag[:, m_count:], xxd, 1.0, nodes[Q_ROW], False, nodes, g, gx, ty, tx,
                    params, geometry, src, last_bmu, bmus, counts, flag)


@njit(cache=True, nogil=True, error_model='numpy')
def _present(buf, m_count, xb, ag, gs, gram, xxd, back, acc, copy_g, nodes, g, gx, ty, tx, params, geometry, src,
             last_bmu, bmus, counts, flag):
    """`block_steps`' loop, the correction sums in the precision of ag, gs, gram and acc (float32 or float64).

    ag (b, >= M): row t starts as A_t (overwritten by `_propagate`); gs (>= b, M)
    the g rows these sums read (g itself, or its float32 copy, written here
    from g when copy_g); gram (b, b) the Gram (the diagonal is not read);
    xxd (b,) |x_t|^2 in float64; back the power of two that scales the sums
    back (`_dots`); acc (M,) `_dots`' accumulator.  The rest as `block_steps`.
    """
    b_count = xb.shape[0]
    height, width, hexagonal, toroidal = geometry[0], geometry[1], geometry[2] != 0, geometry[3] != 0
    reach, tol = params[0], params[1]
    tol32, abs32, centre_tol, mu2, centred = params[2], params[3], params[4], params[5], params[6] != 0.0
    p = nodes[P_ROW]
    c = nodes[C_ROW]
    q = nodes[Q_ROW]
    dist = nodes[DIST_ROW]
    arow = nodes[FAC_ROW, :height]
    pmax = 0.0
    for j in range(m_count):
        pmax = max(pmax, p[j])
    xmax = 0.0
    for s in range(b_count):
        xmax = max(xmax, xxd[s])
    # |w_j(t)|^2 <= max(|w0_j|^2, max_s |x_s|^2): w_j(t) is a convex combination of w0_j and the x_s
    scale = pmax + xmax
    if not centred:
        bound = tol * scale
    else:
        # centred on mu (the float32 screen, `block_steps32`): P and the Gram are |w - mu|^2 and
        # (x_s - mu).(x_t - mu), while a candidate is measured uncentred, and
        # |w0|^2 + |x|^2 <= 2 (|w0 - mu|^2 + |x - mu|^2) + 4 |mu|^2
        bound = tol * (2.0 * scale + 4.0 * mu2)
    if centred:
        # the float32 product's allowance (online_block.screen_tolerance): relative to
        # max |x_s - mu| max |w0_j - mu|, plus the centring's float64 rounding and gradual underflow
        rw = math.sqrt(pmax)
        rx = math.sqrt(xmax)
        inv = params[7]
        bound += tol32 * (rx * (rw + rx)) + centre_tol * scale + abs32 * inv * (rw + rx + inv)
    for j in range(m_count):
        c[j] = 1.0
    w0 = buf[:, :m_count]
    wtmp = np.empty(buf.shape[0])       # a candidate's weights (`_measured`)
    s0 = 0          # the current sub-block's first input; ag's rows hold the earlier ones' terms
    for t in range(b_count):
        if stop_requested(flag):
            return t
        xx = xxd[t]
        best_bits = _dots(q, acc, dist, ag[t, :m_count], gs, gram, s0, t, c, p, xx, back)
        bmu, n = _pick(dist, best_bits, bound, w0, xb, g, c, t, wtmp)
        if n > 1:
            counts[0] += 1
            counts[1] += n
        last_bmu[src[t]] = bmu
        bmus[t] = bmu
        _factors(arow, gx, ty, tx, bmu, reach, hexagonal, toroidal, height, width)
        _advance(arow, gx, hexagonal, width, p, q, c, g[t], xx)
        if copy_g:
            gt = g[t]
            g32 = gs[t]
            for j in range(m_count):
                g32[j] = gt[j]
        if t + 1 - s0 == SUB:
            if t + 1 < b_count:
                _propagate(ag, gs, gram, s0, t + 1, b_count, m_count)
            s0 = t + 1
    return b_count


@njit(cache=True, nogil=True, error_model='numpy')
def finish_stage(buf, m_count, xg, nodes, x, src, xb):
    """End a block and stage the next one.

    buf[:, :M] <- diag(c) (buf[:, :M] + xg) with xg (D, M) = X^T g (skipped when
    xg is empty), the nodes' |w_j|^2 row measured from the weights; then the
    next block's inputs x[src] are copied into xb (b, D) and, transposed, into
    buf[:, M:M + b].
    """
    dim = buf.shape[0]
    p = nodes[P_ROW]
    c = nodes[C_ROW]
    update = xg.shape[0] == dim
    for j in range(m_count):
        p[j] = 0.0
    for d in range(dim):
        row = buf[d]
        if update:
            add = xg[d]
            for j in range(m_count):        # one pass: the new weight and its square
                v = c[j] * (row[j] + add[j])
                row[j] = v
                p[j] += v * v
        else:
            for j in range(m_count):
                p[j] += row[j] * row[j]
    for t in range(src.shape[0]):
        v = x[src[t]]
        for d in range(dim):
            xb[t, d] = v[d]
            buf[d, m_count + t] = v[d]


# The float32 screen sums the correction in float32 for blocks up to this many inputs: its terms
# g_sj G_st reach 2^b at most (g = f / c, c >= 2^-b as f <= MAX_ALPHA = 1/2, |G| <= 1 scaled),
# far inside float32's range; longer blocks convert the product to float64 first.
SUM32_MAX = 64


@njit(cache=True, nogil=True, error_model='numpy')
def block_steps32(a32, xxc, buf, m_count, xb, ag, nodes, g, g32, gx, ty, tx, params, geometry, src, last_bmu,
                  bmus, counts, flag):
    """`block_steps` with the distances' product in float32 (online_block's float32 screen).

    a32 (b, M + b) float32 = fl32(s (X - mu)) [fl32(s (W0 - mu)) | fl32(s (X - mu))^T],
    one sgemm (s = 1 / params[7], a power of two); xxc (>= b,) |x_t - mu|^2
    in float64.  The correction sums run in float32 on a32 itself (its rows
    are overwritten) with g32 (>= b, M) float32, the coefficients g rounded,
    scaled back by 1 / s^2 (exact) when each q is formed in float64; blocks
    longer than SUM32_MAX copy a32 into ag (b, M + b) times 1 / s^2 and sum
    in float64.  The inputs are presented with P_ROW of `nodes` holding
    |w0_j - mu|^2 (`finish_stage32`): the same algebra on centred coordinates
    (distances do not change under a shift), the bound widened by params[2:]
    (online_block.screen_tolerance: the product's and the sums' float32
    rounding).  The weights come from the BMUs alone, so they are the float64
    path's bit for bit.
    """
    b_count = a32.shape[0]
    width = a32.shape[1]
    back = params[7] * params[7]        # 1 / sigma^2, a power of two: exact
    if b_count <= SUM32_MAX:
        acc = np.empty(m_count, dtype=np.float32)
        return _present(buf, m_count, xb, a32, g32, a32[:, m_count:], xxc[:b_count], back, acc, True, nodes, g,
                        gx, ty, tx, params, geometry, src, last_bmu, bmus, counts, flag)
    for t in range(b_count):
        row = ag[t]
        at = a32[t]
        for j in range(width):
            row[j] = at[j] * back
        row[m_count + t] = xxc[t]
    return block_steps(buf, m_count, xb, ag, nodes, g, gx, ty, tx, params, geometry, src, last_bmu, bmus,
                       counts, flag)


@njit(cache=True, nogil=True, error_model='numpy')
def finish_stage32(buf, m_count, xg, nodes, x, src, xb, mu, scale, w32, xxc):
    """`finish_stage` for the float32 screen: the weights as there, and the centred float32 copies.

    buf[:, :M] <- diag(c) (buf[:, :M] + xg) (skipped when xg is empty); P_ROW of
    nodes <- |w_j - mu|^2 and w32[:, :M] (D, >= M + b) float32 <- scale (w - mu),
    from the float64 weights in the same pass; the next block's inputs x[src]
    go to xb (b, D) and, centred and scaled, to w32[:, M:M + b] (float32,
    transposed), their |x_t - mu|^2 (float64) to xxc.  mu (D,) the centre,
    scale a power of two (float32's range; exact).
    """
    dim = buf.shape[0]
    p = nodes[P_ROW]
    c = nodes[C_ROW]
    update = xg.shape[0] == dim
    for j in range(m_count):
        p[j] = 0.0
    for d in range(dim):
        row = buf[d]
        low = w32[d]
        m = mu[d]
        if update:
            add = xg[d]
            for j in range(m_count):
                v = c[j] * (row[j] + add[j])
                row[j] = v
                e = v - m
                p[j] += e * e
                low[j] = np.float32(e * scale)
        else:
            for j in range(m_count):
                e = row[j] - m
                p[j] += e * e
                low[j] = np.float32(e * scale)
    for t in range(src.shape[0]):
        v = x[src[t]]
        s2 = 0.0
        for d in range(dim):
            e = v[d] - mu[d]
            xb[t, d] = v[d]
            w32[d, m_count + t] = np.float32(e * scale)
            s2 += e * e
        xxc[t] = s2
