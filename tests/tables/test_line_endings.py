"""Text files whose lines end in a mix of CRLF, LF and CR (io/tables/lineends.py).

Each file is read as the same data with LF line ends is, through Arrow and through
DuckDB alone (the desktop bundle), plain and gzip-compressed, UTF-8 and cp1252; a
ragged row in such a file is still an error naming its line.
"""
import gzip
import math
import os
import re
import tempfile

import pytest

from somdesk.errors import FileFormatError
from somdesk.io.tables import arrowread, lineends
from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table

PATHS = [pytest.param(True, id="arrow"), pytest.param(False, id="duckdb")]
COMPRESS = [pytest.param(False, id="plain"), pytest.param(True, id="gzip")]

MANY = 40_000        # rows: past the 256 KiB head and DuckDB's sniff sample


def rows(n, fmt=b"%d,%d.5,x%d"):
    return [fmt % (i, i, i % 7) for i in range(n)]


def join(lines, ends):
    """`lines` joined with line ends taken in turn from `ends`, one after the last line too."""
    return b"".join(ln + ends[i % len(ends)] for i, ln in enumerate(lines))


HEAD = [b"a,b,c"]
# name -> the file's lines and the line ends they get in turn
CASES = {
    "head_crlf_lf": (HEAD + rows(6), [b"\r\n", b"\n"]),
    "tail_one_lf": (HEAD + rows(MANY), [b"\r\n"] * MANY + [b"\n"]),
    "tail_lf_block": (HEAD + rows(MANY), [b"\r\n"] * (MANY - 100) + [b"\n"] * 101),
    "lf_then_crlf": (HEAD + rows(MANY), [b"\n"] * MANY + [b"\r\n"]),
    "crlf_and_cr": (HEAD + rows(6), [b"\r\n", b"\r"]),
    "every_third_lf": (HEAD + rows(MANY), [b"\r\n", b"\r\n", b"\n"]),
}


def snapshot(path, options=None):
    tab = read_table(str(path), options)
    try:
        return {"columns": tab.columns, "types": tab.types, "kinds": [tab.kind(c) for c in tab.columns],
                "rows": tab.n_rows, "row_index": tab.row_index.tolist(), "warnings": tab.warnings,
                "dialect": tab.dialect,
                "cells": [[("nan" if isinstance(v, float) and math.isnan(v) else v) for v in tab.cells(c).tolist()]
                          for c in tab.columns]}
    finally:
        tab.close()


def write(path, data: bytes, gz: bool):
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    """Temporary folders of the reads go to a folder of the test's own, to check they are removed."""
    d = tmp_path / "scratch"
    d.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(d))
    return d


@pytest.mark.parametrize("arrow", PATHS)
@pytest.mark.parametrize("gz", COMPRESS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_mixed_line_ends_read_as_lf(tmp_path, own_tmp, monkeypatch, case, gz, arrow):
    monkeypatch.setattr(arrowread, "ENABLED", arrow)
    lines, ends = CASES[case]
    ext = ".csv.gz" if gz else ".csv"
    mixed = write(tmp_path / ("mixed" + ext), join(lines, ends), gz)
    lf = write(tmp_path / ("lf" + ext), join(lines, [b"\n"]), gz)
    assert lineends.mixed(str(mixed), gz)
    got = snapshot(mixed)
    assert got == snapshot(lf)
    assert got["rows"] == len(lines) - 1
    assert os.listdir(own_tmp) == []          # the LF copy is removed when the table closes


@pytest.mark.parametrize("arrow", PATHS)
@pytest.mark.parametrize("where", ["head", "tail"])
def test_cp1252_file_with_mixed_line_ends(tmp_path, monkeypatch, arrow, where):
    monkeypatch.setattr(arrowread, "ENABLED", arrow)
    names = ["Jos\u00e9", "Zo\u00eb", "Fran\u00e7ois", "\u20ac-rate"]
    lines = ["name,x"] + [f"{names[i % 4]},{i}.25" for i in range(MANY if where == "tail" else 8)]
    ends = [b"\r\n", b"\n"] if where == "head" else [b"\r\n"] * (len(lines) - 1) + [b"\n"]
    data = [ln.encode("cp1252") for ln in lines]
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(join(data, ends))
    lf = tmp_path / "lf.csv"
    lf.write_bytes(join(data, [b"\n"]))
    opts = ReadOptions(encoding="cp1252")
    got = snapshot(mixed, opts)
    assert got == snapshot(lf, opts)
    assert got["cells"][0][:4] == names and got["rows"] == len(lines) - 1


@pytest.mark.parametrize("arrow", PATHS)
@pytest.mark.parametrize("gz", COMPRESS)
def test_decimal_comma_and_filter_on_mixed_line_ends(tmp_path, monkeypatch, arrow, gz):
    # the number conversion (`raw_text` under `raw`) and a filter read the LF copy too
    monkeypatch.setattr(arrowread, "ENABLED", arrow)
    lines = [b"a;b"] + [b"%d;1.%03d,5" % (i, i % 1000) for i in range(MANY)]
    ends = [b"\r\n"] * MANY + [b"\n"]
    mixed = write(tmp_path / ("m.csv.gz" if gz else "m.csv"), join(lines, ends), gz)
    lf = write(tmp_path / ("l.csv.gz" if gz else "l.csv"), join(lines, [b"\n"]), gz)
    for opts in (None, ReadOptions(where="a >= 39990")):
        got = snapshot(mixed, opts)
        assert got == snapshot(lf, opts)
    assert got["rows"] == 10 and got["cells"][1][-1] == 1999.5


RAGGED = "line {} has 1 field but the header has 3 (the delimiter is comma)"


@pytest.mark.parametrize("arrow", PATHS)
@pytest.mark.parametrize("gz", COMPRESS)
@pytest.mark.parametrize("where", ["head", "tail"])
def test_a_ragged_row_in_a_mixed_file_names_its_line(tmp_path, own_tmp, monkeypatch, arrow, gz, where):
    monkeypatch.setattr(arrowread, "ENABLED", arrow)
    body = rows(8 if where == "head" else MANY)
    bad = 5 if where == "head" else MANY - 3           # index among the data rows
    body[bad] = b"17"
    lines = HEAD + body
    ends = [b"\r\n", b"\n"] if where == "head" else [b"\r\n"] * (len(lines) - 1) + [b"\n"]
    p = write(tmp_path / ("m.csv.gz" if gz else "m.csv"), join(lines, ends), gz)
    with pytest.raises(FileFormatError) as err:
        read_table(str(p)).close()
    msg = str(err.value)
    assert RAGGED.format(bad + 2) in msg, msg
    assert "sniffing" not in msg and "state machine" not in msg
    assert str(own_tmp) not in msg and os.listdir(own_tmp) == []


@pytest.mark.parametrize("arrow", PATHS)
def test_a_ragged_row_in_a_crlf_file_is_not_copied(tmp_path, own_tmp, monkeypatch, arrow):
    # one kind of line end: the scan after the error finds nothing to fix
    monkeypatch.setattr(arrowread, "ENABLED", arrow)
    body = rows(MANY)
    body[-2] = b"17"
    p = tmp_path / "c.csv"
    p.write_bytes(join(HEAD + body, [b"\r\n"]))
    assert lineends.kinds(str(p)) == {"crlf"}
    with pytest.raises(FileFormatError, match=re.escape(RAGGED.format(MANY))):
        read_table(str(p)).close()
    assert os.listdir(own_tmp) == []


@pytest.mark.parametrize("arrow", PATHS)
@pytest.mark.parametrize("gz", COMPRESS)
def test_cr_only_file_reads_as_lf(tmp_path, monkeypatch, arrow, gz):
    # old Mac line ends, one kind throughout: DuckDB and Arrow read it as it is
    monkeypatch.setattr(arrowread, "ENABLED", arrow)
    lines = HEAD + rows(MANY)
    cr = write(tmp_path / ("cr.csv.gz" if gz else "cr.csv"), join(lines, [b"\r"]), gz)
    lf = write(tmp_path / ("lf.csv.gz" if gz else "lf.csv"), join(lines, [b"\n"]), gz)
    assert lineends.kinds(str(cr), gz) == {"cr"}
    assert snapshot(cr) == snapshot(lf)


def test_kinds_and_normalise_across_blocks(tmp_path, monkeypatch):
    # a CRLF cut by a block boundary is one CRLF, not a CR and an LF
    monkeypatch.setattr(lineends, "BLOCK", 4)
    p = tmp_path / "t.csv"
    p.write_bytes(b"ab\r\ncd\r\nefg\r\n")
    assert lineends.kinds(str(p)) == {"crlf"}
    p.write_bytes(b"abc\r\nd\nef\rg")
    assert lineends.kinds(str(p)) == {"crlf", "lf"}      # the scan stops at a second kind
    assert lineends.mixed(str(p))
    out = lineends.normalise(str(p), False, str(tmp_path / "o.csv"))
    assert open(out, "rb").read() == b"abc\nd\nef\ng"
    p.write_bytes(b"ab\ncd\r")
    assert lineends.kinds(str(p)) == {"lf", "cr"}
    assert open(lineends.normalise(str(p), False, str(tmp_path / "o.csv")), "rb").read() == b"ab\ncd\n"
