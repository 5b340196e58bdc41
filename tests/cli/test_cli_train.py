import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from somdesk.cli import main


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "somdesk", *args], capture_output=True, text=True)


def test_train_writes_picture_metrics_weights_and_map(tmp_path):
    out, met, wts, smap = (tmp_path / n for n in ("m.png", "m.json", "w.npy", "m.somz"))
    rc = main(["train", "--random", "6", "--width", "9", "--height", "5", "--iterations", "50", "--seed", "3",
               "--scale", "3", "--out", str(out), "--metrics-json", str(met), "--save-weights", str(wts),
               "--save-map", str(smap), "-q"])
    assert rc == 0
    m = json.loads(met.read_text())
    for key in ("quantization_error", "topographic_error", "train_seconds", "iterations", "width", "height", "inputs"):
        assert key in m
    assert (m["iterations"], m["width"], m["height"], m["inputs"]) == (50, 9, 5, 6)
    w = np.load(wts)
    assert w.shape == (5, 9, 3) and w.dtype == np.float64
    img = np.asarray(Image.open(out).convert("RGB"))
    body = img[-15:]  # the map: 5 rows x 3 px
    assert img.shape[1] == 27
    # every map cell is one crisp 3x3 block of exactly the node's colour
    expected = np.clip(np.rint(w * 255), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(body[::3, ::3], expected)
    from somdesk.io.mapfile import load_map
    np.testing.assert_array_equal(load_map(smap).som.weights, w)


def test_init_weights_and_seed_job_shape(tmp_path):
    w0 = np.random.default_rng(0).random((4, 6, 3))
    np.save(tmp_path / "w0.npy", w0)
    args = ["train", "--random", "5", "--seed", "1", "--width", "6", "--height", "4", "--iterations", "20",
            "--init-weights", str(tmp_path / "w0.npy"), "-q"]
    assert main(args + ["--save-weights", str(tmp_path / "a.npy")]) == 0
    assert main(args + ["--save-weights", str(tmp_path / "b.npy")]) == 0
    a, b = np.load(tmp_path / "a.npy"), np.load(tmp_path / "b.npy")
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, w0)


def test_every_option_is_accepted_on_the_command_line(tmp_path):
    rc = main(["train", "--random", "8", "--width", "8", "--height", "6", "--iterations", "10",
               "--learning-rate", "0.3", "--sigma", "2", "--seed", "4", "--topology", "hexagonal",
               "--toroidal", "--neighbourhood", "triangle", "--decay", "linear", "--init", "pca",
               "--order", "shuffled", "--mode", "batch", "--metrics-json", str(tmp_path / "m.json"), "-q"])
    assert rc == 0
    assert json.loads((tmp_path / "m.json").read_text())["mode"] == "batch"


def test_train_on_a_palette_file(tmp_path):
    (tmp_path / "p.hex").write_text("ff0000\n00ff00\n0000ff\n")
    (tmp_path / "p.gpl").write_text("GIMP Palette\nName: t\n#\n255 0 0 red\n0 0 255 blue\n")
    for name in ("p.hex", "p.gpl"):
        assert main(["train", "--palette", str(tmp_path / name), "--width", "5", "--height", "5",
                     "--iterations", "20", "--metrics-json", str(tmp_path / "m.json"), "-q"]) == 0
    assert json.loads((tmp_path / "m.json").read_text())["inputs"] == 2


@pytest.mark.parametrize("args,needle", [
    (["--neighbourhood", "spiky"], "gaussian, bubble, mexican-hat, triangle"),
    (["--width", "0"], "width"),
    (["--width", "100000"], "width"),
    (["--iterations", "-5"], "iterations"),
    (["--random", "0"], "--random"),
    (["--palette", "/nonexistent/p.gpl"], "p.gpl"),
    (["--init-weights", "/nonexistent/w.npy"], "w.npy"),
    (["--out", "/nonexistent-dir/x.png"], "does not exist"),
    (["--mode", "fast"], "invalid choice"),
    (["--bogus"], "unrecognized"),
    (["--topology", "hexagonal", "--toroidal", "--height", "5"], "even height"),
    (["--mode", "batch", "--neighbourhood", "mexican-hat"], "batch"),
    (["--learning-rate", "abc"], "invalid float"),
    (["--out", "map.jpg"], ".png file name"),
])
def test_errors_are_one_line_and_exit_2(args, needle):
    proc = run_cli("train", "--iterations", "3", "--width", "4", "--height", "4", *args)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert needle in lines[0]
    assert "Traceback" not in proc.stderr


def test_bad_weights_files_are_clear_errors(tmp_path):
    np.save(tmp_path / "wrong.npy", np.zeros((3, 3, 3)))
    (tmp_path / "junk.npy").write_bytes(b"not numpy")
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    for name, needle in (("wrong.npy", "shape"), ("junk.npy", "not a valid .npy"), ("obj.npy", "pickled")):
        proc = run_cli("train", "--width", "4", "--height", "4", "--iterations", "3",
                       "--init-weights", str(tmp_path / name))
        assert proc.returncode == 2 and needle in proc.stderr and "Traceback" not in proc.stderr


def test_unwritable_output_is_a_clear_error_and_leaves_nothing(tmp_path):
    import os
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    # root ignores folder permissions; /proc refuses new files even to root
    target = ro / "x.png" if os.geteuid() != 0 else "/proc/somdesk-test.png"
    try:
        proc = run_cli("train", "--width", "4", "--height", "4", "--iterations", "3", "--out", str(target))
        assert proc.returncode == 2 and proc.stderr.startswith("error: "), proc.stderr
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o700)


def test_version_and_help():
    import somdesk
    proc = run_cli("--version")
    assert proc.returncode == 0 and somdesk.__version__ in proc.stdout
    proc = run_cli("train", "--help")
    assert proc.returncode == 0 and "--save-weights" in proc.stdout


def test_window_without_a_display_is_a_clear_error():
    import os
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, "-m", "somdesk"], capture_output=True, text=True, env=env)
    if not sys.platform.startswith("linux"):
        pytest.skip("Linux-only check")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: no display") and "Traceback" not in proc.stderr


def test_output_cut_short_by_a_closed_pipe_is_not_an_error(tmp_path):
    import numpy as np
    from somdesk.io.palettes import Palette, write_palette
    write_palette(Palette.from_array(np.random.default_rng(0).random((20000, 3))), tmp_path / "many.gpl")
    proc = subprocess.run(f"{sys.executable} -m somdesk palette info {tmp_path / 'many.gpl'} --json | head -1",
                          shell=True, capture_output=True, text=True, executable="/bin/bash")
    assert proc.stdout.strip() == "{" and "Traceback" not in proc.stderr and "Error" not in proc.stderr


def test_smoke_test_to_a_missing_folder_fails_before_opening_a_window(tmp_path):
    proc = run_cli("--smoke-test", str(tmp_path / "nope" / "x.png"))
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "does not exist" in proc.stderr


@pytest.mark.parametrize("args, words", [
    (["--width", "0", "--height", "10"], "--width (the map's columns) must be between 1 and 2000, got 0"),
    (["--iterations", "-5"], "--iterations must be between"),
    (["--width", "100000", "--height", "100000"], "--width (the map's columns) must be between 1 and 2000"),
    (["--width", "1000", "--height", "1001"], "--height 1001 --width 1000: a map of 1001 rows x 1000 columns"),
    (["FILE:nope.gpl"], "nope.gpl"),
    (["OUT:x.jpg"], "give a name ending in .png"),
])
def test_smoke_test_refuses_bad_input_before_the_window_opens(tmp_path, args, words):
    # tester6 F20: the window opened first, then "FAILED" with exit 1 and two or three lines;
    # no display is needed to refuse (DISPLAY unset here: the window would be refused later)
    out = str(tmp_path / "sm.png")
    args = [a.replace("FILE:", str(tmp_path) + "/") for a in args]
    if args and args[0].startswith("OUT:"):
        out, args = str(tmp_path / args[0][4:]), []
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run([sys.executable, "-m", "somdesk", "--smoke-test", out, *args], capture_output=True,
                          text=True, env=env)
    assert proc.returncode == 2 and proc.stdout == "" and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("error: ") and words in proc.stderr


def test_train_help_points_to_the_table_options(capsys):
    """A new user reading `somdesk train --help` learns that tables train with --table."""
    with pytest.raises(SystemExit) as done:
        main(["train", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--table FILE" in text and "somdesk train --table FILE --help" in text
