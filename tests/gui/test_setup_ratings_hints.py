"""testerG #3, #4 and the Setup remarks in the window: a ratings table under Missing = drop says on
the Setup tab, before Train, that no row is complete and names Missing values: train (in the
window's words, not the CLI's flag); zeros that may mean "not rated" are said on the Setup tab and
above the Profiles tab's top items; a greyed (date) column says why; the empty hover line says
what it is for, and the legend has no empty grey box of its own."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from somdesk.gui.map_view import HOVER_HINT
from tests.gui.helpers import open_table_now
from tests.session.test_sparse_ratings import ratings_csv


def _auto(qtbot, wf, word):
    qtbot.waitUntil(lambda: not wf.auto_line.busy and word in wf.setup.auto.text(), timeout=60_000)
    return wf.setup.auto.text()


def test_setup_names_missing_train_and_the_zeros_before_training(qtbot, win, tmp_path):
    wf = win.tables
    assert open_table_now(qtbot, wf, ratings_csv(tmp_path / "r.csv"))
    assert wf.setup.missing.currentText() == "drop"
    text = _auto(qtbot, wf, "cannot train")
    assert "Missing values: train" in text and "--missing" not in text, text
    note = wf.setup.table_note
    assert note.isVisibleTo(wf.setup) and "0 may mean 'not rated' in 8 columns" in note.text()
    assert "Read 0 as missing" in note.text() and "--also-missing" not in note.text()
    wf.setup.missing.setCurrentText("train")
    assert "cannot" not in _auto(qtbot, wf, "nodes")
    # the note's button reads the file again with 0 as missing (the defaults kept): no zeros, no note
    zeros = sum(int((wf.table.cells(f"item{j}") == 0).sum()) for j in range(8))
    blanks = wf.setup.column("item0").missing
    assert zeros > 50 and wf.setup.zeros_button.isVisibleTo(wf.setup)
    qtbot.mouseClick(wf.setup.zeros_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not win.runner.busy and not wf.setup.table_note.text(), timeout=60_000)
    assert sum(int((wf.table.cells(f"item{j}") == 0).sum()) for j in range(8)) == 0
    assert wf.setup.column("item0").missing > blanks and not wf.setup.zeros_button.isVisibleTo(wf.setup)
    assert "na" in wf.ws.read_options.missing_tokens and "0" in wf.ws.read_options.missing_tokens
    # some rows complete: the line counts them (under half: names train again)
    assert open_table_now(qtbot, wf, ratings_csv(tmp_path / "r2.csv", full_rows=10))
    wf.setup.missing.setCurrentText("drop")
    text = _auto(qtbot, wf, "complete")
    assert "10 of the 60 rows are complete" in text and "Missing values: train" in text, text


def test_a_wide_ratings_table_measured_by_a_worker_says_the_same(qtbot, win, tmp_path):
    # over gui/table_estimate.SYNC_COLUMNS: the refusal arrives as the worker's failure
    wf = win.tables
    assert open_table_now(qtbot, wf, ratings_csv(tmp_path / "w.csv", items=80))
    text = _auto(qtbot, wf, "cannot train")
    assert "Missing values: train" in text, text


def test_top_items_are_shown_under_the_zeros_warning(qtbot, win, tmp_path):
    wf = win.tables
    assert open_table_now(qtbot, wf, ratings_csv(tmp_path / "r.csv"))
    wf.setup.missing.setCurrentText("train")
    assert wf.train(seed=1)
    qtbot.waitUntil(lambda: not win.runner.busy and wf.tm is not None, timeout=120_000)
    pv = wf.profiles_view
    pv.ratings.setChecked(True)
    assert pv.top_items is not None
    assert pv.top_note.isVisibleTo(pv) and "not rated" in pv.top_note.text()
    pv.ratings.setChecked(False)
    assert not pv.top_note.isVisibleTo(pv)
    out = tmp_path / "r.html"                          # the window's report says it above the top items too
    from somdesk.session.progress import run_to_end
    run_to_end(wf.ws.report_task(str(out), top_items=True))
    assert "--also-missing 0 (in the window: the Setup tab&#x27;s Read 0 as missing button)" in out.read_text(encoding="utf-8")


def test_a_date_columns_greyed_use_box_says_why(qtbot, win, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("when,a,b\n" + "".join(f"2024-01-{1 + i % 28:02d},{i % 7},{i % 5}\n" for i in range(40)))
    wf = win.tables
    assert open_table_now(qtbot, wf, path)
    m = wf.setup.columns
    i = [r.name for r in m.choices()].index("when")
    assert m.choice("when").kind == "date" and not m.flags(m.index(i, 3)) & Qt.ItemFlag.ItemIsEnabled
    for col in (0, 3):
        tip = m.data(m.index(i, col), Qt.ItemDataRole.ToolTipRole)
        assert tip and tip.startswith("Dates are not trained on"), tip
    assert m.data(m.index(i + 1, 3), Qt.ItemDataRole.ToolTipRole) == "Train on this column"


def test_the_empty_hover_line_says_what_it_is_for(qtbot, win, tmp_path):
    wf = win.tables
    assert open_table_now(qtbot, wf, ratings_csv(tmp_path / "r.csv"))
    line = wf.hover_label
    line.resize(400, line.minimumHeight())
    assert line.text() == "" and line.minimumHeight() > 0
    empty = line.grab().toImage()
    # the hint is drawn (grey, anti-aliased): the empty line is not one flat colour
    arr = np.array([[empty.pixelColor(x, y).lightness() for x in range(0, 300, 2)]
                    for y in range(empty.height())])
    assert arr.max() - arr.min() > 25 and HOVER_HINT.startswith("Hover over a node")
    area = wf.legend.parentWidget().parentWidget()
    assert not area.viewport().autoFillBackground() and not wf.legend.autoFillBackground()


def test_read_0_as_missing_reads_the_files_own_spelling_of_0(qtbot, win, tmp_path):
    # testerI #2: pandas writes the zeros `0.0`; the button added the text `0` only and changed nothing
    from tests.cli.test_missing_words_everywhere import _zeros_file
    wf = win.tables
    assert open_table_now(qtbot, wf, _zeros_file(tmp_path / "r.csv", "0.0"))
    note = wf.setup.table_note
    assert "not rated" in note.text() and "written 0.0" in note.text() and "--also-missing" not in note.text()
    blanks = wf.setup.column("item0").missing
    qtbot.mouseClick(wf.setup.zeros_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not win.runner.busy and not wf.setup.table_note.text(), timeout=60_000)
    assert sum(int((wf.table.cells(f"item{j}") == 0).sum()) for j in range(8)) == 0
    assert wf.setup.column("item0").missing > blanks and "0.0" in wf.ws.read_options.missing_tokens
