"""The two ways a whole file gets into memory give the same table.

With pyarrow installed, a plain text or Parquet file is read by Arrow's own readers
(io/tables/arrowread.py); anything those cannot read as DuckDB sniffed it falls back
to DuckDB.  Every file here is read both ways (Arrow on / off) and must give the same
columns, kinds, values, missing counts, problems, warnings and errors.
"""
import gzip
import math

import numpy as np
import pytest

from somdesk.errors import FileFormatError
from somdesk.io.tables import arrowread
from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table

from _files import write_parquet

needs_arrow = pytest.mark.skipif(not arrowread.available(),
                                 reason="Arrow reads are off (pyarrow missing, or SOMDESK_ARROW_READ=0)")

LONG = "a,b\n" + "".join(f"{i},{i * 0.5}\n" for i in range(30_000)) + "30000,oops\n"

# name -> (file bytes, Arrow reads it itself?)
TEXT_CASES = {
    "plain.csv": (b"x,y,z\n1.5,2,-3e2\n4,5.25,6\n", True),
    "mixed.csv": (b"name,x,y\nann,1.5,NA\nbob,,7\n\"NA\",N/A,8\ncid,?,-\ndan,null,Null\n", True),
    "blank_lines.csv": (b"a,b\n1,2\n\n3,4\n\n", True),
    "one_column.csv": (b"a\n1\n\n3\n", True),
    "bom.csv": (b"\xef\xbb\xbfa,b\n1,2\n3,4\n", True),
    "quoted.csv": (b'id,text\n1,"a, b"\n2,"say ""hi"""\n4,plain\n', True),
    # a value with a real line break: read by DuckDB's strict reader (Arrow cannot tell it from a
    # quote never closed that a later quote "closes": review10 #18)
    "quoted_lines.csv": (b'id,text\n1,"a, b"\n2,"say ""hi"""\n3,"two\nlines"\n4,plain\n', False),
    "crlf.csv": (b"a,b\r\n1,2\r\n3,4\r\n", True),
    "spaces.csv": (b"a,b\n 1.5 ,2\n3, 4 \n", None),
    "semicolon.csv": (b"a;b;c\n1;2;x\n3;4;y\n", True),
    "tab.tsv": (b"a\tb\n1\t2\n3\t4\n", True),
    "sklearn_meta.csv": (b"3,2,no,yes\n1.0,2.0,0\n3.0,4.0,1\n5.0,6.0,0\n", True),
    "comments.csv": (b"# made by hand\n# two lines\na,b\n1,2\n3,4\n", True),
    "big_int.csv": (b"a,b\n9007199254740993,1\n-12,2\n", True),
    "numbers.csv": (b"a,b,c,d\n+1,1e3,.5,5.\n2,2E-3,-.25,6.\n", None),
    "inf.csv": (b"a,b\n1,2\ninf,3\n-Infinity,4\n", None),
    "nan_text.csv": (b"a,b\n1,nan\n2,NaN\n3,4\n", True),
    "late_word.csv": (LONG.encode(), False),
    "ragged.csv": (b"a,b\n1,2\n3\n4,5\n", False),
    "extra_field.csv": (b"a,b\n1,2\n3,4,5\n", False),
    "unclosed.csv": (b'a,b\n"1,2\n3,4\n', None),
    # a quote opened in a text cell and never closed: Arrow took the rest of the file as that
    # cell without a word (tester10 #14); DuckDB names the line
    "unclosed_text.csv": (b'a,b\n1,"unterminated\n3,4\n', False),
    "unclosed_late.csv": (b"a,b,c\n" + b"".join(b"%d,%d,x\n" % (i, 2 * i) for i in range(50))
                          + b'49,98,"oops\n' + b"".join(b"%d,%d,x\n" % (i, 2 * i) for i in range(50, 99)), False),
    # an unclosed quote that a later quote "closes": row 30 vanished into row 29's cell (review10 #18)
    "unclosed_closed_later.csv": (b"a,b,c\n" + b"".join(b'%d,%d,"x%d"\n' % (i, 2 * i, i) for i in range(29))
                                  + b'29,58,"oops, ""quoted"" but never closed\n'
                                  + b"".join(b'%d,%d,"x%d"\n' % (i, 2 * i, i) for i in range(30, 50)), False),
    # a real line break in the last row's value: read the same (by DuckDB)
    "multiline_last.csv": (b'a,b\n1,x\n2,"two\nlines"\n', False),
    "dup_names.csv": (b"a,a,\n1,2,3\n4,5,6\n", True),
    "text_only.csv": (b"city,code\nParis,007\nRome,008\nParis,009\n", True),
    "latin1.csv": ("name,x\nJos\u00e9,1\nZo\u00eb,2\n".encode("latin-1"), None),
    "empty_col.csv": (b"a,b\n1,\n2,\n", True),
    "header_only.csv": (b"a,b\n", None),
    # integers for 25,000 rows (past the sniffer's sample), then a fraction
    "late_fraction.csv": (b"a,b\n" + b"".join(b"%d,1\n" % i for i in range(25_000)) + b"1.5,2\n", True),
    "odd_numbers.csv": (b"a,b,c,d\n1,2,3,4\n1e400,1e-400,0x10,1_000\n", None),
    # missing-value tokens only past the 256 KiB head: the parse without them fails, then
    # runs again with every token
    "late_tokens.csv": (b"a,b\n" + b"".join(b"%d,%d.25\n" % (i, i) for i in range(30_000))
                        + b"NA,1\n?,nan\n-,NULL\n,\n", True),
    # a decimal comma without digit groups: both engines read it themselves
    "decimal_comma.csv": (b"a;b;c\n1,5;2;x\n-3,25;4;y\n,5;1e3;z\n7,;;w\n", True),
    "late_dot.csv": (b"a;b\n" + b"".join(b"%d,5;%d\n" % (i, i) for i in range(30_000)) + b"12.5;1\n", False),
    "late_dot_in_head.csv": (b"a;b\n1,5;1\n2,5;12.500\n3,5;2\n", False),
    # a '"' only past the head (and a newline inside it): the pieces find it, one stream reads it
    "late_quote.csv": (b"id,text\n" + b"".join(b"%d,t%d\n" % (i, i) for i in range(30_000))
                       + b'30000,"two\nlines"\n30001,x\n', False),      # a line break in a value: DuckDB
    # every column a number column: the pieces are not searched for '"' (a quote fails
    # the parse of a number); the failed parse finds it and one stream reads the file
    "late_quoted_number.csv": (b"a,b\n" + b"".join(b"%d,%d.5\n" % (i, i) for i in range(30_000))
                               + b'"1.5","2"\n-2,"3e1"\n', True),
    "late_nan.csv": (b"a,b\n" + b"".join(b"%d,%d.25\n" % (i, i) for i in range(30_000)) + b"nan,NaN\n", True),
}


def snapshot(path, options=None):
    """Everything a caller can see of a read, or the error message."""
    try:
        tab = read_table(path, options)
    except FileFormatError as exc:
        return ("error", str(exc))
    out = {"columns": tab.columns, "types": tab.types, "kinds": [tab.kind(c) for c in tab.columns], "rows": tab.n_rows,
           "total": tab.n_rows_total, "row_index": tab.row_index.tolist(), "warnings": tab.warnings,
           "dialect": tab.dialect, "info": tab.info(), "problems": [tab.problem(c) for c in tab.columns],
           "strings": [tab.strings(c) for c in tab.columns],
           "cells": [[("nan" if isinstance(v, float) and math.isnan(v) else v) for v in tab.cells(c).tolist()]
                     for c in tab.columns]}
    tab.close()
    return out


def both_ways(path, monkeypatch, options=None):
    used = []
    real_csv, real_pq = arrowread.read_csv, arrowread.read_parquet

    def spy_csv(*a, **k):
        got = real_csv(*a, **k)
        used.append(got is not None)
        return got

    def spy_pq(*a, **k):
        got = real_pq(*a, **k)
        used.append(got is not None)
        return got

    monkeypatch.setattr(arrowread, "read_csv", spy_csv)
    monkeypatch.setattr(arrowread, "read_parquet", spy_pq)
    fast = snapshot(path, options)
    monkeypatch.setattr(arrowread, "ENABLED", False)
    slow = snapshot(path, options)
    monkeypatch.setattr(arrowread, "ENABLED", True)
    return fast, slow, any(used)


@needs_arrow
@pytest.mark.parametrize("name", sorted(TEXT_CASES))
def test_text_files_read_the_same_both_ways(tmp_path, monkeypatch, name):
    _same_both_ways(tmp_path, monkeypatch, name)


def _same_both_ways(tmp_path, monkeypatch, name) -> bytes:
    """TEXT_CASES[name] written to a file reads the same with Arrow and with DuckDB alone,
    through Arrow when the case says so; returns the file's bytes."""
    data, arrow_reads_it = TEXT_CASES[name]
    p = tmp_path / name
    p.write_bytes(data)
    fast, slow, used = both_ways(str(p), monkeypatch)
    assert fast == slow
    if arrow_reads_it is not None:
        assert used == arrow_reads_it
    return data


@needs_arrow
def test_gzip_reads_the_same_both_ways(tmp_path, monkeypatch):
    p = tmp_path / "t.csv.gz"
    p.write_bytes(gzip.compress(b"name,x\n" + b"ann,1.5\nbob,NA\n" * 100))
    fast, slow, used = both_ways(str(p), monkeypatch)
    assert fast == slow and used and fast["rows"] == 200


@needs_arrow
def test_options_read_the_same_both_ways(tmp_path, monkeypatch):
    p = tmp_path / "t.txt"
    p.write_bytes(b"skip me\na|b\n1|x\n2|MISSING\n")
    opts = ReadOptions(delimiter="|", skip=1, missing=("MISSING",))
    fast, slow, used = both_ways(str(p), monkeypatch, opts)
    assert fast == slow and used and fast["cells"][1] == ["x", None]


@needs_arrow
def test_decimal_comma_and_filters_stay_with_the_engine(tmp_path, monkeypatch):
    p = tmp_path / "t.csv"
    p.write_bytes(b"a;b\n1,5;12.500\n2,5;3\n")
    fast, slow, used = both_ways(str(p), monkeypatch)
    assert fast == slow and not used and fast["cells"][1] == [12500.0, 3.0]
    q = tmp_path / "f.csv"
    q.write_bytes(b"a,b\n1,2\n3,4\n")
    fast, slow, used = both_ways(str(q), monkeypatch, ReadOptions(where="a > 1"))
    assert fast == slow and not used and fast["row_index"] == [1]


@needs_arrow
def test_parquet_reads_the_same_both_ways(tmp_path, monkeypatch):
    p = write_parquet(tmp_path, "t.parquet",
                      "SELECT i AS id, CASE WHEN i % 3 = 0 THEN NULL ELSE i * 0.5 END AS x, "
                      "CAST(i AS INTEGER) AS small, 'n' || (i % 4) AS label, (i % 2 = 0) AS flag, "
                      "CAST(i / 7 AS DECIMAL(10, 2)) AS dec, DATE '2020-01-01' + CAST(i AS INTEGER) AS day "
                      "FROM range(50) t(i)")
    fast, slow, used = both_ways(p, monkeypatch)
    assert used
    assert fast == slow
    assert fast["kinds"][:4] == ["numeric", "numeric", "numeric", "categorical"]
    assert fast["info"]["columns"][1]["missing"] == 17


def test_numeric_columns_are_one_block(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes(b"a,name,b,c\n1,x,2,3\n4,y,,6\n")
    tab = read_table(str(p))
    m = tab.matrix(["b", "c"], copy=False)
    assert m.flags.f_contiguous
    if arrowread.available():                         # read through Arrow: one block, no copy
        assert not m.flags.writeable and np.shares_memory(m, tab.cells("c"))
    np.testing.assert_array_equal(m, [[2, 3], [np.nan, 6]])
    both = tab.matrix(["a", "c"])                      # not adjacent: a fresh array
    np.testing.assert_array_equal(both, [[1, 3], [4, 6]])
    with pytest.raises(FileFormatError, match="'name' is not numeric"):
        tab.matrix(["a", "name"])
    assert tab.missing_count("b") == 1 and tab.missing_count("a") == 0


@needs_arrow
@pytest.mark.parametrize("opts", [ReadOptions(max_rows=10), ReadOptions(where="x > 10"), ReadOptions(max_rows=10, where="x > 5")])
def test_parquet_sampled_or_filtered_the_same_both_ways(tmp_path, monkeypatch, opts):
    # the footer gives the count, DuckDB is connected only when a sample or filter needs it
    p = write_parquet(tmp_path, "t.parquet", "SELECT i AS id, i * 0.5 AS x, 'n' || (i % 3) AS label FROM range(40) t(i)")
    fast, slow, _ = both_ways(p, monkeypatch, opts)
    assert fast == slow
    tab = read_table(p, opts)
    rows = np.concatenate([r for r, _ in tab.iter_blocks(["id", "x"], block_rows=7)])
    expected = [i for i in range(40) if opts.where is None or eval(opts.where, {"x": i * 0.5})]
    assert rows.tolist() == expected
    assert tab.sampled == (opts.max_rows is not None and len(expected) > opts.max_rows)
    tab.close()


@pytest.mark.parametrize("arrow", [True, False])
def test_a_late_fraction_in_an_integer_column_is_not_rounded(tmp_path, monkeypatch, arrow):
    monkeypatch.setattr(arrowread, "ENABLED", arrow)
    p = tmp_path / "t.csv"
    p.write_bytes(b"a,b\n" + b"".join(b"%d,7\n" % i for i in range(25_000)) + b"1.5,-2.25\n")
    tab = read_table(str(p))
    assert tab.values("a")[-1] == 1.5 and tab.values("b")[-1] == -2.25
    assert tab.values("a")[:3].tolist() == [0, 1, 2]


def test_preview_converts_only_the_rows_it_shows(tmp_path, monkeypatch):
    p = tmp_path / "t.csv"
    p.write_bytes(b"a,name\n" + b"".join(b"%d.5,n%d\n" % (i, i) for i in range(1000)))
    tab = read_table(str(p))
    seen = []
    import somdesk.io.tables.table as table_mod
    real = table_mod.num_text
    monkeypatch.setattr(table_mod, "num_text", lambda x: seen.append(x) or real(x))
    assert tab.preview(3) == [["0.5", "n0"], ["1.5", "n1"], ["2.5", "n2"]]
    assert len(seen) == 3
    assert tab.strings("a", 2) == ["0.5", "1.5"] and len(tab.strings("name")) == 1000


@needs_arrow
@pytest.mark.parametrize("name", sorted(TEXT_CASES))
def test_text_files_cut_into_pieces_read_the_same(tmp_path, monkeypatch, name):
    # every file over a few bytes is cut into up to 4 pieces parsed by their own threads
    # (big files only, outside tests); a file with a '"' is never cut
    monkeypatch.setattr(arrowread, "PIECE_BYTES", 4)
    monkeypatch.setattr(arrowread, "thread_count", lambda: 4)
    cuts = []
    real = arrowread._pieces
    monkeypatch.setattr(arrowread, "_pieces", lambda *a: cuts.append(real(*a)) or cuts[-1])
    data = _same_both_ways(tmp_path, monkeypatch, name)
    if cuts and b'"' not in data and data.count(b"\n") > 4:
        assert len(cuts[0]) >= 3                              # two pieces or more


@needs_arrow
def test_pieces_of_a_bigger_file_keep_rows_in_order_and_name_a_bad_line(tmp_path, monkeypatch):
    monkeypatch.setattr(arrowread, "PIECE_BYTES", 1000)
    monkeypatch.setattr(arrowread, "thread_count", lambda: 3)
    body = "".join(f"{i},{i * 0.25},,{-i}\n" for i in range(5000))
    p = tmp_path / "t.csv"
    p.write_text("a,b,c,d\n" + body)
    tab = read_table(str(p))
    assert tab.values("a").tolist() == list(range(5000)) and tab.values("b")[-1] == 4999 * 0.25
    assert tab.kind("c") == "empty" and tab.n_rows == 5000
    tab.close()
    p.write_text("a,b,c,d\n" + body + "1,2,3\n" + body)      # a short line in the second piece
    with pytest.raises(FileFormatError, match="line 5002 has 3 field"):
        read_table(str(p))


@needs_arrow
def test_a_cancel_stops_the_piece_threads(tmp_path, monkeypatch):
    import threading

    from somdesk.core.cancel import CancelToken
    from somdesk.errors import Cancelled
    from somdesk.io.tables.engine import Source
    monkeypatch.setattr(arrowread, "PIECE_BYTES", 1000)
    monkeypatch.setattr(arrowread, "BLOCK_BYTES", 1000)
    p = tmp_path / "t.csv"
    p.write_text("a,b\n" + "".join(f"{i},{i}\n" for i in range(20000)))
    src = Source.open(str(p))
    token = CancelToken()
    real = arrowread._reader

    def cancelling_reader(*a, **k):
        token.cancel()                    # the stop arrives while the pieces are parsed
        return real(*a, **k)

    monkeypatch.setattr(arrowread, "_reader", cancelling_reader)
    with pytest.raises(Cancelled):
        arrowread.read_csv(src._csv_plan, token)
    src.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("somdesk-csv")]


@needs_arrow
@pytest.mark.parametrize("tokens, late, parses", [
    (None, b"", 1),                                  # no token in the file: one parse with "" alone
    (None, b"NA,1\n", 2),                            # a token past the head: a second parse with every token
    (("-999",), b"-999,1\n", 1),                     # a token that is a number: every token from the start
])
def test_number_files_are_parsed_without_the_tokens_first(tmp_path, monkeypatch, tokens, late, parses):
    p = tmp_path / "t.csv"
    p.write_bytes(b"a,b\n" + b"".join(b"%d,%d.5\n" % (i, i) for i in range(30_000)) + late)
    seen = []
    real = arrowread._read
    monkeypatch.setattr(arrowread, "_read", lambda plan, types, nulls, cancel: seen.append(nulls) or
                        real(plan, types, nulls, cancel))
    opts = ReadOptions(missing=tokens)
    fast, slow, used = both_ways(str(p), monkeypatch, opts)
    assert fast == slow and used and len(seen) == parses
    if late:
        assert fast["cells"][0][-1] == "nan" and fast["info"]["columns"][0]["missing"] == 1


@pytest.mark.parametrize("late, views", [(b"", ["fewer"]), (b"?,1\n", ["fewer", "every"]), (b"oops,1\n", None)])
def test_duckdb_reads_number_files_without_the_tokens_first(tmp_path, monkeypatch, late, views):
    from somdesk.io.tables import textfile
    monkeypatch.setattr(arrowread, "ENABLED", False)
    p = tmp_path / "t.csv"
    p.write_bytes(b"a,b\n" + b"".join(b"%d,%d.5\n" % (i, i) for i in range(30_000)) + late)
    made = []
    real = textfile._recreate
    monkeypatch.setattr(textfile, "_recreate", lambda con, path, args, *a: made.append(
        "fewer" if "nullstr=['']" in args else "every") or real(con, path, args, *a))
    tab = read_table(str(p))
    if views is not None:
        assert made == views and tab.kind("a") == "numeric" and tab.missing_count("a") == len(views) - 1
    else:                                  # a word: every token, then column a as text
        assert made[0] == "fewer" and tab.problem("a") == "column 'a' is not numeric: line 30002 has 'oops'"
    assert tab.values("b")[-1] == (1.0 if late else 29_999.5)
    tab.close()


@pytest.mark.parametrize("arrow", [True, False])
def test_decimal_comma_without_groups_is_read_by_the_engines(tmp_path, monkeypatch, arrow):
    monkeypatch.setattr(arrowread, "ENABLED", arrow)
    p = tmp_path / "t.csv"
    p.write_bytes(TEXT_CASES["decimal_comma.csv"][0])
    tab = read_table(str(p))
    assert tab.dialect["decimal"] == "," and tab.dialect["thousands"] == ""
    assert tab.values("a").tolist() == [1.5, -3.25, 0.5, 7.0] and tab.values("b")[2] == 1000.0
    assert tab.missing_count("b") == 1 and tab.kind("c") == "text"
    p.write_bytes(TEXT_CASES["late_dot.csv"][0])
    tab = read_table(str(p))
    assert tab.problem("a") == "column 'a' is not numeric: line 30002 has '12.5'"
    assert tab.values("b")[-2:].tolist() == [29_999.0, 1.0]


@needs_arrow
@pytest.mark.parametrize("estimate, wide", [(10, False), (2 ** 20, False), (None, False), (None, True)])
def test_number_pieces_land_in_one_block_whatever_the_row_estimate(tmp_path, monkeypatch, estimate, wide):
    # every column a number column: each piece is copied into the block by the thread
    # that parsed it; a wrong guess of the rows (too low, far too high) costs a copy,
    # never a wrong value
    from somdesk.io.tables.columns import PieceBlock
    if wide:
        monkeypatch.setattr(PieceBlock, "WIDE", 1)
    monkeypatch.setattr(arrowread, "PIECE_BYTES", 1000)
    monkeypatch.setattr(arrowread, "thread_count", lambda: 3)
    if estimate is not None:
        monkeypatch.setattr(arrowread, "_estimate_rows", lambda mm: estimate)
    rows = [(i, i * 0.25, "" if i % 7 == 0 else str(-i), "inf" if i == 4321 else "1") for i in range(5000)]
    p = tmp_path / "t.csv"
    p.write_text("a,b,c,d\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    fast, slow, used = both_ways(str(p), monkeypatch)
    assert used and fast == slow
    tab = read_table(str(p))
    assert tab.values("a").tolist() == list(range(5000)) and tab.missing_count("c") == 715
    assert tab.kind("d") == "text" and "line 4323 has 'inf'" in tab.problem("d")
    m = tab.matrix(["a", "b", "c"], copy=False)
    assert m.shape == (5000, 3) and not m.flags.writeable and np.shares_memory(m, tab.cells("a"))
    assert all(m[:, k].flags.c_contiguous for k in range(3))
    np.testing.assert_array_equal(tab.matrix(["b", "c"]), m[:, 1:])
    assert tab.matrix(["b", "c"]).flags.f_contiguous
    tab.close()


@needs_arrow
@pytest.mark.parametrize("wide", [False, True])
def test_a_piece_block_places_pieces_added_out_of_order(monkeypatch, wide):
    import pyarrow as pa

    from somdesk.io.tables.columns import PieceBlock
    if wide:                                            # copied by to_tensor, not column by column
        monkeypatch.setattr(PieceBlock, "WIDE", 1)
    pieces = [np.arange(lo, hi, dtype=np.float64) for lo, hi in ((0, 3), (3, 3), (3, 10), (10, 11))]

    def batch(v):
        arr = pa.array(v, mask=(v == 5)) if len(v) else pa.array(v, type=pa.float64())
        return pa.record_batch([arr, pa.array(v * 2)], names=["x", "y"])

    block = PieceBlock(["x", "y"], 12, len(pieces))
    for k in (2, 3, 1, 0):                              # the first piece parsed last
        block.add(k, [batch(pieces[k])])
        assert block.placed == (0 if k else 4)
    got = block.finish()
    x = np.arange(11.0)
    x[5] = np.nan
    np.testing.assert_array_equal(got.cols[0], x)
    np.testing.assert_array_equal(got.cols[1], np.arange(11.0) * 2)
    assert np.isnan(got.sums[0]) and got.sums[1] == 110


@needs_arrow
def test_pieces_cover_the_file_at_line_ends_and_the_last_ones_shrink(tmp_path, monkeypatch):
    import mmap
    monkeypatch.setattr(arrowread, "PIECE_BYTES", 4000)
    monkeypatch.setattr(arrowread, "MIN_PIECE_BYTES", 1000)
    monkeypatch.setattr(arrowread, "thread_count", lambda: 2)
    p = tmp_path / "t.csv"
    p.write_bytes(b"# note\na,b\n" + b"".join(b"%d,%d.5\n" % (i, i) for i in range(10_000)))
    with open(p, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        cuts = arrowread._pieces(mm, 2)
        sizes = np.diff(cuts)
        assert cuts[0] == 0 and cuts[-1] == len(mm) and len(cuts) - 1 == 30     # 115 KiB / 4000, even
        assert all(mm[c - 1:c] == b"\n" for c in cuts[1:-1])
        full, last4 = sizes[:-4], sizes[-4:]
        assert np.ptp(full[1:]) < 20 and list(last4) == sorted(last4, reverse=True)
        assert 0.15 < last4[-1] / full.mean() < 0.3           # the last piece: a fifth of a full one
        rows = arrowread._estimate_rows(mm)
        assert 10_000 <= rows <= 10_000 * 1.06 + 64            # the block's rows: 3 % over the lines


@needs_arrow
def test_a_number_file_parsed_in_pieces_is_sampled_the_same_both_ways(tmp_path, monkeypatch):
    # at most twice the row limit: read whole into the block, then sampled in memory
    monkeypatch.setattr(arrowread, "PIECE_BYTES", 1000)
    monkeypatch.setattr(arrowread, "thread_count", lambda: 2)
    p = tmp_path / "t.csv"
    p.write_text("a,b\n" + "".join(f"{i},{'' if i % 5 == 0 else i * 0.5}\n" for i in range(5000)))
    fast, slow, used = both_ways(str(p), monkeypatch, ReadOptions(max_rows=4000))
    assert used and fast == slow
    assert fast["rows"] == 4000 and fast["total"] == 5000
    assert [int(a) for a in fast["cells"][0]] == fast["row_index"]


@pytest.mark.parametrize("arrow", [False, True])
@pytest.mark.parametrize("kind", ["json", "parquet"])
def test_list_columns_read_as_nested_on_both_paths(tmp_path, monkeypatch, kind, arrow):
    """tester10 #28: without Arrow (the desktop bundle's path) DuckDB hands list cells over as
    numpy arrays and counting the missing ones was a traceback; a null list is missing."""
    if arrow and not arrowread.available():
        pytest.skip("Arrow reads are off")
    if kind == "json":
        p = tmp_path / "tags.json"
        p.write_text('[{"x":1.5,"tags":["a","b"]},{"x":2.5,"tags":["c"]},{"x":3.5,"tags":[]},'
                     '{"x":0.5,"tags":null},{"x":4.5,"tags":["a"]}]')
        p = str(p)
    else:
        p = write_parquet(tmp_path, "lst.parquet",
                          "SELECT i * 0.5 AS x, CASE WHEN i = 3 THEN NULL ELSE range(i % 3) END AS tags "
                          "FROM range(5) t(i)")
    monkeypatch.setattr(arrowread, "ENABLED", arrow)
    tab = read_table(p)
    try:
        assert [tab.kind(c) for c in tab.columns] == ["numeric", "nested"]
        assert [c["missing"] for c in tab.info()["columns"]] == [0, 1]
    finally:
        tab.close()


def _temporal_parquet(tmp_path) -> str:
    """Durations in every unit, timestamps (naive and with a zone), dates and times, as pandas
    and pyarrow write them (pandas: whenever a frame holds `df.b - df.a` of dates)."""
    import datetime as dt

    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    n = 5
    secs = [1, 2, None, 4, 5]
    cols = {f"dur_{u}": pa.array([None if s is None else s * f for s in secs], pa.duration(u))
            for u, f in (("s", 1), ("ms", 1000), ("us", 10**6), ("ns", 10**9))}
    cols["x"] = pa.array([1.0, 2, 3, 4, 5])
    cols["ts"] = pa.array([dt.datetime(2020, 1, i + 1, 12, 30) for i in range(n)], pa.timestamp("us"))
    cols["ts_utc"] = pa.array([dt.datetime(2020, 1, i + 1, 12, 30) for i in range(n)], pa.timestamp("ms", tz="UTC"))
    cols["day"] = pa.array([dt.date(2020, 1, i + 1) for i in range(n)], pa.date32())
    cols["clock"] = pa.array([dt.time(1, i) for i in range(n)], pa.time64("us"))
    p = str(tmp_path / "temporal.parquet")
    pq.write_table(pa.table(cols), p)
    return p


@needs_arrow
def test_durations_and_other_temporal_parquet_columns_read_the_same_both_ways(tmp_path, monkeypatch):
    # a duration column was a traceback on the Arrow path ("Unsupported cast from duration[us]
    # to double") and microseconds on DuckDB's (tester10 #10): seconds both ways
    p = _temporal_parquet(tmp_path)
    fast, slow, _ = both_ways(p, monkeypatch)
    assert fast == slow
    kinds = dict(zip(fast["columns"], fast["kinds"]))
    cells = dict(zip(fast["columns"], fast["cells"]))
    for u in ("s", "ms", "us", "ns"):
        assert kinds[f"dur_{u}"] == "numeric" and cells[f"dur_{u}"] == [1.0, 2.0, "nan", 4.0, 5.0]
    assert {kinds[c] for c in ("ts", "ts_utc", "day", "clock")} == {"date"}


def test_durations_train_and_score_as_seconds(tmp_path):
    from somdesk.cli import main

    p = _temporal_parquet(tmp_path)
    m = tmp_path / "m.somz"
    assert main(["table", "info", p]) == 0
    assert main(["train", "--table", p, "--columns", "dur_us,x", "--save-map", str(m), "--width", "2",
                 "--height", "2", "--epochs", "2", "--missing", "mean", "-q"]) == 0
    assert main(["assign", str(m), p, "--out", str(tmp_path / "s.csv"), "-q"]) == 0
    tab = read_table(p)
    np.testing.assert_array_equal(tab.values("dur_ms"), [1, 2, np.nan, 4, 5])
    tab.close()


@pytest.mark.parametrize("name,line", [("unclosed_text.csv", 2), ("unclosed_late.csv", 52),
                                       ("unclosed_closed_later.csv", 31)])
def test_a_quote_never_closed_is_an_error_naming_its_line(tmp_path, monkeypatch, name, line):
    p = tmp_path / name
    p.write_bytes(TEXT_CASES[name][0])
    fast, slow, _ = both_ways(str(p), monkeypatch)
    assert fast == slow and fast[0] == "error"
    assert f"line {line} has a quote (\") that is never closed" in fast[1]


def test_durations_are_seconds_in_chunks_too(tmp_path):
    # review10 #11: out of core (io.chunked) read the stored microseconds: the map's offsets were
    # 1e6 times the in-memory ones and every row scored in chunks an outlier
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from somdesk.session.outofcore_table import train_table_map_streaming
    from somdesk.session.table_data import TableMapSpec, train_table_map

    p = str(tmp_path / "dur.parquet")
    secs = np.arange(1, 41, dtype=np.int64)
    pq.write_table(pa.table({"secs": pa.array(secs * 10**6, pa.duration("us")),
                             "x": np.sin(np.arange(40.0))}), p)
    spec = TableMapSpec(columns=("secs", "x"), height=2, width=2, epochs=2, seed=0)
    mem = train_table_map(read_table(p), spec)[0]
    chunks = train_table_map_streaming(p, spec)
    np.testing.assert_allclose(chunks.recipe.offset, mem.recipe.offset, rtol=1e-9)
