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
