"""The main window: training controls, closing, orientation, parameters, palette strip."""
from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import QMessageBox, QToolBar

from somdesk.core import SOM, SOMConfig
from somdesk.gui.controller import IDLE, PAUSED, RUNNING
from somdesk.gui.tasks import live_workers as running_threads

from .helpers import FIRST_RUN_TIMEOUT_MS, make_window


def _button(win, action):
    return win.findChild(QToolBar, "training-toolbar").widgetForAction(action)


def _train_and_wait(qtbot, win):
    with qtbot.waitSignal(win.controller.finished, timeout=FIRST_RUN_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(_button(win, win.actions.train), Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_opens_ready_with_the_default_job(qtbot):
    win = make_window(qtbot, speed=None)
    try:
        assert len(win.palette.colours()) == 20
        assert win.params.config() == SOMConfig()              # 100x100, 1000 iterations
        assert win.actions.train.isEnabled()
        assert win.actions.train.shortcut() == QKeySequence("Ctrl+T")
        assert win.canvas.image.image.shape == (100, 100, 4)   # the initial map is shown
        assert win.actions.speeds["normal"].isChecked() and win.controller.pace == 200.0
    finally:
        win.close()


def test_click_train_runs_to_finished(qtbot, window):
    snap = _train_and_wait(qtbot, window)
    assert snap.final and not snap.stopped and snap.iteration == 60
    assert window.controller.state == IDLE and not running_threads()
    np.testing.assert_array_equal(window.canvas.snapshot.weights, snap.weights)
    assert window.status.progress.value() == 60
    assert len(window.metrics.points()) >= 1
    assert "Finished 60 iterations" in window.statusBar().currentMessage()


def test_ctrl_t_trains(qtbot, window):
    window.activateWindow()
    with qtbot.waitSignal(window.controller.finished, timeout=FIRST_RUN_TIMEOUT_MS):
        qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)


def test_pause_resume_step_stop_reset(qtbot, colours):
    cfg = SOMConfig(width=16, height=16, iterations=100_000, seed=9)
    win = make_window(qtbot, colours, cfg, speed="slow")
    try:
        initial = SOM(colours, cfg).weights.copy()
        with qtbot.waitSignal(win.controller.snapshot_ready, timeout=FIRST_RUN_TIMEOUT_MS):
            qtbot.mouseClick(_button(win, win.actions.train), Qt.MouseButton.LeftButton)
        assert win.controller.state == RUNNING
        assert not win.params.isEnabled() and win.palette.locked
        som = win.controller.som

        win.actions.pause.trigger()
        assert win.controller.state == PAUSED and win.actions.pause.text() == "&Resume"
        qtbot.wait(100)
        frozen = som.iteration
        qtbot.wait(250)
        assert som.iteration == frozen                     # paused: nothing moves

        with qtbot.waitSignal(win.controller.snapshot_ready, timeout=5000) as step:
            win.actions.step.trigger()
        assert step.args[0].iteration == frozen + 1 and som.iteration == frozen + 1

        win.actions.pause.trigger()                        # resume
        assert win.controller.state == RUNNING
        qtbot.waitUntil(lambda: som.iteration > frozen + 5, timeout=5000)

        with qtbot.waitSignal(win.controller.finished, timeout=5000) as stop:
            win.actions.stop.trigger()
        assert stop.args[0].stopped and stop.args[0].iteration < cfg.iterations
        assert win.controller.state == IDLE and not running_threads()
        assert win.params.isEnabled() and not win.palette.locked

        win.actions.reset.trigger()
        assert som.iteration == 0 and win.controller.som is som
        np.testing.assert_array_equal(win.canvas.snapshot.weights, initial)
        assert win.status.progress.value() == 0 and len(win.metrics.points()) == 0

        # Step while idle starts a paused run of the same map
        with qtbot.waitSignal(win.controller.snapshot_ready, timeout=5000):
            win.actions.step.trigger()
        assert win.controller.state == PAUSED and som.iteration == 1
        win.actions.reset.trigger()                        # reset also ends a paused run
        assert win.controller.state == IDLE and som.iteration == 0 and not running_threads()
    finally:
        win.close()


def test_closing_while_training_stops_the_thread_at_once(qtbot, colours):
    win = make_window(qtbot, colours, SOMConfig(width=100, height=100, iterations=100_000, seed=1),
                      speed="normal")
    with qtbot.waitSignal(win.controller.snapshot_ready, timeout=FIRST_RUN_TIMEOUT_MS):
        win.train()
    assert running_threads()
    t0 = time.perf_counter()
    win.close()
    assert time.perf_counter() - t0 < 1.0
    assert not running_threads()


def test_quit_action_while_training_stops_the_thread(qtbot, window):
    window.controller.set_pace(50)
    window.params.set_config(SOMConfig(width=20, height=20, iterations=100_000, seed=3))
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=FIRST_RUN_TIMEOUT_MS):
        window.train()
    window.actions.quit.trigger()
    assert not window.isVisible() and not running_threads()


def test_a_7x13_map_is_not_transposed(qtbot, colours):
    win = make_window(qtbot, colours, SOMConfig(width=7, height=13, iterations=5, seed=2))
    try:
        snap = _train_and_wait(qtbot, win)
        w = snap.weights
        assert w.shape == (13, 7, 3)                                  # (rows=height, cols=width)
        img = win.canvas.image.image
        assert img.shape == (13, 7, 4)                                # row-major: image[row, col]
        assert win.canvas.image.width() == 7 and win.canvas.image.height() == 13
        for r, c in [(0, 0), (0, 6), (12, 0), (12, 6), (5, 3)]:
            np.testing.assert_array_equal(img[r, c, :3], np.clip(w[r, c] * 255 + 0.5, 0, 255).astype(np.uint8))
        # on screen: 7 wide, 13 high, and the point (col + .5, row + .5) is node (row, col)
        rect = win.canvas.image.mapRectToView(win.canvas.image.boundingRect())
        assert (rect.width(), rect.height()) == (7.0, 13.0)
        assert win.canvas.node_at(6.5, 12.5) == (12, 6) and win.canvas.node_at(0.5, 12.5) == (12, 0)
        # the rendered pixel at the view position of node (12, 0) has that node's colour
        grab = win.canvas.grab().toImage()
        px = win.canvas.mapFromScene(win.canvas.vb.mapViewToScene(QPointF(0.5, 12.5)))
        colour = QColor(grab.pixel(px.x(), px.y()))
        expected = np.clip(w[12, 0] * 255 + 0.5, 0, 255)
        assert np.allclose([colour.red(), colour.green(), colour.blue()], expected, atol=3)
    finally:
        win.close()


def test_panel_values_reach_the_core(qtbot, colours):
    win = make_window(qtbot, colours)
    try:
        p = win.params
        p.width_spin.setValue(12)
        p.height_spin.setValue(10)
        p.iterations_spin.setValue(30)
        p.lr_spin.setValue(0.25)
        p.sigma_spin.setValue(4.0)
        p.neighbourhood_combo.setCurrentIndex(p.neighbourhood_combo.findData("bubble"))
        p.decay_combo.setCurrentIndex(p.decay_combo.findData("linear"))
        p.topology_combo.setCurrentIndex(p.topology_combo.findData("hexagonal"))
        p.toroidal_check.setChecked(True)
        p.init_combo.setCurrentIndex(p.init_combo.findData("pca"))
        p.order_combo.setCurrentIndex(p.order_combo.findData("shuffled"))
        p.mode_combo.setCurrentIndex(p.mode_combo.findData("batch"))
        p.seed_spin.setValue(42)
        qtbot.waitUntil(lambda: win.actions.train.isEnabled(), timeout=2000)
        with qtbot.waitSignal(win.controller.started, timeout=5000) as started:
            with qtbot.waitSignal(win.controller.finished, timeout=FIRST_RUN_TIMEOUT_MS):
                qtbot.mouseClick(_button(win, win.actions.train), Qt.MouseButton.LeftButton)
        som = started.args[0]
        assert som.config == SOMConfig(width=12, height=10, iterations=30, learning_rate=0.25, sigma=4.0,
                                       neighbourhood="bubble", decay="linear", topology="hexagonal",
                                       toroidal=True, init="pca", order="shuffled", mode="batch", seed=42)
        np.testing.assert_array_equal(som.data, colours)
        # "auto" sigma and "random" seed reach the core as None
        p.sigma_spin.setValue(0.0)
        p.seed_spin.setValue(-1)
        assert p.config().sigma is None and p.config().seed is None
        assert p.sigma_spin.text() == "auto (6)"
        p.reset_defaults()
        assert p.config() == SOMConfig()
    finally:
        win.close()


@pytest.mark.parametrize("changes, words", [
    (dict(topology="hexagonal", toroidal=True, height=13), "even height"),
    (dict(mode="batch", neighbourhood="mexican-hat"), "batch"),
])
def test_invalid_combinations_are_explained_in_place(qtbot, window, changes, words):
    window.params.set_config(SOMConfig(width=20, height=20).replace(**{k: v for k, v in changes.items()
                                                                        if k == "height"}))
    p = window.params
    if "topology" in changes:
        p.topology_combo.setCurrentIndex(p.topology_combo.findData("hexagonal"))
        p.toroidal_check.setChecked(True)
    else:
        p.mode_combo.setCurrentIndex(p.mode_combo.findData("batch"))
        p.neighbourhood_combo.setCurrentIndex(p.neighbourhood_combo.findData("mexican-hat"))
    qtbot.waitUntil(lambda: not p.valid, timeout=2000)
    assert p.error_label.isVisible() and words in p.error_label.text()
    assert not window.actions.train.isEnabled() and not window.actions.step.isEnabled()
    window.train()                                          # refused, not a crash
    assert window.controller.state == IDLE
    p.reset_defaults()
    qtbot.waitUntil(lambda: p.valid, timeout=2000)
    assert not p.error_label.isVisible() and window.actions.train.isEnabled()


def test_no_colours_disables_train(qtbot, window):
    window.palette.clear()
    qtbot.waitUntil(lambda: not window.actions.train.isEnabled(), timeout=2000)
    assert "at least one input colour" in window.params.error_label.text()
    window.palette.add_colour(QColor("#ff8800"))
    qtbot.waitUntil(lambda: window.actions.train.isEnabled(), timeout=2000)


def test_palette_strip_edits_and_refuses_while_training(qtbot, window, colours):
    strip = window.palette
    strip.list.setCurrentRow(2)
    strip.edit_selected(QColor(255, 0, 0))
    assert np.allclose(strip.colours()[2], [1, 0, 0])
    strip.remove_selected()
    assert len(strip.colours()) == 19
    strip.add_colour(QColor(0, 0, 255))
    assert len(strip.colours()) == 20 and np.allclose(strip.colours()[-1], [0, 0, 1])
    strip.randomise(7)
    assert strip.colours().shape == (7, 3)

    window.controller.set_pace(50)
    window.params.set_config(SOMConfig(width=20, height=20, iterations=100_000, seed=3))
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=FIRST_RUN_TIMEOUT_MS):
        window.train()
    assert not any(b.isEnabled() for b in (strip.add_button, strip.edit_button, strip.remove_button,
                                            strip.clear_button, strip.random_button))
    before = strip.colours()
    with qtbot.waitSignal(strip.edit_refused) as refused:
        strip.list.setCurrentRow(0)
        strip.remove_selected()
    assert "Stop the training" in refused.args[0]
    np.testing.assert_array_equal(strip.colours(), before)
    assert not window.actions.open.isEnabled()
    assert not window.open_palette("/nonexistent.gpl")      # refused while training, no dialog
    window.controller.stop()
    qtbot.waitUntil(lambda: window.controller.state == IDLE, timeout=5000)
    assert strip.add_button.isEnabled()


def test_worker_failure_shows_a_dialog(qtbot, window, monkeypatch):
    monkeypatch.setattr(SOM, "step", lambda self: 1 / 0)
    with qtbot.waitSignal(window.controller.failed, timeout=FIRST_RUN_TIMEOUT_MS):
        window.train()
    assert window.last_error.startswith("Unexpected error")
    box = window.findChild(QMessageBox, "somdesk-message")
    assert box is not None and "ZeroDivisionError" in box.detailedText()
    assert window.controller.state == IDLE and not running_threads()


def test_about_shows_the_version(qtbot, window):
    import somdesk

    window.actions.about.trigger()
    box = window.findChild(QMessageBox, "somdesk-message")
    assert box is not None and somdesk.__version__ in box.text()
    box.close()


def test_excepthook_shows_a_dialog(qtbot, window, monkeypatch):
    import sys

    from somdesk.gui.app import _install_excepthook

    previous = _install_excepthook([window])
    try:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = previous
    assert window.last_error == "Unexpected error: RuntimeError: boom"
