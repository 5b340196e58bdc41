"""File > Export image… (the options dialog), Edit > Copy image and File > Export time-lapse…
of the one window.  Ported from the old window's test_export_image.py and
test_export_timelapse.py: the pictures now come from `somdesk.render` (true hexagons)."""
from __future__ import annotations

import errno
import os

import numpy as np
import pytest
from PIL import Image, ImageSequence
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox

from somdesk import render
from somdesk.core import SOM, SOMConfig
from somdesk.gui import dialogs
from somdesk.gui.export_dialog import ExportImageDialog, ExportOptions
from somdesk.gui.timelapse_recorder import planned_frames

from .helpers import make_window, open_and_wait, train, wait_idle


def trained(qtbot, colours, interactive=False, **cfg):
    win = make_window(qtbot, colours, SOMConfig(**{"width": 13, "height": 7, "iterations": 30, "seed": 2, **cfg}),
                      interactive=interactive)
    train(qtbot, win)
    return win


@pytest.fixture
def win(qtbot, colours):
    w = trained(qtbot, colours)
    yield w
    w.close()


def read_png(path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


# -- Export image ------------------------------------------------------------------------------------
@pytest.mark.parametrize("view,size", [("colours", (65, 35)), ("strip", (65, 35 + 8 + 5)),
                                       ("umatrix", (65, 35)), ("hits", (65, 35))])
@pytest.mark.parametrize("markers", [False, True])
def test_each_export_choice_writes_its_picture(win, tmp_path, view, size, markers):
    path = tmp_path / f"{view}.png"
    assert win.exports.save(ExportOptions(view, 5, markers, legend=False), str(path))
    img = read_png(path)
    assert (img.shape[1], img.shape[0]) == size
    state = win.session.map
    np.testing.assert_array_equal(img, render.render_view(view, state.weights, win.session.dataset.colours,
                                                          scale=5, markers=markers))
    if view in ("colours", "strip"):
        body = img[-35:]
        cells = np.repeat(np.repeat(render.to_rgb8(state.weights), 5, axis=0), 5, axis=1)
        differ = np.argwhere(np.any(body != cells, axis=2)) + 0.5
        if not markers:
            assert len(differ) == 0                  # every pixel of every cell is the node's colour
        else:                                        # only ring pixels (within 4.5 px of a BMU's centre)
            centres = state.bmus * 5 + 2.5
            dist = np.min(np.hypot(differ[:, None, 0] - centres[None, :, 0],
                                   differ[:, None, 1] - centres[None, :, 1]), axis=1)
            assert len(differ) and dist.max() <= 4.5
    assert "Exported" in win.statusBar().currentMessage()


def test_the_legend_goes_below_the_map(win, tmp_path):
    assert win.exports.save(ExportOptions("umatrix", 5, False, legend=True), str(tmp_path / "u.png"))
    img = read_png(tmp_path / "u.png")
    state = win.session.map
    nodes, legend = render.node_colours("umatrix", state.weights, umatrix=state.umatrix)
    np.testing.assert_array_equal(img, render.with_legend(render.picture(nodes, False, 5), legend))
    assert img.shape[0] > 35 + 10


def test_a_hexagonal_map_is_true_hexagons(qtbot, colours, tmp_path):
    w = trained(qtbot, colours, topology="hexagonal", height=8)
    try:
        assert w.exports.save(ExportOptions("colours", 8, False, False), str(tmp_path / "h.png"))
        img = read_png(tmp_path / "h.png")
        idx = render.index_image(8, 13, True, 8)
        assert img.shape[:2] == idx.shape
        expected = render.to_rgb8(w.session.map.weights).reshape(-1, 3)
        np.testing.assert_array_equal(img[idx >= 0], expected[idx[idx >= 0]])
        assert (img[idx < 0] == 255).all()
    finally:
        w.close()


def test_the_dialog_shows_the_size_live_and_saves(qtbot, win, tmp_path, monkeypatch):
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(tmp_path / "d.png"))
    assert win.actions["export_image"].shortcut() == QKeySequence("Ctrl+E")
    win.actions["export_image"].trigger()
    d = win.exports.dialog
    assert isinstance(d, ExportImageDialog) and d.isVisible()
    views = [d.view.itemData(i) for i in range(d.view.count())]
    assert views == ["colours", "strip", "umatrix", "hits"]          # what applies to a colour map
    d.legend.setChecked(False)
    d.scale.setValue(10)
    d.view.setCurrentIndex(views.index("umatrix"))
    assert d.size_label.text() == "130 x 70 px"
    d.legend.setChecked(True)
    assert d.size_label.text() == "130 x 70 px + legend"
    d.view.setCurrentIndex(views.index("strip"))                    # strip (8 px) and gap (10 px) on top
    assert d.size_label.text() == "130 x 88 px"
    d.markers.setChecked(True)
    d.save_button.click()
    assert read_png(tmp_path / "d.png").shape == (88, 130, 3)
    win.close()
    again = make_window(qtbot)
    try:
        o = again.exports.options()
        assert (o.scale, o.markers, o.legend) == (10, True, True)    # remembered in the settings
    finally:
        again.close()


def test_dialog_copy_puts_the_same_picture_on_the_clipboard(win, tmp_path):
    options = ExportOptions("hits", 3, True, False)
    assert win.exports.copy(options)
    img = QGuiApplication.clipboard().image()
    assert (img.width(), img.height()) == (39, 21)
    win.exports.save(options, str(tmp_path / "same.png"))
    png = read_png(tmp_path / "same.png")
    for x, y in ((0, 0), (17, 9), (38, 20)):
        c = img.pixelColor(x, y)
        assert (c.red(), c.green(), c.blue()) == tuple(png[y, x])


@pytest.mark.parametrize("where", ["inside-a-file", "proc", "bad-name"])
def test_unwritable_places_are_a_dialog_and_leave_the_map(qtbot, colours, tmp_path, where):
    win = trained(qtbot, colours, interactive=True)
    try:
        before = win.session.map.weights.copy()
        (tmp_path / "plain").write_text("x")
        path = {"inside-a-file": str(tmp_path / "plain" / "x.png"), "proc": "/proc/somdesk-test.png",
                "bad-name": str(tmp_path / "a\0b.png")}[where]
        assert not win.exports.save(ExportOptions("colours", 2), path)
        assert win.last_error.startswith("cannot write")
        box = win.findChild(QMessageBox, "somdesk-message")
        assert box is not None and box.text() == win.last_error
        np.testing.assert_array_equal(win.session.map.weights, before)
    finally:
        win.close()


def test_an_interrupted_export_leaves_the_previous_file_byte_identical(win, tmp_path, monkeypatch):
    path = tmp_path / "keep.png"
    assert win.exports.save(ExportOptions("colours", 2), str(path))
    before = path.read_bytes()

    def disk_full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    assert not win.exports.save(ExportOptions("umatrix", 4, True), str(path))
    assert "the disk is full" in win.last_error
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["keep.png"]


def test_ctrl_c_copies_the_picture_but_leaves_text_fields_their_copy(qtbot, win):
    clipboard = QGuiApplication.clipboard()
    win.activateWindow()
    win.canvas.setFocus()
    qtbot.waitUntil(win.canvas.hasFocus, timeout=2000)
    clipboard.clear()
    qtbot.keyClick(win.canvas, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.image().width() == win.canvas.image_array().shape[1]      # the view as shown
    spin = win.left.params.width_spin
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=2000)
    spin.lineEdit().selectAll()
    clipboard.clear()
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == "13 nodes" and clipboard.image().isNull()


def test_pictures_export_whole(qtbot, tmp_path):
    w = make_window(qtbot)
    try:
        pixels = np.random.default_rng(1).integers(0, 256, size=(90, 120, 3), dtype=np.uint8)
        w.session.new_image(pixels, title="noise")
        w.set_view("picture")
        w.draw()
        assert w.exports.save(ExportOptions("picture"), str(tmp_path / "p.png"))
        np.testing.assert_array_equal(read_png(tmp_path / "p.png"), pixels)
    finally:
        w.close()


# -- Export time-lapse ---------------------------------------------------------------------------------
def written(qtbot, w):
    """Export time-lapse runs as a task (tester7 #32): wait for it."""
    qtbot.waitUntil(lambda: not w.runner.busy, timeout=30_000)


def frames_of(path):
    with Image.open(path) as im:
        pairs = [(np.asarray(f.convert("RGB")), f.info.get("duration")) for f in ImageSequence.Iterator(im)]
    return [f for f, _d in pairs], pairs[0][1]


def test_frames_are_kept_while_training_from_start_to_end(qtbot, window):
    assert not window.actions["export_timelapse"].isEnabled() or len(window.timelapse) == 1
    window.pace = 60                           # 60 epochs in ~1 s: many snapshots even on a loaded machine
    state = train(qtbot, window)
    rec = window.timelapse.recorder
    assert rec.iterations[0] == 0 and rec.iterations[-1] == state.iteration == 60
    assert len(rec) >= 3 and rec.iterations == sorted(rec.iterations)
    np.testing.assert_array_equal(rec.frames[-1], render.to_rgb8(state.weights))
    assert window.actions["export_timelapse"].isEnabled()


def test_the_buffer_is_bounded_and_keeps_the_final_state(qtbot, window, monkeypatch):
    import somdesk.gui.timelapse_recorder as tr

    monkeypatch.setattr(tr, "MAX_FRAMES", 5)
    window.pace = 1000
    window.left.params.set_config(SOMConfig(width=20, height=20, iterations=300, seed=3))
    state = train(qtbot, window)
    rec = window.timelapse.recorder
    assert 2 <= len(rec) <= 5 and rec.iterations[0] == 0 and rec.iterations[-1] == 300
    np.testing.assert_array_equal(rec.frames[-1], render.to_rgb8(state.weights))


@pytest.mark.parametrize("name", ["run.gif", "run.png"])
def test_export_through_the_dialog(qtbot, window, tmp_path, monkeypatch, name):
    state = train(qtbot, window)
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(tmp_path / name))
    window.actions["export_timelapse"].trigger()
    d = window.timelapse.dialog
    assert d.isVisible()
    d.fps_combo.setCurrentIndex(d.fps_combo.findData(10))
    d.scale.setValue(3)
    n = len(window.timelapse.recorder)
    assert d.info.text().startswith(f"{n} frames, epochs 0 to 60") and d.info.text().endswith("60 x 60 px")
    d.accept()
    written(qtbot, window)
    frames, duration = frames_of(tmp_path / name)
    assert len(frames) == n and duration == 100 and frames[0].shape == (60, 60, 3)
    last = frames[-1][::3, ::3].astype(int)
    tolerance = 24 if name.endswith(".gif") else 0        # GIF: 255 colours per frame
    assert np.abs(last - render.to_rgb8(state.weights)).max() <= tolerance
    assert window.settings.get("timelapse/fps", 0) == 10


def test_a_hexagonal_time_lapse_is_true_hexagons(qtbot, colours, tmp_path):
    w = trained(qtbot, colours, topology="hexagonal", height=8)
    try:
        assert w.timelapse.save(20, 6, str(tmp_path / "h.png"))
        written(qtbot, w)
        frames, _ = frames_of(tmp_path / "h.png")
        idx = render.index_image(8, 13, True, 6)
        assert frames[-1].shape[:2] == idx.shape and (frames[-1][idx < 0] == 255).all()
        expected = render.to_rgb8(w.session.map.weights).reshape(-1, 3)
        np.testing.assert_array_equal(frames[-1][idx >= 0], expected[idx[idx >= 0]])
    finally:
        w.close()


def test_opening_a_map_starts_a_recording_that_training_continues(qtbot, window, tmp_path):
    from somdesk.io.mapfile import save_map

    som = SOM(np.eye(3), SOMConfig(width=8, height=6, iterations=40, seed=1))
    som.train(lambda info: info.iteration < 19)
    save_map(som, tmp_path / "m.somz")
    assert open_and_wait(qtbot, window, tmp_path / "m.somz")
    assert window.timelapse.recorder.iterations == [20]
    train(qtbot, window)
    its = window.timelapse.recorder.iterations
    assert its[0] == 20 and its[-1] == 40


def test_a_bad_place_is_a_dialog(qtbot, window, tmp_path):
    train(qtbot, window)
    (tmp_path / "plain").write_text("x")
    window.timelapse.save(20, 2, str(tmp_path / "plain" / "t.gif"))      # said by the task
    written(qtbot, window)
    assert window.last_error.startswith("cannot write")
    assert not window.timelapse.save(20, 2, str(tmp_path / "t.mp4"))
    assert ".gif, .png or .apng" in window.last_error


# tester6 F33: Export image wrote PNG bytes over the palette / picture the window had open
def test_export_image_refuses_the_file_in_use_and_names_that_are_not_png(qtbot, tmp_path):
    from .helpers import make_window, train

    rng = np.random.default_rng(3)
    gpl = tmp_path / "car.gpl"
    gpl.write_text("GIMP Palette\nName: car\n#\n" + "".join(f"{r} {g} {b}\tc{k}\n" for k, (r, g, b) in
                                                           enumerate(rng.integers(0, 256, (40, 3)))))
    pic = tmp_path / "cat.png"
    Image.fromarray(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(pic)
    win = make_window(qtbot, config=SOMConfig(width=6, height=5, iterations=5, seed=1))
    try:
        for source in (gpl, pic):
            assert open_and_wait(qtbot, win, source)
            train(qtbot, win)
            before = source.read_bytes()
            win.last_error = None
            assert not win.export_image(str(source))
            assert source.read_bytes() == before
            if source.suffix == ".png":
                assert win.last_error == "cat.png is the file in use: writing it would replace it; choose another name"
            else:
                assert win.last_error == "Export image writes PNG: give it a .png file name, not 'car.gpl'"
            for other in ("x.jpg", "x.csv", "x"):                  # any name that is not .png
                win.last_error = None
                assert not win.export_image(str(tmp_path / other)) and ".png file name" in win.last_error
                assert not (tmp_path / other).exists()
            if source.suffix == ".gpl":                            # nor the organised palette
                win.last_error = None
                assert not win.files.write_organised(None, str(source))
                assert win.last_error.startswith("car.gpl is the file in use") and source.read_bytes() == before
            assert win.export_image(str(tmp_path / "x.PNG"))       # a PNG name, any case
            assert (tmp_path / "x.PNG").read_bytes()[:4] == b"\x89PNG"
    finally:
        win.close()


def _cli_recorder(tmp_path, monkeypatch, rgb8, width, height, epochs, seed):
    """The FrameRecorder of `somdesk train --palette P --timelapse` on colours `rgb8` (N, 3) 0-255."""
    import somdesk.cli_train as cli_train
    from somdesk.cli import main

    pal = tmp_path / "p.gpl"
    pal.write_text("GIMP Palette\nName: t\n#\n" + "".join(f"{r} {g} {b} c{k}\n" for k, (r, g, b) in enumerate(rgb8)))
    kept = []
    make = cli_train._timelapse_recorder
    monkeypatch.setattr(cli_train, "_timelapse_recorder", lambda args: kept.append(make(args)) or kept[-1])
    assert main(["train", "--palette", str(pal), "--width", str(width), "--height", str(height), "--iterations",
                 str(epochs), "--seed", str(seed), "--timelapse", str(tmp_path / "cli.png"), "-q"]) in (0, None)
    return kept[0]


@pytest.mark.parametrize("speed", ["normal", "fast"])
def test_the_time_lapse_is_the_clis_frames_taken_from_the_run_itself(qtbot, tmp_path, monkeypatch, speed):
    """tester7 #32: the window kept only the maps it happened to draw (5 frames of a 7.7-s run).
    The run now hands the recorder its codebook at the epochs the recorder wants, so a run of N
    epochs keeps the CLI's frames at the CLI's epochs, bit for bit: N + 1 frames up to 119 epochs,
    then every stride-th epoch (130 epochs: 0, 2, ..., 128 and the last, 66 frames)."""
    rng = np.random.default_rng(11)
    rgb8 = rng.integers(0, 256, size=(40, 3))
    cli = _cli_recorder(tmp_path, monkeypatch, rgb8, 12, 9, 130, 5)
    assert len(cli.iterations) == 66 and cli.iterations[:3] == [0, 2, 4] and cli.iterations[-2:] == [128, 130]

    w = make_window(qtbot, rgb8 / 255.0, SOMConfig(width=12, height=9, iterations=130, seed=5), speed=speed)
    try:
        state = train(qtbot, w)
        assert state.iteration == 130
        rec = w.timelapse.recorder
        assert rec.iterations == cli.iterations
        for a, b in zip(rec.frames, cli.frames):
            np.testing.assert_array_equal(a, b)
    finally:
        w.close()


def test_reset_ends_the_recording_and_colours_nothing_on_the_gui_thread(qtbot, window, monkeypatch):
    """tester7 #8: Reset of a 1000 x 1000 map spent ~250 ms of its 360-520 ms colouring the
    stopped run's final map for the recording.  The run offers its frames on its own thread;
    Reset only ends the recording, and the next run starts one from its epoch 0."""
    import threading

    import somdesk.gui.timelapse_recorder as tr

    train(qtbot, window)
    assert window.timelapse.recorder.iterations[-1] == 60
    coloured, offered = [], []
    real_colours, real_offer = tr.frame_colours, tr.RunFrames.offer

    def counted(session):
        colour = real_colours(session)
        return lambda w: coloured.append(threading.current_thread()) or colour(w)

    def offer(self, *a, **k):
        offered.append(threading.current_thread())
        return real_offer(self, *a, **k)
    monkeypatch.setattr(tr, "frame_colours", counted)
    monkeypatch.setattr(tr.RunFrames, "offer", offer)
    window.reset_weights()
    QApplication.processEvents()
    assert len(window.timelapse) == 0 and coloured == [] and offered == []
    state = train(qtbot, window)
    rec = window.timelapse.recorder
    assert offered and threading.main_thread() not in offered       # every frame from the run's thread
    assert coloured == []            # a small map's codebooks are coloured when the frames are read
    assert rec.iterations[0] == 0 and rec.iterations[-1] == state.iteration == 60
    np.testing.assert_array_equal(rec.frames[-1], render.to_rgb8(state.weights))
    assert len(coloured) == len(rec) and set(coloured) == {threading.main_thread()}


def test_undo_of_reset_brings_the_time_lapse_back_with_the_map(qtbot, window, tmp_path):
    """tester11: Undo of Reset weights brought the trained map back but not its time-lapse (the
    status said "1 frames" for what was left).  The frames come back with the map, a run that
    continues the map adds to them, and counts read "1 frame", "2 frames"."""
    from somdesk.gui.timelapse_recorder import _frames_written, frames_text

    window.pace = 20                                         # stopped part way, so Train continues it
    window.train()
    qtbot.waitUntil(lambda: window.session.map.iteration >= 10, timeout=60_000)
    window.stop_task()
    wait_idle(qtbot, window)
    stopped_at = window.session.map.iteration
    before = window.timelapse.recorder.iterations
    frames = [f.copy() for f in window.timelapse.recorder.frames]
    assert len(before) > 2 and before[-1] == stopped_at < 60
    window.actions["reset"].trigger()
    assert len(window.timelapse) == 0                       # Reset ends the recording
    window.undo.undo()
    assert window.session.map.iteration == stopped_at
    assert window.timelapse.recorder.iterations == before
    for a, b in zip(window.timelapse.recorder.frames, frames):
        np.testing.assert_array_equal(a, b)
    window.undo.redo()                                       # Reset again, and Undo again
    assert len(window.timelapse) == 0
    window.undo.undo()
    assert window.timelapse.recorder.iterations == before
    state = train(qtbot, window)                             # Train continues the map and its frames
    assert state.iteration == 60 and window.timelapse.recorder.iterations == list(range(61))
    from somdesk.gui.window_tasks import ResetWeights
    from somdesk.session.undo import UNDO_LIMIT
    # training freed the copies (review12 #7): it is not undoable, so its start empties the
    # undo stack, and the Reset commands holding them go (fixR)
    assert window.undo.count() == 0
    window.actions["reset"].trigger()
    window.actions["reset"].trigger()
    resets = [window.undo.command(i) for i in range(window.undo.count())
              if isinstance(window.undo.command(i), ResetWeights)]
    assert [r.frames is not None for r in resets] == [False] * (len(resets) - 1) + [True]   # the latest only
    assert window.undo.undoLimit() == UNDO_LIMIT
    assert frames_text(1) == "1 frame" and frames_text(2) == "2 frames" and frames_text(1200) == "1,200 frames"
    assert _frames_written((1, 20, 1), False, str(tmp_path / "a.gif")) == "Exported a.gif: 1 frame at 20 fps."
    assert _frames_written((2, 20, 3), False, str(tmp_path / "a.gif")) == \
        "Exported a.gif: 2 frames at 20 fps (3 recorded; identical consecutive frames are stored once)."


@pytest.mark.parametrize("epochs", [3000, 150])
def test_at_max_every_planned_frame_is_kept_without_cutting_the_run(qtbot, window, monkeypatch, colours, tmp_path,
                                                                     epochs):
    """tester11 #1: at Max a quick run kept 5 of its 76 planned frames (cutting the kernel call at
    each frame cost 20-45 % at Max, issue 14 goal 1, so quick chunks skipped them), and the export
    played them at one pace whatever epochs they showed.  Now the kernel call copies the codebook
    at the planned epochs as it goes: the run keeps exactly the CLI's frames, at the CLI's epochs,
    bit for bit, in fewer kernel calls than frames; the export times each frame by its epoch."""
    from somdesk.core.som import SOM as CoreSOM
    from somdesk.io.timelapse import frame_durations

    rec_cli = _cli_recorder(tmp_path, monkeypatch, np.rint(colours * 255).astype(int), 20, 20, epochs, 3)
    calls = []
    real = CoreSOM.run_epochs
    monkeypatch.setattr(CoreSOM, "run_epochs", lambda self, n, cancel=None, **kw: calls.append(n)
                        or real(self, n, cancel, **kw))
    window.left.params.set_config(SOMConfig(width=20, height=20, iterations=epochs, seed=3))
    window.set_speed("max")
    state = train(qtbot, window)
    rec = window.timelapse.recorder
    assert state.iteration == epochs
    assert rec.iterations == rec_cli.iterations == planned_frames(0, epochs)     # the plan, every frame
    for a, b in zip(rec.frames, rec_cli.frames):
        np.testing.assert_array_equal(a, b)
    assert len(calls) < len(rec), (len(calls), len(rec))          # not cut for frames
    import somdesk.gui.timelapse_recorder as tr
    import somdesk.io.timelapse as tl

    timed = []
    real_bytes = tl.animation_bytes
    monkeypatch.setattr(tl, "animation_bytes", lambda frames, fps, *a, **k: timed.append(
        frame_durations(len(frames), fps, 1.0, k.get("epochs", a[4] if len(a) > 4 else None)))
        or real_bytes(frames, fps, *a, **k))
    assert tr.write_animation is tl.write_animation
    path = tmp_path / "max.gif"
    assert window.timelapse.save(20, 1, str(path))
    written(qtbot, window)
    assert path.exists() and len(timed) == 1
    durations = timed[0]
    assert len(durations) == len(rec)
    gaps = np.diff(rec.iterations)
    usual = np.median(gaps)
    for d, g in zip(durations[:-1], gaps):                         # each frame lasts its epochs
        assert abs(d - max(20, 50 * g / usual)) <= 1, (d, g)


def test_frames_are_timed_by_their_epochs():
    """A frame lasts until the next one's epoch: the usual gap plays in 1/fps s."""
    from somdesk.errors import SomdeskError
    from somdesk.io.timelapse import frame_durations

    assert frame_durations(3, 20) == [50, 50, 1000]
    assert frame_durations(5, 20, 1.0, [0, 2, 4, 8, 9]) == [50, 50, 100, 25, 1000]
    assert frame_durations(4, 10, 0.0, [0, 10, 20, 21]) == [100, 100, 20, 100]   # never under 20 ms
    with pytest.raises(SomdeskError, match="ascending"):
        frame_durations(3, 20, 1.0, [0, 5, 5])


def test_export_dialog_and_save_colour_no_frame_on_the_gui_thread(qtbot, window, tmp_path, monkeypatch):
    """Frames kept as codebooks are coloured by the export's task, never on the GUI thread (review8:
    a map trained in OKLab took ~9 s there when the dialog opened)."""
    import threading

    state = train(qtbot, window)
    rec = window.timelapse.recorder
    items = rec.items()
    assert any(colour is not None for _f, colour in items)      # the run kept codebooks
    threads = []

    def spy(colour):
        def run(w):
            threads.append(threading.current_thread() is threading.main_thread())
            return colour(w)
        return run

    with window.timelapse.lock:                                  # wrap every kept item's colouring
        for _e, item in rec._items():
            if item[1] is not None:
                item[1] = spy(item[1])
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(tmp_path / "t.gif"))
    window.actions["export_timelapse"].trigger()
    d = window.timelapse.dialog
    d.scale.setValue(3)
    assert d.info.text().startswith(f"{len(rec)} frames") and d.info.text().endswith("60 x 60 px")
    assert threads == []                                         # the dialog coloured nothing
    d.accept()
    written(qtbot, window)
    frames, _ = frames_of(tmp_path / "t.gif")
    assert len(frames) == len(rec) and threads and not any(threads)
    assert np.abs(frames[-1][::3, ::3].astype(int) - render.to_rgb8(state.weights)).max() <= 24
