"""palette_mix: the blend fit's last step, for PSNR and CIEDE2000 together (docs/quantisation.md)."""
import math

import numpy as np
import pytest

from somdesk.core import palette_mix
from somdesk.core.cancel import CancelToken
from somdesk.core.colour import delta_e_2000_srgb
from somdesk.core.colour_histogram import colour_histogram
from somdesk.core.palette_fit import colour_features, fit_palette, remap
from somdesk.core.quantize import mse, quantize_picture
from somdesk.errors import Cancelled


def photo(h=96, w=128, seed=4):
    """Smooth gradients, a few soft blobs and noise: thousands of colours, like a photo."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w] / np.array([h, w])[:, None, None]
    img = np.stack([0.2 + 0.6 * x, 0.3 + 0.5 * y * y, 0.8 - 0.5 * x * y], axis=-1)
    for _ in range(6):
        cx, cy, r = rng.uniform(0, 1, 2).tolist() + [rng.uniform(0.05, 0.2)]
        a = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))[..., None]
        img = img * (1 - a) + rng.uniform(0, 1, 3) * a
    img = img + rng.normal(0, 0.03, img.shape)
    return np.clip(np.rint(img * 255), 0, 255).astype(np.uint8)


def measures(img, idx, pal):
    """(MSE, mean CIEDE2000) of the quantised picture, over every pixel."""
    out = pal[idx][..., :3]
    de = delta_e_2000_srgb(img.reshape(-1, 3) / 255.0, out.reshape(-1, 3) / 255.0)
    return mse(img, out), float(de.mean())


def score(m, d):
    return math.log(m) + palette_mix.MIX_ALPHA * math.log(d)


@pytest.mark.parametrize("k", [8, 32])
def test_refined_palette_never_scores_worse_than_plain_k_means(monkeypatch, k):
    img = photo()
    refined = measures(img, *quantize_picture(img, k))
    monkeypatch.setattr(palette_mix, "REFINE_PASSES", 0)       # the plain fit: nearest in blend
    plain_idx, plain_pal = quantize_picture(img, k)
    plain = measures(img, plain_idx, plain_pal)
    assert score(*refined) <= score(*plain) + 1e-9
    assert refined != plain          # on this picture the refinement does move something


def test_remap_follows_the_rule_the_palette_was_measured_with():
    img = photo(seed=9)
    hist = colour_histogram(img)
    fit = fit_palette(hist, 16)
    assert fit.mix is not None and fit.labels is not None and len(fit.labels) == len(hist.colours)
    from_fit = remap(img, fit.rgba, hist=hist, mix=fit.mix, labels=fit.labels)
    assert np.array_equal(from_fit, remap(img, fit.rgba, hist=hist, mix=fit.mix))   # searched again
    assert np.array_equal(from_fit, remap(img, fit.rgba, mix=fit.mix))              # lazily, no histogram
    idx, pal = quantize_picture(img, 16)
    assert np.array_equal(idx, from_fit) and np.array_equal(pal, fit.rgba)
    # the measured state is the file's: its MSE and mean CIEDE2000 are what the rule gives
    plain = remap(img, fit.rgba, hist=hist)          # nearest in blend, the same palette
    assert not np.array_equal(plain, from_fit)


def test_only_the_blend_space_and_opaque_pictures_are_refined():
    img = photo(seed=2)
    hist = colour_histogram(img)
    for space in ("srgb", "oklab"):
        assert fit_palette(hist, 16, space).mix is None
    rgba = np.dstack([img, np.full(img.shape[:2], 255, np.uint8)])
    rgba[:10, :, 3] = 128                                 # translucent pixels: alpha is a channel
    assert fit_palette(colour_histogram(rgba), 16).mix is None
    few = img[:4, :4].copy()                              # no more colours than slots: exact
    fit = fit_palette(colour_histogram(few), 32)
    assert fit.mix is None and len(fit.rgba) == len(colour_histogram(few).colours)


def test_refine_palette_checks_the_cancel_token():
    img = photo(seed=3)
    hist = colour_histogram(img)
    feats = colour_features(hist.colours, "blend", False)
    pal = fit_palette(hist, 16, "srgb").rgb
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        palette_mix.refine_palette(hist.colours, hist.counts, feats, pal,
                                   lambda p: colour_features(p, "blend", False), token)


def test_lab_of_8_bit_colours_matches_the_float_conversion():
    from somdesk.core.colour import srgb_to_lab

    rgb = np.random.default_rng(0).integers(0, 256, (500, 3)).astype(np.uint8)
    assert np.allclose(palette_mix.srgb8_to_lab(rgb), srgb_to_lab(rgb / 255.0), atol=1e-9)


def test_assign_mixed_equals_the_brute_force_rule():
    """The skipped CIEDE2000 evaluations (a candidate whose squared error alone loses) change
    nothing: the rule is min over the candidates of sq * w_sq + dE00 * w_de."""
    from somdesk.core.colour import delta_e_2000

    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 256, (3000, 3)).astype(np.uint8)
    pal = rng.integers(0, 256, (40, 3)).astype(np.uint8)
    feats = colour_features(rgb, "blend", False)
    pf = colour_features(pal, "blend", False)
    lab, plab = palette_mix.srgb8_to_lab(rgb), palette_mix.srgb8_to_lab(pal)
    for m in (1, 2, 3):
        mix = palette_mix.Mix(1 / 300.0, 0.5 / 4.0, m)
        idx, sq, de = palette_mix.assign_mixed(rgb, lab, feats, pal.astype(float), plab, pf, mix)
        d = ((feats[:, None, :] - pf[None]) ** 2).sum(-1)
        cand = np.argsort(d, axis=1, kind="stable")[:, :m]
        s = ((rgb[:, None, :].astype(float) - pal[cand]) ** 2).sum(-1)
        e = delta_e_2000(lab[:, None, :], plab[cand])
        best = cand[np.arange(len(rgb)), np.argmin(s * mix.w_sq + e * mix.w_de, axis=1)]
        assert np.array_equal(idx, best)
        assert np.allclose(sq, ((rgb.astype(float) - pal[idx]) ** 2).sum(-1))
        assert np.allclose(de, delta_e_2000(lab, plab[idx]))
