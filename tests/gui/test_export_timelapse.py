"""File > Export time-lapse…: frames kept while training, bounded, exported as GIF / APNG."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageSequence

from somdesk.core import SOM, SOMConfig
from somdesk.gui import dialogs
from somdesk.io.images import to_rgb8
from somdesk.io.timelapse import FrameRecorder

from .helpers import FIRST_RUN_TIMEOUT_MS


def train(qtbot, win):
    with qtbot.waitSignal(win.controller.finished, timeout=FIRST_RUN_TIMEOUT_MS) as blocker:
        win.train()
    return blocker.args[0]


def frames_of(path):
    with Image.open(path) as im:
        pairs = [(np.asarray(f.convert("RGB")), f.info.get("duration")) for f in ImageSequence.Iterator(im)]
    return [f for f, _d in pairs], pairs[0][1]


def test_frames_are_kept_while_training_from_start_to_end(qtbot, window):
    assert not window.actions.export_timelapse.isEnabled()
    window.controller.set_pace(600)              # 60 iterations in ~0.1 s: several snapshots
    snap = train(qtbot, window)
    rec = window.timelapse.recorder
    assert rec.iterations[0] == 0 and rec.iterations[-1] == snap.iteration == 60
    assert len(rec) >= 3 and rec.iterations == sorted(rec.iterations)
    np.testing.assert_array_equal(rec.frames[-1], to_rgb8(snap.weights))
    assert window.actions.export_timelapse.isEnabled()


def test_the_buffer_is_bounded_and_keeps_the_final_state(qtbot, window):
    window.timelapse.recorder = FrameRecorder(5)
    window.controller.set_pace(1000)
    window.params.set_config(SOMConfig(width=20, height=20, iterations=300, seed=3))
    qtbot.waitUntil(lambda: window.params.valid, timeout=2000)
    snap = train(qtbot, window)
    rec = window.timelapse.recorder
    assert 2 <= len(rec) <= 5 and rec.iterations[0] == 0 and rec.iterations[-1] == 300
    np.testing.assert_array_equal(rec.frames[-1], to_rgb8(snap.weights))


@pytest.mark.parametrize("name", ["run.gif", "run.png"])
def test_export_through_the_dialog(qtbot, window, tmp_path, monkeypatch, name):
    snap = train(qtbot, window)
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(tmp_path / name))
    window.actions.export_timelapse.trigger()
    d = window.timelapse.dialog
    assert d.isVisible()
    d.fps_combo.setCurrentIndex(d.fps_combo.findData(10))
    d.scale.setValue(3)
    n = len(window.timelapse.recorder)
    assert d.info.text().startswith(f"{n} frames, iterations 0 to 60") and d.info.text().endswith("60 x 60 px")
    d.accept()
    frames, duration = frames_of(tmp_path / name)
    assert len(frames) == n and duration == 100 and frames[0].shape == (60, 60, 3)
    last = frames[-1][::3, ::3].astype(int)
    tolerance = 24 if name.endswith(".gif") else 0        # GIF: 255 colours per frame
    assert np.abs(last - to_rgb8(snap.weights)).max() <= tolerance
    assert window.settings.get("timelapse/fps", 0) == 10


def test_opening_a_map_starts_a_recording_that_training_continues(qtbot, window, tmp_path):
    from somdesk.io.mapfile import save_map

    som = SOM(np.eye(3), SOMConfig(width=8, height=6, iterations=40, seed=1))
    som.train(lambda info: info.iteration < 19)
    save_map(som, tmp_path / "m.somz")
    window.open_files([str(tmp_path / "m.somz")])
    assert window.timelapse.recorder.iterations == [20]
    train(qtbot, window)
    its = window.timelapse.recorder.iterations
    assert its[0] == 20 and its[-1] == 40


def test_a_bad_place_is_a_dialog(qtbot, window, tmp_path):
    train(qtbot, window)
    (tmp_path / "plain").write_text("x")
    assert not window.timelapse.save(20, 2, str(tmp_path / "plain" / "t.gif"))
    assert window.last_error.startswith("cannot write")
    assert not window.timelapse.save(20, 2, str(tmp_path / "t.mp4"))
    assert ".gif, .png or .apng" in window.last_error
