"""Title lines above a table's header are skipped: a report title or export stamp in a text
file, a merged title cell in a spreadsheet (tester6 F4/F5: the engine read one column, or
the title as the header, and training said "no numeric column")."""
import numpy as np
import pytest

from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table

ROWS = [[f"{x:.4f}", f"{y:.3f}", g] for x, y, g in
        zip(np.random.default_rng(0).random(40), np.random.default_rng(1).random(40), ["p", "q", "r", "s"] * 10)]


def _text(path, titles):
    path.write_text("".join(t + "\n" for t in titles) + "a,b,grp\n" + "".join(",".join(r) + "\n" for r in ROWS))
    return path


@pytest.mark.parametrize("titles", [["Customer export 2024-11-30"], ["Report title,,"],
                                    ["Sales report", "", "Region: North"], ["# tool 1.2", "Export,,"]])
def test_title_lines_above_the_header_are_skipped(tmp_path, titles):
    tab = read_table(_text(tmp_path / "t.csv", titles))
    assert list(tab.columns) == ["a", "b", "grp"] and tab.n_rows == 40
    assert tab.kind("a") == tab.kind("b") == "numeric"
    assert np.allclose(tab.cells("a"), [float(r[0]) for r in ROWS])
    assert tab.dialect["skip"] == len(titles)
    assert tab.dialect["title_lines"] == [t for t in titles if t.strip() and not t.startswith("#")]


@pytest.mark.parametrize("first", ["0.5,,", "x,,", "label,b,grp"])
def test_a_first_row_that_is_not_a_title_stays(tmp_path, first):
    # a number, or a row followed by data rather than a header, or a full header, is never a title
    p = tmp_path / "t.csv"
    p.write_text(first + "\n" + "".join(",".join(r) + "\n" for r in ROWS))
    tab = read_table(p)
    assert "title_lines" not in tab.dialect and tab.dialect.get("skip", 0) == 0


def test_a_spreadsheet_title_cell_is_skipped_and_the_skip_option_wins(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Quarterly report"])
    ws.merge_cells("A1:C1")
    ws.append(["a", "b", "grp"])
    for r in ROWS:
        ws.append([float(r[0]), float(r[1]), r[2]])
    wb.save(tmp_path / "t.xlsx")
    tab = read_table(tmp_path / "t.xlsx")
    assert list(tab.columns) == ["a", "b", "grp"] and tab.n_rows == 40 and tab.kind("a") == "numeric"
    assert tab.dialect["title_lines"] == ["Quarterly report"] and tab.dialect["skip"] == 1
    raw = read_table(tmp_path / "t.xlsx", ReadOptions(skip=0))
    assert list(raw.columns)[0] == "Quarterly report" and raw.n_rows == 41


def test_an_empty_first_sheet_gives_way_to_the_first_sheet_with_data(tmp_path):
    # tester6 F11: "sheet 'sheet0' is empty", and the import preview could not list the others
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.title = "cover"
    wb.create_sheet("blank")
    data = wb.create_sheet("data")
    data.append(["a", "b"])
    for r in ROWS:
        data.append([float(r[0]), float(r[1])])
    wb.save(tmp_path / "t.xlsx")
    tab = read_table(tmp_path / "t.xlsx")
    assert tab.dialect["sheet"] == "data" and tab.n_rows == 40
    assert any("'cover', 'blank' are empty" in w for w in tab.warnings)
    from somdesk.errors import FileFormatError
    with pytest.raises(FileFormatError, match=r"sheet 'blank' is empty \(its other sheets: 'cover', 'data'\)"):
        read_table(tmp_path / "t.xlsx", ReadOptions(sheet="blank"))
    wb.remove(data)
    wb.save(tmp_path / "e.xlsx")
    with pytest.raises(FileFormatError, match="all its 2 sheets are empty"):
        read_table(tmp_path / "e.xlsx")


@pytest.mark.parametrize("text,names,rows", [
    ('"a\nb",c\n1,2\n3,4\n5,7\n', ["a\nb", "c"], 3),
    ('x,"wrapped\nname",z\n1,2,3\n4,5,6\n7,8,9\n', ["x", "wrapped\nname", "z"], 3),
    ('"one\ntwo\nthree",c\n1,2\n3,4\n5,6\n', ["one\ntwo\nthree", "c"], 3),
])
def test_a_quoted_header_name_with_a_line_break_is_no_title(tmp_path, text, names, rows):
    # '"a' was taken for a title line: the header mangled to 'b"' and the first data row lost
    # (tester10 #13)
    p = tmp_path / "nl.csv"
    p.write_text(text)
    tab = read_table(str(p))
    assert list(tab.columns) == names and tab.n_rows == rows
    assert not tab.dialect.get("title_lines") and tab.dialect.get("skip", 0) == 0
    assert tab.cells(names[-1]).tolist()[0] == 2 if len(names) == 2 else True


def test_an_inch_mark_in_a_title_is_no_quote(tmp_path):
    # review10 #17: a '"' mid-field is a character; the title is still a title
    p = tmp_path / "inch.csv"
    p.write_text('Screens of 5" diagonal\na,b\n1,2\n3,4\n5,6\n')
    tab = read_table(str(p))
    assert list(tab.columns) == ["a", "b"] and tab.n_rows == 3
    assert tab.dialect["title_lines"] == ['Screens of 5" diagonal']


@pytest.mark.parametrize("titles", [["Sales report"], ["Sales report", "exported 2026-12-01"]])
def test_titles_above_a_quoted_header_name_with_a_line_break(tmp_path, titles):
    # review10 #15: the title scan stopped at the header's first line ('"a') and the legal file
    # was refused as "line 2 has a quote that is never closed"
    p = tmp_path / "t.csv"
    p.write_text("\n".join(titles) + '\n"a\nb",c\n1,2\n3,4\n5,7\n')
    tab = read_table(str(p))
    assert list(tab.columns) == ["a\nb", "c"] and tab.n_rows == 3
    assert tab.dialect["title_lines"] == titles
    assert tab.cells("c").tolist() == [2, 4, 7]
