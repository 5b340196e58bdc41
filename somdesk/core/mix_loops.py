"""palette_mix's per-colour loops as plain Python that numba compiles (somdesk.core.kmeans_backend).

    two_nearest(feats, pal_feats, out)             # (N, 2) the two nearest entries, nearest first
    mixed_assign(rgb8, lab, cand, pal_rgb, pal_lab, pal_key, w_sq, w_de, m, memo_key, memo_val,
                 use_memo, idx, sq, de)             # palette_mix.assign_mixed, colour by colour

The same rules as palette_mix's numpy code (its docstring): each colour takes, of its
`m` candidate entries, the one with the least  sq * w_sq + dE00 * w_de,  the second
candidate's CIEDE2000 computed only where its squared error alone does not already
lose, and each colour remembers its CIEDE2000 against the last two entry colours it
was compared with (keyed by the packed 24-bit entry colour; palette_mix._DeMemo).
CIEDE2000 is somdesk.core.colour.delta_e_2000 (Sharma, Wu & Dalal 2005) written for
one pair; it agrees with it to rounding (tests/core/test_kmeans_loops.py).  The
candidates are the exact float64 nearest entries in the fitting space (the numpy code
finds them by float32 products: the two can differ at float32 near-ties only).
"""
from __future__ import annotations

import math

import numpy as np

_P25_7 = 25.0 ** 7
SCAN_MIN_ENTRIES = 32     # two_nearest walks from a start entry for palettes this big


def compile_helpers(jit) -> None:
    """Replace this module's helpers by jit(helper) before the kernels are compiled."""
    global _de00, _memo_de, _sq, _scan2
    if not hasattr(_de00, "py_func"):
        _de00 = jit(_de00)
        _memo_de = jit(_memo_de)
        _sq = jit(_sq)
        _scan2 = jit(_scan2)


def _de00(L1, A1, B1, L2, A2, B2):    # pragma: no cover - compiled; covered through mixed_assign
    """CIEDE2000 of two CIELAB colours (kL = kC = kH = 1): colour.delta_e_2000 for one pair."""
    c_bar = (math.hypot(A1, B1) + math.hypot(A2, B2)) / 2
    c7 = c_bar ** 7
    g = 0.5 * (1 - math.sqrt(c7 / (c7 + _P25_7)))
    a1p = (1 + g) * A1
    a2p = (1 + g) * A2
    c1p = math.hypot(a1p, B1)
    c2p = math.hypot(a2p, B2)
    h1p = math.degrees(math.atan2(B1, a1p)) % 360.0
    h2p = math.degrees(math.atan2(B2, a2p)) % 360.0
    dl = L2 - L1
    dc = c2p - c1p
    both = (c1p * c2p) != 0
    dh = h2p - h1p
    if dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    if not both:
        dh = 0.0
    dH = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh) / 2)
    l_bar = (L1 + L2) / 2
    cp_bar = (c1p + c2p) / 2
    hsum = h1p + h2p
    if not both:
        h_bar = hsum
    elif abs(h1p - h2p) <= 180:
        h_bar = hsum / 2
    elif hsum < 360:
        h_bar = (hsum + 360) / 2
    else:
        h_bar = (hsum - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_bar - 30)) + 0.24 * math.cos(math.radians(2 * h_bar))
         + 0.32 * math.cos(math.radians(3 * h_bar + 6)) - 0.20 * math.cos(math.radians(4 * h_bar - 63)))
    d_theta = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    cp7 = cp_bar ** 7
    rc = 2 * math.sqrt(cp7 / (cp7 + _P25_7))
    l50 = (l_bar - 50) ** 2
    sl = 1 + 0.015 * l50 / math.sqrt(20 + l50)
    sc = 1 + 0.045 * cp_bar
    sh = 1 + 0.015 * cp_bar * t
    rt = -math.sin(math.radians(2 * d_theta)) * rc
    tl = dl / sl
    tc = dc / sc
    th = dH / sh
    return math.sqrt(max(tl ** 2 + tc ** 2 + th ** 2 + rt * tc * th, 0.0))


def two_nearest(feats, pal, out):    # pragma: no cover - compiled
    """out (N, m), m = 1 or 2: the indices of each of feats (N, D)'s m nearest rows of pal
    (K, D), nearest first, by exact float64 squared distance (ties to the lowest index).

    With many entries each search starts at the previous colour's nearest entry (a histogram
    lists colours in key order, so neighbours are mostly alike) and walks the other entries
    in order of their distance r from it, stopping where r - u (u: the colour's distance to
    that start) reaches the second smallest distance found: by the triangle inequality no
    entry further on is nearer, so the answer is the full search's."""
    n, dims = feats.shape
    k = pal.shape[0]
    m = out.shape[1]
    if k >= SCAN_MIN_ENTRIES:
        cc = np.empty((k, k))
        for j in range(k):
            cc[j, j] = 0.0
            for j2 in range(j):
                v = 0.0
                for d in range(dims):
                    t = pal[j, d] - pal[j2, d]
                    v += t * t
                cc[j, j2] = math.sqrt(v)
                cc[j2, j] = cc[j, j2]
        order = np.empty((k, k), np.int64)
        for j in range(k):
            order[j] = np.argsort(cc[j])
        a = 0
        for i in range(n):
            b, s = _scan2(feats, i, pal, a, order, cc)
            out[i, 0] = b
            if m > 1:
                out[i, 1] = s
            a = b
        return
    pt = np.empty((dims, k))
    for d in range(dims):
        for j in range(k):
            pt[d, j] = pal[j, d]
    dist = np.empty(k)
    for i in range(n):
        for j in range(k):
            dist[j] = 0.0
        for d in range(dims):
            x = feats[i, d]
            for j in range(k):
                t = x - pt[d, j]
                dist[j] += t * t
        b = 0
        s = -1
        for j in range(1, k):
            if dist[j] < dist[b]:
                s = b
                b = j
            elif s < 0 or dist[j] < dist[s]:
                s = j
        out[i, 0] = b
        if m > 1:
            out[i, 1] = s if s >= 0 else b


def _sq(x, i, pal, j):    # pragma: no cover - compiled
    v = 0.0
    for d in range(x.shape[1]):
        t = x[i, d] - pal[j, d]
        v += t * t
    return v


def _scan2(feats, i, pal, a, order, cc):    # pragma: no cover - compiled
    """(nearest, second nearest) entry of colour i, walking from entry a (see two_nearest)."""
    b1 = _sq(feats, i, pal, a)
    u = math.sqrt(b1)
    best = a
    second = -1
    b2 = math.inf
    s2 = math.inf
    for mm in range(order.shape[1]):
        j = order[a, mm]
        if j == a:
            continue
        gap = cc[a, j] - u
        if gap > 0.0 and gap >= s2:
            break
        v = _sq(feats, i, pal, j)
        if v < b1 or (v == b1 and j < best):
            b2, second = b1, best
            b1, best = v, j
            s2 = math.sqrt(b2)
        elif v < b2 or (v == b2 and j < second):
            b2, second = v, j
            s2 = math.sqrt(b2)
    return best, (second if second >= 0 else best)


def _memo_de(i, key, lab, pal_lab, e, memo_key, memo_val, use_memo):    # pragma: no cover - compiled
    if use_memo:
        if memo_key[i, 0] == key:
            return memo_val[i, 0]
        if memo_key[i, 1] == key:
            return memo_val[i, 1]
    return _de00(lab[i, 0], lab[i, 1], lab[i, 2], pal_lab[e, 0], pal_lab[e, 1], pal_lab[e, 2])


def mixed_assign(rgb8, lab, cand, pal_rgb, pal_lab, pal_key, w_sq, w_de, m, memo_key, memo_val, use_memo,
                 idx, sq, de):    # pragma: no cover - compiled
    """palette_mix.assign_mixed for rgb8 (N, 3) uint8 with lab (N, 3), candidates cand (N, >= m)
    int64 into the palette pal_rgb (K, 3) float64 / pal_lab (K, 3) / pal_key (K,) int64 packed
    colours; idx, sq, de (N,) receive the chosen entry, its squared error and CIEDE2000.
    memo_key (N, 2) int64 / memo_val (N, 2) float64 are read and updated when use_memo."""
    n = rgb8.shape[0]
    for i in range(n):
        c0 = cand[i, 0]
        s0 = 0.0
        for c in range(3):
            t = rgb8[i, c] - pal_rgb[c0, c]
            s0 += t * t
        k0 = pal_key[c0]
        d0 = _memo_de(i, k0, lab, pal_lab, c0, memo_key, memo_val, use_memo)
        cost = s0 * w_sq + d0 * w_de
        best, bsq, bde = c0, s0, d0
        if m > 1:
            c1 = cand[i, 1]
            s1 = 0.0
            for c in range(3):
                t = rgb8[i, c] - pal_rgb[c1, c]
                s1 += t * t
            # dE00 >= 0: a candidate whose squared error alone costs more cannot win
            if s1 * w_sq < cost:
                k1 = pal_key[c1]
                d1 = _memo_de(i, k1, lab, pal_lab, c1, memo_key, memo_val, use_memo)
                if s1 * w_sq + d1 * w_de < cost:
                    best, bsq, bde = c1, s1, d1
                if use_memo:
                    memo_key[i, 1] = k1
                    memo_val[i, 1] = d1
        if use_memo:
            memo_key[i, 0] = k0
            memo_val[i, 0] = d0
        idx[i] = best
        sq[i] = bsq
        de[i] = bde
