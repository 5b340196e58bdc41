"""The last step of `fit_palette` in the "blend" space: a palette good on PSNR *and* CIEDE2000.

k-means in the blend space (sRGB + OKLab) gives each colour its nearest palette
entry in that space and each entry the sRGB mean of its colours.  Neither step
looks at what is finally measured -- squared sRGB error (PSNR) and mean
CIEDE2000 -- so this step does, on the picture's colour histogram (distinct
colours with pixel counts; exact for the whole picture when the histogram is
the whole picture's):

    F = log(MSE) + MIX_ALPHA * log(mean CIEDE2000)

is lowered by alternating
    1. assignment: each colour picks, of its CANDIDATES nearest entries in the
       space, the one with the least  sq / MSE + MIX_ALPHA * dE00 / meanDE
       (the first-order change of F; MSE and meanDE of the current state), and
    2. update: each entry becomes the weighted sRGB mean of its colours (rounded to
       8 bits), weights pixel count x (1 / (3 MSE) + MIX_ALPHA dE / (2 sq meanDE)):
       a majorise-minimise (Weiszfeld) step of the same first-order F, since CIEDE2000
       is a distance, not a squared one -- colours matched closely already pull
       harder, which moves entries toward the dense middle of their colours;
for REFINE_PASSES passes, F measured exactly after every assignment.  The state
with the lowest F wins -- the plain fit (nearest entry in the space) included,
so the result is never worse on F than k-means alone.  The winner's weights
(1 / MSE, MIX_ALPHA / meanDE) are kept with the palette (`Mix`) and `remap`
assigns every pixel by the same rule, so the file is the measured state.

Measured on 13 pictures x 16/64/256 colours (docs/quantisation.md): the
assignment step alone moves both measures the right way on most pictures
(nearest in blend is nearest in neither sRGB nor CIELAB); MIX_ALPHA trades
what is left.  CIEDE2000: Sharma, Wu & Dalal 2005 (somdesk.core.colour).
Only opaque pictures (no translucent pixels) are refined; the transparent entry
is left alone.  The candidate search and the assignment run compiled
(somdesk.core.mix_loops) when somdesk.core.kmeans_backend has the compiled loops.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from somdesk.core import cancel as _cancel
from somdesk.core.colour import delta_e_2000, linear_to_xyz, srgb_to_linear, xyz_to_lab
from somdesk.core.kmeans_backend import compiled_loops

__all__ = ["Mix", "MIX_ALPHA", "CANDIDATES", "REFINE_PASSES", "refine_palette", "assign_mixed", "srgb8_to_lab"]

MIX_ALPHA = 0.5       # weight of log(mean CIEDE2000) against log(MSE) in F
CANDIDATES = 2        # entries (nearest in the space) each colour chooses between
REFINE_PASSES = 2     # assignment + update passes
SLICE = 4_096         # colours per product in the candidate search
COMPILED_SLICE = 65_536   # colours per call of a compiled loop, between looks at the stop flag

_LINEAR8 = srgb_to_linear(np.repeat(np.arange(256)[:, None] / 255.0, 3, axis=1))[:, 0]


@dataclass(frozen=True)
class Mix:
    """The assignment rule of a refined palette: cost = sq * w_sq + dE00 * w_de."""
    w_sq: float          # 1 / MSE of the measured state (per channel, 8-bit units)
    w_de: float          # MIX_ALPHA / mean CIEDE2000 of that state
    candidates: int = CANDIDATES


def srgb8_to_lab(rgb8: np.ndarray) -> np.ndarray:
    """(N, 3) uint8 sRGB -> (N, 3) CIELAB (D65) float64, the transfer curve by table lookup."""
    return xyz_to_lab(linear_to_xyz(_LINEAR8[rgb8]))


def _candidates(pf: np.ndarray, feats: np.ndarray, m: int, cancel) -> np.ndarray:
    """(N, m) indices of each point's m nearest entries (nearest first), float32 products."""
    loops = compiled_loops()
    if loops is not None and m <= 2:     # exact float64 distances, compiled (somdesk.core.mix_loops)
        out = np.empty((len(feats), m), np.int64)
        pal = np.ascontiguousarray(pf, dtype=np.float64)
        for s in range(0, len(feats), COMPILED_SLICE):
            _cancel.check(cancel)
            loops.two_nearest(np.ascontiguousarray(feats[s:s + COMPILED_SLICE], dtype=np.float64), pal,
                              out[s:s + COMPILED_SLICE])
        return out
    p32 = np.ascontiguousarray(pf, dtype=np.float32)
    pn = np.einsum("ij,ij->i", p32, p32)
    pt = np.ascontiguousarray((-2.0 * p32).T)
    out = np.empty((len(feats), m), np.int64)
    rows = np.arange(min(SLICE, len(feats)))
    for s in range(0, len(feats), SLICE):
        _cancel.check(cancel)
        d = feats[s:s + SLICE].astype(np.float32) @ pt
        d += pn[None, :]
        r = rows[:len(d)]
        for j in range(m):
            i = np.argmin(d, axis=1)
            out[s:s + len(d), j] = i
            d[r, i] = np.inf
    return out


class _DeMemo:
    """CIEDE2000 of each of N colours against the (up to two) palette colours it was last
    compared with, keyed by the entry's packed 24-bit colour: refine_palette's passes compare
    most colours with the same entries again (the first two measures share the palette, and
    an update leaves most entries' 8-bit colour or most colours' candidates unchanged)."""

    def __init__(self, n: int):
        self.key = np.full((n, 2), -1, np.int64)
        self.val = np.zeros((n, 2))

    def get(self, lab, pal_lab, pal_key, rows, entries) -> tuple[np.ndarray, np.ndarray]:
        """(CIEDE2000 of colours `rows` against palette `entries`, their keys); only the
        pairs not remembered are computed."""
        keys = pal_key[entries]
        k = self.key[rows]
        v = self.val[rows]
        out = np.where(k[:, 0] == keys, v[:, 0], np.where(k[:, 1] == keys, v[:, 1], np.nan))
        miss = np.flatnonzero(np.isnan(out))
        if len(miss):
            out[miss] = delta_e_2000(lab[rows[miss]], pal_lab[entries[miss]])
        return out, keys

    def put(self, slot: int, rows, keys, vals) -> None:
        self.key[rows, slot] = keys
        self.val[rows, slot] = vals


def _packed(rgb: np.ndarray) -> np.ndarray:
    k = np.rint(rgb).astype(np.int64)
    return (k[:, 0] << 16) | (k[:, 1] << 8) | k[:, 2]


def assign_mixed(rgb8: np.ndarray, lab: np.ndarray, feats: np.ndarray, pal_rgb: np.ndarray,
                 pal_lab: np.ndarray, pal_feats: np.ndarray, mix: Mix, cancel=None, cand=None, memo=None):
    """(index into the palette, squared error, CIEDE2000) of each colour under `mix`.

    rgb8 (N, 3) uint8 colours, lab (N, 3) their CIELAB, feats (N, D) their features in the
    fitting space; pal_* the same for the (K, 3) palette.  Ties go to the nearer entry in
    the space.  `cand` ((N, >= m) from `_candidates` for this palette) and `memo` (a
    _DeMemo of these colours) save repeating work; the result is the same without them.
    Raises `Cancelled`.
    """
    m = min(mix.candidates, len(pal_rgb))
    if cand is None or cand.shape[1] < m:
        cand = _candidates(pal_feats, feats, m, cancel)
    cand = cand[:, :m]
    loops = compiled_loops()
    if loops is not None and m <= 2:     # the compiled loop knows two candidates (CANDIDATES)
        return _assign_compiled(loops, rgb8, lab, cand, pal_rgb, pal_lab, mix, m, memo, cancel)
    diff = rgb8[:, None, :].astype(np.float64) - pal_rgb[cand]
    sq = np.einsum("nmc,nmc->nm", diff, diff)
    de = np.empty_like(sq)
    rows = np.arange(len(cand))
    if memo is None:
        de[:, 0] = delta_e_2000(lab, pal_lab[cand[:, 0]])
    else:
        pal_key = _packed(pal_rgb)
        de[:, 0], key0 = memo.get(lab, pal_lab, pal_key, rows, cand[:, 0])
        later = []
    cost = sq[:, 0] * mix.w_sq + de[:, 0] * mix.w_de
    pick = np.zeros(len(cand), np.int64)
    for j in range(1, m):
        # dE00 >= 0, so a candidate whose squared error alone costs more cannot win: its
        # CIEDE2000 is computed only where it can (most colours keep their nearest entry)
        de[:, j] = np.inf
        maybe = np.flatnonzero(sq[:, j] * mix.w_sq < cost)
        if len(maybe):
            if memo is None:
                de[maybe, j] = delta_e_2000(lab[maybe], pal_lab[cand[maybe, j]])
            else:
                de[maybe, j], kj = memo.get(lab, pal_lab, pal_key, maybe, cand[maybe, j])
                later.append((min(j, 1), maybe, kj, de[maybe, j]))
            c = sq[maybe, j] * mix.w_sq + de[maybe, j] * mix.w_de
            better = c < cost[maybe]
            pick[maybe[better]] = j
            cost[maybe[better]] = c[better]
    if memo is not None:        # remembered after every look-up, so none is overwritten first
        memo.put(0, rows, key0, de[:, 0])
        for slot, r, k, v in later:
            memo.put(slot, r, k, v)
    return cand[rows, pick], sq[rows, pick], de[rows, pick]


def _assign_compiled(loops, rgb8, lab, cand, pal_rgb, pal_lab, mix, m, memo, cancel):
    """assign_mixed by the compiled loop (somdesk.core.mix_loops.mixed_assign), in slices that
    let a stop through."""
    n = len(rgb8)
    idx = np.empty(n, np.int64)
    sq = np.empty(n)
    de = np.empty(n)
    use = memo is not None
    keys = memo.key if use else np.empty((0, 2), np.int64)
    vals = memo.val if use else np.empty((0, 2))
    rgb8 = np.ascontiguousarray(rgb8, dtype=np.uint8)
    lab = np.ascontiguousarray(lab, dtype=np.float64)
    cand = np.ascontiguousarray(cand, dtype=np.int64)
    pal = np.ascontiguousarray(pal_rgb, dtype=np.float64)
    plab = np.ascontiguousarray(pal_lab, dtype=np.float64)
    pkey = np.ascontiguousarray(_packed(pal_rgb), dtype=np.int64)
    for s in range(0, n, COMPILED_SLICE):
        _cancel.check(cancel)
        e = s + COMPILED_SLICE
        loops.mixed_assign(rgb8[s:e], lab[s:e], cand[s:e], pal, plab, pkey, float(mix.w_sq), float(mix.w_de), m,
                           keys[s:e] if use else keys, vals[s:e] if use else vals, use, idx[s:e], sq[s:e], de[s:e])
    return idx, sq, de


def _distinct(pal: np.ndarray) -> np.ndarray:
    """The distinct rows of a (K, 3) uint8 palette, ascending by packed value."""
    k = pal.astype(np.uint32)
    keys = np.sort((k[:, 0] << 16) | (k[:, 1] << 8) | k[:, 2])
    keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
    return np.stack([(keys >> s) & 255 for s in (16, 8, 0)], axis=1).astype(np.uint8)


def refine_palette(rgb8: np.ndarray, counts: np.ndarray, feats: np.ndarray, palette: np.ndarray,
                   features, cancel=None) -> tuple[np.ndarray, Mix | None, np.ndarray]:
    """(refined (K', 3) uint8 palette, its Mix or None when the plain fit is kept, (N,) index
    of each colour's entry under that rule -- what `remap` would find again).

    rgb8 (N, 3) uint8 distinct colours, counts (N,) their pixel counts, feats (N, D)
    their features in the fitting space; palette (K, 3) uint8; `features(rgb8)` gives
    the features of palette colours.  None means "nearest entry in the space", the
    plain rule, which scored best.  Raises `Cancelled`.
    """
    w = counts.astype(np.float64)
    total = float(w.sum())
    lab = srgb8_to_lab(rgb8)
    pal = np.ascontiguousarray(palette[:, :3], dtype=np.uint8)
    plain = Mix(0.0, 0.0, 1)                  # one candidate: the nearest, as remap does

    memo = _DeMemo(len(rgb8))
    found = {}                               # the candidates of the current palette

    def measure(p, mix):
        pr = p.astype(np.float64)
        pf = features(p)
        if found.get("pal") is None or not np.array_equal(found["pal"], p):
            found["pal"], found["cand"] = p, _candidates(pf, feats, min(CANDIDATES, len(p)), cancel)
        idx, sq, de = assign_mixed(rgb8, lab, feats, pr, srgb8_to_lab(p), pf, mix, cancel,
                                   cand=found["cand"], memo=memo)
        mse, mde = float(w @ sq) / (3 * total), float(w @ de) / total
        score = math.log(max(mse, 1e-12)) + MIX_ALPHA * math.log(max(mde, 1e-12))
        return _State(score, p, mix, idx, sq, de, mse, mde)

    def polish(plain_state):
        """The rule on the plain fit's palette, then REFINE_PASSES - 1 of (update, assignment
        by the rule); the state of the lowest F seen, the plain fit included."""
        best = cur = measure(plain_state.pal, plain_state.mix_for_next())
        for _ in range(REFINE_PASSES - 1):
            if cur.mse <= 0.0 or cur.mde <= 0.0:
                break
            new = _means(rgb8, w * _irls_weights(cur), cur.idx, cur.pal)
            if np.array_equal(new, cur.pal):
                break
            cur = measure(new, cur.mix_for_next())
            if cur.score < best.score:
                best = cur
        return best if best.score < plain_state.score else plain_state

    state = measure(pal, plain)
    if state.mse <= 0.0 or state.mde <= 0.0:              # exact already
        return pal, None, state.idx
    best = polish(state)
    return best.pal, best.mix, best.idx


def _irls_weights(state) -> np.ndarray:
    """(N,) factors of the pixel counts making the update's weighted sRGB mean a
    majorise-minimise step of the linearised F (state.mse, state.mde > 0): a colour's squared
    error counts 1 / (3 MSE), its CIEDE2000 -- a distance, not a squared one -- MIX_ALPHA /
    meanDE, and a distance d at the current entry is majorised by d^2 / (2 d) + d / 2, so it
    weighs like dE / (2 sq) times a squared error (Weiszfeld's iteration for sums of
    distances; sq floored at 1, one 8-bit step)."""
    a = 1.0 / (3 * state.mse)
    b = MIX_ALPHA / state.mde
    return a + b * state.de / (2.0 * np.maximum(state.sq, 1.0))


@dataclass(frozen=True)
class _State:
    """One measured palette: F, the palette, its rule (None = nearest in the space), each
    colour's entry, squared error and CIEDE2000, MSE and mean CIEDE2000."""
    score: float
    pal: np.ndarray
    mix: "Mix | None"
    idx: np.ndarray
    sq: np.ndarray
    de: np.ndarray
    mse: float
    mde: float

    def mix_for_next(self) -> Mix:
        return Mix(1.0 / (3 * self.mse), MIX_ALPHA / self.mde)


def _means(rgb8, w, idx, pal) -> np.ndarray:
    """Each entry the count-weighted sRGB mean of its colours (8-bit), entries kept once."""
    cnt = np.bincount(idx, weights=w, minlength=len(pal))
    live = cnt > 0
    new = pal.copy()
    for c in range(3):
        s = np.bincount(idx, weights=w * rgb8[:, c], minlength=len(pal))
        new[live, c] = np.clip(np.rint(s[live] / cnt[live]), 0, 255)
    return _distinct(new)        # two clusters can round to one colour: keep it once
