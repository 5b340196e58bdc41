"""Core speed: the seed job against a plain numpy transcription, MiniSom, and batch memory;
the Visibone job (issue 14 goal 2) against the transcription's seed-job time.

Run: python benchmarks/bench_core.py [--quick] [--palette Visibone.gpl]
Prints seconds and ratios measured in this one run, so the machine's speed cancels out.

Visibone job: 336 colours, 100x100, 1000 epochs, classic (goal: <= 0.07x the
plain numpy transcription's seed-job time, max |difference| <= 1e-6).  The
colours come from --palette, $SOMDESK_VISIBONE or GIMP's Visibone.gpl; without
one, the stand-in of benchmarks/bench_kernels.py (216 web-safe colours + 120
random).  It also prints the node updates the job makes (every node whose
factor alpha*h reaches the kernels' cutoff, for every input) and the achieved
nanoseconds per node update, BMU search included: the wall-clock median of five
runs, the CPU time of those runs (this thread's clock: on a shared machine wall
time also counts the time other processes held the core), and per phase (the
whole-map epochs, where the window covers the map, and the windowed ones) the CPU
time of one run stepped epoch by epoch.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np

from somdesk.core import SOM, SOMConfig, kernels
from somdesk.core.reference import classic_reference


def timed(fn, repeat=1):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def seed_job(iterations: int) -> dict:
    rng = np.random.default_rng(0)
    colours = rng.random((20, 3))
    w0 = rng.random((100, 100, 3))
    kernels.warm_up()
    cfg = SOMConfig(width=100, height=100, iterations=iterations)
    t_somdesk, som = timed(lambda: SOM(colours, cfg, weights=w0).train(), repeat=5)
    c_ref = time.thread_time()
    t_ref, ref = timed(lambda: classic_reference(w0, colours, iterations))
    # its CPU time too: on a busy machine the wall time of numpy's many small calls grows more
    # than a compiled kernel's
    c_ref = time.thread_time() - c_ref
    row = {"job": f"seed job: 20 colours, 100x100, {iterations} iterations",
           "numpy_transcription_s": t_ref, "numpy_transcription_cpu_s": c_ref, "somdesk_s": t_somdesk,
           "speedup_vs_numpy": t_ref / t_somdesk,
           "max_abs_diff": float(np.max(np.abs(som.weights - ref))), "backend": kernels.BACKEND}
    try:
        from minisom import MiniSom
    except ImportError:
        row["minisom_s"] = None
    else:
        def run_minisom():
            m = MiniSom(100, 100, 3, sigma=50.0, learning_rate=0.1, random_seed=0)
            m._weights = w0.copy()
            m.train(colours, iterations * len(colours), random_order=False)
            return m
        row["minisom_s"], _ = timed(run_minisom)
        row["speedup_vs_minisom"] = row["minisom_s"] / t_somdesk
    return row


def visibone_colours(path: str | None) -> tuple[np.ndarray, str]:
    """(336, 3) colours in [0, 1] and where they came from (as benchmarks/bench_kernels.py)."""
    import re

    for candidate in (path, os.environ.get("SOMDESK_VISIBONE"), "/usr/share/gimp/2.0/palettes/Visibone.gpl"):
        if candidate and os.path.exists(candidate):
            rows = [line.split()[:3] for line in open(candidate, encoding="utf-8", errors="replace")
                    if re.match(r"^\s*\d+\s+\d+\s+\d+", line)]
            return np.array(rows, dtype=np.float64) / 255.0, candidate
    steps = np.array([0, 51, 102, 153, 204, 255]) / 255.0
    web = np.stack(np.meshgrid(steps, steps, steps, indexing="ij"), -1).reshape(-1, 3)
    extra = np.random.default_rng(336).random((120, 3))
    return np.concatenate([web, extra]), "stand-in: 216 web-safe colours + 120 random"


def node_updates(som_factory) -> dict:
    """Node updates of a classic gaussian run on a rectangular map: for every input, the
    nodes of its window (kernels' _window) in rows whose factor reaches CUTOFF.

    Also the CPU time of each phase of that run (stepped epoch by epoch): the whole-map
    epochs (the window covers the map: one fused pass per input) and the windowed ones."""
    som = som_factory()
    h, w = som.config.height, som.config.width
    phases = {"whole-map": [0, 0.0, 0], "windowed": [0, 0.0, 0]}   # updates, CPU s, epochs
    while True:
        t = time.thread_time()
        info = som.step()
        cpu = time.thread_time() - t
        if info is None:
            break
        reach = info.sigma * math.sqrt(2.0 * math.log(info.alpha / kernels.CUTOFF))
        r = int(math.ceil(reach)) + 1
        bi, bj = np.divmod(info.bmus, w)
        if 2 * r + 1 >= w:
            cols = np.full(len(bi), w)
        else:
            cols = np.minimum(bj + r + 1, w) - np.maximum(bj - r, 0)
        # rows i with alpha exp(-(i - bi)^2 / 2 sigma^2) >= CUTOFF, inside the window
        k = int(math.floor(info.sigma * math.sqrt(2.0 * math.log(info.alpha / kernels.CUTOFF))))
        k = min(k, r) if 2 * r + 1 < h else k
        rows = np.minimum(bi + k, h - 1) - np.maximum(bi - k, 0) + 1
        phase = phases["whole-map" if 2 * r + 1 >= h and 2 * r + 1 >= w else "windowed"]
        phase[0] += int(np.sum(rows * cols))
        phase[1] += cpu
        phase[2] += 1
    return {name: {"node_updates": u, "cpu_s": c, "epochs": e, "ns_per_node_update": 1e9 * c / max(u, 1)}
            for name, (u, c, e) in phases.items()}


def visibone_job(iterations: int, palette: str | None, t_ref_seed: float) -> dict:
    colours, source = visibone_colours(palette)
    rng = np.random.default_rng(0)
    rng.random((20, 3))
    w0 = rng.random((100, 100, 3))
    cfg = SOMConfig(width=100, height=100, iterations=iterations)
    times, cpus = [], []
    for _ in range(5):
        t, c = time.perf_counter(), time.thread_time()
        SOM(colours, cfg, weights=w0).train()
        times.append(time.perf_counter() - t)
        cpus.append(time.thread_time() - c)
    t_vis = float(np.median(times))
    phases = node_updates(lambda: SOM(colours, cfg, weights=w0))
    updates = sum(p["node_updates"] for p in phases.values())
    check = min(iterations, 20)       # exactness on the job itself (the transcription is slow)
    diff = np.max(np.abs(SOM(colours, cfg.replace(iterations=check), weights=w0).train().weights
                         - classic_reference(w0, colours, check)))
    return {"palette": source, "colours": len(colours), "iterations": iterations, "somdesk_s": t_vis,
            "times_s": times, "cpu_s": cpus, "cpu_median_s": float(np.median(cpus)), "phases": phases,
            "over_numpy_seed": t_vis / t_ref_seed, "node_updates": updates,
            "ns_per_node_update": 1e9 * t_vis / updates, "max_abs_diff_first_epochs": float(diff)}


BATCH_CHILD = """
import resource, sys, time, json
import numpy as np
from somdesk.core import SOM, SOMConfig, kernels
n, epochs = int(sys.argv[1]), int(sys.argv[2])
kernels.warm_up()
x = np.random.default_rng(0).random((n, 3))
som = SOM(x, SOMConfig(width=100, height=100, iterations=epochs, mode='batch', seed=0))
t = time.perf_counter(); som.train(); dt = (time.perf_counter() - t) / epochs
print(json.dumps({"seconds_per_epoch": dt, "peak_mib": int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) / 1024}))
"""

NUMPY_BATCH_CHILD = """
import resource, sys, time, json
import numpy as np
n = int(sys.argv[1])
x = np.random.default_rng(0).random((n, 3)); w = np.random.default_rng(1).random((10000, 3))
rows, cols = np.divmod(np.arange(10000), 100); sigma = 50.0
t = time.perf_counter()
wsq = (w * w).sum(1); idx = np.empty(n, np.int64)
for s in range(0, n, 2048):  # matrix-product BMUs, chunked
    idx[s:s+2048] = np.argmin(wsq[None] - 2 * x[s:s+2048] @ w.T, axis=1)
counts = np.bincount(idx, minlength=10000).astype(float)
sums = np.stack([np.bincount(idx, weights=x[:, k], minlength=10000) for k in range(3)], 1)
gy = np.exp(-(np.arange(100)[:, None] - np.arange(100)[None]) ** 2 / (2 * sigma ** 2))
num = np.einsum('ai,ijd,bj->abd', gy, sums.reshape(100, 100, 3), gy)
den = gy @ counts.reshape(100, 100) @ gy.T
w = (num / den[..., None]).reshape(-1, 3)
dt = time.perf_counter() - t
print(json.dumps({"seconds_per_epoch": dt, "peak_mib": int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) / 1024}))
"""


def child(code: str, *args) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          env=dict(os.environ))
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="200 iterations and 200,000 samples")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--palette", help="GIMP .gpl file of the Visibone palette")
    ap.add_argument("--skip-batch", action="store_true", help="only the classic jobs")
    args = ap.parse_args()
    iterations = 200 if args.quick else 1000
    n = 200_000 if args.quick else 1_000_000
    seed = seed_job(iterations)
    vis = visibone_job(iterations, args.palette, seed["numpy_transcription_s"])
    vis["cpu_over_numpy_seed_cpu"] = vis["cpu_median_s"] / seed["numpy_transcription_cpu_s"]
    print(f"== Visibone job: {vis['colours']} colours ({vis['palette']}), 100x100, {iterations} iterations")
    print(f"somdesk                    {vis['somdesk_s']:8.3f} s   (runs: "
          + ", ".join(f"{t:.2f}" for t in vis["times_s"]) + ")")
    print(f"over numpy seed job        {vis['over_numpy_seed']:8.3f} x   (goal <= 0.07x)")
    print(f"CPU time (this thread)     {vis['cpu_median_s']:8.3f} s   (runs: "
          + ", ".join(f"{t:.2f}" for t in vis["cpu_s"]) + ")")
    print(f"CPU over numpy seed CPU    {vis['cpu_over_numpy_seed_cpu']:8.3f} x   (the seed job's transcription took "
          f"{seed['numpy_transcription_cpu_s']:.2f} s of CPU)")
    print(f"node updates               {vis['node_updates']:8.3g}       "
          f"{vis['ns_per_node_update']:.2f} ns per node update (wall), BMU search included")
    for name, p in vis["phases"].items():
        print(f"  {name:10s} epochs {p['epochs']:4d}: {p['node_updates']:8.3g} updates, {p['cpu_s']:.3f} s CPU, "
              f"{p['ns_per_node_update']:.2f} ns per node update (CPU, one stepped run)")
    print(f"max |somdesk - numpy|      {vis['max_abs_diff_first_epochs']:8.1e}     (first epochs; must be <= 1e-6)")
    print(f"load average               {open('/proc/loadavg').read().split()[0]:>8}", flush=True)
    if args.skip_batch:
        print(f"== {seed['job']} (kernels: {seed['backend']})")
        print(f"plain numpy transcription  {seed['numpy_transcription_s']:8.3f} s")
        print(f"somdesk                    {seed['somdesk_s']:8.3f} s")
        print(f"speed-up vs numpy          {seed['speedup_vs_numpy']:8.1f} x   (goal >= 48x)")
        print(f"max |somdesk - numpy|      {seed['max_abs_diff']:8.1e}     (must be <= 1e-6)")
        if args.json:
            with open(args.json, "w") as fh:
                json.dump({"seed_job": seed, "visibone": vis}, fh, indent=2)
        return
    batch = child(BATCH_CHILD, n, 3)
    numpy_batch = child(NUMPY_BATCH_CHILD, n)
    print(f"== {seed['job']} (kernels: {seed['backend']})")
    print(f"plain numpy transcription  {seed['numpy_transcription_s']:8.3f} s")
    if seed.get("minisom_s") is not None:
        print(f"MiniSom                    {seed['minisom_s']:8.3f} s")
    print(f"somdesk                    {seed['somdesk_s']:8.3f} s")
    print(f"speed-up vs numpy          {seed['speedup_vs_numpy']:8.1f} x   (goal >= 48x)")
    if seed.get("minisom_s") is not None:
        print(f"speed-up vs MiniSom        {seed['speedup_vs_minisom']:8.1f} x")
    print(f"max |somdesk - numpy|      {seed['max_abs_diff']:8.1e}     (must be <= 1e-6)")
    print(f"== batch map, {n:,} random colours, 100x100")
    print(f"plain numpy batch epoch    {numpy_batch['seconds_per_epoch']:8.3f} s   peak {numpy_batch['peak_mib']:.0f} MiB")
    print(f"somdesk batch epoch        {batch['seconds_per_epoch']:8.3f} s   peak {batch['peak_mib']:.0f} MiB"
          f"   (goal <= 1.5 s, < 1024 MiB)")
    print(f"speed-up vs numpy batch    {numpy_batch['seconds_per_epoch'] / batch['seconds_per_epoch']:8.1f} x")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"seed_job": seed, "visibone": vis, "batch": batch, "numpy_batch": numpy_batch}, fh, indent=2)


if __name__ == "__main__":
    main()
