"""Session and renderer costs, as ratios measured in this one run (the machine's speed cancels out).

Run: python benchmarks/bench_session.py [--quick]

1. Training through the session (`Session.train_task`, no snapshots / a measured
   snapshot every 10 epochs) against the bare core (`SOM.train`) on the same job:
   the price of the generator, the cancel checks and the snapshots.
2. Drawing a 100 x 100 map at 8 px per node: true hexagons (first draw, which
   computes the index image, and later draws from the cache) against squares.
Medians of `--repeat` runs.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from somdesk.core import SOM, SOMConfig, kernels
from somdesk.render import geometry, layout, to_rgb8
from somdesk.session import Session


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def training(epochs: int, repeat: int) -> None:
    colours = np.random.default_rng(0).random((20, 3))
    cfg = SOMConfig(width=100, height=100, iterations=epochs, seed=1)
    kernels.warm_up()

    def core():
        SOM(colours, cfg).train()

    def session(every):
        s = Session()
        s.new_colours(colours)
        s.set_config(cfg)
        for _ in s.train_task(snapshot_when=(lambda it: it % every == 0) if every else None):
            pass

    t_core = median_time(core, repeat)
    t_plain = median_time(lambda: session(0), repeat)
    t_snap = median_time(lambda: session(10), repeat)
    print(f"training, 20 colours, 100x100, {epochs} epochs (median of {repeat}):")
    print(f"  core SOM.train                    {t_core:8.3f} s   1.00")
    print(f"  Session.train_task, no snapshots  {t_plain:8.3f} s   {t_plain / t_core:.2f}x")
    print(f"  ... a measured snapshot every 10  {t_snap:8.3f} s   {t_snap / t_core:.2f}x")


def drawing(repeat: int) -> None:
    nodes = to_rgb8(np.random.default_rng(1).random((100, 100, 3)))
    t_rect = median_time(lambda: layout(nodes, False, 8), repeat)

    def first_hex():
        geometry._cached_index.cache_clear()
        layout(nodes, True, 8)

    t_hex_first = median_time(first_hex, repeat)
    layout(nodes, True, 8)
    t_hex = median_time(lambda: layout(nodes, True, 8), repeat)
    w, h = geometry.picture_size(100, 100, True, 8)
    print(f"drawing a 100x100 map at 8 px per node ({w} x {h} px hexagonal; median of {repeat}):")
    print(f"  squares                           {1000 * t_rect:8.2f} ms  1.00")
    print(f"  true hexagons, first draw         {1000 * t_hex_first:8.2f} ms  {t_hex_first / t_rect:.2f}x")
    print(f"  true hexagons, cached geometry    {1000 * t_hex:8.2f} ms  {t_hex / t_rect:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer epochs and repeats")
    ap.add_argument("--repeat", type=int, default=None)
    args = ap.parse_args()
    repeat = args.repeat or (3 if args.quick else 5)
    training(50 if args.quick else 200, repeat)
    drawing(repeat)


if __name__ == "__main__":
    main()
