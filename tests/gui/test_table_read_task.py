"""A big table is read off the GUI thread (tester2 C2): the whole read is a task on the window's
runner (progress line, Stop, close at once); the import preview shows a head of the file at once."""
from __future__ import annotations

import time

import pytest

from somdesk.gui.table_open import READ_KIND
from somdesk.gui.tasks import live_workers
from tests.gui.helpers import GapMeter

ROWS = 1_500_000
TIMEOUT = 180_000


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    """1,500,000 x 7 numbers (~100 MB), written by DuckDB in a second or two."""
    import duckdb

    path = tmp_path_factory.mktemp("big") / "big.csv"
    con = duckdb.connect()
    cols = ", ".join(f"round(random() * {j + 1}, 4) AS c{j}" for j in range(7))
    con.execute(f"COPY (SELECT {cols} FROM range({ROWS})) TO '{path}' (HEADER, DELIMITER ',')")
    con.close()
    return str(path)


def _reading(qtbot, win):
    qtbot.waitUntil(lambda: win.runner.kind == READ_KIND, timeout=TIMEOUT)


def test_opening_a_big_table_keeps_the_window_live(qtbot, win, big_csv):
    gaps = GapMeter(5, from_start=False)
    qtbot.wait(20)
    assert win.open_paths([big_csv])
    _reading(qtbot, win)
    assert win.runner.busy and win.tables.table is None         # the read runs on the worker
    qtbot.waitUntil(lambda: win.tables.table is not None, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    qtbot.wait(50)
    gaps.timer.stop()
    assert win.last_error is None, win.last_error
    assert win.tables.table.n_rows_total == ROWS and win.session.kind == "table"
    assert "auto:" in win.tables.setup.auto.text()               # the estimate, from a sample
    assert gaps.longest < 1.0, f"longest GUI-thread stall {gaps.longest:.2f} s"   # was 7-9 s


def test_the_preview_shows_a_head_then_the_whole_file_is_read(qtbot, win, big_csv, monkeypatch):
    from somdesk.gui import table_import

    shown = []

    def exec_(dlg):                                # as a user clicking "Use this table"
        shown.append((dlg.partial, dlg.table.n_rows, dlg.detected.text(), dlg.notes.text()))
        return 1
    monkeypatch.setattr(table_import.ImportPreview, "exec", exec_)
    win.interactive = True
    gaps = GapMeter(5, from_start=False)
    assert win.open_paths([big_csv])
    qtbot.waitUntil(lambda: win.tables.table is not None, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    gaps.timer.stop()
    (partial, head_rows, detected, notes), = shown
    assert partial and 1000 < head_rows < ROWS and "first" in detected and "whole file is read" in notes
    assert win.tables.table.n_rows_total == ROWS and win.last_error is None
    assert gaps.longest < 2.0, f"longest GUI-thread stall {gaps.longest:.2f} s"


def test_stop_during_the_read_leaves_no_table_and_no_error(qtbot, win, big_csv):
    assert win.open_paths([big_csv])
    _reading(qtbot, win)
    win.runner.stop()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    qtbot.wait(50)
    assert win.tables.table is None and win.last_error is None and win.session.kind != "table"
    assert not live_workers()


def test_closing_the_window_during_the_read_returns_at_once(qtbot, big_csv):
    from somdesk.gui.window import Window

    w = Window(interactive=False, confirm_unsaved=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_paths([big_csv])
    _reading(qtbot, w)
    qtbot.wait(100)                                # inside the engine's scan
    t0 = time.perf_counter()
    w.close()
    took = time.perf_counter() - t0
    assert took < 1.0, took
    assert not live_workers()
