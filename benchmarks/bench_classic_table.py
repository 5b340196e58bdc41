"""Classic mode on a many-column table (issue 14 goal 3), ratios measured in one run.

Run: python benchmarks/bench_classic_table.py [--repeat 5] [--epochs 100] [--dim 50] [--json OUT]

The job of benchmarks/bench_kernels.py: 4,000 rows x 50 columns (normal), 25x15
map, PCA initialisation, 100 epochs, classic algorithm; the yardstick is the
same plain numpy batch map (`bench_kernels.plain_numpy_batch`: matrix-product
BMUs, bincount sums, dense gaussian smoothing) over the same epochs, with
numpy's BLAS threads as installed and on one BLAS thread (the faster is the
strict comparison; on a busy machine the CPU time against the one-thread
plain run's is the steadier ratio).  Also timed: somdesk's sequential classic kernel on the
same job (the block epoch switched off), so the block epoch's own gain is
measured in the same run.  Each figure is the median of --repeat runs, wall
time, with the CPU time of the process next to it; the four jobs take turns in
each round; the load average and the idle cores (a 1 s sample of /proc/stat, nothing of
this benchmark running) are printed before and after.  The exactness check runs the plain transcription
(somdesk.core.reference) for the first two epochs.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_kernels import blas_threads, plain_numpy_batch  # noqa: E402  (the same yardstick)

from somdesk.core import SOM, SOMConfig, kernels, online_block  # noqa: E402
from somdesk.core.reference import classic_reference  # noqa: E402


def interleaved(fns: dict, repeat: int) -> dict:
    """{name: (median wall s, median CPU s of the process)}, the jobs taking turns in each round.

    Taking turns spreads the other processes' load on a shared machine evenly
    over the jobs instead of charging one job with a busy minute.
    """
    wall = {k: [] for k in fns}
    cpu = {k: [] for k in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t, c = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
    return {k: (statistics.median(wall[k]), statistics.median(cpu[k])) for k in fns}


def idle_cores(seconds: float = 1.0) -> float | None:
    """Cores idle over `seconds` with nothing of this benchmark running (Linux /proc/stat; None elsewhere).

    The load average counts this process too and says nothing about whether
    the second core is free; the plain map's two BLAS threads and any use of
    the second core depend on exactly that.
    """
    def sample():
        with open("/proc/stat") as fh:
            v = [int(f) for f in fh.readline().split()[1:]]
        return v[3] + v[4], sum(v)      # idle + iowait, all
    try:
        i0, a0 = sample()
        time.sleep(seconds)
        i1, a1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return (os.cpu_count() or 1) * (i1 - i0) / max(1, a1 - a0)


def _sequential(fn):
    """fn with the block epoch switched off (somdesk's sequential classic kernel)."""
    def run():
        saved = online_block.BLOCK_FROM
        online_block.BLOCK_FROM = 10**9
        try:
            return fn()
        finally:
            online_block.BLOCK_FROM = saved
    return run


def _one_blas(fn):
    def run():
        from threadpoolctl import threadpool_limits
        with threadpool_limits(1, user_api="blas"):
            return fn()
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--rows", type=int, default=4000)
    ap.add_argument("--dim", type=int, default=50)
    ap.add_argument("--json")
    args = ap.parse_args()
    n, d, epochs, repeat = args.rows, args.dim, args.epochs, max(1, args.repeat)
    x = np.random.default_rng(d).normal(size=(n, d))
    cfg = SOMConfig(width=25, height=15, iterations=epochs, init="pca", seed=0)
    w0 = SOM(x, cfg).weights
    kernels.warm_up()
    SOM(x, cfg.replace(iterations=1), weights=w0).train()
    load_before = os.getloadavg()
    idle_before = idle_cores()
    plain_fn = lambda: plain_numpy_batch(x, w0, epochs, cfg.sigma0)   # noqa: E731
    som_fn = lambda: SOM(x, cfg, weights=w0).train()                  # noqa: E731
    res = interleaved({"plain": plain_fn, "plain1": _one_blas(plain_fn), "block": som_fn,
                       "sequential": _sequential(som_fn)}, repeat)
    plain, plain1, block, sequential = res["plain"], res["plain1"], res["block"], res["sequential"]
    load_after = os.getloadavg()
    idle_after = idle_cores()
    check = 2
    ref = classic_reference(w0, x, check)
    # the transcription's schedule: defaults, sequential order, `check` iterations
    diff = float(np.max(np.abs(SOM(x, SOMConfig(width=25, height=15, iterations=check), weights=w0)
                               .train().weights - ref)))
    block_used = kernels.uses_block_epoch("gaussian", d, 15, 25, cfg.learning_rate)
    faster = min(plain[0], plain1[0])
    print(f"kernels: {kernels.BACKEND}; numpy BLAS: {blas_threads()}; cores: {os.cpu_count()}; load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after; idle cores {_fmt(idle_before)} before, "
          f"{_fmt(idle_after)} after; median of {repeat} runs, wall (CPU) s")
    print(f"== classic {n:,} x {d}, 25x15, {epochs} epochs (block epoch: {'yes' if block_used else 'no'})")
    print(f"plain numpy batch          {plain[0]:7.2f} ({plain[1]:.2f})")
    print(f"plain numpy batch, 1 BLAS  {plain1[0]:7.2f} ({plain1[1]:.2f})")
    print(f"somdesk classic            {block[0]:7.2f} ({block[1]:.2f})   "
          f"{block[0] / plain[0]:.2f}x the plain batch, {block[0] / faster:.2f}x the faster plain (goal <= 1x); "
          f"CPU {block[1] / plain1[1]:.2f}x the one-thread plain's")
    print(f"somdesk classic sequential {sequential[0]:7.2f} ({sequential[1]:.2f})   "
          f"block epoch {sequential[0] / block[0]:.2f}x faster (CPU {sequential[1] / block[1]:.2f}x)")
    print(f"max |somdesk - transcription| after {check} epochs: {diff:.1e} (must be <= 1e-6)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"plain_s": plain, "plain_1blas_s": plain1, "classic_s": block,
                       "classic_sequential_s": sequential, "classic_over_plain": block[0] / plain[0],
                       "classic_over_faster_plain": block[0] / faster,
                       "classic_cpu_over_plain_1blas_cpu": block[1] / plain1[1], "max_abs_diff": diff,
                       "load_before": load_before, "load_after": load_after, "idle_cores_before": idle_before,
                       "idle_cores_after": idle_after, "repeat": repeat,
                       "backend": kernels.BACKEND, "blas": blas_threads()}, fh, indent=2)


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.2f}"


if __name__ == "__main__":
    main()
