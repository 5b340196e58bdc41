"""Weighted k-means for the palette fit: nearest centres, k-means++ seeding, Lloyd passes.

    idx, d2 = nearest(centres, points)                      # (N,) index, squared distance
    c = kmeanspp_seeds(points, w, k, rng)                   # greedy k-means++ (weighted)
    c, labels = lloyd_passes(points, w, c, passes, cancel)  # weighted Lloyd with Hamerly's bounds

Points are (N, D) float64 features of distinct colours (somdesk.core.palette_fit),
`w` (N,) their pixel counts.  Lloyd: S. Lloyd 1982; seeding: Arthur & Vassilvitskii
2007 (the greedy form scikit-learn uses); bounds: G. Hamerly, "Making k-means even
faster", SDM 2010.  The search is a float32 matrix product per slice of
NEAREST_SLICE points (BLAS on one thread: palette_fit's caller limits it).

`lloyd_passes` and `kmeanspp_seeds` hand the work to the compiled loops of
somdesk.core.kmeans_loops when somdesk.core.kmeans_backend has them (the
ahead-of-time build, or numba's JIT on request): the same rules in one call, with
exact float64 distances (docs/quantisation.md, "Speed").
"""
from __future__ import annotations

import numpy as np

from somdesk.core import cancel as _cancel
from somdesk.core.kmeans_backend import compiled_loops
from somdesk.errors import Cancelled

__all__ = ["nearest", "kmeanspp_seeds", "lloyd_passes", "LINEAR", "NEAREST_SLICE"]

_TOL = 1e-7             # a pass that moves no centre further than this (squared) ends the loop
_REL_GAIN = 1e-5        # ... and so does one that lowers the weighted error by less than this fraction
_NEVER = np.zeros(1, np.int64)   # the stop flag of a job nobody can cancel
NEAREST_SLICE = 2_048   # points per product in `nearest`: fits in cache (measured 1.5x faster than 16,384)


def nearest(centres: np.ndarray, points: np.ndarray, cancel=None) -> tuple[np.ndarray, np.ndarray]:
    """(index (N,), squared distance (N,) float64) of each point's nearest centre.

    centres (K, D), points (N, D) float64.  Raises `Cancelled` when `cancel` is set.

    Candidates by matrix product in float32, |c|^2 - 2 x.c (one BLAS call per
    slice of NEAREST_SLICE points: for a few hundred centres in 3-7
    dimensions this is several times faster than a tree or a float64 scan);
    the chosen centre's distance is then recomputed in float64, so d2 is
    exact.  Two centres whose distances differ by less than float32 rounding
    (~1e-7 of |x|^2, far below one 8-bit step) can swap places; ties
    otherwise go to the lowest index.
    """
    n = len(points)
    idx = np.empty(n, np.int64)
    d2 = np.empty(n)
    c32 = np.ascontiguousarray(centres, dtype=np.float32)
    cn = np.einsum("ij,ij->i", c32, c32)
    ct = np.ascontiguousarray((-2.0 * c32).T)
    for s in range(0, n, NEAREST_SLICE):
        _cancel.check(cancel)
        x = points[s:s + NEAREST_SLICE]
        dist = x.astype(np.float32) @ ct
        dist += cn[None, :]
        i = np.argmin(dist, axis=1)
        idx[s:s + len(x)] = i
        diff = x - centres[i]
        d2[s:s + len(x)] = np.einsum("ij,ij->i", diff, diff)
    return idx, d2


def kmeanspp_seeds(points: np.ndarray, w: np.ndarray, k: int, rng, cancel=None) -> np.ndarray:
    """(k, D) float64 seed centres from points (N, D), weighted by pixel counts w (N,).

    Arthur & Vassilvitskii 2007; the greedy form (2 + ln k candidates per
    centre, the one that lowers the weighted potential most is kept) is the
    one scikit-learn uses, and it avoids most of plain k-means++'s bad starts.
    `rng` a numpy Generator.  Raises `Cancelled` when `cancel` is set.
    """
    tries = 2 + int(np.log(k))
    loops = compiled_loops()
    if loops is not None and hasattr(rng, "bit_generator"):     # a numpy Generator: its state can be rewound
        return _seeds_compiled(loops, points, w, k, tries, rng, cancel)
    pn = np.einsum("ij,ij->i", points, points)
    centres = np.empty((k, points.shape[1]))
    first = rng.choice(len(points), p=w / w.sum())
    centres[0] = points[first]
    d2 = np.sum((points - centres[0]) ** 2, axis=1)
    for i in range(1, k):
        if i % 16 == 0:
            _cancel.check(cancel)
        p = np.cumsum(w * d2)
        if p[-1] <= 0:
            centres[i:] = centres[0]
            break
        cand = np.minimum(np.searchsorted(p, rng.random(tries) * p[-1]), len(points) - 1)
        c = points[cand]
        # squared distances to the candidates by one product: |x|^2 - 2 x.c + |c|^2
        cd = pn[:, None] - 2.0 * (points @ c.T) + np.einsum("ij,ij->i", c, c)[None, :]
        np.maximum(cd, 0.0, out=cd)
        np.minimum(cd, d2[:, None], out=cd)
        best = int(np.argmin(w @ cd))
        centres[i] = c[best]
        d2 = cd[:, best]
    return centres


def _seeds_compiled(loops, points, w, k, tries, rng, cancel) -> np.ndarray:
    """kmeanspp_seeds by the compiled loop, drawing what the numpy loop draws from `rng`."""
    first = rng.choice(len(points), p=w / w.sum())
    start = rng.bit_generator.state
    uniforms = rng.random((k - 1) * tries).reshape(k - 1, tries)
    centres = np.empty((k, points.shape[1]))
    placed = loops.seed_run(np.ascontiguousarray(points, dtype=np.float64), np.ascontiguousarray(w, dtype=np.float64),
                            int(first), uniforms, centres, _flag(cancel))
    if placed < 0:
        _cancel.check(cancel)
        raise Cancelled("stopped")
    if placed < k:      # the numpy loop stops drawing there: so does the stream
        rng.bit_generator.state = start
        rng.random((placed - 1) * tries)
    return centres


def _flag(cancel) -> np.ndarray:
    return _NEVER if cancel is None else cancel.flag


def _nearest_two(centres: np.ndarray, points: np.ndarray, p32: np.ndarray, pn: np.ndarray, margin: float,
                 cancel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(index of the nearest centre, its exact squared distance, a lower bound of the
    distance -- not squared -- to every other centre) of each point.

    Candidates as in `nearest` (float32 products); the bound is the second smallest
    float32 distance less `margin`, which covers float32 rounding (see `lloyd_passes`)."""
    n, k = len(points), len(centres)
    idx = np.empty(n, np.int64)
    lower = np.full(n, np.inf)
    c32 = np.ascontiguousarray(centres, dtype=np.float32)
    cn = np.einsum("ij,ij->i", c32, c32)
    ct = np.ascontiguousarray((-2.0 * c32).T)
    for s in range(0, n, NEAREST_SLICE):
        _cancel.check(cancel)
        dist = p32[s:s + NEAREST_SLICE] @ ct
        dist += cn[None, :]
        i = np.argmin(dist, axis=1)
        idx[s:s + len(i)] = i
        if k > 1:
            dist[np.arange(len(i)), i] = np.inf
            second = dist.min(axis=1) + pn[s:s + len(i)] - margin
            lower[s:s + len(i)] = np.sqrt(np.maximum(second, 0.0))
    diff = points - centres[idx]
    return idx, np.einsum("ij,ij->i", diff, diff), lower


# Weight of plain (not squared) distance in the blend space's full Lloyd passes: the update
# becomes a majorise-minimise step of  sum w (d^2 + LINEAR * (m2 / m1) * d),  m1 and m2 the
# mean distance and squared distance.  CIEDE2000 is a distance, and minimising distances
# rather than their squares gives dense regions (a photo's sky) more entries and sparse
# bright detail fewer.  Measured on 15 pictures x 3 colour counts (docs/quantisation.md):
# 1.0 -> 40 of 45 cases at least as good as pngquant on both measures, 0 -> 39, 2.0 -> 39.
LINEAR = 1.0


def lloyd_passes(points, w, centres, passes, cancel, linear: float = 0.0,
                 guess: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Weighted Lloyd passes (S. Lloyd 1982); returns (centres (K, D), labels (N,) integer).

    points (N, D) float64 with weights w (N,) (pixel counts), centres (K, D) the start;
    at most `passes` passes.  Raises `Cancelled` when `cancel` is set (read before every pass).

    `guess` ((N,) cluster of each point, e.g. its pooled cell's) lets the compiled loop
    start its first search there; the result is the same without it.

    Stops early when a pass lowers the weighted squared error by less than
    _REL_GAIN of it or moves no centre by more than _TOL.  The labels are a
    partition the centres are the means of, or the one under the centres.

    Hamerly's bound (G. Hamerly, "Making k-means even faster", SDM 2010): each
    point keeps a lower bound of its distance to every centre but its own; after
    the centres move, the bound drops by the largest move, and a point whose exact
    distance to its own centre is still within the bound keeps that centre without
    a search.  After the first passes most points are skipped, so a pass costs far
    less than a full search; the labels are those a full search finds (up to the
    float32 near-ties `nearest` has anyway: the bound is lowered by `margin`, above
    the rounding of the float32 products, so it never claims more than it knows).
    """
    k, dims = centres.shape
    if passes <= 0:
        idx, _ = nearest(centres, points)
        return centres, idx
    loops = compiled_loops()
    if loops is not None:
        out = np.array(centres, dtype=np.float64, order="C")
        warm = guess is not None and len(guess) == len(points)
        labels = np.array(guess, dtype=np.int64) if warm else np.empty(len(points), np.int64)
        if not loops.lloyd_run(np.ascontiguousarray(points, dtype=np.float64),
                               np.ascontiguousarray(w, dtype=np.float64), out, int(passes), float(linear), warm,
                               _flag(cancel), labels):
            _cancel.check(cancel)
            raise Cancelled("stopped")
        return out, labels
    p32 = np.ascontiguousarray(points, dtype=np.float32)
    pn = np.einsum("ij,ij->i", points, points)
    energy = float(w @ pn)
    wsum = float(w.sum())
    if linear > 0:
        pt = np.ascontiguousarray(points.T)                   # (dims, N), weighted anew each pass
    else:
        wp = np.ascontiguousarray((points * w[:, None]).T)    # (dims, N): the update's weights
    # float32 products: rounding of |c|^2 - 2 x.c is below 2^-22 (|x|^2 + |c|^2 + 2|x||c|); the
    # centres are means of points (or points), so |c|^2 <= max |x|^2
    margin = 2.0 ** -18 * (float(pn.max()) + 1e-12)
    idx = upper = lower = None
    last = np.inf
    for _ in range(passes):
        _cancel.check(cancel)
        if lower is None:
            idx, d2, lower = _nearest_two(centres, points, p32, pn, margin, cancel)
            upper = np.sqrt(d2)
        else:
            todo = np.flatnonzero(upper > lower)
            if len(todo):          # tighten the upper bound; search where it still exceeds the lower
                diff = points[todo] - centres[idx[todo]]
                upper[todo] = np.sqrt(np.einsum("ij,ij->i", diff, diff))
                todo = todo[upper[todo] > lower[todo]]
            if len(todo):
                i2, dd, lo = _nearest_two(centres, points[todo], p32[todo], pn[todo], margin, cancel)
                idx[todo], upper[todo], lower[todo] = i2, np.sqrt(dd), lo
        if linear > 0:      # exact distances: the error and the weights of the mixed objective
            diff = points - centres[idx]
            d2 = np.einsum("ij,ij->i", diff, diff)
            upper = np.sqrt(d2)
            sse = float(w @ d2)
        else:
            cnt = np.bincount(idx, weights=w, minlength=k)
            sums = np.stack([np.bincount(idx, weights=wp[d], minlength=k) for d in range(dims)], axis=1)
            # sum of w |x - c|^2 over the partition, from its sums: no pass over the points
            sse = energy - 2.0 * float(np.sum(centres * sums)) + float(cnt @ np.einsum("ij,ij->i", centres, centres))
        if sse >= last * (1.0 - _REL_GAIN):    # this pass's partition gained too little: done
            break
        last = sse
        if linear > 0:
            m1 = float(w @ upper) / wsum
            # majorising linear * (m2/m1) * d at the current distance d_i by a multiple of d^2
            u = w * (1.0 + 0.5 * linear * (sse / wsum / max(m1, 1e-300)) / np.maximum(upper, 0.1 * m1))
            cnt = np.bincount(idx, weights=u, minlength=k)
            sums = np.stack([np.bincount(idx, weights=u * pt[d], minlength=k) for d in range(dims)], axis=1)
        new = centres.copy()
        live = cnt > 0
        new[live] = sums[live] / cnt[live, None]
        revived = False
        if not live.all():
            diff = points - centres[idx]
            err = w * np.einsum("ij,ij->i", diff, diff)
            for node in np.flatnonzero(~live):     # an empty cluster takes the worst-served point
                j = int(np.argmax(err))
                if err[j] <= 0:
                    break
                new[node] = points[j]
                revived = True
                err = np.minimum(err, w * np.sum((points - points[j]) ** 2, axis=1))
        move = np.sqrt(np.sum((new - centres) ** 2, axis=1))
        centres = new
        upper += move[idx]
        lower -= float(move.max())              # every other centre came at most this much closer
        if revived:
            idx = lower = None                 # the labels no longer describe these centres
        elif float(move.max()) ** 2 <= _TOL:
            break
    if idx is None:
        idx, _ = nearest(centres, points)
    return centres, idx
