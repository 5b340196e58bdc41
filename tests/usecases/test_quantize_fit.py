"""Palette fitting on the colour histogram: histogram, k-means, spaces, transparency, dither, cancel."""
import io
import threading
import time

import numpy as np
import pytest
from PIL import Image

from somdesk.core import colour_histogram as ch
from somdesk.core.cancel import CancelToken
from somdesk.core.colour_histogram import colour_histogram
from somdesk.core.colour import srgb_to_oklab
from somdesk.core.dither import floyd_steinberg
from somdesk.core.palette_fit import SPACES, colour_features, fit_palette, nearest, remap, srgb8_to_oklab
from somdesk.core.quantize import psnr, quantize_picture, train_quantizer
from somdesk.errors import Cancelled, OptionError, SomdeskError
from somdesk.io.quantized_png import indexed_png_bytes
from tests.timing import load_scaled

from _usecase_util import picture


def transparent_picture(h=300, w=400, seed=1):
    """An RGBA logo-like picture: 63,160 fully transparent pixels (whose stored RGB is white,
    as many editors leave it), an opaque photo-like disc and a soft translucent edge."""
    rgb = picture(h, w, seed)
    y, x = np.mgrid[0:h, 0:w]
    r = np.hypot(y - h / 2, x - w / 2).ravel()
    order = np.argsort(-r, kind="stable")                 # farthest from the centre first
    alpha = np.full(h * w, 255, np.uint8)
    n_clear = min(63_160, h * w * 3 // 5)
    alpha[order[:n_clear]] = 0
    edge = order[n_clear:n_clear + h * w // 40]
    alpha[edge] = np.linspace(1, 254, len(edge)).astype(np.uint8)   # a soft edge, outside in
    alpha = alpha.reshape(h, w)
    rgba = np.dstack([rgb, alpha])
    rgba[alpha == 0, :3] = 255
    return rgba


def test_histogram_counts_colours_and_folds_transparent_pixels(monkeypatch):
    img = np.zeros((4, 5, 4), np.uint8)
    img[..., 3] = 255
    img[0, :2] = (10, 20, 30, 255)
    img[1, 0] = (1, 2, 3, 0)
    img[1, 1] = (200, 200, 200, 0)               # transparent: whatever RGB it stores
    img[2, 2] = (5, 5, 5, 128)
    h = colour_histogram(img)
    assert h.transparent == 2 and h.has_alpha and h.translucent
    got = {tuple(c): int(n) for c, n in zip(h.colours.tolist(), h.counts)}
    assert got == {(10, 20, 30, 255): 2, (5, 5, 5, 128): 1, (0, 0, 0, 255): 15}
    assert h.counts.sum() + h.transparent == 20
    # slices merged = one pass
    big = picture(61, 37, seed=2)
    whole = colour_histogram(big)
    monkeypatch.setattr(ch, "SLICE_PIXELS", 37 * 4)
    sliced = colour_histogram(big)
    assert np.array_equal(whole.keys, sliced.keys) and np.array_equal(whole.counts, sliced.counts)
    assert whole.counts.sum() == 61 * 37 and not whole.has_alpha and whole.transparent == 0
    with pytest.raises(SomdeskError, match="uint8"):
        colour_histogram(np.zeros((3, 3, 2), np.uint8))


def test_few_colours_are_reproduced_exactly_in_every_space():
    rng = np.random.default_rng(5)
    colours = rng.integers(0, 256, (13, 3)).astype(np.uint8)
    img = colours[rng.integers(0, 13, (40, 40))]
    for space in SPACES:
        idx, pal = quantize_picture(img, 16, space=space)
        assert len(pal) == 13 and np.all(pal[:, 3] == 255)
        assert psnr(img, pal[idx][..., :3]) == np.inf


def test_fit_is_deterministic_and_beats_a_uniform_palette():
    img = picture(64, 64, seed=3)
    a = quantize_picture(img, 16, seed=4)
    b = quantize_picture(img, 16, seed=4)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    levels = np.array([0, 85, 170, 255])                  # a naive 64-colour cube
    uniform = levels[np.abs(img[..., None].astype(int) - levels).argmin(-1)].astype(np.uint8)
    assert psnr(img, a[1][a[0]][..., :3]) > psnr(img, uniform)


@pytest.mark.parametrize("space", SPACES)
def test_remap_picks_the_nearest_entry_in_the_space(space):
    img = picture(30, 40, seed=6)
    pal = np.random.default_rng(1).integers(0, 256, (20, 4)).astype(np.uint8)
    pal[:, 3] = 255
    idx = remap(img, pal, space)
    feats = colour_features(img.reshape(-1, 3), space, False)
    pf = colour_features(pal, space, False)
    d = ((feats[:, None, :] - pf[None]) ** 2).sum(-1)
    chosen = d[np.arange(len(d)), idx.ravel()]
    assert np.allclose(chosen, d.min(1), rtol=1e-6, atol=1e-9)


def test_nearest_matches_brute_force():
    rng = np.random.default_rng(2)
    pts, cen = rng.random((5000, 6)), rng.random((100, 6))
    idx, d2 = nearest(cen, pts)
    d = ((pts[:, None] - cen[None]) ** 2).sum(-1)
    assert np.array_equal(idx, d.argmin(1))
    assert np.allclose(d2, d.min(1), rtol=0, atol=1e-12)


def test_oklab_and_blend_features():
    rgb = np.array([[0, 0, 0], [255, 255, 255], [255, 0, 0]], np.uint8)
    f = colour_features(rgb, "blend", False)
    assert f.shape == (3, 6) and np.allclose(f[:, :3], rgb / 255) and np.allclose(f[:, 3:], srgb8_to_oklab(rgb))
    fa = colour_features(np.array([[255, 0, 0, 51]], np.uint8), "srgb", True)
    assert np.allclose(fa, [[0.2, 0, 0, 0.2]])                            # premultiplied, alpha appended
    with pytest.raises(OptionError, match="space"):
        colour_features(rgb, "hsv", False)
    every = np.random.default_rng(0).integers(0, 256, (1000, 3)).astype(np.uint8)
    assert np.allclose(srgb8_to_oklab(every), srgb_to_oklab(every / 255.0), atol=1e-12)


# -- transparency (issue 11) ----------------------------------------------------------
def test_transparent_pixels_do_not_train_the_palette_and_get_a_trns_entry():
    img = transparent_picture()
    assert np.count_nonzero(img[..., 3] == 0) == 63_160
    idx, pal = quantize_picture(img, 16)
    assert len(pal) <= 16
    clear = np.flatnonzero(np.all(pal == 0, axis=1))
    assert len(clear) == 1                                                # one reserved entry
    assert np.all(idx[img[..., 3] == 0] == clear[0])                      # every transparent pixel uses it
    assert np.all(idx[img[..., 3] > 0] != clear[0])                       # and nothing else does
    # the transparent area's stored white trained nothing: no opaque white-ish entry appears
    opaque = pal[pal[:, 3] == 255, :3].astype(int)
    assert not np.any(np.all(opaque > 240, axis=1))
    # translucent edge pixels got translucent entries (alpha is a quantiser channel)
    assert np.any((pal[:, 3] > 0) & (pal[:, 3] < 255))
    edge = (img[..., 3] > 0) & (img[..., 3] < 255)
    assert np.abs(pal[idx[edge], 3].astype(int) - img[edge, 3]).mean() < 40
    # the indexed PNG carries tRNS and decodes to the same RGBA
    data = indexed_png_bytes(idx, pal)
    im = Image.open(io.BytesIO(data))
    assert im.mode == "P" and "transparency" in im.info
    assert np.array_equal(np.asarray(im.convert("RGBA")), pal[idx])


def test_premultiplied_rule_for_translucent_pixels():
    """Two nearly invisible pixels of different colours are close; the same colours opaque are not."""
    img = np.zeros((1, 4, 4), np.uint8)
    img[0] = [(255, 0, 0, 5), (0, 0, 255, 5), (255, 0, 0, 255), (0, 0, 255, 255)]
    idx, pal = quantize_picture(img, 3, space="srgb")
    assert idx[0, 0] == idx[0, 1]                    # the two faint pixels share an entry
    assert len({idx[0, 0], idx[0, 2], idx[0, 3]}) == 3


def test_all_transparent_and_opaque_rgba_pictures():
    clear = np.zeros((5, 5, 4), np.uint8)
    idx, pal = quantize_picture(clear, 8)
    assert pal.tolist() == [[0, 0, 0, 0]] and np.all(idx == 0)
    opaque = np.dstack([picture(20, 20), np.full((20, 20), 255, np.uint8)])
    idx, pal = quantize_picture(opaque, 8)
    assert np.all(pal[:, 3] == 255) and len(pal) == 8
    data = indexed_png_bytes(idx, pal)
    assert "transparency" not in Image.open(io.BytesIO(data)).info


def test_palette_without_transparent_entry_is_refused_for_transparent_pictures():
    img = transparent_picture(20, 20)
    with pytest.raises(OptionError, match="transparent"):
        remap(img, np.array([[1, 2, 3, 255]], np.uint8))


# -- dithering -------------------------------------------------------------------------
def test_dither_keeps_the_average_colour_and_transparency():
    ramp = np.repeat(np.linspace(0, 255, 64).astype(np.uint8)[None, :], 32, axis=0)
    img = np.dstack([ramp, ramp, ramp])
    pal = np.array([[0, 0, 0, 255], [255, 255, 255, 255]], np.uint8)
    plain = remap(img, pal, "srgb")
    dithered = floyd_steinberg(img, pal)
    col_err = lambda idx: np.abs(pal[idx][..., 0].mean(0) - ramp.mean(0)).mean()  # noqa: E731
    assert col_err(dithered) < col_err(plain) / 4        # error diffusion keeps local averages
    assert np.array_equal(remap(img, pal, "srgb", dither=True), dithered)
    t = transparent_picture(40, 50)
    idx, pal = quantize_picture(t, 8, dither=True)
    clear = np.flatnonzero(np.all(pal == 0, axis=1))[0]
    assert np.all((idx == clear) == (t[..., 3] == 0))


# -- cancel ----------------------------------------------------------------------------
def test_cancel_before_and_during_the_work():
    img = picture(200, 300, seed=9)
    token = CancelToken()
    token.cancel()
    for call in (lambda: colour_histogram(img, token), lambda: quantize_picture(img, 64, cancel=token),
                 lambda: floyd_steinberg(img, np.array([[0, 0, 0, 255], [9, 9, 9, 255]], np.uint8), token),
                 lambda: fit_palette(colour_histogram(img), 64, cancel=token),
                 lambda: remap(img, np.array([[0, 0, 0, 255]], np.uint8), cancel=token)):
        with pytest.raises(Cancelled):
            call()
    som = train_quantizer(img, 4, 4, cancel=token)        # like a callback returning False
    assert not som.done and som.iteration == 1


def test_cancel_from_another_thread_stops_a_long_dither_quickly():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (3000, 3000, 3)).astype(np.uint8)
    pal = np.hstack([rng.integers(0, 256, (256, 3)), np.full((256, 1), 255)]).astype(np.uint8)
    floyd_steinberg(img[:2, :2], pal)                    # compile outside the measurement
    token = CancelToken()
    stopped = {}

    def work():
        try:
            floyd_steinberg(img, pal, token)
        except Cancelled:
            stopped["at"] = time.perf_counter()

    th = threading.Thread(target=work)
    th.start()
    time.sleep(0.3)
    asked = time.perf_counter()
    token.cancel()
    th.join(10)
    assert not th.is_alive() and "at" in stopped
    assert stopped["at"] - asked < load_scaled(1.0)                  # checked every row: ~10-50 ms here


def test_big_pictures_are_fitted_on_a_sample_and_remapped_exactly(monkeypatch):
    from somdesk.core import quantize as q

    img = picture(120, 160, seed=8)
    monkeypatch.setattr(q, "FIT_SAMPLE", 5000)
    hist, whole = q.fitting_histogram(img, seed=2)
    assert not whole and hist.counts.sum() == 5000
    idx, pal = quantize_picture(img, 32)
    # the lazy remap (no histogram) gives the answer of the fit's own rule (palette_mix), as
    # the histogram path does; the sample's fit is the one quantize_picture made
    fit = fit_palette(q.fitting_histogram(img)[0], 32)
    assert fit.mix is not None and np.array_equal(pal, fit.rgba)
    assert np.array_equal(idx, remap(img, pal, hist=colour_histogram(img), mix=fit.mix))
    assert np.array_equal(idx, remap(img, pal, mix=fit.mix))
    # one transparent pixel the sample is unlikely to hit still gets its entry
    rgba = np.dstack([img, np.full(img.shape[:2], 255, np.uint8)])
    rgba[77, 101, 3] = 0
    idx, pal = quantize_picture(rgba, 8)
    clear = np.flatnonzero(np.all(pal == 0, axis=1))
    assert len(clear) == 1 and idx[77, 101] == clear[0] and np.count_nonzero(idx == clear[0]) == 1


def test_cancel_from_another_thread_stops_a_big_quantisation_quickly():
    """Issue 10 item 1 for the quantiser: the stop reaches inside the passes (~50 ms each)."""
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (1500, 2000, 3)).astype(np.uint8)     # 3 Mpx, ~2.9 million colours
    for delay in (0.3, 1.5):              # in the fitting, then (on this machine) in the remapping
        token = CancelToken()
        out = {}

        def work():
            try:
                quantize_picture(img, 256, cancel=token)
            except Cancelled:
                out["at"] = time.perf_counter()

        th = threading.Thread(target=work)
        th.start()
        time.sleep(delay)
        asked = time.perf_counter()
        token.cancel()
        th.join(30)
        assert not th.is_alive() and "at" in out, "the work ran to the end: make the picture bigger"
        assert out["at"] - asked < load_scaled(1.0), f"stopped {out['at'] - asked:.2f} s after the request"


def test_dither_without_numba_uses_pillow_for_opaque_pictures(monkeypatch):
    from somdesk.core import dither, kernels

    monkeypatch.setattr(kernels, "BACKEND", "numpy")     # no compiled kernels at all
    ramp = np.repeat(np.linspace(0, 255, 64).astype(np.uint8)[None, :], 32, axis=0)
    img = np.dstack([ramp, ramp, ramp])
    pal = np.array([[0, 0, 0, 0], [0, 0, 0, 255], [255, 255, 255, 255]], np.uint8)
    idx = dither.floyd_steinberg(img, pal)
    assert set(np.unique(idx)) == {1, 2}                   # never the transparent entry
    shown = pal[idx][..., 0].astype(float)
    assert np.abs(shown.mean(0) - ramp.mean(0)).mean() < 20     # local averages kept
