"""Out of core over a glob of many small tables against one file holding the same rows (glob14).

Run: python benchmarks/bench_glob.py [--files 300] [--rows 20] [--repeat 2]
Writes N small CSVs and one CSV of all their rows, then times `somdesk train --table ... --out-of-core`
(a 5x5 map, 2 epochs) and `somdesk assign --out-of-core` on each, alternately, in their own processes
(start-up included, the same in both).  Prints each best time and the glob / one-file ratio of this
run: the per-file work (heads sniffed, files typed) is what the ratio shows; load on the machine
moves both times alike.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def write_tables(folder: str, files: int, rows: int) -> tuple[str, str]:
    """(the glob of `files` CSVs of `rows` rows each, one CSV of all their rows)."""
    rng = np.random.default_rng(0)
    os.makedirs(os.path.join(folder, "many"))
    lines = []
    for i in range(files):
        block = [f"{a:.4f},{b:.4f},{c:.4f},{'xyz'[r % 3]}\n" for r, (a, b, c) in enumerate(rng.normal(size=(rows, 3)))]
        with open(os.path.join(folder, "many", f"m{i:04d}.csv"), "w") as f:
            f.write("a,b,c,label\n" + "".join(block))
        lines += block
    one = os.path.join(folder, "one.csv")
    with open(one, "w") as f:
        f.write("a,b,c,label\n" + "".join(lines))
    return os.path.join(folder, "many", "*.csv"), one


def run(args: list[str], folder: str) -> float:
    t = time.perf_counter()
    # run in `folder`: `-m` puts the working folder first on the path, so the somdesk timed is
    # the one PYTHONPATH names (a checkout to compare), not one in the folder it is started from
    out = subprocess.run([sys.executable, "-m", "somdesk.cli", *args], capture_output=True, text=True, cwd=folder)
    if out.returncode:
        raise SystemExit(f"somdesk {' '.join(args)} failed: {out.stderr.strip()[-500:]}")
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--rows", type=int, default=20, help="rows per file")
    ap.add_argument("--repeat", type=int, default=2)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pattern, one = write_tables(tmp, a.files, a.rows)
        somz = os.path.join(tmp, "map.somz")
        best: dict = {}
        for _ in range(a.repeat):
            for name, table in (("glob", pattern), ("one file", one)):
                train = run(["train", "--table", table, "--out-of-core", "--width", "5", "--height", "5",
                             "--iterations", "2", "--seed", "1", "--save-map", somz, "--quiet"], tmp)
                assign = run(["assign", somz, table, "--out-of-core", "--out", os.path.join(tmp, "s.csv"), "-q"], tmp)
                for step, secs in (("train", train), ("assign", assign)):
                    best[name, step] = min(best.get((name, step), secs), secs)
        for step in ("train", "assign"):
            g, o = best["glob", step], best["one file", step]
            print(f"{step} --out-of-core: {a.files} files x {a.rows} rows {g:.1f} s, one file of "
                  f"{a.files * a.rows:,} rows {o:.1f} s: ratio {g / o:.2f}")


if __name__ == "__main__":
    main()
