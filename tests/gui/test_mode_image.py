"""Image quantisation mode, through its window: open, train live, full-size result, export, errors, closing."""
from __future__ import annotations

import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent

from somdesk.core.quantize import palette_rgb8, psnr, quantize
from somdesk.gui.modes import common, image_mode
from somdesk.gui.modes.image_mode import ImageModeWindow
from somdesk.gui.tasks import live_workers as running_threads
from somdesk.io.palettes import read_palette

from .helpers import FIRST_RUN_TIMEOUT_MS


def picture(h=120, w=160, seed=2) -> np.ndarray:
    """Four flat regions plus noise: many distinct colours, an obvious 16-colour answer."""
    rng = np.random.default_rng(seed)
    img = np.zeros((h, w, 3), dtype=np.int16)
    img[: h // 2, : w // 2] = (220, 40, 40)
    img[: h // 2, w // 2:] = (40, 200, 60)
    img[h // 2:, : w // 2] = (30, 60, 210)
    img[h // 2:, w // 2:] = (240, 230, 80)
    img += rng.integers(-25, 26, size=img.shape, dtype=np.int16)
    return np.clip(img, 0, 255).astype(np.uint8)


@pytest.fixture
def png(tmp_path):
    path = tmp_path / "four regions.png"
    Image.fromarray(picture()).save(path)
    return path


@pytest.fixture
def errors(monkeypatch):
    """Dialogs recorded instead of shown."""
    seen: list[str] = []
    monkeypatch.setattr(common, "show_error", lambda parent, message, details="": seen.append(message))
    return seen


def make(qtbot, fast=True, side=4) -> ImageModeWindow:
    win = ImageModeWindow()
    qtbot.addWidget(win)
    win.set_fast(fast)
    win.set_side(side)
    win.show()
    return win


def wait_result(qtbot, win, timeout=FIRST_RUN_TIMEOUT_MS):
    qtbot.waitUntil(lambda: win.result is not None and not win.runner.busy, timeout=timeout)
    return win.result


def test_open_train_live_result_and_export(qtbot, png, tmp_path, monkeypatch, errors):
    monkeypatch.setattr(image_mode, "PACES", (("brisk", 100.0), ("max", None)))   # ~0.4 s of previews
    win = make(qtbot, fast=False, side=4)
    previews, shown = [], []
    win.runner.preview.connect(lambda kind, p: (previews.append(p), shown.append(
        win.pair.quantised.pixels.copy() if win.pair.quantised.pixels is not None else None)))
    assert win.open_image(str(png))
    res = wait_result(qtbot, win)
    img = picture()

    # live: several previews while training, each drawn, and the picture changed between them
    live = [p for p in previews if not p.final]
    assert len(live) >= 2
    assert live[0].epoch < live[-1].epoch
    assert any(not np.array_equal(a, b) for a, b in zip(shown, shown[1:]) if a is not None and b is not None)
    assert win.preview.final and not win.preview.stopped and win.preview.weights.shape == (4, 4, 3)

    # the full-size result: quantised = every pixel its nearest map colour; numbers shown
    expected = quantize(img, res.weights)
    np.testing.assert_array_equal(res.palette[res.indices], expected)
    assert res.psnr == pytest.approx(psnr(img, expected))
    assert res.used == len(np.unique(expected.reshape(-1, 3), axis=0)) <= 16
    assert f"{res.psnr:.2f} dB" in win.psnr_label.text()
    assert f"{res.used} used of the map's 16" in win.colours_label.text()
    assert common.human_bytes(len(res.png)) in win.png_label.text()
    assert "160 × 120" in win.file_info.text() and "distinct colours" in win.file_info.text()
    assert win.save_png_button.isEnabled() and win.save_palette_button.isEnabled()
    np.testing.assert_array_equal(win.pair.quantised.pixels, expected)     # drawn: the result's own pixels
    np.testing.assert_array_equal(win.pair.original.pixels, img)

    # export: an indexed PNG whose pixels are the quantised picture
    out = tmp_path / "out.png"
    assert win.save_png(str(out))
    with Image.open(out) as im:
        assert im.mode == "P"
        np.testing.assert_array_equal(np.asarray(im.convert("RGB")), expected)
    assert out.stat().st_size == len(res.png)
    # and the map's colours as a palette, in node order
    assert win.save_palette(str(tmp_path / "map.gpl"))
    pal = read_palette(tmp_path / "map.gpl")
    np.testing.assert_array_equal(np.array([s.rgb for s in pal.swatches]), palette_rgb8(res.weights))
    assert not errors


def test_save_dialogs_add_the_chosen_formats_extension(qtbot, png, tmp_path, monkeypatch, errors):
    win = make(qtbot)
    win.open_image(str(png))
    wait_result(qtbot, win)
    from PySide6.QtWidgets import QFileDialog
    target = tmp_path / "swatches"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "Adobe Swatch Exchange (*.ase)")))
    qtbot.mouseClick(win.save_palette_button, Qt.MouseButton.LeftButton)
    assert win.last_saved == str(target) + ".ase"
    assert len(read_palette(win.last_saved)) == 16
    assert not errors


def test_open_button_and_drop_use_the_same_path(qtbot, png, monkeypatch, errors):
    win = make(qtbot)
    monkeypatch.setattr(common, "ask_open_path", lambda *a: str(png))
    qtbot.mouseClick(win.open_button, Qt.MouseButton.LeftButton)
    wait_result(qtbot, win)
    assert win.image.name == png.name

    other = png.parent / "other.bmp"
    Image.fromarray(picture(seed=9)[::-1]).save(other)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(other))])
    win.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime,
                             Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    qtbot.waitUntil(lambda: win.image.name == "other.bmp" and win.result is not None and not win.runner.busy,
                    timeout=FIRST_RUN_TIMEOUT_MS)
    assert not errors


def test_changing_the_colour_count_retrains(qtbot, png, errors):
    win = make(qtbot, side=4)
    win.open_image(str(png))
    wait_result(qtbot, win)
    win.set_side(6)
    qtbot.waitUntil(lambda: win.result is not None and win.result.weights.shape == (6, 6, 3)
                    and not win.runner.busy, timeout=FIRST_RUN_TIMEOUT_MS)
    assert "36" in win.pair.quantised.title.text()


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    idat = zlib.compress(b"\x00" * 64)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
            + struct.pack(">I", len(idat)) + b"IDAT" + idat + struct.pack(">I", zlib.crc32(b"IDAT" + idat)))


@pytest.mark.parametrize("name, make_bytes, words", [
    ("cut.png", lambda good: good[: len(good) // 2], "damaged or truncated"),
    ("noise.jpg", lambda good: bytes(range(256)) * 8, "not a supported image"),
    ("bomb.png", lambda good: _png_header(60_000, 60_000), "decompression bomb"),
    ("empty.gif", lambda good: b"", "empty"),
])
def test_bad_pictures_give_a_clear_message_and_change_nothing(qtbot, png, tmp_path, errors, name, make_bytes, words):
    win = make(qtbot)
    win.open_image(str(png))
    before = wait_result(qtbot, win)
    bad = tmp_path / name
    bad.write_bytes(make_bytes(png.read_bytes()))
    win.open_image(str(bad))
    qtbot.waitUntil(lambda: bool(errors) and not win.runner.busy, timeout=10_000)
    assert name in errors[0] and words in errors[0]
    assert win.last_error == errors[0]
    assert win.image.name == png.name and win.result is before     # the old picture stays
    assert win.train_button.isEnabled()


def test_missing_file_is_a_message_too(qtbot, tmp_path, errors):
    win = make(qtbot)
    win.open_image(str(tmp_path / "nowhere.png"))
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert "nowhere.png" in errors[0] and win.image is None
    assert not win.save_png() and "first" in errors[-1]            # nothing to save yet: said, not crashed


def test_full_size_pass_is_chunked_cancellable_and_keeps_the_gui_responsive(qtbot, tmp_path, errors):
    h, w = 1500, 4000   # 6 MP, ~6 slices of 1 Mpx
    y, x = np.mgrid[0:h, 0:w]
    big = np.stack([(x * 255 // w), (y * 255 // h), ((x + y) % 256)], axis=2).astype(np.uint8)
    path = tmp_path / "big.bmp"
    Image.fromarray(big).save(path)
    win = make(qtbot, side=8)
    progress = []
    win.runner.progress.connect(lambda kind, done, total, text: progress.append((kind, done, total)))
    win.open_image(str(path))
    qtbot.waitUntil(lambda: win.runner.kind == "result" and any(k == "result" for k, *_ in progress),
                    timeout=FIRST_RUN_TIMEOUT_MS)
    assert win.preview.quantised.shape[1] <= 640                    # previews ran on the small copy
    win.stop()                                                      # Cancel
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    assert win.result is None and "Cancelled" in win.result_progress.format()

    gaps, last = [], [time.perf_counter()]
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: (gaps.append(time.perf_counter() - last[0]), last.__setitem__(0, time.perf_counter())))
    timer.start()
    progress.clear()
    out = tmp_path / "big-64.png"
    assert win.save_png(str(out))                                   # restarts the full-size pass, then writes
    qtbot.waitUntil(lambda: win.last_saved == str(out), timeout=60_000)
    timer.stop()
    rows = [d for k, d, t in progress if k == "result" and t == h]
    assert len(rows) >= 3 and rows[-1] == h                         # progress slice by slice
    assert max(gaps) < 0.5                                          # the window never froze
    with Image.open(out) as im:
        assert im.mode == "P" and im.size == (w, h)
    shown = win.pair.quantised.pixels                               # drawn at most 2048 px wide
    assert shown.shape == (768, 2048, 3) and win.pair.original.pixels.shape == (768, 2048, 3)
    np.testing.assert_array_equal(shown[100, 1000], win.result.palette[win.result.indices[196, 1954]])
    assert not errors


def test_closing_during_training_stops_the_worker(qtbot, png):
    win = make(qtbot, fast=False)                                   # 20 epochs/s: still training
    seen = []
    win.runner.preview.connect(lambda kind, p: seen.append(p))
    win.open_image(str(png))
    qtbot.waitUntil(lambda: bool(seen), timeout=FIRST_RUN_TIMEOUT_MS)
    assert win.runner.kind == "train" and running_threads()
    t0 = time.perf_counter()
    win.close()
    assert time.perf_counter() - t0 < 0.2                          # closing never waits...
    qtbot.waitUntil(lambda: not running_threads(), timeout=200)     # ...and the task ends at once


def test_stop_keeps_the_map_as_it_is(qtbot, png, errors):
    win = make(qtbot, fast=False)
    seen = []
    win.runner.preview.connect(lambda kind, p: seen.append(p))
    win.open_image(str(png))
    qtbot.waitUntil(lambda: bool(seen), timeout=FIRST_RUN_TIMEOUT_MS)
    qtbot.mouseClick(win.stop_button, Qt.MouseButton.LeftButton)
    res = wait_result(qtbot, win)
    assert win.preview.stopped and win.preview.epoch < 40
    np.testing.assert_array_equal(res.weights, win.preview.weights)
    assert "Stopped" in win.train_status.text()
