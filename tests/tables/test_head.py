"""A head of a big table file for the import preview (io/tables/head.py): the first MiB of
text (unpacked when gzip or zstd, whatever the name), the first rows of a Parquet file;
read by the same reader as the whole file, with the same columns and first rows."""
import gzip

import numpy as np
import pytest

from somdesk.io.tables.head import head_copy
from somdesk.io.tables.table import read_table

from _files import write_parquet, write_xlsx

ROWS = 60_000
BODY = b"a;b;name\n" + b"".join(b"%d,5;%d;n%d\n" % (i, i * 2, i % 7) for i in range(ROWS))   # decimal commas


def _pack(data, codec):
    if codec == "gzip":
        return gzip.compress(data, compresslevel=1)
    pa = pytest.importorskip("pyarrow")
    return pa.compress(data, codec="zstd", asbytes=True)


def _check_head(head, rows_at_most):
    tab = read_table(head)
    n = tab.n_rows
    assert 1000 < n < rows_at_most
    assert tab.values("a")[:3].tolist() == [0.5, 1.5, 2.5] and tab.values("b")[n - 1] == 2 * (n - 1)
    assert tab.kind("name") == "categorical"
    tab.close()


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
@pytest.mark.parametrize("name", ["big.csv", "big.csv.gz", "big"])
def test_compressed_text_head_is_unpacked_text(tmp_path, codec, name):
    src = tmp_path / name
    src.write_bytes(_pack(BODY, codec))
    (tmp_path / "h").mkdir()
    head = head_copy(str(src), str(tmp_path / "h"), text_bytes=200_000)
    assert head is not None and head.endswith(name)
    data = open(head, "rb").read()
    assert BODY.startswith(data) and data.endswith(b"\n") and 200_000 <= len(data) < 200_000 + 20   # the cut line whole
    _check_head(head, ROWS)


def test_small_or_whole_files_are_read_themselves(tmp_path):
    (tmp_path / "h").mkdir()
    small = tmp_path / "s.csv.gz"
    small.write_bytes(gzip.compress(BODY[:5000]))                 # unpacks to less than the head size
    assert head_copy(str(small), str(tmp_path / "h"), text_bytes=200_000) is None
    book = write_xlsx(tmp_path, "b.xlsx", {"s": [["a"], [1], [2]]})
    assert head_copy(book, str(tmp_path / "h"), text_bytes=10) is None
    broken = tmp_path / "broken.csv"
    broken.write_bytes(gzip.compress(BODY)[:3000])
    assert head_copy(str(broken), str(tmp_path / "h"), text_bytes=200_000) is None   # the whole read says why


def test_parquet_head_is_its_first_rows(tmp_path):
    p = write_parquet(tmp_path, "big.parquet", f"SELECT i + 0.5 AS a, i * 2 AS b, 'n' || (i % 7) AS name "
                                               f"FROM range({ROWS}) t(i)")
    (tmp_path / "h").mkdir()
    head = head_copy(p, str(tmp_path / "h"), text_bytes=1000, parquet_rows=5000)
    assert head is not None
    tab = read_table(head)
    assert tab.n_rows == 5000 and tab.columns == ["a", "b", "name"]
    np.testing.assert_array_equal(tab.values("a"), np.arange(5000) + 0.5)
    tab.close()
    assert head_copy(p, str(tmp_path / "h"), text_bytes=1000, parquet_rows=ROWS) is None     # no more rows
    assert head_copy(p, str(tmp_path / "h"), text_bytes=1 << 30) is None                    # a small file


def test_a_sheet_preview_reads_its_first_rows(tmp_path):
    from somdesk.errors import OptionError
    from somdesk.io.tables.options import ReadOptions
    rows = [["a", "b"]] + [[i + 0.5, f"n{i % 3}"] for i in range(300)]
    book = write_xlsx(tmp_path, "b.xlsx", {"s": rows})
    tab = read_table(book, ReadOptions(preview_rows=40))
    assert tab.n_rows == 40 and tab.dialect["partial"] is True and tab.values("a")[-1] == 39.5
    assert tab.options.preview_rows == 40
    tab.close()
    tab = read_table(book, ReadOptions(preview_rows=300))         # every row: not partial, not recorded
    assert tab.n_rows == 300 and "partial" not in tab.dialect and tab.options.preview_rows is None
    tab.close()
    tab = read_table(book, ReadOptions(preview_rows=10, skip=2, header=False))
    assert tab.n_rows == 10 and tab.values(tab.columns[0])[0] == 1.5
    tab.close()
    with pytest.raises(OptionError, match="preview row count"):
        ReadOptions(preview_rows=0).checked()


@pytest.mark.parametrize("codec", [None, "gzip"])
@pytest.mark.parametrize("first_line", [150_000, 1_500_000])
def test_a_first_data_row_longer_than_the_head_is_in_it(tmp_path, codec, first_line):
    """Tester6 F46: a CSV whose first data line is longer than the preview's head (1 MiB) gave
    a head of the header alone ("a header line but no data rows"), so the window could not
    open it; the head is completed to the end of the line it cuts (up to MAX_LINE)."""
    body = b"id,note,x\n0," + b"A" * first_line + b",1.5\n" + b"".join(b"%d,n,%d.5\n" % (i, i) for i in range(1, 2000))
    src = tmp_path / "long.csv"
    src.write_bytes(body if codec is None else gzip.compress(body))
    (tmp_path / "h").mkdir()
    head = head_copy(str(src), str(tmp_path / "h"), text_bytes=100_000 if first_line < 1_000_000 else 1 << 20)
    assert head is not None
    tab = read_table(head)
    assert tab.n_rows >= 1 and tab.values("x")[0] == 1.5 and tab.kind("x") == "numeric"
    assert read_table(str(src)).n_rows == 2000
    tab.close()


def test_a_line_over_the_reader_limit_is_left_to_the_reader_to_name(tmp_path):
    """A first data line longer than the reader takes (MAX_LINE): no head, so the whole read
    names the line ("line 2 is ... bytes long"), not "a header line but no data rows"."""
    from somdesk.errors import SomdeskError
    from somdesk.io.tables.head import MAX_LINE

    src = tmp_path / "longer.csv"
    src.write_bytes(b"id,note,x\n0," + b"A" * (MAX_LINE + 1000) + b",1.5\n" + b"1,n,2.5\n" * 100)
    (tmp_path / "h").mkdir()
    assert head_copy(str(src), str(tmp_path / "h"), text_bytes=1 << 20) is None
    with pytest.raises(SomdeskError, match="line 2 is"):
        read_table(str(src))
    # further down, a too-long line across the head's end is cut before: the rows above it
    src2 = tmp_path / "later.csv"
    src2.write_bytes(b"id,note,x\n" + b"0,n,1.5\n" * 10_000 + b"0," + b"A" * (MAX_LINE + 10) + b",1.5\n")
    head = head_copy(str(src2), str(tmp_path / "h"), text_bytes=100_000)
    assert head is not None and read_table(head).n_rows == 10_000


def test_a_parquet_head_keeps_durations_as_seconds(tmp_path):
    # DuckDB's COPY of the first rows wrote the durations' stored counts (microseconds) as plain
    # integers: the preview showed 2,000,000 where the whole read gives 2 s (tester10 #10)
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    p = str(tmp_path / "big.parquet")
    pq.write_table(pa.table({"d": pa.array(np.arange(ROWS) * 10**6, pa.duration("us")),
                             "x": np.arange(ROWS, dtype=float)}), p)
    (tmp_path / "h").mkdir()
    head = head_copy(p, str(tmp_path / "h"), text_bytes=1000, parquet_rows=100)
    tab = read_table(head)
    np.testing.assert_array_equal(tab.values("d"), np.arange(100.0))
    tab.close()
