"""Export rows… runs as a task on the window's runner (tester6 F28: 200,000 rows held the GUI
thread ~4 s with no progress and no Stop): progress in the status line, Stop leaves no file,
the rows view stays usable, and it is refused while another task runs."""
from __future__ import annotations

import time

import numpy as np
import pytest

from tests.gui.helpers import open_table_now

TIMEOUT = 120_000


def _table(path, n=3000, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)) + rng.integers(0, 3, n)[:, None] * 4
    with open(path, "w") as f:
        f.write("a,b,c,kind\n")
        for i in range(n):
            f.write(f"{float(x[i, 0])!r},{float(x[i, 1])!r},{float(x[i, 2])!r},k{i % 3}\n")
    return str(path)


@pytest.fixture
def trained(qtbot, win, tmp_path):
    wf = win.tables
    assert open_table_now(qtbot, wf, _table(tmp_path / "t.csv"))
    wf.setup.height.setValue(4)
    wf.setup.width.setValue(4)
    wf.setup.epochs.setValue(3)
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert wf.tm is not None, win.last_error
    wf.ws.select_nodes(np.arange(16))        # every node: every row
    wf.refresh()
    qtbot.waitUntil(lambda: wf.rows_model.rowCount() == 3000, timeout=TIMEOUT)
    return wf


def _slow_blocks(monkeypatch, seconds=0.05, rows=100):
    """Small blocks, each taking a while: the task is seen running and can be stopped."""
    from somdesk.session import table_tasks

    monkeypatch.setattr(table_tasks, "ROWS_PER_BLOCK", rows)
    real = table_tasks.format_column

    def slow(values):
        time.sleep(seconds / 4)
        return real(values)
    monkeypatch.setattr(table_tasks, "format_column", slow)


def test_export_rows_is_a_task_with_progress_and_the_same_file(qtbot, win, trained, tmp_path, monkeypatch):
    wf = trained
    ref = tmp_path / "ref.csv"
    wf.ws.export_rows(str(ref), wf.rows_model.shown_rows)          # the headless writer, at once
    _slow_blocks(monkeypatch)
    out = tmp_path / "rows.csv"
    assert wf.export_rows(str(out))
    # it returned before writing: the task runs, the GUI thread is free (the rows view scrolls)
    assert win.runner.busy and win.runner.kind == "export"
    assert not wf.export_rows_button.isEnabled()
    qtbot.waitUntil(lambda: "writing rows:" in win.progress_label.text(), timeout=TIMEOUT)
    wf.rows_view.scrollToBottom()
    assert win.runner.busy
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert win.last_error is None, win.last_error
    assert out.read_bytes() == ref.read_bytes()
    assert "Wrote 3,000 rows to rows.csv." in win.statusBar().currentMessage()


def test_stop_ends_the_export_and_leaves_no_file(qtbot, win, trained, tmp_path, monkeypatch):
    wf = trained
    _slow_blocks(monkeypatch)
    out = tmp_path / "rows.csv"
    assert wf.export_rows(str(out))
    qtbot.waitUntil(lambda: "writing rows:" in win.progress_label.text(), timeout=TIMEOUT)
    win.stop_task()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert not out.exists() and not list(tmp_path.glob("rows.csv*"))       # no temporary left either
    assert "Export rows stopped" in win.statusBar().currentMessage()


def test_export_waits_for_a_running_task_and_bad_paths_are_said_at_once(qtbot, win, trained, tmp_path):
    wf = trained
    assert wf.train()                                           # a task under way
    assert win.runner.busy
    win.last_error = None
    assert not wf.export_rows(str(tmp_path / "rows.csv"))
    assert win.last_error and "Stop the training before exporting" in win.last_error
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    wf.ws.select_nodes(np.arange(16))
    wf.refresh()
    (tmp_path / "dir.csv").mkdir()
    for bad, words in ((tmp_path / "no-such-dir" / "x.csv", "does not exist"), (tmp_path / "dir.csv", "folder"),
                       (tmp_path / "x.parquet", "CSV"), (tmp_path / "t.csv", "table in use")):
        win.last_error = None
        assert not wf.export_rows(str(bad))                     # refused before any task starts
        assert not win.runner.busy and words in (win.last_error or ""), win.last_error
