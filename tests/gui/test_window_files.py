"""Files around the one window: Open (filters, drop, errors), Open Recent, Open Sample,
Save palette as, Export organised palette.  Ported from the old window's
test_files_settings.py and test_palette_gui.py (same assertions on the new window)."""
from __future__ import annotations

import os

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QKeySequence

from somdesk import render
from somdesk.gui import dialogs
from somdesk.gui.settings import Settings
from somdesk.io.palettes import READ_FILTERS, WRITE_FILTERS, read_palette

from .helpers import make_window, open_and_wait, train

GPL = "GIMP Palette\nName: Three\n#\n255   0   0 Red\n  0 255   0 Green\n  0   0 255 Blue\n"


@pytest.fixture
def gpl(tmp_path):
    path = tmp_path / "three.gpl"
    path.write_text(GPL)
    return path


@pytest.fixture
def messages(monkeypatch):
    """Every message dialog, recorded instead of shown."""
    shown = []
    monkeypatch.setattr(dialogs, "show_message", lambda parent, title, text, details="", **kw: shown.append(text))
    return shown


def bytes8(colours):
    return np.rint(np.asarray(colours) * 255).astype(int)


def drop(win, *paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    win.dropEvent(QDropEvent(QPointF(3, 3), Qt.DropAction.CopyAction, mime,
                             Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))


def recent_action(win, name):
    win.files.refresh_recent()
    return next(a for a in win.recent_menu.actions() if name in a.text())


def test_open_dialog_offers_everything_then_each_palette_format_and_maps(qtbot, window, gpl, monkeypatch):
    seen = {}

    def ask(parent, title, start, filters):
        seen["filters"], seen["start"] = filters.split(";;"), start
        return str(gpl)

    # File › Open: several files may be chosen
    monkeypatch.setattr(dialogs, "ask_open_paths", lambda *a, **k: [ask(*a, **k)])
    assert window.actions["open"].shortcut() == QKeySequence("Ctrl+O")
    window.actions["open"].trigger()
    f = seen["filters"]
    assert f[0].startswith("Everything somdesk opens (") and all(p in f[0] for p in ("*.somz", "*.gpl", "*.csv",
                                                                                   "*.jpg"))
    assert f[1].startswith("All palettes (") and all(p in f[1] for _l, pats in READ_FILTERS for p in pats)
    for label, pats in READ_FILTERS:
        assert f"{label} ({' '.join(pats)})" in f
    assert "somdesk maps (*.somz)" in f and f[-1] == "All files (*)"
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=5000)
    qtbot.waitUntil(lambda: window.session.dataset.title == "Three", timeout=2000)
    np.testing.assert_array_equal(window.session.dataset.colours, np.eye(3))
    assert list(window.session.dataset.names) == ["Red", "Green", "Blue"]
    assert "Three" in window.windowTitle() and "3 colours" in window.windowTitle()
    # the next dialog starts in the folder of the file just opened
    window.open_dialog()
    assert seen["start"] == str(gpl.parent)


def test_open_recent_is_kept_for_every_window_and_clear_list_empties_it(qtbot, gpl):
    win = make_window(qtbot)
    try:
        assert open_and_wait(qtbot, win, gpl)
        assert Settings().recent_files() == [str(gpl)]
        assert any("three.gpl" in a.text() for a in win.recent_menu.actions())
    finally:
        win.close()
    win = make_window(qtbot)               # a new window (and a new launch) lists it too
    try:
        assert len(win.session.dataset.colours) == 20
        recent_action(win, "three.gpl").trigger()
        qtbot.waitUntil(lambda: len(win.session.dataset.colours) == 3, timeout=5000)
        clear = recent_action(win, "Clear list")
        clear.trigger()
        assert Settings().recent_files() == []
        assert [a.text() for a in win.recent_menu.actions()] == ["(none)"]
        assert not win.recent_menu.actions()[0].isEnabled()
    finally:
        win.close()


def test_drop_and_a_recent_file_that_has_gone(window, gpl, qtbot):
    drop(window, gpl)
    qtbot.waitUntil(lambda: "Three" in window.windowTitle(), timeout=5000)
    assert len(window.session.dataset.colours) == 3
    assert Settings().recent_files() == [str(gpl)]
    window.session.new_colours(seed=7)
    recent_action(window, "three.gpl").trigger()
    qtbot.waitUntil(lambda: len(window.session.dataset.colours) == 3, timeout=5000)
    gpl.unlink()                                           # a recent file that has gone
    recent_action(window, "three.gpl").trigger()
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=5000)
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=5000)
    assert "three.gpl" in window.last_error and Settings().recent_files() == []


def test_several_files_are_combined(qtbot, window, gpl, tmp_path):
    other = tmp_path / "other.gpl"
    other.write_text(GPL.replace("Three", "Other"))
    assert open_and_wait(qtbot, window, gpl, other)
    assert len(window.session.dataset.colours) == 6 and "2 palettes" in window.windowTitle()
    assert Settings().recent_files()[:2] == [str(other), str(gpl)]


@pytest.mark.parametrize("content", [
    b"GIMP Palette\nName: Bad\n#\n255 0 0 Red\n0 255 this is not a colour\n",   # half readable
    b"\x00\x01\x02 not a palette at all",
])
def test_a_corrupt_file_is_a_dialog_and_the_palette_stays(qtbot, gpl, tmp_path, messages, content):
    win = make_window(qtbot, interactive=True)
    try:
        bad = tmp_path / "broken.gpl"
        bad.write_bytes(content)
        assert open_and_wait(qtbot, win, gpl)
        before = win.session.dataset.colours.copy()
        open_and_wait(qtbot, win, bad)
        open_and_wait(qtbot, win, gpl, bad)                 # nor when combined with a good one
        assert len(messages) == 2 and all("broken.gpl" in m for m in messages)
        assert messages[-1] == win.last_error and len(messages[0]) > len("broken.gpl: ")
        np.testing.assert_array_equal(win.session.dataset.colours, before)
        assert "Three" in win.windowTitle()
        open_and_wait(qtbot, win, tmp_path / "nope.gpl")
        assert "nope.gpl" in win.last_error and len(messages) == 3
    finally:
        win.close()


def test_samples_open_from_the_file_menu(qtbot, window):
    from somdesk.gui.window_files import sample_files

    samples = sample_files()
    actions = window.samples_menu.actions()
    assert len(actions) == len(samples) >= 3 and window.samples_menu.isEnabled()
    opened = {}
    for act, path in zip(actions, samples):
        act.trigger()
        qtbot.waitUntil(lambda: not window.runner.busy, timeout=30_000)
        if path.endswith(".csv"):        # a table goes to the Segments dock (gui/table_open.py)
            opened[os.path.basename(path)] = window.tables.path == path and window.tables.table is not None
        else:
            qtbot.waitUntil(lambda p=path: window.session.dataset is not None
                            and getattr(window.session.dataset, "source", None) == p, timeout=5000)
            opened[os.path.basename(path)] = window.session.kind == "colours"
    assert opened["rainbow-24.gpl"] and opened["customers.csv"] and all(opened.values()), opened
    assert Settings().recent_files() == []                 # samples are not "recent" files


@pytest.mark.parametrize("label,ext", [(label, pats[0][1:]) for label, pats in WRITE_FILTERS])
def test_save_palette_as_every_writable_format(qtbot, window, gpl, tmp_path, monkeypatch, label, ext):
    assert open_and_wait(qtbot, window, gpl)
    window.edit_colours(np.vstack([window.session.dataset.colours, [[10 / 255, 200 / 255, 30 / 255]]]),
                        list(window.session.dataset.names) + [""], "Add colour")
    asked = {}

    def ask(parent, title, start, filters):
        asked["filters"] = filters
        return str(tmp_path / f"out{ext}")

    monkeypatch.setattr(dialogs, "ask_save_path", ask)
    assert window.actions["save_palette"].isEnabled()
    window.actions["save_palette"].trigger()
    assert asked["filters"] == WRITE_FILTERS
    back = read_palette(tmp_path / f"out{ext}")
    np.testing.assert_array_equal(bytes8(back.to_array()), bytes8(window.session.dataset.colours))
    if ext == ".gpl":
        assert [s.name for s in back.swatches][:3] == ["Red", "Green", "Blue"] and back.name == "Three"


def test_save_palette_is_for_colour_datasets_only(qtbot, window, tmp_path):
    assert window.actions["save_palette"].isEnabled()
    window.session.new_image(np.zeros((80, 90, 3), dtype=np.uint8), title="black")
    window.refresh()
    assert not window.actions["save_palette"].isEnabled()
    assert not window.files.save_palette_as(str(tmp_path / "x.gpl"))


def test_save_as_adds_the_chosen_formats_extension():
    assert dialogs.with_suffix("/x/colours", "Adobe Swatch Exchange (*.ase)") == "/x/colours.ase"
    assert dialogs.with_suffix("/x/colours.ASE", "Adobe Swatch Exchange (*.ase)") == "/x/colours.ASE"


@pytest.mark.parametrize("choice", [16, None])
def test_export_organised_palette(qtbot, window, tmp_path, monkeypatch, choice):
    assert not window.actions["export_palette"].isEnabled() or window.session.map is not None
    train(qtbot, window)
    out = tmp_path / "organised.gpl"
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(out))
    assert window.actions["export_palette"].isEnabled()
    window.actions["export_palette"].trigger()
    d = window.files.dialog
    assert d.isVisible()
    sizes = [d.combo.itemData(i) for i in range(d.combo.count())]
    assert sizes == [16, 32, 64, 128, 256, None]            # a 20 x 20 map: every preset fits, and "all"
    d.combo.setCurrentIndex(sizes.index(choice))
    assert not d.preview.pixmap().isNull()
    d.accept()
    back = read_palette(out)
    expected, _nodes = render.organised_colours(window.session.map.weights, choice)
    assert len(back) == (16 if choice else 400)
    np.testing.assert_array_equal(bytes8(back.to_array()), bytes8(np.clip(expected[:, :3], 0, 1)))
    assert "organised" in back.name


def test_an_unwritable_palette_target_is_one_message(qtbot, window, tmp_path):
    assert not window.files.save_palette_as(str(tmp_path / "no-such-dir" / "x.gpl"))
    assert window.last_error and "Traceback" not in window.last_error


def test_the_open_dialogs_offer_every_table_format_the_reader_knows():
    """Tester3: File > Open's "Tables" filter left out JSON, NDJSON, gzip, spreadsheets other than
    .xlsx; every name io.tables recognises is offered, in both Open dialogs (one list)."""
    from somdesk.gui.table_files import TABLE_FILTER
    from somdesk.gui.window_files import open_filters
    from somdesk.io.tables.detect import _EXT

    for ext in list(_EXT) + [".gz", ".zst"]:                       # the reader's names, not the shared list
        assert f"*{ext}" in TABLE_FILTER, ext
        assert f"*{ext}" in open_filters().split(";;")[0], ext      # "Everything somdesk opens"


def test_window_keeps_palette_alpha_through_edits_and_save_palette_as(qtbot, window, tmp_path):
    """tester7 F23: open a GIMP RGBA palette, Save palette as: the file had no Channels line and
    every colour was opaque; the swatch of a fully transparent colour showed opaque black."""
    src = tmp_path / "alpha.gpl"
    src.write_text("GIMP Palette\nName: see-through\nChannels: RGBA\n#\n"
                   "255 0 0 255 red\n0 255 0 128 half\n0 0 255 0 clear\n")
    assert open_and_wait(qtbot, window, src)
    panel = window.left.swatches
    assert "alpha 128" in panel.model.data(panel.model.index(1), Qt.ItemDataRole.ToolTipRole)
    panel.add_colour(QColor(10, 20, 30))                 # an edit
    assert np.allclose(window.session.dataset.alpha * 255, [255, 128, 0, 255])
    assert window.files.save_palette_as(str(tmp_path / "out.gpl"))
    back = read_palette(tmp_path / "out.gpl")
    assert [s.alpha for s in back.swatches] == [255, 128, 0, 255]
    assert "Channels: RGBA" in (tmp_path / "out.gpl").read_text()
    window.undo.undo()                                   # the edit undone: alpha still there
    assert np.allclose(window.session.dataset.alpha * 255, [255, 128, 0])


@pytest.mark.parametrize("ext,lost", [(".hex", "no transparency"), (".ase", "no transparency"),
                                      (".act", "at most one colour fully transparent"), (".gpl", None)])
def test_save_palette_as_says_what_the_format_cannot_keep(qtbot, window, tmp_path, ext, lost):
    """tester8 #11: Save palette as to a format without transparency made translucent colours
    opaque without a word, where `somdesk palette convert` warns (io.palettes.write_losses)."""
    rgba = np.array([[1, 0, 0, 128 / 255], [0, 1, 0, 1], [0, 0, 1, 0], [0.1, 0.2, 0.3, 0.5]])
    window.session.new_colours(rgba, names=("half red", "green", "clear", "dim"))
    assert window.files.save_palette_as(str(tmp_path / f"out{ext}"))
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Wrote 4 colours to out{ext}.")
    if lost is None:
        assert window.files.last_losses == [] and "Not kept" not in message
        assert [s.alpha for s in read_palette(tmp_path / "out.gpl").swatches] == [128, 255, 0, 128]
    else:
        assert any(lost in w for w in window.files.last_losses), window.files.last_losses
        assert "Not kept: " in message and lost in message


@pytest.mark.parametrize("text,ext,lost", [("ff0000\n00ff00\n", ".hex", None),
                                           ("GIMP Palette\nName: Mine\n#\n255 0 0\n0 255 0\n", ".gpl",
                                            "the palette name is not saved")])
def test_save_palette_as_lists_only_the_names_the_palette_has(qtbot, window, tmp_path, text, ext, lost):
    """An unnamed .hex palette saved as .pal said "Not kept: ... names" (its title is its file's
    name, not a palette name): only what the palette has is said lost."""
    src = tmp_path / f"plain{ext}"
    src.write_text(text)
    assert open_and_wait(qtbot, window, src)
    assert window.files.save_palette_as(str(tmp_path / "out.pal"))
    message = window.statusBar().currentMessage()
    if lost is None:
        assert window.files.last_losses == [] and "Not kept" not in message, message
    else:
        assert "Not kept: " in message and lost in message and "colour name" not in message, message


def test_save_palette_as_aco_says_the_palette_name_is_not_kept(qtbot, window, tmp_path):
    """tester11: .aco keeps colour names (its version 2 section) but has no palette name; Save
    palette as dropped the name without a word."""
    src = tmp_path / "named.gpl"
    src.write_text("GIMP Palette\nName: Mine\n#\n255 0 0 Red\n0 255 0 Green\n")
    assert open_and_wait(qtbot, window, src)
    assert window.files.save_palette_as(str(tmp_path / "out.aco"))
    message = window.statusBar().currentMessage()
    assert "Not kept: " in message and "the palette name is not saved" in message, message
    assert "colour name" not in message.split("Not kept: ")[1].replace("keep colour names only", ""), message
    assert [s.name for s in read_palette(tmp_path / "out.aco").swatches] == ["Red", "Green"]
