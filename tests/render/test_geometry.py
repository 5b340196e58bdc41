"""True hexagons: every pixel is drawn in the colour of the nearest node centre (no Qt)."""
from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from somdesk.render import index_image, layout, node_at, node_centres, picture_size
from somdesk.render.geometry import SQRT3


def _nearest(rows, cols, scale):
    """Brute force: for every pixel centre, the distance to each node centre, and the lattice's
    nearest-point distance (including points just outside the map)."""
    w, h = picture_size(rows, cols, True, scale)
    ys, xs = np.mgrid[0:h, 0:w] + 0.5
    c = node_centres(rows, cols, True, scale).reshape(-1, 2)
    d = np.hypot(xs[..., None] - c[:, 0], ys[..., None] - c[:, 1])
    return d


@pytest.mark.parametrize("rows,cols,scale", [(1, 1, 8), (1, 5, 6), (2, 3, 10), (5, 4, 12), (6, 7, 3), (3, 3, 1)])
def test_every_pixel_belongs_to_the_nearest_hexagon_centre(rows, cols, scale):
    idx = index_image(rows, cols, True, scale)
    d = _nearest(rows, cols, scale)
    inside = idx >= 0
    own = np.take_along_axis(d, np.maximum(idx, 0)[..., None], axis=2)[..., 0]
    assert np.all(own[inside] <= d.min(axis=2)[inside] + 1e-9)     # no map node is nearer
    assert np.all(own[inside] <= scale / SQRT3 + 1e-9)             # inside its own hexagon (circumradius)
    # background pixels are outside every hexagon: farther than the inradius from every centre
    assert np.all(d.min(axis=2)[~inside] >= scale / 2 - 1e-9)
    assert set(np.unique(idx[inside])) == set(range(rows * cols))  # every node is drawn


def test_hexagons_are_regular_and_equal():
    idx = index_image(6, 6, True, 20)
    counts = np.bincount(idx[idx >= 0], minlength=36).reshape(6, 6)
    interior = counts[1:-1, 1:-1]
    area = math.sqrt(3) / 2 * 20 ** 2        # a regular hexagon of inradius 10
    assert np.all(np.abs(interior - area) <= 0.03 * area)
    assert interior.max() - interior.min() <= 0.02 * area


def test_picture_size_and_centres():
    assert picture_size(7, 13, False, 5) == (65, 35)
    assert picture_size(1, 4, True, 10) == (40, round(20 / SQRT3))
    assert picture_size(4, 5, True, 12) == (66, round(12 * 6.5 / SQRT3))
    c = node_centres(3, 2, True, 10)
    assert np.allclose(c[0, 0], (5, 10 / SQRT3)) and np.allclose(c[1, 0], (10, 10 / SQRT3 + 5 * SQRT3))
    # the six neighbours of an interior node are exactly one pitch away
    c = node_centres(5, 5, True, 7).reshape(-1, 2)
    d = np.hypot(*(c[12] - c).T)
    assert np.sum(np.isclose(d, 7)) == 6


def test_rectangular_layout_is_blocks():
    nodes = np.arange(6).reshape(2, 3)
    out = layout(nodes, False, 3)
    assert out.shape == (6, 9) and (out[::3, ::3] == nodes).all() and (index_image(2, 3, False, 3) == out).all()


def test_layout_fills_background_and_keeps_dtype():
    nodes = np.arange(12, dtype=np.uint8).reshape(3, 4)
    out = layout(nodes, True, 8, fill=255)
    idx = index_image(3, 4, True, 8)
    assert out.dtype == np.uint8 and (out[idx < 0] == 255).all() and (out[idx >= 0] == idx[idx >= 0]).all()


def test_node_at_inverts_the_centres():
    c = node_centres(4, 6, True, 9)
    for r in range(4):
        for col in range(6):
            assert node_at(*c[r, col], 4, 6, True, 9) == (r, col)
    assert node_at(-1, 3, 4, 6, True, 9) is None
    assert node_at(0.2, 0.2, 4, 6, True, 9) is None            # the corner outside the first hexagon


def test_rendering_is_deterministic_across_processes():
    code = ("import hashlib, numpy as np; from somdesk.render import render_view; "
            "w = np.random.default_rng(5).random((9, 11, 3)); x = w[[0, 4, 8], [1, 5, 10]]; "
            "print(hashlib.sha256(b''.join(render_view(k, w, x, hexagonal=h, scale=s, markers=True).tobytes() "
            "for k in ('map', 'seed', 'umatrix', 'hits') for h in (False, True) for s in (1, 7))).hexdigest())")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            for _ in range(2)}
    assert len(runs) == 1 and len(runs.pop().strip()) == 64


def test_banded_and_cached_index_images_agree(monkeypatch):
    from somdesk.render import geometry

    whole = geometry._index(9, 11, True, 13)
    monkeypatch.setattr(geometry, "BAND_PIXELS", 300)          # bands of two pixel rows
    np.testing.assert_array_equal(geometry._index(9, 11, True, 13), whole)
    monkeypatch.setattr(geometry, "CACHED_PIXELS", 10)          # too big to cache: computed each time
    assert geometry.index_image(9, 11, True, 13) is not geometry.index_image(9, 11, True, 13)
    np.testing.assert_array_equal(geometry.index_image(9, 11, True, 13), whole)
