"""Every writer of the window refuses a FIFO at once, in one wording, before any task starts
(testerG #1: Export image / Save palette as to a FIFO held the GUI thread 10.05 s; Export
time-lapse and Score new data waited 10 s in a task; only the Segments dock refused at once).

Each writer is given a real FIFO (os.mkfifo) that nobody reads, as a path given without the
Save dialog (a test, a script, the map's own name at Ctrl+S): the GUI thread must not stall
(GapMeter), no task may start, and the message is gui.dialogs.target_refused's.
io.atomic.FIFO_WAIT is cut to 3 s so that the old behaviour fails the test in seconds."""
from __future__ import annotations

import os
import stat
import time

import numpy as np
import pytest
from PIL import Image

from somdesk.core import SOMConfig
from somdesk.gui import dialogs
from somdesk.io import atomic

from .helpers import GapMeter, make_window, open_and_wait, train, wait_idle
from .test_window_tables import TIMEOUT, people_csv

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")


def words(name: str) -> str:
    return (f"cannot write {name}: it is a pipe (FIFO), not a regular file, and the window does not wait "
            "for a reader; choose a file")


@pytest.fixture(autouse=True)
def short_fifo_wait(monkeypatch):
    monkeypatch.setattr(atomic, "FIFO_WAIT", 3.0)


def fifo(tmp_path, name: str) -> str:
    path = tmp_path / name
    os.mkfifo(path)
    return str(path)


def refused_at_once(qtbot, win, call, path) -> None:
    """`call()` refuses the FIFO `path`: False, no task, no stall, the one message."""
    win.last_error = None
    gap = GapMeter(5)
    t0 = time.perf_counter()
    got = call()
    took = time.perf_counter() - t0
    busy = win.runner.busy
    qtbot.wait(30)                       # the meter ticks after the call
    gap.timer.stop()
    if busy:                             # the old behaviour: a task waiting for a reader
        qtbot.waitUntil(lambda: not win.runner.busy, timeout=20_000)
    assert not busy, "a task was started for a FIFO"
    assert got is False
    assert took < 1.0 and gap.longest < 1.0, (took, gap.longest)
    assert win.last_error == words(os.path.basename(path))
    assert stat.S_ISFIFO(os.stat(path).st_mode)          # nothing replaced it


@pytest.fixture
def palette_win(qtbot):
    colours = np.random.default_rng(5).integers(0, 256, size=(20, 3)) / 255.0
    w = make_window(qtbot, colours, SOMConfig(width=8, height=8, iterations=20, seed=3))
    train(qtbot, w)
    yield w
    w.confirm_unsaved = False
    w.close()


def test_every_writer_of_a_palette_window_refuses_a_fifo_at_once(qtbot, palette_win, tmp_path, monkeypatch):
    from somdesk.gui.export_dialog import ExportOptions

    w = palette_win
    assert len(w.timelapse.recorder) >= 2
    png, gpl, gif, somz = (fifo(tmp_path, n) for n in ("out.png", "out.gpl", "out.gif", "out.somz"))
    refused_at_once(qtbot, w, lambda: w.export_image(png), png)
    refused_at_once(qtbot, w, lambda: w.exports.save(ExportOptions("umatrix", 4), png, remember=False), png)
    refused_at_once(qtbot, w, lambda: w.files.save_palette_as(gpl), gpl)
    refused_at_once(qtbot, w, lambda: w.files.write_organised(8, gpl), gpl)
    refused_at_once(qtbot, w, lambda: w.timelapse.save(20, 2, gif), gif)
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: somz)     # a name that skips the dialog's check
    refused_at_once(qtbot, w, lambda: w.save(ask=True), somz)
    assert w.session.unsaved
    # a device is still written through, as before
    w.last_error = None
    assert w.export_image("/dev/null") is True and w.last_error is None


def test_the_save_dialog_says_the_same_words(tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    path = fifo(tmp_path, "pipe.png")
    answers = [(path, "PNG image (*.png)"), ("", "")]
    warned = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: answers.pop(0)))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text: warned.append(text)))
    assert dialogs.ask_save_path(None, "Export image", str(tmp_path), [("PNG image", ["*.png"])]) is None
    assert warned == [words("pipe.png")]


def test_a_big_picture_export_refuses_a_fifo_before_its_task(qtbot, tmp_path, monkeypatch):
    from somdesk.gui import export_dialog

    monkeypatch.setattr(export_dialog, "TASK_PIXELS", 100)     # every picture export is a task
    rng = np.random.default_rng(2)
    src = tmp_path / "picture.png"
    Image.fromarray(rng.integers(0, 256, size=(90, 120, 3), dtype=np.uint8)).save(src)
    w = make_window(qtbot)
    try:
        assert open_and_wait(qtbot, w, src) and w.session.kind == "image", w.last_error
        w.set_view("picture")
        assert w.exports.big_picture("picture")
        png = fifo(tmp_path, "big.png")
        refused_at_once(qtbot, w, lambda: w.export_image(png), png)
    finally:
        w.confirm_unsaved = False
        w.close()


def test_every_writer_of_the_segments_dock_refuses_a_fifo_at_once(qtbot, win, tmp_path):
    wf = win.tables
    data = people_csv(tmp_path / "people.csv")
    assert wf.open_table(data, preview=False)
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    wf.select_segment(0)
    csv, png, html, somz = (fifo(tmp_path, n) for n in ("out.csv", "out.png", "out.html", "out.somz"))
    refused_at_once(qtbot, win, lambda: wf.export_rows(csv), csv)
    refused_at_once(qtbot, win, lambda: wf.export_profiles("csv", csv), csv)
    refused_at_once(qtbot, win, lambda: wf.export_profiles("png", png), png)
    refused_at_once(qtbot, win, lambda: wf.export_map(png), png)
    refused_at_once(qtbot, win, lambda: win.export_image(png), png)
    refused_at_once(qtbot, win, lambda: wf.export_planes(png), png)
    refused_at_once(qtbot, win, lambda: wf.save_map(somz), somz)
    refused_at_once(qtbot, win, lambda: wf.export_report(html), html)
    refused_at_once(qtbot, win, lambda: wf.score_file(None, str(data), csv), csv)
    wf.ws.top_items = {0: [("height", 1.0, 3, 1.2)]}      # a ratings table's list (shape only: refused first)
    refused_at_once(qtbot, win, lambda: wf.export_top_items(csv), csv)
    wait_idle(qtbot, win)


def test_time_lapse_status_gives_the_frames_in_the_file(qtbot, palette_win, tmp_path):
    """testerG #9: "Exported ok.gif: 76 frames at 20 fps" of a GIF holding 73 (Pillow stores
    identical consecutive frames once); the status line counts the written file."""
    from PIL import Image

    from somdesk.gui.timelapse_recorder import Recording

    w = palette_win
    rows, cols = w.session.map.shape
    rec = Recording()
    for epoch, value in enumerate([10, 80, 80, 80, 160, 160]):      # 6 recorded, 3 different
        rec.offer(epoch, np.full((rows, cols, 3), value, dtype=np.uint8), keep=True)
    with w.timelapse.lock:
        w.timelapse.recorder = rec
    out = tmp_path / "t.gif"
    assert w.timelapse.save(20, 2, str(out))
    wait_idle(qtbot, w)
    with Image.open(out) as im:
        assert im.n_frames == 3
    assert w.statusBar().currentMessage() == ("Exported t.gif: 3 frames at 20 fps (6 recorded; identical "
                                              "consecutive frames are stored once).")
