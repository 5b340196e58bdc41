"""The out-of-core reader (io.chunked, `--out-of-core`, globs) reads exactly what the in-memory
reader reads: for each of ~45 edge files, the same numeric columns, the same values (NaN-equal)
or the same refusal (fixQ2: in chunks `inf` was trained on, `+1` and `007` were text, a ragged
file was one column).  Chunks of 2 rows, so chunking really happens."""
from __future__ import annotations

import gzip
import json
import os
import tempfile

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.errors import FileFormatError, SomdeskError
from somdesk.io.chunked import ChunkedTable
from somdesk.io.table import read_table
from somdesk.session.outofcore_format import text_number_format

BASE = "a,b,c\n1,2,3\n4,5,6\n7,8,9\n10,11,12\n"
TEXT = {
    "plain.csv": BASE,
    "decimal_comma.csv": "a;b\n1,5;2\n3,25;4\n5,0;6\n7,75;8\n",
    "thousands.csv": 'a,b\n"1,234",2\n"5,678",3\n"9,012",4\n"3,456",5\n',
    "eu_thousands.csv": "a;b\n1.234,5;2\n5.678,25;3\n9.012,0;4\n3.456,75;5\n",
    "quoted.csv": 'a,b,c\n"1","2","x y"\n"3","4","z"\n"5","6","w"\n"7","8","v"\n',
    "inf.csv": "a,b\n1,2\ninf,3\n4,5\n6,7\n",
    "minus_inf.csv": "a,b\n1,2\n-inf,3\n4,5\n6,7\n",
    "infinity_word.csv": "a,b\n1,2\nInfinity,3\n4,5\n6,7\n",
    "beyond_float.csv": "a,b\n1,2\n1e309,4\n5,6\n7,8\n",
    "nan.csv": "a,b\n1,2\nnan,3\nNaN,5\n6,7\n",
    "na_and_empty.csv": "a,b\n1,2\nNA,3\n,5\n6,7\n",
    "missing_words.csv": "a,b\n1,2\n?,4\n-,6\nn/a,8\n",
    "plus_sign.csv": "a,b\n+1,2\n+3,4\n5,6\n7,8\n",
    "all_plus_sign.csv": "a,b\n+1,2\n+3,4\n+5,6\n+7,8\n",
    "leading_zero.csv": "a,b\n007,2\n010,4\n5,6\n7,8\n",
    "all_leading_zero.csv": "a,b\n007,2\n010,4\n005,6\n001,8\n",
    "spaces.csv": "a,b\n 1 ,2\n3 , 4\n  5,6  \n7,8\n",
    "bom.csv": "\ufeffa,b\n1,2\n3,4\n5,6\n7,8\n",
    "crlf.csv": "a,b\r\n1,2\r\n3,4\r\n5,6\r\n7,8\r\n",
    # line ends mixed: DuckDB refused them, in memory they are read from an LF copy (tester12 #2: Python's
    # csv module writes CRLF rows, and a line break in a header name as a bare LF)
    "header_line_break.csv": '"a\nb",c,d\r\n1,2,3\r\n4,5,6\r\n7,8,9\r\n10,11,12\r\n',
    "mixed_line_ends.csv": "a,b\r\n1,2\n3,4\r\n5,6\r\n7,8\n",
    "value_line_break_crlf.csv": 'a,b,s\r\n1,2,"x\ny"\r\n3,4,z\r\n5,6,w\r\n7,8,v\r\n',
    "comment.csv": "# made by hand\na,b\n1,2\n3,4\n5,6\n7,8\n",
    "sklearn.csv": "4,2,x,y\n1.0,2.0\n3.0,4.0\n5.0,6.0\n7.0,8.0\n",
    "no_header.csv": "1.5,2.5\n3.5,4.5\n5.5,6.5\n7.5,8.5\n",
    "text_column.csv": "a,b,name\n1,2,x\n3,4,y\n5,6,z\n7,8,w\n",
    "all_missing_column.csv": "a,b,c\n1,,3\n4,,6\n7,,9\n10,,12\n",
    "duplicate_names.csv": "a,a,b\n1,2,3\n4,5,6\n7,8,9\n10,11,12\n",
    "ragged_short.csv": "a,b,c\n1,2,3\n4,5\n7,8,9\n10,11,12\n",
    "ragged_long.csv": "a,b,c\n1,2,3\n4,5,6,7\n7,8,9\n10,11,12\n",
    "semicolon.csv": "a;b;c\n1;2;3\n4;5;6\n7;8;9\n10;11;12\n",
    "tab.tsv": "a\tb\tc\n1\t2\t3\n4\t5\t6\n7\t8\t9\n10\t11\t12\n",
    "pipe.txt": "a|b|c\n1|2|3\n4|5|6\n7|8|9\n10|11|12\n",
    "word_last.csv": "a,b\n1,2\n3,4\n5,6\nx,8\n",
    "exponents.csv": "a,b\n1e3,2\n2.5E-2,4\n.5,6\n7.,8\n",
    "booleans.csv": "a,b\ntrue,2\nfalse,4\ntrue,6\nfalse,8\n",
    "quote_never_closed.csv": 'a,b\n1,2\n"3,4\n5,6\n',
    "header_only.csv": "a,b\n",
    "blank_line.csv": "a,b\n1,2\n\n3,4\n5,6\n",
    "data.ndjson": "".join(json.dumps({"a": i, "b": i * 1.5, "s": f"t{i}"}) + "\n" for i in range(5)),
    "nulls.ndjson": '{"a":1,"b":2}\n{"a":null,"b":3}\n{"a":4}\n{"a":5,"b":6}\n',
    "bad.json": '{"a":1}\n{"a" 2}\n',
    "markup.csv": "<?xml version='1.0'?>\n<rows>\n<row a='1'/>\n</rows>\n",
    # spreadsheet exports: currency, percent, accounting parentheses, U+2212 (testerF #3)
    "money_plain.csv": "name,pct,x\na,12%,1\nb,5%,2\nc,(3),3\nd,\u22124,4\ne,$5,5\n",
    "money_us.csv": 'id,amount,x\n1,"$1,000.00",1\n2,"($1,010.50)",2\n3,"$20.00",3\n4,USD 7,4\n',
    "money_de.csv": "a;Preis;Anteil\n1;0,50 \u20ac;1,5%\n2;1.000,00 \u20ac;\u22122,5%\n3;(3,00);0%\n4;4 \u20ac;10%\n",
    "page.csv": "<html>\n<body>\n<table><tr><td>1</td></tr></table>\n</body>\n</html>\n",
}


def _write(folder) -> dict[str, str]:
    out = {}
    for name, text in TEXT.items():
        p = os.path.join(folder, name)
        with open(p, "wb") as f:
            f.write(text.encode())
        out[name] = p
    for name, data in (("gzip.csv.gz", gzip.compress(BASE.encode())),
                       ("mixed_gzip.csv.gz", gzip.compress(b'"a\nb",c\r\n1,2\r\n3,4\r\n5,6\r\n')),
                       ("latin1.csv", "é,b\n1,2\n3,4\n5,6\n7,8\n".encode("latin-1")),
                       # bytes 0x80-0x9F: Windows-1252 (the euro sign 0x80), read from a UTF-8 copy
                       ("cp1252.csv", "Name;Preis;n\nMüller €;1.5;2\nZoë – x;3.25;4\nÖl;5.0;6\n".encode("cp1252")),
                       ("cp1252_comma.csv", "Name;Preis;n\nMüller;1,5 €;2\nZoë – x;3,25 €;4\nÖl;5,0 €;6\n".encode("cp1252")),
                       # read from a UTF-8 copy out of core: DuckDB decodes neither
                       ("shift_jis.csv", "名前,値\n1,2\n3,4\n5,6\n7,8\n".encode("shift_jis")),
                       ("cp1251.csv", "Имя,Возраст\n1,2\n3,4\n5,6\n7,8\n".encode("cp1251")),
                       ("utf16.csv", "a,b\n1,2\n3,4\n5,6\n7,8\n".encode("utf-16")),
                       ("binary.csv", b"a,b\n" + bytes(range(1, 9)) * 64 + b"\n1,2\n")):
        out[name] = os.path.join(folder, name)
        with open(out[name], "wb") as f:
            f.write(data)
    import duckdb
    con = duckdb.connect()
    for name, sql in (("typed.parquet", "SELECT i AS a, i * 0.5 AS b, 'x' || i AS s, CASE WHEN i = 2 THEN "
                                        "'inf'::DOUBLE ELSE i END AS c FROM range(7) t(i)"),
                      ("nan.parquet", "SELECT i AS a, CASE WHEN i = 2 THEN 'nan'::DOUBLE ELSE i END AS b "
                                      "FROM range(7) t(i)")):
        out[name] = os.path.join(folder, name)
        con.execute(f"COPY ({sql}) TO '{out[name]}' (FORMAT parquet)")
    con.close()
    return out


@pytest.fixture(scope="module")
def edge_files(tmp_path_factory):
    return _write(tmp_path_factory.mktemp("edge"))


def in_memory(path):
    """("ok", numeric columns, {column: values}) or ("error", message) of the in-memory reader."""
    try:
        t = read_table(path)
    except SomdeskError as exc:
        return "error", str(exc)
    try:
        num = [c for c in t.columns if t.kind(c) == "numeric"]
        return "ok", num, {c: t.values(c) for c in num}
    finally:
        t.close()


def in_chunks(path, columns=None):
    """The same of the out-of-core reader, as `train --out-of-core` opens it (chunks of 2 rows)."""
    try:
        number_format, columns, text = text_number_format(path, columns, None)
        with ChunkedTable.open(path, columns, chunk_rows=2, text_columns=text if number_format else (),
                               number_format=number_format) as src:
            assert len(src.partitions) == -(-src.rows // 2)
            x = np.concatenate([src.read(p) for p in src.partitions])
            return "ok", list(src.columns), {c: x[:, k] for k, c in enumerate(src.columns)}
    except SomdeskError as exc:
        return "error", str(exc)


@pytest.mark.parametrize("name", list(TEXT) + ["gzip.csv.gz", "mixed_gzip.csv.gz", "latin1.csv", "cp1252.csv", "cp1252_comma.csv", "shift_jis.csv", "cp1251.csv",
                                               "utf16.csv", "binary.csv",
                                               "typed.parquet", "nan.parquet"])
def test_chunks_read_what_memory_reads(edge_files, name):
    path = edge_files[name]
    mem, got = in_memory(path), in_chunks(path)
    if mem[0] == "error":
        # the very sentence (a glob's or the chunked prefix aside)
        assert got[0] == "error", (mem, got[:2])
        assert got[1].endswith(mem[1].split(": ", 1)[1]), (mem[1], got[1])
        assert "Error" not in got[1]                 # never DuckDB's "Conversion Error: ..."
        return
    if not mem[1]:                 # nothing numeric: training in chunks has nothing to read either
        assert got[0] == "error" and "no numeric columns" in got[1], got[:2]
        return
    assert got[0] == "ok", got[1]
    assert got[1] == mem[1]
    for c in mem[1]:
        np.testing.assert_array_equal(got[2][c], mem[2][c], err_msg=f"{name}: column {c!r}")


@pytest.mark.parametrize("name,column,line", [("inf.csv", "a", "line 3 has 'inf'"),
                                              ("minus_inf.csv", "a", "line 3 has '-inf'"),
                                              ("typed.parquet", "c", "row 3 has 'inf'")])
def test_an_infinite_value_asked_for_is_refused_in_the_in_memory_words(edge_files, name, column, line):
    path = edge_files[name]
    t = read_table(path)
    with pytest.raises(FileFormatError) as mem:
        t.check_numeric([column])
    t.close()
    with pytest.raises(FileFormatError) as got:
        ChunkedTable.open(path, [column], chunk_rows=2)
    assert str(got.value) == str(mem.value)
    assert line in str(got.value)


def test_numbers_typed_text_by_the_sniffer_are_numbers(edge_files):
    with ChunkedTable.open(edge_files["leading_zero.csv"], ["a"], chunk_rows=2) as src:
        assert src.numeric == ["a"]
        np.testing.assert_array_equal(src.read(src.partitions[0])[:, 0], [7, 10])
    # a categorical column (a map's codes) stays text
    with ChunkedTable.open(edge_files["leading_zero.csv"], ["a"], text_columns=["a"], categorical=["a"]) as src:
        assert src.numeric == []


def _glob(tmp_path, files: dict) -> str:
    d = tmp_path / "g"
    d.mkdir()
    for name, text in files.items():
        (d / name).write_text(text)
    return str(d / "*.csv")


@pytest.mark.parametrize("second,words,scoring", [
    ("a;b\n5;6\n7;8\n", "x2.csv uses the delimiter ';' (semicolon)", None),
    ("# note\na,b\n5,6\n7,8\n", "x2.csv has 1 line before the table", None),
    # no header in one file: DuckDB names its columns column0.., which the other file lacks
    ("5.5,6.5\n7.5,8.5\n9.5,1.5\n", "x1.csv has no column(s) 'column0', 'column1'", "x2.csv has no column(s) 'a', 'b'"),
])
def test_a_glob_of_files_written_differently_is_refused_naming_both(tmp_path, capsys, second, words, scoring):
    # a glob of `,` and `;` files scored the `;` file's rows empty without a word
    # x1.csv: 3 rows, the fewest a map trains on (session.table_checks.MIN_ROWS)
    pattern = _glob(tmp_path, {"x1.csv": "a,b\n1,2\n3,4\n5,1\n", "x2.csv": second})
    with pytest.raises(FileFormatError) as exc:
        ChunkedTable.open(pattern, chunk_rows=2)
    assert "x1.csv" in str(exc.value) and words in str(exc.value)
    m = tmp_path / "m.somz"
    assert main(["train", "--table", str(tmp_path / "g" / "x1.csv"), "--width", "2", "--height", "2",
                 "--epochs", "1", "--save-map", str(m), "-q"]) == 0
    assert main(["assign", str(m), pattern, "--out-of-core", "--out", str(tmp_path / "s.csv")]) == 2
    err = capsys.readouterr().err
    assert (scoring or words) in err and "Traceback" not in err and not (tmp_path / "s.csv").exists()


def test_a_glob_of_decimal_comma_and_point_files_is_refused(tmp_path, capsys):
    pattern = _glob(tmp_path, {"x1.csv": "a;b\n1,5;2,5\n3,5;4,5\n5,5;6,5\n",
                               "x2.csv": "a;b\n1.5;2.5\n3.5;4.5\n5.5;6.5\n"})
    assert main(["train", "--table", pattern, "--out-of-core", "--width", "2", "--height", "2", "--epochs", "1",
                 "--save-map", str(tmp_path / "m.somz")]) == 2
    err = capsys.readouterr().err
    assert "x1.csv: decimal ','" in err and "x2.csv: decimal '.'" in err


def _temporaries(folder) -> set[str]:
    return set(os.listdir(folder))


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    """A temporary folder of this test's own (tempfile's), so other processes' files do not count."""
    d = tmp_path / "tmp"
    d.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(d))
    return d


def test_assign_in_chunks_with_where_and_a_glob_leaves_no_temporaries(tmp_path, own_tmp, capsys):
    data = tmp_path / "d.csv"
    data.write_text("a,b\n1,2\n3,3\n4,5\n6,7\n5,5\n")
    m = tmp_path / "m.somz"
    assert main(["train", "--table", str(data), "--width", "2", "--height", "2", "--epochs", "1",
                 "--save-map", str(m), "-q"]) == 0
    before = _temporaries(own_tmp)
    mem, ooc = tmp_path / "mem.csv", tmp_path / "ooc.csv"
    # --where in chunks: the rows kept, numbered as in memory (their rows in the file)
    assert main(["assign", str(m), str(data), "--where", "a > 3", "--out", str(mem)]) == 0
    assert main(["assign", str(m), str(data), "--where", "a > 3", "--out-of-core", "--out", str(ooc)]) == 0
    assert ooc.read_text() == mem.read_text()
    assert [r.split(",")[0] for r in ooc.read_text().splitlines()[1:]] == ["2", "3", "4"]
    # a glob with --where: each row's file
    pattern = _glob(tmp_path, {"x1.csv": "a,b\n1,2\n3,3\n4,5\n", "x2.csv": "a,b\n6,7\n5,5\n9,9\n"})
    assert main(["assign", str(m), pattern, "--where", "a > 3", "--out", str(ooc)]) == 0
    rows = [r.split(",") for r in ooc.read_text().splitlines()[1:]]
    assert [(r[0], os.path.basename(r[-1])) for r in rows] == [("2", "x1.csv"), ("3", "x2.csv"), ("4", "x2.csv"),
                                                                ("5", "x2.csv")]
    # a filter that leaves no rows, an error while staging, and success: no folder is left behind
    for job in (["assign", str(m), str(data), "--where", "a > 100", "--out-of-core", "--out", str(ooc)],
                ["assign", str(m), pattern, "--where", "a > 100", "--out", str(ooc)],
                ["train", "--table", str(data), "--where", "a > 100", "--out-of-core", "--save-map", str(tmp_path / "x.somz")],
                ["train", "--table", pattern, "--out-of-core", "--where", "a > 3", "--width", "2", "--height", "2", "--epochs", "1",
                 "--save-map", str(tmp_path / "g.somz"), "-q"]):
        capsys.readouterr()
        code = main(job)
        err = capsys.readouterr().err
        assert code == (0 if "g.somz" in job[-2] else 2), err
        if code:
            assert "no rows match the filter" in err and "Traceback" not in err
        assert _temporaries(own_tmp) == before, job


def test_a_refused_file_leaves_no_staging_folder(edge_files, own_tmp):
    before = _temporaries(own_tmp)
    for name in ("ragged_short.csv", "quote_never_closed.csv", "header_only.csv", "word_last.csv", "inf.csv"):
        with pytest.raises(SomdeskError):
            ChunkedTable.open(edge_files[name], ["a", "b"] if name != "header_only.csv" else None, chunk_rows=2)
    assert _temporaries(own_tmp) == before


def test_a_glob_with_mixed_line_ends_reads_every_file_with_its_own_name(tmp_path, own_tmp):
    before = _temporaries(own_tmp)
    pattern = _glob(tmp_path, {"m1.csv": '"a\nb",c\r\n1,2\r\n3,4\r\n', "m2.csv": '"a\nb",c\n5,6\n7,8\n'})
    with ChunkedTable.open(pattern, chunk_rows=2) as src:
        assert src.columns == ["a\nb", "c"] and src.rows == 4
        x = np.concatenate([src.read(p) for p in src.partitions])
        files = np.concatenate([src.files_of(p) for p in src.partitions])
    np.testing.assert_array_equal(x, [[1, 2], [3, 4], [5, 6], [7, 8]])
    assert [os.path.basename(f) for f in files] == ["m1.csv", "m1.csv", "m2.csv", "m2.csv"]  # not the copies
    assert _temporaries(own_tmp) == before          # the LF copies are gone once staged


def test_an_infinite_value_in_a_globs_file_is_named_by_file_and_line(tmp_path):
    pattern = _glob(tmp_path, {"x1.csv": "a,b\n1,2\n3,4\n", "x2.csv": "a,b\n5,6\n7,-inf\n"})
    with pytest.raises(FileFormatError) as exc:
        ChunkedTable.open(pattern, ["a", "b"], chunk_rows=2)
    assert str(exc.value).endswith("x2.csv: column 'b' is not numeric: line 3 has '-inf' or a number beyond "
                                   "-1.8e308 (an infinite value)")
    with ChunkedTable.open(pattern, chunk_rows=2) as src:       # the default columns leave it out
        assert src.columns == ["a"] and list(src.left_out) == ["b"]


def test_training_in_chunks_leaves_an_infinite_column_out_with_the_in_memory_warning(edge_files, capsys):
    path = edge_files["inf.csv"]
    lines = []
    for extra in ([], ["--out-of-core"]):
        assert main(["train", "--table", path, "--width", "2", "--height", "2", "--epochs", "1",
                     "--save-map", os.path.join(os.path.dirname(path), "inf.somz"), *extra]) == 0
        lines.append([ln for ln in capsys.readouterr().err.splitlines() if "infinite" in ln])
    want = ("warning: column 'a' is not numeric: line 3 has 'inf' or a number beyond 1.8e308 (an infinite value); "
            "it is left out of the training columns")
    assert lines[0][0].startswith(want) and lines[1][0].startswith(want)


def test_reading_every_edge_file_both_ways_leaves_no_temporaries(edge_files, own_tmp):
    before = _temporaries(own_tmp)
    for path in edge_files.values():
        in_memory(path)
        in_chunks(path)
    assert _temporaries(own_tmp) == before


def test_a_word_past_the_engines_type_sample_makes_its_column_text_as_in_memory(tmp_path):
    # DuckDB types columns from 20,480 rows; staging then failed with "Conversion Error: ... 'x'"
    path = tmp_path / "late.csv"
    path.write_text("a,b\n" + "".join(f"{i},{i % 7}\n" for i in range(25_000)) + "x,3\n")
    mem = read_table(str(path))
    want = mem.problem("a")
    mem.close()
    assert want == "column 'a' is not numeric: line 25002 has 'x'"
    with ChunkedTable.open(str(path), chunk_rows=10_000) as src:
        assert src.columns == ["b"] and src.left_out == {"a": want} and src.rows == 25_001
    with pytest.raises(FileFormatError, match=f"^late.csv: {want}$"):
        ChunkedTable.open(str(path), ["a", "b"])


@pytest.fixture(scope="module")
def damaged_parquet(tmp_path_factory):
    """A Parquet file cut in half, one with a spoilt page (its footer intact) and one with a spoilt footer."""
    import duckdb
    folder = tmp_path_factory.mktemp("damaged")
    good = folder / "good.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT i AS a, i * 0.5 AS b FROM range(100000) t(i)) TO '{good}' (FORMAT parquet)")
    con.close()
    data = good.read_bytes()
    half = len(data) // 2
    out = {"cut.parquet": data[:half], "tiny.parquet": data[:6],
           "spoilt_page.parquet": data[:half] + bytes(100) + data[half + 100:],
           "spoilt_footer.parquet": data[:-300] + bytes(290) + data[-10:]}
    for name, body in out.items():
        (folder / name).write_bytes(body)
    return folder


@pytest.mark.parametrize("name", ["cut.parquet", "tiny.parquet", "spoilt_page.parquet", "spoilt_footer.parquet"])
@pytest.mark.parametrize("extra", [[], ["--out-of-core"]])
def test_a_damaged_parquet_file_has_one_wording_in_memory_and_in_chunks(damaged_parquet, name, extra, capsys):
    # tester12 #7: DuckDB's "No magic bytes found at end of file ..." reached the user, and a spoilt
    # page read in place out of core was a traceback ("Snappy decompression failure")
    code = main(["train", "--table", str(damaged_parquet / name), "--width", "2", "--height", "2", "--epochs", "1",
                 "--save-map", str(damaged_parquet / "x.somz"), "-q", *extra])
    err = capsys.readouterr().err
    assert code == 2 and err == f"error: cannot read {name}: the Parquet file is damaged or truncated\n", err
