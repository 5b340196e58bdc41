"""Issue 11 in the window: a file holding several palettes opens through a picker."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from somdesk.gui.collection_picker import CollectionPicker, Collection, strip_pixmap
from somdesk.gui.window import Window
from somdesk.io.palettes import read_palettes

from .helpers import FIRST_RUN_TIMEOUT_MS

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "palettes")


@pytest.fixture
def win(qtbot):
    w = Window(interactive=True, confirm_unsaved=False)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.confirm_unsaved = False
    picker = getattr(w, "collection_picker", None)
    if picker is not None:
        try:
            picker.reject()
        except RuntimeError:
            pass
    w.close()


def wait_idle(qtbot, w):
    qtbot.waitUntil(lambda: not w.runner.busy, timeout=FIRST_RUN_TIMEOUT_MS)
    QApplication.processEvents()


def wait_picker(qtbot, w):
    qtbot.waitUntil(lambda: getattr(w, "collection_picker", None) is not None
                    and w.collection_picker.isVisible(), timeout=FIRST_RUN_TIMEOUT_MS)
    return w.collection_picker


def rgb_of(palette):
    return np.array([s.rgb for s in palette.swatches]) / 255.0


@pytest.mark.parametrize("name, pick", [("named_lists.json", 1), ("rows_lists.csv", 2), ("nes_512.pal", 5),
                                        ("nice_lists.json", 2)])
def test_file_open_of_a_collection_asks_which_palette(qtbot, win, name, pick):
    path = os.path.join(FIXTURES, name)
    palettes = read_palettes(path)
    assert len(palettes) > pick
    win.session.new_colours(np.array([[0.1, 0.2, 0.3]] * 4))
    before = win.session.dataset
    assert win.open_paths([path])
    picker = wait_picker(qtbot, win)
    wait_idle(qtbot, win)
    assert win.session.dataset is before               # nothing installed until chosen
    assert picker.count() == len(palettes)
    for k, pal in enumerate(palettes):                 # names (or "Palette k") and a strip each
        text = picker.text(k)
        assert (pal.name or f"Palette {k + 1}") in text and f"{len(pal)} colour" in text
        assert not picker.model.strip(k).isNull()
    picker.select(pick)
    picker.accept()
    QApplication.processEvents()
    d = win.session.dataset
    np.testing.assert_allclose(d.colours, rgb_of(palettes[pick]))
    assert d.source == path
    assert d.title == (palettes[pick].name or os.path.basename(path))
    assert win.session.map is not None                 # the new colours get a map
    assert not picker.isVisible()


def test_cancel_leaves_the_workspace_unchanged(qtbot, win):
    win.session.new_colours(np.array([[0.1, 0.2, 0.3]] * 4))
    before = win.session.dataset
    win.open_paths([os.path.join(FIXTURES, "named_lists.json")])
    picker = wait_picker(qtbot, win)
    picker.reject()
    QApplication.processEvents()
    assert win.session.dataset is before


def test_a_single_palette_file_opens_without_a_picker(qtbot, win):
    path = os.path.join(FIXTURES, "gpl_rgba.gpl")
    win.open_paths([path])
    wait_idle(qtbot, win)
    QApplication.processEvents()
    assert getattr(win, "collection_picker", None) is None
    np.testing.assert_allclose(win.session.dataset.colours, rgb_of(read_palettes(path)[0]))


def test_drop_and_command_line_go_through_the_picker(qtbot, win, tmp_path):
    path = tmp_path / "nice.json"
    lists = [["#ff0000", "#00ff00"], ["#000000", "#808080", "#ffffff"], ["#123456"]]
    path.write_text(json.dumps(lists))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    win.dropEvent(event)
    picker = wait_picker(qtbot, win)
    picker.select(1)
    picker.accept()
    QApplication.processEvents()
    np.testing.assert_allclose(win.session.dataset.colours * 255, [[0, 0, 0], [128, 128, 128], [255, 255, 255]])
    # the command line: Window.for_paths -> open_paths
    w2 = Window.for_paths([str(path)], interactive=True, confirm_unsaved=False)
    qtbot.addWidget(w2)
    try:
        p2 = wait_picker(qtbot, w2)
        p2.select(2)
        p2.accept()
        QApplication.processEvents()
        np.testing.assert_allclose(w2.session.dataset.colours * 255, [[0x12, 0x34, 0x56]])
    finally:
        w2.close()


def test_smoke_mode_opens_the_first_palette_and_says_so(qtbot):
    w = Window(interactive=False, confirm_unsaved=False)
    qtbot.addWidget(w)
    try:
        path = os.path.join(FIXTURES, "named_lists.json")
        w.open_paths([path])
        wait_idle(qtbot, w)
        QApplication.processEvents()
        np.testing.assert_allclose(w.session.dataset.colours, rgb_of(read_palettes(path)[0]))
        assert "palette 1 of 2" in w.statusBar().currentMessage()
    finally:
        w.close()


def test_filter_and_empty_palettes(qtbot, tmp_path):
    palettes = read_palettes(os.path.join(FIXTURES, "rows_lists.csv"))
    picker = CollectionPicker(Collection("rows_lists.csv", tuple(palettes)))
    qtbot.addWidget(picker)
    picker.filter.setText("acad")
    assert picker.index() == 2
    picker.filter.setText("no such name")
    assert picker.index() is None
    assert not picker.buttons.button(picker.buttons.StandardButton.Open).isEnabled()
    got = []
    picker.chosen.connect(got.append)
    picker.accept()                 # nothing chosen: stays open, nothing emitted
    assert got == []
    img = strip_pixmap(palettes[0]).toImage()
    assert img.pixelColor(2, 5).name() == "#950404"
    assert img.pixelColor(img.width() - 2, 5).name() == "#c38961"


@pytest.mark.parametrize("names", [None, ["a much longer palette name than any of the NES emphasis labels"] * 3])
def test_the_picker_is_wide_enough_for_every_label(qtbot, win, names):
    """testerW #8: at 460 px "red+green+blue emphasis  (64 colours" was cut off behind a
    horizontal scroll bar; the picker now fits the longest label, and one too wide for the
    screen is elided with the whole label in its tooltip."""
    from dataclasses import replace

    palettes = read_palettes(os.path.join(FIXTURES, "nes_512.pal"))
    if names:
        palettes = [replace(p, name=n * 4 if k == 2 else n) for k, (p, n) in enumerate(zip(palettes, names))]
    picker = CollectionPicker(Collection("nes_512.pal", tuple(palettes)), win)
    qtbot.addWidget(picker)
    picker.show()
    QApplication.processEvents()
    view = picker.list
    assert not view.horizontalScrollBar().isVisible()
    fits = [view.sizeHintForIndex(picker.shown.index(r, 0)).width() <= view.viewport().width()
            for r in range(picker.count())]
    if names is None:
        assert all(fits), (picker.width(), view.viewport().width())
    else:
        assert fits[0] and not fits[2]                 # the over-long one is elided, not hidden
        assert picker.width() <= picker.screen().availableGeometry().width()
        tip = picker.model.data(picker.model.index(2), Qt.ItemDataRole.ToolTipRole)
        assert tip.startswith(names[0] * 4)
    picker.reject()
