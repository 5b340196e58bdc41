"""Pictures in the one window (was the image-quantisation mode window): open, train with a
live quantised preview, quantise the full picture, export, errors, stop and close.
Ported from the old test_mode_image.py: the same checks on the one window's image kind."""
from __future__ import annotations

import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent

from somdesk.core import SOMConfig
from somdesk.core.map_quantise import quantise_from_map
from somdesk.core.quantize import psnr, quantize
from somdesk.gui import dialogs
from somdesk.gui.tasks import live_workers as running_threads
from somdesk.io.palettes import read_palette

from .helpers import FIRST_RUN_TIMEOUT_MS, make_window, open_and_wait, save_now, train, wait_idle
from tests.timing import load_scaled


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
def win(qtbot):
    w = make_window(qtbot)
    yield w
    w.close()


def open_picture(qtbot, w, path, side=4):
    assert open_and_wait(qtbot, w, path)
    assert w.session.kind == "image", w.last_error
    w.left.params.set_config(w.session.config.replace(width=side, height=side))
    return w


def test_open_train_live_preview_quantise_and_export(qtbot, win, png, tmp_path, monkeypatch):
    open_picture(qtbot, win, png)
    assert "160 × 120" in win.left.image_panel.info.text()
    fine = win.session.dataset.settings.fine_tune                   # the run's length is explained
    assert f"then {fine} fine-tuning epochs (a run is Epochs + {fine})" in win.left.image_panel.info.text()
    assert win.actions["view_picture"].isVisible() and win.actions["view_quantised"].isVisible()
    win.set_view("quantised")
    shown, previews = [], []
    win.runner.yielded.connect(lambda kind, v: previews.append(v.preview) if getattr(v, "preview", None) else None)
    orig = win.canvas.show_picture
    win.canvas.show_picture = lambda rgb, caption="": (shown.append((rgb.copy(), caption)), orig(rgb, caption))
    win.pace = 60                                       # a few epochs per map: several live previews
    train(qtbot, win)
    live = [(rgb, c) for rgb, c in shown if c.startswith("Live preview")]
    assert len(previews) >= 2 and len(live) >= 2          # the picture quantised live, drawn as it trains
    assert any(not np.array_equal(a[0], b[0]) for a, b in zip(live, live[1:]))
    img = picture()

    win.actions["quantise"].trigger()                   # the full-size pass
    wait_idle(qtbot, win)
    q = win.session.quantised
    weights = win.session.map.weights
    idx, rgba = quantise_from_map(img, weights)         # the command's fit, from the map's colours
    expected = rgba[idx][..., :3]
    np.testing.assert_array_equal(q.palette[q.indices][..., :3], expected)
    assert q.psnr == pytest.approx(psnr(img, expected))
    assert q.psnr >= psnr(img, quantize(img, weights)) - 0.5      # about as close as the map's own colours
    assert q.used == len(np.unique(expected.reshape(-1, 3), axis=0)) <= 16
    assert win.view == "quantised" and f"PSNR {q.psnr:.2f} dB" in win.canvas.legend.text()
    # the mean CIEDE2000 `somdesk quantize` prints, in the caption and the status line (tester11)
    from somdesk.core.colour import delta_e_2000_srgb
    exact = float(np.mean(delta_e_2000_srgb(img.reshape(-1, 3) / 255.0, expected.reshape(-1, 3) / 255.0)))
    assert q.delta_e == pytest.approx(exact, abs=1e-9)             # 160 x 120: every pixel measured
    words = f"PSNR {q.psnr:.2f} dB, mean CIEDE2000 {q.delta_e:.1f}"
    assert words in win.canvas.legend.text() and words in win.statusBar().currentMessage()
    assert all("CIEDE2000" not in c for _rgb, c in live)           # the live preview measures no CIEDE2000
    np.testing.assert_array_equal(win.canvas.image_array(), expected)       # drawn: the result's pixels

    # export: File > Export image of the quantised view is an indexed PNG of those pixels
    out = tmp_path / "out.png"
    assert win.export_image(str(out))
    with Image.open(out) as im:
        assert im.mode == "P"
        np.testing.assert_array_equal(np.asarray(im.convert("RGB")), expected)
    # and the map's colours as a palette, in map order
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(tmp_path / "map.gpl"))
    assert win.files.write_organised(None)
    pal = read_palette(tmp_path / "map.gpl")
    assert len(pal) == 16
    assert {tuple(s.rgb) for s in pal.swatches} == {tuple(c) for c in
                                                    np.clip(weights.reshape(-1, 3) * 255 + 0.5, 0, 255).astype(int)}


@pytest.mark.parametrize("dither", [False, True])
def test_window_quantise_and_the_command_write_the_same_png(qtbot, win, png, tmp_path, monkeypatch, dither):
    """One code path (docs/quantisation.md): the window's Quantise + File > Export image, and
    `somdesk quantize IN OUT.png --map M.somz [--dither]` with the map the window saved, write
    the same bytes -- dithered too, from the picture panel's Dither box (testerG #5: the window
    could not dither)."""
    from somdesk.cli import main

    open_picture(qtbot, win, png)
    win.left.params.set_config(win.session.config.replace(iterations=5))
    train(qtbot, win)
    win.left.image_panel.dither.setChecked(dither)
    win.actions["quantise"].trigger()
    wait_idle(qtbot, win)
    assert win.session.quantised.dithered is dither
    assert ("with dithering" in win.statusBar().currentMessage()) is dither
    win.set_view("quantised")
    assert win.export_image(str(tmp_path / "window.png"))
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(tmp_path / "map.somz"))
    assert save_now(qtbot, win, lambda: win.save(ask=True))
    assert main(["quantize", str(png), str(tmp_path / "cli.png"), "--map", str(tmp_path / "map.somz"),
                 "-q", *(["--dither"] if dither else [])]) == 0
    assert (tmp_path / "cli.png").read_bytes() == (tmp_path / "window.png").read_bytes()
    # the box changes the pixels: the other choice is another picture
    assert main(["quantize", str(png), str(tmp_path / "other.png"), "--map", str(tmp_path / "map.somz"),
                 "-q", *([] if dither else ["--dither"])]) == 0
    with Image.open(tmp_path / "other.png") as a, Image.open(tmp_path / "window.png") as b:
        assert not np.array_equal(np.asarray(a.convert("RGB")), np.asarray(b.convert("RGB")))


def test_open_dialog_and_drop_use_the_same_path(qtbot, win, png, monkeypatch):
    monkeypatch.setattr(dialogs, "ask_open_paths", lambda *a: [str(png)])
    win.actions["open"].trigger()
    wait_idle(qtbot, win)
    assert win.session.dataset.source == str(png)
    other = png.parent / "other.bmp"
    Image.fromarray(picture(seed=9)[::-1]).save(other)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(other))])
    win.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime,
                             Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    wait_idle(qtbot, win)
    assert win.session.dataset.source == str(other) and win.session.kind == "image"


def test_changing_the_map_size_gives_that_many_colours(qtbot, win, png):
    open_picture(qtbot, win, png, side=4)
    train(qtbot, win)
    win.left.params.set_config(win.session.config.replace(width=6, height=6, seed=None))
    train(qtbot, win)                                   # new settings: a fresh map
    win.quantise()
    wait_idle(qtbot, win)
    assert win.session.map.shape == (6, 6) and len(win.session.quantised.palette) == 36


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    idat = zlib.compress(b"\x00" * 64)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
            + struct.pack(">I", len(idat)) + b"IDAT" + idat + struct.pack(">I", zlib.crc32(b"IDAT" + idat)))


@pytest.mark.parametrize("name, make_bytes, words", [
    ("cut.png", lambda good: good[: len(good) // 2], "damaged or truncated"),
    ("noise.jpg", lambda good: bytes(range(256)) * 8, "noise.jpg"),
    ("bomb.png", lambda good: _png_header(60_000, 60_000), "pixels"),
    ("empty.gif", lambda good: b"", "empty"),
])
def test_bad_pictures_give_a_clear_message_and_change_nothing(qtbot, win, png, tmp_path, name, make_bytes, words):
    open_picture(qtbot, win, png)
    before = win.session.dataset
    bad = tmp_path / name
    bad.write_bytes(make_bytes(png.read_bytes()))
    open_and_wait(qtbot, win, bad)
    assert name in win.last_error and words in win.last_error, win.last_error
    assert win.session.dataset is before                # the old picture stays
    assert win.actions["train"].isEnabled()


def test_missing_file_is_a_message_too(qtbot, win, tmp_path):
    open_and_wait(qtbot, win, tmp_path / "nowhere.png")
    assert "nowhere.png" in win.last_error and win.session.kind == "colours"


def test_full_size_pass_is_sliced_cancellable_and_keeps_the_gui_responsive(qtbot, win, tmp_path):
    h, w = 1500, 4000   # 6 MP, ~6 slices of 1 Mpx
    y, x = np.mgrid[0:h, 0:w]
    big = np.stack([(x * 255 // w), (y * 255 // h), ((x + y) % 256)], axis=2).astype(np.uint8)
    path = tmp_path / "big.bmp"
    Image.fromarray(big).save(path)
    open_picture(qtbot, win, path, side=8)
    win.left.params.set_config(win.session.config.replace(width=8, height=8, iterations=3))
    train(qtbot, win)
    progress = []
    win.runner.yielded.connect(lambda kind, v: progress.append((kind, getattr(v, "done", None),
                                                                getattr(v, "total", None))))
    win.quantise()
    qtbot.waitUntil(lambda: any(k == "quantise" for k, *_ in progress), timeout=FIRST_RUN_TIMEOUT_MS)
    win.runner.stop()                                   # Cancel
    wait_idle(qtbot, win)
    assert win.session.quantised is None

    gaps, last = [], [time.perf_counter()]
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: (gaps.append(time.perf_counter() - last[0]), last.__setitem__(0, time.perf_counter())))
    timer.start()
    progress.clear()
    win.quantise()
    wait_idle(qtbot, win, 60_000)
    timer.stop()
    steps = [d for k, d, t in progress if k == "quantise" and d is not None]
    assert len(steps) >= 3                              # progress slice by slice
    from tests.timing import load_scaled
    assert max(gaps) < load_scaled(0.5)                 # never froze
    q = win.session.quantised
    assert q.indices.shape == (h, w)
    out = tmp_path / "big-64.png"
    assert win.export_image(str(out))          # 6 Mpx: written by a task (export_dialog.TASK_PIXELS)
    assert win.runner.kind == "export-image"
    wait_idle(qtbot, win)
    assert "Exported big-64.png (indexed PNG)" in win.statusBar().currentMessage()
    with Image.open(out) as im:
        assert im.mode == "P" and im.size == (w, h)


def test_closing_during_training_stops_the_worker(qtbot, png):
    win = make_window(qtbot, speed="slow")
    open_picture(qtbot, win, png)
    win.left.params.set_config(win.session.config.replace(iterations=10_000))
    win.train()
    qtbot.waitUntil(lambda: win.session.map.iteration > 0, timeout=FIRST_RUN_TIMEOUT_MS)
    assert win.runner.kind == "train" and running_threads()
    t0 = time.perf_counter()
    win.close()
    assert time.perf_counter() - t0 < load_scaled(1.0)
    qtbot.waitUntil(lambda: not running_threads(), timeout=1000)


def test_stop_keeps_the_map_as_it_is(qtbot, png):
    win = make_window(qtbot, speed="slow")
    try:
        open_picture(qtbot, win, png)
        win.left.params.set_config(win.session.config.replace(iterations=10_000))
        win.train()
        qtbot.waitUntil(lambda: win.session.map.iteration > 0, timeout=FIRST_RUN_TIMEOUT_MS)
        qtbot.mouseClick(win.findChild(__import__("PySide6.QtWidgets").QtWidgets.QToolBar, "training-toolbar")
                         .widgetForAction(win.actions["stop"]), Qt.MouseButton.LeftButton)
        wait_idle(qtbot, win)
        state = win.session.map
        assert state.iteration < 10_000 and win.session.run_state == "paused"
        np.testing.assert_array_equal(state.weights, win.session.som.weights)
        assert "Stopped" in win.statusBar().currentMessage()
    finally:
        win.close()


def test_the_plot_axis_spans_every_phase_of_an_image_map(qtbot, win, tmp_path):
    """Tester2 B9: the QE/TE plot of a picture spans ordering, fine-tuning and recovery (the
    phases continue one axis), so the fine-tuning points are not off the right edge."""
    import numpy as np
    from PIL import Image

    from somdesk.session.runs import planned_epochs

    yy, xx = np.mgrid[0:60, 0:80]
    pic = np.stack([xx * 3, yy * 4, 255 - xx * 3], -1).astype(np.uint8)
    path = tmp_path / "g.png"
    Image.fromarray(pic).save(path)
    assert win.open_paths([str(path)])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=60_000)
    win.set_speed("max")
    win.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=120_000)
    lo, hi = win.metrics.getPlotItem().vb.viewRange()[0]
    xs = win.metrics.points()[:, 0]
    assert xs.max() > win.session.config.iterations and (xs <= hi).all()
    # the title and the status count the same epochs as the plot (tester2: "epoch 20 of 20" of a phase)
    trained = int(xs.max())
    # and the axis ends at the run's last epoch, not at every recovery round that might have run
    # (testerG #12: 3 points to epoch 40 on an axis to 55)
    assert trained < planned_epochs(win.session)      # not every recovery round ran
    assert hi == pytest.approx(trained, abs=0.03 * trained)
    assert f"epoch {trained:,} of {trained:,}" in win.map_title.text()
    assert f"Finished at epoch {trained:,} of {trained:,}" in win.statusBar().currentMessage()
    # the time-lapse counts the same epochs: frames across every phase, the last one the map's
    its = win.timelapse.recorder.iterations
    assert its[0] == 0 and its[-1] == trained and its == sorted(set(its))
    np.testing.assert_array_equal(win.timelapse.recorder.frames[-1],
                                  np.clip(np.rint(win.session.map.weights[..., :3] * 255), 0, 255).astype(np.uint8))
