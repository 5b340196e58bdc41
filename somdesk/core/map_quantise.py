"""A picture quantised with a trained map's colours, transparency kept (the window's image maps).

    idx, palette = quantise_from_map(img, som.weights)   # Quantise full picture = `quantize --map`
    idx, palette = quantise_with_map(img, som.weights)   # the live preview: the nodes themselves
    save_indexed_png("out.png", idx, palette)            # tRNS when the picture has alpha

`quantise_from_map` is the command's palette fit (core.quantize.quantize_picture)
started from the map's colours (`map_start`) instead of k-means++ seeds: the
window's Quantise and `somdesk quantize IN OUT.png --map M.somz` both run it and
write the same file (docs/quantisation.md, "One code path").  The rest of this
module is the map's own palette, which the live preview shows and the fit starts from.

The window's palette map is a SOM of colours (3 values a node): it trains on the
picture's visible pixels (`core.quantize.sample_pixels` leaves out alpha 0), and
its nodes are the palette.  Transparency then follows the rule of `somdesk
quantize` (core.palette_fit, docs/quantisation.md), through the same functions:

* an opaque picture (H, W, 3) is quantised exactly as before: every pixel to its
  nearest node colour (`assign_chunked`), palette (K, 3);
* a picture with alpha gets an RGBA palette: the K node colours opaque, plus
  - the reserved transparent entry (0, 0, 0, 0) when some pixel has alpha 0:
    every such pixel takes it, whatever RGB it stores, and it counts in the 256
    entries an indexed PNG can hold.  When the map has 256 nodes and all of them
    are used, the node the fewest pixels pick gives way (its pixels take their
    next nearest colour), so the file stays within 256 entries;
  - up to min(K, 256 - K - t) translucent entries when some pixels have
    0 < alpha < 255, fitted on those pixels alone by `palette_fit.fit_palette`
    (alpha as a fourth channel, premultiplied colour: the libimagequant rule the
    CLI uses), since the map itself holds only opaque colours;
  and every pixel goes to its nearest entry by `palette_fit.remap` in sRGB with
  those features (ties to the lowest index; the CLI's remapping).

The translucent entries depend on the picture only, not on the map, and fitting
them is the slow part (1.6 s for a 0.3 Mpx picture with 150,000 translucent pixels
of random colours, against 0.1 s for the remapping), so a caller that quantises the
same picture again and again -- the window's live preview, every measured epoch --
passes a `cache` dict that keeps the histogram and the fitted entries.

`picture_psnr` compares pictures as they look on white (both composited the
way a browser shows them), so a transparent pixel's stored RGB does not count;
`on_checkerboard` is what the window shows.

Big pictures (up to 100 Mpx, io.image_input.MAX_IMAGE_PIXELS) are never expanded
whole: `indexed_measures` finds the PSNR and the entries used of a quantised
picture from its indices in slices (no full-size `palette[indices]`, no full-size
composites), and `shown_small` makes the picture the window draws at most
DISPLAY_MAX_SIDE a side, in bands; both check a CancelToken between slices
(tester7 #13, #14: a 100 Mpx RGBA picture held 2.7 GB and took 4-7 s to stop).
"""
from __future__ import annotations

import numpy as np

from somdesk.core.colour_histogram import ColourHistogram, as_picture, colour_histogram
from somdesk.core.palette_fit import DEFAULT_SPACE, fit_palette, nearest, remap
from somdesk.core.quantize import MAX_COLOURS, assign_chunked, palette_rgb8, psnr

__all__ = ["quantise_from_map", "quantise_from_map_steps", "map_start", "quantise_with_map", "map_palette",
           "picture_psnr", "indexed_measures", "indexed_delta_e", "DELTA_E_SAMPLE", "composite",
           "on_checkerboard", "rows_on_checkerboard", "band_on_checkerboard", "shown_small", "checkerboard",
           "CHECKER", "DISPLAY_MAX_SIDE"]

CHECKER = 8                       # checkerboard squares, in picture pixels (screen pixels when shrunk)
# The window draws a picture at most this many pixels a side (a 4K screen's width: the canvas
# never shows more at once); bigger pictures are box-averaged to it for the screen, and
# exports are written from the full-size picture.
DISPLAY_MAX_SIDE = 2048
#: pixels `indexed_delta_e` measures (all of a smaller picture): the quantiser's own sample size
#: (core.quantize.DEFAULT_SAMPLE); the estimate's spread over seeds was 0.01-0.02 on two photos
#: (docs/quantisation.md), so it is shown to one decimal
DELTA_E_SAMPLE = 1 << 16
_CHECKER_SHADES = (204, 255)      # light grey and white, as image editors draw "nothing"


def _node_colours(codebook) -> np.ndarray:
    cb = np.asarray(codebook)
    return palette_rgb8(cb[..., :3] if cb.dtype != np.uint8 else cb)


def _histogram(arr, cache, cancel) -> ColourHistogram:
    if cache is None:
        return colour_histogram(arr, cancel)
    if "hist" not in cache:
        cache["hist"] = colour_histogram(arr, cancel)
    return cache["hist"]


def _translucent_entries(hist: ColourHistogram, slots: int, seed, cancel, cache) -> np.ndarray:
    """Up to `slots` RGBA entries (alpha < 255) fitted on the histogram's translucent colours."""
    key = ("translucent", slots, seed)
    if cache is not None and key in cache:
        return cache[key]
    see_through = hist.colours[:, 3] < 255
    part = ColourHistogram(hist.keys[see_through], hist.colours[see_through], hist.counts[see_through], 0, True)
    fitted = fit_palette(part, slots, "srgb", seed=seed, cancel=cancel).rgba
    entries = fitted[fitted[:, 3] < 255]           # an entry that came out opaque is a node's job
    if cache is not None:
        cache[key] = entries
    return entries


def map_palette(img, codebook, hist: ColourHistogram | None = None, seed: int | None = 0,
                cancel=None, cache: dict | None = None) -> np.ndarray:
    """The palette a map gives the picture: (K, 3) uint8 for RGB, (K', 4) uint8 RGBA otherwise.

    `codebook` is SOM weights (..., 3) in [0, 1] or a (K, 3) uint8 palette; for
    RGBA the entries are the node colours (alpha 255), translucent entries and
    the transparent (0, 0, 0, 0) entry as the module docstring says, K' <= 256.
    `hist` is the picture's colour histogram when the caller has it; `cache`
    a dict kept with the picture (module docstring).
    """
    arr = as_picture(img)
    nodes = _node_colours(codebook)
    if arr.shape[2] == 3:
        return nodes
    hist = hist if hist is not None else _histogram(arr, cache, cancel)
    opaque = np.hstack([nodes, np.full((len(nodes), 1), 255, np.uint8)])
    t = 1 if hist.transparent else 0
    if len(opaque) + t > MAX_COLOURS:
        opaque = _drop_least_used(opaque, hist, len(opaque) + t - MAX_COLOURS, cancel)
    entries = [opaque]
    slots = min(len(nodes), MAX_COLOURS - len(opaque) - t)
    if slots >= 2 and np.any(hist.colours[:, 3] < 255):
        entries.append(_translucent_entries(hist, slots, seed, cancel, cache))
    if t:
        entries.append(np.zeros((1, 4), np.uint8))
    return np.ascontiguousarray(np.concatenate(entries))


def _drop_least_used(opaque: np.ndarray, hist: ColourHistogram, n: int, cancel) -> np.ndarray:
    """`opaque` without the `n` entries the fewest visible pixels pick (nearest in sRGB)."""
    idx, _ = nearest(opaque[:, :3] / 255.0, hist.colours[:, :3] / 255.0, cancel)
    counts = np.bincount(idx, weights=hist.counts, minlength=len(opaque))
    keep = np.sort(np.argsort(counts, kind="stable")[n:])
    return opaque[keep]


def quantise_with_map(img, codebook, seed: int | None = 0, cancel=None,
                      cache: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(indices (H, W) uint8, palette (K, 3) or (K', 4) uint8): the picture in the map's colours.

    `img` (H, W, 3) RGB or (H, W, 4) RGBA uint8; see the module docstring for
    the rule.  Raises SomdeskError for a bad picture or codebook, `Cancelled`
    when `cancel` (a CancelToken) is set.  `cache`: a dict kept with the
    picture, so a picture quantised again skips its histogram and the fitting
    of its translucent entries.
    """
    arr = as_picture(img)
    if arr.shape[2] == 3:
        palette = _node_colours(codebook)
        return assign_chunked(arr, palette, cancel=cancel), palette
    hist = _histogram(arr, cache, cancel)
    palette = map_palette(arr, codebook, hist, seed, cancel, cache)
    return remap(arr, palette, "srgb", hist=hist, cancel=cancel), palette


def map_start(img, codebook, hist: ColourHistogram, seed: int | None = None, cancel=None) -> np.ndarray:
    """The colours a map gives the palette fit to start from: (K, 3) uint8 node colours for an
    RGB picture; for RGBA `map_palette`'s entries (nodes, translucent entries, the least used
    node dropped when the transparent entry would make 257) without the transparent entry,
    (K', 4).  K, K' <= MAX_COLOURS: a map of more nodes than an indexed PNG holds (the window
    allows 2000x2000) loses the nodes the fewest visible pixels pick, in RGB as in RGBA.
    `hist` is the histogram the palette is fitted on (quantize.fitting_histogram)."""
    arr = as_picture(img)
    if arr.shape[2] == 3:
        nodes = _node_colours(codebook)
        if len(nodes) > MAX_COLOURS:
            opaque = np.hstack([nodes, np.full((len(nodes), 1), 255, np.uint8)])
            nodes = np.ascontiguousarray(_drop_least_used(opaque, hist, len(nodes) - MAX_COLOURS, cancel)[:, :3])
        return nodes
    pal = map_palette(arr, codebook, hist, 0 if seed is None else seed, cancel)
    return pal[~np.all(pal == 0, axis=1)]


def quantise_from_map(img, codebook, space: str = DEFAULT_SPACE, dither: bool = False,
                      seed: int | None = None, cancel=None) -> tuple[np.ndarray, np.ndarray]:
    """(indices (H, W) uint8, palette (K, 4) uint8 RGBA): the picture quantised by the palette
    fit of `somdesk quantize` (quantize.quantize_picture) started from a trained map's colours.

    This is what the window's Quantise and `somdesk quantize --map M.somz` both run: the fit's
    Lloyd passes and its refinement for both measures (core.palette_fit, palette_mix) start
    from `map_start` -- one entry per node, so entry i is node i's colour refined -- instead
    of k-means++ seeds, and every pixel is remapped by the fit's rule.  The palette holds
    the map's entries plus the transparent one (at most 256).  `codebook` is SOM weights
    (..., 3) in [0, 1] or (K, 3) uint8.  Raises SomdeskError for a bad picture or codebook,
    `Cancelled` when `cancel` is set.  `quantise_from_map_steps` is the same in slices.
    """
    from somdesk.core.cancel import drain

    return drain(quantise_from_map_steps(img, codebook, space, dither, seed, cancel))


def quantise_from_map_steps(img, codebook, space: str = DEFAULT_SPACE, dither: bool = False,
                            seed: int | None = None, cancel=None):
    """`quantise_from_map` as a generator: yields (rows done, rows) while remapping, returns
    (indices, palette)."""
    from somdesk.core.quantize import fitting_histogram, quantize_picture_steps

    arr = as_picture(img)
    hist, whole = fitting_histogram(arr, seed, cancel)
    start = map_start(arr, codebook, hist, seed, cancel)
    colours = max(2, len(start) + (1 if hist.transparent else 0))
    return (yield from quantize_picture_steps(arr, colours, space, dither, seed, cancel, start=start,
                                              hist=(hist, whole)))


_OVER: dict[int, np.ndarray] = {}


def _over_table(b: int) -> np.ndarray:
    """(65536,) uint8: (c a + b (255 - a) + 127) // 255 at index a * 256 + c -- `composite`'s
    arithmetic for one background value, looked up instead of computed per pixel (10x faster:
    a 100 Mpx picture's PSNR composites took 20 s)."""
    t = _OVER.get(b)
    if t is None:
        a = np.arange(256, dtype=np.uint32)[:, None]
        c = np.arange(256, dtype=np.uint32)[None, :]
        t = ((c * a + np.uint32(b) * (255 - a) + 127) // 255).astype(np.uint8).ravel()
        _OVER[b] = t
    return t


def composite(img, background) -> np.ndarray:
    """(H, W, 3) uint8: the RGBA picture over `background` ((H, W, 3) uint8 or one RGB colour);
    an RGB picture comes back as it is.  out = (c a + bg (255 - a)) / 255, rounded."""
    arr = as_picture(img)
    if arr.shape[2] == 3:
        return arr
    h, w, _ = arr.shape
    bg = np.asarray(background, dtype=np.uint8)
    out = np.empty((h, w, 3), np.uint8)
    rows = max(1, (1 << 20) // w)      # slices bound the temporaries
    if bg.ndim == 1:                   # one colour: table lookups (same values)
        tables = [_over_table(int(v)) for v in bg[:3]]
        for s in range(0, h, rows):
            part = arr[s:s + rows]
            a = part[:, :, 3].astype(np.uint16) << 8
            for ch in range(3):
                out[s:s + rows, :, ch] = tables[ch][a | part[:, :, ch]]
        return out
    bg = np.broadcast_to(bg, (h, w, 3))
    for s in range(0, h, rows):
        part = arr[s:s + rows].astype(np.uint32)
        a = part[:, :, 3:4]
        out[s:s + rows] = (part[:, :, :3] * a + bg[s:s + rows].astype(np.uint32) * (255 - a) + 127) // 255
    return out


def _on_board(part: np.ndarray, top: int, square: int = CHECKER) -> np.ndarray:
    """(n, w, 3) uint8: `composite(part, checkerboard(n, w, square, top))` by table lookups."""
    n, w, _ = part.shape
    y = ((np.arange(n) + top) // square % 2).astype(np.uint32)[:, None]
    x = (np.arange(w) // square % 2).astype(np.uint32)[None, :]
    table = np.concatenate([_over_table(_CHECKER_SHADES[1]), _over_table(_CHECKER_SHADES[0])])
    key = ((x ^ y) << 16) | (part[:, :, 3].astype(np.uint32) << 8)     # white where x + y is even
    out = np.empty((n, w, 3), np.uint8)
    for ch in range(3):
        out[:, :, ch] = table[key | part[:, :, ch]]
    return out


def band_on_checkerboard(part, top: int = 0) -> np.ndarray:
    """(n, w, 3) uint8: rows `top`..`top`+n-1 of a picture as the window shows it, from those rows
    `part` (n, w, 3|4) uint8 -- RGB as it is, RGBA over the checkerboard at those rows (so bands
    of a taller picture join up).  SomdeskError for anything but such an array."""
    part = as_picture(part)
    return part if part.shape[2] == 3 else _on_board(part, int(top))


def checkerboard(h: int, w: int, square: int = CHECKER, top: int = 0) -> np.ndarray:
    """(h, w, 3) uint8 grey-and-white squares of `square` pixels; `top`: the first row's
    number, for a band of a taller board."""
    y = ((np.arange(h) + top) // square % 2).astype(np.uint8)[:, None]
    x = (np.arange(w) // square % 2).astype(np.uint8)[None, :]
    shade = np.where(x ^ y == 0, np.uint8(_CHECKER_SHADES[1]), np.uint8(_CHECKER_SHADES[0]))
    return np.repeat(shade[:, :, None], 3, axis=2)


def on_checkerboard(img, cancel=None) -> np.ndarray:
    """(H, W, 3) uint8: how the window shows a picture -- RGBA over a checkerboard, RGB as it is.
    Composited in bands of ~1 Mpx (the board of a 100 Mpx picture at once took 1.6 GB);
    `cancel` is checked every band (`Cancelled`)."""
    arr = as_picture(img)
    if arr.shape[2] == 3:
        return arr
    h, w = arr.shape[:2]
    return rows_on_checkerboard(h, w, lambda a, b: arr[a:b], cancel)


def rows_on_checkerboard(h: int, w: int, rows_of, cancel=None) -> np.ndarray:
    """(h, w, 3) uint8: `on_checkerboard` of the picture whose rows a..b-1 `rows_of(a, b)` gives
    ((n, w, 3|4) uint8; e.g. `palette[indices[a:b]]`, so a quantised picture is never expanded
    whole), band by band; `cancel` checked every band."""
    from somdesk.core import cancel as _cancel

    out = np.empty((h, w, 3), np.uint8)
    rows = max(1, (1 << 20) // w)
    for s in range(0, h, rows):
        _cancel.check(cancel)
        part = as_picture(rows_of(s, min(h, s + rows)))
        if part.shape[2] == 3:
            out[s:s + rows] = part
        else:
            out[s:s + rows] = _on_board(part, s)
    return out


def picture_psnr(original, quantised) -> float:
    """PSNR in dB of two (H, W, 3|4) uint8 pictures as seen on white (inf when identical)."""
    return psnr(composite(original, (255, 255, 255)), composite(quantised, (255, 255, 255)))


def _slice_rows(w: int) -> int:
    """Rows of one slice of `mse` over (H, w, 3) pictures (core.quantize.mse's slicing)."""
    return max(1, (1 << 20) // max(1, w * 3))


def indexed_measures(original, indices, palette, cancel=None) -> tuple[float, np.ndarray]:
    """(PSNR in dB, used) of the quantised picture `palette[indices]` against `original`; `used`
    (K,) bool: the palette entries some pixel uses (the window counts them by alpha).

    `original` (H, W, 3|4) uint8, `indices` (H, W) integer into `palette` (K, 3|4) uint8.  The
    PSNR equals `picture_psnr(original, palette[indices])` bit for bit (the same slices of
    `core.quantize.mse`, composited on white slice by slice) and `used.sum()` equals
    `len(np.unique(indices))`, without a full-size copy of either picture: memory is one slice
    (~1 Mpx values).  Raises SomdeskError for a bad picture or when `indices` is not
    (H, W), `Cancelled` when `cancel` is set (checked every slice, ~10 ms).
    """
    from somdesk.core import cancel as _cancel

    arr = as_picture(original)
    idx = np.asarray(indices)
    pal = np.asarray(palette, dtype=np.uint8)
    h, w = idx.shape
    if arr.shape[:2] != (h, w):
        from somdesk.errors import SomdeskError

        raise SomdeskError(f"cannot compare pictures of shapes {arr.shape[:2]} and {idx.shape}")
    white = (255, 255, 255)
    # Every slice's sum of squares in `mse` is an integer below 2**53, so float64 holds it
    # exactly: summing the same squares as int64 gives the same total, hence the same PSNR.
    seen = composite(pal[None], white)[0].astype(np.int16)        # each entry as seen on white
    total = 0
    counts = np.zeros(len(pal), np.int64)
    rows = _slice_rows(w)
    for s in range(0, h, rows):
        _cancel.check(cancel)
        part = idx[s:s + rows]
        d = (composite(arr[s:s + rows], white) - seen[part]).astype(np.int64).ravel()   # int16 - int16
        total += int(np.dot(d, d))
        counts += np.bincount(part.ravel(), minlength=len(pal))[:len(pal)]
    m = total / (h * w * 3)
    import math

    value = math.inf if m == 0.0 else 10.0 * math.log10(255.0 * 255.0 / m)
    return value, counts > 0


def indexed_delta_e(original, indices, palette, sample: int = DELTA_E_SAMPLE, seed: int = 0,
                    cancel=None) -> float:
    """Mean CIEDE2000 between the pixels of `original` and their entries of the quantised
    picture `palette[indices]`, both as seen on white (as `indexed_measures`' PSNR).

    `original` (H, W, 3|4) uint8, `indices` (H, W) integer into `palette` (K, 3|4) uint8.
    A picture of at most `sample` pixels is measured whole (exact); a bigger one on `sample`
    pixels drawn uniformly with a fixed `seed` (the same figure every time), because CIEDE2000
    costs ~1-3 s per million pixels in numpy: 65,536 pixels take ~0.1-0.2 s and put the estimate
    within ~0.04 of the whole picture's mean (measured: docs/quantisation.md).  0.0 means every
    measured pixel kept its colour.
    Raises SomdeskError when `indices` is not an (H, W) integer array of `original`'s size,
    `palette` is not (K, 3|4) with K >= 1, or a measured index is outside 0..K-1 (numpy would
    wrap a negative one to the palette's end and fail on a large one with IndexError);
    `Cancelled` when `cancel` is set.
    """
    from somdesk.core import cancel as _cancel
    from somdesk.core.colour import delta_e_2000, srgb_to_lab
    from somdesk.errors import SomdeskError

    arr = as_picture(original)
    idx = np.asarray(indices)
    pal = np.asarray(palette, dtype=np.uint8)
    if pal.ndim != 2 or pal.shape[1] not in (3, 4) or len(pal) == 0:
        raise SomdeskError(f"the palette must be (K, 3) or (K, 4) colours, got shape {pal.shape}")
    if idx.ndim != 2 or not (np.issubdtype(idx.dtype, np.integer) or idx.size == 0):
        raise SomdeskError(f"the indices must be an (H, W) array of integers, got shape {idx.shape} "
                           f"of {idx.dtype}")
    h, w = idx.shape
    if arr.shape[:2] != (h, w):
        raise SomdeskError(f"cannot compare pictures of shapes {arr.shape[:2]} and {idx.shape}")
    n = h * w
    if n == 0:
        return 0.0
    _cancel.check(cancel)
    if n <= sample:
        flat = np.arange(n)
    else:   # sorted: rows are read in order (a memory-mapped picture is read once, forwards)
        flat = np.sort(np.random.default_rng(seed).integers(0, n, int(sample)))
    r, c = np.divmod(flat, w)
    measured = idx[r, c]
    if measured.min() < 0 or measured.max() >= len(pal):
        raise SomdeskError(f"the indices run from {int(measured.min())} to {int(measured.max())}, "
                           f"outside the {len(pal)}-colour palette (0 to {len(pal) - 1})")
    white = (255, 255, 255)
    seen = composite(arr[r, c][None], white)[0]                   # (n, 3) pixels on white
    entries = srgb_to_lab(composite(pal[None], white)[0] / 255.0)   # (K, 3) Lab of each entry, once
    _cancel.check(cancel)
    return float(np.mean(delta_e_2000(srgb_to_lab(seen / 255.0), entries[measured])))


def shown_small(h: int, w: int, rows_of, max_side: int = DISPLAY_MAX_SIDE, cancel=None) -> np.ndarray:
    """(H', W', 3) uint8: the picture as the window draws it, at most `max_side` pixels a side.

    `rows_of(start, stop)` gives rows start..stop-1 of the (h, w, 3|4) uint8 picture (the
    pixels, or `palette[indices[start:stop]]`), so a quantised picture is never expanded
    whole.  A picture that fits is `on_checkerboard` of it, exactly.  A bigger one is
    shrunk by the whole factor f = ceil(max(h, w) / max_side): every f x f block of pixels
    becomes one (Pillow's `Image.reduce`, a box filter; the blocks at the right and bottom
    edges as far as they go; RGBA averaged premultiplied, so a clear pixel adds no colour),
    then RGBA is composited over a checkerboard of CHECKER screen pixels.  Work goes in
    bands of ~4 Mpx; raises `Cancelled` when `cancel` is set (checked every band).
    """
    from PIL import Image

    from somdesk.core import cancel as _cancel

    f = max(1, -(-max(h, w) // max_side))
    if f == 1:
        _cancel.check(cancel)
        return on_checkerboard(rows_of(0, h))
    oh, ow = -(-h // f), -(-w // f)
    band = max(1, (1 << 22) // (w * f)) * f        # whole blocks of rows
    out = None
    for s in range(0, h, band):
        _cancel.check(cancel)
        part = np.ascontiguousarray(rows_of(s, min(h, s + band)))
        c = part.shape[2]
        if out is None:
            out = np.empty((oh, ow, c), np.uint8)
        small = np.asarray(Image.fromarray(part, "RGBA" if c == 4 else "RGB").reduce(f))
        out[s // f:s // f + len(small)] = small
    return on_checkerboard(out)
