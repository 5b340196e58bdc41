"""GUI fixtures: throw-away settings, a window, and a guard against leaked threads."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from somdesk.core import SOMConfig

from .helpers import make_window

@pytest.fixture
def asked(monkeypatch):
    """The unsaved prompt (Window.ask_unsaved) answers `asked.answer` ("save", "discard",
    "cancel"); `asked.texts` holds each question's text."""
    from somdesk.gui.window import Window

    class Asked:
        answer = "cancel"
        texts: list = []

    def ask(self):
        Asked.texts.append(self.unsaved_text())
        return Asked.answer

    Asked.texts = []
    monkeypatch.setattr(Window, "ask_unsaved", ask)
    return Asked


@pytest.fixture(autouse=True)
def temp_settings(tmp_path, monkeypatch):
    """Every test gets its own QSettings location: never the user's real settings."""
    path = tmp_path / "settings"
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(path))
        QSettings.setPath(fmt, QSettings.Scope.SystemScope, str(path / "system"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return path


@pytest.fixture(autouse=True)
def no_thread_left_running():
    """FAIL any test that leaves a training thread running (napari's guard)."""
    from somdesk.gui import tasks

    yield
    # a task already told to stop (a window closed without waiting) gets one second
    # to reach its next cancellation check; one never told to stop fails at once
    for w in tasks.live_workers():
        if w.token.cancelled:
            w.wait(1.0)
    live = tasks.live_workers()
    if live:
        tasks.shutdown_all()
        pytest.fail(f"test left {len(live)} task(s) running: {[w.kind for w in live]}")


@pytest.fixture
def colours():
    return np.random.default_rng(5).integers(0, 256, size=(20, 3)) / 255.0


@pytest.fixture
def window(qtbot, colours):
    """The one window (with throw-away settings) on 20 fixed colours, a small 20x20, 60-epoch job at Max."""
    win = make_window(qtbot, colours, SOMConfig(width=20, height=20, iterations=60, seed=3))
    yield win
    win.confirm_unsaved = False
    win.close()


@pytest.fixture
def win(qtbot):
    """An empty one window (throw-away settings, no dialogs: errors go to `last_error`)."""
    from somdesk.gui.window import Window

    w = Window(interactive=False, confirm_unsaved=False)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.runner.shutdown()
    w.confirm_unsaved = False
    w.close()


@pytest.fixture(autouse=True)
def gc_in_gui_thread(qapp):
    """As in the app: cyclic GC only in the GUI thread, and a full collection after each
    test, so no worker thread of the next test ever destroys this test's widgets.  What the
    collector froze during the test (a surge of young objects: gui/gc_guard) is thawed first,
    so that one test's widgets never stay frozen through the rest of the run."""
    import gc

    from somdesk.gui import gc_guard
    gc_guard.install()
    yield
    qapp.processEvents()
    gc.unfreeze()
    gc_guard.collect_now()
