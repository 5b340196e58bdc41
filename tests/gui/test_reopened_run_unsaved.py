"""A reopened map's run is unsaved at its first epoch (testerW #1): the title's modified
mark comes on and a close during the run asks, as for a fresh palette's run."""
from __future__ import annotations

from somdesk.core import SOMConfig
from somdesk.gui.window import Window
from somdesk.session import Session

from .helpers import make_window, open_and_wait


def test_closing_a_reopened_map_during_its_run_asks(qtbot, tmp_path, monkeypatch):
    s = Session()
    s.new_colours(n=24, seed=5)
    s.set_config(SOMConfig(height=6, width=6, iterations=5000, seed=1))
    task = s.train_task()
    for _ in range(5):
        next(task)
    task.close()
    saved = tmp_path / "run.somz"
    s.save(saved)

    asked = []
    monkeypatch.setattr(Window, "ask_unsaved", lambda self: asked.append(self.unsaved_text()) or "cancel")
    win = make_window(qtbot, speed="slow")
    win.confirm_unsaved = True
    assert open_and_wait(qtbot, win, saved)
    assert not win.isWindowModified() and not win.unsaved()
    win.train()
    qtbot.waitUntil(lambda: win.session.map is not None and win.session.map.iteration > 5, timeout=120_000)
    qtbot.waitUntil(win.isWindowModified, timeout=5000)
    assert win.unsaved() and win.runner.busy
    assert not win.close()                            # Cancel: the window and its run stay
    assert asked and "training" in asked[-1] and win.isVisible()
    win.confirm_unsaved = False
    win.runner.stop()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=30_000)
    win.close()
