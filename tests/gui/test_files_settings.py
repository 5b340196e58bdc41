"""Palette files (open, recent, drop, errors) and what QSettings remembers."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from somdesk.core import SOMConfig
from somdesk.gui.settings import Settings, open_settings

from .helpers import make_window

GPL = """GIMP Palette
Name: Three
#
255   0   0 Red
  0 255   0 Green
  0   0 255 Blue
"""


@pytest.fixture
def gpl(tmp_path):
    pytest.importorskip("somdesk.io.palettes", reason="needs somdesk.io.palettes")
    from somdesk.io import palettes
    if not hasattr(palettes, "read_palette"):
        pytest.skip("somdesk.io.palettes.read_palette not available yet")
    path = tmp_path / "three.gpl"
    path.write_text(GPL)
    return path


def test_settings_live_in_the_temporary_location(temp_settings):
    s = open_settings()
    s.setValue("probe", 1)
    s.sync()
    assert str(temp_settings) in s.fileName()
    assert QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "somdesk", "somdesk").fileName() == s.fileName()


def test_open_palette_and_recent_files(qtbot, gpl):
    win = make_window(qtbot)
    try:
        assert win.open_palette(str(gpl))
        np.testing.assert_array_equal(win.palette.colours(), np.eye(3))
        assert win.palette.names() == ["Red", "Green", "Blue"]
        assert "Three" in win.windowTitle() and "3 colours" in win.windowTitle()
        assert Settings().recent_files() == [str(gpl)]
        titles = [a.text() for a in win.recent_menu.actions()]
        assert any("three.gpl" in t for t in titles)
    finally:
        win.close()
    # a new window lists it too, and opening it from the menu works
    win = make_window(qtbot)
    try:
        win.palette.randomise(5)
        next(a for a in win.recent_menu.actions() if "three.gpl" in a.text()).trigger()
        assert len(win.palette.colours()) == 3
    finally:
        win.close()


def test_several_files_are_combined(qtbot, gpl, tmp_path):
    other = tmp_path / "other.gpl"
    other.write_text(GPL.replace("Three", "Other"))
    win = make_window(qtbot)
    try:
        assert win.open_files([str(gpl), str(other)])
        assert len(win.palette.colours()) == 6 and "Three + 1 more" in win.windowTitle()
    finally:
        win.close()


def test_a_bad_file_is_a_dialog_not_a_crash(qtbot, gpl, tmp_path):
    bad = tmp_path / "bad.gpl"
    bad.write_bytes(b"GIMP Palette\n\x00\x01 this is not a colour\n")
    win = make_window(qtbot)
    try:
        before = win.palette.colours()
        assert not win.open_palette(str(bad))
        assert win.last_error
        box = win.findChild(QMessageBox, "somdesk-message")
        assert box is not None and box.text() == win.last_error
        np.testing.assert_array_equal(win.palette.colours(), before)
        assert not win.open_palette(str(tmp_path / "nope.gpl"))
        assert "no such file" in win.last_error
    finally:
        win.close()


def test_dropping_a_palette_file_opens_it(qtbot, gpl):
    win = make_window(qtbot)
    try:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(gpl))])
        event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                           Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        win.dropEvent(event)
        assert len(win.palette.colours()) == 3
    finally:
        win.close()


def test_parameters_view_and_geometry_persist(qtbot):
    win = make_window(qtbot, speed=None)
    cfg = SOMConfig(width=33, height=21, iterations=250, learning_rate=0.2, topology="hexagonal", seed=5)
    win.params.set_config(cfg)
    win.set_view("umatrix")
    win.actions.markers.setChecked(False)
    win.set_speed("fast")
    win.fps_spin.setValue(25)
    win.resize(900, 700)        # the offscreen screen is 800x800: only the height fits as is
    qtbot.waitUntil(lambda: win.params.valid, timeout=2000)
    win.close()

    win = make_window(qtbot, speed=None)
    try:
        assert win.params.config() == cfg
        assert win.canvas.view == "umatrix" and win.actions.views["umatrix"].isChecked()
        assert not win.actions.markers.isChecked() and not win.canvas.markers.isVisible()
        assert win.actions.speeds["fast"].isChecked() and win.controller.pace == 1000.0
        assert win.fps_spin.value() == 25 and win.controller.fps == 25
        assert win.height() == 700 and Settings().geometry() is not None
    finally:
        win.close()


def test_corrupt_settings_fall_back_to_defaults(qtbot):
    s = open_settings()
    s.setValue("training/config", "{not json")
    s.setValue("view/mode", '"nonsense"')
    s.setValue("files/recent", "[1, 2")
    s.sync()
    win = make_window(qtbot, speed=None)
    try:
        assert win.params.config() == SOMConfig() and win.canvas.view == "colours"
        assert Settings().recent_files() == []
    finally:
        win.close()


def test_sample_palettes_open_from_the_file_menu(qtbot, gpl):
    from somdesk.resources import sample_palettes

    if not sample_palettes():
        pytest.skip("no sample palettes in resources/")
    win = make_window(qtbot)
    try:
        actions = win.actions.samples_menu.actions()
        assert len(actions) == len(sample_palettes())
        actions[0].trigger()
        assert win.palette_name and len(win.palette.colours()) > 0
    finally:
        win.close()
