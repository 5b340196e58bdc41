"""`somdesk train --table` says where a long run is (tester13 #3: 28 minutes printing nothing)."""
from __future__ import annotations

import io

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.cli_progress import RunProgress, elapsed_text

pytestmark = pytest.mark.phase_lines


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def _lines(stream) -> list[str]:
    return stream.getvalue().splitlines()


def test_the_rule_silent_at_first_then_phases_at_most_every_few_seconds():
    clock, out = Clock(), io.StringIO()          # StringIO is not a terminal: FIRST_AFTER
    say = RunProgress(stream=out, clock=clock)
    say.phase("reading big.csv")
    clock.t += RunProgress.FIRST_AFTER - 1
    say.tick()
    assert _lines(out) == []                      # a run shorter than that prints nothing
    clock.t += 1
    say.tick()
    assert _lines(out) == ["somdesk: reading big.csv (1 min 00 s)"]
    say.phase("preparing the table")              # a new phase, but only 0 s after the last line
    assert len(_lines(out)) == 1
    clock.t += RunProgress.EVERY
    say.tick()
    assert _lines(out)[-1] == "somdesk: preparing the table (1 min 05 s)"
    for done in range(3):
        say.epoch(done, 30)
    clock.t += RunProgress.EVERY
    say.tick()
    assert _lines(out)[-1] == "somdesk: training, epoch 3 of 30 (1 min 10 s)"
    clock.t += RunProgress.EVERY
    say.tick()
    assert len(_lines(out)) == 3                  # the same phase: repeated only after REPEAT
    clock.t += RunProgress.REPEAT
    say.tick()
    assert _lines(out)[-1] == "somdesk: training, epoch 3 of 30 (1 min 45 s)"


def test_quiet_prints_nothing_and_a_terminal_hears_sooner():
    clock, out = Clock(), io.StringIO()
    say = RunProgress(quiet=True, stream=out, clock=clock)
    say.phase("reading")
    clock.t += 3600
    say.tick()
    assert out.getvalue() == ""

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    term = Terminal()
    say = RunProgress(stream=term, clock=clock)
    say.phase("reading")
    clock.t += RunProgress.FIRST_AFTER_TERMINAL
    say.tick()
    assert _lines(term) == ["somdesk: reading (5 s)"]
    assert [elapsed_text(s) for s in (0, 59.9, 61, 3725)] == ["0 s", "59 s", "1 min 01 s", "1 h 02 min"]


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "t.csv"
    np.savetxt(path, rng.random((300, 3)), delimiter=",", fmt="%.4f", header="a,b,c", comments="")
    return path


@pytest.mark.parametrize("chunked", [False, True], ids=["in-memory", "out-of-core"])
def test_a_long_run_names_its_phases_in_memory_and_out_of_core(table, tmp_path, capsys, monkeypatch, chunked):
    """A run 'long' at once (the thresholds set to 0) prints the phases in order; -q none."""
    monkeypatch.setattr(RunProgress, "FIRST_AFTER", 0.0)
    monkeypatch.setattr(RunProgress, "EVERY", 0.0)
    args = ["train", "--table", str(table), "--width", "4", "--height", "3", "--epochs", "3",
            "--save-map", str(tmp_path / "m.somz")] + (["--out-of-core", "--chunk-rows", "100"] if chunked else [])
    assert main(args) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("somdesk: ")]
    text = "\n".join(err)
    assert err[0].startswith("somdesk: reading ") and "t.csv" in err[0]
    for word in ("training, epoch 2 of 3", "training, epoch 3 of 3", "finding segments"):
        assert word in text, text
    if not chunked:
        for word in ("preparing the table", "measuring the map on 300 rows", "saving the map"):
            assert word in text, text
    assert all(line.endswith(" s)") for line in err)
    assert main(args + ["-q"]) == 0
    assert "somdesk: " not in capsys.readouterr().err


def _phases(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("somdesk: ")]


@pytest.fixture
def at_once(monkeypatch):
    """Every run 'long' at once: a line for each phase."""
    monkeypatch.setattr(RunProgress, "FIRST_AFTER", 0.0)
    monkeypatch.setattr(RunProgress, "EVERY", 0.0)


def test_quantize_names_its_phases(tmp_path, capsys, at_once):
    """`quantize --dither --space oklab` ran 22 s on a large picture printing nothing."""
    from PIL import Image

    rng = np.random.default_rng(1)
    Image.fromarray((rng.random((120, 90, 3)) * 255).astype(np.uint8)).save(tmp_path / "p.png")
    args = ["quantize", str(tmp_path / "p.png"), str(tmp_path / "q.png"), "--colors", "16", "--dither",
            "--space", "oklab"]
    assert main(args) == 0
    text = "\n".join(_phases(capsys))
    for word in ("reading ", "p.png", "fitting the palette in oklab", "dithering the pixels in oklab, ",
                 "% done", "writing ", "q.png", "measuring the result"):
        assert word in text, text
    assert main(args + ["-q"]) == 0
    assert "somdesk: " not in capsys.readouterr().err


def test_colour_train_and_palette_sort_name_their_phases(tmp_path, capsys, at_once):
    assert main(["train", "--random", "30", "--width", "4", "--height", "4", "--iterations", "3",
                 "--out", str(tmp_path / "a.png")]) == 0
    text = "\n".join(_phases(capsys))
    for word in ("loading the compiled kernels", "training, epoch 1 of 3", "training, epoch 3 of 3",
                 "measuring the map", "writing"):
        assert word in text, text
    (tmp_path / "p.gpl").write_text("GIMP Palette\nName: t\n#\n" + "".join(
        f"{r} {g} {b}\tc{i}\n" for i, (r, g, b) in enumerate(np.random.default_rng(3).integers(0, 256, (12, 3)))))
    assert main(["palette", "sort", str(tmp_path / "p.gpl"), str(tmp_path / "s.gpl")]) == 0
    text = "\n".join(_phases(capsys))
    assert "sorting 12 colours along a map trained in oklab" in text, text
    assert main(["palette", "sort", str(tmp_path / "p.gpl"), str(tmp_path / "s2.gpl"), "-q"]) == 0
    assert "somdesk: " not in capsys.readouterr().err


@pytest.mark.parametrize("chunked", [False, True], ids=["in-memory", "out-of-core"])
def test_assign_names_its_phases(table, tmp_path, capsys, monkeypatch, chunked):
    assert main(["train", "--table", str(table), "--width", "3", "--height", "3", "--epochs", "2",
                 "--save-map", str(tmp_path / "m.somz"), "-q"]) == 0
    monkeypatch.setattr(RunProgress, "FIRST_AFTER", 0.0)
    monkeypatch.setattr(RunProgress, "EVERY", 0.0)
    args = ["assign", str(tmp_path / "m.somz"), str(table), "--out", str(tmp_path / "s.csv")]
    assert main(args + (["--out-of-core", "--chunk-rows", "100"] if chunked else [])) == 0
    text = "\n".join(_phases(capsys))
    assert "t.csv" in text and "s.csv" in text, text
    assert ("scoring part 3 of 3 and writing" if chunked else "scoring 300 rows and writing") in text, text
    assert main(args + ["-q"]) == 0
    assert "somdesk: " not in capsys.readouterr().err


def test_a_ctrl_c_in_the_progress_threads_start_leaves_no_thread_behind(monkeypatch):
    """A Ctrl+C inside Thread.start (it waits for the thread to run) left the progress thread
    running with no __exit__ to stop it: the process then hung at exit (a quantize stopped at
    start-up, tests/cli/test_sigint.py, once in 9 loaded runs)."""
    import threading

    real = threading.Thread.start

    def start(self):
        real(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(threading.Thread, "start", start)
    say = RunProgress()
    with pytest.raises(KeyboardInterrupt):
        say.__enter__()
    monkeypatch.undo()
    say._thread.join(5)
    assert not say._thread.is_alive()


def test_the_progress_thread_never_outlives_the_main_thread(tmp_path):
    """Whatever skipped __exit__, the process ends: the thread stops when the main thread has."""
    import os
    import subprocess
    import sys

    script = tmp_path / "left.py"
    script.write_text("from somdesk.cli_progress import RunProgress\nRunProgress().__enter__()\nprint('end')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.getcwd()] + sys.path))
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "end", r.stderr
