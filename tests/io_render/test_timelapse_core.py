"""somdesk.io.timelapse: the bounded recorder and the GIF / APNG writer (no Qt)."""
from __future__ import annotations

import errno
import os

import numpy as np
import pytest
from PIL import Image, ImageSequence

from somdesk.errors import SomdeskError
from somdesk.io.timelapse import FrameRecorder, animation_format, write_animation
from somdesk.render.views import render_view


def frame(value: int, shape=(3, 4)) -> np.ndarray:
    return np.full(shape + (3,), value % 256, dtype=np.uint8)


def test_recorder_keeps_at_most_n_evenly_spaced_frames_and_the_last():
    rec = FrameRecorder(10)
    for it in range(0, 1001):
        if rec.wants(it):
            rec.offer(it, frame(it))
        assert len(rec) <= 10
    rec.offer(1000, frame(1000))
    its = rec.iterations
    assert its[0] == 0 and its[-1] == 1000 and len(its) <= 10
    gaps = np.diff(its[:-1])
    assert len(set(gaps)) == 1 and gaps[0] == rec.stride          # evenly spaced
    assert rec.frames[-1][0, 0, 0] == 1000 % 256


def test_recorder_always_has_the_latest_frame_even_when_not_wanted():
    rec = FrameRecorder(4)
    for it in range(0, 50):
        rec.offer(it, frame(it))
    assert rec.iterations[-1] == 49 and len(rec) <= 4
    rec.offer(49, frame(200))                  # the same iteration again replaces it
    assert rec.iterations.count(49) == 1 and rec.frames[-1][0, 0, 0] == 200
    rec.offer(3, frame(3))                     # an earlier iteration: a new run
    assert rec.iterations == [3]


def test_recorder_copies_frames_and_checks_its_size():
    rec = FrameRecorder(5)
    f = frame(1)
    rec.offer(0, f)
    f[:] = 9
    assert rec.frames[0][0, 0, 0] == 1
    with pytest.raises(SomdeskError, match="2 to"):
        FrameRecorder(1)


@pytest.mark.parametrize("ext", [".gif", ".png", ".apng"])
def test_animation_round_trip(tmp_path, ext):
    rng = np.random.default_rng(0)
    frames = [(rng.random((5, 7, 3)) * 255).astype(np.uint8) for _ in range(4)]
    path = tmp_path / f"a{ext}"
    write_animation(path, frames, fps=10, scale=3)
    with Image.open(path) as im:
        assert im.size == (21, 15) and getattr(im, "n_frames", 1) == 4
        durations = [f.info.get("duration") for f in ImageSequence.Iterator(im)]
        decoded = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(im)]
    assert durations[0] == 100 and durations[-1] == 1000          # the last frame is held 1 s
    for got, want in zip(decoded, frames):
        # every node is one flat block; GIF reduces a frame to 255 colours, APNG is exact
        assert (got[::3, ::3] == got[2::3, 2::3]).all()
        if ext != ".gif":
            np.testing.assert_array_equal(got[::3, ::3], want)
        else:
            assert np.abs(got[::3, ::3].astype(int) - want).max() <= 24


def test_gif_of_few_colours_is_exact_and_hexagonal_layout_matches(tmp_path):
    w = np.random.default_rng(3).integers(0, 4, (4, 5, 3)) / 3.0
    rgb = render_view("map", w, scale=1)
    write_animation(tmp_path / "h.gif", [rgb, rgb[::-1].copy()], fps=5, scale=6, hexagonal=True)
    with Image.open(tmp_path / "h.gif") as im:
        first = np.asarray(im.convert("RGB"))
    np.testing.assert_array_equal(first, render_view("map", w, hexagonal=True, scale=6))


def test_bad_requests_are_clear_errors(tmp_path):
    with pytest.raises(SomdeskError, match=r"\.gif, \.png or \.apng"):
        animation_format(tmp_path / "a.mp4")
    with pytest.raises(SomdeskError, match="no frames"):
        write_animation(tmp_path / "a.gif", [], fps=10)
    with pytest.raises(SomdeskError, match="between 1 and 50"):
        write_animation(tmp_path / "a.gif", [frame(1)], fps=60)
    with pytest.raises(SomdeskError, match="one size"):
        write_animation(tmp_path / "a.gif", [frame(1), frame(2, (4, 4))], fps=10)
    with pytest.raises(SomdeskError, match="does not exist"):
        write_animation(tmp_path / "missing" / "a.gif", [frame(1)], fps=10)
    assert not (tmp_path / "a.gif").exists()


def test_a_failed_write_leaves_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "a.gif"
    write_animation(path, [frame(1), frame(2)], fps=10)
    before = path.read_bytes()

    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(SomdeskError, match="the disk is full"):
        write_animation(path, [frame(5), frame(6), frame(7)], fps=10)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.gif"]


@pytest.mark.parametrize("name", ["same.gif", "same.png"])
def test_write_animation_returns_the_frames_in_the_file(tmp_path, name):
    """testerG #9: Pillow stores identical consecutive frames once, so "76 frames" was said of a
    GIF holding 73; the count returned is the file's, and the text says what was recorded."""
    from somdesk.io.timelapse import frames_written_text

    frames = [frame(1), frame(2), frame(2), frame(2), frame(3), frame(3)]
    written = write_animation(tmp_path / name, frames, fps=10, scale=2)
    with Image.open(tmp_path / name) as im:
        assert written == im.n_frames == 3
    assert write_animation(tmp_path / name, [frame(1), frame(2), frame(3)], fps=10) == 3
    assert frames_written_text(3, 6, 20) == ("3 frames at 20 fps (6 recorded; identical consecutive frames are "
                                             "stored once)")
    assert frames_written_text(3, 3, 12.5) == "3 frames at 12.5 fps"
