"""Export image's big pictures and big maps start their task through one helper
(export_dialog._start_export): both wait for a task under way with the same one message."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.gui.export_dialog import ExportOptions

from .helpers import FIRST_RUN_TIMEOUT_MS, make_window, wait_idle


@pytest.fixture
def win(qtbot):
    w = make_window(qtbot)
    yield w
    w.close()


def test_a_big_map_export_waits_for_the_run_under_way(qtbot, win, tmp_path):
    win.session.new_colours(np.random.default_rng(0).random((30, 3)))
    win.left.params.set_config(win.session.config.replace(width=300, height=300, iterations=100_000, seed=1))
    win.set_speed("slow")
    win.train()
    qtbot.waitUntil(lambda: win.runner.kind == "train", timeout=FIRST_RUN_TIMEOUT_MS)
    out = tmp_path / "map.png"
    assert win.exports.big_map(ExportOptions("colours", 8, False, False))
    assert not win.exports.save(ExportOptions("colours", 8, False, False), str(out), remember=False)
    assert "Export image of a picture or map this big runs as a task. Stop the training before exporting." \
        in win.last_error
    assert not out.exists() and win.runner.kind == "train"
    win.actions["stop"].trigger()
    wait_idle(qtbot, win)
