"""File > Export image… and Edit > Copy image: sizes, pixels, the dialog, errors."""
from __future__ import annotations

import errno
import os

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMessageBox

from somdesk.core import SOMConfig
from somdesk.gui import dialogs
from somdesk.gui.export_dialog import ExportImageDialog, ExportOptions
from somdesk.io.images import to_rgb8
from somdesk.io.map_render import render_view
from somdesk.render import index_image

from .helpers import FIRST_RUN_TIMEOUT_MS, make_window


def trained(qtbot, colours, **cfg):
    win = make_window(qtbot, colours, SOMConfig(**{"width": 13, "height": 7, "iterations": 30, "seed": 2, **cfg}))
    with qtbot.waitSignal(win.controller.finished, timeout=FIRST_RUN_TIMEOUT_MS):
        win.train()
    return win


@pytest.fixture
def win(qtbot, colours):
    w = trained(qtbot, colours)
    yield w
    w.close()


def read_png(path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


@pytest.mark.parametrize("kind,size", [("map", (65, 35)), ("seed", (65, 35 + 8 + 5)),
                                       ("umatrix", (65, 35)), ("hits", (65, 35))])
@pytest.mark.parametrize("markers", [False, True])
def test_each_export_choice_writes_its_picture(win, tmp_path, kind, size, markers):
    path = tmp_path / f"{kind}.png"
    assert win.exports.save_image(ExportOptions(kind, markers, 5), str(path))
    img = read_png(path)
    assert (img.shape[1], img.shape[0]) == size
    snap = win.canvas.snapshot
    np.testing.assert_array_equal(img, render_view(kind, snap.weights, win.controller.som.data,
                                                   scale=5, markers=markers))
    if kind in ("map", "seed"):
        body = img[-35:]
        expected = to_rgb8(snap.weights)
        cells = np.repeat(np.repeat(expected, 5, axis=0), 5, axis=1)
        differ = np.argwhere(np.any(body != cells, axis=2)) + 0.5
        if not markers:
            assert len(differ) == 0                  # every pixel of every cell is the node's colour
        else:                                        # only ring pixels (within 4.5 px of a BMU's centre)
            centres = snap.bmus * 5 + 2.5
            dist = np.min(np.hypot(differ[:, None, 0] - centres[None, :, 0],
                                   differ[:, None, 1] - centres[None, :, 1]), axis=1)
            assert len(differ) and dist.max() <= 4.5
    assert "Exported" in win.statusBar().currentMessage()


def test_a_hexagonal_map_shifts_odd_rows(qtbot, colours, tmp_path):
    w = trained(qtbot, colours, topology="hexagonal", height=8)
    try:
        assert w.exports.save_image(ExportOptions("map", False, 8), str(tmp_path / "h.png"))
        img = read_png(tmp_path / "h.png")
        idx = index_image(8, 13, True, 8)          # true hexagons (somdesk.render.geometry)
        assert img.shape[:2] == idx.shape
        expected = to_rgb8(w.canvas.snapshot.weights).reshape(-1, 3)
        np.testing.assert_array_equal(img[idx >= 0], expected[idx[idx >= 0]])
    finally:
        w.close()


def test_the_dialog_shows_the_size_live_and_saves(qtbot, win, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QRadioButton

    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(tmp_path / "d.png"))
    assert win.actions.export_image.shortcut() == QKeySequence("Ctrl+E")
    win.actions.export_image.trigger()
    d = win.exports.dialog
    assert isinstance(d, ExportImageDialog) and d.isVisible()
    d.scale.setValue(10)
    d.findChild(QRadioButton, "kind-umatrix").setChecked(True)
    assert d.size_label.text() == "130 x 70 px"
    d.findChild(QRadioButton, "kind-seed").setChecked(True)      # strip (8 px) and gap (10 px) on top
    assert d.size_label.text() == "130 x 88 px"
    d.markers.setChecked(True)
    d.save_button.click()
    assert read_png(tmp_path / "d.png").shape == (88, 130, 3)
    o = win.exports.options()
    assert (o.kind, o.markers, o.scale) == ("seed", True, 10)
    win.close()
    again = make_window(qtbot)
    try:
        o = again.exports.options()
        assert (o.kind, o.markers, o.scale) == ("seed", True, 10)    # remembered in the settings
    finally:
        again.close()


def test_copy_image_puts_the_same_picture_on_the_clipboard(win, tmp_path):
    assert win.actions.copy_image.shortcut() == QKeySequence("Ctrl+C")
    win.exports._remember(ExportOptions("hits", True, 3))
    win.actions.copy_image.trigger()
    img = QGuiApplication.clipboard().image()
    assert (img.width(), img.height()) == (39, 21)
    win.exports.save_image(win.exports.options(), str(tmp_path / "same.png"))
    png = read_png(tmp_path / "same.png")
    for x, y in ((0, 0), (17, 9), (38, 20)):
        c = img.pixelColor(x, y)
        assert (c.red(), c.green(), c.blue()) == tuple(png[y, x])


@pytest.mark.parametrize("where", ["inside-a-file", "proc", "bad-name"])
def test_unwritable_places_are_a_dialog_and_leave_the_map(win, tmp_path, where):
    before = win.canvas.snapshot.weights.copy()
    (tmp_path / "plain").write_text("x")
    path = {"inside-a-file": str(tmp_path / "plain" / "x.png"), "proc": "/proc/somdesk-test.png",
            "bad-name": str(tmp_path / "a\0b.png")}[where]
    assert not win.exports.save_image(ExportOptions("map", False, 2), path)
    assert win.last_error.startswith("cannot write")
    box = win.findChild(QMessageBox, "somdesk-message")
    assert box is not None and box.text() == win.last_error
    np.testing.assert_array_equal(win.canvas.snapshot.weights, before)


def test_an_interrupted_export_leaves_the_previous_file_byte_identical(win, tmp_path, monkeypatch):
    path = tmp_path / "keep.png"
    assert win.exports.save_image(ExportOptions("map", False, 2), str(path))
    before = path.read_bytes()

    def disk_full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    assert not win.exports.save_image(ExportOptions("umatrix", True, 4), str(path))
    assert "No space left on device" in win.last_error
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["keep.png"]


def test_ctrl_c_copies_the_picture_but_leaves_text_fields_their_copy(qtbot, win):
    from PySide6.QtCore import Qt

    clipboard = QGuiApplication.clipboard()
    win.activateWindow()
    win.canvas.setFocus()
    qtbot.waitUntil(win.canvas.hasFocus, timeout=2000)
    clipboard.clear()
    qtbot.keyClick(win.canvas, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert (clipboard.image().width(), clipboard.image().height()) == (13 * 8, 7 * 8)   # default: map, 8 px
    edit = win.params.width_spin.lineEdit()
    win.params.width_spin.setFocus()
    qtbot.waitUntil(win.params.width_spin.hasFocus, timeout=2000)
    edit.selectAll()
    clipboard.clear()
    qtbot.keyClick(edit, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == "13 nodes" and clipboard.image().isNull()
