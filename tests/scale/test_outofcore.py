"""Out-of-core batch training equals the in-memory batch map (no Qt, no cluster)."""
import gzip

import duckdb
import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig
from somdesk.core.cancel import CancelToken
from somdesk.errors import Cancelled, FileFormatError, OptionError
from somdesk.io.chunked import ChunkedTable
from somdesk.session.outofcore import LocalExecutor, Standardise, StreamingBatch, assign_chunks


def _data(n=5000, d=4, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(5, d)) * 4
    return centres[rng.integers(0, 5, n)] + rng.normal(size=(n, d)) + 10.0


def _write_parquet(path, x, names=None):
    names = names or [f"c{i}" for i in range(x.shape[1])]
    cols = {n: x[:, i].copy() for i, n in enumerate(names)}
    con = duckdb.connect()
    con.register("t", cols)
    con.execute(f"COPY (SELECT * FROM t) TO '{path}' (FORMAT parquet)")
    con.close()
    return names


def _write_csv_gz(path, x):
    with gzip.open(path, "wt") as f:
        f.write(",".join(f"c{i}" for i in range(x.shape[1])) + "\n")
        for row in x:
            f.write(",".join(repr(float(v)) for v in row) + "\n")


@pytest.mark.parametrize("init", ["random-uniform", "random-samples", "pca"])
@pytest.mark.parametrize("topology", ["rectangular", "hexagonal"])
def test_streaming_equals_in_memory(tmp_path, init, topology):
    x = _data()
    _write_parquet(tmp_path / "t.parquet", x)
    cfg = SOMConfig(width=9, height=6, iterations=6, mode="batch", seed=3, init=init, topology=topology)
    ref = SOM(x, cfg).train().weights
    with ChunkedTable.open(tmp_path / "t.parquet", chunk_rows=777) as src:
        assert len(src.partitions) == -(-len(x) // 777)
        run = StreamingBatch(src, cfg, executor=LocalExecutor())
        out = run.train()
    assert np.max(np.abs(out - ref)) <= 1e-9


def test_glob_of_files_and_gzip_csv_equal_in_memory(tmp_path):
    x = _data(3000, 3, seed=1)
    for k, part in enumerate(np.array_split(x, 3)):
        _write_parquet(tmp_path / f"part-{k}.parquet", part)
    _write_csv_gz(tmp_path / "t.csv.gz", x)
    cfg = SOMConfig(width=7, height=5, iterations=5, mode="batch", seed=2)
    ref = SOM(x, cfg).train().weights
    for pattern in (str(tmp_path / "part-*.parquet"), tmp_path / "t.csv.gz"):
        with ChunkedTable.open(pattern, chunk_rows=500) as src:
            assert src.rows == len(x)
            out = StreamingBatch(src, cfg).train()
        assert np.max(np.abs(out - ref)) <= 1e-9


def test_zscore_from_engine_stats_matches_numpy(tmp_path):
    x = _data(2000, 3, seed=4)
    _write_parquet(tmp_path / "t.parquet", x)
    with ChunkedTable.open(tmp_path / "t.parquet", chunk_rows=300) as src:
        prep = Standardise.from_stats(src.stats(), "zscore")
        z = (x - x.mean(axis=0)) / x.std(axis=0)
        np.testing.assert_allclose(prep(x), z, atol=1e-9)
        cfg = SOMConfig(width=6, height=6, iterations=4, mode="batch", seed=1)
        out = StreamingBatch(src, cfg, prepare=prep).train()
    assert np.max(np.abs(out - SOM(z, cfg).train().weights)) <= 1e-9


def test_assign_chunks_match_in_memory_bmus(tmp_path):
    x = _data(1500, 3, seed=5)
    _write_parquet(tmp_path / "t.parquet", x)
    som = SOM(x, SOMConfig(width=5, height=4, iterations=3, mode="batch", seed=1)).train()
    with ChunkedTable.open(tmp_path / "t.parquet", chunk_rows=400) as src:
        parts = list(assign_chunks(src, som.weights))
    rows = np.concatenate([p["row"] for p in parts])
    rc = np.stack([np.concatenate([p["bmu_row"] for p in parts]),
                   np.concatenate([p["bmu_col"] for p in parts])], axis=1)
    assert np.array_equal(rows, np.arange(len(x)))
    assert np.array_equal(rc, som.bmus())


def test_cancel_between_chunks_keeps_last_whole_epoch(tmp_path):
    x = _data(4000, 3)
    _write_parquet(tmp_path / "t.parquet", x)
    cfg = SOMConfig(width=5, height=5, iterations=10, mode="batch", seed=1)
    with ChunkedTable.open(tmp_path / "t.parquet", chunk_rows=100) as src:
        run = StreamingBatch(src, cfg)
        token = CancelToken()
        epochs = run.epochs(cancel=token)
        next(epochs)
        before = run.weights.copy()
        token.cancel()
        with pytest.raises(Cancelled):
            next(epochs)
        assert run.iteration == 1 and np.array_equal(run.weights, before)


def test_clear_errors(tmp_path):
    with pytest.raises(FileFormatError, match="no files match"):
        ChunkedTable.open(str(tmp_path / "*.parquet"))
    # text named .parquet is read as text, as in memory (left14): a header and no rows here
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(FileFormatError, match="^cannot read bad.parquet: the file has a header line but no data rows$"):
        ChunkedTable.open(tmp_path / "bad.parquet")
    # binary junk, and a file with Parquet's magic at both ends but no footer: somdesk's words, not DuckDB's
    (tmp_path / "junk.parquet").write_bytes(bytes(range(256)) * 8)
    with pytest.raises(FileFormatError, match="cannot read junk.parquet: it is not a Parquet file"):
        ChunkedTable.open(tmp_path / "junk.parquet")
    (tmp_path / "cut.parquet").write_bytes(b"PAR1" + bytes(range(256)) * 8 + b"PAR1")
    with pytest.raises(FileFormatError, match=r"^cannot read cut.parquet: the Parquet file is damaged or truncated$"):
        ChunkedTable.open(tmp_path / "cut.parquet")
    _write_parquet(tmp_path / "t.parquet", _data(10, 2))
    with pytest.raises(FileFormatError, match="no column"):
        ChunkedTable.open(tmp_path / "t.parquet", columns=["nope"])
    with ChunkedTable.open(tmp_path / "t.parquet") as src:
        with pytest.raises(OptionError, match="batch"):
            StreamingBatch(src, SOMConfig(width=3, height=3, iterations=2))


@pytest.mark.parametrize("task", ["partition_sums", "masked_partition_sums"])
def test_stop_acts_inside_a_partition(tmp_path, task):
    """A partition of a big map takes a minute (1.5M rows, ~6,000 nodes: Stop in the window waited
    51-73 s): the local executor's token reaches the BMU search inside the partition."""
    from somdesk.session import outofcore

    x = _data(3000, 3)
    names = _write_parquet(tmp_path / "t.parquet", x)
    codebook = np.random.default_rng(0).normal(size=(25, 3)) + 10.0
    with ChunkedTable.open(tmp_path / "t.parquet", chunk_rows=1000) as src:
        token, done = CancelToken(), []

        def stop_while_searching(part, **kw):
            token.cancel()               # Stop pressed while this partition is being searched
            return getattr(outofcore, task)(part, **kw)

        ex = LocalExecutor(on_part=lambda i, n: done.append(i))
        with pytest.raises(Cancelled):
            ex.map_reduce(stop_while_searching, src.partitions, lambda a, b: a, cancel=token,
                          columns=names, prepare=lambda v: v, codebook=codebook)
        assert done == []                # the first partition did not run to its end
        assert outofcore._partition_cancel() is None
        # without a stop the same partitions run through, and a Dask-style call (no local token) too
        whole = LocalExecutor().map_reduce(getattr(outofcore, task), src.partitions,
                                           lambda a, b: tuple(p + q for p, q in zip(a, b)),
                                           cancel=CancelToken(), columns=names, prepare=lambda v: v,
                                           codebook=codebook)
        alone = [getattr(outofcore, task)(p, columns=names, prepare=lambda v: v, codebook=codebook)
                 for p in src.partitions]
        assert np.allclose(whole[0], sum(a[0] for a in alone))
