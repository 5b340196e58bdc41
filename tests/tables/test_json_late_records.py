"""NDJSON whose later records gain a key or change a type (tester8 #10: DuckDB types the
records from a sample of the first 20,480, and a later one failed the whole read with its
"JSON transform error")."""
from __future__ import annotations

import json

import pytest

from somdesk.io.chunked import ChunkedTable
from somdesk.io.tables.table import read_table

N = 25_000          # beyond DuckDB's sample of records


def _write(path, last: dict) -> str:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(N - 1):
            f.write(json.dumps({"a": i * 0.5, "b": (i * 7) % 11 + 0.25}) + "\n")
        f.write(json.dumps(last) + "\n")
    return str(path)


def test_a_key_that_appears_late_is_a_mostly_missing_column(tmp_path):
    path = _write(tmp_path / "latekey.ndjson", {"a": 1.0, "b": 2.0, "c": 5.0})
    tab = read_table(path)
    try:
        assert tab.columns == ["a", "b", "c"] and tab.n_rows == N
        assert tab.missing_count("c") == N - 1 and tab.cells("c")[-1] == 5.0
    finally:
        tab.close()
    with ChunkedTable.open(path, ["a", "b", "c"], 10_000) as src:
        assert src.rows == N and src.read(src.partitions[-1])[-1].tolist() == [1.0, 2.0, 5.0]


def test_a_word_that_appears_late_makes_its_column_text_with_our_words(tmp_path):
    path = _write(tmp_path / "latetype.ndjson", {"a": 1.0, "b": "oops"})
    tab = read_table(path)
    try:
        assert tab.numeric_columns == ["a"] and tab.kind("b") != "numeric"
        assert "'oops'" in tab.problem("b") and f"{N}" in tab.problem("b").replace(",", "")
    finally:
        tab.close()


def test_other_json_errors_are_still_one_error(tmp_path):
    from somdesk.errors import FileFormatError

    p = tmp_path / "bad.ndjson"
    p.write_text('{"a": 1}\n{"a": 2\n', encoding="utf-8")
    with pytest.raises(FileFormatError, match="cannot read bad.ndjson"):
        read_table(p)
