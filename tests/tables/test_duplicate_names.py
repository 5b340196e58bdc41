"""Duplicate and blank header names (tester10 #20): the file's own names are kept, a duplicate
takes a free name (compared as the table engine compares them: trimmed, ASCII letter case
ignored), and the warning lists the real renames -- none when nothing was renamed."""
import numpy as np
import pytest

from somdesk.io.tables.header_names import renames_warning, unique_names
from somdesk.io.tables.table import read_table


@pytest.mark.parametrize("cells, names, renames", [
    (["x", "x", "x_1"], ["x", "x_2", "x_1"], [("x", "x_2")]),
    (["x", "X", "x "], ["x", "X_1", "x_2"], [("X", "X_1"), ("x ", "x_2")]),
    (["yn", "YN", "yn_1"], ["yn", "YN_2", "yn_1"], [("YN", "YN_2")]),      # YN_1 is the file's yn_1
    (["é", "É", "ß", "SS"], ["é", "É", "ß", "SS"], []),                      # the engine folds ASCII only
    (["", "", ""], ["column0", "column1", "column2"], []),
    (["a", "", "column1", "a"], ["a", "column1_1", "column1", "a_1"], [("a", "a_1")]),
    (["a", "a", "a", "a_1"], ["a", "a_2", "a_3", "a_1"], [("a", "a_2"), ("a", "a_3")]),
])
def test_unique_names_never_take_a_name_the_file_has(cells, names, renames):
    got, ren, _ = unique_names(cells)
    assert got == names and ren == renames and len(set(got)) == len(got)


def test_the_files_own_x_1_is_the_column_named_x_1(tmp_path):
    p = tmp_path / "dup2.csv"
    p.write_text("x,x,x_1\n1,2,3\n4,5,6\n7,8,9\n1,3,2\n")
    tab = read_table(p)
    assert tab.columns == ["x", "x_2", "x_1"]
    assert np.array_equal(tab.values("x_1"), [3, 6, 9, 2])          # the file's x_1, not the second x
    assert np.array_equal(tab.values("x_2"), [2, 5, 8, 3])
    assert [w for w in tab.warnings if "duplicate" in w] == [
        "duplicate column names were made unique: 'x' -> 'x_2'"]


def test_names_differing_only_in_case_are_made_unique_with_one_warning(tmp_path):
    # fixS: yn,YN failed the read ("Duplicate named argument "YN" in function call to
    # "struct_pack""): DuckDB cannot hold two names that differ only in case
    p = tmp_path / "case.csv"
    p.write_text("x,X\n1,2\n4,5\n7,8\n")
    tab = read_table(p)
    assert tab.columns == ["x", "X_1"] and np.array_equal(tab.values("X_1"), [2, 5, 8])
    assert [w for w in tab.warnings if "duplicate" in w] == [
        "duplicate column names were made unique: 'X' -> 'X_1' (names that differ only in letter case "
        "count as the same name)"]


def test_blank_names_alone_say_nothing_of_duplicates(tmp_path):
    p = tmp_path / "blank.csv"
    p.write_text(",,\n1,2,3\n4,5,6\n")
    tab = read_table(p)
    assert tab.columns == ["column0", "column1", "column2"]
    assert not any("duplicate" in w for w in tab.warnings)
    assert any("3 columns had no name" in w for w in tab.warnings)


def test_the_warning_is_short_for_many_renames():
    assert renames_warning([]) is None
    said = renames_warning([("a", f"a_{i}") for i in range(1, 9)])
    assert said.endswith("and 3 more") and "'a' -> 'a_1'" in said


def test_out_of_core_names_the_columns_alike(tmp_path):
    """The chunked reader gives DuckDB the same names (read_csv names=...): its own renaming
    would make x_1 the second x there and the file's x_1 in memory."""
    from somdesk.io.chunked import ChunkedTable

    p = tmp_path / "dup.csv"
    p.write_text("x,x,x_1\n" + "".join(f"{i},{i * 10},{i * 100}\n" for i in range(30)))
    with ChunkedTable.open(str(p), columns=["x_1", "x_2"]) as src:
        st = src.stats()
    assert np.allclose(st["mean"], [1450.0, 145.0])
    assert read_table(p).columns == ["x", "x_2", "x_1"]


def test_a_sheet_keeps_its_own_names_too(tmp_path):
    from _files import write_xlsx

    p = write_xlsx(tmp_path, "dup.xlsx", {"s": [["x", "x", "x_1"]] + [[i, i * 10, i * 100] for i in range(5)]})
    tab = read_table(p)
    assert tab.columns == ["x", "x_2", "x_1"] and np.array_equal(tab.values("x_1"), [0, 100, 200, 300, 400])
    assert "duplicate column names were made unique: 'x' -> 'x_2'" in tab.warnings
