"""fixV: a walk over a table's chunks reads them through one DuckDB connection per thread
(io.chunked.chunk_reads), not one per chunk (0.06-0.27 s each), closed when the walk ends, fails
or is stopped: no connection or file handle is left behind, and threads never share one."""
from __future__ import annotations

import os
import threading

import numpy as np
import pytest

from somdesk.core import SOMConfig
from somdesk.io import chunked
from somdesk.io.chunked import ChunkedTable, chunk_reads, read_partition
from somdesk.io.tables import duckutil
from somdesk.session.outofcore import LocalExecutor, StreamingBatch, assign_chunks

from .test_outofcore import _data, _write_parquet


@pytest.fixture()
def table(tmp_path):
    path = tmp_path / "t.parquet"
    x = _data(2000, 3, seed=4)
    _write_parquet(path, x)
    return str(path), x


@pytest.fixture()
def opened(monkeypatch):
    """The connections chunk reads open, counted."""
    made = []
    real = chunked.engine_connection

    def counting():
        con = real()
        made.append(con)
        return con
    monkeypatch.setattr(chunked, "engine_connection", counting)
    return made


def _fds() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0


def test_a_walk_opens_one_connection_and_closes_it(table, opened):
    path, x = table
    before, fds = duckutil.open_count(), _fds()
    with ChunkedTable.open(path, chunk_rows=150) as src:
        opened.clear()                            # opening the table's own queries
        assert len(src.partitions) >= 10
        got = np.vstack([c for _, c in src.chunks()])
        assert np.array_equal(got, x)
        assert len(opened) == 1                  # one per walk (before: one per chunk, 14 here)
        rows = src.rows_at(np.array([5, 1999, 700]))
        assert np.array_equal(rows, x[[5, 1999, 700]]) and len(opened) == 2
        read_partition(src.partitions[0], src.columns)     # outside a walk: its own, closed
        assert len(opened) == 3
    assert duckutil.open_count() == before and _fds() <= fds


def test_an_epoch_and_scoring_read_through_one_connection(table, opened):
    path, x = table
    cfg = SOMConfig(width=4, height=3, iterations=2, mode="batch", seed=1, init="random-uniform")
    with ChunkedTable.open(path, chunk_rows=200) as src:
        opened.clear()
        run = StreamingBatch(src, cfg, executor=LocalExecutor())
        n = len(opened)                           # the initial weights' pass
        run.train()
        assert len(opened) - n == cfg.iterations      # one per epoch's pass over 10 partitions
        n = len(opened)
        assert sum(len(a["row"]) for a in assign_chunks(src, run.weights)) == len(x)
        assert len(opened) - n == 1
    assert all(_closed(con) for con in opened)


def _closed(con) -> bool:
    import duckdb
    try:
        con.cursor().close()
    except duckdb.ConnectionException:
        return True
    return False


def test_a_stopped_or_failed_walk_closes_its_connection(table, opened):
    path, _ = table
    before = duckutil.open_count()
    with ChunkedTable.open(path, chunk_rows=150) as src:
        opened.clear()
        walk = src.chunks()
        next(walk)
        next(walk)
        walk.close()                              # stopped halfway (a Stop, a Ctrl+C)
        assert len(opened) == 1 and _closed(opened[0])
        with pytest.raises(ZeroDivisionError):
            with chunk_reads():
                src.read(src.partitions[0])
                1 / 0
        assert _closed(opened[-1]) and not chunked._WALKS
    assert duckutil.open_count() == before


def test_walks_nest_and_threads_have_their_own(table, opened):
    path, x = table
    with ChunkedTable.open(path, chunk_rows=150) as src:
        opened.clear()
        with chunk_reads() as outer:
            with chunk_reads() as inner:          # a walk inside a walk: the same connection
                assert inner is outer
            src.read(src.partitions[1])
            assert not _closed(outer) and len(opened) == 1
            seen, errors = {}, []

            def walk(name):
                try:
                    with chunk_reads() as con:
                        seen[name] = con
                        for part in src.partitions:
                            src.read(part)
                except Exception as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)
            threads = [threading.Thread(target=walk, args=(k,)) for k in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert not errors and len({id(c) for c in seen.values()} | {id(outer)}) == 3
        assert _closed(outer) and all(_closed(c) for c in seen.values()) and not chunked._WALKS
