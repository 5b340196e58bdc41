"""Training spaces: the transform around the SOM and the out-of-gamut rule."""
import numpy as np
import pytest
from coloraide import Color

from somdesk.core import colour as C
from somdesk.core import colour_space as S
from somdesk.errors import OptionError


def test_srgb_is_the_exact_identity():
    rgb = np.random.default_rng(0).random((50, 3))
    out = S.to_space(rgb, "srgb")
    assert out is not rgb and out.dtype == np.float64
    np.testing.assert_array_equal(out, rgb)
    np.testing.assert_array_equal(S.from_space(out, "srgb"), rgb)


@pytest.mark.parametrize("space", S.SPACES)
def test_round_trip_of_in_gamut_colours(space):
    rgb = np.random.default_rng(1).random((300, 3))
    x = S.to_space(rgb, space)
    np.testing.assert_allclose(S.from_space(x, space), rgb, atol=1e-9)
    np.testing.assert_allclose(S.fit_gamut(x, space), rgb, atol=1e-9)
    assert not S.out_of_gamut(x, space).any()


def test_space_names_and_aliases():
    assert S.choose_space("Lab") == "cielab" and S.choose_space("OKLAB") == "oklab"
    assert S.choose_space("linear_srgb") == "linear"
    with pytest.raises(OptionError, match="srgb, linear, cielab, oklab"):
        S.choose_space("hsv")
    assert S.space_from_meta({"colour_space": "oklab"}) == "oklab"
    assert S.space_from_meta({}) == "srgb" and S.space_from_meta(None) == "srgb"


def _random_oklab(n, seed):
    return np.random.default_rng(seed).uniform([0.05, -0.35, -0.35], [0.95, 0.35, 0.35], (n, 3))


def test_fit_gamut_keeps_lightness_and_hue_and_maximises_chroma():
    ok = _random_oklab(400, 2)
    bad = S.out_of_gamut(ok, "oklab")
    assert bad.sum() > 100
    shown = S.fit_gamut(ok, "oklab")
    assert shown.min() >= 0 and shown.max() <= 1
    back = C.srgb_to_oklab(shown[bad])
    np.testing.assert_allclose(back[:, 0], ok[bad, 0], atol=1e-6)            # lightness kept
    hue_in = np.arctan2(ok[bad, 2], ok[bad, 1])
    hue_out = np.arctan2(back[:, 2], back[:, 1])
    np.testing.assert_allclose(np.angle(np.exp(1j * (hue_out - hue_in))), 0, atol=1e-5)  # hue kept
    # maximal: 0.1% more chroma leaves the gamut (strictly: any linear channel outside 0..1)
    more = back.copy()
    more[:, 1:] *= 1.001
    lin = C.oklab_to_linear(more)
    assert np.any((lin < 0) | (lin > 1), axis=1).all()


def test_fit_gamut_matches_coloraides_oklch_chroma_reduction():
    # coloraide's CSS Color 4 chroma reduction with the JND shortcut off; its bisection
    # stops earlier than ours, hence 1e-3 (a quarter of an 8-bit step)
    ok = _random_oklab(100, 3)
    shown = S.fit_gamut(ok, "oklab")
    for x, y in zip(ok, shown):
        ref = Color("oklab", list(x)).fit("srgb", method="oklch-chroma", jnd=0).convert("srgb")
        np.testing.assert_allclose(y, ref.coords(), atol=1e-3)


def test_fit_gamut_extremes_and_cielab():
    assert np.allclose(S.fit_gamut([1.3, 0.2, 0.0], "oklab"), 1.0)          # beyond white -> white
    assert np.allclose(S.fit_gamut([-0.2, 0.1, 0.0], "oklab"), 0.0, atol=1e-6)  # below black -> black
    lab = np.array([[50.0, 120.0, 0.0], [90.0, -100.0, 90.0]])              # far outside sRGB
    shown = S.fit_gamut(lab, "cielab")
    assert S.out_of_gamut(lab, "cielab").all() and shown.min() >= 0 and shown.max() <= 1
    np.testing.assert_allclose(C.srgb_to_oklab(shown)[:, 0], C.linear_to_oklab(S.to_linear(lab, "cielab"))[:, 0],
                               atol=1e-6)
    np.testing.assert_array_equal(S.fit_gamut([[1.2, -0.1, 0.5]], "srgb"), [[1.0, 0.0, 0.5]])


def test_mean_delta_e00_zero_when_every_input_has_its_own_node():
    rgb = np.random.default_rng(4).random((6, 3))
    for space in S.SPACES:
        w = S.to_space(rgb, space).reshape(2, 3, 3)
        assert S.mean_delta_e00(w, S.to_space(rgb, space), rgb, space) == pytest.approx(0, abs=1e-6)
    w = S.to_space(np.full((1, 1, 3), 0.5), "oklab")
    expect = np.mean(C.delta_e_2000_srgb(rgb, np.full(3, 0.5)))
    assert S.mean_delta_e00(w, S.to_space(rgb, "oklab"), rgb, "oklab") == pytest.approx(expect, abs=1e-6)


def test_mean_delta_e00_takes_known_bmus_as_the_search_finds_them():
    """gui13: a measured map's BMUs are passed in (the finished run's status line searched
    them again on the GUI thread); the same nodes give the same value, other nodes another."""
    from somdesk.core.metrics import bmus

    rng = np.random.default_rng(7)
    rgb = rng.random((40, 3))
    for space in S.SPACES:
        data = S.to_space(rgb, space)
        w = S.to_space(rng.random((5, 6, 3)), space)
        found = bmus(w, data)
        assert S.mean_delta_e00(w, data, rgb, space, bmus=found) == S.mean_delta_e00(w, data, rgb, space)
        assert S.mean_delta_e00(w, data, rgb, space, bmus=np.zeros_like(found)) != \
            S.mean_delta_e00(w, data, rgb, space)
