"""Palette edits alone are unsaved work (tester6 F39): the modified mark, the close and
open-another prompts, Save palette as / Save map making them clean, Undo back to the
saved colours making them clean again."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.core import SOMConfig
from somdesk.gui import dialogs
from somdesk.gui.window import Window

from .helpers import make_window, open_and_wait, save_now, train

GPL = "GIMP Palette\nName: Four\n#\n255 0 0 Red\n0 255 0 Green\n0 0 255 Blue\n255 255 0 Yellow\n"


@pytest.fixture
def gpl(tmp_path):
    path = tmp_path / "four.gpl"
    path.write_text(GPL)
    return path


@pytest.fixture
def pal_win(qtbot, gpl, asked):
    """A window on four.gpl that asks before losing work (the prompt patched: `asked`;
    pytest-qt closes its widgets before this fixture's teardown runs)."""
    win = make_window(qtbot)
    win.confirm_unsaved = True
    assert open_and_wait(qtbot, win, gpl)
    assert win.session.kind == "colours" and len(win.session.dataset.colours) == 4
    yield win
    win.confirm_unsaved = False
    win.close()


def remove_first(win):
    d = win.session.dataset
    win.edit_colours(d.colours[1:], d.names[1:], "Remove colours")


def test_an_edit_is_unsaved_and_a_close_asks(pal_win, asked):
    assert not pal_win.isWindowModified() and not pal_win.unsaved()     # opened: nothing to lose
    remove_first(pal_win)
    assert len(pal_win.session.dataset.colours) == 3
    assert pal_win.isWindowModified() and pal_win.unsaved()
    assert not pal_win.close()                       # Cancel: the window stays
    assert pal_win.isVisible() and "palette edits" in asked.texts[-1]
    asked.answer = "discard"
    assert pal_win.close()


@pytest.mark.parametrize("edit", ["add", "random", "remove"])
def test_every_kind_of_edit_asks_before_another_file_replaces_it(pal_win, asked, qtbot, tmp_path, edit):
    other = tmp_path / "other.gpl"
    other.write_text(GPL.replace("Four", "Other"))
    sw = pal_win.left.swatches
    if edit == "add":
        from PySide6.QtGui import QColor
        sw.add_colour(QColor(10, 20, 30))
    elif edit == "random":
        sw.randomise(5, np.random.default_rng(1))
    else:
        remove_first(pal_win)
    assert pal_win.isWindowModified()
    assert not pal_win.open_paths([str(other)])      # Cancel keeps the edited palette
    assert len(asked.texts) == 1 and pal_win.session.dataset.title != "Other"
    asked.answer = "discard"
    assert open_and_wait(qtbot, pal_win, other)
    assert pal_win.session.dataset.source == str(other)
    assert not pal_win.isWindowModified() and not pal_win.undo.canUndo()   # a new file: its own history


def test_undo_back_to_the_opened_colours_is_clean_and_redo_is_not(pal_win):
    opened = pal_win.session.dataset.colours.copy()
    remove_first(pal_win)
    remove_first(pal_win)
    pal_win.undo.undo()
    assert pal_win.isWindowModified()
    pal_win.undo.undo()
    np.testing.assert_array_equal(pal_win.session.dataset.colours, opened)
    assert not pal_win.isWindowModified() and not pal_win.unsaved()
    pal_win.undo.redo()
    assert pal_win.isWindowModified()


def test_save_palette_as_makes_the_edits_clean_until_the_next(pal_win, tmp_path, monkeypatch):
    remove_first(pal_win)
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(tmp_path / "edited.gpl"))
    assert pal_win.files.save_palette_as()
    assert not pal_win.isWindowModified() and not pal_win.unsaved()
    pal_win.undo.undo()                              # the colours before the save: not on disk
    assert pal_win.isWindowModified()
    pal_win.undo.redo()                              # back to what was saved
    assert not pal_win.isWindowModified()
    remove_first(pal_win)
    assert pal_win.isWindowModified()


def test_save_map_makes_the_edits_clean(pal_win, qtbot, tmp_path, monkeypatch):
    remove_first(pal_win)
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(tmp_path / "edited.somz"))
    assert save_now(qtbot, pal_win, pal_win.save)
    assert (tmp_path / "edited.somz").is_file() and not pal_win.isWindowModified()


def test_a_new_undo_after_undoing_past_the_saved_state_stays_unsaved(pal_win, tmp_path, monkeypatch):
    remove_first(pal_win)
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(tmp_path / "edited.gpl"))
    assert pal_win.files.save_palette_as()
    pal_win.undo.undo()
    remove_first(pal_win)                            # the saved state can no longer be reached
    assert pal_win.undo.cleanIndex() == -1 and pal_win.isWindowModified()


def test_another_colour_space_keeps_the_edits_unsaved(pal_win):
    remove_first(pal_win)
    combo = pal_win.colour_space.combo
    combo.setCurrentIndex(combo.findData("oklab"))
    assert pal_win.session.dataset.space == "oklab" and len(pal_win.session.dataset.colours) == 3
    assert pal_win.isWindowModified() and pal_win.undo.canUndo()


def test_training_words_stay_when_training_is_what_is_unsaved(pal_win, qtbot, asked):
    remove_first(pal_win)
    small = SOMConfig(width=6, height=5, iterations=20, seed=1)
    pal_win.left.params.set_config(small)
    pal_win.session.set_config(small)
    train(qtbot, pal_win)
    assert pal_win.session.unsaved
    assert not pal_win.close() and "training" in asked.texts[-1]


def test_the_prompt_says_what_happens_instead_of_closing(pal_win):
    """testerW #7: opening another file over unsaved work asked "Save it before closing?"."""
    pal_win._unsaved_for = "open"
    assert pal_win.unsaved_question(False) == "Opening another file replaces it. Save it first?"
    assert pal_win.unsaved_question(True).startswith("Opening another file replaces them. Save them in a map (.somz) first?")
    pal_win.may_discard_training()          # a close: nothing is unsaved, but the question is set
    assert pal_win.unsaved_question(False) == "Save it before closing?"
    pal_win.may_discard_training(opening=True)
    assert "Opening another file" in pal_win.unsaved_question(False)


# -- a palette edit over a trained, unsaved map (fixC): the training stays in Undo -----------------

SMALL = SOMConfig(width=6, height=5, iterations=20, seed=1)


def trained(win, qtbot):
    win.left.params.set_config(SMALL)
    win.session.set_config(SMALL)
    train(qtbot, win)
    assert win.session.map.iteration == SMALL.iterations and win.session.unsaved


@pytest.mark.parametrize("edit", ["add", "remove", "recolour"])
def test_an_edit_over_unsaved_training_keeps_it_in_undo(pal_win, qtbot, asked, edit):
    """Train, do not save, edit the palette: the edit's Undo brings the trained map back (it
    came back untrained, the epochs gone without a word), and until then a close asks."""
    trained(pal_win, qtbot)
    before = pal_win.session.dataset.colours.copy()
    d = pal_win.session.dataset
    if edit == "add":
        from PySide6.QtGui import QColor
        pal_win.left.swatches.add_colour(QColor(10, 20, 30))
    elif edit == "remove":
        remove_first(pal_win)
    else:
        recoloured = d.with_alpha.copy()
        recoloured[0, :3] = (0.5, 0.5, 0.5)
        pal_win.edit_colours(recoloured, d.names, "Edit colour")
    assert pal_win.session.map.iteration == 0                     # the edited colours: a fresh map
    assert pal_win.unsaved() and pal_win.isWindowModified()
    assert "Ctrl+Z brings the training back" in pal_win.statusBar().currentMessage()
    assert not pal_win.close() and "palette edit took it off the map" in asked.texts[-1]
    pal_win.undo.undo()
    np.testing.assert_array_equal(pal_win.session.dataset.colours, before)
    assert pal_win.session.map.iteration == SMALL.iterations     # the training is back
    assert pal_win.session.unsaved and pal_win.isWindowModified()
    pal_win.undo.redo()                                           # the edit again: training in Undo
    assert pal_win.session.map.iteration == 0 and pal_win.unsaved()
    pal_win.undo.undo()
    assert pal_win.session.map.iteration == SMALL.iterations


def test_an_edit_after_a_reset_then_two_undos_bring_the_training_back(pal_win, qtbot):
    trained(pal_win, qtbot)
    pal_win.reset_weights()
    remove_first(pal_win)
    pal_win.undo.undo()                   # the edit: the reset map of the four colours
    assert len(pal_win.session.dataset.colours) == 4 and pal_win.session.map.iteration == 0
    pal_win.undo.undo()                   # the Reset
    assert pal_win.session.map.iteration == SMALL.iterations


def test_an_edit_over_a_saved_map_asks_nothing_and_undo_still_brings_it_back(pal_win, qtbot, tmp_path,
                                                                             monkeypatch, asked):
    trained(pal_win, qtbot)
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(tmp_path / "trained.somz"))
    assert save_now(qtbot, pal_win, pal_win.save)
    remove_first(pal_win)
    assert "palette edits" in pal_win.unsaved_text()              # the training is in its file
    pal_win.undo.undo()
    assert pal_win.session.map.iteration == SMALL.iterations and not pal_win.isWindowModified()
