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


def _recorder_plan(first: int, last: int, max_frames: int) -> list[int]:
    """The epochs FrameRecorder keeps when offered every epoch it wants, then the last."""
    from somdesk.io.timelapse import FrameRecorder

    rec, dot = FrameRecorder(max_frames), np.zeros((1, 1, 3), np.uint8)
    e = first
    while e <= last:
        rec.offer(e, dot)
        e = rec.next_wanted(e + 1)
    rec.offer(last, dot)
    return rec.iterations


def test_the_planned_frames_are_the_recorders():
    """planned_frames replays FrameRecorder's rule on epoch numbers (the window's plan, which
    the CLI's recorder must match frame for frame): the same epochs for every run length,
    start and frame limit, also where the buffer halves on the last frame."""
    from somdesk.gui.timelapse_recorder import planned_frames

    for max_frames in (2, 3, 4, 5, 7, 120, 2000):
        for first in (0, 1, 5, 37, 500):
            for last in (*range(first, first + 40), 119, 120, 121, 240, 241, 1000, 4097, 100_000):
                if last >= first:
                    assert planned_frames(first, last, max_frames) == _recorder_plan(first, last, max_frames), \
                        (first, last, max_frames)
