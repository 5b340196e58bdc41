"""No text widens the window (tester6 #51, tester8 #15 b): a 2,000-character status message,
title or text in any label of the window -- empty, with colours, with a table, with a table map
reopened without its table (which widened it to 1,368 px: the Segments dock was shown beside the
map area) -- leaves its width as it was."""
from __future__ import annotations

import os

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel

from somdesk.cli import main
from tests.gui.helpers import open_and_wait, open_table_now

WIDTH = 1100
LONG_PATH = "/data/" + "x" * 2000 + ".csv"
LONG_WORDS = " ".join(["segment"] * 290)


def _settle(qtbot):
    qtbot.wait(30)


def _assert_no_text_widens(qtbot, win):
    win.resize(WIDTH, 800)
    _settle(qtbot)
    assert win.width() == WIDTH
    win.statusBar().showMessage(LONG_PATH)
    _settle(qtbot)
    assert win.width() == WIDTH, "the status message widened the window"
    win.statusBar().showMessage(LONG_WORDS)
    _settle(qtbot)
    assert win.width() == WIDTH
    win.statusBar().clearMessage()
    title = win.windowTitle()
    win.setWindowTitle(LONG_PATH)
    _settle(qtbot)
    assert win.width() == WIDTH
    win.setWindowTitle(title)
    seen = 0
    for label in win.findChildren(QLabel):
        if not label.isVisible() or not label.pixmap().isNull():
            continue
        old = label.text()
        for text in (LONG_PATH, LONG_WORDS):
            label.setText(text)
            _settle(qtbot)
            assert win.width() == WIDTH, f"a label ({old[:40]!r}) widened the window to {win.width()} px"
        label.setText(old)
        seen += 1
    assert seen >= 3


def _table(tmp_path, name="pg.csv"):
    rng = np.random.default_rng(1)
    path = tmp_path / name
    with open(path, "w", encoding="utf-8") as f:
        f.write("a,b,c,species\n")
        f.writelines(f"{rng.normal():.3f},{rng.normal():.3f},{rng.normal():.3f},s{i % 3}\n" for i in range(300))
    return str(path)


def test_no_text_widens_the_empty_window_nor_one_with_colours(qtbot, win, colours):
    _assert_no_text_widens(qtbot, win)
    win.session.new_colours(colours, title="colours")
    _settle(qtbot)
    _assert_no_text_widens(qtbot, win)


def test_no_text_widens_the_window_with_a_table(qtbot, win, tmp_path):
    assert open_table_now(qtbot, win.tables, _table(tmp_path))
    for i in range(win.tables.tabs.count()):
        win.tables.tabs.setCurrentIndex(i)
        _assert_no_text_widens(qtbot, win)


def test_reopening_a_table_map_without_its_table_keeps_the_width(qtbot, win, tmp_path):
    path = _table(tmp_path)
    somz = str(tmp_path / "pg.somz")
    assert main(["train", "--table", path, "--label", "species", "--save-map", somz, "--quiet"]) == 0
    os.replace(path, str(tmp_path / "renamed.csv"))
    win.resize(WIDTH, 800)
    _settle(qtbot)
    assert open_and_wait(qtbot, win, somz)
    qtbot.waitUntil(lambda: win.tables.tm is not None, timeout=30_000)
    _settle(qtbot)
    assert "not next to the map" in win.statusBar().currentMessage()     # the long status line
    assert win.width() == WIDTH
    cfg = win.tables.tm.config                         # a saved map does not keep the rows it was trained on
    assert win.tables.setup.auto.text() == f"this map: {cfg.height} × {cfg.width} nodes, {cfg.iterations} epochs"
    _assert_no_text_widens(qtbot, win)


def test_pictures_in_scroll_areas_still_scroll(qtbot, win, tmp_path):
    """review9 #6: a 1 px minimum on the profiles picture let its scroll area squeeze it to the
    viewport -- the right part of a wide picture cut off, no scroll bar."""
    from PySide6.QtGui import QPixmap
    from PySide6.QtWidgets import QScrollArea

    assert open_table_now(qtbot, win.tables, _table(tmp_path))
    win.resize(WIDTH, 800)
    win.tables.tabs.setCurrentIndex(3)                       # Profiles
    pic = win.tables.profiles_view.picture
    pic.setPixmap(QPixmap(3000, 200))
    _settle(qtbot)
    area = pic.parentWidget()
    while not isinstance(area, QScrollArea):
        area = area.parentWidget()
    assert pic.width() >= 3000
    assert area.horizontalScrollBar().maximum() >= 3000 - area.viewport().width()
    assert win.width() == WIDTH


@pytest.mark.parametrize("kind", ["colours", "image"])
def test_a_long_palette_or_picture_name_keeps_the_left_panel_as_it_was(qtbot, win, tmp_path, kind):
    """tester11 #4: a 300-character palette name widened the left panel's content and pushed its
    controls out of view.  The name is elided in the middle, whole in the tooltip, and the panel,
    its content and the map settings keep their widths."""
    from PIL import Image

    win.resize(WIDTH, 800)
    win.session.new_colours(np.random.default_rng(1).random((8, 3)), title="short")
    _settle(qtbot)
    inner = win.left.widget()
    before = (win.left.width(), inner.width(), win.left.params.width(), win.width())
    name = "P" * 150 + "-" + "Q" * 145 + ".gpl"                    # 300 characters
    if kind == "colours":
        win.session.new_colours(np.random.default_rng(1).random((8, 3)), title=name)
        shown, caption = win.left.kind_boxes["colours"], win.left.kind_boxes["colours"].title()
    else:
        name = "P" * 120 + "-" + "Q" * 125 + ".png"                  # 250: the longest file name
        Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(tmp_path / name)
        win.session.open(str(tmp_path / name), kind="image")
        shown, caption = win.left.image_panel.info, win.left.image_panel.info.text()
    _settle(qtbot)
    assert (win.left.width(), inner.width(), win.left.params.width(), win.width()) == before
    assert inner.minimumSizeHint().width() <= inner.width()          # nothing cut off at the right
    assert "…" in caption and name[:10] in caption and name[-10:] in caption
    assert shown.toolTip() == name
    sizes = win.splitter.sizes()                                   # a wider panel shows more of it
    win.splitter.setSizes([sizes[0] + 200, sizes[1] - 200])
    _settle(qtbot)
    longer = win.left.kind_boxes["colours"].title() if kind == "colours" else win.left.image_panel.info.text()
    assert win.left.width() > before[0] and len(longer) > len(caption)
