"""Column names of every awkward kind, in every format and on every read path (fixB).

fixS found `yn,tf,YN,when,stamp,x,c` failing the read: "Duplicate named argument "YN" in function
call to "struct_pack"" -- DuckDB compares identifiers without (ASCII) letter case.  The rule now,
for CSV, spreadsheets, Parquet and JSON alike (io.tables.header_names): names are kept as in the
file; a name that repeats an earlier one, letter case aside, becomes `<name>_<n>` (the first
such name free, case aside) with one warning naming it; a blank name becomes `column<i>`.  Quotes,
spaces, non-ASCII letters and SQL keywords are kept as they are.  The in-memory reader (Arrow or
DuckDB, with and without --where) and the chunked reader give the same names and the same values.
"""
from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.errors import FileFormatError, OptionError
from somdesk.io.chunked import ChunkedTable
from somdesk.io.tables.duckutil import q
from somdesk.io.tables.header_names import engine_key
from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table

ROWS = 9

# kind: (names in the file, names read; None: as in the file)
KINDS = {
    "case": (["yn", "x", "YN", "X"], ["yn", "x", "YN_1", "X_1"]),
    "case_suffix_taken": (["a", "A", "a_1", "z"], ["a", "A_2", "a_1", "z"]),
    "quotes": (['a"b', "it's", '"q"', "z"], None),
    "spaces": (["a b", " lead", "tail ", "z"], None),
    "unicode": (["größe", "Größe", "é", "É"], ["größe", "Größe_1", "é", "É"]),   # the engine folds ASCII only
    "blank": (["", "x", "", "z"], ["column0", "x", "column2", "z"]),
    "duplicate": (["a", "a", "a_1", "z"], ["a", "a_2", "a_1", "z"]),
    "keywords": (["select", "from", "order", "group"], None),
}
FORMATS = ["csv", "parquet", "ndjson", "xlsx"]


def _value(k: int, i: int) -> float:
    return 100.0 * k + i                 # column k's value in row i: a value shows its column


def _write(tmp_path, kind: str, fmt: str) -> str:
    names = KINDS[kind][0]
    rows = [[_value(k, i) for k in range(len(names))] for i in range(ROWS)]
    p = str(tmp_path / f"{kind}.{fmt}")
    if fmt == "csv":
        with open(p, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(names)
            w.writerows(rows)
    elif fmt == "ndjson":
        with open(p, "w", encoding="utf-8") as f:
            for r in rows:
                f.write("{" + ", ".join(f"{json.dumps(n)}: {v}" for n, v in zip(names, r)) + "}\n")
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq
        pq.write_table(pa.Table.from_arrays([pa.array([r[k] for r in rows]) for k in range(len(names))],
                                            names=names), p)
    else:
        import openpyxl
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(names)
        for r in rows:
            ws.append(r)
        wb.save(p)
    return p


def _expected(kind: str, fmt: str) -> list[str]:
    given, read = KINDS[kind]
    names = list(read or given)
    if kind == "spaces" and fmt in ("csv", "xlsx"):
        names = [n.strip() for n in names]          # a text header's cells are trimmed
    return names


def _cases():
    for kind in KINDS:
        for fmt in FORMATS:
            if fmt == "ndjson" and kind in ("blank", "duplicate"):
                continue                 # a record cannot hold one key twice: test_a_json_key_twice...
            yield kind, fmt


@pytest.mark.parametrize("kind,fmt", list(_cases()))
def test_every_name_kind_reads_in_memory_with_and_without_a_filter_and_in_chunks(tmp_path, kind, fmt):
    p = _write(tmp_path, kind, fmt)
    want = _expected(kind, fmt)
    assert len({engine_key(n) for n in want}) == len(want)
    tab = read_table(p)
    try:
        assert tab.columns == want
        for k, c in enumerate(want):
            np.testing.assert_array_equal(tab.values(c), [_value(k, i) for i in range(ROWS)], err_msg=c)
        renamed = KINDS[kind][1] is not None and kind != "blank"
        said = [w for w in tab.warnings if "made unique" in w]
        assert len(said) == (1 if renamed else 0), tab.warnings
        if kind.startswith("case") or kind == "unicode":
            assert "differ only in letter case" in said[0]
        if kind == "blank":
            assert "2 columns had no name and were named by position" in tab.warnings
    finally:
        tab.close()
    # a filter makes every format a DuckDB view over the file: the path fixS's file failed on
    cond = f"{q(want[2])} >= {_value(2, 4)}"
    tab = read_table(p, ReadOptions(where=cond))
    try:
        assert tab.columns == want and tab.n_rows == ROWS - 4
        for k, c in enumerate(want):
            np.testing.assert_array_equal(tab.values(c), [_value(k, i) for i in range(4, ROWS)], err_msg=c)
    finally:
        tab.close()
    if fmt == "xlsx":
        return                           # out of core reads text, JSON lines and Parquet only
    with ChunkedTable.open(p, chunk_rows=2, where=cond) as src:
        assert list(src.columns) == want
        x = np.concatenate([src.read(part) for part in src.partitions])
    np.testing.assert_array_equal(x, [[_value(k, i) for k in range(len(want))] for i in range(4, ROWS)])
    with ChunkedTable.open(p, [want[3], want[1]], chunk_rows=2) as src:
        x = np.concatenate([src.read(part) for part in src.partitions])
    np.testing.assert_array_equal(x, [[_value(3, i), _value(1, i)] for i in range(ROWS)])


def test_the_file_fixS_found_reads_with_every_column_kept(tmp_path):
    p = tmp_path / "t.csv"
    with open(p, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["yn", "tf", "YN", "when", "stamp", "x", "c"])
        for i in range(40):
            w.writerow(["yes" if i % 2 else "no", "true" if i % 3 else "false", "Y" if i % 2 else "N",
                        f"2020-01-{i % 28 + 1:02d}", f"2020-01-01 {i % 24:02d}:30:00", i * 0.5, "abcd"[i % 4]])
    tab = read_table(p)
    assert tab.columns == ["yn", "tf", "YN_1", "when", "stamp", "x", "c"]
    assert [tab.kind(c) for c in tab.columns] == ["boolean", "boolean", "boolean", "date", "date", "numeric",
                                                  "categorical"]
    assert list(tab.strings("YN_1")[:2]) == ["N", "Y"] and list(tab.strings("yn")[:2]) == ["no", "yes"]
    assert tab.warnings == ["duplicate column names were made unique: 'YN' -> 'YN_1' (names that differ only "
                            "in letter case count as the same name)"]
    tab.close()


def test_numbers_with_a_decimal_comma_under_case_twins(tmp_path):
    # the conversion view (textfile._convert_numbers) selects every column by name
    p = tmp_path / "dc.csv"
    p.write_text("v;V;w\n" + "".join(f"{i},5;{i + 1},25;x{i}\n" for i in range(6)))
    tab = read_table(p)
    assert tab.columns == ["v", "V_1", "w"]
    np.testing.assert_allclose(tab.values("V_1"), [i + 1.25 for i in range(6)])
    tab.close()


def test_a_json_key_twice_in_one_record_is_one_plain_sentence(tmp_path):
    p = tmp_path / "twice.ndjson"
    p.write_text('{"a": 1, "b": 2}\n{"a": 3, "b": 4, "b": 7}\n{"a": 5, "b": 6}\n')
    with pytest.raises(FileFormatError) as mem:
        read_table(p)
    with pytest.raises(FileFormatError) as ooc:
        ChunkedTable.open(str(p))
    assert str(mem.value) == str(ooc.value) == "cannot read twice.ndjson: line 2 has the key 'b' twice in one record"


def test_json_keys_first_seen_in_later_records_are_named_by_position(tmp_path):
    p = tmp_path / "later.ndjson"
    p.write_text('{"b": 1, "a": 2}\n{"A": 3, "c": 4, "a": 1}\n{"a_1": 5, "B": 6, "b": 1}\n')
    want = ["b", "a", "A_2", "c", "a_1", "B_1"]
    tab = read_table(p)
    assert tab.columns == want
    np.testing.assert_array_equal(tab.values("a_1"), [np.nan, np.nan, 5])
    np.testing.assert_array_equal(tab.values("A_2"), [np.nan, 3, np.nan])
    tab.close()
    with ChunkedTable.open(str(p), ["A_2", "a_1"], chunk_rows=2) as src:
        assert list(src.columns) == ["A_2", "a_1"]
        x = np.concatenate([src.read(part) for part in src.partitions])
    np.testing.assert_array_equal(x, [[np.nan, np.nan], [3, np.nan], [np.nan, 5]])


NAMES = ["yn", "YN", 'a"b', "it's", "a b", "größe", "Größe", "", "select", "from", "x", "x", "group", "名前"]


def _awkward_table(tmp_path, fmt: str) -> str:
    rows = [[i % 7, (i * 3) % 11, i * 0.5, 60 - i, (i * 7) % 13, i % 5, i % 4, i % 9, i, ["cat", "dog", "owl"][i % 3],
             i % 2, i % 3, ["red", "blue"][i % 2], i % 6] for i in range(60)]
    if fmt == "csv":
        p = tmp_path / "w.csv"
        with open(p, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(NAMES)
            w.writerows(rows)
        return str(p)
    import pyarrow as pa
    import pyarrow.parquet as pq
    p = tmp_path / "w.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array([r[k] for r in rows]) for k in range(len(NAMES))], names=NAMES), p)
    return str(p)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_map_trained_on_awkward_names_assigns_alike_in_memory_and_in_chunks(tmp_path, capsys, fmt):
    data = _awkward_table(tmp_path, fmt)
    m = tmp_path / "m.somz"
    # the label, a categorical and a passive column with awkward names, a filter naming a renamed one
    assert main(["train", "--table", data, "--label", "from", "--categorical", "group", "--passive", "a b",
                 "--width", "3", "--height", "3", "--epochs", "2", "--save-map", str(m),
                 "--profiles", str(tmp_path / "p.csv"), "--where", '"select" >= 2 AND "YN_1" < 10']) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "'YN' -> 'YN_1'" in err and "'Größe' -> 'Größe_1'" in err and "'x' -> 'x_1'" in err
    with open(tmp_path / "p.csv", encoding="utf-8") as f:
        profiled = {r["column"] for r in csv.DictReader(f)}
    assert {"YN_1", "Größe_1", 'a"b', "it's", "select", "x_1", "名前"} <= profiled
    mem, ooc = tmp_path / "mem.csv", tmp_path / "ooc.csv"
    assert main(["assign", str(m), data, "--out", str(mem), "-q"]) == 0
    assert main(["assign", str(m), data, "--out-of-core", "--chunk-rows", "7", "--out", str(ooc), "-q"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert mem.read_text() == ooc.read_text() and len(mem.read_text().splitlines()) == 61
    # out of core, a filter naming the renamed and quoted columns
    for extra in ([], ["--out-of-core", "--chunk-rows", "7"]):
        assert main(["assign", str(m), data, "--where", '"YN_1" > 4 AND "a""b" < 20', "--out", str(ooc), "-q",
                     *extra]) == 0
        rows = [r.split(",")[0] for r in ooc.read_text().splitlines()[1:]]
        assert rows == [str(i) for i in range(40) if (i * 3) % 11 > 4], extra


@pytest.mark.parametrize("chunks", [False, True])
def test_a_filter_naming_a_renamed_case_twin_is_refused_not_applied_to_the_other(tmp_path, chunks):
    # the engine ignores case: `YN` in a filter meant `yn`, filtering on the wrong column silently
    p = _write(tmp_path, "case", "csv")
    def read(where):
        if chunks:
            with ChunkedTable.open(p, where=where, chunk_rows=2) as src:
                return src.rows
        tab = read_table(p, ReadOptions(where=where))
        n = tab.n_rows
        tab.close()
        return n
    with pytest.raises(OptionError) as exc:
        read("YN >= 204")
    assert "the filter names 'YN', which the engine reads as the column 'yn'" in str(exc.value)
    assert "is read as 'YN_1'" in str(exc.value) and 'write "YN_1" or "yn"' in str(exc.value)
    assert read('"YN_1" >= 204') == ROWS - 4 and read("yn >= 4") == ROWS - 4 and read("Yn >= 4") == ROWS - 4


def test_a_column_named_like_an_sql_word_is_said_how_to_write(tmp_path):
    p = _write(tmp_path, "keywords", "csv")
    with pytest.raises(OptionError) as exc:
        read_table(p, ReadOptions(where="Select > 3"))
    assert str(exc.value).endswith('; a column named like an SQL word is written in double quotes: "select"')
    tab = read_table(p, ReadOptions(where='"select" > 3 AND "from" > 100'))
    assert tab.n_rows == ROWS - 4
    tab.close()


def test_columns_naming_a_renamed_twin_point_to_its_new_name(tmp_path, capsys):
    data = _awkward_table(tmp_path, "csv")
    for extra in ([], ["--out-of-core"]):
        assert main(["train", "--table", data, "--columns", "YN,x", "--save-map", str(tmp_path / "m.somz"), "-q",
                     *extra]) == 2
        err = capsys.readouterr().err
        assert "did you mean 'YN_1'?" in err and "Traceback" not in err, extra
    assert main(["train", "--table", data, "--columns", "Yn,x", "--save-map", str(tmp_path / "m.somz"), "-q"]) == 2
    assert "did you mean 'yn'?" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_chunked_reader_gives_the_in_memory_name_warnings(tmp_path, fmt):
    p = _write(tmp_path, "blank", fmt) if fmt == "parquet" else str(tmp_path / "b.csv")
    if fmt == "csv":
        (tmp_path / "b.csv").write_text(",x,X,x\n" + "".join(f"{i},{i},{i},{i}\n" for i in range(5)))
    tab = read_table(p)
    want = [w for w in tab.warnings if "no name" in w or "made unique" in w]
    tab.close()
    assert want
    with ChunkedTable.open(p, chunk_rows=2) as src:
        assert [w for w in src.warnings if "no name" in w or "made unique" in w] == want
