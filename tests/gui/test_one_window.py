"""The one window (gui/window.py) over a Session: every kind, pixels, keys, prompts."""
from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from somdesk.core import SOMConfig
from somdesk.gui.tasks import live_workers
from somdesk.gui.window import Window
from tests.timing import load_scaled

from .helpers import FIRST_RUN_TIMEOUT_MS, save_now



def wait_idle(qtbot, w, timeout=FIRST_RUN_TIMEOUT_MS):
    qtbot.waitUntil(lambda: not w.runner.busy, timeout=timeout)
    QApplication.processEvents()


def train(qtbot, w, cfg: SOMConfig):
    w.left.params.set_config(cfg)
    w.set_speed("max")
    w.train()
    wait_idle(qtbot, w)
    assert w.session.map.iteration == cfg.iterations, w.last_error


def colours(n=20, seed=5):
    return np.random.default_rng(seed).integers(0, 256, size=(n, 3)) / 255.0


# -- pixels: the screen is the export ------------------------------------------------------------
@pytest.mark.parametrize("view, topology", [("colours", "rectangular"), ("umatrix", "rectangular"),
                                            ("colours", "hexagonal"), ("hits", "hexagonal"),
                                            ("strip", "rectangular")])
def test_screen_equals_the_exported_png_pixel_for_pixel(qtbot, win, tmp_path, view, topology):
    win.session.new_colours(colours())
    train(qtbot, win, SOMConfig(width=17, height=11, iterations=30, seed=2, topology=topology))
    win.set_view(view)
    win.draw()
    on_screen = win.canvas.image_array()
    out = tmp_path / "map.png"
    assert win.export_image(str(out), scale=win.canvas.scale)
    exported = np.asarray(Image.open(out).convert("RGB"))
    assert on_screen.shape == exported.shape
    np.testing.assert_array_equal(on_screen, exported)
    # and the pyqtgraph item shows exactly that array
    np.testing.assert_array_equal(win.canvas.image.image, on_screen)


def test_hexagonal_map_is_true_hexagons_on_screen(qtbot, win):
    from somdesk import render

    win.session.new_colours(colours())
    train(qtbot, win, SOMConfig(width=9, height=6, iterations=10, seed=1, topology="hexagonal"))
    pic = win.canvas.image_array()
    s = win.canvas.scale
    idx = render.index_image(6, 9, True, s)
    nodes = render.to_rgb8(win.session.map.weights)
    np.testing.assert_array_equal(pic[idx >= 0], nodes.reshape(-1, 3)[idx[idx >= 0]])
    assert (pic[idx < 0] == 255).all()          # the zig-zag edge is background, not bricks


def test_scalar_views_carry_a_legend(qtbot, win):
    win.session.new_colours(colours())
    train(qtbot, win, SOMConfig(width=8, height=8, iterations=10, seed=1))
    for view in ("umatrix", "hits"):
        win.set_view(view)
        win.draw()
        assert not win.canvas.legend.pixmap().isNull(), view
    win.set_view("colours")
    win.draw()
    assert win.canvas.legend.pixmap().isNull()


# -- every kind in the one window ------------------------------------------------------------------
def test_opens_each_kind_and_shows_its_panel_and_views(qtbot, win, tmp_path):
    from somdesk.gui.window_actions import VIEWS

    pal = tmp_path / "two.gpl"
    pal.write_text("GIMP Palette\nName: Two\n#\n255 0 0 Red\n0 0 255 Blue\n")
    assert win.open_paths([str(pal)])
    wait_idle(qtbot, win)
    assert win.session.kind == "colours" and win.left.stack.currentWidget() is win.left.kind_boxes["colours"]
    np.testing.assert_array_equal(win.left.swatches.colours(), [[1, 0, 0], [0, 0, 1]])

    pic = tmp_path / "p.png"
    yy, xx = np.mgrid[0:240, 0:320]
    photo = np.stack([xx * 255 // 319, yy * 255 // 239, (xx + yy) * 255 // 558], -1).astype(np.uint8)
    Image.fromarray(photo).save(pic)                 # a gradient: a picture, not a palette
    win.open_paths([str(pic)])
    wait_idle(qtbot, win)
    assert win.session.kind == "image" and win.left.stack.currentWidget() is win.left.kind_boxes["image"]
    assert win.actions["view_quantised"].isVisible() and not win.actions["view_strip"].isVisible()

    csv = tmp_path / "t.csv"
    rows = np.random.default_rng(2).random((60, 3))
    csv.write_text("a,b,c,name\n" + "".join(f"{x:.4f},{y:.4f},{z:.4f},r{i % 3}\n" for i, (x, y, z) in enumerate(rows)))
    win.open_paths([str(csv)])                       # a table: import preview -> the Segments dock
    wait_idle(qtbot, win)
    wf = win.tables
    assert win.session.kind == "table" and win.session.dataset is None and wf.table is not None and wf.dock.isVisible()
    assert not win.centralWidget().isVisible()       # the dock shows the window's one dataset
    assert wf.table.n_rows_total == 60 and wf.setup.label.currentData() == "name"
    wf.setup.height.setValue(5)
    wf.setup.width.setValue(6)
    wf.setup.epochs.setValue(20)
    assert wf.train()
    wait_idle(qtbot, win)
    assert wf.tm is not None and wf.tm.config.iterations == 20 and win.isWindowModified()

    somz = tmp_path / "t.somz"
    assert win.actions["save"].isEnabled()           # File > Save saves the table map
    assert save_now(qtbot, win, lambda: wf.save_map(str(somz))) and not win.isWindowModified()
    somz.unlink()
    assert save_now(qtbot, win, win.save) and somz.is_file()     # Ctrl+S: to the file it was saved to
    other = Window(interactive=False, confirm_unsaved=False)
    qtbot.addWidget(other)
    assert other.open_paths([str(somz)]) is False    # open in `win`: not a second copy (testerH #9)
    assert win.statusBar().currentMessage() == "t.somz is already open."
    import shutil
    shutil.copy(somz, tmp_path / "t2.somz")          # a copy beside the table: opens in the dock again
    other.open_paths([str(tmp_path / "t2.somz")])
    wait_idle(qtbot, other)
    assert other.session.kind == "table" and other.session.dataset is None and other.tables.tm is not None
    np.testing.assert_array_equal(other.tables.tm.codebook, wf.tm.codebook)
    assert other.tables.table is not None and other.tables.assigned is not None   # its source re-read
    np.testing.assert_array_equal(other.tables.assigned["segment"], wf.assigned["segment"])
    other.close()

    win.open_paths([str(pal)])                       # another kind closes the table
    wait_idle(qtbot, win)
    assert win.session.kind == "colours" and wf.table is None and not wf.dock.isVisible()
    assert win.centralWidget().isVisible()


def test_a_second_file_leaves_nothing_of_the_first(qtbot, win, tmp_path):
    win.session.new_colours(colours())
    train(qtbot, win, SOMConfig(width=8, height=8, iterations=10, seed=1))
    pal = tmp_path / "three.hex"
    pal.write_text("ff0000\n00ff00\n0000ff\n")
    win.open_paths([str(pal)])
    wait_idle(qtbot, win)
    assert len(win.left.swatches.colours()) == 3 and win.session.map.iteration == 0
    assert "(3 colours)" in win.windowTitle()


def test_big_palette_is_a_virtual_list_loaded_off_the_gui_thread(qtbot, win, tmp_path):
    n = 65_536
    rgb = np.random.default_rng(3).integers(0, 256, size=(n, 3))
    path = tmp_path / "big.hex"
    path.write_text("".join(f"{r:02x}{g:02x}{b:02x}\n" for r, g, b in rgb))
    assert win.open_paths([str(path)])
    assert win.runner.kind == "open"             # the GUI thread returned at once
    wait_idle(qtbot, win, 30_000)
    assert win.left.swatches.model.rowCount() == n
    assert win.left.swatches.view.uniformItemSizes()
    assert len(win.left.swatches.findChildren(QMessageBox)) == 0


def test_several_palettes_are_combined_within_a_stated_limit(qtbot, win, tmp_path, monkeypatch):
    from somdesk.gui import window_tasks

    a, b = tmp_path / "a.hex", tmp_path / "b.hex"
    a.write_text("ff0000\n00ff00\n")
    b.write_text("0000ff\n")
    win.open_paths([str(a), str(b)])
    wait_idle(qtbot, win)
    assert len(win.session.dataset.colours) == 3
    monkeypatch.setattr(window_tasks, "MAX_COMBINED_COLOURS", 2)
    win.open_paths([str(a), str(b)])
    wait_idle(qtbot, win)
    assert "more than 2 colours together" in win.last_error and "limit" in win.last_error


# -- stop, close, keys ------------------------------------------------------------------------------
def test_stop_and_close_during_training_take_effect_at_once(qtbot, win):
    # Small epochs: the session measures the stopped map (BMUs, QE, TE, U-matrix) before
    # the task ends, which is not interruptible (0.2 s on a 150x150 map here); the stop
    # inside a long epoch is tested in test_tasks.py and test_stop_latency.py.
    win.session.new_colours(colours(20))
    win.left.params.set_config(SOMConfig(width=60, height=60, iterations=100_000, seed=1))
    win.set_speed("max")
    win.train()
    qtbot.waitUntil(lambda: win.session.map is not None and win.session.map.iteration > 2, timeout=FIRST_RUN_TIMEOUT_MS)
    t0 = time.perf_counter()
    win.runner.stop()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=1000)
    assert time.perf_counter() - t0 < load_scaled(0.2)
    assert not live_workers()
    win.train()                                   # continues from where it stopped
    qtbot.waitUntil(lambda: win.runner.state == "running", timeout=1000)
    t0 = time.perf_counter()
    win.close()
    assert time.perf_counter() - t0 < load_scaled(0.2) and not live_workers()


def test_unsaved_prompt_has_mnemonics_and_escape_cancels(qtbot, win):
    win.confirm_unsaved = True
    win.interactive = True
    win.session.new_colours(colours())
    train(qtbot, win, SOMConfig(width=6, height=6, iterations=5, seed=1))
    seen = {}

    def answer():
        box = win._prompt
        texts = [b.text() for b in box.buttons()]
        seen["texts"] = texts
        seen["escape"] = box.escapeButton().text()
        box.escapeButton().click()            # what Esc does

    QTimer.singleShot(50, answer)
    t0 = time.perf_counter()
    assert not win.close()                     # cancelled: the window stays
    assert "&Save" in seen["texts"] and "&Discard" in seen["texts"] and seen["escape"] == "Cancel"
    assert win.isVisible()
    QTimer.singleShot(50, lambda: next(b for b in win._prompt.buttons() if b.text() == "&Discard").click())
    assert win.close()
    assert time.perf_counter() - t0 < load_scaled(5)


def test_undo_redo_palette_edits_and_reset(qtbot, win):
    win.session.new_colours(colours(4))
    win.left.swatches.view.selectionModel().select(
        win.left.swatches.model.index(1), win.left.swatches.view.selectionModel().SelectionFlag.Select)
    win.actions["delete"].trigger()
    assert len(win.session.dataset.colours) == 3
    win.actions["undo"].trigger()
    assert len(win.session.dataset.colours) == 4
    win.actions["redo"].trigger()
    assert len(win.session.dataset.colours) == 3
    train(qtbot, win, SOMConfig(width=5, height=5, iterations=8, seed=1))
    trained = win.session.map.weights.copy()
    win.actions["reset"].trigger()
    assert win.session.map.iteration == 0
    win.actions["undo"].trigger()
    assert win.session.map.iteration == 8
    np.testing.assert_array_equal(win.session.map.weights, trained)


def test_shortcuts_are_the_documented_ones(win):
    a = win.actions
    assert a["close"].shortcut().toString() == "Ctrl+W"
    assert a["undo"].shortcut().toString() == "Ctrl+Z" and a["redo"].shortcut().toString() == "Ctrl+Shift+Z"
    assert a["help"].shortcut().toString() == "F1"
    assert a["delete"].shortcut().toString() == "Del"
    assert [a[f"speed_{k}"].shortcut().toString() for k in ("slow", "normal", "fast", "max")] == \
        ["Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4"]


def test_focus_starts_on_the_map(qtbot):
    w = Window.for_paths([], interactive=False, confirm_unsaved=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    assert w.canvas.isAncestorOf(QApplication.focusWidget()) or QApplication.focusWidget() is w.canvas.plot
    w.close()


def test_help_is_shipped_in_the_package(qtbot, win):
    from somdesk.resources import help_text

    text = help_text()
    assert "Ctrl+Shift+Z" in text and "epoch" in text and "random seed" in text
    win.actions["help"].trigger()
    dlg = win.findChild(object, "somdesk-help")
    assert dlg is not None and "Undo" in dlg.findChildren(type(dlg.children()[0]))[0].toPlainText() \
        if hasattr(dlg.children()[0], "toPlainText") else dlg is not None
    dlg.close()


def test_a_file_with_several_palettes_offers_a_picker(qtbot, win, tmp_path):
    path = tmp_path / "two.json"
    path.write_text('[{"name": "warm", "colors": ["#ff0000", "#ff8800"]},'
                    ' {"name": "cool", "colors": ["#0000ff", "#00ffff", "#00ff88"]}]')
    picked = []
    win.pick_palette = lambda choice, index=None: (picked.append(choice.labels()),
                                                   Window.pick_palette(win, choice, 1))
    win.open_paths([str(path)])
    wait_idle(qtbot, win)
    assert picked and picked[0][0].startswith("warm") and picked[0][1].startswith("cool")
    assert len(win.session.dataset.colours) == 3 and win.session.dataset.title == "cool"


def test_reset_during_training_is_not_overwritten_by_the_runs_last_epoch(qtbot, win):
    # tester6 F37: the last epoch the run had posted landed after the Reset ("epoch 41" shown)
    win.session.new_colours(colours(30))
    win.left.params.set_config(SOMConfig(width=20, height=16, iterations=100_000, seed=1))
    win.set_speed("max")
    win.train()
    qtbot.waitUntil(lambda: win.session.map is not None and win.session.map.iteration > 3, timeout=FIRST_RUN_TIMEOUT_MS)
    win.actions["reset"].trigger()
    assert not win.runner.busy and win.progress_label.text() == ""
    qtbot.wait(300)                                  # anything still queued would land now
    assert win.session.map.iteration == 0
    win.actions["undo"].trigger()
    assert win.session.map.iteration > 3
