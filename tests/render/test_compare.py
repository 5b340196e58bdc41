"""render.side_by_side: the original and the quantised picture side by side (fixW #1)."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk import render
from somdesk.core.cancel import CancelToken, Cancelled
from somdesk.core.map_quantise import on_checkerboard
from somdesk.errors import SomdeskError
from somdesk.render import compare


def _pictures(h=90, w=120, alpha=False):
    rng = np.random.default_rng(1)
    original = rng.integers(0, 256, (h, w, 4 if alpha else 3), dtype=np.uint8)
    if alpha:
        original[:, : w // 3, 3] = 0
    palette = rng.integers(0, 256, (8, 3), dtype=np.uint8)
    indices = rng.integers(0, 8, (h, w)).astype(np.uint8)
    return original, palette, indices


def test_both_pictures_at_the_same_scale_a_gap_between_captions_above():
    original, palette, indices = _pictures()
    out = render.side_by_side(original, (palette, indices), ("Original: 10,800 colours", "Quantised: 8 colours"))
    h, w = indices.shape
    column = max(w, compare.MIN_COLUMN)
    gap = compare.gap_px(w)
    assert out.dtype == np.uint8 and out.shape[1] == 2 * column + gap
    size = render.side_by_side_size(h, w, ("Original: 10,800 colours", "Quantised: 8 colours"))
    assert size == (out.shape[1], out.shape[0])
    top = out.shape[0] - h                                    # the caption block
    assert top > compare.caption_px(w)
    np.testing.assert_array_equal(out[top:, :w], original)                           # 1 px = 1 px, left
    np.testing.assert_array_equal(out[top:, column + gap:column + gap + w], palette[indices])   # and right
    assert (out[top:, column:column + gap] == 255).all()       # the white gap
    assert (out[:top] != 255).any()                           # the captions are drawn
    # captions off: no block, the pictures at the top
    bare = render.side_by_side(original, palette[indices])
    assert bare.shape[0] == h and np.array_equal(bare[:, :w], original)


def test_rgba_is_shown_over_the_checkerboard_band_by_band(monkeypatch):
    monkeypatch.setattr(compare, "BAND_PIXELS", 120 * 20)     # many bands of a short picture
    original, palette, indices = _pictures(h=100, alpha=True)
    rgba_palette = np.hstack([palette, np.full((8, 1), 128, np.uint8)])
    out = render.side_by_side(original, (rgba_palette, indices))
    np.testing.assert_array_equal(out[:, :120], on_checkerboard(original))
    right = max(120, compare.MIN_COLUMN) + compare.gap_px(120)
    np.testing.assert_array_equal(out[:, right:right + 120], on_checkerboard(rgba_palette[indices]))


def test_a_narrow_picture_gets_a_column_wide_enough_and_long_captions_wrap():
    original, palette, indices = _pictures(h=30, w=40)
    long = "Quantised: 8 colours, PSNR 27.50 dB, mean CIEDE2000 5.9 " * 3
    one = render.side_by_side(original, (palette, indices), ("a", "b"))
    many = render.side_by_side(original, (palette, indices), ("a", long))
    assert one.shape[1] == many.shape[1] == 2 * compare.MIN_COLUMN + compare.gap_px(40)
    assert many.shape[0] > one.shape[0]                       # wrapped, not cut


def test_refusals_and_stop():
    original, palette, indices = _pictures()
    with pytest.raises(SomdeskError, match="differ in size"):
        render.side_by_side(original, (palette, indices[:-1]))
    with pytest.raises(SomdeskError, match="uint8"):
        render.side_by_side(original.astype(np.float32), (palette, indices))
    with pytest.raises(SomdeskError, match="two captions"):
        render.side_by_side(original, (palette, indices), ("only one",))
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        render.side_by_side(original, (palette, indices), cancel=token)


def test_over_the_pixel_limit_says_so_before_drawing(monkeypatch):
    monkeypatch.setattr(compare, "MAX_IMAGE_PIXELS", 20_000)
    original, palette, indices = _pictures()
    with pytest.raises(SomdeskError, match="over the limit of 20,000; export the original and the quantised"):
        render.side_by_side(original, (palette, indices))
