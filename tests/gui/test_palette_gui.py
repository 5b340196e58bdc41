"""Palette files in and out of the window: open (filters), drop, recent, save as,
export organised palette, and the dialog for a corrupt file."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QKeySequence

from somdesk.gui import dialogs
from somdesk.gui.settings import Settings
from somdesk.io.map_render import organised_colours
from somdesk.io.palettes import READ_FILTERS, WRITE_FILTERS, read_palette

from .helpers import FIRST_RUN_TIMEOUT_MS

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


def test_open_palette_dialog_has_all_palettes_each_format_and_maps(window, gpl, monkeypatch):
    seen = {}

    def ask(parent, title, start, filters):
        seen["filters"] = filters.split(";;")
        return str(gpl)

    monkeypatch.setattr(dialogs, "ask_open_path", ask)
    assert window.actions.open.shortcut() == QKeySequence("Ctrl+O")
    window.actions.open.trigger()
    f = seen["filters"]
    assert f[0].startswith("Palettes and maps (") and "*.somz" in f[0]
    assert f[1].startswith("All palettes (") and all(p in f[1] for _l, pats in READ_FILTERS for p in pats)
    for label, pats in READ_FILTERS:
        assert f"{label} ({' '.join(pats)})" in f
    assert "somdesk maps (*.somz)" in f and f[-1] == "All files (*)"
    np.testing.assert_array_equal(window.palette.colours(), np.eye(3))
    assert window.palette.names() == ["Red", "Green", "Blue"]


def test_drop_and_recent_files(window, gpl, tmp_path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(gpl))])
    window.dropEvent(QDropEvent(QPointF(3, 3), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    assert len(window.palette.colours()) == 3 and "Three" in window.windowTitle()
    assert Settings().recent_files() == [str(gpl)]
    window.palette.randomise(7)
    next(a for a in window.recent_menu.actions() if "three.gpl" in a.text()).trigger()
    assert len(window.palette.colours()) == 3
    gpl.unlink()                                           # a recent file that has gone
    next(a for a in window.recent_menu.actions() if "three.gpl" in a.text()).trigger()
    assert "no such file" in window.last_error and Settings().recent_files() == []


@pytest.mark.parametrize("label,ext", [(label, pats[0][1:]) for label, pats in WRITE_FILTERS])
def test_save_palette_as_every_writable_format(window, gpl, tmp_path, monkeypatch, label, ext):
    window.open_palette(str(gpl))
    window.palette.add_colour(QColor(10, 200, 30))
    asked = {}

    def ask(parent, title, start, filters):
        asked["filters"] = filters
        return str(tmp_path / f"out{ext}")

    monkeypatch.setattr(dialogs, "ask_save_path", ask)
    window.actions.save_palette.trigger()
    assert asked["filters"] == WRITE_FILTERS
    back = read_palette(tmp_path / f"out{ext}")
    np.testing.assert_array_equal(bytes8(back.to_array()), bytes8(window.palette.colours()))
    if ext == ".gpl":
        assert [s.name for s in back.swatches][:3] == ["Red", "Green", "Blue"] and back.name == "Three"


def test_save_as_adds_the_chosen_formats_extension():
    assert dialogs.with_suffix("/x/colours", "Adobe Swatch Exchange (*.ase)") == "/x/colours.ase"
    assert dialogs.with_suffix("/x/colours.ASE", "Adobe Swatch Exchange (*.ase)") == "/x/colours.ASE"


@pytest.mark.parametrize("choice", [16, None])
def test_export_organised_palette(qtbot, window, tmp_path, monkeypatch, choice):
    with qtbot.waitSignal(window.controller.finished, timeout=FIRST_RUN_TIMEOUT_MS):
        window.train()
    out = tmp_path / "organised.gpl"
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(out))
    window.actions.export_palette.trigger()
    d = window.files.dialog
    assert d.isVisible()
    sizes = [d.combo.itemData(i) for i in range(d.combo.count())]
    assert sizes == [16, 32, 64, 128, 256, None]            # a 20 x 20 map: every preset fits, and "all"
    d.combo.setCurrentIndex(sizes.index(choice))
    assert not d.preview.pixmap().isNull()
    d.accept()
    back = read_palette(out)
    expected, nodes = organised_colours(window.canvas.snapshot.weights, choice)
    assert len(back) == (16 if choice else 400)
    np.testing.assert_array_equal(bytes8(back.to_array()), bytes8(np.clip(expected, 0, 1)))
    r, c = nodes[1]
    assert back.swatches[1].name == f"row {r}, col {c}" and "organised" in back.name


@pytest.mark.parametrize("content", [
    b"GIMP Palette\nName: Bad\n#\n255 0 0 Red\n0 255 this is not a colour\n",   # half readable
    b"\x00\x01\x02 not a palette at all",
])
def test_a_corrupt_file_is_a_dialog_and_the_palette_stays(window, gpl, tmp_path, messages, content):
    bad = tmp_path / "broken.gpl"
    bad.write_bytes(content)
    window.open_palette(str(gpl))
    before = window.palette.colours()
    assert not window.open_palette(str(bad))
    assert not window.open_files([str(gpl), str(bad)])      # nor when combined with a good one
    assert len(messages) == 2 and all("broken.gpl" in m for m in messages)
    assert messages[0] == window.last_error and len(messages[0]) > len("broken.gpl: ")
    np.testing.assert_array_equal(window.palette.colours(), before)
    assert "Three" in window.windowTitle()
