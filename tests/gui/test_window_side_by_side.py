"""View > Original | quantised side by side (fixW #1): both pictures at one scale with their
captions, drawn by render.side_by_side; Export image writes the same picture (full size; a
task for a big picture); the colour-vision preview goes over it as over the other views."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from somdesk import render
from somdesk.core.colour_cvd import simulate_cvd
from somdesk.core.colour_histogram import distinct_colours
from somdesk.session.exports import compare_captions, compare_picture, display_factor

from .helpers import FIRST_RUN_TIMEOUT_MS, make_window, open_and_wait, train, wait_idle
from .test_window_pictures import picture


@pytest.fixture
def win(qtbot):
    w = make_window(qtbot)
    yield w
    w.close()


def _trained(qtbot, win, path, side=4):
    assert open_and_wait(qtbot, win, path)
    assert win.session.kind == "image", win.last_error
    win.left.params.set_config(win.session.config.replace(width=side, height=side))
    train(qtbot, win)
    return win


def test_side_by_side_view_on_screen_and_in_the_export(qtbot, win, tmp_path):
    path = tmp_path / "four regions.png"
    Image.fromarray(picture()).save(path)
    _trained(qtbot, win, path)
    act = win.actions["view_compare"]
    assert act.isVisible() and act.shortcut().toString() == "Ctrl+Alt+7"
    # before Quantise full picture: the live preview beside the preview copy
    act.trigger()
    wait_idle(qtbot, win)
    assert win.view == "compare" and win.canvas.raw_array() is not None
    assert win.canvas.legend.text().startswith("Live preview")
    win.quantise()
    wait_idle(qtbot, win, FIRST_RUN_TIMEOUT_MS)
    assert win.view == "compare"                 # Quantise left the side-by-side view shown
    win.draw()
    s, q = win.session, win.session.quantised
    assert q.source_colours == distinct_colours(picture())           # counted by the quantise task
    left, right = compare_captions(q, 16)
    assert left == f"Original: {q.source_colours:,} colours"
    assert right == f"Quantised: {q.colours_text(16)}, {q.quality_text()}" and "CIEDE2000" in right
    shown = win.canvas.raw_array()
    # on screen a narrow picture is scaled up by whole pixels (testerI 8f: captions magnified, blurry)
    k = display_factor(picture().shape[1])
    assert k == 2

    def up(a):
        return np.repeat(np.repeat(a, k, axis=0), k, axis=1)
    expected = render.side_by_side(up(s.dataset.pixels), up(q.pixels()), (left, right))
    np.testing.assert_array_equal(shown, expected)                    # the renderer's picture, k:1
    h, w = picture().shape[:2]
    top = shown.shape[0] - k * h
    np.testing.assert_array_equal(shown[top:, :k * w], up(picture()))   # the original's own pixels
    full = render.side_by_side(s.dataset.pixels, q.pixels(), (left, right))
    assert "compare" in s.views()
    out = tmp_path / "compare.png"
    assert win.export_image(str(out))
    with Image.open(out) as im:
        np.testing.assert_array_equal(np.asarray(im.convert("RGB")), full)      # full size, 1:1
    # the colour-vision preview: on screen and, ticked, in the export
    try:
        win.actions["cvd_tritanopia"].trigger()
        np.testing.assert_array_equal(win.canvas.image_array(), simulate_cvd(shown, "tritanopia"))
        assert win.export_image(str(tmp_path / "cvd.png"))
        with Image.open(tmp_path / "cvd.png") as im:
            np.testing.assert_array_equal(np.asarray(im.convert("RGB")), simulate_cvd(full, "tritanopia"))
    finally:
        win.actions["cvd_off"].trigger()


def test_a_big_picture_side_by_side_is_drawn_small_and_exported_whole_in_a_task(qtbot, win, tmp_path):
    h, w = 1000, 4200                  # 4.2 Mpx: drawn at 1:3; side by side 8.4 Mpx, a task
    y, x = np.mgrid[0:h, 0:w]
    rgba = np.stack([x * 255 // w, y * 255 // h, (x // 9) % 256, np.where(x < 300, 0, 255)], axis=2).astype(np.uint8)
    path = tmp_path / "wide.png"
    Image.fromarray(rgba).save(path)
    assert open_and_wait(qtbot, win, path)
    win.left.params.set_config(win.session.config.replace(width=3, height=3, iterations=3))
    train(qtbot, win)
    win.quantise()
    wait_idle(qtbot, win, FIRST_RUN_TIMEOUT_MS)
    win.set_view("compare")
    win.draw()
    s, q = win.session, win.session.quantised
    shown = win.canvas.raw_array()
    np.testing.assert_array_equal(shown, render.side_by_side(s.dataset.small, q.small, compare_captions(q, 9)))
    assert shown.shape[1] == 2 * 1400 + render.compare.gap_px(1400)
    assert "Shown at 1:3" in win.canvas.legend.text()
    out = tmp_path / "big.png"
    assert win.export_image(str(out)) and win.runner.kind == "export-image"
    wait_idle(qtbot, win)
    with Image.open(out) as im:
        full = np.asarray(im.convert("RGB"))
    assert full.shape[1] == 2 * w + render.compare.gap_px(w)
    np.testing.assert_array_equal(full, compare_picture(s, nodes=9))
    assert f"({full.shape[1]} x {full.shape[0]} px)" in win.statusBar().currentMessage()
