"""Cells are shown and exported as the file has them (tester6 F8): numbers in full, not to
6 significant digits, and yes/no words as the words, not true/false."""
import csv

import numpy as np
import pytest

from somdesk.io.tables.table import read_table
from somdesk.session.table_tasks import format_cell, write_rows_csv


@pytest.mark.parametrize("words", [("yes", "no"), ("Y", "N"), ("True", "False"), ("t", "f"), ("true", "false")])
def test_a_two_word_column_keeps_its_words(tmp_path, words):
    p = tmp_path / "t.csv"
    cells = [words[i % 3 == 0] for i in range(30)]
    p.write_text("x,flag\n" + "".join(f"{i}.5,{w}\n" for i, w in enumerate(cells)))
    tab = read_table(p)
    assert tab.strings("flag") == cells
    # one kind whatever the format (testerW #7: tests/tables/test_kinds_every_format.py)
    assert tab.kind("flag") == "boolean"


def test_numbers_are_exported_in_full_and_read_back_equal(tmp_path):
    vals = np.array([36319.16, 47030.01, 0.1 + 0.2, 1e-300, -2.5e17, 12345678.9, 3.0, np.nan])
    assert [format_cell(v) for v in vals[:3]] == ["36319.16", "47030.01", repr(0.1 + 0.2)]
    assert format_cell(3.0) == "3" and format_cell(np.nan) == "" and format_cell(None) == ""
    out = tmp_path / "rows.csv"
    write_rows_csv(out, {"v": vals, "w": np.array(list("abcdefgh"), dtype=object)}, np.arange(len(vals)))
    back = list(csv.reader(open(out, encoding="utf-8")))[1:]
    got = np.array([float(r[0]) if r[0] else np.nan for r in back])
    assert np.array_equal(got, vals, equal_nan=True)


def test_a_column_is_formatted_as_each_of_its_cells(tmp_path):
    from somdesk.session.table_tasks import format_column

    rng = np.random.default_rng(0)
    vals = np.concatenate([rng.normal(0, 1e6, 500), np.round(rng.normal(0, 1e3, 200)), [np.nan, -0.0, 0.0, 2.0**53,
                           -2.0**53, 2.0**53 - 1, 1e300, -1e-300, np.inf, -np.inf, 5e-324]])
    assert format_column(vals) == [format_cell(v) for v in vals]
    with np.errstate(over="ignore"):
        small = vals.astype(np.float32)
    assert format_column(small) == [format_cell(v) for v in small]
    for other in (np.arange(-5, 5), np.array([2**62, -2**63], np.int64), np.arange(3, dtype=np.uint8),
                  np.array([True, False])):
        assert format_column(other) == [format_cell(v) for v in other]
    text = np.array(["a", None, "b"], dtype=object)
    assert format_column(text) == ["a", "", "b"]
