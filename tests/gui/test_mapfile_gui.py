"""Saved maps in the window: save / open / continue, the unsaved mark and prompt, errors."""
from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QKeySequence
from PySide6.QtWidgets import QMessageBox

from somdesk.core import SOM, SOMConfig
from somdesk.gui import dialogs
from somdesk.gui.controller import IDLE, PAUSED, RUNNING
from somdesk.gui.tasks import live_workers as running_threads

from .helpers import FIRST_RUN_TIMEOUT_MS, make_window

CFG = SOMConfig(width=12, height=9, iterations=120, seed=4, topology="hexagonal", decay="linear",
                order="shuffled", learning_rate=0.3)


def stop_part_way(qtbot, win, at_least: int = 5):
    """Train, stop after `at_least` iterations, return the final snapshot."""
    win.controller.set_pace(300)
    win.train()
    qtbot.waitUntil(lambda: win.canvas.snapshot.iteration >= at_least, timeout=FIRST_RUN_TIMEOUT_MS)
    with qtbot.waitSignal(win.controller.finished, timeout=5000) as blocker:
        win.controller.stop()
    return blocker.args[0]


def train_to_end(qtbot, win):
    with qtbot.waitSignal(win.controller.finished, timeout=FIRST_RUN_TIMEOUT_MS) as blocker:
        win.train()
    return blocker.args[0]


@pytest.fixture
def answer_save_as(monkeypatch):
    """File dialogs answer with the path in `answer_save_as.path` (None = Cancel)."""
    class Answer:
        path = None
        asked = 0

    def ask(*_args, **_kw):
        Answer.asked += 1
        return None if Answer.path is None else str(Answer.path)

    monkeypatch.setattr(dialogs, "ask_save_path", ask)
    monkeypatch.setattr(dialogs, "ask_open_path", ask)
    return Answer


def test_save_open_and_continue_gives_the_same_weights_as_never_stopping(qtbot, colours, tmp_path, answer_save_as):
    path = tmp_path / "run.somz"
    win = make_window(qtbot, colours, CFG)
    try:
        snap = stop_part_way(qtbot, win)
        k = snap.iteration
        assert 0 < k < CFG.iterations and snap.stopped
        answer_save_as.path = path
        assert not win.isWindowModified() or True
        win.actions.save_map.trigger()              # Ctrl+S the first time asks for a name
        assert answer_save_as.asked == 1 and path.is_file()
        assert win.actions.save_map.shortcut() == QKeySequence("Ctrl+S")
        assert win.actions.save_map_as.shortcut() == QKeySequence("Ctrl+Shift+S")
        assert "run.somz[*]" in win.windowTitle() and not win.isWindowModified()
        saved_weights = snap.weights.copy()
    finally:
        win.close()

    win = make_window(qtbot, speed="max")           # 20 random colours, default job
    try:
        win.actions.open.trigger()                  # File > Open accepts maps too
        np.testing.assert_array_equal(win.palette.colours(), colours)
        assert win.params.config() == CFG
        assert win.controller.som.iteration == k and win.canvas.snapshot.iteration == k
        np.testing.assert_array_equal(win.canvas.snapshot.weights, saved_weights)
        assert f"Iteration {k:,} / 120" == win.status.iteration.text()
        assert "run.somz" in win.windowTitle() and not win.isWindowModified()
        final = train_to_end(qtbot, win)            # Train continues the opened map ...
        assert final.iteration == CFG.iterations and not final.stopped
        assert win.isWindowModified()
    finally:
        win.close()
    reference = SOM(colours, CFG).train()           # ... to the weights of a run that never stopped
    np.testing.assert_array_equal(final.weights, reference.weights)


def test_unsaved_mark_follows_training_and_saving(qtbot, window, tmp_path, answer_save_as):
    assert not window.isWindowModified() and "[*]" in window.windowTitle()
    train_to_end(qtbot, window)
    assert window.isWindowModified()
    answer_save_as.path = tmp_path / "a"            # no extension: .somz is added
    assert window.map_file.save_as()
    assert (tmp_path / "a.somz").is_file() and not window.isWindowModified()
    assert window.map_file.save()                   # now Save writes to it without asking
    assert answer_save_as.asked == 1
    window.reset_weights()                          # back to iteration 0: nothing to lose
    assert not window.isWindowModified()
    window.step()                                   # one iteration: unsaved again
    qtbot.waitUntil(lambda: window.canvas.snapshot.iteration == 1, timeout=FIRST_RUN_TIMEOUT_MS)
    assert window.isWindowModified()
    with qtbot.waitSignal(window.controller.finished, timeout=5000):
        window.controller.stop()
    assert window.isWindowModified()


@pytest.mark.parametrize("choice", ["cancel", "discard", "save"])
def test_closing_with_unsaved_training_asks(qtbot, window, tmp_path, monkeypatch, answer_save_as, choice):
    window.confirm_unsaved = True
    train_to_end(qtbot, window)
    asked = []
    monkeypatch.setattr(dialogs, "ask_unsaved_changes",
                        lambda parent, name, on_answer: (asked.append(name), on_answer(choice)))
    answer_save_as.path = tmp_path / "closing.somz"
    window.close()
    assert asked == ["untitled map"]
    assert window.isVisible() == (choice == "cancel")
    assert (tmp_path / "closing.somz").is_file() == (choice == "save")


def test_quit_while_training_pauses_asks_and_cancel_resumes(qtbot, window, monkeypatch):
    window.confirm_unsaved = True
    window.controller.set_pace(100)
    window.params.set_config(SOMConfig(width=20, height=20, iterations=100_000, seed=3))
    qtbot.waitUntil(lambda: window.params.valid, timeout=2000)
    window.train()
    qtbot.waitUntil(lambda: window.canvas.snapshot.iteration > 2, timeout=FIRST_RUN_TIMEOUT_MS)
    states = []
    monkeypatch.setattr(dialogs, "ask_unsaved_changes",
                        lambda parent, name, on_answer: (states.append(window.controller.state), on_answer("cancel")))
    window.actions.quit.trigger()
    assert states == [PAUSED] and window.isVisible() and window.controller.state == RUNNING
    monkeypatch.setattr(dialogs, "ask_unsaved_changes", lambda parent, name, on_answer: on_answer("discard"))
    window.actions.quit.trigger()
    assert not window.isVisible() and not running_threads()


def test_the_real_prompt_is_a_non_blocking_message_box(qtbot, window):
    window.confirm_unsaved = True
    train_to_end(qtbot, window)
    window.close()                                   # returns at once: the box is open, not exec'd
    box = window.findChild(QMessageBox, "somdesk-unsaved")
    assert box is not None and box.isVisible() and window.isVisible()
    assert "Save the trained map" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert window.isVisible()
    window.close()
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "somdesk-unsaved") is not None, timeout=2000)
    box = window.findChild(QMessageBox, "somdesk-unsaved")
    box.button(QMessageBox.StandardButton.Discard).click()
    assert not window.isVisible()


def test_opening_another_map_asks_first(qtbot, window, tmp_path, monkeypatch):
    from somdesk.io.mapfile import save_map

    other = tmp_path / "other.somz"
    save_map(SOM(np.eye(3), SOMConfig(width=5, height=4, iterations=10, seed=1)), other)
    window.confirm_unsaved = True
    train_to_end(qtbot, window)
    monkeypatch.setattr(dialogs, "ask_unsaved_changes", lambda parent, name, on_answer: on_answer("cancel"))
    window.open_files([str(other)])
    assert window.controller.som.config.width == 20
    monkeypatch.setattr(dialogs, "ask_unsaved_changes", lambda parent, name, on_answer: on_answer("discard"))
    window.open_files([str(other)])
    assert window.controller.som.config.width == 5 and len(window.palette.colours()) == 3


def test_drop_and_recent_files_open_maps(qtbot, window, tmp_path):
    from somdesk.io.mapfile import save_map

    path = tmp_path / "dropped.somz"
    som = SOM(np.eye(3), SOMConfig(width=6, height=4, iterations=30, seed=2))
    som.train(lambda info: info.iteration < 9)
    save_map(som, path, ["red", "green", "blue"])
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    window.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    assert window.controller.som.iteration == 10 and window.palette.names() == ["red", "green", "blue"]
    np.testing.assert_array_equal(window.canvas.snapshot.weights, som.weights)
    window.palette.randomise(4)
    next(a for a in window.recent_menu.actions() if "dropped.somz" in a.text()).trigger()
    assert len(window.palette.colours()) == 3
    assert not window.open_files([str(path), str(path)]) and "one map" in window.last_error


def test_command_line_opens_a_map(tmp_path):
    """`somdesk MAP.somz`: the smoke mode opens it through the same path as the command line."""
    from somdesk.io.mapfile import save_map

    path = tmp_path / "cli.somz"
    som = SOM(np.random.default_rng(0).random((5, 3)), SOMConfig(width=7, height=6, iterations=40, seed=5))
    som.train(lambda info: info.iteration < 19)
    save_map(som, path)
    proc = subprocess.run([sys.executable, "-m", "somdesk", "--smoke-test", str(tmp_path / "o.png"), str(path)],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "smoke test OK: 7x6 map, 40 iterations" in proc.stdout


def _newer(path):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("meta.json", json.dumps({"format": "somdesk-map", "format_version": 99}))


@pytest.mark.parametrize("make,needle", [
    (lambda p: p.write_bytes(os.urandom(300)), "not a somdesk"),
    (lambda p: zipfile.ZipFile(p, "w").close(), "not a somdesk"),
    (_newer, "newer somdesk"),
])
def test_bad_map_files_are_a_dialog_and_leave_the_map(qtbot, window, tmp_path, make, needle):
    before = window.canvas.snapshot.weights.copy()
    title = window.windowTitle()
    bad = tmp_path / "bad.somz"
    make(bad)
    assert not window.open_files([str(bad)])
    assert needle in window.last_error and "bad.somz" in window.last_error
    box = window.findChild(QMessageBox, "somdesk-message")
    assert box is not None and box.text() == window.last_error
    np.testing.assert_array_equal(window.canvas.snapshot.weights, before)
    assert window.windowTitle() == title and window.map_file.path is None


@pytest.mark.parametrize("where", ["inside-a-file", "proc"])
def test_unwritable_places_are_a_dialog_and_leave_the_map(qtbot, window, tmp_path, answer_save_as, where):
    train_to_end(qtbot, window)
    before = window.canvas.snapshot.weights.copy()
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    answer_save_as.path = blocker / "map.somz" if where == "inside-a-file" else "/proc/somdesk-test.somz"
    assert not window.map_file.save()
    assert "cannot write" in window.last_error or "does not exist" in window.last_error
    assert window.map_file.path is None and window.isWindowModified()
    np.testing.assert_array_equal(window.canvas.snapshot.weights, before)
    assert window.controller.state == IDLE


def test_an_interrupted_save_leaves_the_previous_file_byte_identical(qtbot, window, tmp_path, answer_save_as,
                                                                    monkeypatch):
    path = tmp_path / "keep.somz"
    answer_save_as.path = path
    assert window.map_file.save()
    before = path.read_bytes()
    train_to_end(qtbot, window)

    def disk_full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    assert not window.map_file.save()
    assert "No space left on device" in window.last_error and "keep.somz" in window.last_error
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir() if p.suffix) == ["keep.somz"]
    assert window.isWindowModified()
