"""`somdesk train` at the edges of every numeric option, output sizes checked before training,
and no diverged map ever written (issue 10 items 4 and 5)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.core import som as som_module
from somdesk.io.mapfile import load_map

SMALL = ["--random", "5", "--width", "4", "--height", "4", "--iterations", "2", "--seed", "1", "-q"]


def one_line_error(capsys, rc) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert rc == 2, err
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


BAD = [
    # (flag, value, words the one-line message must contain)
    ("--width", "0", "--width (the map's columns)"), ("--width", "-1", "--width"), ("--width", "2001", "--width"),
    ("--width", "10" * 20, "--width"), ("--width", "1e3", "invalid int"), ("--width", "abc", "invalid int"),
    ("--height", "0", "--height (the map's rows)"), ("--height", "99999999999999999999999", "--height"),
    ("--iterations", "0", "--iterations must be between"), ("--epochs", "-5", "--epochs must be between"),
    ("--iterations", "10000001", "--iterations"), ("--iterations", "9" * 400, "--iterations"),
    ("--learning-rate", "0", "--learning-rate"), ("--learning-rate", "-0.0", "--learning-rate"),
    ("--learning-rate", "1e-400", "--learning-rate"), ("--learning-rate", "5e-324", "--learning-rate"),
    ("--learning-rate", "1e-10", "--learning-rate"), ("--learning-rate", "1.0000001", "--learning-rate"),
    ("--learning-rate", "1e400", "--learning-rate"), ("--learning-rate", "inf", "--learning-rate"),
    ("--learning-rate", "nan", "--learning-rate"), ("--learning-rate", "-1", "--learning-rate"),
    ("--sigma", "1e-300", "--sigma"), ("--sigma", "5e-324", "--sigma"), ("--sigma", "0", "--sigma"),
    ("--sigma", "-0.0", "--sigma"), ("--sigma", "0.009", "--sigma"), ("--sigma", "20000.5", "--sigma"),
    ("--sigma", "1e308", "--sigma"), ("--sigma", "inf", "--sigma"), ("--sigma", "-inf", "--sigma"),
    ("--sigma", "nan", "--sigma"), ("--sigma", "x", "invalid float"),
    ("--seed", "-1", "--seed"), ("--seed", str(2 ** 63), "--seed"), ("--seed", "1" * 50, "--seed"),
    ("--scale", "0", "--scale"), ("--scale", "-1", "--scale"), ("--scale", "65", "--scale"),
    ("--scale", "9" * 30, "--scale"),
    ("--random", "0", "--random"), ("--random", "-3", "--random"), ("--random", "1000001", "--random"),
    ("--random", "9" * 30, "--random"),
    ("--timelapse-frames", "1", "--timelapse-frames"), ("--timelapse-frames", "0", "--timelapse-frames"),
    ("--timelapse-frames", "2001", "--timelapse-frames"), ("--timelapse-frames", "9" * 30, "--timelapse-frames"),
    ("--timelapse-fps", "0", "--timelapse-fps"), ("--timelapse-fps", "0.99", "--timelapse-fps"),
    ("--timelapse-fps", "50.01", "--timelapse-fps"), ("--timelapse-fps", "inf", "--timelapse-fps"),
    ("--timelapse-fps", "nan", "--timelapse-fps"), ("--timelapse-fps", "-20", "--timelapse-fps"),
]


@pytest.mark.parametrize("flag,value,needle", BAD)
def test_every_numeric_option_outside_its_range_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys, flag,
                                                                                      value, needle):
    args = ["train", *SMALL, f"{flag}={value}", "--save-map", str(tmp_path / "m.somz")]
    if flag.startswith("--timelapse-"):
        args += ["--timelapse", str(tmp_path / "t.gif")]
    line = one_line_error(capsys, main(args))
    assert needle in line, line
    assert len(line) < 300
    assert list(tmp_path.iterdir()) == []


GOOD = [("--width", "1"), ("--height", "1"), ("--iterations", "1"), ("--learning-rate", "1e-9"),
        ("--learning-rate", "1"), ("--sigma", "0.01"), ("--sigma", "20000"), ("--seed", "0"),
        ("--seed", str(2 ** 63 - 1)), ("--scale", "1"), ("--scale", "64"), ("--random", "1"),
        ("--timelapse-frames", "2"), ("--timelapse-frames", "2000"), ("--timelapse-fps", "1"),
        ("--timelapse-fps", "50")]


@pytest.mark.parametrize("flag,value", GOOD)
def test_every_numeric_option_at_its_legal_edge_trains_and_saves_a_map_that_reopens(tmp_path, capsys, flag, value):
    args = ["train", *SMALL, f"{flag}={value}", "--save-map", str(tmp_path / "m.somz"),
            "--out", str(tmp_path / "m.png"), "--metrics-json", str(tmp_path / "m.json")]
    if flag.startswith("--timelapse-"):
        args += ["--timelapse", str(tmp_path / "t.gif")]
    assert main(args) == 0, capsys.readouterr().err
    assert np.all(np.isfinite(load_map(tmp_path / "m.somz").som.weights))
    assert np.isfinite(json.loads((tmp_path / "m.json").read_text())["quantization_error"])


def test_the_issue_reproduction_sigma_1e_300_is_a_clear_error_not_a_traceback():
    proc = subprocess.run([sys.executable, "-m", "somdesk", "train", "--random", "5", "--width", "4",
                           "--height", "4", "--iterations", "3", "--sigma", "1e-300"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("error: --sigma must be between 0.01"), proc.stderr
    assert "Traceback" not in proc.stderr


# -- output sizes are checked before training ------------------------------------------------
@pytest.fixture
def no_training(monkeypatch):
    calls = []
    monkeypatch.setattr(som_module.SOM, "train", lambda self, *a, **k: calls.append(1) or self)
    return calls


@pytest.mark.parametrize("extra,needle", [
    (["--width", "2000", "--height", "500", "--scale", "64", "--out", "{d}/x.png"], "--out"),
    (["--width", "1000", "--height", "1000", "--scale", "11", "--out", "{d}/x.png", "--view", "umatrix"], "--out"),
    (["--width", "1600", "--height", "600", "--scale", "11", "--topology", "hexagonal", "--out", "{d}/x.png",
      "--view", "hits"], "--out"),
    (["--width", "100", "--height", "100", "--scale", "64", "--timelapse", "{d}/t.gif"], "--timelapse"),
    (["--width", "1100", "--height", "1", "--scale", "64", "--timelapse", "{d}/t.gif",
      "--timelapse-frames", "2"], "GIF"),
    (["--width", "600", "--height", "600", "--scale", "17", "--timelapse", "{d}/t.png"], "--timelapse"),
    (["--width", "40", "--height", "40", "--scale", "64", "--topology", "hexagonal", "--iterations", "2000",
      "--timelapse", "{d}/t.apng", "--timelapse-frames", "2000"], "--timelapse"),
])
def test_pictures_over_the_size_limits_are_refused_before_training(tmp_path, capsys, no_training, extra, needle):
    args = ["train", "--random", "5", "--iterations", "10", "--save-map", str(tmp_path / "m.somz")]
    args += [a.format(d=tmp_path) for a in extra]
    line = one_line_error(capsys, main(args))
    assert needle in line and "limit" in line or "at most" in line, line
    assert no_training == [] and list(tmp_path.iterdir()) == []


def test_a_time_lapse_of_a_short_run_is_judged_by_the_frames_it_can_have(tmp_path, capsys):
    # 1920 x 1920 px frames: 120 of them would be over the limit, but 3 iterations give 4 frames
    args = ["train", "--random", "5", "--width", "30", "--height", "30", "--iterations", "3", "--scale", "64",
            "--timelapse", str(tmp_path / "t.png"), "--seed", "1", "-q"]
    assert main(args) == 0, capsys.readouterr().err
    assert (tmp_path / "t.png").stat().st_size > 0


# -- diverged training never writes a map -----------------------------------------------------
@pytest.fixture
def diverging_kernel(monkeypatch):
    """Training whose pass leaves NaN and inf in the weights (what the mexican hat used to do)."""
    from somdesk.core import kernels
    real = kernels.online_epoch

    def poisoned(w3, *args, **kwargs):
        out = real(w3, *args, **kwargs)
        w3[0, 0, 0] = np.nan
        w3[-1, -1, -1] = np.inf
        return out

    monkeypatch.setattr(kernels, "online_epoch", poisoned)
    real_many = kernels.online_epochs      # a compiled back end's classic step runs this one

    def poisoned_many(wp, x, *args, **kwargs):
        bad = x.copy()
        bad[0, 0] = np.nan                   # the first input's update makes weights NaN
        return real_many(wp, bad, *args, **kwargs)

    monkeypatch.setattr(kernels, "online_epochs", poisoned_many)


def test_train_exits_non_zero_and_writes_nothing_when_training_produced_non_finite_weights(tmp_path, capsys,
                                                                                           diverging_kernel):
    outs = {"--save-map": "m.somz", "--save-weights": "w.npy", "--out": "m.png", "--metrics-json": "m.json",
            "--timelapse": "t.gif"}
    args = ["train", *SMALL]
    for flag, name in outs.items():
        args += [flag, str(tmp_path / name)]
    line = one_line_error(capsys, main(args))
    assert "NaN or infinite" in line
    assert list(tmp_path.iterdir()) == []


def test_the_issue_divergence_reproduction_either_trains_finite_or_fails_cleanly(tmp_path):
    """20x20, learning rate 1, linear decay, mexican hat: exit 0 with a map that reopens, or exit != 0
    with one line and no map -- never exit 0 with a map load_map refuses."""
    smap = tmp_path / "m.somz"
    proc = subprocess.run([sys.executable, "-m", "somdesk", "train", "--random", "20", "--seed", "7",
                           "--width", "20", "--height", "20", "--learning-rate", "1", "--decay", "linear",
                           "--iterations", "2000", "--neighbourhood", "mexican-hat", "--save-map", str(smap),
                           "-q"], capture_output=True, text=True, timeout=600)
    if proc.returncode == 0:
        assert np.all(np.isfinite(load_map(smap).som.weights))
    else:
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "Traceback" not in proc.stderr and not smap.exists()


# -- --init-weights: the same header checks as saved maps, and the same value rules ------------
def _npy_with_header(path, shape, descr="<f8", data=b""):
    import io
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    path.write_bytes(buf.getvalue() + data)
    return path


@pytest.mark.parametrize("make,needle", [
    (lambda p: _npy_with_header(p, (2 ** 40,)), "shape"),                       # would be 8 TiB
    (lambda p: _npy_with_header(p, (4, 4, 3), data=bytes(100)), "holds"),        # truncated
    (lambda p: _npy_with_header(p, (4, 4, 3), "<U4", bytes(768)), "dtype"),
    (lambda p: np.save(p, np.full((4, 4, 3), np.nan)), "NaN"),
    (lambda p: np.save(p, np.full((4, 4, 3), np.inf)), "NaN or infinite"),
    (lambda p: np.save(p, np.full((4, 4, 3), 1e200)), "1e+150"),
    (lambda p: p.mkdir(), "folder"),
    (lambda p: os.mkfifo(p), "not a regular file"),
])
def test_bad_init_weights_are_one_line_errors_before_training(tmp_path, capsys, make, needle):
    path = tmp_path / "w0.npy"
    make(path)
    line = one_line_error(capsys, main(["train", *SMALL, "--init-weights", str(path)]))
    assert needle in line, line


@pytest.mark.parametrize("dtype", ["<f8", ">f8", "<f4", "<i8", "|u1"])
def test_init_weights_of_any_plain_numeric_dtype_are_used(tmp_path, capsys, dtype):
    w0 = (np.random.default_rng(0).random((4, 4, 3)) * 100).astype(dtype)
    np.save(tmp_path / "w0.npy", w0)
    assert main(["train", *SMALL, "--init-weights", str(tmp_path / "w0.npy"), "--save-weights",
                 str(tmp_path / "w.npy")]) == 0, capsys.readouterr().err
    assert np.load(tmp_path / "w.npy").shape == (4, 4, 3)
