"""Orders of a palette's colours as an open path: costs, baselines and local search.

Everything works on a precomputed (N, N) distance matrix `d` (CIEDE2000 in somdesk,
see `distance_matrix`), so the same code scores the SOM order and the baselines the
benchmark compares it with. A path is an (N,) int64 permutation of 0..N-1; its cost
is the sum of d between consecutive entries (an open strip: no edge from last to first).

Local search (`two_opt`, `or_opt`) is the textbook TSP improvement (Croes 1958; Or
1976), vectorised over one end of the move so each pass is O(N) numpy calls of O(N).
"""
from __future__ import annotations

import numpy as np

from somdesk.core import cancel as _cancel
from somdesk.core.colour import delta_e_2000, srgb_to_lab

_BLOCK = 1 << 16      # pairs per CIEDE2000 block: ~15 ms each, so a stop request is seen quickly


def distance_matrix(rgb, cancel=None) -> np.ndarray:
    """All pairwise CIEDE2000 of sRGB colours (N, 3) in [0, 1] -> float32 (N, N).

    Computed in row blocks of ~65,000 pairs so memory stays at 4 N**2 bytes for the
    result plus ~20 MB of temporaries whatever N is; exactly symmetric, zero diagonal.
    """
    lab = srgb_to_lab(np.asarray(rgb, dtype=np.float64))
    n = len(lab)
    out = np.empty((n, n), dtype=np.float32)
    rows = max(1, _BLOCK // max(n, 1))
    for start in range(0, n, rows):
        _cancel.check(cancel)
        out[start:start + rows] = delta_e_2000(lab[start:start + rows, None, :], lab[None, :, :])
    np.minimum(out, out.T, out=out)
    np.fill_diagonal(out, 0.0)
    return out


def path_cost(d: np.ndarray, path) -> float:
    """Sum of d between consecutive entries of the open path (0.0 for N < 2).

    d (N, N) distances (CIEDE2000 from `distance_matrix`), path (N,) integer indices.
    """
    p = np.asarray(path, dtype=np.int64)
    return float(np.sum(d[p[:-1], p[1:]], dtype=np.float64)) if len(p) > 1 else 0.0


def greedy_path(d: np.ndarray, start: int = 0) -> np.ndarray:
    """(N,) int64 nearest-neighbour path from `start` over d (N, N): always step to the
    closest unvisited colour (ties to the lowest index)."""
    n = len(d)
    seen = np.zeros(n, dtype=bool)
    path = np.empty(n, dtype=np.int64)
    cur = int(start)
    for k in range(n):
        path[k] = cur
        seen[cur] = True
        if k + 1 < n:
            row = np.where(seen, np.inf, d[cur])
            cur = int(np.argmin(row))
    return path


def best_greedy_path(d: np.ndarray, max_starts: int = 500) -> np.ndarray:
    """(N,) int64: the cheapest nearest-neighbour path over d (N, N) from every start (or
    `max_starts` evenly spaced)."""
    n = len(d)
    if n < 2:
        return np.arange(n, dtype=np.int64)
    starts = np.unique(np.linspace(0, n - 1, min(n, max_starts)).round().astype(np.int64))
    best, best_cost = None, np.inf
    for s in starts:
        p = greedy_path(d, int(s))
        c = path_cost(d, p)
        if c < best_cost:
            best, best_cost = p, c
    return best


def _closed(d: np.ndarray) -> np.ndarray:
    """d with a dummy node N at distance 0 from all: an open path is a cycle through it."""
    n = len(d)
    out = np.zeros((n + 1, n + 1), dtype=np.float64)
    out[:n, :n] = d
    return out


def _to_cycle(path: np.ndarray) -> np.ndarray:
    return np.concatenate([path, [len(path)]]).astype(np.int64)


def _to_path(cycle: np.ndarray) -> np.ndarray:
    k = int(np.flatnonzero(cycle == len(cycle) - 1)[0])
    return np.concatenate([cycle[k + 1:], cycle[:k]]).astype(np.int64)


def two_opt(d: np.ndarray, path, max_passes: int = 100, cancel=None) -> np.ndarray:
    """2-opt on the open path: reverse segments while that shortens it; returns a new path.

    For each i the gains of all segment ends j are computed at once; the best one is
    applied if it gains more than 1e-9. Stops when a pass finds nothing (a 2-optimal
    path) or after `max_passes`.  d (N, N), path (N,); returns (N,) int64.  Source:
    Croes 1958 ("A method for solving traveling-salesman problems", Oper. Res. 6).
    Raises `Cancelled` when `cancel` is set (checked during every pass).
    """
    dd = _closed(d)
    t = _to_cycle(np.asarray(path, dtype=np.int64))
    m = len(t)
    if m < 5:
        return _to_path(t)
    for _ in range(max_passes):
        _cancel.check(cancel)
        improved = False
        for i in range(m - 2):
            if i % 256 == 0:
                _cancel.check(cancel)          # a pass over 5,000 colours takes seconds
            a, b = t[i], t[i + 1]
            c = t[i + 2:]
            dn = np.roll(t, -1)[i + 2:]
            gain = dd[a, b] + dd[c, dn] - dd[a, c] - dd[b, dn]
            if i == 0:
                gain = gain[:-1]          # j = m-1 would wrap onto edge (a, b) itself
            if len(gain) == 0:
                continue
            j = int(np.argmax(gain))
            if gain[j] > 1e-9:
                j += i + 2
                t[i + 1:j + 1] = t[i + 1:j + 1][::-1]
                improved = True
        if not improved:
            break
    return _to_path(t)


def nearest(d: np.ndarray, k: int) -> np.ndarray:
    """(N, min(k, N-1)) indices of each colour's k nearest other colours (any order)."""
    n = len(d)
    k = min(k, n - 1)
    if k <= 0:
        return np.zeros((n, 0), dtype=np.int64)
    dd = np.array(d, dtype=np.float64)
    np.fill_diagonal(dd, np.inf)
    return np.argpartition(dd, k - 1, axis=1)[:, :k].astype(np.int64)


def or_opt(d: np.ndarray, path, max_passes: int = 50, neighbours: int = 16, cancel=None) -> np.ndarray:
    """Or-opt on the open path: move runs of 1-3 colours (either way round) next to one of
    their `neighbours` nearest colours, or to an end, while that shortens the path.

    Candidate places are limited to the edges beside each run end's nearest colours (the
    usual neighbour-list speed-up), so a pass is O(N * neighbours) small numpy steps.
    d (N, N), path (N,); returns a new (N,) int64 path.  Source: Or 1976 (PhD thesis,
    Northwestern University).  Raises `Cancelled` when `cancel` is set.
    """
    n = len(d)
    p = np.asarray(path, dtype=np.int64).copy()
    if n < 4:
        return p
    dd = np.asarray(d, dtype=np.float64)
    near = nearest(dd, neighbours)
    pos = np.empty(n, dtype=np.int64)
    pos[p] = np.arange(n)
    for _ in range(max_passes):
        _cancel.check(cancel)
        improved = False
        for seg in (1, 2, 3):
            if seg >= n - 1:
                break
            for i in range(n - seg + 1):
                if i % 256 == 0:
                    _cancel.check(cancel)
                first, last = p[i], p[i + seg - 1]
                # cost saved by taking the run out (ends of the path have no outer edge)
                saved = (dd[p[i - 1], first] if i > 0 else 0.0) + (dd[last, p[i + seg]] if i + seg < n else 0.0)
                if 0 < i and i + seg < n:
                    saved -= dd[p[i - 1], p[i + seg]]
                if saved <= 1e-9:
                    continue
                # slots are gaps of the path without the run ("rest"), 0..n-seg; rest[k] is
                # p[k] before the run and p[k + seg] after it, so nothing is copied per run
                q = pos[np.concatenate([near[first], near[last]])]
                q = q[(q < i) | (q >= i + seg)]
                q = np.where(q < i, q, q - seg)
                slots = np.unique(np.concatenate([q, q + 1, [0, n - seg]]))
                slots = slots[(slots != i) & (slots <= n - seg)]   # i: where the run came from
                if len(slots) == 0:
                    continue
                lk, rk = slots - 1, slots
                left = np.where(lk >= 0, p[np.where(lk < i, lk, lk + seg).clip(0, n - 1)], -1)
                right = np.where(rk < n - seg, p[np.where(rk < i, rk, rk + seg).clip(0, n - 1)], -1)
                lv, rv = np.maximum(left, 0), np.maximum(right, 0)
                base = np.where((left >= 0) & (right >= 0), dd[lv, rv], 0.0)
                best_gain, best = 1e-9, None
                for flip, a, b in ((False, first, last), (True, last, first)):
                    add = np.where(left >= 0, dd[lv, a], 0.0) + np.where(right >= 0, dd[b, rv], 0.0) - base
                    k = int(np.argmin(add))
                    if saved - add[k] > best_gain:
                        best_gain, best = saved - add[k], (int(slots[k]), flip)
                if best is not None:
                    slot, flip = best
                    run = p[i:i + seg]
                    rest = np.concatenate([p[:i], p[i + seg:]])
                    p = np.concatenate([rest[:slot], run[::-1] if flip else run, rest[slot:]])
                    pos[p] = np.arange(n)
                    improved = True
        if not improved:
            break
    return p


def local_search(d: np.ndarray, path, cancel=None) -> np.ndarray:
    """2-opt and Or-opt in turn until neither improves the open path (at most 20 rounds).

    d (N, N), path (N,); returns (N,) int64.  Raises `Cancelled` when `cancel` is set.
    """
    p = np.asarray(path, dtype=np.int64)
    cost = path_cost(d, p)
    for _ in range(20):
        p = or_opt(d, two_opt(d, p, cancel=cancel), cancel=cancel)
        new = path_cost(d, p)
        if new >= cost - 1e-9:
            break
        cost = new
    return p


def hue_order(rgb) -> np.ndarray:
    """(N,) int64 order of sRGB colours rgb (N, 3) in [0, 1] by CIELAB hue angle (the "sort
    by hue" of palette tools), ties by L*: a baseline."""
    from somdesk.core.colour import lab_to_lch

    lch = lab_to_lch(srgb_to_lab(np.asarray(rgb, dtype=np.float64)))
    return np.lexsort((lch[:, 0], lch[:, 2])).astype(np.int64)


def lightness_order(rgb) -> np.ndarray:
    """(N,) int64 order of sRGB colours rgb (N, 3) in [0, 1] by CIELAB L* (the "sort by
    lightness" of palette tools), ties by hue: a baseline."""
    from somdesk.core.colour import lab_to_lch

    lch = lab_to_lch(srgb_to_lab(np.asarray(rgb, dtype=np.float64)))
    return np.lexsort((lch[:, 2], lch[:, 0])).astype(np.int64)
