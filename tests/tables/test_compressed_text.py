"""Compressed text is known by its first bytes, never by its name (io/tables/compressed.py).

Every text path -- DuckDB's sniff and read, Arrow's read, our head, encoding, line-end
and long-line scans -- is handed the codec the magic bytes say: a gzip or zstd file
called `.csv`, `.txt` or nothing at all reads like the plain file, and a plain file
called `.csv.gz` reads as the plain file it is.  Both read paths (Arrow on / off).
"""
import gzip
import math
import sys

import numpy as np
import pytest

from somdesk.errors import FileFormatError
from somdesk.io.tables import arrowread, compressed, lineends
from somdesk.io.tables.table import read_table

PLAIN = b"a,b,name\n1.5,2,x\n-3,4.25,y\n7,,z\n"
COMMAS = b"a;b;name\n1,5;2;x\n-3;4,25;y\n7;;z\n"       # decimal commas, ';' -- the reported fault
EXPECTED = [[1.5, 2.0], [-3.0, 4.25], [7.0, math.nan]]
ARROW = [pytest.param(True, id="arrow"), pytest.param(False, id="duckdb")]


def _zstd(data: bytes) -> bytes:
    pa = pytest.importorskip("pyarrow")
    return pa.compress(data, codec="zstd", asbytes=True)


def pack(data: bytes, codec: str) -> bytes:
    return gzip.compress(data) if codec == "gzip" else _zstd(data)


def numbers(tab) -> list:
    return np.asarray(tab.matrix(["a", "b"])).tolist()


def same(got, want) -> bool:
    return np.allclose(np.array(got, float), np.array(want, float), equal_nan=True)


@pytest.mark.parametrize("arrow", ARROW)
@pytest.mark.parametrize("codec", ["gzip", "zstd"])
@pytest.mark.parametrize("name", ["t.csv", "t.txt", "t.dat", "t", "t.csv.zst", "t.csv.gz"])
@pytest.mark.parametrize("data", [pytest.param(PLAIN, id="plain"), pytest.param(COMMAS, id="decimal-commas")])
def test_compressed_text_reads_whatever_its_name(tmp_path, monkeypatch, arrow, codec, name, data):
    monkeypatch.setattr(arrowread, "ENABLED", arrow)
    p = tmp_path / name
    p.write_bytes(pack(data, codec))
    tab = read_table(str(p))
    assert tab.columns == ["a", "b", "name"] and same(numbers(tab), EXPECTED)
    assert tab.dialect["compression"] == codec and tab.dialect["gzip"] == (codec == "gzip")
    assert tab.dialect["decimal"] == ("," if data is COMMAS else ".")
    assert tab.strings("name") == ["x", "y", "z"]
    tab.close()


@pytest.mark.parametrize("arrow", ARROW)
@pytest.mark.parametrize("name", ["t.csv.gz", "t.csv.zst", "t.gz"])
def test_a_plain_file_named_like_a_compressed_one_reads_as_plain(tmp_path, monkeypatch, arrow, name):
    monkeypatch.setattr(arrowread, "ENABLED", arrow)
    p = tmp_path / name
    p.write_bytes(COMMAS)
    tab = read_table(str(p))
    assert same(numbers(tab), EXPECTED) and "compression" not in tab.dialect and tab.dialect["gzip"] is False
    tab.close()


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_compressed_json_named_json(tmp_path, codec):
    p = tmp_path / "t.json"
    p.write_bytes(pack(b'[{"a": 1.5, "b": "x"}, {"a": -2, "b": "y"}]', codec))
    tab = read_table(str(p))
    assert tab.format == "json" and tab.values("a").tolist() == [1.5, -2.0]
    assert tab.dialect["compression"] == codec
    tab.close()


@pytest.mark.parametrize("arrow", ARROW)
@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_compressed_latin1_and_mixed_line_ends_named_csv(tmp_path, monkeypatch, arrow, codec):
    # the transcoding to UTF-8 and the line-end scan unpack the file too
    monkeypatch.setattr(arrowread, "ENABLED", arrow)
    p = tmp_path / "latin.csv"
    p.write_bytes(pack("name;x\nJos\u00e9;1,5\nZo\u00eb;2,5\n".encode("latin-1"), codec))
    tab = read_table(str(p))
    assert tab.strings("name") == ["Jos\u00e9", "Zo\u00eb"] and tab.values("x").tolist() == [1.5, 2.5]
    tab.close()
    rows = [b"%d,%d.5" % (i, i) for i in range(3000)]
    data = b"a,b\r\n" + b"\r\n".join(rows[:2000]) + b"\r\n" + b"\n".join(rows[2000:]) + b"\n"
    p = tmp_path / "mixed.csv"
    p.write_bytes(pack(data, codec))
    assert lineends.mixed(str(p), codec)
    tab = read_table(str(p))
    assert tab.n_rows == 3000 and tab.values("b")[-1] == 2999.5
    tab.close()


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_damaged_compressed_file_named_csv_is_one_clear_error(tmp_path, codec):
    p = tmp_path / "t.csv"
    whole = pack(PLAIN * 2000, codec)
    p.write_bytes(whole[:len(whole) // 2])
    with pytest.raises(FileFormatError, match=rf"cannot read t\.csv: .*{codec}"):
        read_table(str(p))


def test_zstd_without_pyarrow_says_so(tmp_path, monkeypatch):
    p = tmp_path / "t.csv"
    p.write_bytes(_zstd(PLAIN))
    monkeypatch.setitem(sys.modules, "pyarrow", None)      # `import pyarrow` now fails, as in the bundle
    with pytest.raises(FileFormatError, match=r"t\.csv: it is compressed with zstd, which this build cannot unpack"):
        read_table(str(p))


def test_codec_of_magic_bytes():
    assert compressed.codec_of(gzip.compress(b"x")) == "gzip"
    assert compressed.codec_of(b"\x28\xb5\x2f\xfd\x00") == "zstd"
    assert compressed.codec_of(b"a,b\n") is None and compressed.codec_of(b"") is None
    assert compressed.duck_arg(None) == "compression='none'" and compressed.duck_arg("zstd") == "compression='zstd'"


@pytest.mark.parametrize("codec", ["gzip", "zstd", None])
def test_out_of_core_text_goes_by_the_bytes_too(tmp_path, codec):
    from somdesk.io.chunked import ChunkedTable
    p = tmp_path / ("t.csv.gz" if codec is None else "t.csv")     # a plain file misnamed .gz, too
    data = b"a,b\n" + b"".join(b"%d,%d.5\n" % (i, i) for i in range(100))
    p.write_bytes(data if codec is None else pack(data, codec))
    tab = ChunkedTable.open(str(p), chunk_rows=40)
    try:
        got = np.concatenate([x for _, x in tab.chunks()])
    finally:
        tab.close()
    assert tab.rows == 100 and got[:, 1].tolist() == [i + 0.5 for i in range(100)]


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_opening_knows_compressed_text_without_a_name(tmp_path, codec):
    from somdesk.session.opening import sniff_kind
    p = tmp_path / "export"
    p.write_bytes(pack(PLAIN, codec))
    assert sniff_kind(str(p)) == "table"
