"""Big pictures are drawn in bands (tester7 #31): the same pixels, bit for bit, as drawing
the whole picture in one go, whatever the band size (no Qt)."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.render import geometry, picture, strip_and_map
from somdesk.render.markers import draw_markers


def _one_shot(nodes, hexagonal, scale, fill=(255, 255, 255)):
    """The picture drawn whole, as before the bands: np.repeat blocks, or one gather through
    the whole index image (computed unbanded: BAND_PIXELS is huge while it is made)."""
    if not hexagonal:
        return np.repeat(np.repeat(nodes, scale, axis=0), scale, axis=1)
    rows, cols = nodes.shape[:2]
    width, height = geometry.picture_size(rows, cols, True, scale)
    idx = geometry._hex_index(rows, cols, float(scale), width, 0, height)
    out = nodes.reshape((rows * cols,) + nodes.shape[2:])[np.maximum(idx, 0)]
    out[idx < 0] = fill
    return out


@pytest.fixture(params=[1, 7, 50, 1 << 20], ids=["band-1px", "band-7px", "band-50px", "default"])
def band_pixels(request, monkeypatch):
    """BAND_PIXELS from one pixel (a band is one pixel row) to the default (one band)."""
    monkeypatch.setattr(geometry, "BAND_PIXELS", request.param)
    return request.param


@pytest.mark.parametrize("cached", [True, False], ids=["cached-index", "banded-index"])
@pytest.mark.parametrize("hexagonal", [False, True])
@pytest.mark.parametrize("rows,cols,scale", [(1, 1, 5), (1, 6, 4), (7, 5, 3), (9, 11, 8), (4, 3, 1)])
def test_banded_layout_is_the_one_shot_picture(band_pixels, monkeypatch, cached, hexagonal, rows, cols, scale):
    if not cached:
        monkeypatch.setattr(geometry, "CACHED_PIXELS", 0)      # big-picture path: indices per band
    rng = np.random.default_rng(rows * 100 + cols)
    nodes = rng.integers(0, 256, (rows, cols, 3), dtype=np.uint8)
    got = geometry.layout(nodes, hexagonal, scale)
    np.testing.assert_array_equal(got, _one_shot(nodes, hexagonal, scale))
    assert got.dtype == np.uint8 and got.flags.c_contiguous


@pytest.mark.parametrize("hexagonal", [False, True])
def test_banded_layout_keeps_any_dtype_channels_and_fill(band_pixels, monkeypatch, hexagonal):
    monkeypatch.setattr(geometry, "CACHED_PIXELS", 0)
    codes = np.arange(20, dtype=np.int32).reshape(4, 5)                  # (rows, cols): no channels
    np.testing.assert_array_equal(geometry.layout(codes, hexagonal, 6, fill=-1),
                                  _one_shot(codes, hexagonal, 6, fill=-1))
    rgba = np.random.default_rng(3).random((3, 4, 4)).astype(np.float32)  # 4 float channels
    np.testing.assert_array_equal(geometry.layout(rgba, hexagonal, 5, fill=(0, 0, 0, 0)),
                                  _one_shot(rgba, hexagonal, 5, fill=(0, 0, 0, 0)))


@pytest.mark.parametrize("hexagonal", [False, True])
def test_picture_with_strip_and_markers_is_the_one_shot_picture(band_pixels, monkeypatch, hexagonal):
    monkeypatch.setattr(geometry, "CACHED_PIXELS", 0)
    rng = np.random.default_rng(7)
    nodes = rng.integers(0, 256, (6, 9, 3), dtype=np.uint8)
    inputs = rng.random((5, 3))
    bmus = np.array([[0, 0], [5, 8], [2, 3], [2, 3]])
    body = _one_shot(nodes, hexagonal, 7)
    draw_markers(body, nodes, bmus, hexagonal, 7)
    np.testing.assert_array_equal(picture(nodes, hexagonal, 7, bmus=bmus, inputs=inputs),
                                  strip_and_map(inputs, body, 7))


def test_layout_writes_into_the_given_array_and_refuses_a_wrong_one():
    nodes = np.arange(6, dtype=np.uint8).reshape(2, 3)
    out = np.zeros((8, 6), dtype=np.uint8)
    assert geometry.layout(nodes, False, 2, out=out[2:6]) is not None
    np.testing.assert_array_equal(out[2:6], _one_shot(nodes, False, 2))
    assert not out[:2].any() and not out[6:].any()                       # nothing outside it
    with pytest.raises(ValueError):
        geometry.layout(nodes, False, 3, out=out[2:6])


def test_bands_cover_the_picture_once():
    for width, height, pixels in [(10, 7, 1), (10, 7, 25), (9000, 9000, 1 << 20), (3, 1, 1 << 20)]:
        geometry.BAND_PIXELS, saved = pixels, geometry.BAND_PIXELS
        try:
            spans = geometry.bands(width, height)
        finally:
            geometry.BAND_PIXELS = saved
        assert spans[0][0] == 0 and spans[-1][1] == height
        assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
        assert all((y1 - y0) * width <= max(pixels, width) for y0, y1 in spans)


def test_scale_nearest_in_bands_is_the_one_shot_picture(band_pixels):
    from somdesk.io.images import scale_nearest

    img = np.random.default_rng(2).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    for scale in (1, 3, 70):                  # beyond render's MAX_SCALE too
        np.testing.assert_array_equal(scale_nearest(img, scale), _one_shot(img, False, scale))
    np.testing.assert_array_equal(scale_nearest(img[..., 0], 4), _one_shot(img[..., 0], False, 4))
