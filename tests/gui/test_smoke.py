"""`main([], smoke_test=OUT.png)`: in-process and as a real subprocess."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from somdesk.gui.app import main
from somdesk.gui.tasks import live_workers as running_threads

ROOT = Path(__file__).resolve().parents[2]


def _check_png(path: Path) -> None:
    assert path.is_file()
    arr = np.asarray(Image.open(path).convert("RGB"))
    assert arr.shape == (320, 320, 3)                        # 40x40 nodes at 8 px
    assert len(np.unique(arr.reshape(-1, 3), axis=0)) > 50   # a gradient, not one flat colour


def test_smoke_in_process(qapp, tmp_path, capsys):
    out = tmp_path / "smoke.png"
    assert main([], smoke_test=str(out)) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("somdesk smoke test: window visible")   # start-up time, on Linux
    assert lines[-1].startswith("somdesk smoke test OK: 40x40 map, 100 iterations") and str(out) in lines[-1]
    _check_png(out)
    assert not running_threads()


def test_smoke_failure_returns_nonzero(qapp, tmp_path, capsys):
    out = tmp_path / "missing-dir" / "smoke.png"            # cannot be written
    assert main([], smoke_test=str(out)) == 1
    assert "FAILED" in capsys.readouterr().out


def test_smoke_subprocess(tmp_path):
    out = tmp_path / "smoke.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "xdg"),
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    code = f"from somdesk.gui.app import main; raise SystemExit(main([], smoke_test={str(out)!r}))"
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 2 and "window visible" in lines[0] and "smoke test OK" in lines[1]
    _check_png(out)
    assert not (tmp_path / "xdg" / "somdesk").exists()       # smoke mode touches no settings


def test_smoke_trains_on_a_palette_given_on_the_command_line(qapp, tmp_path, capsys):
    palette = tmp_path / "three.hex"
    palette.write_text("ff0000\n00ff00\n0000ff\n")
    out = tmp_path / "smoke.png"
    assert main([str(palette)], smoke_test=str(out)) == 0
    arr = np.asarray(Image.open(out).convert("RGB"))
    corners = {tuple(arr[y, x]) for y in (0, -1) for x in (0, -1)}
    assert any(c[0] > 200 and c[1] < 60 and c[2] < 60 for c in corners)    # pure red reached an edge
    assert not running_threads()


def test_main_opens_the_given_palette_and_quits_cleanly(qapp, tmp_path):
    from PySide6.QtCore import QTimer

    from somdesk.gui.window import Window

    pytest.importorskip("somdesk.io.palettes")
    path = tmp_path / "two.gpl"
    path.write_text("GIMP Palette\nName: Two\n#\n255 0 0 Red\n0 0 255 Blue\n")
    seen = {}

    def inspect_and_quit():
        win = next((w for w in qapp.topLevelWidgets() if isinstance(w, Window) and w.isVisible()), None)
        if win is None or win.runner.busy or win.session.dataset is None:
            QTimer.singleShot(100, inspect_and_quit)     # the palette is still being read (a task)
            return
        seen["colours"] = win.left.swatches.colours()
        seen["title"] = win.windowTitle()
        win.confirm_unsaved = False
        win.train()                                 # quitting while training must stop it
        seen["running"] = bool(running_threads())
        win.actions["quit"].trigger()

    QTimer.singleShot(300, inspect_and_quit)
    safety = QTimer(singleShot=True, interval=20_000)
    safety.timeout.connect(qapp.quit)              # never hang the suite...
    safety.start()
    try:
        assert main([str(path)]) == 0
    finally:
        safety.stop()                              # ...nor quit a later test's event loop
    np.testing.assert_array_equal(seen["colours"], [[1, 0, 0], [0, 0, 1]])
    assert "Two" in seen["title"] and seen["running"]
    assert not running_threads()


def test_smoke_takes_the_training_options(tmp_path):
    """issue 14 goal 1: `somdesk --smoke-test OUT --width W --height H --iterations T --seed S`."""
    out = tmp_path / "smoke.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "xdg"),
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "somdesk", "--smoke-test", str(out), "--width", "12",
                           "--height", "7", "--epochs", "30", "--seed", "5", "--mode", "batch"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "12x7 map, 30 iterations in" in proc.stdout
    assert np.asarray(Image.open(out)).shape[:2] == (56, 96)      # 7 x 12 nodes at 8 px
    bad = subprocess.run([sys.executable, "-m", "somdesk", "--width", "12"], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("error: ")


def _two_group_csv(path, n=80, seed=1):
    rng = np.random.default_rng(seed)
    rows = ["id,x,y,z,kind"]
    for i in range(n):
        g = i % 2
        x, y, z = rng.normal((5.0 * g, -3.0 * g, 2.0 * g), 0.4)
        rows.append(f"R{i},{x:.3f},{y:.3f},{z:.3f},{'ab'[g]}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_smoke_trains_a_table_in_the_segments_dock(qapp, tmp_path, capsys):
    """A table on the smoke command line trains the Segments dock's map (it used to say
    "could not open": the window's session never holds a table) and writes it as shown."""
    from somdesk import render

    table = _two_group_csv(tmp_path / "groups.csv")
    outs = [tmp_path / "a.png", tmp_path / "b.png"]
    opts = dict(width=9, height=6, iterations=20, seed=2)
    for out in outs:
        assert main([str(table)], smoke_test=str(out), smoke_options=opts) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("somdesk smoke test OK: 9x6 map, 20 iterations in") and "80 rows" in line
    arr = np.asarray(Image.open(outs[0]).convert("RGB"))
    hexagonal = arr.shape[:2] != (48, 72)
    assert arr.shape[:2] == render.picture_size(6, 9, hexagonal, 8)[::-1]
    colours = {tuple(c) for c in arr.reshape(-1, 3)} - {(255, 255, 255)}
    assert 2 <= len(colours) <= 12                       # segment colours, not a gradient
    np.testing.assert_array_equal(arr, np.asarray(Image.open(outs[1]).convert("RGB")))   # the seed is used
    assert not running_threads()


def test_smoke_trains_a_saved_table_map(qapp, tmp_path, capsys):
    """A saved table map (assigned to its rows by a second task after opening) trains too."""
    fixture = ROOT / "tests" / "fixtures" / "tables" / "old-table-map.somz"
    out = tmp_path / "map.png"
    assert main([str(fixture)], smoke_test=str(out), smoke_options=dict(width=5, height=4, iterations=10)) == 0
    assert "smoke test OK: 5x4 map, 10 iterations" in capsys.readouterr().out
    assert out.is_file()
    assert not running_threads()


def test_stop_during_the_smoke_job_still_writes_the_map(qapp, tmp_path, capsys):
    """tester4 F4: Stop in the toolbar during `--smoke-test` ended in "FAILED: unsupported
    format string passed to NoneType.__format__" and no PNG."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from somdesk.gui.window import Window

    def stop_when_running():
        wins = [w for w in QApplication.topLevelWidgets() if isinstance(w, Window) and w.runner.busy]
        if wins:
            wins[0].runner.stop()
        else:
            QTimer.singleShot(20, stop_when_running)
    QTimer.singleShot(20, stop_when_running)
    out = tmp_path / "smoke.png"
    assert main([], smoke_test=str(out), smoke_options={"width": 60, "height": 60, "iterations": 100000}) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("somdesk smoke test OK: 60x60 map,") and last.endswith("(stopped by the user)")
    assert Image.open(out).size == (480, 480)
    assert not running_threads()


def test_stop_before_the_first_epoch_still_writes_the_map(qapp, tmp_path, capsys, monkeypatch):
    """CI (a loaded machine): Stop came before the worker took the run's first step, the task
    ended with no outcome and the smoke test failed with "'NoneType' object has no attribute
    'map'".  Stopping in the same tick as Train gives that order every time."""
    from somdesk.gui.window import Window

    train = Window.train

    def train_then_stop(self):
        train(self)
        self.runner.stop()
    monkeypatch.setattr(Window, "train", train_then_stop)
    out = tmp_path / "smoke.png"
    assert main([], smoke_test=str(out), smoke_options={"width": 20, "height": 20, "iterations": 1000}) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("somdesk smoke test OK: 20x20 map,") and last.endswith("(stopped by the user)")
    assert Image.open(out).size == (160, 160)
    assert not running_threads()
