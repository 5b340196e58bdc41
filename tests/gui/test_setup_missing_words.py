"""The table Setup and the words read as missing (testerI #1, #7): out of core is refused
(disabled, saying why) once the table is read with extra missing words, as the CLI refuses
--also-missing with --out-of-core; a text column spoiled by a few stray cells says why and
offers to read that text as missing."""
from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.helpers import open_table_now
from tests.session.test_sparse_ratings import ratings_csv


def test_out_of_core_is_refused_after_read_0_as_missing(qtbot, win, tmp_path):
    wf = win.tables
    assert open_table_now(qtbot, wf, ratings_csv(tmp_path / "r.csv"))
    assert wf.out_of_core.isEnabled()
    qtbot.mouseClick(wf.setup.zeros_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not win.runner.busy and not wf.setup.table_note.text(), timeout=60_000)
    # the chunked reader would read the zeros as ratings again, silently (QE 2.54 instead of 1.79)
    assert not wf.out_of_core.isEnabled()
    tip = wf.out_of_core.toolTip()
    assert "'0' as missing" in tip and "train in memory" in tip, tip
    why = wf.ws.out_of_core_unavailable()       # Train's own check (check_out_of_core) says it too
    assert why and "'0' as missing" in why, why


def _stray_csv(path):
    rows = ["id,a,b,c"] + [f"{i},{i % 5},{(i * 3) % 7},{i % 4}" for i in range(40)]
    rows[3] = "2,x,6,2"                  # line 4: one stray text in a column of numbers
    rows[9] = "8,3,x,0"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_stray_text_cell_is_named_and_can_be_read_as_missing(qtbot, win, tmp_path):
    wf = win.tables
    assert open_table_now(qtbot, wf, _stray_csv(tmp_path / "t.csv"))
    assert wf.table.kind("a") != "numeric"
    note = wf.setup.stray_note
    assert note.isVisibleTo(wf.setup), "no reason shown for the text columns"
    assert "column 'a' is not numeric: line 4 has 'x'" in note.text(), note.text()
    assert "column 'b' is not numeric: line 10 has 'x'" in note.text(), note.text()
    button = wf.setup.stray_button
    assert button.isVisibleTo(wf.setup) and button.text() == "Read 'x' as missing"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not win.runner.busy and wf.table.kind("a") == "numeric", timeout=60_000)
    assert wf.table.kind("b") == "numeric" and wf.setup.column("a").missing == 1
    assert wf.setup.column("a").use and wf.setup.column("b").use
    assert not note.isVisibleTo(wf.setup) and not button.isVisibleTo(wf.setup)
    assert "x" in wf.ws.read_options.missing_tokens and "na" in wf.ws.read_options.missing_tokens
