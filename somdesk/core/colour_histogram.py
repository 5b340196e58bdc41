"""The colour histogram of a picture: its distinct colours and how often each occurs.

    hist = colour_histogram(img)        # img (H, W, 3) or (H, W, 4) uint8
    hist.colours   # (N, C) uint8, C = 3 (RGB) or 4 (RGBA), sorted by their packed key
    hist.counts    # (N,) int64 pixels of each colour
    hist.transparent  # pixels with alpha 0 (not in `colours`: they carry no colour)

Quantising the histogram instead of every pixel is what makes the colour
fitting cost grow with the number of distinct colours, not with the picture
(a 0.26 Mpx photo has ~110,000 of them; a 24 Mpx one rarely over 2 million).
Fully transparent pixels are all one thing -- "nothing" -- whatever RGB they
happen to store, so they are counted apart and never train the palette.

The picture is read in slices of SLICE_PIXELS pixels (np.unique per slice,
added into a table of every 24-bit colour for RGB, merged at the end for
RGBA), so the temporaries stay small for any picture and a `cancel` token is
looked at between slices (~30 ms of work each).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from somdesk.core import cancel as _cancel
from somdesk.errors import SomdeskError

__all__ = ["ColourHistogram", "colour_histogram", "distinct_colours", "pixel_keys", "keys_to_colours", "unique_keys",
           "SLICE_PIXELS"]

SLICE_PIXELS = 1 << 19


@dataclass(frozen=True)
class ColourHistogram:
    """The distinct colours of a picture and how many pixels have each (`colour_histogram`).

    keys (N,) uint32 ascending (`pixel_keys`), colours (N, 3|4) uint8, counts (N,) int64;
    fully transparent pixels are counted in `transparent`, not among the colours.
    """
    keys: np.ndarray          # (N,) uint32 packed colours, ascending (see pixel_keys)
    colours: np.ndarray       # (N, C) uint8
    counts: np.ndarray        # (N,) int64
    transparent: int          # pixels with alpha == 0
    has_alpha: bool           # the picture has an alpha channel (C == 4)

    @property
    def translucent(self) -> bool:
        """Some counted colour has 0 < alpha < 255."""
        return self.has_alpha and bool(np.any(self.colours[:, 3] < 255))


def as_picture(img) -> np.ndarray:
    """The (H, W, 3|4) uint8 array, or a SomdeskError naming what was found."""
    arr = np.asarray(img)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or arr.dtype != np.uint8:
        raise SomdeskError(f"expected an (H, W, 3) RGB or (H, W, 4) RGBA uint8 picture, "
                           f"got {arr.dtype} {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise SomdeskError("the picture has no pixels")
    return arr


def pixel_keys(block: np.ndarray) -> np.ndarray:
    """(n,) uint32 keys of an (..., 3|4) uint8 block: r<<16 | g<<8 | b, plus a<<24 for RGBA.

    Fully transparent RGBA pixels all get key 0 (their stored RGB is meaningless).
    """
    c = block.shape[-1]
    b = block.reshape(-1, c)
    keys = (b[:, 0].astype(np.uint32) << 16) | (b[:, 1].astype(np.uint32) << 8) | b[:, 2]
    if c == 4:
        keys |= b[:, 3].astype(np.uint32) << 24
        keys[b[:, 3] == 0] = 0
    return keys


def unique_keys(keys: np.ndarray) -> np.ndarray:
    """The distinct values of an integer array, ascending, by sorting.

    Not np.unique(keys): numpy 2.4 takes a hash-table path for a bare call on
    integers that was 30x slower than sorting on 3 million colour keys here.
    """
    s = np.sort(keys)
    if len(s) == 0:
        return s
    keep = np.empty(len(s), bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def keys_to_colours(keys: np.ndarray, channels: int) -> np.ndarray:
    """(N, channels) uint8 colours of packed keys (the inverse of pixel_keys)."""
    out = np.empty((len(keys), channels), dtype=np.uint8)
    out[:, 0] = (keys >> 16) & 0xFF
    out[:, 1] = (keys >> 8) & 0xFF
    out[:, 2] = keys & 0xFF
    if channels == 4:
        out[:, 3] = keys >> 24
    return out


def colour_histogram(img, cancel=None) -> ColourHistogram:
    """Distinct colours of an (H, W, 3|4) uint8 picture with their pixel counts.

    Raises SomdeskError for anything but a non-empty uint8 RGB/RGBA array and
    `Cancelled` if `cancel` (a CancelToken) is set between slices.
    """
    arr = as_picture(img)
    h, w, c = arr.shape
    rows = max(1, SLICE_PIXELS // w)
    if c == 3 and h > rows:      # many slices of RGB: one count per 24-bit colour (64 MiB) beats merging
        table = np.zeros(1 << 24, np.uint32)
        for s in range(0, h, rows):
            _cancel.check(cancel)
            k, n = np.unique(pixel_keys(arr[s:s + rows]), return_counts=True)
            table[k] += n.astype(np.uint32)
        keys = np.flatnonzero(table).astype(np.uint32)
        counts = table[keys].astype(np.int64)
        return ColourHistogram(keys, keys_to_colours(keys, 3), counts, 0, False)
    parts_k, parts_n = [], []
    for s in range(0, h, rows):
        _cancel.check(cancel)
        k, n = np.unique(pixel_keys(arr[s:s + rows]), return_counts=True)
        parts_k.append(k)
        parts_n.append(n)
    if len(parts_k) == 1:
        keys, counts = parts_k[0], parts_n[0].astype(np.int64)
    else:
        _cancel.check(cancel)
        keys, inverse = np.unique(np.concatenate(parts_k), return_inverse=True)
        counts = np.bincount(inverse, weights=np.concatenate(parts_n), minlength=len(keys)).astype(np.int64)
    transparent = 0
    if c == 4 and len(keys) and keys[0] == 0:
        # key 0 is "alpha 0" (pixel_keys folds every transparent pixel onto it)
        transparent = int(counts[0])
        keys, counts = keys[1:], counts[1:]
    return ColourHistogram(keys.astype(np.uint32), keys_to_colours(keys, c), counts, transparent, c == 4)


def distinct_colours(img, cancel=None) -> int:
    """How many colours an (H, W, 3|4) uint8 picture shows: its distinct RGB (RGBA) values over
    the visible pixels, plus one when some pixel is fully transparent -- counted as a quantised
    picture's palette entries are (the transparent entry is one).  RGB is marked in a table of
    every 24-bit colour (16 MiB) slice by slice, ~0.05 s a Mpx; RGBA through `colour_histogram`
    (~0.2 s a Mpx).  SomdeskError and `Cancelled` (checked between slices) as colour_histogram."""
    arr = as_picture(img)
    h, w, c = arr.shape
    if c == 4:
        hist = colour_histogram(arr, cancel)
        return int(len(hist.counts)) + (1 if hist.transparent else 0)
    seen = np.zeros(1 << 24, dtype=bool)
    rows = max(1, SLICE_PIXELS // w)
    for s in range(0, h, rows):
        _cancel.check(cancel)
        seen[pixel_keys(arr[s:s + rows])] = True
    return int(np.count_nonzero(seen))
