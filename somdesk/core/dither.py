"""Floyd-Steinberg error diffusion onto a fixed RGBA palette.

    idx = floyd_steinberg(img, rgba_palette, cancel=token)   # (H, W) uint8

Source: R. W. Floyd and L. Steinberg, "An adaptive algorithm for spatial
greyscale", Proc. SID 17(2), 1976: each pixel takes its nearest palette
entry and pushes its error to the unvisited neighbours with weights 7/16
(right), 3/16 (below left), 5/16 (below), 1/16 (below right).  Rows are
scanned serpentine (alternating direction), the usual way to avoid the
diagonal "worm" artefacts of a one-way scan.

The error is diffused in premultiplied sRGB with alpha as a fourth channel
(the quantiser's transparency rule, somdesk.core.palette_fit) whatever
colour space the palette was fitted in: diffusion spreads the values that
are shown.  Pixels with alpha 0 take the (0, 0, 0, 0) entry and neither
receive nor pass on error.  Values are clamped to the 0..255 range before
the search so error cannot pile up in saturated areas.  Memory: two rows
of error, whatever the picture.  Runs compiled: numba's JIT from source,
the ahead-of-time build in the packaged app (tools/build_aot_kernels.py
exports `fs_rows`); both release the GIL and read the flag themselves, so
the picture is one call either way.  With neither, an opaque
picture is dithered by Pillow's own Floyd-Steinberg in C
(`Image.quantize(palette=...)`: one-way scan, its own nearest-colour cache,
so results differ slightly) and only pictures with transparency fall back to
this code as plain Python (correct, ~100x slower).  `cancel`'s flag is read
once per row (Pillow's pass cannot be interrupted; ~0.1 s per megapixel).
"""
from __future__ import annotations

import numpy as np

from somdesk.core import cancel as _cancel
from somdesk.core import kernels
from somdesk.errors import Cancelled


def _fs_rows(img, pal, tindex, out, flag, y0, y1, err):   # pragma: no cover - compiled, covered via the wrapper
    """Rows y0..y1-1; err (2, W+2, 4): err[0] carries the error into row y0 and out of row y1-1."""
    h, w, c = img.shape
    k = pal.shape[0]
    cur = err[0]
    nxt = err[1]
    px = np.zeros(4)
    # an opaque pixel takes only opaque entries when there are any (palette_fit._usable_entries:
    # no see-through holes in opaque areas, as libimagequant)
    solid = False
    for j in range(k):
        if pal[j, 3] == 255.0:
            solid = True
    for y in range(y0, y1):
        if flag[0] != 0:
            return False
        nxt[:, :] = 0.0
        forward = y % 2 == 0
        for i in range(w):
            x = i if forward else w - 1 - i
            a = img[y, x, 3] if c == 4 else 255
            if a == 0 and tindex >= 0:
                out[y, x] = tindex
                continue
            for d in range(3):
                px[d] = img[y, x, d] * (a / 255.0) + cur[x + 1, d]
            px[3] = a + cur[x + 1, 3]
            for d in range(4):
                px[d] = min(max(px[d], 0.0), 255.0)
            best = 0
            bd = 1e300
            for j in range(k):
                if j == tindex or (solid and a == 255 and pal[j, 3] != 255.0):
                    continue
                s = 0.0
                for d in range(4):
                    diff = px[d] - pal[j, d]
                    s += diff * diff
                if s < bd:
                    bd = s
                    best = j
            out[y, x] = best
            step = 1 if forward else -1
            for d in range(4):
                e = px[d] - pal[best, d]
                cur[x + 1 + step, d] += e * (7.0 / 16.0)
                nxt[x + 1 - step, d] += e * (3.0 / 16.0)
                nxt[x + 1, d] += e * (5.0 / 16.0)
                nxt[x + 1 + step, d] += e * (1.0 / 16.0)
        cur, nxt = nxt, cur
    if (y1 - y0) % 2 == 1:       # the carried error ended up in err[1]
        err[0, :, :] = err[1, :, :]
    return True


_compiled = {}


def _kernel():
    """The compiled _fs_rows of the kernels' back end (numba JIT or AOT), or None."""
    backend = kernels.BACKEND
    if backend not in _compiled:
        fn = None
        if backend == "numba":
            try:
                from numba import njit

                from somdesk.core.numba_cache import configure
                configure()
                fn = njit(cache=True, nogil=True)(_fs_rows)
            except ImportError:  # pragma: no cover - numba present whenever BACKEND says so
                pass
        elif backend == "aot":
            fn = getattr(kernels.aot_module(), "fs_rows", None)   # None: a build from before it was exported
        _compiled[backend] = fn
    return _compiled[backend]


def floyd_steinberg(img, rgba, cancel=None) -> np.ndarray:
    """(H, W) uint8 palette indices of the dithered (H, W, 3|4) uint8 picture.

    Floyd-Steinberg error diffusion (Floyd & Steinberg 1976, module docstring) in
    premultiplied sRGB 0-255.  `rgba` is the (K <= 256, 4) uint8 palette; the (0, 0, 0, 0) entry, if any,
    is used only for pixels with alpha 0.  Raises `Cancelled` when `cancel`
    (a CancelToken) is set; it is read before every row.
    """
    arr = np.ascontiguousarray(img, dtype=np.uint8)
    pal = np.ascontiguousarray(rgba, dtype=np.uint8)
    premul = pal[:, :3].astype(np.float64) * (pal[:, 3:4] / 255.0)
    palf = np.ascontiguousarray(np.hstack([premul, pal[:, 3:4].astype(np.float64)]))
    zero = np.flatnonzero(np.all(pal == 0, axis=1))
    tindex = int(zero[0]) if len(zero) and len(pal) > 1 else -1
    opaque_picture = arr.shape[2] == 3 or bool(np.all(arr[..., 3] == 255))
    kernel = _kernel()
    if opaque_picture and kernel is None and np.any(pal[:, 3] == 255):
        _cancel.check(cancel)
        out = _pillow_dither(arr[..., :3], pal)
        _cancel.check(cancel)
        return out
    height, width = arr.shape[:2]
    out = np.empty((height, width), np.uint8)
    flag = cancel.flag if cancel is not None else np.zeros(1, np.int64)
    err = np.zeros((2, width + 2, 4))
    # one call: every back end's kernel reads the flag before each row (the compiled ones
    # without the GIL, so the thread that sets it runs meanwhile)
    _cancel.check(cancel)
    if not (kernel or _fs_rows)(arr, palf, tindex, out, flag, 0, height, err):
        raise Cancelled("stopped")
    _cancel.check(cancel)
    return out


def _pillow_dither(rgb: np.ndarray, pal: np.ndarray) -> np.ndarray:
    """Pillow's Floyd-Steinberg onto the palette's opaque entries (indices into `pal`)."""
    from PIL import Image

    usable = np.flatnonzero(pal[:, 3] == 255)
    colours = pal[usable, :3]
    padded = np.vstack([colours, np.repeat(colours[:1], 256 - len(colours), axis=0)])   # no stray black
    target = Image.new("P", (1, 1))
    target.putpalette(padded.astype(np.uint8).tobytes())
    q = Image.fromarray(np.ascontiguousarray(rgb)).quantize(palette=target, dither=Image.Dither.FLOYDSTEINBERG)
    idx = np.asarray(q).astype(np.intp)
    idx[idx >= len(usable)] = 0            # a padding entry is the first colour again
    return usable[idx].astype(np.uint8)
