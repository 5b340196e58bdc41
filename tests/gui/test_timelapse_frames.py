"""The time-lapse frames are coloured by the one display rule (session.exports.map_space /
shown_weights: a map trained in another space is gamut-fitted) and RunFrames' leftovers."""
from __future__ import annotations

import numpy as np

from somdesk.gui.timelapse_recorder import frame_colours
from somdesk.session import Session
from somdesk.session.exports import node_colours


def _colours(space: str) -> Session:
    s = Session()
    s.new_colours(np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=float), names=tuple("rbgm"))
    s.set_colour_space(space)
    s.update_config(width=6, height=6, iterations=10, seed=4, init="pca")
    s.train()
    return s


def test_a_frame_is_the_colours_view_in_every_space():
    for space in ("srgb", "oklab", "cielab"):
        s = _colours(space)
        assert np.array_equal(frame_colours(s)(s.map.weights), node_colours(s, "colours")[0]), space


def test_a_table_map_has_no_frames(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("a,b\n1,2\n3,4\n5,7\n")
    s = Session()
    s.open(str(path))
    assert frame_colours(s) is None
