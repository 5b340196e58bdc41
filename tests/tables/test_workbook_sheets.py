"""A workbook of several sheets read without a sheet asked for, and a group row over the header
(tester F #9): the sheet read and the others are named in `table info`, in a refusal and in the
window's import preview; a merged group header is hinted with the lines to skip."""
from __future__ import annotations

import numpy as np

from somdesk.cli import main
from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table

from _files import write_xlsx

DATA = [("Size", None, "Colour", None), ("width", "height", "hue", "sat")] + \
    [(10 + i, 20 + 2 * i, (i * 37) % 360, 0.5 + i / 100) for i in range(40)]


def _multi(tmp_path) -> str:
    return write_xlsx(tmp_path, "multi.xlsx", {"Notes": [("This workbook was exported from SAP",), ("see sheet Data",)],
                                                "Data": DATA, "Other": [("x",), ("y",)]})


def run(capsys, *argv):
    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


def test_table_info_names_every_sheet_and_the_one_read(capsys, tmp_path):
    path = _multi(tmp_path)
    code, out, err = run(capsys, "table", "info", path)
    assert code == 0, err
    assert "The workbook has 3 sheets, 'Notes' (read), 'Data', 'Other': choose one with --sheet NAME" in out
    code, out, err = run(capsys, "table", "info", path, "--sheet", "Other")
    assert code == 0 and "workbook has" not in out            # a sheet asked for: nothing to add


def test_a_refusal_of_the_first_sheet_names_the_others(capsys, tmp_path):
    path = _multi(tmp_path)
    code, out, err = run(capsys, "train", "--table", path, "--assignments", tmp_path / "a.csv")
    assert code == 2 and err.count("\n") == 1
    assert "no numeric column to train on" in err and "'Notes' (read), 'Data', 'Other'" in err and "--sheet" in err
    code, out, err = run(capsys, "train", "--table", path, "--sheet", "Notes", "--assignments", tmp_path / "a.csv")
    assert code == 2 and "no numeric column" in err and "workbook has" not in err


def test_a_group_row_over_the_header_is_hinted_and_skipping_it_reads_numbers(tmp_path):
    path = _multi(tmp_path)
    t = read_table(path, ReadOptions(sheet="Data"))
    try:
        hint = [w for w in t.warnings if "group header" in w]
        assert hint and "('Size', 'Colour')" in hint[0] and "--skip 1" in hint[0], t.warnings
        assert all(t.kind(c) != "numeric" for c in t.columns)        # the real header read as data
    finally:
        t.close()
    t = read_table(path, ReadOptions(sheet="Data", skip=1))
    try:
        assert list(t.columns) == ["width", "height", "hue", "sat"]
        assert not any("group header" in w for w in t.warnings)
        np.testing.assert_allclose(t.values("hue")[:3], [0, 37, 74])
    finally:
        t.close()


def test_no_group_hint_for_a_plain_header_or_a_text_table(tmp_path):
    plain = write_xlsx(tmp_path, "plain.xlsx", {"S": DATA[1:]})
    # an empty header cell over text data: nothing below the second row is a number
    text = write_xlsx(tmp_path, "text.xlsx", {"S": [("name", None, "city"), ("a", "b", "c")] +
                                               [(f"n{i}", f"m{i}", f"c{i}") for i in range(10)]})
    for path in (plain, text):
        t = read_table(path)
        try:
            assert not any("group header" in w for w in t.warnings), (path, t.warnings)
        finally:
            t.close()


def test_assign_on_the_wrong_sheet_names_the_others(capsys, tmp_path):
    path = _multi(tmp_path)
    code, out, err = run(capsys, "train", "--table", path, "--sheet", "Data", "--skip", "1", "--epochs", "3",
                         "--save-map", tmp_path / "m.somz", "-q")
    assert code == 0, err
    code, out, err = run(capsys, "assign", tmp_path / "m.somz", path)
    assert code == 2 and err.count("\n") == 1 and "that the map was trained on" in err
    assert "'Notes' (read), 'Data', 'Other': choose one with --sheet NAME" in err
    code, out, err = run(capsys, "assign", tmp_path / "m.somz", path, "--sheet", "Data", "--skip", "1")
    assert code == 0, err
