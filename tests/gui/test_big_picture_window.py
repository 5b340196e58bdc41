"""A picture too big to draw whole (tester7 #13, #14): the window draws the copy made off
the GUI thread, Stop during the measuring stage of Quantise full picture ends the task at
its next check with "Quantise stopped", and Export image writes every pixel in a task."""
from __future__ import annotations

import threading

import numpy as np
import pytest
from PIL import Image

import somdesk.core.map_quantise as map_quantise

from .helpers import FIRST_RUN_TIMEOUT_MS, make_window, open_and_wait, train, wait_idle


@pytest.fixture
def win(qtbot):
    w = make_window(qtbot)
    yield w
    w.close()


@pytest.fixture
def big_png(tmp_path):
    h, w = 1000, 4200                  # 4.2 Mpx: drawn at 1:3, exported by a task
    y, x = np.mgrid[0:h, 0:w]
    rgba = np.stack([x * 255 // w, y * 255 // h, (x // 9) % 256, np.where(x < 300, 0, 255)], axis=2)
    path = tmp_path / "wide.png"
    Image.fromarray(rgba.astype(np.uint8)).save(path)
    return path


def _trained(qtbot, win, path):
    assert open_and_wait(qtbot, win, path)
    assert win.session.kind == "image", win.last_error
    win.left.params.set_config(win.session.config.replace(width=3, height=3, iterations=3))
    train(qtbot, win)


def test_big_picture_is_drawn_small_and_exported_whole(qtbot, win, big_png, tmp_path):
    _trained(qtbot, win, big_png)
    win.set_view("picture")
    win.draw()
    d = win.session.dataset
    assert win.canvas.image_array().shape == d.small.shape == (334, 1400, 3)
    assert "Shown at 1:3 (1,400 x 334 of 4,200 x 1,000 px)" in win.canvas.legend.text()
    win.quantise()
    wait_idle(qtbot, win, FIRST_RUN_TIMEOUT_MS)
    q = win.session.quantised
    assert win.view == "quantised" and win.canvas.image_array().shape == (334, 1400, 3)
    assert (win.canvas.image_array() == q.small).all()
    out = tmp_path / "original.png"
    win.set_view("picture")
    assert win.export_image(str(out)) and win.runner.kind == "export-image"
    wait_idle(qtbot, win)
    with Image.open(out) as im:                        # every pixel, transparency kept
        assert im.size == (4200, 1000) and im.mode == "RGBA"
        assert (np.asarray(im) == d.pixels).all()
    assert "Exported original.png (4200 x 1000 px)" in win.statusBar().currentMessage()
    win.copy_image()                                   # the clipboard gets what is on screen
    from PySide6.QtWidgets import QApplication
    assert QApplication.clipboard().image().width() == 1400


def test_stop_while_measuring_the_quantised_picture(qtbot, win, big_png, monkeypatch):
    """Stop pressed while the full-size PSNR is measured (after the remap): the task ends at
    its next token check -- held here until Stop was pressed, so the test does not race."""
    _trained(qtbot, win, big_png)
    entered, go = threading.Event(), threading.Event()
    real = map_quantise.indexed_measures

    def held(*args, **kwargs):
        entered.set()
        go.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(map_quantise, "indexed_measures", held)
    win.quantise()
    qtbot.waitUntil(entered.is_set, timeout=FIRST_RUN_TIMEOUT_MS)
    win.actions["stop"].trigger()
    go.set()
    wait_idle(qtbot, win)
    assert win.session.quantised is None
    assert win.statusBar().currentMessage().startswith("Quantise stopped")


def test_big_export_waits_for_the_task_under_way(qtbot, win, big_png, tmp_path):
    _trained(qtbot, win, big_png)
    win.set_view("picture")
    win.left.params.set_config(win.session.config.replace(iterations=100_000))
    win.set_speed("slow")
    win.train()
    qtbot.waitUntil(lambda: win.runner.kind == "train", timeout=FIRST_RUN_TIMEOUT_MS)
    assert not win.export_image(str(tmp_path / "x.png"))
    assert "Stop the training before exporting" in win.last_error
    assert not (tmp_path / "x.png").exists() and win.runner.kind == "train"
    win.actions["stop"].trigger()
    wait_idle(qtbot, win)


def test_big_map_export_runs_as_a_task(qtbot, win, tmp_path):
    """tester7 #31: a 300 x 300 map at 8 px a node (2400 x 2400 px) is drawn and written by a
    task; the file equals the picture drawn on the spot."""
    from somdesk.gui.export_dialog import ExportOptions

    win.session.new_colours(np.random.default_rng(0).random((30, 3)))
    win.session.update_config(width=300, height=300, iterations=5, seed=1)
    out = tmp_path / "map.png"
    assert win.exports.save(ExportOptions("colours", 8, False, True), str(out), remember=False)
    assert win.runner.kind == "export-image"
    wait_idle(qtbot, win)
    with Image.open(out) as im:
        assert im.size == (2400, 2400)
        assert (np.asarray(im.convert("RGB")) == win.map_image(8, view="colours", legend=True)).all()
    assert "Exported map.png (2400 x 2400 px)" in win.statusBar().currentMessage()
    small = tmp_path / "small.png"                    # 2 px a node: written at once, as before
    assert win.exports.save(ExportOptions("colours", 2, False, False), str(small), remember=False)
    assert not win.runner.busy and small.exists()


def test_big_time_lapse_is_written_by_a_task(qtbot, win, tmp_path):
    """tester7 #32 (its GIF part): a recording whose frames at the chosen size exceed 4 Mpx is
    written by a task; a wrong extension is still said at once."""
    win.session.new_colours(np.random.default_rng(0).random((30, 3)))
    win.left.params.set_config(win.session.config.replace(width=60, height=60, iterations=30, seed=1))
    train(qtbot, win)
    n = len(win.timelapse.recorder)
    assert n >= 2
    assert not win.timelapse.save(20, 16, str(tmp_path / "t.mp4"))
    assert ".gif, .png or .apng" in win.last_error
    rows, cols = win.session.map.shape
    assert rows * cols * 576 * n > 4_000_000              # 24 px a node, every frame
    out = tmp_path / "t.gif"
    assert win.timelapse.save(20, 24, str(out))
    assert win.runner.kind == "export-timelapse"
    wait_idle(qtbot, win)
    with Image.open(out) as im:
        assert im.n_frames == n and im.size == (24 * cols, 24 * rows)
    assert f"Exported t.gif: {n} frames at 20 fps." in win.statusBar().currentMessage()
