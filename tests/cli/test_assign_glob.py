"""`somdesk assign MAP.somz 'dir/*.csv'`: scores of a glob name each row's file (`file`, last
column), as the glob expansion gave it; one file's scores keep SCORE_COLUMNS exactly."""
from __future__ import annotations

import csv
import os

import duckdb
import numpy as np
import pandas as pd
import pytest

from somdesk.cli import main
from somdesk.io.chunked_files import FILE_COLUMN as STAGED_COLUMN
from somdesk.io.chunked_files import partition_files
from somdesk.io.tables.assignments import SCORE_COLUMNS

SIZES = {"a": 3, "b": 5, "c": 1}          # rows per file: partitions of 2 rows span files
# the scores' columns, names and order, as the contract states them (not SCORE_COLUMNS itself,
# which a reorder would change in step)
CONTRACT = ("row", "bmu_row", "bmu_col", "segment", "distance", "outlier", "present")


def _frame(name: str, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(ord(name))
    return pd.DataFrame({"x": rng.random(n), "y": rng.random(n), "kind": rng.choice(["p", "q"], n)})


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """tmp_path/data/{a,b,c}.csv and .parquet, a table map trained on a.csv; the cwd is tmp_path."""
    d = tmp_path / "data"
    d.mkdir()
    for name, n in SIZES.items():
        _frame(name, n).to_csv(d / f"{name}.csv", index=False)
        _frame(name, n).to_parquet(d / f"{name}.parquet")
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--table", "data/b.csv", "--columns", "x,y,kind", "--width", "2", "--height", "2",
                 "--epochs", "2", "--save-map", "m.somz", "-q"]) == 0
    return d


def _read(path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


def _expected_files(prefix: str, ext: str = "csv") -> list[str]:
    return [f"{prefix}{name}.{ext}" for name, n in sorted(SIZES.items()) for _ in range(n)]


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_a_relative_glob_names_each_rows_file_relative(folder, capsys, ext):
    assert main(["assign", "m.somz", f"data/*.{ext}", "--chunk-rows", "2", "--out", "s.csv", "-q"]) == 0
    header, rows = _read("s.csv")
    assert tuple(header) == CONTRACT + ("file",) == SCORE_COLUMNS + ("file",)   # the contract, then `file`
    assert [r["file"] for r in rows] == _expected_files("data/", ext)
    assert [int(r["row"]) for r in rows] == list(range(sum(SIZES.values())))  # rows still count on
    # each row's scores are those of its own file scored alone (which has no `file` column)
    first = 0
    for name, n in sorted(SIZES.items()):
        assert main(["assign", "m.somz", f"data/{name}.{ext}", "--out", f"{name}.csv", "-q"]) == 0
        one_header, one = _read(f"{name}.csv")
        assert tuple(one_header) == CONTRACT
        for k, r in enumerate(one):
            mine = rows[first + k]
            assert mine["file"] == f"data/{name}.{ext}"
            assert [mine[c] for c in SCORE_COLUMNS[1:]] == [r[c] for c in SCORE_COLUMNS[1:]]
        first += n


def test_an_absolute_glob_gives_absolute_names_and_parquet_scores_too(folder, capsys):
    pattern = str(folder / "*.csv")
    assert main(["assign", "m.somz", pattern, "--out", "s.parquet", "-q"]) == 0
    got = duckdb.sql("SELECT * FROM 's.parquet'")
    assert tuple(got.columns) == CONTRACT + ("file",)
    assert dict(zip(got.columns, got.types))["file"] == "VARCHAR"
    assert [r[-1] for r in got.fetchall()] == _expected_files(str(folder) + os.sep)


def test_one_file_and_the_in_memory_path_keep_the_columns(folder, capsys):
    for extra in ([], ["--out-of-core"]):
        assert main(["assign", "m.somz", "data/a.csv", "--out", "one.csv", "-q", *extra]) == 0
        assert tuple(_read("one.csv")[0]) == CONTRACT


def test_a_glob_of_one_file_still_has_the_column(folder, capsys):
    assert main(["assign", "m.somz", "data/c.*sv", "--out", "s.csv", "-q"]) == 0
    header, rows = _read("s.csv")
    assert header[-1] == "file" and [r["file"] for r in rows] == ["data/c.csv"]


def test_a_name_that_is_not_utf8_is_written_escaped(folder, capsys):
    odd = os.fsdecode(b"d\xff.csv")
    _frame("d", 2).to_csv(os.path.join("data", odd), index=False)
    assert main(["assign", "m.somz", "data/[cd]*.csv", "--out", "s.csv", "-q"]) == 0
    _, rows = _read("s.csv")
    assert [r["file"] for r in rows] == ["data/c.csv", "data/d\\xff.csv", "data/d\\xff.csv"]
    # the same text in a Parquet file (its strings are UTF-8 too), not U+00FF (testerC #12)
    assert main(["assign", "m.somz", "data/[cd]*.csv", "--out", "s.parquet", "-q"]) == 0
    import pyarrow.parquet as pq
    assert pq.read_table("s.parquet").column("file").to_pylist() == ["data/c.csv", "data/d\\xff.csv", "data/d\\xff.csv"]


def test_dask_parts_carry_the_column(folder, tmp_path):
    from somdesk.cli_scale import write_partition_scores
    from somdesk.io.chunked import ChunkedTable
    from somdesk.session.scoring import load_table_map

    tm = load_table_map("m.somz")
    with ChunkedTable.open("data/*.csv", ["x", "y", "kind"], 4, text_columns=("kind",),
                           categorical=("kind",)) as src:
        starts = np.cumsum([0] + [p[2] - p[1] for p in src.partitions])[:-1]
        for i, (p, s) in enumerate(zip(src.partitions, starts)):
            write_partition_scores(p, i, int(s), tm, str(tmp_path), src.file_labels)
    got = duckdb.sql(f"SELECT * FROM '{tmp_path}/part-*.parquet' ORDER BY row")
    assert tuple(got.columns) == CONTRACT + ("file",)
    assert [r[-1] for r in got.fetchall()] == _expected_files("data/")


def test_rows_out_of_file_order_are_named_one_by_one(tmp_path):
    # the staged copy keeps the files' order, so a partition is runs; if it did not, each row
    # is still named right
    path = str(tmp_path / "staged.parquet")
    duckdb.sql(f"COPY (SELECT range AS x, CASE WHEN range % 3 = 0 THEN 'e1' ELSE 'e2' END AS {STAGED_COLUMN} "
               f"FROM range(10)) TO '{path}' (FORMAT parquet)")
    names = partition_files((path, 2, 8), {"e1": "one.csv", "e2": "two.csv"})
    assert list(names) == ["two.csv", "one.csv", "two.csv", "two.csv", "one.csv", "two.csv"]
    duckdb.sql(f"COPY (SELECT range AS x, CASE WHEN range < 4 THEN 'e1' ELSE 'e2' END AS {STAGED_COLUMN} "
               f"FROM range(10)) TO '{path}' (FORMAT parquet)")
    assert list(partition_files((path, 2, 6), {"e1": "one.csv", "e2": "two.csv"})) == ["one.csv"] * 2 + ["two.csv"] * 2
