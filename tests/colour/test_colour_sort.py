"""Sorting a palette along a trained map; the path tools it uses (incl. hypothesis tests)."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from somdesk.core import colour_path as P
from somdesk.core import colour_sort as S
from somdesk.core.cancel import CancelToken
from somdesk.core.colour import delta_e_2000_srgb
from somdesk.errors import Cancelled, OptionError


def _is_perm(order, n):
    return order.dtype == np.int64 and sorted(order.tolist()) == list(range(n))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)), max_size=40),
       st.sampled_from(S.LAYOUTS), st.sampled_from(["srgb", "oklab", "cielab"]))
def test_property_sort_returns_a_permutation(colours, layout, space):
    rgb = np.array(colours, dtype=np.uint8).reshape(-1, 3)
    res = S.sort_colours(rgb, space=space, layout=layout, seed=1)
    assert _is_perm(res.order, len(rgb))
    names = [f"n{k}" for k in range(len(rgb))]
    moved = S.apply_order(list(zip(names, colours)), res.order)
    assert sorted(moved) == sorted(zip(names, colours))          # nothing added or lost, names kept


def test_distance_matrix_is_ciede2000():
    rgb = np.random.default_rng(0).random((30, 3))
    d = P.distance_matrix(rgb)
    assert d.dtype == np.float32 and np.all(d == d.T) and np.all(np.diag(d) == 0)
    np.testing.assert_allclose(d, delta_e_2000_srgb(rgb[:, None], rgb[None, :]), rtol=1e-6, atol=1e-4)


def _brute_best(d):
    n = len(d)
    return min(P.path_cost(d, p) for p in itertools.permutations(range(n)))


def test_two_opt_leaves_no_improving_reversal_and_local_search_never_worsens():
    rng = np.random.default_rng(1)
    for trial in range(20):
        rgb = rng.random((int(rng.integers(5, 30)), 3))
        d = P.distance_matrix(rgb).astype(np.float64)
        start = rng.permutation(len(d))
        p = P.two_opt(d, start)
        assert _is_perm(p, len(d)) and P.path_cost(d, p) <= P.path_cost(d, start) + 1e-9
        c = P.path_cost(d, p)
        for i in range(len(p)):
            for j in range(i + 1, len(p)):
                q = p.copy()
                q[i:j + 1] = q[i:j + 1][::-1]
                assert P.path_cost(d, q) >= c - 1e-6
        q = P.local_search(d, start)
        assert P.path_cost(d, q) <= c + 1e-9          # starts with the same 2-opt, Or-opt only improves


def test_sort_finds_the_optimum_of_small_palettes():
    rng = np.random.default_rng(2)
    for _ in range(5):
        rgb = rng.random((8, 3))
        res = S.sort_colours(rgb)
        d = P.distance_matrix(rgb).astype(np.float64)
        assert res.cost == pytest.approx(P.path_cost(d, res.order))
        assert res.cost <= _brute_best(d) * 1.02


def test_sort_beats_hue_lightness_and_greedy_on_a_random_palette():
    rgb = np.random.default_rng(3).random((120, 3))
    res = S.sort_colours(rgb, seed=0)
    d = P.distance_matrix(rgb)
    assert res.cost < P.path_cost(d, P.hue_order(rgb))
    assert res.cost < P.path_cost(d, P.lightness_order(rgb))
    assert res.cost < P.path_cost(d, P.greedy_path(d, 0))
    assert res.cost_before == pytest.approx(P.path_cost(d, np.arange(120)), rel=1e-6)


def test_a_shuffled_ramp_comes_back_in_order():
    ramp = np.linspace(0, 1, 40)[:, None] * np.array([1.0, 0.6, 0.2])
    perm = np.random.default_rng(4).permutation(40)
    res = S.sort_colours(ramp[perm])
    back = perm[res.order]
    assert back.tolist() in (list(range(40)), list(range(39, -1, -1)))


def test_sort_is_repeatable_with_a_seed():
    rgb = np.random.default_rng(5).random((50, 3))
    a, b = S.sort_colours(rgb, seed=7), S.sort_colours(rgb, seed=7)
    np.testing.assert_array_equal(a.order, b.order)


def test_grid_layout_places_similar_colours_side_by_side():
    rgb = np.random.default_rng(6).random((100, 3))
    res = S.sort_colours(rgb, layout="grid")
    assert res.columns == 10 and _is_perm(res.order, 100)
    g = rgb[res.order].reshape(10, 10, 3)
    grid_steps = np.mean(np.concatenate([delta_e_2000_srgb(g[:, 1:], g[:, :-1]).ravel(),
                                         delta_e_2000_srgb(g[1:], g[:-1]).ravel()]))
    r = rgb.reshape(10, 10, 3)
    raw_steps = np.mean(np.concatenate([delta_e_2000_srgb(r[:, 1:], r[:, :-1]).ravel(),
                                        delta_e_2000_srgb(r[1:], r[:-1]).ravel()]))
    assert grid_steps < 0.6 * raw_steps


def test_bad_arguments_and_cancel():
    rgb = np.random.default_rng(7).random((20, 3))
    with pytest.raises(OptionError, match="strip, grid"):
        S.sort_colours(rgb, layout="circle")
    with pytest.raises(OptionError):
        S.sort_colours(rgb, space="hsv")
    with pytest.raises(ValueError):
        S.sort_colours(rgb * 2)
    with pytest.raises(OptionError, match="more than"):
        S.sort_colours(np.zeros((S.MAX_SORT_COLOURS + 1, 3)))
    tok = CancelToken()
    tok.cancel()
    with pytest.raises(Cancelled):
        S.sort_colours(rgb, cancel=tok)
    with pytest.raises(ValueError):
        S.apply_order(["a", "b"], [0, 0])


def test_sort_palette_keeps_every_swatch_and_field():
    from somdesk.io.palettes import Palette, Swatch

    rgb = np.random.default_rng(8).integers(0, 256, (30, 3))
    pal = Palette(tuple(Swatch(tuple(int(v) for v in c), f"s{i}") for i, c in enumerate(rgb)),
                  name="mine", format="gpl", warnings=("w",))
    new, res = S.sort_palette(pal, seed=2)
    assert new.name == "mine" and new.format == "gpl" and new.warnings == ()
    assert list(new.swatches) == [pal.swatches[i] for i in res.order]
    assert sorted(new.swatches, key=lambda s: s.name) == sorted(pal.swatches, key=lambda s: s.name)
