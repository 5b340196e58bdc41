"""The packaged app against the source tree on the same jobs (issue 14 goal 5), one run, alternating.

    python benchmarks/bench_package.py [--bundle dist/somdesk/somdesk] [--repeats 3] [--only batch]
                                       [--aot-cpu generic|v3|v4]

Each job runs as a CLI command, once with the one-folder bundle (ahead-of-time
kernels, no numba) and once from source (`python -m somdesk`, numba JIT, cache
warm), alternating so machine load hits both alike.  Reported: the median of
the training time the command itself reports (`--metrics-json -`:
train_seconds) or, for quantize, the wall time of the whole command; and the
ratio bundle / source (goal <= 1.2 on each).
Jobs: the seed job (20 colours, 100x100, 1000 epochs); the Visibone stand-in
(336 colours); a batch map of 200,000 random colours on 100x100, 3 epochs
(kd-tree BMU search on every core: numba's prange from source, row spans on
somdesk's per-core pool in the bundle); Floyd-Steinberg dithering of a 1000x800 picture with
transparency to 64 colours (quantize --dither); a batch map of a 4,000 x 50
Parquet table on 25x15, 100 epochs (`train --table`: BLAS products and the
candidate check on every core; timed by the command's own `seconds`, which
includes reading the table, pyarrow from source and DuckDB in the bundle, and
the segments' k-means); the window at Max on the seed job (`--smoke-test`
with the job's options, offscreen; timed by the line it prints, Train pressed
to the final map).  The bundle runs the best ahead-of-time build this CPU runs
(somdesk.core.cpu_features; printed at the start); `--aot-cpu` caps it
(SOMDESK_AOT_CPU), to measure the builds for older CPUs on this one.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def write_inputs(folder: str) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq
    from PIL import Image

    from bench_core import visibone_colours     # noqa: E402 - same folder

    colours, _ = visibone_colours(None)
    gpl = os.path.join(folder, "visibone.gpl")
    with open(gpl, "w") as fh:
        fh.write("GIMP Palette\nName: Visibone stand-in\n#\n")
        for r, g, b in np.round(colours * 255).astype(int):
            fh.write(f"{r:3d} {g:3d} {b:3d}\tc\n")
    rng = np.random.default_rng(5)
    yy, xx = np.mgrid[0:800, 0:1000]
    rgb = np.stack([xx * 255 // 999, yy * 255 // 799, (xx + yy) * 255 // 1798], -1)
    rgb = np.clip(rgb + rng.normal(0, 12, rgb.shape), 0, 255).astype(np.uint8)
    alpha = np.where((xx - 500) ** 2 + (yy - 400) ** 2 < 300 ** 2, 255, (xx * 255 // 999)).astype(np.uint8)
    alpha[:100, :100] = 0
    png = os.path.join(folder, "rgba.png")
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(png)
    table = os.path.join(folder, "table50.parquet")
    centres = rng.normal(size=(8, 50)) * 3
    rows = centres[rng.integers(0, 8, 4000)] + rng.normal(size=(4000, 50))
    pq.write_table(pa.table({f"c{k}": rows[:, k] for k in range(50)}), table)
    return {"gpl": gpl, "png": png, "table": table}


def jobs(inputs: dict, folder: str) -> list[tuple[str, list[str], str | None]]:
    """(name, CLI arguments, the key of the command's own time in its JSON report, or None: wall time)"""
    return [
        ("seed job", ["train", "--random", "20", "--seed", "1", "--iterations", "1000",
                      "--metrics-json", "-", "--quiet"], "train_seconds"),
        ("Visibone job", ["train", "--palette", inputs["gpl"], "--seed", "1", "--iterations", "1000",
                          "--metrics-json", "-", "--quiet"], "train_seconds"),
        ("batch 200,000 colours", ["train", "--random", "200000", "--mode", "batch", "--seed", "1",
                                   "--iterations", "3", "--metrics-json", "-", "--quiet"], "train_seconds"),
        ("dither with alpha", ["quantize", inputs["png"], os.path.join(folder, "out.png"), "--colors", "64",
                               "--dither", "--quiet"], None),
        ("table 4,000 x 50 batch", ["train", "--table", inputs["table"], "--width", "25", "--height", "15",
                                    "--epochs", "100", "--seed", "1", "--clusters", "4", "--save-map",
                                    os.path.join(folder, "t.somz"), "--metrics-json", "-", "--quiet"], "seconds"),
        ("window at Max, seed job", ["--smoke-test", os.path.join(folder, "smoke.png"), "--width", "100",
                                     "--height", "100", "--iterations", "1000", "--seed", "1",
                                     os.path.join(ROOT, "resources", "palettes", "seed-20-random.gpl")], "window"),
    ]


def run(cmd: list[str], own_time: str | None, env: dict) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    if own_time == "window":    # "... N iterations in X s ..."
        return float(re.search(r"iterations in ([0-9.]+) s", proc.stdout).group(1))
    if own_time:
        return float(json.loads(proc.stdout)[own_time])
    return wall


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", default=os.path.join(ROOT, "dist", "somdesk", "somdesk"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", default="", help="run only the jobs whose name contains this text")
    ap.add_argument("--aot-cpu", default="", help="the bundle's SOMDESK_AOT_CPU: generic, v3 or v4 (default: the best)")
    args = ap.parse_args(argv)
    if not os.path.exists(args.bundle):
        raise SystemExit(f"no bundle at {args.bundle}: build it first (scripts/package-check.sh)")
    env_src = dict(os.environ, PYTHONPATH=ROOT, QT_QPA_PLATFORM="offscreen")
    env_src.pop("SOMDESK_KERNELS", None)
    env_app = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SOMDESK_KERNELS", "SOMDESK_AOT_CPU")}
    env_app["QT_QPA_PLATFORM"] = "offscreen"
    env_app["SOMDESK_AOT_CPU"] = args.aot_cpu
    from somdesk.core.cpu_features import aot_module_names

    print(f"bundle kernels: {aot_module_names(args.aot_cpu)[0]} (the best build this CPU runs"
          f"{', capped at ' + args.aot_cpu if args.aot_cpu else ''})")
    subprocess.run([sys.executable, "-c", "from somdesk.core import kernels; kernels.warm_up()"],
                   env=env_src, check=True)           # the JIT cache is warm, as after bootstrap
    with tempfile.TemporaryDirectory() as folder:
        inputs = write_inputs(folder)
        print(f"load average at the start: {_load()}")
        print(f"{'job':24} {'source s':>9} {'bundle s':>9} {'ratio':>6}")
        worst = 0.0
        for name, cli, own in jobs(inputs, folder):
            if args.only not in name:
                continue
            src, app = [], []
            for _ in range(args.repeats):
                src.append(run([sys.executable, "-m", "somdesk", *cli], own, env_src))
                app.append(run([args.bundle, *cli], own, env_app))
            s, a = statistics.median(src), statistics.median(app)
            worst = max(worst, a / s)
            print(f"{name:24} {s:9.2f} {a:9.2f} {a / s:6.2f}", flush=True)
    print(f"worst ratio bundle/source: {worst:.2f} (goal <= 1.2); load average at the end {_load()}")
    return 0


def _load() -> str:
    """The 1-minute load average (Linux), or '?'."""
    try:
        with open("/proc/loadavg") as fh:
            return fh.read().split()[0]
    except OSError:
        return "?"


if __name__ == "__main__":
    raise SystemExit(main())
