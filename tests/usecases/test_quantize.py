"""Colour quantisation: PSNR, sampling, chunked assignment, training defaults."""
import math

import numpy as np
import pytest

from somdesk.core import kernels
from somdesk.core.quantize import (DEFAULT_SAMPLE, assign_chunked, count_colours, mse,
                                   palette_rgb8, psnr, quantize, sample_pixels, train_quantizer)
from somdesk.errors import OptionError, SomdeskError

from _usecase_util import picture


# -- PSNR ----------------------------------------------------------------------
def test_psnr_of_identical_pictures_is_inf():
    img = picture()
    assert psnr(img, img.copy()) == math.inf
    assert mse(img, img) == 0.0


def test_psnr_known_difference():
    a = np.zeros((10, 10, 3), np.uint8)
    b = a.copy()
    b[...] = 5                                   # MSE = 25 everywhere
    assert mse(a, b) == 25.0
    assert psnr(a, b) == pytest.approx(10 * math.log10(255 ** 2 / 25))   # 34.151 dB
    b[0, 0, 0] = 255                              # no uint8 wrap-around: (255-0)^2
    expected = (25 * 299 + 255 ** 2) / 300
    assert mse(a, b) == pytest.approx(expected)
    assert psnr(b, a) == pytest.approx(10 * math.log10(255 ** 2 / expected))


def test_psnr_maximal_difference_is_zero_db():
    assert psnr(np.zeros((2, 2, 3), np.uint8), np.full((2, 2, 3), 255, np.uint8)) == pytest.approx(0.0)


def test_psnr_shape_mismatch_is_an_error():
    with pytest.raises(SomdeskError):
        psnr(np.zeros((2, 2, 3), np.uint8), np.zeros((2, 3, 3), np.uint8))


# -- sampling -------------------------------------------------------------------
def test_sample_is_without_replacement_and_seeded():
    img = np.arange(100 * 100 * 3, dtype=np.int64).reshape(100, 100, 3) % 256
    # give every pixel a distinct colour so duplicates would show
    flat = np.arange(100 * 100)
    img = np.stack([flat % 256, flat // 256, np.zeros_like(flat)], -1).reshape(100, 100, 3).astype(np.uint8)
    s1 = sample_pixels(img, 500, seed=3)
    s2 = sample_pixels(img, 500, seed=3)
    s3 = sample_pixels(img, 500, seed=4)
    assert s1.shape == (500, 3) and s1.dtype == np.float64
    assert np.array_equal(s1, s2) and not np.array_equal(s1, s3)
    assert len(np.unique(s1, axis=0)) == 500          # no pixel twice
    assert s1.min() >= 0 and s1.max() <= 1
    keys = np.rint(s1[:, 0] * 255) + 256 * np.rint(s1[:, 1] * 255)
    assert np.all(np.diff(keys) > 0)                  # raster order of positions


def test_small_picture_is_sampled_whole():
    img = picture(10, 10)
    s = sample_pixels(img)
    assert s.shape == (100, 3)
    assert np.array_equal(np.rint(s * 255).astype(np.uint8), img.reshape(-1, 3))
    assert DEFAULT_SAMPLE == 65536


def test_sample_size_must_be_positive():
    with pytest.raises(OptionError):
        sample_pixels(picture(), 0)


# -- assignment -----------------------------------------------------------------
@pytest.mark.parametrize("chunk_rows", [1, 3, 7, 48, 1000])
def test_chunked_assignment_equals_one_shot(chunk_rows):
    img = picture(48, 64, seed=1)
    cb = np.random.default_rng(2).random((5, 6, 3))
    one_shot, _ = kernels.bmus_of(cb.reshape(-1, 3), img.reshape(-1, 3).astype(np.float64) / 255)
    got = assign_chunked(img, cb, chunk_rows=chunk_rows)
    assert got.dtype == np.uint8 and got.shape == (48, 64)
    assert np.array_equal(got.ravel(), one_shot)


def test_assignment_ties_go_to_the_lowest_index_and_uint16_for_big_codebooks():
    cb = np.zeros((300, 3))
    cb[299] = 1.0
    img = np.zeros((3, 4, 3), np.uint8)
    img[0, 0] = 255
    got = assign_chunked(img, cb)
    assert got.dtype == np.uint16
    assert got[0, 0] == 299 and np.all(got.ravel()[1:] == 0)


def test_uint8_palette_is_accepted_as_codebook():
    pal = np.array([[0, 0, 0], [255, 255, 255], [255, 0, 0]], np.uint8)
    img = np.array([[[10, 10, 10], [250, 240, 245], [200, 20, 10]]], np.uint8)
    assert assign_chunked(img, pal).tolist() == [[0, 1, 2]]
    assert quantize(img, pal).tolist() == [[[0, 0, 0], [255, 255, 255], [255, 0, 0]]]


def test_progress_reports_rows_and_can_cancel():
    img = picture(40, 10)
    cb = np.random.default_rng(0).random((4, 3))
    calls = []
    out = assign_chunked(img, cb, chunk_rows=7, progress=lambda d, t: calls.append((d, t)))
    assert out is not None
    assert calls[0] == (0, 40) and calls[-1] == (40, 40)
    assert [d for d, _ in calls] == [0, 7, 14, 21, 28, 35, 40]

    seen = []

    def stop_after_two(done, total):
        seen.append(done)
        return len(seen) < 3

    assert assign_chunked(img, cb, chunk_rows=7, progress=stop_after_two) is None
    assert seen == [0, 7, 14]
    assert quantize(img, cb, chunk_rows=7, progress=lambda d, t: False) is None


def test_bad_inputs_are_clear_errors():
    cb = np.random.default_rng(0).random((4, 3))
    with pytest.raises(SomdeskError, match="uint8"):
        assign_chunked(np.zeros((4, 4, 3)), cb)
    with pytest.raises(SomdeskError, match="no pixels"):
        assign_chunked(np.zeros((0, 4, 3), np.uint8), cb)
    with pytest.raises(SomdeskError, match="NaN"):
        assign_chunked(picture(), np.full((2, 3), np.nan))
    with pytest.raises(SomdeskError, match="3 values"):
        assign_chunked(picture(), np.zeros((4, 2)))
    with pytest.raises(OptionError):
        assign_chunked(picture(), cb, chunk_rows=0)


def test_quantize_uses_the_8bit_palette():
    img = picture()
    cb = np.random.default_rng(5).random((3, 3, 3))
    pal = palette_rgb8(cb)
    assert pal.shape == (9, 3) and pal.dtype == np.uint8
    assert np.array_equal(pal, np.clip(np.rint(cb.reshape(-1, 3) * 255), 0, 255).astype(np.uint8))
    out = quantize(img, cb)
    idx = assign_chunked(img, pal)
    assert np.array_equal(out, pal[idx])
    # every output pixel is the nearest palette colour
    px = img.reshape(-1, 3).astype(int)
    best = ((px[:, None] - pal[None].astype(int)) ** 2).sum(-1).min(1)
    assert np.array_equal(((px - out.reshape(-1, 3).astype(int)) ** 2).sum(-1), best)


def test_count_colours():
    img = np.zeros((4, 4, 3), np.uint8)
    img[0] = (1, 2, 3)
    img[1, 0] = (255, 255, 255)
    assert count_colours(img) == 3


# -- training -------------------------------------------------------------------
def test_train_quantizer_beats_a_uniform_palette_and_is_reproducible():
    img = picture(64, 64, seed=3)
    som = train_quantizer(img, 4, 4, seed=1)
    assert som.weights.shape == (4, 4, 3)
    q = psnr(img, quantize(img, som.weights))
    levels = np.array([0, 85, 170, 255])                  # a naive 64-colour cube
    uniform = levels[np.abs(img[..., None].astype(int) - levels).argmin(-1)].astype(np.uint8)
    assert q > psnr(img, uniform)                         # 16 SOM colours beat 64 uniform ones
    again = train_quantizer(img, 4, 4, seed=1)
    assert np.array_equal(som.weights, again.weights)


def test_flat_colour_picture_is_reproduced_exactly():
    """13 flat colours on a 16-colour map: dead-node recovery gives every colour its node."""
    rng = np.random.default_rng(5)
    colours = rng.integers(0, 256, (13, 3)).astype(np.uint8)
    img = colours[rng.integers(0, 13, (40, 40))]
    som = train_quantizer(img, 4, 4, seed=1)
    assert psnr(img, quantize(img, som.weights)) == math.inf


def test_train_quantizer_limits():
    with pytest.raises(OptionError):
        train_quantizer(picture(), 1, 1)
    with pytest.raises(OptionError):
        train_quantizer(picture(), 17, 16)
    som = train_quantizer(picture(8, 8), 2, 2, iterations=3, fine_tune=0, seed=0)
    assert som.weights.shape == (2, 2, 3)


def test_classic_mode_works():
    img = picture(16, 16)
    som = train_quantizer(img, 4, 4, iterations=2, fine_tune=1, seed=0, mode="classic")
    assert psnr(img, quantize(img, som.weights)) > 20


def test_training_callback_sees_every_phase_and_can_cancel():
    img = picture(16, 16)
    seen = []
    train_quantizer(img, 4, 4, iterations=3, fine_tune=2, seed=0, callback=lambda i, w: seen.append((i.total, w.shape)))
    assert [t for t, _ in seen[:5]] == [3, 3, 3, 2, 2]   # ordering, then fine-tuning (then any recovery)
    assert all(shape == (4, 4, 3) for _, shape in seen)
    calls = []

    def stop(info, weights):
        calls.append(info.iteration)
        return len(calls) < 2

    som = train_quantizer(img, 4, 4, iterations=5, fine_tune=5, seed=0, callback=stop)
    assert calls == [0, 1] and not som.done and som.iteration == 2
