"""The import preview of a wide or long table never holds the window (docs/status.md, thirteenth
session: a 3,000-column CSV's preview held it 1.8-10 s -- 150,000 table items made, formatted
and measured by resizeColumnsToContents on the window's thread).  The grid is a model that
formats only the cells drawn, its widths come from one measured text per column, and every
per-column choice is made on the reading thread (gui/preview_grid.py); the Setup tab's default
choices of such a table are taken once, on the read task (session.table_columns)."""
from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt

from somdesk.gui import table_import
from somdesk.gui.preview_grid import MAX_COLUMN_PX, PreviewGrid, preview_cells
from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table
from somdesk.session import number_columns
from tests.timing import load_scaled
from tests.gui.helpers import GapMeter

WIDE_COLUMNS = 3_000


@pytest.fixture(scope="module")
def wide_csv(tmp_path_factory):
    """50 rows x 3,000 columns of numbers (1.1 MB: the preview reads a head of it)."""
    rng = np.random.default_rng(3)
    path = tmp_path_factory.mktemp("wide") / "wide.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(f"measure_{j}" for j in range(WIDE_COLUMNS)) + "\n")
        f.writelines(",".join(f"{v:.4f}" for v in row) + "\n" for row in rng.normal(size=(50, WIDE_COLUMNS)))
    return str(path)


@pytest.fixture(scope="module")
def long_csv(tmp_path_factory):
    """300,000 rows x 20 columns (18 numbers, a colour, a word), written by DuckDB."""
    import duckdb

    path = tmp_path_factory.mktemp("long") / "long.csv"
    cols = ", ".join(f"round(random() * {j + 1}, 4) AS c{j}" for j in range(18))
    con = duckdb.connect()
    con.execute(f"COPY (SELECT {cols}, CASE WHEN random() < 0.5 THEN 'red' ELSE 'blue' END AS colour, "
                f"'w' || (range % 1000)::VARCHAR AS word FROM range(300000)) TO '{path}' (HEADER, DELIMITER ',')")
    con.close()
    return str(path)


def _open_through_the_preview(qtbot, win, path, monkeypatch):
    """File > Open of `path` in an interactive window, the preview shown and accepted; returns
    (the longest GUI-thread gap, the preview, the number of cells formatted on the GUI thread)."""
    import pyarrow  # noqa: F401 - a first import's library load (once per process) is not the preview's
    import duckdb  # noqa: F401

    seen = {}
    formatted = []
    real_text = number_columns.ColumnFormat.text

    def counted(self, v):
        if threading.current_thread() is threading.main_thread():
            formatted.append(1)
        return real_text(self, v)
    monkeypatch.setattr(number_columns.ColumnFormat, "text", counted)

    def exec_(dlg):                            # a user looking at it, then "Use this table"
        dlg.show()
        qtbot.waitExposed(dlg)
        qtbot.wait(200)
        seen["dlg"] = dlg
        return 1
    monkeypatch.setattr(table_import.ImportPreview, "exec", exec_)
    win.interactive = True
    gaps = GapMeter(2)
    qtbot.wait(20)
    assert win.open_paths([path])
    qtbot.waitUntil(lambda: win.tables.table is not None and not win.runner.busy, timeout=180_000)
    qtbot.waitUntil(lambda: not win.tables.auto_line.busy, timeout=180_000)     # the Setup tab's size
    qtbot.wait(300)
    gaps.timer.stop()
    assert win.last_error is None, win.last_error
    print("gaps over 0.1 s (seconds, when):", sorted(gaps.all, reverse=True)[:6])
    return gaps.longest, seen["dlg"], len(formatted)


def test_a_3000_column_preview_shows_without_holding_the_window(qtbot, win, wide_csv, monkeypatch):
    longest, dlg, formatted = _open_through_the_preview(qtbot, win, wide_csv, monkeypatch)
    model = dlg.grid.model()
    assert model.columnCount() == WIDE_COLUMNS and 40 <= model.rowCount() <= 50
    assert model.headerData(0, Qt.Orientation.Horizontal) == "measure_0\nnumeric"
    # only what was drawn was formatted (the whole grid: 150,000 cells; a screenful: a few hundred)
    assert formatted < 5_000, formatted
    assert win.tables.table is not None and len(win.tables.table.columns) == WIDE_COLUMNS
    print(f"3,000 columns: longest GUI-thread gap {longest * 1000:.0f} ms")
    assert longest < load_scaled(0.3), f"the window was held {longest:.2f} s"


def test_a_300000_row_table_opens_through_the_preview_without_holding_the_window(qtbot, win, long_csv, monkeypatch):
    longest, dlg, _ = _open_through_the_preview(qtbot, win, long_csv, monkeypatch)
    assert dlg.partial and dlg.grid.model().columnCount() == 20
    assert win.tables.table.n_rows_total == 300_000
    print(f"300,000 rows: longest GUI-thread gap {longest * 1000:.0f} ms")
    assert longest < load_scaled(0.3), f"the window was held {longest:.2f} s"


def test_the_preview_cells_and_widths_follow_the_columns(qtbot, tmp_path):
    """One format per column from every value read (the widest text is the longest of the rows
    shown); every column at least as wide as its header and widest text need, long text cut at
    MAX_COLUMN_PX, and never far wider than Qt's own fit."""
    p = tmp_path / "t.csv"
    long_word = "x" * 400
    p.write_text("name,a_rather_long_column_name,tiny,n\n"
                 f"alpha,1.5,0.000001,-12\nbeta,-22.25,3,7\n{long_word},3,1e-120,100\n", encoding="utf-8")
    t = read_table(str(p), ReadOptions().checked())
    try:
        cells = preview_cells(t, 2)                   # two rows shown, formats from all three
        assert cells.row_labels == ["0", "1"]
        assert cells.headers[1] == "a_rather_long_column_name\nnumeric"
        assert cells.formats[0] is None and cells.values[0] == ["alpha", "beta"]
        assert cells.formats[1].text(1.5) == "1.50" and cells.widest[1] == "-22.25"
        assert cells.formats[2].kind == "exp" and cells.widest[2] == cells.formats[2].text(-1e-6)
        assert cells.widest[3] == "-12"
        grid = PreviewGrid()
        qtbot.addWidget(grid)
        grid.resize(900, 300)
        grid.show()
        grid.show_cells(preview_cells(t, 50))
        qtbot.waitExposed(grid)
        ours = [grid.columnWidth(j) for j in range(4)]
        hfm = grid.horizontalHeader().fontMetrics()
        assert ours[1] >= hfm.horizontalAdvance("a_rather_long_column_name")
        assert ours[0] == MAX_COLUMN_PX                                   # the 400-letter word: cut
        grid.resizeColumnsToContents()                                    # Qt's own fit, for comparison
        qt = [grid.columnWidth(j) for j in range(4)]
        for j in (1, 2, 3):
            assert qt[j] - 2 <= ours[j] <= qt[j] + 24, (j, ours, qt)
    finally:
        t.close()
