"""`somdesk train --view/--markers/--timelapse`: the window's exports from the command line."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from somdesk.cli import main

JOB = ["train", "--random", "6", "--width", "9", "--height", "5", "--iterations", "40", "--seed", "3", "-q"]


def _job(tmp_path, *extra):
    wts = tmp_path / "w.npy"
    assert main(JOB + ["--save-weights", str(wts), *extra]) == 0
    return np.load(wts)


@pytest.mark.parametrize("view", ["map", "seed", "umatrix", "hits"])
def test_view_writes_what_render_view_draws(tmp_path, view):
    from somdesk.render.views import render_view

    out = tmp_path / "v.png"
    w = _job(tmp_path, "--out", str(out), "--view", view, "--markers", "--scale", "3")
    data = np.random.default_rng(np.random.SeedSequence([3, 2])).random((6, 3))   # the CLI's --random inputs
    img = np.asarray(Image.open(out).convert("RGB"))
    np.testing.assert_array_equal(img, render_view(view, w, data, scale=3, markers=True))


def test_view_map_is_the_map_alone_and_seed_stays_the_default(tmp_path):
    w = _job(tmp_path, "--out", str(tmp_path / "m.png"), "--view", "map", "--scale", "2")
    img = np.asarray(Image.open(tmp_path / "m.png").convert("RGB"))
    assert img.shape == (10, 18, 3)
    np.testing.assert_array_equal(img[::2, ::2], np.clip(np.rint(w * 255), 0, 255).astype(np.uint8))
    _job(tmp_path, "--out", str(tmp_path / "s.png"), "--scale", "2")
    assert Image.open(tmp_path / "s.png").size[1] > 10                 # the strip above the map


@pytest.mark.parametrize("name", ["t.gif", "t.png"])
def test_timelapse_frames_fps_and_final_state(tmp_path, name):
    out = tmp_path / name
    w = _job(tmp_path, "--timelapse", str(out), "--timelapse-frames", "8", "--timelapse-fps", "10",
             "--scale", "2")
    with Image.open(out) as im:
        assert im.size == (18, 10) and im.n_frames <= 8 and im.n_frames >= 5
        assert im.info.get("duration") == 100
        im.seek(im.n_frames - 1)
        last = np.asarray(im.convert("RGB"))
    expected = np.clip(np.rint(w * 255), 0, 255).astype(np.uint8)
    tolerance = 0 if name.endswith(".png") else 24            # GIF: 255 colours per frame
    assert np.abs(last[::2, ::2].astype(int) - expected).max() <= tolerance


def test_timelapse_of_a_hexagonal_map(tmp_path):
    assert main(JOB + ["--topology", "hexagonal", "--timelapse", str(tmp_path / "h.gif"), "--scale", "4"]) == 0
    from somdesk.render import picture_size   # true hexagons: 9 x 4 + 2 wide, 8 circumradii high

    assert Image.open(tmp_path / "h.gif").size == picture_size(5, 9, True, 4) == (9 * 4 + 2, 18)


@pytest.mark.parametrize("args,needle", [
    (["--timelapse", "x.mp4"], ".gif, .png or .apng"),
    (["--timelapse", "x.gif", "--timelapse-frames", "1"], "--timelapse-frames"),
    (["--timelapse", "x.gif", "--timelapse-fps", "99"], "--timelapse-fps"),
    (["--timelapse-frames", "10"], "needs --timelapse"),
    (["--view", "pie", "--out", "x.png"], "invalid choice"),
    (["--view", "hits"], "give --out"),
    (["--markers"], "give --out"),
    (["--timelapse", "/nonexistent-dir/x.gif"], "does not exist"),
])
def test_bad_timelapse_options_are_one_line_errors(tmp_path, args, needle):
    proc = subprocess.run([sys.executable, "-m", "somdesk", "train", "--iterations", "3", "--width", "4",
                           "--height", "4", *args], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], proc.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("inputs,merged", [("6", False), ("1", True)])
def test_timelapse_summary_gives_the_frames_in_the_file(tmp_path, capsys, inputs, merged):
    """testerG #9: the frames written, counted in the file (one input: every frame is the same
    picture, stored once), in the same words as the window's status line."""
    out = tmp_path / "t.gif"
    assert main(["train", "--random", inputs, "--width", "3", "--height", "3", "--iterations", "60", "--seed", "3",
                 "--timelapse", str(out)]) == 0
    line = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("time-lapse:")]
    with Image.open(out) as im:
        n = im.n_frames
    assert (n == 1) is merged
    recorded = "" if not merged else " (61 recorded; identical consecutive frames are stored once)"
    assert line == [f"time-lapse: {n} frame{'s' if n != 1 else ''} at 20 fps{recorded}; wrote {out}"]
