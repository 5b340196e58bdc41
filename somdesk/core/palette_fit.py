"""Fitting a palette to a colour histogram (weighted k-means) and mapping pixels onto it.

    hist = colour_histogram(img)                          # distinct colours + counts
    fit = fit_palette(hist, 64, space="blend", seed=0)    # (K, 4) uint8 RGBA palette
    idx = remap(img, fit.rgba, space="blend", hist=hist)  # (H, W) uint8 indices

Spaces (`SPACES`) decide which colours count as close:
    srgb   Euclidean distance of 8-bit sRGB / 255 -- what PSNR measures;
    oklab  Euclidean distance in OKLab (Ottosson 2020) -- perceptual;
    blend  both added: the 6-D vector (sRGB, OKLab), each part on its own
           0..1-ish scale.  Measured on the benchmark photos it keeps
           sRGB's PSNR and gets most of OKLab's CIEDE2000 (benchmarks/bench_quantize.py).
Whatever the space, each palette entry is the count-weighted mean of its
cluster's colours in sRGB, the colour that reproduces them with the least
squared error on screen.

Transparency, as libimagequant does it: alpha is one more channel of the
quantiser and colours are premultiplied, so the feature of a pixel is
(alpha * colour, alpha) and two nearly invisible pixels are close whatever
their colour.  Pixels with alpha 0 never train the palette; they all map to
one reserved entry (0, 0, 0, 0) that takes one of the K slots (an indexed
PNG marks it in its tRNS chunk).  Pictures without translucent pixels use no
alpha channel at all.

Algorithm (weighted Lloyd k-means, S. Lloyd 1982; seeding by k-means++,
Arthur & Vassilvitskii 2007, weighted by pixel counts):
    1. if the histogram has more than TRAIN_POINTS colours, they are pooled
       into 5-bit-per-channel cells, each cell one point at its members'
       weighted mean -- the same reduction pngquant makes before its own
       k-means -- so seeding and most passes cost the same for any picture;
    2. greedy k-means++ seeding and up to LLOYD_PASSES weighted Lloyd passes
       on those points, a cluster left empty being moved to the worst-served
       point; the best of `restarts(k)` seedings is kept (8 up to 16
       colours, 4 up to 64);
    3. Lloyd passes on every distinct colour: 20 for up to 64 colours,
       FULL_PASSES above (each costs ~4x more there); a histogram of more
       than FULL_LIMIT colours (a big photo can have millions) is pooled
       into 6-bit cells for these passes, so their cost stays bounded.
    4. in the "blend" space, for opaque pictures, somdesk.core.palette_mix
       refines the palette for PSNR and CIEDE2000 together (log MSE +
       0.5 log mean CIEDE2000 on the histogram, the plain fit kept when it
       scores better); the result carries the assignment rule (`mix`) that
       `remap` then follows.
The k-means itself (nearest centres, seeding, Lloyd passes with Hamerly's bounds) is
somdesk.core.weighted_kmeans.  `cancel` (a CancelToken) is checked between passes (each well under 50 ms
for the 0.3 Mpx benchmark photos at 256 colours).
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import numpy as np

from somdesk.core import cancel as _cancel
from somdesk.core.cancel import drain
from somdesk.core.colour_histogram import (ColourHistogram, as_picture, colour_histogram, keys_to_colours,
                                          pixel_keys, unique_keys)
from somdesk.core.colour import linear_to_oklab, srgb_to_linear
from somdesk.core.palette_spaces import DEFAULT_SPACE, SPACES
from somdesk.core.weighted_kmeans import LINEAR, kmeanspp_seeds, lloyd_passes, nearest
from somdesk.errors import OptionError

__all__ = ["SPACES", "DEFAULT_SPACE", "FittedPalette", "colour_features", "fit_palette", "remap", "remap_steps",
           "TRAIN_POINTS", "LLOYD_PASSES", "FULL_PASSES"]

TRAIN_POINTS = 16_384   # histograms bigger than this are pooled for seeding and most passes
FULL_LIMIT = 262_144    # above this many colours the "full" passes run on 6-bit cells
LLOYD_PASSES = 24
FULL_PASSES = 10
SLICE_PIXELS = 1 << 20
FEATURE_SLICE = 1 << 18


@dataclass(frozen=True)
class FittedPalette:
    """What `fit_palette` returns: the (K <= 256, 4) uint8 RGBA palette and how to remap with it."""

    rgba: np.ndarray          # (K, 4) uint8; alpha 255 = opaque; (0,0,0,0) = the transparent entry
    transparent_index: int    # index of the (0, 0, 0, 0) entry, or -1
    space: str
    mix: object = None        # palette_mix.Mix: how `remap` assigns colours; None = nearest in `space`
    labels: np.ndarray | None = None   # (N,) entry of each histogram colour under `mix` (refined fits)

    @property
    def rgb(self) -> np.ndarray:
        """(K, 3) uint8 view of the palette's colours without alpha."""
        return self.rgba[:, :3]


def _one_blas_thread():
    """A context limiting BLAS to one thread: the products here have an inner
    dimension of 3-7, where a second thread costs more than it gives (measured
    2.5x slower with two threads on the shared benchmark machine).  Nothing to do when
    OPENBLAS_NUM_THREADS is 1 (`somdesk quantize` starts OpenBLAS so, somdesk/cli.py):
    threadpoolctl's import and its look at the loaded libraries cost ~3 ms of the command."""
    if os.environ.get("OPENBLAS_NUM_THREADS") == "1":
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a dependency; without it BLAS keeps its default
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


_LINEAR8 = srgb_to_linear(np.repeat(np.arange(256)[:, None] / 255.0, 3, axis=1))[:, 0]  # curve of each 8-bit value


def srgb8_to_oklab(rgb8: np.ndarray) -> np.ndarray:
    """(N, 3) uint8 sRGB -> (N, 3) OKLab float64 (somdesk.core.colour, the curve by table lookup)."""
    return linear_to_oklab(_LINEAR8[rgb8])


def check_space(space: str) -> str:
    """`space` itself when it is one of SPACES (exact name); OptionError naming them otherwise."""
    if space not in SPACES:
        raise OptionError(f"unknown colour space {space!r}; choose one of {', '.join(SPACES)}")
    return space


def colour_features(colours: np.ndarray, space: str, alpha: bool) -> np.ndarray:
    """(N, D) float64 features of (N, 3|4) uint8 colours in `space` (module docstring).

    With `alpha` the colour part is premultiplied and alpha / 255 is appended.
    D is 3 (srgb, oklab) or 6 (blend), plus 1 with `alpha`.  Raises OptionError for an
    unknown space.
    """
    check_space(space)
    rgb = colours[:, :3]
    if space == "srgb":
        f = rgb / 255.0
    elif space == "oklab":
        f = srgb8_to_oklab(rgb)
    else:
        f = np.hstack([rgb / 255.0, srgb8_to_oklab(rgb)])
    if alpha:
        a = (colours[:, 3] / 255.0) if colours.shape[1] == 4 else np.ones(len(colours))
        f = np.hstack([f * a[:, None], a[:, None]])
    return np.ascontiguousarray(f)


def _pooled(hist: ColourHistogram, feats: np.ndarray, w: np.ndarray, bits: int = 5):
    """Points and weights of the `bits`-per-channel cells (module docstring steps 1 and 3)."""
    c = hist.colours
    drop = 8 - bits
    cell = (((c[:, 0] >> drop).astype(np.uint32) << (2 * bits)) | ((c[:, 1] >> drop).astype(np.uint32) << bits)
            | (c[:, 2] >> drop))
    if hist.has_alpha:
        cell |= (c[:, 3] >> 5).astype(np.uint32) << (3 * bits)
    _, inv = np.unique(cell, return_inverse=True)
    cw = np.bincount(inv, weights=w)
    pts = np.stack([np.bincount(inv, weights=w * feats[:, d]) for d in range(feats.shape[1])], axis=1)
    return np.ascontiguousarray(pts / cw[:, None]), cw, inv


def _features(colours: np.ndarray, space: str, alpha: bool, cancel) -> np.ndarray:
    """colour_features in slices of FEATURE_SLICE colours, looking at `cancel` between them."""
    step = FEATURE_SLICE
    if len(colours) <= step:
        return colour_features(colours, space, alpha)
    parts = []
    for s in range(0, len(colours), step):
        _cancel.check(cancel)
        parts.append(colour_features(colours[s:s + step], space, alpha))
    return np.concatenate(parts)


def restarts(k: int) -> int:
    """Seedings tried (the lowest weighted error wins): several for small palettes,
    where one bad seed costs most and a try is cheap (measured +0.1 dB at 16-64)."""
    return 8 if k <= 16 else 4 if k <= 64 else 1


def full_passes(k: int) -> int:
    """Lloyd passes on every distinct colour: more where a pass is cheap (k <= 64)."""
    return 20 if k <= 64 else FULL_PASSES


def fit_palette(hist: ColourHistogram, colours: int, space: str = DEFAULT_SPACE, seed: int | None = None,
                cancel=None, start: np.ndarray | None = None) -> FittedPalette:
    """A palette of at most `colours` RGBA entries for the histogram (module docstring).

    Weighted Lloyd k-means (S. Lloyd 1982) seeded by k-means++ (Arthur & Vassilvitskii
    2007), weighted by pixel counts; returns a FittedPalette with rgba (K, 4) uint8.

    `colours` counts the transparent entry when the picture has fully
    transparent pixels.  A histogram with no more distinct colours than
    slots is reproduced exactly.  Deterministic for a given seed (None = 0).
    `start` ((S, 3|4) uint8 colours, S <= the slots; e.g. a trained map's node
    colours, core.map_quantise) replaces the k-means++ seeding: the Lloyd passes
    and the refinement then start from these colours, entry for entry.
    Raises OptionError for fewer than 2 or more than 256 colours, an unknown
    space or more start colours than slots, `Cancelled` when `cancel` is set.
    """
    with _one_blas_thread():
        return _fit(hist, colours, space, seed, cancel, start)


def _start_centres(start, slots: int, space: str, alpha: bool) -> np.ndarray:
    """Features of the start colours (opaque unless given with alpha), checked against the slots."""
    st = np.asarray(start, dtype=np.uint8)
    if st.ndim != 2 or st.shape[1] not in (3, 4) or len(st) == 0:
        raise OptionError(f"start colours must be (S, 3) or (S, 4) uint8, got shape {st.shape}")
    if len(st) > slots:
        raise OptionError(f"{len(st)} start colours do not fit in {slots} palette slots")
    if st.shape[1] == 3:
        st = np.hstack([st, np.full((len(st), 1), 255, np.uint8)])
    return colour_features(st, space, alpha)


def _fit(hist, colours, space, seed, cancel, start=None) -> FittedPalette:
    check_space(space)
    colours = int(colours)
    if not 2 <= colours <= 256:
        raise OptionError(f"the number of colours must be between 2 and 256, got {colours}")
    slots = colours - (1 if hist.transparent else 0)
    if start is not None:
        _start_centres(start, slots, space, False)      # checked before any work
    entries = []
    mix = fit_labels = None
    if len(hist.colours) <= slots:
        rgba = hist.colours if hist.has_alpha else np.hstack(
            [hist.colours, np.full((len(hist.colours), 1), 255, np.uint8)])
        entries.append(rgba)
    else:
        alpha = hist.translucent
        feats = _features(hist.colours, space, alpha, cancel)
        w = hist.counts.astype(np.float64)
        rng = np.random.default_rng(np.random.SeedSequence([0 if seed is None else int(seed), 11]))
        if len(feats) > TRAIN_POINTS:
            pts, pw, cell = _pooled(hist, feats, w)
        else:
            pts, pw, cell = feats, w, None
        best = None
        if start is not None:       # the given colours instead of seedings: one run from them
            c, lab = lloyd_passes(pts, pw, _start_centres(start, slots, space, alpha), LLOYD_PASSES, cancel)
            best = (0.0, c, lab)
        for _ in range(restarts(slots) if start is None else 0):
            c = kmeanspp_seeds(pts, pw, min(slots, len(pts)), rng, cancel)
            c, lab = lloyd_passes(pts, pw, c, LLOYD_PASSES, cancel)
            sse = float(pw @ np.sum((pts - c[lab]) ** 2, axis=1))
            if best is None or sse < best[0]:
                best = (sse, c, lab)
        centres = best[1]
        guess = best[2][cell] if cell is not None else None     # each colour's cell's cluster
        if len(feats) <= FULL_LIMIT:
            centres, labels = lloyd_passes(feats, w, centres, full_passes(slots) if pts is not feats else 0,
                                           cancel, LINEAR if space == "blend" else 0.0, guess)
        else:       # millions of colours (big photos): the passes run on 6-bit cells
            fine, fw, _ = _pooled(hist, feats, w, bits=6)
            centres, _ = lloyd_passes(fine, fw, centres, full_passes(slots), cancel)
            labels, _ = nearest(centres, feats, cancel)
        fitted = _cluster_colours(hist, labels, w, len(centres), alpha)
        if space == "blend" and not alpha:     # the last step for both measures (palette_mix)
            from somdesk.core.palette_mix import refine_palette

            rgb, mix, fit_labels = refine_palette(hist.colours[:, :3], hist.counts, feats, fitted[:, :3],
                                                  lambda p: colour_features(p, space, False), cancel)
            fitted = np.hstack([rgb, np.full((len(rgb), 1), 255, np.uint8)])
        entries.append(fitted)
    if hist.transparent:
        entries.append(np.zeros((1, 4), np.uint8))
    rgba = _unique_rows(np.concatenate(entries))         # rounding can merge two entries
    tindex = -1
    if hist.transparent:
        tindex = int(np.flatnonzero(np.all(rgba == 0, axis=1))[0])
    labels = None
    if fit_labels is not None:      # rows of `fitted` -> rows of the sorted, merged rgba
        pos = np.searchsorted(_packed(rgba), _packed(fitted))
        labels = pos[fit_labels]
    return FittedPalette(rgba, tindex, space, mix, labels)


def _packed(rgba: np.ndarray) -> np.ndarray:
    k = rgba.astype(np.uint32)
    return (k[:, 0] << 24) | (k[:, 1] << 16) | (k[:, 2] << 8) | k[:, 3]


def _unique_rows(rgba: np.ndarray) -> np.ndarray:
    """np.unique(rgba, axis=0) for (K, 4) uint8 (the same rows, the same order) by packed
    keys: the axis=0 form imports numpy.ma, ~15 ms of the command's start-up."""
    keys = unique_keys(_packed(rgba))
    return np.stack([(keys >> s) & 255 for s in (24, 16, 8, 0)], axis=1).astype(np.uint8)


def _cluster_colours(hist, labels, w, k, alpha) -> np.ndarray:
    """(k', 4) uint8: each non-empty cluster's weighted mean (premultiplied sRGB, alpha).

    A cluster that is mostly (by weight) fully opaque pixels gets alpha 255, not the mean:
    otherwise a few soft-edge pixels joining a flat colour's cluster would make every
    opaque pixel of that colour slightly see-through (alpha 253) in the output."""
    c = hist.colours
    a = c[:, 3] / 255.0 if alpha else np.ones(len(c))
    cnt = np.bincount(labels, weights=w, minlength=k)
    live = cnt > 0
    wa = np.bincount(labels, weights=w * a, minlength=k)[live]
    rgb = np.stack([np.bincount(labels, weights=w * a * c[:, d], minlength=k)[live] for d in range(3)], axis=1)
    mean_a = wa / cnt[live]
    rgb = rgb / np.maximum(wa, 1e-300)[:, None]
    out = np.empty((len(rgb), 4), np.uint8)
    out[:, :3] = np.clip(np.rint(rgb), 0, 255)
    out[:, 3] = np.clip(np.rint(mean_a * 255), 1 if alpha else 255, 255)   # alpha 0 is the reserved entry
    if alpha:
        opaque = np.bincount(labels, weights=w * (c[:, 3] == 255), minlength=k)[live]
        out[opaque >= 0.5 * cnt[live], 3] = 255
    return out


def _usable_entries(rgba: np.ndarray, opaque: bool) -> np.ndarray:
    """Indices of the entries a colour may take: never the transparent one; for an opaque
    colour only opaque entries when the palette has any -- a see-through hole in an opaque
    area is worse than a colour error, and libimagequant never makes one (tester7 F29: at 3
    colours 4 % of the opaque pixels came out at alpha 106)."""
    usable = np.flatnonzero(rgba[:, 3] > 0)
    if opaque:
        solid = np.flatnonzero(rgba[:, 3] == 255)
        if len(solid):
            return solid
    return usable


def _labels_for(hist: ColourHistogram, rgba: np.ndarray, space: str, cancel=None, mix=None) -> np.ndarray:
    """Palette entry of every histogram colour: the nearest (or the `mix` rule's) among
    `_usable_entries` (opaque colours to opaque entries)."""
    alpha = hist.translucent or bool(np.any((rgba[:, 3] > 0) & (rgba[:, 3] < 255)))
    colours = hist.colours if hist.has_alpha else np.hstack(
        [hist.colours, np.full((len(hist.colours), 1), 255, np.uint8)])
    labels = np.empty(len(colours), np.int64)
    is_opaque = colours[:, 3] == 255
    for group, opaque in ((is_opaque, True), (~is_opaque, False)):
        if group.any():
            entries = _usable_entries(rgba, opaque)
            labels[group] = entries[_assign(colours[group], rgba[entries], space, alpha, mix, cancel)]
    return labels


def _assign(colours, entries, space, alpha, mix, cancel) -> np.ndarray:
    """Index into `entries` (K, 4) of each of the (N, 4) colours: nearest in `space`, or by
    the palette_mix rule when the palette was refined for both measures (opaque only)."""
    pf = colour_features(entries, space, alpha)
    feats = _features(colours, space, alpha, cancel)
    if mix is None or alpha:
        idx, _ = nearest(pf, feats, cancel)
        return idx
    from somdesk.core.palette_mix import assign_mixed, srgb8_to_lab

    rgb, prgb = colours[:, :3], entries[:, :3]
    idx, _, _ = assign_mixed(rgb, srgb8_to_lab(rgb), feats, prgb.astype(np.float64), srgb8_to_lab(prgb), pf,
                             mix, cancel)
    return idx


def remap(img, rgba, space: str = DEFAULT_SPACE, hist: ColourHistogram | None = None,
          dither: bool = False, cancel=None, mix=None, labels=None) -> np.ndarray:
    """(H, W) uint8 index of every pixel into the (K <= 256, 4) uint8 RGBA palette.

    Without dithering each colour goes to its nearest entry in `space`
    (exact; ties to the lowest index); pixels with alpha 0 go to the
    (0, 0, 0, 0) entry.  With `dither`, Floyd-Steinberg error diffusion
    (Floyd & Steinberg 1976) in premultiplied sRGB, see somdesk.core.dither.
    `hist` saves recounting when the caller has it.  `mix` (FittedPalette.mix)
    assigns by the rule the palette was refined with (somdesk.core.palette_mix)
    instead of the nearest entry; `labels` (FittedPalette.labels, with the
    `hist` the palette was fitted on) are those answers already found.
    Raises `Cancelled`.  `remap_steps` is the same work in slices.
    """
    return drain(remap_steps(img, rgba, space, hist, dither, cancel, mix, labels))



def remap_steps(img, rgba, space: str = DEFAULT_SPACE, hist: ColourHistogram | None = None,
                dither: bool = False, cancel=None, mix=None, labels=None):
    """`remap` as a generator: yields (rows done, rows) after every slice of ~SLICE_PIXELS
    pixels (once, at the end, when dithering) and returns the (H, W) indices -- so a caller
    that reports progress (the window's Quantise) runs exactly the command's code.

    Raises SomdeskError for a picture that is not (H, W, 3|4) uint8, OptionError for a
    palette that is not (K <= 256, 4) or lacks the (0, 0, 0, 0) entry a picture with
    transparent pixels needs, `Cancelled` when `cancel` is set."""
    arr = as_picture(img)
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    if rgba.ndim != 2 or rgba.shape[1] != 4 or not 1 <= len(rgba) <= 256:
        raise OptionError(f"the palette must be (K <= 256, 4) RGBA, got shape {rgba.shape}")
    transparent = np.flatnonzero(np.all(rgba == 0, axis=1))
    if arr.shape[2] == 4 and np.any(arr[..., 3] == 0) and len(transparent) == 0:
        raise OptionError("the picture has transparent pixels but the palette has no (0, 0, 0, 0) entry")
    h, w, _ = arr.shape
    if dither:
        from somdesk.core.dither import floyd_steinberg
        out = floyd_steinberg(arr, rgba, cancel=cancel)
        yield h, h
        return out
    out = np.empty((h, w), np.uint8)
    rows = max(1, SLICE_PIXELS // w)
    if hist is None and arr.shape[2] == 3:
        return (yield from _remap_rgb_lazily(arr, rgba, space, out, rows, cancel, mix))
    if hist is None:
        hist = colour_histogram(arr, cancel)
    with _one_blas_thread():
        if labels is None or len(labels) != len(hist.colours):
            labels = _labels_for(hist, rgba, space, cancel, mix)
        labels = np.asarray(labels).astype(np.uint8)
    if not hist.has_alpha:           # direct lookup: 16 MiB table of every 24-bit colour
        table = np.zeros(1 << 24, np.uint8)
        table[hist.keys] = labels
        for s in range(0, h, rows):
            _cancel.check(cancel)
            out[s:s + rows] = table[pixel_keys(arr[s:s + rows])].reshape(-1, w)
            yield min(s + rows, h), h
        return out
    tlabel = np.uint8(transparent[0]) if len(transparent) else np.uint8(0)
    for s in range(0, h, rows):
        _cancel.check(cancel)
        keys = pixel_keys(arr[s:s + rows])
        pos = np.searchsorted(hist.keys, keys)
        pos = np.minimum(pos, len(hist.keys) - 1) if len(hist.keys) else pos
        found = labels[pos] if len(hist.keys) else np.zeros(len(keys), np.uint8)
        found[keys == 0] = tlabel
        out[s:s + rows] = found.reshape(-1, w)
        yield min(s + rows, h), h
    return out


def _remap_rgb_lazily(arr, rgba, space, out, rows, cancel, mix=None) -> np.ndarray:
    """remap for RGB without a histogram: each slice searches only the colours no
    earlier slice had (a table of every 24-bit colour remembers the answers)."""
    h, w, _ = arr.shape
    table = np.zeros(1 << 24, np.uint8)
    known = np.zeros(1 << 24, bool)
    usable = _usable_entries(rgba, opaque=True)      # every pixel of an RGB picture is opaque
    alpha = bool(np.any(rgba[usable, 3] < 255))
    for s in range(0, h, rows):
        _cancel.check(cancel)
        keys = pixel_keys(arr[s:s + rows])
        new = keys[~known[keys]]
        if len(new):
            new = unique_keys(new)
            colours = np.hstack([keys_to_colours(new, 3), np.full((len(new), 1), 255, np.uint8)])
            with _one_blas_thread():     # per slice: not held while the generator waits
                table[new] = usable[_assign(colours, rgba[usable], space, alpha, mix, cancel)]
            known[new] = True
        out[s:s + rows] = table[keys].reshape(-1, w)
        yield min(s + rows, h), h
    return out
