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
    assert BODY.startswith(data) and data.endswith(b"\n") and len(data) <= 200_000
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
