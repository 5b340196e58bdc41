"""The palette fit's k-means loops as plain Python that numba compiles (somdesk.core.kmeans_backend).

    lloyd_run(points, w, centres, passes, linear, flag, labels) -> 1 done, 0 stopped
    compile_helpers(numba.njit)     # first, by whoever compiles the two
    seed_run(points, w, first, uniforms, centres, flag) -> centres placed (k, or fewer: see below)

The same algorithms as somdesk.core.weighted_kmeans's numpy code, with exact
float64 distances instead of float32 products and no Python call per pass, per
slice or per seed: the numpy path costs ~100 array calls of interpreter overhead
per Lloyd run, which on the benchmark's small photos is most of the fit.

Lloyd (S. Lloyd 1982), weighted, with Hamerly's bounds (G. Hamerly, "Making
k-means even faster", SDM 2010): each point keeps an upper bound of the distance to
its own centre and a lower bound of the distance to every other one; after the
centres move, the upper bound grows by its centre's move and the lower one shrinks
by the largest move; a point whose upper bound is at most max(lower bound, half
the distance from its centre to the nearest other centre) keeps its centre without
a search.  Stopping, the mixed distance (`linear` > 0: weights
w (1 + linear/2 (m2/m1) / max(d, m1/10)), a majorise-minimise step of
sum w (d^2 + linear (m2/m1) d)) and the revival of an empty cluster at the
worst-served point are weighted_kmeans.lloyd_passes's rules.

Seeding: greedy k-means++ (Arthur & Vassilvitskii 2007; 2 + ln k candidates per
centre, the one lowering the weighted potential most is kept), the candidates
drawn by the caller's uniforms (`uniforms[i - 1]` for centre i), so the stream is
the numpy path's.

Never imported by the command unless compiled: this module imports nothing but
math and numpy, and numba is imported only by the JIT loader.
"""
from __future__ import annotations

import math

import numpy as np

REL_GAIN = 1e-5       # weighted_kmeans._REL_GAIN
TOL = 1e-7            # weighted_kmeans._TOL
CHECK_EVERY = 16_384  # points searched between looks at the stop flag (~5 ms at 256 centres)
# A point's search walks the centres in order of their distance from its last centre (`_scan`)
# when there are this many centres and points per centre: sorting K rows of K each pass then
# costs less than the centres it saves looking at.
SCAN_MIN_CENTRES = 32
SCAN_POINTS_PER_CENTRE = 64


def compile_helpers(jit) -> None:
    """Replace this module's helpers by jit(helper), before lloyd_run and seed_run are compiled
    (numba's JIT or pycc): compiled code calls compiled code only."""
    global _search, _sq, _scan
    if not hasattr(_search, "py_func"):      # not twice
        _search = jit(_search)
        _sq = jit(_sq)
        _scan = jit(_scan)


def _search(points, i, ct, dist):    # pragma: no cover - compiled; covered through lloyd_run
    """(nearest centre, its squared distance, the second smallest squared distance) of point i;
    ct is the (D, K) transposed centres; ties go to the lowest index."""
    dims, k = ct.shape
    for j in range(k):
        dist[j] = 0.0
    for d in range(dims):
        x = points[i, d]
        for j in range(k):
            t = x - ct[d, j]
            dist[j] += t * t
    best = 0
    b1 = dist[0]
    b2 = math.inf
    for j in range(1, k):
        v = dist[j]
        if v < b1:
            b2 = b1
            b1 = v
            best = j
        elif v < b2:
            b2 = v
    return best, b1, b2


def _scan(points, i, centres, a, u, order, cc):    # pragma: no cover - compiled
    """`_search` for a point at distance u (exact) from centre a: the other centres in order of
    their distance r from a (order[a], cc[a]), stopping where r - u reaches the second smallest
    distance found -- by the triangle inequality no centre further on is nearer than that, so
    the nearest and the second smallest distance are exact.  Ties go to the lowest index."""
    best = a
    b1 = u * u
    b2 = math.inf
    s2 = math.inf
    for m in range(order.shape[1]):
        j = order[a, m]
        if j == a:
            continue
        gap = cc[a, j] - u
        if gap > 0.0 and gap >= s2:
            break
        v = _sq(points, i, centres, j)
        if v < b1 or (v == b1 and j < best):
            b2 = b1
            b1 = v
            best = j
            s2 = math.sqrt(b2)
        elif v < b2:
            b2 = v
            s2 = math.sqrt(b2)
    return best, b1, b2


def _sq(points, i, centres, j):    # pragma: no cover - compiled
    s = 0.0
    for d in range(points.shape[1]):
        t = points[i, d] - centres[j, d]
        s += t * t
    return s


def lloyd_run(points, w, centres, passes, linear, warm, flag, labels):    # pragma: no cover - compiled
    """Weighted Lloyd passes on points (N, D) float64 with weights w (N,), from `centres`
    (K, D) float64, updated in place; `labels` (N,) int64 receives each point's cluster.
    With `warm`, `labels` holds a guess on entry (e.g. each colour's pooled cell's cluster):
    the first search starts from it instead of looking at every centre (the same result).
    At most `passes` passes (>= 1); `linear` > 0 is the mixed distance.  Returns 1, or 0 when
    flag[0] was set (read before every pass); the centres and labels are then unfinished."""
    n, dims = points.shape
    k = centres.shape[0]
    upper = np.empty(n)
    lower = np.empty(n)
    dist = np.empty(k)
    ct = np.empty((dims, k))
    half = np.empty(k)
    cc = np.empty((k, k))
    scan = k >= SCAN_MIN_CENTRES and n >= SCAN_POINTS_PER_CENTRE * k
    order = np.empty((k if scan else 0, k), np.int64)
    cnt = np.empty(k)
    sums = np.empty((k, dims))
    new = np.empty((k, dims))
    move = np.empty(k)
    wsum = 0.0
    energy = 0.0
    for i in range(n):
        wsum += w[i]
        s = 0.0
        for d in range(dims):
            s += points[i, d] * points[i, d]
        energy += w[i] * s
    last = math.inf
    fresh = not warm
    if warm:            # nothing known but the guess: every point is searched from its guess
        for i in range(n):
            upper[i] = math.inf
            lower[i] = 0.0
    for _ in range(passes):
        if flag[0] != 0:
            return 0
        for d in range(dims):
            for j in range(k):
                ct[d, j] = centres[j, d]
        if fresh:
            for i in range(n):
                if i % CHECK_EVERY == 0 and flag[0] != 0:
                    return 0
                b, d1, d2 = _search(points, i, ct, dist)
                labels[i] = b
                upper[i] = math.sqrt(d1)
                lower[i] = math.sqrt(d2)
            fresh = False
        else:
            for j in range(k):          # distances between centres, each row sorted
                cc[j, j] = 0.0
                for j2 in range(j):
                    v = math.sqrt(_sq(centres, j, centres, j2))
                    cc[j, j2] = v
                    cc[j2, j] = v
            for j in range(k):          # half the distance to the nearest other centre
                m = math.inf
                for j2 in range(k):
                    if j2 != j and cc[j, j2] < m:
                        m = cc[j, j2]
                half[j] = 0.5 * m
            if scan:
                for j in range(k):
                    order[j] = np.argsort(cc[j])
            for i in range(n):
                if i % CHECK_EVERY == 0 and flag[0] != 0:
                    return 0
                a = labels[i]
                bound = max(lower[i], half[a])
                if upper[i] <= bound:
                    continue
                u = math.sqrt(_sq(points, i, centres, a))
                upper[i] = u
                if u <= bound:
                    continue
                if scan:
                    b, d1, d2 = _scan(points, i, centres, a, u, order, cc)
                else:
                    b, d1, d2 = _search(points, i, ct, dist)
                labels[i] = b
                upper[i] = math.sqrt(d1)
                lower[i] = math.sqrt(d2)
        for j in range(k):
            cnt[j] = 0.0
            for d in range(dims):
                sums[j, d] = 0.0
        if linear > 0:      # exact distances: the error and the weights of the mixed objective
            sse = 0.0
            m1 = 0.0
            for i in range(n):
                d2 = _sq(points, i, centres, labels[i])
                upper[i] = math.sqrt(d2)
                sse += w[i] * d2
                m1 += w[i] * upper[i]
        else:
            for i in range(n):
                j = labels[i]
                cnt[j] += w[i]
                for d in range(dims):
                    sums[j, d] += points[i, d] * w[i]
            cross = 0.0
            norms = 0.0
            for j in range(k):
                c2 = 0.0
                for d in range(dims):
                    cross += centres[j, d] * sums[j, d]
                    c2 += centres[j, d] * centres[j, d]
                norms += cnt[j] * c2
            sse = energy - 2.0 * cross + norms
        if sse >= last * (1.0 - REL_GAIN):    # this pass's partition gained too little: done
            break
        last = sse
        if linear > 0:
            m1 /= wsum
            factor = 0.5 * linear * (sse / wsum / max(m1, 1e-300))
            floor = 0.1 * m1
            for i in range(n):
                u = w[i] * (1.0 + factor / max(upper[i], floor))
                j = labels[i]
                cnt[j] += u
                for d in range(dims):
                    sums[j, d] += u * points[i, d]
        revived = False
        dead = 0
        for j in range(k):
            if cnt[j] > 0:
                for d in range(dims):
                    new[j, d] = sums[j, d] / cnt[j]
            else:
                dead += 1
                for d in range(dims):
                    new[j, d] = centres[j, d]
        if dead:
            err = np.empty(n)
            for i in range(n):
                err[i] = w[i] * _sq(points, i, centres, labels[i])
            for j in range(k):
                if cnt[j] > 0:
                    continue
                worst = 0           # an empty cluster takes the worst-served point
                for i in range(1, n):
                    if err[i] > err[worst]:
                        worst = i
                if err[worst] <= 0:
                    break
                for d in range(dims):
                    new[j, d] = points[worst, d]
                revived = True
                for i in range(n):
                    v = w[i] * _sq(points, i, points, worst)
                    if v < err[i]:
                        err[i] = v
        big = 0.0
        for j in range(k):
            m = 0.0
            for d in range(dims):
                t = new[j, d] - centres[j, d]
                m += t * t
                centres[j, d] = new[j, d]
            move[j] = math.sqrt(m)
            if move[j] > big:
                big = move[j]
        for i in range(n):
            upper[i] += move[labels[i]]
            lower[i] -= big                 # every other centre came at most this much closer
        if revived:
            fresh = True                    # the labels no longer describe these centres
        elif big * big <= TOL:
            break
    if fresh:
        for d in range(dims):
            for j in range(k):
                ct[d, j] = centres[j, d]
        for i in range(n):
            b, d1, d2 = _search(points, i, ct, dist)
            labels[i] = b
    return 1


def seed_run(points, w, first, uniforms, centres, flag):    # pragma: no cover - compiled
    """Greedy k-means++: centres (K, D) float64 filled from points (N, D) with weights w (N,),
    the first being points[first]; uniforms (K - 1, T) in [0, 1) pick T candidates for each
    further centre.  Returns the number of centres placed by the draws: K, or i < K when every
    point already lies on a centre (the rest are copies of the first; the caller's stream
    then used only the first i - 1 rows of uniforms), or -1 when flag[0] was set (read every
    16 centres)."""
    n, dims = points.shape
    k = centres.shape[0]
    tries = uniforms.shape[1]
    d2 = np.empty(n)
    dn = np.empty(n)            # sqrt(d2)
    near = np.zeros(n, np.int64)    # each point's nearest centre so far
    p = np.empty(n)
    cand_d = np.empty((n, tries))
    cand = np.empty(tries, np.int64)
    reach = np.empty((k, tries))    # distance of each placed centre to each candidate
    for d in range(dims):
        centres[0, d] = points[first, d]
    for i in range(n):
        d2[i] = _sq(points, i, centres, 0)
        dn[i] = math.sqrt(d2[i])
    for c in range(1, k):
        if c % 16 == 0 and flag[0] != 0:
            return -1
        acc = 0.0
        for i in range(n):
            acc += w[i] * d2[i]
            p[i] = acc
        if p[n - 1] <= 0:
            for c2 in range(c, k):
                for d in range(dims):
                    centres[c2, d] = centres[0, d]
            return c
        for t in range(tries):
            cand[t] = min(np.searchsorted(p, uniforms[c - 1, t] * p[n - 1]), n - 1)
        for a in range(c):
            for t in range(tries):
                reach[a, t] = math.sqrt(_sq(centres, a, points, cand[t]))
        best = 0
        best_pot = math.inf
        for t in range(tries):
            pot = 0.0
            for i in range(n):
                # triangle inequality: a candidate at least twice as far from the point's
                # centre as the point itself is no nearer than that centre
                if reach[near[i], t] >= 2.0 * dn[i]:
                    v = d2[i]
                else:
                    v = _sq(points, i, points, cand[t])
                    if v > d2[i]:
                        v = d2[i]
                cand_d[i, t] = v
                pot += w[i] * v
            if pot < best_pot:
                best_pot = pot
                best = t
        for d in range(dims):
            centres[c, d] = points[cand[best], d]
        for i in range(n):
            if cand_d[i, best] < d2[i]:
                d2[i] = cand_d[i, best]
                dn[i] = math.sqrt(d2[i])
                near[i] = c
    return k
