"""The status line follows the newest run (tester6 F16): after Stop then Train, no stale
"Stopped at epoch …" while the map trains again, and a stop says what THIS run trained."""
from __future__ import annotations

import re

from somdesk.core import SOMConfig

from .helpers import FIRST_RUN_TIMEOUT_MS, make_window, wait_idle
from .test_table_workflow import _blobs, _trained


def _stop_after(qtbot, win, epochs: int) -> None:
    qtbot.waitUntil(lambda: win.runner.busy and win.session.map.iteration >= epochs, timeout=FIRST_RUN_TIMEOUT_MS)
    win.actions["stop"].trigger()
    wait_idle(qtbot, win)


def test_train_after_stop_clears_the_stopped_line_and_the_next_stop_counts_its_own_epochs(qtbot, colours):
    win = make_window(qtbot, colours, SOMConfig(width=10, height=8, iterations=100_000, seed=2))
    try:
        win.pace = 400.0                              # epochs per second: a run long enough to stop
        win.actions["train"].trigger()
        _stop_after(qtbot, win, 3)
        first = win.session.map.iteration
        stopped = win.statusBar().currentMessage()
        assert stopped.startswith(f"Stopped at epoch {first:,} of 100,000 ({first:,} epochs in "), stopped
        win.actions["train"].trigger()                # Train continues the map ...
        assert win.runner.busy and win.statusBar().currentMessage() == ""     # ... and the old line goes
        qtbot.waitUntil(lambda: win.session.map.iteration >= first + 3, timeout=FIRST_RUN_TIMEOUT_MS)
        assert "Stopped" not in win.statusBar().currentMessage()             # still, during the run
        _stop_after(qtbot, win, first + 3)
        second = win.session.map.iteration
        m = re.match(r"Stopped at epoch ([\d,]+) of 100,000 \(([\d,]+) epochs? in ", win.statusBar().currentMessage())
        assert m, win.statusBar().currentMessage()
        assert int(m[1].replace(",", "")) == second and int(m[2].replace(",", "")) == second - first
    finally:
        win.close()


def test_rapid_stop_train_leaves_no_stopped_line_while_a_run_goes_on(qtbot, colours):
    win = make_window(qtbot, colours, SOMConfig(width=10, height=8, iterations=100_000, seed=2))
    try:
        win.pace = 400.0
        win.actions["train"].trigger()
        for _ in range(6):
            qtbot.wait(40)
            win.actions["stop"].trigger()
            qtbot.waitUntil(lambda: not win.runner.busy, timeout=FIRST_RUN_TIMEOUT_MS)
            win.actions["train"].trigger()
        qtbot.wait(100)
        assert win.runner.busy and "Stopped" not in win.statusBar().currentMessage()
        win.actions["stop"].trigger()
        wait_idle(qtbot, win)
    finally:
        win.close()


def test_a_new_table_run_clears_the_last_runs_line(qtbot, win, tmp_path):
    wf = _trained(qtbot, win, _blobs(tmp_path / "t.csv"))
    assert win.statusBar().currentMessage().startswith("Table map")
    assert wf.train()
    assert win.statusBar().currentMessage() == ""
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=120_000)
    assert win.statusBar().currentMessage().startswith("Table map")


def _paused_at(qtbot, win):
    """Pause a run and wait until the map and the line have settled; returns the map's epoch."""
    win.actions["pause"].trigger()
    qtbot.waitUntil(lambda: win.runner.state == "paused", timeout=FIRST_RUN_TIMEOUT_MS)
    qtbot.wait(300)                                   # the pass the Pause interrupted is posted
    qtbot.waitUntil(lambda: win.session.map.iteration == win.session.som.iteration, timeout=5000)
    return win.session.map.iteration


def test_paused_the_line_and_title_give_the_maps_epoch_and_stop_after_steps_counts_them(qtbot, colours):
    """tester7 #15: paused, the label said the last throttled progress ("epoch 411" of a map at
    431) and Stop after Steps reported the Pause's epoch."""
    win = make_window(qtbot, colours, SOMConfig(width=10, height=8, iterations=100_000, seed=2))
    try:
        win.pace = 400.0
        win.actions["train"].trigger()
        qtbot.waitUntil(lambda: win.session.map.iteration >= 5, timeout=FIRST_RUN_TIMEOUT_MS)
        at = _paused_at(qtbot, win)
        qtbot.waitUntil(lambda: win.progress_label.text() == f"Paused at epoch {at:,} of 100,000", timeout=5000)
        assert f"epoch {at:,} of 100,000" in win.map_title.text()
        for k in (1, 2):
            win.actions["step"].trigger()
            qtbot.waitUntil(lambda k=k: win.session.map.iteration == at + k, timeout=FIRST_RUN_TIMEOUT_MS)
            qtbot.waitUntil(lambda k=k: win.progress_label.text() == f"Paused at epoch {at + k:,} of 100,000",
                            timeout=5000)
        win.actions["stop"].trigger()
        wait_idle(qtbot, win)
        assert win.session.map.iteration == at + 2
        assert win.statusBar().currentMessage().startswith(f"Stopped at epoch {at + 2:,} of 100,000 ("), \
            win.statusBar().currentMessage()
    finally:
        win.close()


def test_undo_of_a_reset_replaces_the_reset_line(qtbot, colours):
    """tester7 #9(a): after Undo the map is trained again, the line said "Reset to the initial weights"."""
    win = make_window(qtbot, colours, SOMConfig(width=6, height=5, iterations=30, seed=2))
    try:
        train = win.actions["train"]
        train.trigger()
        wait_idle(qtbot, win)
        assert win.session.map.iteration == 30
        win.actions["reset"].trigger()
        assert win.session.map.iteration == 0 and "Reset to the initial weights" in win.statusBar().currentMessage()
        win.actions["undo"].trigger()
        assert win.session.map.iteration == 30
        assert win.statusBar().currentMessage() == "Training brought back: epoch 30 of 30."
    finally:
        win.close()


def test_save_while_paused_keeps_the_run_and_while_running_says_to_pause(qtbot, colours, tmp_path, monkeypatch):
    """tester7 #27: Save was disabled while paused (Stop was needed for a checkpoint) and Ctrl+S
    did nothing while running."""
    from somdesk.gui import dialogs
    from somdesk.session import Session

    win = make_window(qtbot, colours, SOMConfig(width=10, height=8, iterations=100_000, seed=2))
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(tmp_path / "mid.somz"))
    try:
        win.pace = 400.0
        win.actions["train"].trigger()
        qtbot.waitUntil(lambda: win.session.map.iteration >= 3, timeout=FIRST_RUN_TIMEOUT_MS)
        assert win.actions["save"].isEnabled()
        win.actions["save"].trigger()                  # running: said, nothing written
        assert not (tmp_path / "mid.somz").exists()
        assert win.statusBar().currentMessage() == "Pause or stop the training to save the map."
        at = _paused_at(qtbot, win)
        assert win.actions["save"].isEnabled() and win.actions["save_as"].isEnabled()
        win.actions["save"].trigger()                  # a task of its own: the paused run stays
        assert win.saving and not win.actions["save"].isEnabled()
        qtbot.waitUntil(lambda: not win.saving, timeout=FIRST_RUN_TIMEOUT_MS)
        assert (tmp_path / "mid.somz").is_file() and win.statusBar().currentMessage() == "Saved mid.somz."
        assert win.runner.busy and win.runner.state == "paused"      # the run goes on after Resume
        win.actions["pause"].trigger()
        qtbot.waitUntil(lambda: win.session.map.iteration > at + 2, timeout=FIRST_RUN_TIMEOUT_MS)
        win.actions["stop"].trigger()
        wait_idle(qtbot, win)
        again = Session()
        again.open(tmp_path / "mid.somz")
        assert again.map.iteration == at
    finally:
        win.close()
