"""Near-duplicate groups, merge and exact undo (incl. hypothesis property tests)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from somdesk.core import colour_duplicates as D
from somdesk.core.colour import delta_e_2000_srgb
from somdesk.errors import OptionError


def test_groups_around_centres():
    rgb = np.array([[0.5, 0.5, 0.5], [0.505, 0.5, 0.5], [0.51, 0.5, 0.5],
                    [0.9, 0.1, 0.1], [0.9, 0.105, 0.1], [0.1, 0.1, 0.9]])
    groups = D.find_duplicates(rgb)
    assert [(g.keep, g.members) for g in groups] == [(1, (0, 1, 2)), (3, (3, 4))]
    assert groups[0].removed == (0, 2)
    assert groups[1].max_delta_e == pytest.approx(float(delta_e_2000_srgb(rgb[3], rgb[4])))
    assert D.find_duplicates(rgb, threshold=0.05) == []


def test_close_pairs_equal_brute_force():
    rng = np.random.default_rng(0)
    base = rng.random((40, 3))
    rgb = np.clip(np.concatenate([base, base[:15] + rng.normal(0, 0.01, (15, 3))]), 0, 1)
    i, j, d = D.close_pairs(rgb, 3.0)
    full = delta_e_2000_srgb(rgb[:, None], rgb[None, :])
    bi, bj = np.nonzero(np.triu(full < 3.0, 1))
    assert set(zip(i.tolist(), j.tolist())) == set(zip(bi.tolist(), bj.tolist()))
    np.testing.assert_allclose(d, full[i, j])


def test_a_ramp_does_not_chain_into_one_group():
    ramp = np.linspace(0, 1, 200)[:, None] * np.ones(3)
    groups = D.find_duplicates(ramp)
    assert len(groups) > 10
    for g in groups:
        assert np.all(delta_e_2000_srgb(ramp[g.keep], ramp[list(g.members)]) < D.DEFAULT_THRESHOLD)


def test_uint8_input_and_bad_thresholds():
    rgb = np.array([[10, 10, 10], [11, 10, 10], [200, 0, 0]], dtype=np.uint8)
    assert [g.members for g in D.find_duplicates(rgb)] == [(0, 1)]
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(OptionError):
            D.find_duplicates(rgb, bad)


def test_merge_keeps_the_centre_in_place_and_undo_restores():
    items = ["a", "b", "c", "d", "e"]
    merged, undo = D.merge_duplicates(items, [[3, 0, 4], (1,)])
    assert merged == ["b", "c", "d"]
    assert D.undo_merge(merged, undo) == items
    with pytest.raises(ValueError):
        D.merge_duplicates(items, [[0, 1], [1, 2]])
    with pytest.raises(ValueError):
        D.merge_duplicates(items, [[0, 7]])
    with pytest.raises(ValueError):
        D.undo_merge(merged[:-1], undo)


@st.composite
def items_and_groups(draw):
    n = draw(st.integers(0, 40))
    items = draw(st.lists(st.tuples(st.integers(0, 255), st.text(max_size=3)), min_size=n, max_size=n))
    perm = draw(st.permutations(list(range(n))))
    groups, pos = [], 0
    while pos < n and draw(st.booleans()):
        size = draw(st.integers(1, 4))
        groups.append(perm[pos:pos + size])
        pos += size
    return items, groups


@settings(max_examples=200, deadline=None)
@given(items_and_groups())
def test_property_merge_then_undo_is_the_identity(data):
    items, groups = data
    merged, undo = D.merge_duplicates(items, groups)
    assert len(merged) == len(items) - sum(len(g) - 1 for g in groups)
    assert D.undo_merge(merged, undo) == items


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)), min_size=0, max_size=30),
       st.floats(0.5, 30))
def test_property_found_groups_merge_and_undo_exactly(colours, threshold):
    rgb = np.array(colours, dtype=np.uint8).reshape(-1, 3)
    groups = D.find_duplicates(rgb, threshold)
    seen = [m for g in groups for m in g.members]
    assert len(seen) == len(set(seen))                     # disjoint
    for g in groups:                                       # all within the threshold of the kept colour
        assert np.all(delta_e_2000_srgb(rgb[g.keep] / 255, rgb[list(g.removed)] / 255) < threshold)
    names = [f"c{k}" for k in range(len(rgb))]
    merged, undo = D.merge_duplicates(list(zip(names, colours)), groups)
    assert D.undo_merge(merged, undo) == list(zip(names, colours))


def test_merge_and_unmerge_a_real_palette():
    from somdesk.io.palettes import Palette, Swatch

    pal = Palette((Swatch((10, 10, 10), "a"), Swatch((200, 0, 0), "red"), Swatch((11, 10, 10), "a2"),
                   Swatch((0, 0, 200), None)), name="p", format="gpl")
    from somdesk.core.colour_sort import palette_rgb
    groups = D.find_duplicates(palette_rgb(pal))
    merged, undo = D.merge_palette(pal, groups)
    assert len(merged.swatches) == 3 and merged.name == "p" and merged.format == "gpl"
    assert D.unmerge_palette(merged, undo) == pal
