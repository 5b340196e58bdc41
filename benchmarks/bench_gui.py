"""GUI benchmark (issue 14 goal 1): the window at Max against the core on the same job.

    python benchmarks/bench_gui.py                  # offscreen unless DISPLAY says otherwise
    python benchmarks/bench_gui.py --repeats 5 --jobs seed visibone

For each job, in one run and alternating (so machine load hits both alike):
  core     SOM.train() on the same data and config, kernels warmed up
  window   the real one window (gui.window.Window) trains the job at Max: Train
           pressed -> the task has ended (live maps, measures, drawing included)
  ratio    median window / median core  (goal: <= 1.15)
  gap      longest gap between ticks of a 5 ms QTimer on the GUI thread during the
           window runs (how responsive the window stays)
Jobs: "seed" = 20 random colours (seed 1), 100x100, 1000 epochs; "visibone" = 336
colours (the 6x6x6 web-safe cube plus 120 others, a stand-in for GIMP's Visibone
palette, which is not shipped), 100x100, 1000 epochs.

--cli measures from outside instead, each in a fresh process: the window as
`somdesk --smoke-test OUT.png --width W --height H --iterations T --seed S FILE`
(its line "... N iterations in X s ...") against `somdesk train --palette FILE`
with the same options (`--metrics-json -`: train_seconds, i.e. SOM.train()),
FILE being the job's colours written as a GIMP palette.  [--exe PATH] runs a
bundle (dist/somdesk/somdesk) instead of `python -m somdesk`.
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

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def job_data(name: str) -> np.ndarray:
    rng = np.random.default_rng(1)
    if name == "seed":
        return rng.integers(0, 256, size=(20, 3)) / 255.0
    cube = np.stack(np.meshgrid(*[np.arange(6)] * 3, indexing="ij"), -1).reshape(-1, 3) / 5.0
    return np.vstack([cube, rng.integers(0, 256, size=(120, 3)) / 255.0])


def core_time(data, cfg) -> float:
    from somdesk.core import SOM

    som = SOM(data, cfg)
    t0 = time.perf_counter()
    som.train()
    return time.perf_counter() - t0


def window_time(app, data, cfg, gaps: list) -> float:
    from PySide6.QtCore import QEventLoop, QTimer

    from somdesk.gui.window import Window

    win = Window(interactive=False, confirm_unsaved=False)
    win.show()
    win.session.new_colours(data, title="bench")
    win.left.params.set_config(cfg)
    win.set_speed("max")
    app.processEvents()
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QEventLoop()
    win.runner.state_changed.connect(lambda st: loop.quit() if st == "idle" else None)
    timer.start()
    t0 = time.perf_counter()
    win.train()
    loop.exec()
    took = time.perf_counter() - t0
    timer.stop()
    if len(ticks) > 1:
        gaps.append(1000 * float(np.max(np.diff(ticks))))
    assert win.session.map.iteration == cfg.iterations, "the window did not finish the job"
    win.close()
    win.deleteLater()
    app.processEvents()
    return took


def write_gpl(data: np.ndarray, path: str) -> None:
    with open(path, "w") as fh:
        fh.write("GIMP Palette\nName: bench\n#\n")
        for r, g, b in np.round(data * 255).astype(int):
            fh.write(f"{r:3d} {g:3d} {b:3d}\tc\n")


def cli_times(exe: list[str], gpl: str, size: int, epochs: int, folder: str) -> tuple[float, float]:
    """(core s, window s) for one job, each in its own process."""
    opts = ["--width", str(size), "--height", str(size), "--iterations", str(epochs), "--seed", "1"]
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    core = subprocess.run([*exe, "train", "--palette", gpl, *opts, "--metrics-json", "-", "--quiet"],
                          capture_output=True, text=True, env=env)
    if core.returncode != 0:
        raise SystemExit(core.stderr)
    win = subprocess.run([*exe, "--smoke-test", os.path.join(folder, "smoke.png"), *opts, gpl],
                         capture_output=True, text=True, env=env)
    found = re.search(r"(\d+) iterations in ([0-9.]+) s", win.stdout)
    if win.returncode != 0 or not found:
        raise SystemExit(win.stdout + win.stderr)
    return float(json.loads(core.stdout)["train_seconds"]), float(found.group(2))


def main_cli(args) -> int:
    exe = [args.exe] if args.exe else [sys.executable, "-m", "somdesk"]
    print(f"{'job':10} {'core s':>8} {'window s':>9} {'ratio':>6}   (from outside: {' '.join(exe)})")
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for name in args.jobs:
            gpl = os.path.join(folder, f"{name}.gpl")
            write_gpl(job_data(name), gpl)
            cores, wins = [], []
            for _ in range(args.repeats):
                c, w = cli_times(exe, gpl, args.size, args.epochs, folder)
                cores.append(c)
                wins.append(w)
            c, w = statistics.median(cores), statistics.median(wins)
            worst = max(worst, w / c)
            print(f"{name:10} {c:8.2f} {w:9.2f} {w / c:6.2f}", flush=True)
    print(f"worst ratio window/core: {worst:.2f} (goal <= 1.15); load average "
          f"{open('/proc/loadavg').read().split()[0]}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", nargs="+", default=["seed", "visibone"], choices=["seed", "visibone"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--epochs", type=int, default=1000)
    ap.add_argument("--cli", action="store_true", help="measure from outside (smoke mode vs somdesk train)")
    ap.add_argument("--exe", help="with --cli: the somdesk executable to run (default: python -m somdesk)")
    args = ap.parse_args(argv)
    if args.cli:
        return main_cli(args)

    from somdesk.cli import ensure_app_for_bench
    from somdesk.core import SOMConfig, kernels

    app = ensure_app_for_bench()
    kernels.warm_up()
    print(f"{'job':10} {'core s':>8} {'window s':>9} {'ratio':>6} {'gap ms':>7}")
    worst = 0.0
    for name in args.jobs:
        data = job_data(name)
        cfg = SOMConfig(width=args.size, height=args.size, iterations=args.epochs, seed=1)
        cores, wins, gaps = [], [], []
        window_time(app, data, cfg.replace(iterations=5), [])      # first window: imports, first draw
        for _ in range(args.repeats):
            cores.append(core_time(data, cfg))
            wins.append(window_time(app, data, cfg, gaps))
        c, w = statistics.median(cores), statistics.median(wins)
        worst = max(worst, w / c)
        print(f"{name:10} {c:8.2f} {w:9.2f} {w / c:6.2f} {max(gaps):7.0f}", flush=True)
    print(f"worst ratio window/core: {worst:.2f} (goal <= 1.15); load average "
          f"{open('/proc/loadavg').read().split()[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
