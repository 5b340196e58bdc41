"""Scale-out: batch-map rows per second in memory, out of core and on Dask, with peak memory.

Run: python benchmarks/bench_scale.py [--rows 20000000] [--dim 10] [--epochs 2] [--workers 2]
Generates the table as Parquet (DuckDB), then times each way in its own process
(peak RSS of that process; for Dask, the client plus the peak of each worker).
Figures are rows per second per epoch measured in this one run.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

CHILD = r"""
import json, resource, sys, time
import numpy as np
from somdesk.core import SOM, SOMConfig, kernels
from somdesk.io.chunked import ChunkedTable
from somdesk.session.outofcore import StreamingBatch, LocalExecutor
how, path, epochs, workers = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
cfg = SOMConfig(width=20, height=20, iterations=epochs, mode="batch", seed=1)
kernels.warm_up()
extra = {}
if how == "memory":
    import duckdb
    x = duckdb.sql(f"SELECT * FROM read_parquet('{path}')").fetchnumpy()
    x = np.stack([x[k] for k in x], axis=1)
    som = SOM(x, cfg)
    t = time.perf_counter(); som.train(); secs = time.perf_counter() - t
    rows = len(x)
else:
    src = ChunkedTable.open(path)
    if how == "dask":
        from somdesk.session.dask_executor import DaskExecutor
        ex = DaskExecutor(f"local:{workers}")
    else:
        ex = LocalExecutor()
    run = StreamingBatch(src, cfg, executor=ex)
    t = time.perf_counter(); run.train(); secs = time.perf_counter() - t
    rows = src.rows
    if how == "dask":
        peaks = ex.client.run(lambda: int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) / 1024)
        extra["worker_peak_mib"] = sorted(round(v) for v in peaks.values())
        ex.close()
print(json.dumps({"how": how, "rows": rows, "seconds": secs, "rows_per_s_per_epoch": rows * epochs / secs,
                  "peak_mib": int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) / 1024, **extra}))
"""


def make_table(path: str, rows: int, dim: int) -> None:
    import duckdb
    cols = ", ".join(f"(random() * {k + 1} + (range % 7))::DOUBLE AS c{k}" for k in range(dim))
    duckdb.sql(f"COPY (SELECT {cols} FROM range({rows})) TO '{path}' (FORMAT parquet)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000_000)
    ap.add_argument("--dim", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-memory", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "table.parquet")
        t = time.perf_counter()
        make_table(path, args.rows, args.dim)
        print(f"table {args.rows:,} x {args.dim}: {os.path.getsize(path) / 2**20:.0f} MiB Parquet "
              f"in {time.perf_counter() - t:.1f} s")
        results = {}
        for how in (["memory"] if not args.skip_memory else []) + ["outofcore", "dask"]:
            out = subprocess.run([sys.executable, "-c", CHILD, how, path, str(args.epochs), str(args.workers)],
                                 capture_output=True, text=True)
            if out.returncode:
                print(how, "failed:", out.stderr.strip().splitlines()[-1:])
                continue
            results[how] = json.loads(out.stdout.strip().splitlines()[-1])
            print(json.dumps(results[how]))
        if "dask" in results:
            d = results["dask"]
            per_worker = d["rows_per_s_per_epoch"] / args.workers
            print(f"projection for 1e9 rows: one epoch on N workers ~ {1e9 / per_worker:.0f} s / N "
                  f"(measured {per_worker:,.0f} rows/s per worker)")


if __name__ == "__main__":
    main()
