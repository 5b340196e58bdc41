"""Batch training on a Dask LocalCluster (2 worker processes) equals one process.

Runs where the cluster extra is installed (CI installs it); skipped elsewhere.
"""
import os
import signal
import threading
import time

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from somdesk.core import SOM, SOMConfig  # noqa: E402
from somdesk.io.chunked import ChunkedTable  # noqa: E402
from somdesk.session.dask_executor import DaskExecutor, parse_address  # noqa: E402
from somdesk.session.outofcore import LocalExecutor, StreamingBatch  # noqa: E402
from .test_outofcore import _data, _write_parquet  # noqa: E402

CFG = SOMConfig(width=8, height=6, iterations=5, mode="batch", seed=11, init="pca")


@pytest.fixture(scope="module")
def cluster():
    ex = DaskExecutor("local:2")
    yield ex
    ex.close()


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    path = tmp_path_factory.mktemp("dask") / "t.parquet"
    x = _data(6000, 4, seed=9)
    _write_parquet(path, x)
    return path, x


def test_dask_equals_in_memory_and_out_of_core(cluster, table):
    path, x = table
    ref = SOM(x, CFG).train().weights
    with ChunkedTable.open(path, chunk_rows=700) as src:
        local = StreamingBatch(src, CFG, executor=LocalExecutor()).train()
        dask = StreamingBatch(src, CFG, executor=cluster).train()
    assert cluster.workers == 2
    assert np.array_equal(local, dask)          # same partition sums, same tree: identical
    assert np.max(np.abs(dask - ref)) <= 1e-9


def _slow_partition_sums(part, columns, prepare, codebook):
    from somdesk.session.outofcore import partition_sums
    time.sleep(0.3)
    return partition_sums(part, columns, prepare, codebook)


def test_killed_worker_mid_epoch_gives_same_epoch(table):
    path, x = table
    cfg = CFG.replace(iterations=2)
    with ChunkedTable.open(path, chunk_rows=500) as src, DaskExecutor("local:2") as ex:
        ref = StreamingBatch(src, cfg, executor=LocalExecutor()).train()
        run = StreamingBatch(src, cfg, executor=ex)
        pids = list(ex.client.run(os.getpid).values())
        original = ex.map_reduce

        def map_reduce(func, parts, reduce, cancel=None, **kw):
            if func.__name__ == "partition_sums":
                func = _slow_partition_sums
            return original(func, parts, reduce, cancel=cancel, **kw)

        ex.map_reduce = map_reduce
        killer = threading.Timer(1.0, os.kill, (pids[0], signal.SIGKILL))
        killer.start()
        out = run.train()
        killer.join()
    assert np.max(np.abs(out - ref)) <= 1e-9


def test_address_parsing():
    assert parse_address("local") == ("local", 2)
    assert parse_address("local:3") == ("local", 3)
    assert parse_address("tcp://10.0.0.1:8786") == ("remote", "tcp://10.0.0.1:8786")
    from somdesk.errors import OptionError
    for bad in ("local:0", "local:x", "http://x", "somewhere"):
        with pytest.raises(OptionError):
            parse_address(bad)
