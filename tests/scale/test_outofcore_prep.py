"""Out-of-core preparation: text columns one-hot encoded and missing values dropped or filled,
with the statistics (means, scales, medians, category sets) computed by the engine, give the
same map as the in-memory table path (weights to 1e-9), and score the same rows."""
import csv
import math

import duckdb
import numpy as np
import pytest

from somdesk.cli import main
from somdesk.io.chunked import ChunkedTable
from somdesk.io.tables.table import read_table
from somdesk.session.outofcore_table import train_table_map_streaming
from somdesk.session.scoring import load_table_map
from somdesk.session.table_data import TableMapSpec, train_table_map

COLUMNS = ("a", "b", "region")


def _write(tmp_path, n=700, seed=2, holes=True):
    """CSV and Parquet of two numeric columns and one text column (mixed case, so str sorting
    matters), with missing numbers and missing/empty texts when `holes`."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = rng.normal(size=n) * 3 + 1
    region = rng.choice(["north", "south", "east", "West", "o'hare"], size=n).astype(object)
    if holes:
        a[rng.choice(n, 25, replace=False)] = np.nan
        b[rng.choice(n, 10, replace=False)] = np.nan
        region[rng.choice(n, 18, replace=False)] = ""
        a[:3], b[:3], region[:3] = np.nan, np.nan, ""    # rows with no value at all
    csv_path = tmp_path / "t.csv"
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for i in range(n):
            w.writerow(["" if math.isnan(a[i]) else repr(float(a[i])),
                        "NA" if math.isnan(b[i]) else repr(float(b[i])), region[i]])
    pq = tmp_path / "t.parquet"
    con = duckdb.connect()
    con.register("t", {"a": a, "b": b, "region": np.array([None if r == "" else r for r in region], dtype=object)})
    con.execute(f"COPY (SELECT a, b, region::VARCHAR AS region FROM t) TO '{pq}' (FORMAT parquet)")
    con.close()
    return csv_path, pq


@pytest.mark.parametrize("missing", ["drop", "mean", "median", "train"])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_text_and_missing_out_of_core_equal_in_memory(tmp_path, missing, fmt):
    csv_path, pq = _write(tmp_path)
    path = csv_path if fmt == "csv" else pq
    spec = TableMapSpec(columns=COLUMNS, missing=missing, seed=5, weights={"b": 2.0}, group_weight=1.5)
    ref, prep = train_table_map(read_table(path), spec)
    # 233 rows a chunk: four chunks, the last of one row (a ragged end). Every chunk is read
    # once an epoch through a DuckDB database of its own (~0.1-0.3 s each on CI): 97 rows (8
    # chunks) read 264 chunks a test, spent most of its 15-26 s there, and checked nothing more.
    out = train_table_map_streaming(path, spec, chunk_rows=233)
    r, o = ref.recipe, out.recipe
    assert o.features == r.features            # same category set, order and naming ("region=West", ...)
    assert o.kinds == r.kinds == ("numeric", "numeric", "categorical")
    assert np.allclose(o.feature_weight, r.feature_weight, rtol=0, atol=1e-12)   # group weight shared
    assert np.allclose(o.offset, r.offset, rtol=0, atol=1e-12)
    assert np.allclose(o.scale, r.scale, rtol=0, atol=1e-12)
    assert np.allclose(o.fill, r.fill, rtol=0, atol=1e-12)   # engine means / quantile_cont(0.5) = numpy's
    assert out.codebook.shape == ref.codebook.shape
    assert np.max(np.abs(out.codebook - ref.codebook)) <= 1e-9
    assert len(out.inputs) == len(prep.data)  # drop left out the same rows (all rows fit the sample)
    assert np.max(np.abs(out.inputs - ref.inputs)) <= 1e-12
    if missing in ("drop", "train"):
        assert len(out.inputs) < 700 if missing == "drop" else len(out.inputs) == 697
    assert out.quantization_error == pytest.approx(ref.quantization_error, abs=1e-9)
    assert out.outlier_threshold == pytest.approx(ref.outlier_threshold, abs=1e-9)


def test_engine_median_is_numpys_median(tmp_path):
    _, pq = _write(tmp_path, n=301)
    with ChunkedTable.open(pq, ["a", "b"]) as src:
        prof = src.profile(["a", "b"], [], median=True)
    x = duckdb.sql(f"SELECT a, b FROM '{pq}'").fetchnumpy()
    for c in ("a", "b"):
        v = np.asarray(x[c].filled(np.nan) if np.ma.isMaskedArray(x[c]) else x[c], float)
        assert prof["numeric"][c]["median"] == pytest.approx(np.nanmedian(v), abs=1e-15)
        assert prof["numeric"][c]["mean"] == pytest.approx(np.nanmean(v), abs=1e-14)


def _scores(path):
    with open(path, newline="") as f:
        return [(int(r["row"]), int(r["bmu_row"]), int(r["bmu_col"]), int(r["segment"]), r["outlier"])
                for r in csv.DictReader(f)]


@pytest.mark.parametrize("missing", ["drop", "median", "train"])
def test_assign_out_of_core_of_one_hot_map(tmp_path, missing, capsys):
    _, pq = _write(tmp_path)
    m = str(tmp_path / "m.somz")
    assert main(["train", "--table", str(pq), "--columns", ",".join(COLUMNS), "--mode", "batch",
                 "--out-of-core", "--missing", missing, "--height", "5", "--width", "4", "--epochs", "4",
                 "--clusters", "3", "--save-map", m, "-q"]) == 0
    assert load_table_map(m).recipe.kinds[-1] == "categorical"
    # new data: a category never seen in training ("mars") and missing cells
    new = tmp_path / "new.csv"
    new.write_text("a,b,region\n0.1,1.0,north\n0.2,2.0,mars\n,1.5,south\n0.3,NA,\n-1,0,West\n")
    # several chunks, the last one short, of each: 3 rows of the 5-row file, 250 of the 700-row one (3)
    # (3 rows there read 234 chunks, each through a DuckDB database of its own: most of the time)
    for data, chunk_rows in ((new, "3"), (pq, "250")):
        assert main(["assign", m, str(data), "--out", str(tmp_path / "mem.csv"), "-q"]) == 0
        assert main(["assign", m, str(data), "--out-of-core", "--chunk-rows", chunk_rows, "--out",
                     str(tmp_path / "ooc.csv"), "-q"]) == 0
        assert _scores(tmp_path / "mem.csv") == _scores(tmp_path / "ooc.csv")
    err = capsys.readouterr().err
    assert "Traceback" not in err


@pytest.mark.parametrize("missing", ["mean", "train"])
def test_dask_one_hot_and_missing_equal_in_memory(tmp_path, missing):
    pytest.importorskip("distributed")
    from somdesk.session.dask_executor import DaskExecutor

    _, pq = _write(tmp_path, n=900)
    spec = TableMapSpec(columns=COLUMNS, missing=missing, seed=1, height=5, width=4, epochs=5, clusters=3)
    ref, _ = train_table_map(read_table(pq), spec)
    ex = DaskExecutor("local:2")
    try:
        out = train_table_map_streaming(pq, spec, chunk_rows=200, executor=ex)
    finally:
        ex.close()
    assert np.max(np.abs(out.codebook - ref.codebook)) <= 1e-9
    m = str(tmp_path / "m.somz")
    from somdesk.session.scoring import save_table_map
    save_table_map(out, m)
    assert main(["assign", m, str(pq), "--out", str(tmp_path / "one.csv"), "-q"]) == 0
    assert main(["assign", m, str(pq), "--dask", "local:2", "--chunk-rows", "250", "--out",
                 str(tmp_path / "parts"), "-q"]) == 0
    got = duckdb.sql(f"SELECT row, bmu_row, bmu_col, segment FROM '{tmp_path / 'parts'}/*.parquet' "
                     "ORDER BY row").fetchall()
    assert [tuple(map(int, r)) for r in got] == [s[:4] for s in _scores(tmp_path / "one.csv")]
