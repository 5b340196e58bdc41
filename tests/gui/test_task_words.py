"""Messages that refuse something while a task runs describe the task as it is (gui/task_words.py):
a stopped table run whose map is being measured is not "the training" (the window said "Stop the
training before opening another file." about a run already stopped), and a task told to stop is
"stopping", not something to stop again."""
from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from PySide6.QtWidgets import QMessageBox

from somdesk.gui.task_words import wait_message
from somdesk.session import Progress
from somdesk.session.table_tasks import StoppedRun

TIMEOUT = 30_000


def _runner(kind, what=None, stopping=False, state="running", busy=True):
    return SimpleNamespace(busy=busy, kind=kind, what=what, stopping=stopping, state=state)


def test_wait_message_follows_the_task_and_its_state():
    assert wait_message(_runner(None, busy=False), "opening another file") == ""
    assert wait_message(_runner("train"), "opening another file") == "Stop the training before opening another file."
    assert wait_message(_runner("segment"), "exporting") == "Stop the training before exporting."
    measuring = wait_message(_runner("segment", "measure"), "opening another file")
    assert "measuring of the stopped map" in measuring and "Stop the training" not in measuring
    assert "Train continues the run" in measuring
    scoring = wait_message(_runner("score"), "exporting")
    assert scoring.startswith("Wait for the scoring to end") and "training" not in scoring
    for kind, what in (("train", None), ("segment", None), ("segment", "measure"), ("score", None)):
        stopping = wait_message(_runner(kind, what, stopping=True), "opening another file")
        assert "is stopping" in stopping and "Stop" not in stopping, stopping


def _slow_measuring(release: threading.Event):
    """A stopped run whose measuring takes until `release` is set (it does not look at its token
    before then: a task told to stop stays "stopping" for that long)."""
    def steps(cancel):
        yield Progress("segment", 0, 0, "", phase="measuring the map of epoch 3 on 1,000 rows")
        while not release.is_set():
            time.sleep(0.01)
        cancel.check()
        return None

    tm = SimpleNamespace(epochs_done=3, config=SimpleNamespace(iterations=10))
    return StoppedRun(tm, 1000, steps)


def test_messages_while_a_stopped_table_run_is_measured_and_while_it_stops(qtbot, win, tmp_path, monkeypatch):
    release = threading.Event()
    wf = win.tables
    try:
        wf.measure_stopped(_slow_measuring(release))
        assert win.runner.busy and win.runner.what == "measure"
        qtbot.waitUntil(lambda: "measuring the map of epoch 3" in win.progress_label.text(), timeout=TIMEOUT)
        # opening another file, exporting rows: wait for the measuring, not "stop the training"
        win.last_error = None
        assert not win.open_paths([str(tmp_path / "other.gpl")])
        assert "Stop the training" not in win.last_error and "measuring of the stopped map" in win.last_error
        assert not wf.export_rows(str(tmp_path / "rows.csv"))
        assert "Stop the training" not in win.last_error and "measuring" in win.last_error
        # the close prompt says what is going on
        shown = []
        monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append((box.text(), box.informativeText())))
        assert not win._may_drop_table_run()
        assert "measured" in shown[0][0] and "trained" not in shown[0][0] and "Stop" not in shown[0][1]
        # told to stop, still ending: it is stopping, there is nothing to stop
        win.stop_task()
        assert win.runner.stopping and win.progress_label.text().startswith("Stopping")
        assert not win.open_paths([str(tmp_path / "other.gpl")])
        assert "is stopping" in win.last_error and "Stop" not in win.last_error, win.last_error
    finally:
        release.set()
        qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert "Measuring stopped" in win.statusBar().currentMessage()
