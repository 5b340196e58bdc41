"""Tables in the one window (was the table-segmentation mode window): bad tables, a text
cell in a number column, one row, closing while training.  Ported from the old
test_mode_table.py onto the Segments dock (gui/table_workflow.py); the dock's own
features (setup, planes, clusters, rows, export, scoring) are in test_table_*.py."""
from __future__ import annotations

from tests.gui.helpers import open_table_now

import time

import numpy as np
import pytest

from somdesk.gui.tasks import live_workers as running_threads

from .helpers import make_window

TIMEOUT = 120_000


def people_csv(path, n=60, seed=4):
    """Two groups; 3 numeric columns with a few missing cells; a text id and a label."""
    rng = np.random.default_rng(seed)
    lines = ["id,height,weight,score,kind\n"]
    for i in range(n):
        tall = i % 2 == 0
        cells = [f"P{i:03d}", f"{rng.normal(185 if tall else 160, 4):.1f}", f"{rng.normal(85 if tall else 55, 5):.1f}",
                 f"{rng.normal(0.5, 0.1):.3f}", "tall" if tall else "short"]
        if i in (3, 10):
            cells[1] = "NA"
        if i == 7:
            cells[2] = ""
        lines.append(",".join(cells) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return str(path)


@pytest.fixture
def win(qtbot):
    w = make_window(qtbot)
    yield w
    w.runner.shutdown()
    w.close()


@pytest.mark.parametrize("name, content, words", [
    ("empty.csv", b"", "empty"),
    ("header.csv", b"a,b,c\n", "no data rows"),
    ("binary.csv", b"a,b\n\x00\x01\x02\x03", "binary"),
    ("ragged.csv", b"a,b\n1,2\n3\n", "line 3"),
])
def test_bad_tables_give_a_clear_message(qtbot, win, tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    assert not open_table_now(qtbot, win.tables, str(path))
    assert name in win.last_error and words in win.last_error.lower(), win.last_error
    assert win.tables.table is None and not running_threads()
    assert win.session.kind == "colours"                     # the window's map stays


def test_text_in_a_number_column_is_a_text_column(qtbot, win, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("name,age,income\nann,34,100\nbob,unknown,200\ncy,51,150\ndee,29,120\n", encoding="utf-8")
    assert open_table_now(qtbot, win.tables, str(path))
    m = win.tables.setup.grid.model()
    kinds = {m.index(r, 0).data(): m.index(r, 1).data() for r in range(m.rowCount())}
    assert kinds == {"name": "text", "age": "text", "income": "numeric"}


def test_missing_rows_dropped_from_training_and_every_row_assigned(qtbot, win, tmp_path):
    wf = win.tables
    assert open_table_now(qtbot, wf, people_csv(tmp_path / "people.csv"))
    wf.setup.missing.setCurrentText("drop")
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert win.last_error is None, win.last_error
    # rows with a missing cell are left out of training; every row is still assigned a node
    assert wf.tm is not None and wf.tm.recipe.missing == "drop" and len(wf.assigned["bmu_row"]) == 60
    assert win.dockWidgetArea(wf.dock) is not None and wf.dock.isVisible()


def test_closing_during_training_stops_the_worker(qtbot, tmp_path):
    w = make_window(qtbot)
    wf = w.tables
    assert open_table_now(qtbot, wf, people_csv(tmp_path / "people.csv", n=3000))
    wf.setup.epochs.setValue(100_000)
    assert wf.train()
    qtbot.waitUntil(lambda: bool(running_threads()), timeout=5000)
    qtbot.wait(200)
    assert w.runner.busy and running_threads()
    t0 = time.perf_counter()
    w.close()
    assert time.perf_counter() - t0 < 1.0
    qtbot.waitUntil(lambda: not running_threads(), timeout=2000)


def test_a_second_table_leaves_nothing_of_the_first(qtbot, win, tmp_path):
    """Issue 12's first bug: a second CSV kept the first table's map, planes and segments, and
    Export assignments wrote the old table's rows.  The dock is a view of Session.table, which
    a new table resets (map, assignments, profiles, selection, label, saved state)."""
    wf = win.tables
    assert open_table_now(qtbot, wf, people_csv(tmp_path / "people.csv"))
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    wf.select_segment(0)
    assert wf.rows_model.rowCount() > 0 and wf.planes.image is not None and win.isWindowModified()
    other = tmp_path / "other.csv"
    other.write_text("x,y,group\n" + "".join(f"{i},{(i * 7) % 11},g{i % 2}\n" for i in range(30)), encoding="utf-8")
    win.confirm_unsaved = False
    assert win.open_paths([str(other)])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    ws = win.session.table
    assert ws.table.n_rows == 30 and ws.tm is None and ws.assigned is None and len(ws.selected) == 0
    assert wf.tm is None and wf.rows_model.rowCount() == 0 and wf.rows_model.columnCount() == 0
    assert wf.planes.image is None and wf.segment_choice.count() == 0 and not wf.map_choice.isEnabled()
    assert not win.isWindowModified() and "other.csv" in win.windowTitle() and not win.session.unsaved
    assert not win.actions["save"].isEnabled() and not wf.actions["report"].isEnabled()
    with pytest.raises(Exception, match="train"):
        win.session.export_assignments(tmp_path / "rows.csv")
