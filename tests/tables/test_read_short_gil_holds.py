"""Reading a table keeps each hold of the GIL short, so the window never freezes while a big table
is read on its worker thread (stop13 #3: up to 0.75 s).

* No pandas: Arrow's to_numpy, pa.array(ndarray) and pa.scalar import it on first use (0.75 s of
  import, ~60 MB), on every read path -- whole, filtered (row numbers), sampled in memory.
* Text columns become Python objects, and their missing and distinct values are counted, a slice
  of SLICE_ROWS cells per call: the results equal one whole-column pass (checked here with
  slices of 7 cells, so that every path crosses many slices).
"""
from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")

from somdesk.io.tables import columns as columns_mod  # noqa: E402
from somdesk.io.tables import table as table_mod  # noqa: E402
from somdesk.io.tables.columns import arrow_ints, arrow_strings, object_column  # noqa: E402
from somdesk.io.tables.options import ReadOptions  # noqa: E402
from somdesk.io.tables.table import read_table  # noqa: E402

SCRIPT = textwrap.dedent("""
    import sys
    from somdesk.io.tables.options import ReadOptions
    from somdesk.io.tables.table import read_table
    path, how = sys.argv[1], sys.argv[2]
    opts = {"whole": ReadOptions(), "filtered": ReadOptions(where="n >= 3"),
            "sampled": ReadOptions(max_rows=500)}[how]
    t = read_table(path, opts)
    kinds = [t.kind(c) for c in t.columns]
    assert kinds == ["numeric", "categorical", "text", "boolean"], kinds   # true/false: testerW #7
    assert "pandas" not in sys.modules, "the read imported pandas"
    print("ok", t.n_rows, t.sampled)
""")


@pytest.fixture(scope="module")
def text_csv(tmp_path_factory):
    """3,000 rows: a number, a few colours (some missing), unique words, true/false."""
    path = tmp_path_factory.mktemp("texts") / "texts.csv"
    colours = ["red", "green", "", "blue"]
    with open(path, "w") as f:
        f.write("n,colour,word,flag\n")
        for i in range(3000):
            f.write(f"{i},{colours[i % 4]},w{i * 7919 % 3001},{'true' if i % 3 else 'false'}\n")
    return str(path)


@pytest.mark.parametrize("how", ["whole", "filtered", "sampled"])
def test_reading_text_columns_does_not_import_pandas(text_csv, how):
    got = subprocess.run([sys.executable, "-c", SCRIPT, text_csv, how], capture_output=True, text=True,
                         timeout=120)
    assert got.returncode == 0, got.stderr[-2000:]
    assert got.stdout.startswith("ok")


def _chunked(values, cuts=(0, 5, 6, 19), typ=None):
    """A ChunkedArray of `values` in uneven chunks, the first one a slice (offset > 0)."""
    whole = pa.array(list(values[:3]) + list(values), type=typ).slice(len(values[:3]))
    bounds = [c for c in cuts if c < len(values)] + [len(values)]
    return pa.chunked_array([whole.slice(a, b - a) for a, b in zip(bounds, bounds[1:])], type=whole.type)


@pytest.fixture
def small_slices(monkeypatch):
    monkeypatch.setattr(columns_mod, "SLICE_ROWS", 7)
    monkeypatch.setattr(table_mod, "SLICE_ROWS", 7)


@pytest.mark.parametrize("typ", [pa.string(), pa.large_string()])
@pytest.mark.parametrize("values", [
    [],
    [None, None, None],
    ["a", None, "b", "a", "c", None] * 9 + ["z"],              # repeats: the dictionary path
    [f"w{i}" if i % 5 else None for i in range(40)],           # all distinct: slice by slice
    ["é", "日本", "", " x ", None, "é"] * 6,                    # not ASCII, empty, spaces
])
def test_arrow_strings_equal_the_cells(small_slices, typ, values):
    col = _chunked(values, typ=typ)
    got = arrow_strings(col)
    assert got.dtype == object and got.shape == (len(values),)
    assert got.tolist() == values
    assert object_column(col, "text", True).tolist() == values


def test_arrow_ints_from_buffers():
    col = pa.chunked_array([pa.array([5, 6, 7, 8], pa.int64()).slice(1), pa.array([], pa.int64()),
                            pa.array([9], pa.int32()).cast(pa.int64())])
    assert arrow_ints(col).tolist() == [6, 7, 8, 9]
    assert arrow_ints(pa.chunked_array([pa.array([1, 2], pa.int32())])).dtype == np.int64
    assert arrow_ints(pa.chunked_array([], pa.int64())).tolist() == []


def test_other_arrow_kinds_in_slices(small_slices):
    flags = [True, None, False] * 5
    assert object_column(_chunked(flags, typ=pa.bool_()), "boolean", True).tolist() == \
        [None if v is None else ("true" if v else "false") for v in flags]
    nums = list(range(20))
    assert object_column(_chunked(nums, typ=pa.int64()), "date", True).tolist() == [str(v) for v in nums]


@pytest.mark.parametrize("cells, kind", [
    (["a", "b"] * 20 + [None] * 3, "categorical"),
    ([f"w{i}" for i in range(60)] * 2, "text"),                # 60 distinct > MAX_CATEGORIES
    ([f"w{i}" for i in range(30)], "text"),                    # distinct > half the present cells
    ([None] * 20, "text"),
    (["x"] + [None] * 30, "text"),                             # 1 distinct of 1 present
    (["x", "x"] + [None] * 30, "categorical"),
])
def test_text_or_categorical_and_none_count_by_slices(small_slices, cells, kind):
    obj = np.array(cells, dtype=object)
    assert table_mod.Table._text_or_categorical(obj) == kind
    assert table_mod._none_count(obj) == sum(v is None for v in cells)


def test_none_count_of_list_cells(small_slices):
    obj = np.empty(20, dtype=object)
    for i in range(20):
        obj[i] = None if i % 3 == 0 else np.array([i, i + 1])
    assert table_mod._none_count(obj) == 7


def test_a_sampled_read_keeps_the_rows_and_cells(text_csv):
    """Sampled in memory (pa take from the row numbers' buffer): the rows kept are the file's."""
    t = read_table(text_csv, ReadOptions(max_rows=500))
    assert t.sampled and t.n_rows == 500
    rows = t.row_index
    assert np.all(np.diff(rows) > 0)
    assert t.cells("n").tolist() == rows.astype(float).tolist()
    assert t.cells("word").tolist() == [f"w{r * 7919 % 3001}" for r in rows.tolist()]
    t.close()
