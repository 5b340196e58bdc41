"""The window's Save, title mark and close prompt after Train / Reset / Undo / Redo / Save.

Save writes the map the window shows; the mark and the close prompt say whether that map
is its file's (tests/session/test_save_tells_the_truth.py walks the session's side).  Here:
what only the window does -- its own undo stack (palette edits and Reset weights) over the
session, and the prompt's buttons.
"""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from somdesk.core import SOMConfig
from somdesk.gui import dialogs
from somdesk.gui.window import Window
from somdesk.gui.window_unsaved import ONLY_IN_UNDO
from somdesk.session import Session

from .helpers import make_window, save_now, train, wait_idle

CONFIG = SOMConfig(width=4, height=3, iterations=12, seed=2)


@pytest.fixture
def win(qtbot):
    """A window on nine colours (tests that set confirm_unsaved patch the prompt: `asked`)."""
    colours = np.random.default_rng(5).random((9, 3))
    w = make_window(qtbot, colours, CONFIG)
    yield w
    w.confirm_unsaved = False
    w.close()


def saved_iteration(path) -> int:
    s = Session()
    s.open(path)
    return s.map.iteration


def save_to(win, monkeypatch, path, qtbot) -> None:
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(path))
    assert save_now(qtbot, win, lambda: win.save(ask=True))


def test_save_after_redo_of_a_reset_writes_the_map_shown_and_clears_the_mark(win, qtbot, tmp_path, monkeypatch,
                                                                              asked):
    train(qtbot, win)
    win.reset_weights()
    win.undo.undo()
    assert win.session.map.iteration == CONFIG.iterations
    win.undo.redo()
    assert win.session.map.iteration == 0
    assert win.isWindowModified() and win.unsaved_text() == ONLY_IN_UNDO[0]   # the training: in Undo only
    path = tmp_path / "reset.somz"
    save_to(win, monkeypatch, path, qtbot)
    assert saved_iteration(path) == 0                   # what the window showed
    assert not win.isWindowModified() and not win.unsaved()   # the mark follows the file
    win.undo.undo()                                     # the training again: not in the file
    assert win.session.map.iteration == CONFIG.iterations
    assert win.isWindowModified()
    win.confirm_unsaved = True
    assert not win.close() and asked.texts[-1] == "This window has training that is not saved."


def test_undo_of_a_reset_saved_over_its_training_asks_at_close(win, qtbot, tmp_path, monkeypatch, asked):
    train(qtbot, win)
    path = tmp_path / "run.somz"
    save_to(win, monkeypatch, path, qtbot)
    win.reset_weights()
    assert not win.isWindowModified()                   # the file still holds the training
    assert save_now(qtbot, win, win.save)
    assert saved_iteration(path) == 0 and not win.isWindowModified()
    win.undo.undo()                                     # the trained map: no longer the file's
    assert win.isWindowModified() and win.unsaved()
    win.confirm_unsaved = True
    assert not win.close()                              # it asked (Cancel): the training stays
    assert save_now(qtbot, win, win.save)
    assert saved_iteration(path) == CONFIG.iterations and not win.isWindowModified()


def test_training_only_in_undo_is_asked_about_without_a_save_button(win, qtbot):
    """Save writes the reset map shown: a Save button would "save" and lose the training."""
    train(qtbot, win)
    win.reset_weights()
    win.confirm_unsaved = True
    seen = {}

    def look():
        box = win._prompt
        seen["buttons"] = [b.text() for b in box.buttons()]
        seen["text"], seen["more"] = box.text(), box.informativeText()
        seen["default"] = box.defaultButton().text()
        for b in box.buttons():
            if b.text() == "Cancel":
                b.click()

    QTimer.singleShot(0, look)
    answer = win.may_discard_training()
    win.confirm_unsaved = False          # pytest-qt closes the window before the fixture's teardown
    assert not answer
    assert seen["buttons"] and "&Save" not in seen["buttons"] and "&Discard" in seen["buttons"]
    assert seen["text"] == ONLY_IN_UNDO[0] and seen["default"] == "Cancel"
    assert seen["more"] == "Closing now loses it. " + ONLY_IN_UNDO[1]
    assert "Edit › Undo until the training is back" in seen["more"]


def test_an_edit_made_before_a_run_cannot_be_undone_over_the_run(win, qtbot, asked):
    """Undo of a palette edit after a training threw the trained map away without a word and
    left the title clean: training is not undoable, in the window as in the session."""
    d = win.session.dataset
    win.edit_colours(d.colours[1:], d.names[1:], "Remove colours")
    assert win.undo.canUndo()
    train(qtbot, win)
    assert not win.undo.canUndo() and not win.actions["undo"].isEnabled()
    assert win.isWindowModified() and win.palette_edited()     # the edits are unsaved still
    win.confirm_unsaved = True
    assert not win.close() and "training" in asked.texts[-1]


def test_reset_edit_undo_undo_brings_the_training_back(win, qtbot):
    """An edit after a Reset kept the window's Reset step but cleared the session's: the
    second Undo said "Training brought back" over the reset map."""
    trained = train(qtbot, win).weights.copy()
    win.reset_weights()
    d = win.session.dataset
    win.edit_colours(d.colours[1:], d.names[1:], "Remove colours")
    win.undo.undo()                                     # the edit
    win.undo.undo()                                     # the Reset
    wait_idle(qtbot, win)
    assert win.session.map.iteration == CONFIG.iterations
    np.testing.assert_array_equal(win.session.map.weights, trained)
    assert "brought back" in win.statusBar().currentMessage()
