"""Opening big legal inputs in the one window (issue 10 item 5), and stop latency.

    python benchmarks/bench_open.py

  palette   a 65,536-colour palette (.hex) opened with File > Open until its swatches
            and map are on screen: seconds and MB of resident memory added
            (goals: <= 2 s, <= 300 MB)
  somz      a .somz holding 262,144 identical colours (100x100 map): the same figures
  stop      Stop pressed during a long epoch (1000x1000 map, 10,000 colours): ms
            until the training thread has ended (goal <= 200 ms)
Each figure is the median of --repeats runs, each in a fresh process (so memory
is what that file adds to a started window).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child(kind: str, path: str) -> dict:
    import numpy as np

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from somdesk.gui.app import ensure_app
    from somdesk.gui.window import Window

    app = ensure_app()
    win = Window(interactive=False, confirm_unsaved=False)
    win.show()
    for _ in range(20):
        app.processEvents()
    if kind == "stop":
        from somdesk.core import SOMConfig, kernels
        from somdesk.gui.tasks import live_workers

        kernels.warm_up()
        win.session.new_colours(np.random.default_rng(0).random((10_000, 3)))
        win.left.params.set_config(SOMConfig(width=1000, height=1000, iterations=10, seed=1))
        win.set_speed("max")
        win.train()
        end = time.perf_counter() + 2.0
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.01)
        worker = live_workers()[0]
        t0 = time.perf_counter()
        win.runner.stop()
        worker.wait()
        return {"ms": 1000 * (time.perf_counter() - t0)}
    before = _rss_mb()
    t0 = time.perf_counter()
    win.open_paths([path])
    while win.runner.busy:
        app.processEvents()
        time.sleep(0.002)
    win.draw()
    win.canvas.plot.viewport().repaint()
    app.processEvents()
    took = time.perf_counter() - t0
    assert win.session.dataset is not None, win.last_error
    return {"s": took, "mb": _rss_mb() - before, "n": len(win.session.dataset.data)}


def make_files(folder: str) -> dict:
    import numpy as np

    from somdesk.core import SOM, SOMConfig
    from somdesk.io.mapfile import save_map

    rgb = np.random.default_rng(1).integers(0, 256, size=(65_536, 3))
    pal = os.path.join(folder, "big.hex")
    with open(pal, "w") as fh:
        fh.writelines(f"{r:02x}{g:02x}{b:02x}\n" for r, g, b in rgb)
    somz = os.path.join(folder, "same.somz")
    save_map(SOM(np.full((262_144, 3), 0.5), SOMConfig(width=100, height=100, iterations=10, seed=1)), somz)
    return {"palette": pal, "somz": somz, "stop": ""}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryDirectory() as folder:
        files = make_files(folder)
        for kind, path in files.items():
            runs = []
            for _ in range(args.repeats):
                out = subprocess.run([sys.executable, __file__, "--child", kind, path], env=env,
                                     capture_output=True, text=True, timeout=600)
                if out.returncode != 0:
                    print(f"{kind}: failed\n{out.stderr[-2000:]}")
                    break
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            if not runs:
                continue
            if kind == "stop":
                print(f"stop during a 1000x1000 epoch: {statistics.median(r['ms'] for r in runs):.0f} ms (goal <= 200)")
            else:
                print(f"{kind:8} {runs[0]['n']:>8,} inputs: {statistics.median(r['s'] for r in runs):.2f} s, "
                      f"+{statistics.median(r['mb'] for r in runs):.0f} MB  (goal <= 2 s, <= 300 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
