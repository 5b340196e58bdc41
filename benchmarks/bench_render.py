"""Drawing a big map picture on a task's thread: the longest GIL hold and the peak memory
(tester7 #31: a 9000 x 9000 px export froze the window although it ran as a task).

    python benchmarks/bench_render.py [--size 1000] [--scale 9] [--repeats 3]

For a size x size map at `scale` px a node (default 1000 x 1000 at 9 px: 9000 x 9000 px),
rectangular and hexagonal, it draws the picture two ways in the same run:

  banded     render.picture: bands of about geometry.BAND_PIXELS pixels
  one-shot   the reference: the whole picture in one numpy expression, as before the
             bands (np.repeat blocks; the whole index image, then one gather)

and prints for each the median over --repeats of: seconds, the longest gap seen by a
thread ticking every 5 ms (the longest the drawing held the GIL; the window's GUI thread
waits as long), and the peak of numpy's allocations (tracemalloc), with banded / one-shot
ratios.  Both pictures are checked equal.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
import tracemalloc

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from somdesk import render                     # noqa: E402
from somdesk.render import geometry            # noqa: E402


def one_shot(nodes: np.ndarray, hexagonal: bool, scale: int) -> np.ndarray:
    if not hexagonal:
        return np.repeat(np.repeat(nodes, scale, axis=0), scale, axis=1)
    rows, cols = nodes.shape[:2]
    width, height = geometry.picture_size(rows, cols, True, scale)
    idx = np.empty((height, width), dtype=np.int32)
    for y0, y1 in geometry.bands(width, height):     # the index image as index_image made it
        idx[y0:y1] = geometry._hex_index(rows, cols, float(scale), width, y0, y1)
    flat = nodes.reshape(rows * cols, 3)
    record = np.dtype((np.void, 3))
    out = np.take(flat.view(record).reshape(-1), np.maximum(idx, 0)).view(np.uint8).reshape(height, width, 3)
    out[idx < 0] = 255
    return out


def measure(fn) -> tuple[float, float, float, np.ndarray]:
    """(seconds, longest 5-ms-ticker gap in s, peak MiB) of fn(), and its result."""
    gaps, done = [], threading.Event()

    def tick():
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    time.sleep(0.05)
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    done.set()
    ticker.join()
    return seconds, max(gaps), peak, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--scale", type=int, default=9)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    nodes = np.random.default_rng(0).integers(0, 256, (a.size, a.size, 3), dtype=np.uint8)
    for hexagonal in (False, True):
        w, h = geometry.picture_size(a.size, a.size, hexagonal, a.scale)
        runs = {"banded": [], "one-shot": []}
        for _ in range(a.repeats):
            for name, fn in (("banded", lambda: render.picture(nodes, hexagonal, a.scale)),
                             ("one-shot", lambda: one_shot(nodes, hexagonal, a.scale))):
                *figures, pic = measure(fn)
                runs[name].append(figures)
                if name == "banded":
                    banded = pic
                else:
                    assert np.array_equal(banded, pic), "banded and one-shot pictures differ"
                del pic
            del banded
        med = {k: [statistics.median(r[i] for r in v) for i in range(3)] for k, v in runs.items()}
        print(f"{'hexagonal' if hexagonal else 'rectangular'} {a.size}x{a.size} at {a.scale} px ({w} x {h} px):")
        for k, (s, gap, peak) in med.items():
            print(f"  {k:9s} {s:6.2f} s   longest GIL hold {gap * 1000:6.0f} ms   peak {peak:6.0f} MiB")
        b, o = med["banded"], med["one-shot"]
        print(f"  banded / one-shot: time {b[0] / o[0]:.2f}x, longest hold {b[1] / o[1]:.3f}x, "
              f"peak memory {b[2] / o[2]:.2f}x")


if __name__ == "__main__":
    main()
