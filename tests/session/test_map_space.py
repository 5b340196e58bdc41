"""A colour map trained in another space is gamut-fitted for display by one rule
(session.exports.map_space / shown_weights): the views, the organised palette and the time-lapse
frames (gui.timelapse_recorder.frame_colours, tested in tests/gui/test_timelapse_frames.py)."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.core.colour_space import fit_gamut, out_of_gamut
from somdesk.io.palettes import read_palette
from somdesk.render import organised_colours
from somdesk.render.views import colour_nodes
from somdesk.session import Session
from somdesk.session.exports import map_space, node_colours, shown_weights

PRIMARIES = np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 1], [1, 1, 0], [0, 1, 1]], dtype=float)


def _trained(space: str) -> Session:
    s = Session()
    s.new_colours(PRIMARIES, names=tuple("rbgmyc"))
    s.set_colour_space(space)
    s.update_config(width=8, height=8, iterations=20, seed=4, init="pca")
    s.train()
    return s


@pytest.fixture(scope="module")
def oklab():
    return _trained("oklab")


def test_the_space_of_each_kind_of_map(oklab, table_file):
    assert map_space(oklab) == "oklab"
    assert map_space(_trained("srgb")) == "srgb"
    s = Session()
    s.open(table_file)
    assert map_space(s) == "srgb"                        # a table's map is never shown as colours
    assert map_space(Session()) == "srgb"


def test_the_colour_views_are_fitted_and_the_others_are_not(oklab):
    w = oklab.map.weights
    assert out_of_gamut(w, "oklab").any()                # the test needs nodes sRGB cannot show
    want = colour_nodes(fit_gamut(w, "oklab"))
    for view in ("colours", "strip"):
        assert np.array_equal(node_colours(oklab, view)[0], want)
    um, _ = node_colours(oklab, "umatrix")
    assert um.shape == want.shape and not np.array_equal(um, want)
    assert shown_weights(w, "srgb") is w


def test_the_organised_palette_is_the_shown_colours(oklab, tmp_path):
    n = oklab.export_palette(tmp_path / "p.gpl", 12)
    got = read_palette(str(tmp_path / "p.gpl")).to_array()             # (12, 3) in [0, 1], 8-bit steps
    want, _ = organised_colours(fit_gamut(oklab.map.weights, "oklab"), 12)
    assert n == 12 and np.abs(got - np.asarray(want)[:, :3]).max() <= 0.5 / 255 + 1e-9
