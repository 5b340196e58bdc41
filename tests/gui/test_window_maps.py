"""Saved maps (.somz) in the one window: save / open / continue, the unsaved mark and
prompt, errors.  Ported from the old window's test_mapfile_gui.py."""
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
from somdesk.gui.tasks import live_workers as running_threads
from somdesk.gui.window import Window

from .helpers import FIRST_RUN_TIMEOUT_MS, make_window, open_and_wait, save_now, train, wait_idle

CFG = SOMConfig(width=12, height=9, iterations=120, seed=4, topology="hexagonal", decay="linear",
                order="shuffled", learning_rate=0.3)


def stop_part_way(qtbot, win, at_least: int = 5):
    """Train, stop after `at_least` epochs; returns the map shown."""
    win.pace = 60        # epochs per second: at 300 a loaded machine saw the 120-epoch run end before the stop
    win.train()
    qtbot.waitUntil(lambda: win.session.map.iteration >= at_least, timeout=FIRST_RUN_TIMEOUT_MS)
    win.runner.stop()
    wait_idle(qtbot, win)
    return win.session.map


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
    monkeypatch.setattr(dialogs, "ask_open_paths", lambda *a, **k: [p] if (p := ask(*a, **k)) else [])
    return Answer


@pytest.fixture
def prompt(monkeypatch):
    """The unsaved-training prompt answers `prompt.answer`; `prompt.asked` counts the questions
    and `prompt.states` holds the task state at each (the real prompt is in test_one_window)."""
    class Prompt:
        answer = "cancel"
        asked = 0
        states: list = []

    def ask(self):
        Prompt.asked += 1
        Prompt.states.append(self.runner.state)
        return Prompt.answer

    Prompt.states = []
    monkeypatch.setattr(Window, "ask_unsaved", ask)
    return Prompt


def test_save_open_and_continue_gives_the_same_weights_as_never_stopping(qtbot, colours, tmp_path, answer_save_as):
    path = tmp_path / "run.somz"
    win = make_window(qtbot, colours, CFG)
    try:
        state = stop_part_way(qtbot, win)
        k = state.iteration
        assert 0 < k < CFG.iterations and win.session.run_state == "paused"
        answer_save_as.path = path
        assert win.isWindowModified()
        win.actions["save"].trigger()               # Ctrl+S the first time asks for a name
        qtbot.waitUntil(lambda: not win.saving, timeout=FIRST_RUN_TIMEOUT_MS)      # written by a task
        assert answer_save_as.asked == 1 and path.is_file()
        assert win.actions["save"].shortcut() == QKeySequence("Ctrl+S")
        assert win.actions["save_as"].shortcut() == QKeySequence("Ctrl+Shift+S")
        assert "run.somz[*]" in win.windowTitle() and not win.isWindowModified()
        saved_weights = state.weights.copy()
    finally:
        win.close()

    win = make_window(qtbot, speed="max")           # 20 random colours, default job
    try:
        win.actions["open"].trigger()               # File > Open takes maps too
        wait_idle(qtbot, win)
        np.testing.assert_array_equal(win.session.dataset.colours, colours)
        # a saved map's seed is the map's, not a setting typed in this window (testerW #5): the
        # panel shows random, the session keeps it for Reset and the run
        assert win.left.params.config() == CFG.replace(seed=None) and win.session.config == CFG
        assert win.session.map.iteration == k
        np.testing.assert_array_equal(win.session.map.weights, saved_weights)
        assert f"epoch {k:,} of 120" in win.map_title.text()
        assert "run.somz" in win.windowTitle() and not win.isWindowModified()
        final = train(qtbot, win)                   # Train continues the opened map ...
        assert final.iteration == CFG.iterations
        assert win.isWindowModified()
    finally:
        win.close()
    reference = SOM(colours, CFG).train()           # ... to the weights of a run that never stopped
    np.testing.assert_array_equal(final.weights, reference.weights)


def test_unsaved_mark_follows_training_and_saving(qtbot, window, tmp_path, answer_save_as):
    assert "[*]" in window.windowTitle()
    assert window.session.dataset is not None and not window.isWindowModified()   # opened, nothing to lose
    train(qtbot, window)
    assert window.isWindowModified()
    answer_save_as.path = tmp_path / "a.somz"
    assert save_now(qtbot, window, lambda: window.save(ask=True))
    assert (tmp_path / "a.somz").is_file() and not window.isWindowModified()
    assert save_now(qtbot, window, window.save)     # now Save writes to it without asking
    assert answer_save_as.asked == 1
    window.step()                                   # a finished map does not step ...
    window.reset_weights()                          # ... Reset weights starts it again
    window.step()
    qtbot.waitUntil(lambda: window.session.map.iteration == 1, timeout=FIRST_RUN_TIMEOUT_MS)
    assert window.isWindowModified()
    window.runner.stop()
    wait_idle(qtbot, window)
    assert window.isWindowModified()


@pytest.mark.parametrize("choice", ["cancel", "discard", "save"])
def test_closing_with_unsaved_training_asks(qtbot, window, tmp_path, answer_save_as, prompt, choice):
    window.confirm_unsaved = True
    train(qtbot, window)
    prompt.answer = choice
    answer_save_as.path = tmp_path / "closing.somz"
    window.close()
    assert prompt.asked == 1
    if choice == "save":                            # written by a task: the window closes once it is saved
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=FIRST_RUN_TIMEOUT_MS)
    assert window.isVisible() == (choice == "cancel")
    assert (tmp_path / "closing.somz").is_file() == (choice == "save")


def test_quit_while_training_pauses_asks_and_cancel_resumes(qtbot, window, prompt):
    window.confirm_unsaved = True
    window.pace = 100
    window.left.params.set_config(SOMConfig(width=20, height=20, iterations=100_000, seed=3))
    window.train()
    qtbot.waitUntil(lambda: window.session.map.iteration > 2, timeout=FIRST_RUN_TIMEOUT_MS)
    window.actions["quit"].trigger()
    assert prompt.states == ["paused"] and window.isVisible() and window.runner.state == "running"
    prompt.answer = "discard"
    window.actions["quit"].trigger()
    assert not window.isVisible() and not running_threads()


def test_opening_another_map_asks_first(qtbot, window, tmp_path, prompt):
    from somdesk.io.mapfile import save_map

    other = tmp_path / "other.somz"
    save_map(SOM(np.eye(3), SOMConfig(width=5, height=4, iterations=10, seed=1)), other)
    window.confirm_unsaved = True
    train(qtbot, window)
    prompt.answer = "cancel"
    assert not window.open_paths([str(other)])
    assert window.session.map.shape == (20, 20) and prompt.asked == 1
    prompt.answer = "discard"
    assert open_and_wait(qtbot, window, other)
    assert window.session.map.shape == (4, 5) and len(window.session.dataset.colours) == 3


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
    wait_idle(qtbot, window)
    assert window.session.map.iteration == 10 and list(window.session.dataset.names) == ["red", "green", "blue"]
    np.testing.assert_array_equal(window.session.map.weights, som.weights)
    window.session.new_colours(seed=4)
    window.files.refresh_recent()
    next(a for a in window.recent_menu.actions() if "dropped.somz" in a.text()).trigger()
    wait_idle(qtbot, window)
    assert len(window.session.dataset.colours) == 3
    from somdesk.gui.window import WINDOWS

    before = list(WINDOWS)
    open_and_wait(qtbot, window, path, path)        # two maps: a window each (testerG #12)
    others = [w for w in WINDOWS if w not in before]
    assert len(others) == 1
    for w in (window, *others):
        wait_idle(qtbot, w)
        assert w.session.map.iteration == 10 and w.session.path == str(path)
    for w in others:
        w.confirm_unsaved = False
        w.close()


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
    (lambda p: p.write_bytes(bytes(range(256)) + os.urandom(44)), "bad.somz"),   # binary, not a ZIP
    (lambda p: zipfile.ZipFile(p, "w").close(), "bad.somz"),
    (_newer, "newer somdesk"),
])
def test_bad_map_files_are_a_dialog_and_leave_the_map(qtbot, colours, tmp_path, monkeypatch, make, needle):
    # interactive=False would print; the dialog seam records what the user would read.  (Random
    # bytes are not a ZIP, so they go to the table reader, whose interactive import preview is
    # modal: hence not a real interactive window here.)
    window = make_window(qtbot, colours, SOMConfig(width=20, height=20, iterations=60, seed=3))
    try:
        before = window.session.map.weights.copy()
        title = window.windowTitle()
        bad = tmp_path / "bad.somz"
        make(bad)
        open_and_wait(qtbot, window, bad)
        assert needle in window.last_error and "bad.somz" in window.last_error
        assert "Traceback" not in window.last_error
        np.testing.assert_array_equal(window.session.map.weights, before)
        assert window.windowTitle() == title and window.session.path is None
    finally:
        window.close()


@pytest.mark.parametrize("where", ["inside-a-file", "proc"])
def test_unwritable_places_are_a_dialog_and_leave_the_map(qtbot, window, tmp_path, answer_save_as, where):
    train(qtbot, window)
    before = window.session.map.weights.copy()
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    answer_save_as.path = blocker / "map.somz" if where == "inside-a-file" else "/proc/somdesk-test.somz"
    assert not save_now(qtbot, window, window.save)
    assert "cannot write" in window.last_error or "does not exist" in window.last_error
    assert window.session.path is None and window.isWindowModified()
    np.testing.assert_array_equal(window.session.map.weights, before)
    assert window.runner.state == "idle"


def test_an_interrupted_save_leaves_the_previous_file_byte_identical(qtbot, window, tmp_path, answer_save_as,
                                                                    monkeypatch):
    path = tmp_path / "keep.somz"
    answer_save_as.path = path
    assert save_now(qtbot, window, window.save)
    before = path.read_bytes()
    train(qtbot, window)

    def disk_full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    assert not save_now(qtbot, window, window.save)
    assert "the disk is full" in window.last_error and "keep.somz" in window.last_error
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir() if p.suffix) == ["keep.somz"]
    assert window.isWindowModified()
