"""tester9 #3 (window half): the Profiles tab saves a ratings table's top items as CSV -- the file
`somdesk train --table --top-items` writes for the same file and settings."""
from __future__ import annotations

from somdesk.cli import main
from tests.gui.helpers import open_table_now, wait_idle
from tests.gui.test_table_workflow import _ratings


def test_the_profiles_tab_exports_the_top_items_as_the_cli_does(qtbot, win, tmp_path):
    data = _ratings(tmp_path / "r.csv")
    cli_csv = tmp_path / "cli-top.csv"
    assert main(["train", "--table", data, "--missing", "train", "--clusters", "3", "--top-items", str(cli_csv),
                 "--save-map", str(tmp_path / "m.somz"), "--quiet"]) == 0
    wf = win.tables
    assert open_table_now(qtbot, wf, data)
    wf.setup.missing.setCurrentText("train")
    wf.setup.k.setValue(3)
    assert wf.train()
    wait_idle(qtbot, win)
    assert win.last_error is None, win.last_error
    button = wf.top_items_button
    assert button.isHidden()                                   # not a ratings table until the user says so
    wf.profiles_view.ratings.setChecked(True)
    assert not button.isHidden() and button.isEnabled()
    out = tmp_path / "win-top.csv"
    assert wf.export_top_items(str(out))
    assert out.read_bytes() == cli_csv.read_bytes()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "segment,rank,item,mean,ratings,lift" and len(lines) - 1 == wf.profiles_view.top.rowCount()
    assert "top items" in win.statusBar().currentMessage()
    # the table in use is not a target (one message, the table untouched)
    before = open(data, "rb").read()
    assert not wf.export_top_items(data)
    assert win.last_error and open(data, "rb").read() == before
    assert not wf.export_top_items(str(tmp_path / "top.png"))  # CSV only
    assert "CSV" in win.last_error
    wf.profiles_view.ratings.setChecked(False)
    assert button.isHidden()
