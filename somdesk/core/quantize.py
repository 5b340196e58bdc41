"""Colour quantisation with a SOM: a picture's colours become the map's nodes.

    img = load_image("photo.jpg")                     # (H, W, 3) uint8
    som = train_quantizer(img, 8, 8, seed=1)          # 64 colours
    out = quantize(img, som.weights)                  # (H, W, 3) uint8
    psnr(img, out)                                    # dB

Pipeline
    1. `sample_pixels` draws DEFAULT_SAMPLE = 65,536 pixels uniformly at random
       without replacement (all of them for smaller pictures) as floats in
       [0, 1].  65,536 samples estimate the colour distribution well enough
       that the result is within ~0.1 dB (16-64 colours) to ~0.4 dB (256) of
       a map trained on every pixel, at a fraction of the time (measured on a
       0.34 Mpx photo: 0.4 s instead of 1.9 s for 256 colours), and the
       training time no longer grows with the picture.
    2. `train_quantizer` trains the map in two phases, as the SOM Toolbox does:
       an ordering phase (batch map, PCA start, sigma from max(w, h)/2 down to
       1) and a fine-tuning phase (batch map, sigma 0.5 -> 0.18) whose
       neighbourhood is so narrow that every node settles on the mean of its
       own colours (nearly k-means, which is what PSNR rewards) while the map
       stays ordered.  Then nodes that no pixel picks (the map's
       interpolating nodes between colour clusters) are moved onto the
       worst-served colours and fine-tuned again (`_revive_dead_nodes`);
       this is what lets a 16-node map reproduce a 13-colour logo exactly.
       Defaults (DEFAULT_ITERATIONS = 20 ordering + FINE_TUNE_ITERATIONS = 20
       fine-tuning epochs) were chosen by measurement: fine-tuning adds
       3-10 dB, more epochs add < 0.3 dB; see docs/use-cases.md.
    3. `assign_chunked` finds every pixel's nearest codebook colour, in slices
       of rows so memory stays bounded for any picture, with a progress
       callback that can cancel.  Pixels are exact-matched (kernels.bmus_of),
       and each distinct colour is searched only once: a 2^24-entry table
       (32 MiB) remembers the answer for every 24-bit colour already seen.
    4. `quantize` maps the indices to the 8-bit palette.
    5. Refining (``refine=True``, the default): the colours are fitted again
       by weighted k-means on the colour histogram of the same pixel sample
       (somdesk.core.palette_fit: k-means++ seeding, Lloyd passes) and each
       fitted colour is put on the map node nearest to it (greedy one-to-one
       matching), so the map keeps the SOM's layout and gets k-means'
       accuracy.  Measured: +0.1 to +0.7 dB over the SOM alone, because a
       map's nodes are tied to their neighbours and k-means' are not.

`quantize_picture` is the whole headless job (CLI `somdesk quantize`): the
colour histogram, `palette_fit.fit_palette` in the chosen colour space with
transparency kept (RGBA input), and `palette_fit.remap` with optional
Floyd-Steinberg dithering; it takes `cancel=` like every long task.

Codebooks are float colours in [0, 1] -- SOM weights, shape (h, w, 3) or
(K, 3) -- or uint8 palettes (K, 3), which are divided by 255.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from somdesk.core import cancel as _cancel
from somdesk.core.colour_histogram import colour_histogram, unique_keys
from somdesk.core.cancel import drain
from somdesk.core.options import count_text
from somdesk.core.palette_fit import DEFAULT_SPACE, SPACES, fit_palette, remap_steps
from somdesk.errors import OptionError, SomdeskError

__all__ = ["DEFAULT_SAMPLE", "DEFAULT_ITERATIONS", "FINE_TUNE_ITERATIONS", "MIN_COLOURS",
           "MAX_COLOURS", "sample_pixels", "assign_chunked", "palette_rgb8", "quantize",
           "psnr", "mse", "train_quantizer", "count_colours", "quantize_picture", "quantize_picture_steps", "SPACES",
           "DEFAULT_SPACE"]

DEFAULT_SAMPLE = 65_536       # pixels the map is trained on (see module docstring)
DEFAULT_ITERATIONS = 20       # ordering-phase batch epochs
FINE_TUNE_ITERATIONS = 20    # fine-tuning batch epochs (sigma 0.5 -> 0.18)
FINE_TUNE_SIGMA = 0.5
REVIVE_ROUNDS = 3             # dead-node recovery rounds after fine-tuning
REVIVE_EPOCHS = 5
MIN_COLOURS = 2               # a 2x1 map; the UI offers 4x4 = 16 .. 16x16 = 256
MAX_COLOURS = 256             # what an indexed PNG can hold
DEFAULT_CHUNK_PIXELS = 1 << 20   # assign_chunked works on ~1 Mpx row slices
FIT_SAMPLE = 1 << 20          # pictures above this many pixels are fitted on a sample (fitting_histogram)
_NO_ANSWER = np.uint16(0xFFFF)

ProgressFn = Callable[[int, int], "bool | None"]


def _as_image(img) -> np.ndarray:
    arr = np.asarray(img)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype != np.uint8:
        raise SomdeskError(f"expected an (H, W, 3) uint8 RGB picture, got {arr.dtype} {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise SomdeskError("the picture has no pixels")
    return arr


def _as_codebook(codebook) -> np.ndarray:
    """(K, 3) float64 C-contiguous colours in [0, 1] from SOM weights or a uint8 palette."""
    cb = np.asarray(codebook)
    if cb.dtype == np.uint8:
        cb = cb.astype(np.float64) / 255.0
    cb = np.ascontiguousarray(cb, dtype=np.float64)
    if cb.ndim < 2 or cb.shape[-1] != 3:
        raise SomdeskError(f"a colour codebook must end in 3 values per colour, got shape {cb.shape}")
    cb = cb.reshape(-1, 3)
    if len(cb) == 0:
        raise SomdeskError("the codebook has no colours")
    if len(cb) >= int(_NO_ANSWER):
        raise SomdeskError(f"a codebook of {count_text(len(cb), 'colour')} is over the limit of {int(_NO_ANSWER) - 1:,}")
    if not np.all(np.isfinite(cb)):
        raise SomdeskError("the codebook contains NaN or infinite values")
    return cb


def sample_pixels(img, n: int = DEFAULT_SAMPLE, seed: int | None = None) -> np.ndarray:
    """(min(n, V), 3) float64 colours in [0, 1]: pixels drawn uniformly without replacement.

    `img` is (H, W, 3) RGB or (H, W, 4) RGBA uint8.  For RGBA only the V
    visible pixels (alpha > 0) are drawn, with their own (unpremultiplied)
    colour: a fully transparent pixel has no colour, so it never trains a map
    (the rule of core.palette_fit and docs/quantisation.md).  For RGB, V = H*W
    and the sample is exactly what it always was.  Pixels are returned in
    raster order of the chosen positions (the order does not matter to batch
    training).  The same seed gives the same sample; None counts as seed 0.
    SomdeskError for a picture that is not (H, W, 3|4) uint8 or has no pixel visible,
    OptionError for n < 1.
    """
    from somdesk.core.colour_histogram import as_picture

    arr = as_picture(img)
    n = int(n)
    if n < 1:
        raise OptionError(f"the sample size must be at least 1, got {n}")
    c = arr.shape[2]
    if c == 4:
        return _sample_visible(arr, n, seed)
    flat = arr.reshape(-1, c)
    total = len(flat)
    if n >= total:
        return flat.astype(np.float64) / 255.0
    pick = np.sort(_sample_rng(seed).choice(total, size=n, replace=False))
    return flat[pick].astype(np.float64) / 255.0


def _sample_rng(seed):
    return np.random.default_rng(np.random.SeedSequence([0 if seed is None else int(seed), 7]))


def _sample_visible(arr: np.ndarray, n: int, seed) -> np.ndarray:
    """sample_pixels of an RGBA picture: the same draw over the visible pixels in raster order,
    found band by band (a 100 Mpx picture's list of visible positions took 800 MB at once)."""
    h, w, _ = arr.shape
    rows = max(1, DEFAULT_CHUNK_PIXELS // w)
    total = 0
    for s in range(0, h, rows):
        total += int(np.count_nonzero(arr[s:s + rows, :, 3]))
    if total == 0:
        raise SomdeskError("every pixel of the picture is fully transparent: there are no colours to learn")
    pick = None if n >= total else np.sort(_sample_rng(seed).choice(total, size=n, replace=False))
    parts, offset = [], 0
    for s in range(0, h, rows):
        band = arr[s:s + rows].reshape(-1, 4)
        visible = np.flatnonzero(band[:, 3] > 0)
        if pick is None:
            parts.append(band[visible, :3])
        else:
            lo, hi = np.searchsorted(pick, [offset, offset + len(visible)])
            parts.append(band[visible[pick[lo:hi] - offset], :3])
        offset += len(visible)
    return np.concatenate(parts).astype(np.float64) / 255.0


def _keys(block: np.ndarray) -> np.ndarray:
    """24-bit colour keys of an (..., 3) uint8 block, flattened."""
    b = block.reshape(-1, 3)
    return (b[:, 0].astype(np.uint32) << 16) | (b[:, 1].astype(np.uint32) << 8) | b[:, 2]


def _colours_of(keys: np.ndarray) -> np.ndarray:
    rgb = np.empty((len(keys), 3), dtype=np.float64)
    rgb[:, 0] = keys >> 16
    rgb[:, 1] = (keys >> 8) & 0xFF
    rgb[:, 2] = keys & 0xFF
    rgb /= 255.0
    return rgb


def assign_chunked(img, codebook, chunk_rows: int | None = None,
                   progress: ProgressFn | None = None, cancel=None) -> np.ndarray | None:
    """(H, W) indices of every pixel's nearest codebook colour, or None if cancelled.

    The picture is processed `chunk_rows` rows at a time (default: about
    DEFAULT_CHUNK_PIXELS pixels per slice).  After each slice
    ``progress(rows_done, total_rows)`` is called; if it returns False
    (exactly False -- None means carry on) the work stops and None is
    returned: cancelling is not an error.  The callback runs on the calling
    thread, so from a worker thread it should only post a message.

    Result dtype is uint8 for codebooks of up to 256 colours, else uint16.
    Distances are Euclidean in RGB / 255; ties go to the lowest index; the
    result is identical for every chunk size.  Peak extra memory is the
    32 MiB colour table plus ~100 bytes per pixel of one slice.  `cancel` (a
    CancelToken) is checked before every slice (~20-50 ms of work) and raises
    `Cancelled`.  `img` (H, W, 3) uint8; `codebook` (K, 3) SOM weights in [0, 1] (any
    leading shape ending in 3).  Raises SomdeskError for a bad picture or codebook (not
    finite, empty, over 65,534 colours), OptionError for chunk_rows < 1.
    """
    arr = _as_image(img)
    cb = _as_codebook(codebook)
    h, w, _ = arr.shape
    if chunk_rows is None:
        chunk_rows = max(1, DEFAULT_CHUNK_PIXELS // w)
    chunk_rows = int(chunk_rows)
    if chunk_rows < 1:
        raise OptionError(f"chunk_rows must be at least 1, got {chunk_rows}")
    out = np.empty((h, w), dtype=np.uint8 if len(cb) <= 256 else np.uint16)
    table = np.full(1 << 24, _NO_ANSWER, dtype=np.uint16)  # colour -> index, filled lazily
    if progress is not None and progress(0, h) is False:
        return None
    for s in range(0, h, chunk_rows):
        _cancel.check(cancel)
        keys = _keys(arr[s:s + chunk_rows])
        found = table[keys]
        unknown = found == _NO_ANSWER
        if unknown.any():
            from somdesk.core import kernels     # here, so the headless quantiser starts without numba
            new = unique_keys(keys[unknown])     # not np.unique: see unique_keys
            idx, _ = kernels.bmus_of(cb, _colours_of(new))
            table[new] = idx.astype(np.uint16)
            found[unknown] = table[keys[unknown]]
        out[s:s + chunk_rows] = found.reshape(-1, w)
        if progress is not None and progress(min(s + chunk_rows, h), h) is False:
            return None
    return out


def palette_rgb8(codebook) -> np.ndarray:
    """(K, 3) uint8 colours of a codebook (SOM weights in [0, 1] are scaled, rounded, clipped).

    `codebook` is uint8 (..., 3) (returned as (K, 3)) or float (..., 3) in [0, 1].
    Raises SomdeskError for a float codebook that is empty, not finite or over 65,534 colours.
    """
    cb = np.asarray(codebook)
    if cb.dtype == np.uint8:
        return np.ascontiguousarray(cb.reshape(-1, 3))
    return np.clip(np.rint(_as_codebook(cb) * 255.0), 0, 255).astype(np.uint8)


def quantize(img, codebook, chunk_rows: int | None = None,
             progress: ProgressFn | None = None, cancel=None) -> np.ndarray | None:
    """(H, W, 3) uint8: every pixel replaced by its nearest palette colour (None if cancelled).

    The codebook is first rounded to its 8-bit palette and pixels are matched
    against that palette, so each pixel gets the nearest colour it can
    actually be shown in.  `img` (H, W, 3) uint8, `codebook` as `palette_rgb8`;
    progress, cancel and errors as `assign_chunked`.
    """
    pal = palette_rgb8(codebook)
    idx = assign_chunked(img, pal, chunk_rows=chunk_rows, progress=progress, cancel=cancel)
    if idx is None:
        return None
    return pal[idx]


def mse(a, b) -> float:
    """Mean squared error over all pixels and channels, in squared 8-bit units (0..65025).

    `a`, `b` same-shape arrays, e.g. (H, W, 3) uint8.  Raises SomdeskError when the
    shapes differ or the pictures are empty.
    """
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape:
        raise SomdeskError(f"cannot compare pictures of shapes {a.shape} and {b.shape}")
    if a.size == 0:
        raise SomdeskError("cannot compare empty pictures")
    total = 0.0
    rows = max(1, (1 << 20) // max(1, int(np.prod(a.shape[1:]))))  # slices bound temporaries
    for s in range(0, a.shape[0], rows):
        d = a[s:s + rows].astype(np.float64) - b[s:s + rows].astype(np.float64)
        d = d.ravel()
        total += float(np.dot(d, d))
    return total / a.size


def psnr(a, b) -> float:
    """Peak signal-to-noise ratio in dB for 8-bit pictures: 10 log10(255^2 / MSE); inf if identical.

    Same-shape arrays as `mse`, whose SomdeskError it raises.
    """
    m = mse(a, b)
    if m == 0.0:
        return math.inf
    return 10.0 * math.log10(255.0 * 255.0 / m)


def count_colours(img) -> int:
    """Number of distinct colours in an (H, W, 3) uint8 picture; SomdeskError for another array."""
    arr = _as_image(img)
    seen = np.zeros(1 << 24, dtype=bool)
    rows = max(1, DEFAULT_CHUNK_PIXELS // arr.shape[1])
    for s in range(0, arr.shape[0], rows):
        seen[_keys(arr[s:s + rows])] = True
    return int(np.count_nonzero(seen))


def quantize_picture(img, colours: int, space: str = DEFAULT_SPACE, dither: bool = False,
                     seed: int | None = None, cancel=None, start=None) -> tuple[np.ndarray, np.ndarray]:
    """(indices (H, W) uint8, palette (K, 4) uint8 RGBA) for an (H, W, 3|4) uint8 picture.

    K <= `colours` (2..256, counting the transparent entry when the picture
    has pixels with alpha 0).  `space` is one of SPACES (see
    somdesk.core.palette_fit), `dither` adds Floyd-Steinberg error diffusion.
    `start` ((S, 3|4) uint8) are the colours the fit starts from instead of
    k-means++ seeds (a trained map's: core.map_quantise.quantise_from_map).
    Raises SomdeskError/OptionError for bad input, `Cancelled` when `cancel`
    (a CancelToken) is set; it is checked at least every ~50 ms.
    """
    return drain(quantize_picture_steps(img, colours, space, dither, seed, cancel, start))


def quantize_picture_steps(img, colours: int, space: str = DEFAULT_SPACE, dither: bool = False,
                           seed: int | None = None, cancel=None, start=None, hist=None):
    """`quantize_picture` as a generator: yields (rows done, rows) while the pixels are
    remapped (palette_fit.remap_steps) and returns (indices, palette).  `hist` is
    `fitting_histogram(img, seed)` when the caller has it already."""
    hist, whole = hist if hist is not None else fitting_histogram(img, seed, cancel)
    fit = fit_palette(hist, colours, space, seed=seed, cancel=cancel, start=start)
    idx = yield from remap_steps(img, fit.rgba, space, hist=hist if whole else None, dither=dither,
                                 cancel=cancel, mix=fit.mix, labels=fit.labels if whole else None)
    return idx, fit.rgba


def fitting_histogram(img, seed: int | None = None, cancel=None):
    """(histogram the palette is fitted on, whether it is the whole picture's).

    Pictures of up to FIT_SAMPLE pixels are counted whole; bigger ones through
    FIT_SAMPLE pixels drawn uniformly without replacement (seeded), which
    estimates the colour distribution far below one 8-bit step per cluster
    mean and keeps the fitting time bounded for a 100 Mpx picture.  A picture
    with any fully transparent pixel always gets the transparent entry.
    """
    import dataclasses

    from somdesk.core.colour_histogram import as_picture

    arr = as_picture(img)
    h, w, c = arr.shape
    if h * w <= FIT_SAMPLE:
        return colour_histogram(arr, cancel), True
    rng = np.random.default_rng(np.random.SeedSequence([0 if seed is None else int(seed), 13]))
    pick = np.sort(rng.choice(h * w, size=FIT_SAMPLE, replace=False))
    _cancel.check(cancel)
    hist = colour_histogram(arr.reshape(-1, c)[pick][None], cancel)
    if c == 4 and hist.transparent == 0:
        rows = max(1, DEFAULT_CHUNK_PIXELS // w)
        for s in range(0, h, rows):
            _cancel.check(cancel)
            if np.any(arr[s:s + rows, :, 3] == 0):
                hist = dataclasses.replace(hist, transparent=1)
                break
    return hist, False


def _place_on_nodes(weights: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """Weights with each fitted colour on a distinct node, nearest pairs first (greedy).

    weights (H, W, 3) floats, colours (K <= H*W, 3) floats; nodes left over
    keep their own colour.
    """
    w = weights.reshape(-1, 3).copy()
    d = np.sum((w[:, None, :] - colours[None, :, :]) ** 2, axis=2)
    node_free = np.ones(len(w), bool)
    colour_free = np.ones(len(colours), bool)
    for flat in np.argsort(d, axis=None, kind="stable"):
        node, c = divmod(int(flat), len(colours))
        if node_free[node] and colour_free[c]:
            w[node] = colours[c]
            node_free[node] = colour_free[c] = False
            if not colour_free.any():
                break
    return w.reshape(weights.shape)


def train_quantizer(img, nodes_w: int, nodes_h: int, iterations: int = DEFAULT_ITERATIONS,
                    seed: int | None = None, mode: str = "batch",
                    fine_tune: int = FINE_TUNE_ITERATIONS, sample: int = DEFAULT_SAMPLE,
                    revive: bool = True, callback=None, refine: bool = True, cancel=None):
    """A SOM of nodes_h x nodes_w colours trained on `sample` pixels of `img`.

    Runs the ordering, fine-tuning and dead-node recovery phases (module
    docstring) and returns the last phase's SOM: its `weights` are the
    codebook, its `data` the sampled pixels.  ``fine_tune=0`` stops after
    ordering; ``revive=False`` skips the recovery.  `mode` is "batch"
    (default: fast, deterministic) or "classic" (online, learning rate 0.5
    for ordering and 0.05 for fine-tuning; slower per pass).  `seed` picks
    the pixel sample (None means seed 0, so results repeat either way).

    `callback(info, weights)` is called after every epoch of every phase with
    the `StepInfo` and the current (H, W, 3) codebook (the live array: copy
    it to keep it); returning False cancels the whole training and the SOM as
    it is then is returned (usable, just less refined) -- check ``som.done``.
    `cancel` (a CancelToken) does the same from another thread, checked after
    every epoch and inside the refining phase.  ``refine=False`` skips step 5
    of the module docstring (k-means on the colour histogram, sRGB).

    `img` (H, W, 3|4) uint8.  Raises OptionError for a map of fewer than MIN_COLOURS or
    more than MAX_COLOURS nodes or fine_tune < 0 (or a bad option of SOMConfig),
    SomdeskError for a bad picture (`sample_pixels`).
    """
    from somdesk.core.options import SOMConfig
    from somdesk.core.som import SOM

    nodes_w, nodes_h = int(nodes_w), int(nodes_h)
    if nodes_w < 1 or nodes_h < 1 or not MIN_COLOURS <= nodes_w * nodes_h <= MAX_COLOURS:
        from somdesk.core.options import size_text
        raise OptionError(f"a map of {size_text(nodes_h, nodes_w)} has {count_text(nodes_w * nodes_h, 'colour')}; "
                          f"choose between {MIN_COLOURS} and {MAX_COLOURS}")
    if fine_tune < 0:
        raise OptionError(f"fine-tuning epochs must be 0 or more, got {fine_tune}")
    data = sample_pixels(img, sample, seed)
    base = dict(width=nodes_w, height=nodes_h, seed=seed, mode=mode, init="pca")
    if mode == "classic":
        base.update(order="shuffled", learning_rate=0.5)
    cancelled = False
    current = None  # the phase's SOM, so the callback can see its weights

    def watch(info):
        nonlocal cancelled
        if (callback is not None and callback(info, current.weights) is False) or (
                cancel is not None and cancel.cancelled):
            cancelled = True
            return False
        return None

    def run(som):
        nonlocal current
        current = som
        return som.train(watch)

    som = run(SOM(data, SOMConfig(iterations=iterations, **base)))
    if fine_tune == 0 or cancelled:
        return som
    if mode == "classic":
        base["learning_rate"] = 0.05
    tune_cfg = SOMConfig(iterations=fine_tune, sigma=FINE_TUNE_SIGMA, **base)
    som = run(SOM(data, tune_cfg, weights=som.weights))
    if revive and not cancelled:
        som = _revive_dead_nodes(som, tune_cfg, run, lambda: cancelled)
    if refine and not cancelled and som.weights.shape[2] == 3:
        from somdesk.errors import Cancelled
        try:
            # the SOM's own pixel sample: bounded work in the window whatever the picture
            sampled = np.rint(data * 255.0).astype(np.uint8)[None]
            fit = fit_palette(colour_histogram(sampled, cancel), nodes_w * nodes_h, "srgb", seed, cancel)
        except Cancelled:
            return som
        placed = _place_on_nodes(som.weights, fit.rgb.astype(np.float64) / 255.0)
        som = SOM(som.data, som.config, weights=placed, iteration=som.config.iterations)
    return som


def _revive_dead_nodes(som, tune_cfg, run, is_cancelled=lambda: False,
                       rounds: int = REVIVE_ROUNDS):
    """Move nodes that no sample picks onto the worst-served colours, then fine-tune again.

    After ordering, some nodes sit between colour clusters (the map's
    interpolating nodes) and are nobody's best match: wasted palette
    entries.  Each round places every such node, farthest-point first, on the
    sample farthest from all current colours (k-means++'s deterministic
    cousin) and runs REVIVE_EPOCHS more fine-tuning epochs.  It stops when no
    node is dead or every sample is matched exactly (fewer distinct colours
    than nodes).
    """
    from somdesk.core.som import SOM

    from somdesk.core import kernels

    data = som.data
    cfg = tune_cfg.replace(iterations=REVIVE_EPOCHS, sigma=FINE_TUNE_SIGMA / 2)
    for _ in range(rounds):
        w = som.weights.reshape(-1, 3).copy()
        idx, d2 = kernels.bmus_of(w, data)
        dead = np.flatnonzero(np.bincount(idx, minlength=len(w)) == 0)
        if len(dead) == 0 or d2.max() <= 0.0:
            break
        for node in dead:
            j = int(np.argmax(d2))
            if d2[j] <= 0.0:
                break
            w[node] = data[j]
            d2 = np.minimum(d2, np.sum((data - data[j]) ** 2, axis=1))
        som = run(SOM(data, cfg, weights=w.reshape(som.weights.shape)))
        if is_cancelled():
            break
    return som
