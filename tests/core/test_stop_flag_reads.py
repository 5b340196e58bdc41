"""Stop is seen at once inside every compiled search (tester13 #1).

numba's parfor pass hoisted `flag[0]` out of the kd-tree's `prange` loop, so a
15-s BMU search ignored Stop for 14 s.  The kernels now read the flag through
somdesk.core._stop_numba.stop_requested; these tests check the source rule and
the latency of a stop on every back end (numba JIT, ahead of time, numpy).
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "somdesk" / "core"


def _flag_subscripts(fn: ast.FunctionDef) -> list[int]:
    return [n.lineno for n in ast.walk(fn)
            if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id == "flag"]


def _uses_prange(fn: ast.FunctionDef) -> bool:
    return any(isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", "")) == "prange"
               for n in ast.walk(fn))


def test_no_compiled_kernel_reads_the_flag_where_a_compiler_may_hoist_it():
    """Every kernel of the numba modules (somdesk/core/_*_numba.py) and every prange loop anywhere
    in core reads the stop flag through stop_requested, never as flag[0]."""
    bad = []
    for path in sorted(CORE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        numba_module = path.name.startswith("_") and path.name.endswith("_numba.py")
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef) and (numba_module or _uses_prange(fn)):
                bad += [f"{path.name}:{line} ({fn.name})" for line in _flag_subscripts(fn)]
    assert not bad, "flag[0] read directly (use _stop_numba.stop_requested): " + ", ".join(bad)


# A search that would run for several seconds, stopped 0.3 s in: the stop must end it well
# within a second.  The job's size comes from the speed of a small slice, so the test proves
# something on a fast machine and stays short on a slow one.  D = 4 and 9,078 nodes is the
# tester's table map (102 x 89): the kd-tree on the compiled back ends, chunked scans on numpy.
STOP_SCRIPT = """
import sys, threading, time, numpy as np
from somdesk.core import kernels
from somdesk.core.cancel import CancelToken
from somdesk.errors import Cancelled
assert kernels.BACKEND == sys.argv[1], kernels.BACKEND
kernels.warm_up()
rng = np.random.default_rng(0)
w = rng.normal(size=(9078, 4)) * 0.3
probe = rng.normal(size=(5_000, 4))
for name in ("bmus_of", "two_nearest"):
    fn = getattr(kernels, name)
    fn(w, probe[:500])                  # compiled (or loaded) before the clock starts
    t0 = time.perf_counter()
    fn(w, probe)
    per_row = (time.perf_counter() - t0) / len(probe)
    n = int(min(4_000_000, max(len(probe), 8.0 / per_row)))     # ~8 s uncancelled
    x = rng.normal(size=(n, 4))
    token = CancelToken()
    box = {}
    def work():
        try:
            fn(w, x, token)
        except Cancelled:
            box["end"] = time.perf_counter()
    t = threading.Thread(target=work)
    t.start()
    time.sleep(0.3)
    alive = t.is_alive()
    asked = time.perf_counter()
    token.cancel()
    t.join(60)
    print(name, n, round(per_row * n, 2), alive, box.get("end", float("nan")) - asked)
"""


def _stop_latencies(backend: str, aot_dir=None) -> dict:
    paths = [str(aot_dir)] if aot_dir is not None else []
    env = dict(os.environ, SOMDESK_KERNELS=backend,
               PYTHONPATH=os.pathsep.join(paths + [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", STOP_SCRIPT, backend], env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = {}
    for line in proc.stdout.splitlines():
        name, n, whole, alive, latency = line.split()
        out[name] = (int(n), float(whole), alive == "True", float(latency))
    return out


def _check(got: dict) -> None:
    from tests.timing import load_scaled

    assert set(got) == {"bmus_of", "two_nearest"}
    for name, (n, whole, alive, latency) in got.items():
        assert alive, f"{name} on {n} rows ended before the stop: the test proves nothing"
        assert whole > 4.0, (name, n, whole)
        assert latency == latency, f"{name}: no Cancelled"          # NaN: it ran to the end
        assert latency < load_scaled(1.0), f"{name} on {n} rows (~{whole:.0f} s): stop took {latency:.2f} s"


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_a_stop_ends_a_long_bmu_search_within_a_second(backend):
    _check(_stop_latencies(backend))


def test_a_stop_ends_a_long_bmu_search_within_a_second_ahead_of_time(aot_dir):
    _check(_stop_latencies("aot", aot_dir))
