"""GUI benchmark: canvas updates per second and the UI's longest event-loop gap.

    python benchmarks/bench_gui.py            # offscreen unless DISPLAY/QT_QPA_PLATFORM say otherwise
    python benchmarks/bench_gui.py --sizes 100 256 --iterations 2000

For each map size it reports:
  live upd/s   canvas updates per second while the real window trains at full speed
               with the redraw rate at its maximum (60/s) -- what a person sees
  canvas max/s show_snapshot + a forced repaint in a tight loop, no training -- the
               canvas' own ceiling
  it/s         training iterations per second during the live run
  gap max/p99  longest / 99th-percentile gap between ticks of a 5 ms QTimer on the GUI
               thread during the live run (5 ms = perfectly responsive)
Goals: >= 30 updates/s, longest gap < 50 ms.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def _settle(app, ms: float) -> None:
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.002)


def live_run(app, win, size: int, iterations: int) -> dict:
    from PySide6.QtCore import QEventLoop, QTimer

    from somdesk.core import SOMConfig

    win.params.set_config(SOMConfig(width=size, height=size, iterations=iterations, seed=1))
    _settle(app, 300)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    shown: list[float] = []
    loop = QEventLoop()
    result = {}

    def on_snapshot(_snap):
        shown.append(time.perf_counter())

    def on_finished(snap):
        result["snap"] = snap
        loop.quit()

    win.controller.snapshot_ready.connect(on_snapshot)   # after the window's own slot
    win.controller.finished.connect(on_finished)
    timer.start()
    win.train()
    loop.exec()
    timer.stop()
    win.controller.snapshot_ready.disconnect(on_snapshot)
    win.controller.finished.disconnect(on_finished)
    snap = result["snap"]
    gaps = np.diff(ticks) * 1000 if len(ticks) > 1 else np.array([np.nan])
    span = shown[-1] - shown[0] if len(shown) > 1 else float("nan")
    return {"live": (len(shown) - 1) / span, "it/s": snap.iteration / snap.elapsed,
            "gap_max": gaps.max(), "gap_p99": np.percentile(gaps, 99), "snaps": len(shown),
            "seconds": snap.elapsed}


def canvas_ceiling(app, win, seconds: float = 1.5) -> float:
    from somdesk.gui.training import make_snapshot

    som = win.controller.som
    snaps = [make_snapshot(som) for _ in range(2)]
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        win.canvas.show_snapshot(snaps[n % 2])
        win.canvas.viewport().repaint()
        app.processEvents()
        n += 1
    return n / (time.perf_counter() - t0)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 256])
    ap.add_argument("--iterations", type=int, default=2000)
    args = ap.parse_args(argv)

    from somdesk.core import SOMConfig, kernels
    from somdesk.gui.app import ensure_app
    from somdesk.gui.main_window import MainWindow
    from somdesk.gui.palette_strip import random_colours

    app = ensure_app()
    kernels.warm_up()
    win = MainWindow(settings=None, interactive=False)
    win.palette.set_colours(random_colours(20, np.random.default_rng(0)))
    win.set_speed("max")
    win.fps_spin.setValue(60)
    win.resize(1320, 860)
    win.show()
    _settle(app, 300)
    # one short run first, so no size pays for compiling or loading the kernels
    live_run(app, win, 20, 20)

    rows = []
    for size in args.sizes:
        live = live_run(app, win, size, args.iterations)
        rows.append((size, live, canvas_ceiling(app, win)))
    win.close()

    print(f"somdesk GUI benchmark ({os.environ['QT_QPA_PLATFORM']}, {args.iterations} iterations, "
          f"20 colours, redraw limit 60/s)")
    print(f"{'map':>9} | {'live upd/s':>10} | {'canvas max/s':>12} | {'it/s':>7} | {'gap max ms':>10} | {'gap p99 ms':>10}")
    print("-" * 74)
    for size, live, ceiling in rows:
        print(f"{size:>4}x{size:<4} | {live['live']:>10.1f} | {ceiling:>12.1f} | {live['it/s']:>7.0f} | "
              f"{live['gap_max']:>10.1f} | {live['gap_p99']:>10.1f}")
    ok = all(live["live"] >= 30 and live["gap_max"] < 50 for _s, live, _c in rows)
    print("goals (>= 30 updates/s, longest gap < 50 ms):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
