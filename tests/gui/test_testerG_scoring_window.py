"""testerG #7, #8, #10, #12 in the window: Score new data's blank column, text cells and warnings;
Open table… on a map or picture; a damaged or empty .somz; a reopened table map said once."""
from __future__ import annotations

import csv

import numpy as np
import pytest

from somdesk.cli import main

TIMEOUT = 120_000
COLUMNS = ["id", "age", "visits", "spend", "extra"]


def _write(path, n, seed, edit=None, last="extra"):
    rng = np.random.default_rng(seed)
    rows = [[f"C{i}", f"{rng.integers(18, 80)}", f"{rng.integers(0, 30)}", f"{rng.normal(400, 120):.2f}", "x"]
            for i in range(n)]
    if edit:
        edit(rows)
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([COLUMNS[:-1] + [last], *rows])
    return str(path)


@pytest.fixture
def table_map(tmp_path):
    data = _write(tmp_path / "train.csv", 60, 1)
    m = tmp_path / "m.somz"
    assert main(["train", "--table", data, "--columns", "age,visits,spend", "--missing", "train",
                 "--width", "4", "--height", "3", "--epochs", "3", "--save-map", str(m), "-q"]) == 0
    return str(m)


def _statuses(win):
    said = []
    win.statusBar().messageChanged.connect(lambda m: m and said.append(m))
    return said


def _idle(qtbot, win):
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)


def _opened(qtbot, win, path):
    assert win.open_paths([path])
    _idle(qtbot, win)
    qtbot.wait(50)
    assert win.last_error is None, win.last_error


def test_a_reopened_table_map_is_said_once(qtbot, win, table_map):
    said = _statuses(win)
    _opened(qtbot, win, table_map)
    assert win.tables.ws.tm is not None
    assert sum(m.startswith("Opened table map") for m in said) == 1, said
    assert said[-1].startswith("Opened table map")


def test_score_new_data_in_the_window(qtbot, win, table_map, tmp_path):
    _opened(qtbot, win, table_map)
    wf = win.tables
    said = _statuses(win)

    def blank(rows):
        for r in rows:
            r[2] = ""
    # a column blank in every row: scored, its warning and the extra column's listed under the map
    out = tmp_path / "blank-scores.csv"
    assert wf.score_file(None, _write(tmp_path / "blank.csv", 5, 2, blank, last="note"), str(out))
    _idle(qtbot, win)
    assert win.last_error is None, win.last_error
    n, warnings = wf.last_score
    assert n == 5 and len(warnings) == 2
    rows = list(csv.DictReader(open(out, newline="")))
    assert [r["present"] for r in rows] == ["2"] * 5
    assert said[-1] == "Scored 5 rows into blank-scores.csv, with 2 warnings (listed in the table dock)."
    notes = wf.score_notes.text()
    assert not wf.score_notes.isHidden() and notes.startswith("2 warnings scoring blank-scores.csv:")
    assert "'visits' has no values" in notes and "'note'" in notes

    # a text cell: refused in the window's words, naming its Missing values
    def text(rows):
        rows[2][1] = "thirty"
    bad = _write(tmp_path / "text.csv", 5, 3, text, last="note")
    assert wf.score_file(None, bad, str(tmp_path / "t.csv"))
    _idle(qtbot, win)
    err = win.last_error
    assert err is not None and "line 4 has 'thirty'" in err and "thirty in Missing values" in err
    assert "NA, N/A, NaN, null, ?, -, thirty in Missing values" in err        # the usual ones kept (fixV)
    assert "--" not in err and "somdesk" not in err and "decimal" not in err
    assert not (tmp_path / "t.csv").exists()

    # File › Score new data… asks for them, and the file is then scored
    from somdesk.gui import dialogs
    answers = iter([bad])
    asked = []
    win.last_error = None
    import unittest.mock as mock
    with mock.patch.object(dialogs, "ask_open_path", lambda *a, **k: next(answers)), \
            mock.patch.object(dialogs, "ask_text", lambda *a, **k: asked.append(a) or "thirty"), \
            mock.patch.object(type(wf), "_ask", lambda *a, **k: str(tmp_path / "t.csv")):
        assert wf.score_dialog()
    _idle(qtbot, win)
    assert win.last_error is None, win.last_error
    assert asked and asked[0][1] == "Missing values"
    rows = list(csv.DictReader(open(tmp_path / "t.csv", newline="")))
    assert len(rows) == 5 and rows[2]["present"] == "2"
    assert said[-1] == "Scored 5 rows into t.csv, with 1 warning (listed in the table dock)."


def test_open_table_on_a_map_or_picture_opens_it_as_file_open_does(qtbot, win, tmp_path):
    from PIL import Image

    from .helpers import save_colour_map

    save_colour_map(tmp_path / "pal.somz")
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "pic.jpg")
    said = _statuses(win)
    for name, kind in (("pal.somz", "colours"), ("pic.jpg", "image")):
        assert win.tables.open_table(str(tmp_path / name), preview=False)
        _idle(qtbot, win)
        assert win.last_error is None, win.last_error
        assert win.session.dataset.kind == kind
    assert not any("somdesk assign" in m or "Reading" in m for m in said), said


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 cut short"])
def test_an_empty_or_truncated_somz_is_damaged_in_the_window_and_the_cli(qtbot, win, tmp_path, capsys, content):
    p = tmp_path / "bad.somz"
    p.write_bytes(content)
    said = _statuses(win)
    for opener in (win.open_paths, lambda ps: win.tables.open_table(ps[0], preview=False)):
        win.last_error = None
        assert opener([str(p)])
        _idle(qtbot, win)
        assert "damaged or truncated" in (win.last_error or ""), win.last_error
        assert "somdesk assign" not in win.last_error and "empty" not in win.last_error
    assert not any(m.startswith("Reading") for m in said), said
    capsys.readouterr()
    data = _write(tmp_path / "d.csv", 3, 1)
    assert main(["assign", str(p), data]) == 2
    assert "damaged or truncated" in capsys.readouterr().err
