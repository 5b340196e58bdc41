"""Two pictures of one size side by side: the original and the quantised picture.

    img = side_by_side(original, (palette, indices), ("Original: 61,211 colours",
                                                       "Quantised: 16 colours, PSNR 27.50 dB"))

The window's *Original | quantised* view, its Export image and `somdesk quantize
--side-by-side` all draw through here, so the screen and the files are one picture (the
screen draws the pictures' display copies, at most core.map_quantise.DISPLAY_MAX_SIDE a side;
the exports the full-size pictures).  Text size and gap grow with the picture, so the captions
read the same on a fitted screen and in a big file.
"""
from __future__ import annotations

import numpy as np

from somdesk.core.options import count_text
from somdesk.errors import SomdeskError
from somdesk.render.geometry import MAX_IMAGE_PIXELS
from somdesk.render.legend import one_line, text_font

__all__ = ["side_by_side", "side_by_side_size", "caption_px", "gap_px", "MIN_COLUMN"]

MIN_COLUMN = 160          # px: a narrower picture's column is this wide (its caption needs room)
TEXT = (0, 0, 0)
BAND_PIXELS = 1 << 20     # pixels copied per band (a cancel check between bands)


def caption_px(width: int) -> int:
    """Caption text height in px for pictures `width` px wide: 1/32 of the width, at least 12
    (the two pictures fitted into a window's map area show their captions at ~12 px whatever
    their size; 1/40 read ~10 px there, too small)."""
    return max(12, int(round(width / 32)))


def gap_px(width: int) -> int:
    """The white gap between the two pictures, in px: thin, growing with the width (>= 4)."""
    return max(4, int(round(width / 128)))


def _lines(text: str, font, width: float) -> list[str]:
    from somdesk.render.profiles import wrapped

    return wrapped(one_line(text, 0), font, width) if text else []


def _layout(h: int, w: int, captions) -> tuple[int, int, int, int, list, list, object]:
    """(out height, out width, column width, caption block height, left lines, right lines, font)."""
    size = caption_px(w)
    font = text_font(size)
    column = max(w, MIN_COLUMN)
    pad = max(3, size // 3)
    lines = [_lines(str(c or ""), font, column - 2 * pad) for c in captions]
    n = max(len(lines[0]), len(lines[1]))
    line_h = int(round(size * 1.3))
    block = n * line_h + 2 * pad if n else 0
    return block + h, 2 * column + gap_px(w), column, block, lines[0], lines[1], (font, pad, line_h)


def side_by_side_size(height: int, width: int, captions=("", "")) -> tuple[int, int]:
    """(width, height) in px of `side_by_side` of two `height` x `width` px pictures with
    `captions`, without drawing it."""
    out_h, out_w, *_ = _layout(int(height), int(width), captions)
    return out_w, out_h


def _rows_of(picture):
    """(h, w, rows_of(a, b)) of an (H, W, 3|4) uint8 array or a (palette, indices) pair."""
    if isinstance(picture, tuple) and len(picture) == 2:
        palette, indices = np.asarray(picture[0]), np.asarray(picture[1])
        if palette.ndim != 2 or palette.shape[1] not in (3, 4) or palette.dtype != np.uint8 or indices.ndim != 2:
            raise SomdeskError(f"an indexed picture is a (K, 3|4) uint8 palette and (H, W) indices, got "
                               f"{palette.dtype} {palette.shape} and {indices.shape}")
        return indices.shape[0], indices.shape[1], lambda a, b: palette[indices[a:b]]
    arr = np.asarray(picture)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or arr.dtype != np.uint8:
        raise SomdeskError(f"a picture is an (H, W, 3) RGB or (H, W, 4) RGBA uint8 array, got {arr.dtype} {arr.shape}")
    return arr.shape[0], arr.shape[1], lambda a, b: arr[a:b]


def side_by_side(left, right, captions=("", ""), cancel=None) -> np.ndarray:
    """(H', W', 3) uint8: pictures `left` and `right` of one size side by side at the same scale
    (1 picture px = 1 output px), a thin white gap between them (`gap_px`), each caption above
    its picture, on white.

    `left`, `right`: (H, W, 3) RGB or (H, W, 4) RGBA uint8 arrays, RGBA drawn over the window's
    checkerboard (core.map_quantise), or an indexed picture as a (palette (K, 3|4) uint8,
    indices (H, W) int) pair, expanded band by band (a 100 Mpx quantised picture is never
    expanded whole).  `captions`: two strings (plain text; line breaks become spaces), drawn in
    render.legend's font at `caption_px(W)` px, wrapped to the column (the picture's width, at
    least MIN_COLUMN px); "" for none.  H' = caption block + H, W' = 2 * column + gap
    (`side_by_side_size`).  Raises SomdeskError when the pictures differ in size, are not such
    arrays or pairs, or the result would be over render.geometry.MAX_IMAGE_PIXELS; `Cancelled`
    when `cancel` (a CancelToken) is set (checked every band of ~1 Mpx).
    """
    from PIL import Image, ImageDraw

    from somdesk.core import cancel as _cancel
    from somdesk.core.map_quantise import band_on_checkerboard

    h, w, left_rows = _rows_of(left)
    h2, w2, right_rows = _rows_of(right)
    if (h, w) != (h2, w2):
        raise SomdeskError(f"the two pictures differ in size ({w} x {h} and {w2} x {h2} px); side by side "
                           "they must be one size")
    if len(captions) != 2:
        raise SomdeskError(f"side_by_side takes two captions, got {len(captions)}")
    out_h, out_w, column, block, lines_l, lines_r, (font, pad, line_h) = _layout(h, w, captions)
    if out_w * out_h > MAX_IMAGE_PIXELS:
        raise SomdeskError(f"the side-by-side picture would have {count_text(out_w * out_h, 'pixel')}, over the "
                           f"limit of {MAX_IMAGE_PIXELS:,}; export the original and the quantised picture "
                           "one at a time")
    out = np.full((out_h, out_w, 3), 255, dtype=np.uint8)
    if block:
        strip = Image.new("RGB", (out_w, block), (255, 255, 255))
        draw = ImageDraw.Draw(strip)
        for x0, lines in ((0, lines_l), (column + gap_px(w), lines_r)):
            for k, line in enumerate(lines):
                draw.text((x0 + pad, pad + k * line_h), line, fill=TEXT, font=font)
        out[:block] = np.asarray(strip)
    right_x = column + gap_px(w)
    rows = max(16, (BAND_PIXELS // max(1, w)) // 16 * 16)     # whole checker periods: the bands join up
    for s in range(0, h, rows):
        _cancel.check(cancel)
        e = min(h, s + rows)
        out[block + s:block + e, :w] = band_on_checkerboard(left_rows(s, e), s)
        out[block + s:block + e, right_x:right_x + w] = band_on_checkerboard(right_rows(s, e), s)
    return out
