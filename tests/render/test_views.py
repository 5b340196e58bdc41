"""somdesk.render views: the export pictures, pixel by pixel (no Qt)."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.errors import SomdeskError
from somdesk.io.images import seed_picture
from somdesk.render import (EMPTY_NODE, index_image, node_centres, organised_colours, organised_sizes, render_view,
                            sample_grid, to_rgb8, view_size)
from somdesk.render.colour_tables import lut as colour_lut

KINDS = ("map", "seed", "umatrix", "hits")    # the CLI's --view names of the export pictures (render.views.ALIASES)


@pytest.fixture
def weights():
    return np.random.default_rng(1).random((7, 13, 3))   # non-square: a transposed axis shows


@pytest.fixture
def inputs(weights):
    return weights[[0, 3, 6], [0, 5, 12]].copy()         # each input sits exactly on one node


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("hexagonal", [False, True])
@pytest.mark.parametrize("scale", [1, 3, 8])
def test_size_is_what_view_size_says(weights, inputs, kind, hexagonal, scale):
    img = render_view(kind, weights, inputs, hexagonal=hexagonal, scale=scale, markers=True)
    assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3
    assert (img.shape[1], img.shape[0]) == view_size(kind, 7, 13, hexagonal, scale)


def test_map_cells_are_exactly_the_map_colours(weights):
    img = render_view("map", weights, scale=5)
    assert img.shape == (35, 65, 3)
    expected = to_rgb8(weights)
    for dy in range(5):
        for dx in range(5):
            np.testing.assert_array_equal(img[dy::5, dx::5], expected)


def test_seed_layout_is_the_seed_picture(weights, inputs):
    np.testing.assert_array_equal(render_view("seed", weights, inputs, scale=4), seed_picture(inputs, weights, 4))
    img = render_view("seed", weights, inputs, scale=4)
    np.testing.assert_array_equal(img[-28:][::4, ::4], to_rgb8(weights))     # the map at the bottom
    np.testing.assert_array_equal(img[0, 0], to_rgb8(inputs[0]))               # the strip on top
    np.testing.assert_array_equal(img[0, -1], to_rgb8(inputs[-1]))


def test_hexagonal_maps_are_true_hexagons_of_the_node_colours(weights):
    img = render_view("map", weights, hexagonal=True, scale=8)
    idx = index_image(7, 13, True, 8)
    assert img.shape[:2] == idx.shape == (round(8 * (2 + 1.5 * 6) / 3 ** 0.5), 13 * 8 + 4)
    expected = to_rgb8(weights).reshape(-1, 3)
    np.testing.assert_array_equal(img[idx >= 0], expected[idx[idx >= 0]])
    assert (img[idx < 0] == 255).all()                       # white outside the zig-zag edge
    assert set(np.unique(idx)) == set(range(-1, 7 * 13))     # every node drawn
    centres = node_centres(7, 13, True, 8)
    for r, c in ((0, 0), (1, 0), (3, 7), (6, 12)):           # each node's colour sits at its centre
        x, y = centres[r, c]
        np.testing.assert_array_equal(img[int(y), int(x)], to_rgb8(weights[r, c]))


def test_umatrix_uses_viridis_min_to_max(weights):
    from somdesk.core.metrics import u_matrix

    img = render_view("umatrix", weights, scale=1)
    u = u_matrix(weights)
    lut = colour_lut("viridis")
    np.testing.assert_array_equal(img[np.unravel_index(u.argmin(), u.shape)], lut[0])
    np.testing.assert_array_equal(img[np.unravel_index(u.argmax(), u.shape)], lut[255])
    assert tuple(lut[0]) == (0x44, 0x01, 0x54) and tuple(lut[255]) == (0xfd, 0xe7, 0x25)


def test_hit_map_greys_empty_nodes_and_scales_from_zero(weights, inputs):
    img = render_view("hits", weights, np.vstack([inputs, inputs[:1]]), scale=2)
    lut = colour_lut("inferno")
    np.testing.assert_array_equal(img[0, 0], lut[255])               # 2 hits: the maximum
    np.testing.assert_array_equal(img[3 * 2, 5 * 2], lut[128])        # 1 hit: half way, floor(0.5 * 256)
    np.testing.assert_array_equal(img[2, 2], EMPTY_NODE)              # node (1, 1): none


def _changed_near(plain, marked, centres, radius):
    """Pixels that differ, and whether each lies within `radius` of one of `centres` (y, x)."""
    changed = np.argwhere(np.any(plain != marked, axis=2)) + 0.5
    near = np.zeros(len(changed), dtype=bool)
    for cy, cx in centres:
        near |= np.hypot(changed[:, 0] - cy, changed[:, 1] - cx) <= radius
    return changed, near


@pytest.mark.parametrize("hexagonal", [False, True])
def test_markers_ring_the_bmus_and_touch_nothing_else(weights, inputs, hexagonal):
    plain = render_view("map", weights, inputs, hexagonal=hexagonal, scale=12)
    marked = render_view("map", weights, inputs, hexagonal=hexagonal, scale=12, markers=True)
    bmus = ((0, 0), (3, 5), (6, 12))
    xy = node_centres(7, 13, hexagonal, 12)
    centres = [(xy[r, c, 1], xy[r, c, 0]) for r, c in bmus]
    changed, near = _changed_near(plain, marked, centres, max(0.42 * 12, 4.5) + 0.01)
    assert near.all() and len(changed) >= 3 * 12
    for (r, c), (cy, cx) in zip(bmus, centres):   # a ring: the node shows through in its middle
        np.testing.assert_array_equal(marked[int(cy), int(cx)], to_rgb8(weights[r, c]))
    diff = marked[np.any(plain != marked, axis=2)]
    assert ((diff == 0).all(axis=1) | (diff == 255).all(axis=1)).all()      # black or white


def test_markers_stay_visible_at_small_sizes(weights, inputs):
    plain = render_view("map", weights, inputs, scale=2)
    marked = render_view("map", weights, inputs, scale=2, markers=True)
    changed, near = _changed_near(plain, marked, [(1 + 6, 1 + 10)], 4.6)    # node (3, 5), centre (7, 11)
    assert near.sum() >= 12                                                # a ring 9 px across
    np.testing.assert_array_equal(marked[6:8, 10:12], plain[6:8, 10:12])   # the node itself is untouched


def test_contrast_colour_follows_the_node(inputs):
    w = np.zeros((2, 2, 3))
    w[0, 0] = 1.0                                                  # a white node and black nodes
    plain = render_view("map", w, scale=16)
    img = render_view("map", w, np.array([[1.0, 1, 1], [0, 0, 0]]), scale=16, markers=True)
    changed = np.any(img != plain, axis=2)
    assert changed[:16, :16].any() and (img[:16, :16][changed[:16, :16]] == 0).all()       # black on white
    assert changed[:16, 16:].any() and (img[:16, 16:][changed[:16, 16:]] == 255).all()     # white on black


def test_bad_requests_are_clear_errors(weights):
    with pytest.raises(SomdeskError, match="colours, strip, umatrix, hits"):
        render_view("pie", weights)
    with pytest.raises(SomdeskError, match="needs the inputs"):
        render_view("hits", weights)
    with pytest.raises(SomdeskError, match="scale"):
        render_view("map", weights, scale=0)
    with pytest.raises(SomdeskError, match="over the limit"):
        render_view("map", np.zeros((300, 300, 3)), scale=64)


def test_organised_palette_is_an_even_serpentine_sub_grid():
    h, w = 8, 12
    weights = np.zeros((h, w, 3))
    weights[..., 0] = np.arange(h)[:, None]
    weights[..., 1] = np.arange(w)[None, :]
    colours, nodes = organised_colours(weights, 24)
    assert sample_grid(h, w, 24) == (4, 6)          # the sub-grid closest to the map's shape
    assert nodes[:6].tolist() == [[1, 1], [1, 3], [1, 5], [1, 7], [1, 9], [1, 11]]
    assert nodes[6:12, 1].tolist() == [11, 9, 7, 5, 3, 1]      # the next row runs back
    assert sorted(set(nodes[:, 0])) == [1, 3, 5, 7]
    np.testing.assert_array_equal(colours[:, :2], nodes)
    steps = np.abs(np.diff(nodes, axis=0)).sum(axis=1)
    assert set(steps) <= {2}                                     # consecutive colours are grid neighbours
    all_colours, all_nodes = organised_colours(weights, None)
    assert len(all_colours) == h * w and all_nodes[w].tolist() == [1, w - 1]
    assert organised_sizes(8, 12) == [16, 32, 64]
    with pytest.raises(SomdeskError, match="cannot be sampled"):
        organised_colours(np.zeros((3, 7, 3)), 16)
