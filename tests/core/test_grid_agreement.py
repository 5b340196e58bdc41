"""One grid-distance definition: every back end agrees on every option combination; the mexican hat stays bounded."""
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig
from somdesk.core.topology import squared_grid_distance, within_radius

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_hexagonal_neighbours_are_exactly_one_step_away():
    # node (3, 4) on an odd row of a 6x8 hex map: six neighbours, all at d2 == 1 exactly
    b = 3 * 8 + 4
    d2 = squared_grid_distance(np.arange(48), b, 6, 8, True, False)
    ones = np.flatnonzero(d2 == 1.0)
    assert sorted(ones.tolist()) == sorted([b - 1, b + 1, 2 * 8 + 4, 2 * 8 + 5, 4 * 8 + 4, 4 * 8 + 5])
    assert np.sum(within_radius(d2, 1.0)) == 7
    assert np.sum(within_radius(d2, math.sqrt(3.0))) == 1 + 6 + 6     # second ring at sqrt(3), on the rim


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_a_bubble_of_radius_one_reaches_all_six_hexagonal_neighbours(backend, monkeypatch):
    """The numpy back end used to miss the two lower neighbours (d2 = 1.0000000000000002 > 1)."""
    code = (
        "import numpy as np\n"
        "from somdesk.core import kernels\n"
        "w = np.zeros((1, 6, 8)); x = np.array([[1.0]]); w[0, 3, 4] = 0.5\n"
        "kernels.online_epoch(w, x, np.zeros(1, np.int64), 0.5, 1.0, 'bubble', True, False,\n"
        "                     np.zeros(1, np.int64), kernels.TileBoxes(6, 8, 1))\n"
        "print(sorted(np.flatnonzero(w[0]).tolist()))\n"
    )
    env = dict(os.environ, SOMDESK_KERNELS=backend, PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    b = 3 * 8 + 4
    assert json.loads(proc.stdout) == sorted([b, b - 1, b + 1, 20, 21, 36, 37])


AGREEMENT_SCRIPT = r"""
import math, sys
import numpy as np
from somdesk.core import SOM, SOMConfig, kernels
rng = np.random.default_rng(8)
x = rng.random((9, 3))
out = {}
for mode in ("classic", "batch"):
  for nb in ("gaussian", "bubble", "mexican-hat", "triangle"):
    if mode == "batch" and nb == "mexican-hat":
      continue
    for topo in ("rectangular", "hexagonal"):
      for tor in (False, True):
        for sigma in (1.0, 2.0, 3.0, 0.7, 1.5, math.sqrt(3.0), math.sqrt(7.0) / 2):
          c = SOMConfig(width=7, height=6, iterations=3, sigma=sigma, neighbourhood=nb, topology=topo,
                        toroidal=tor, decay="inverse", order="shuffled", mode=mode, seed=3)
          w0 = np.random.default_rng(9).random((6, 7, 3))
          out[f"{mode}-{nb}-{topo}-{tor}-{sigma:.4f}"] = SOM(x, c, weights=w0).train().weights
print(kernels.BACKEND, file=sys.stderr)
np.savez(sys.argv[1], **out)
"""


def test_every_backend_agrees_on_every_option_combination(tmp_path, aot_dir):
    """topology x toroidal x neighbourhood x integer and fractional radii, classic and batch: 1e-9."""
    results = {}
    for backend in ("numba", "aot", "numpy"):
        env = dict(os.environ, SOMDESK_KERNELS=backend,
                   PYTHONPATH=os.pathsep.join([str(aot_dir), ROOT, os.environ.get("PYTHONPATH", "")]))
        path = tmp_path / f"{backend}.npz"
        proc = subprocess.run([sys.executable, "-c", AGREEMENT_SCRIPT, str(path)], env=env,
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.strip() == backend
        results[backend] = dict(np.load(path))
    assert len(results["numba"]) == 7 * (16 + 12)
    for other in ("numpy", "aot"):
        for key, value in results["numba"].items():
            assert np.max(np.abs(value - results[other][key])) <= 1e-9, (other, key)


@pytest.mark.parametrize("config", [
    SOMConfig(width=20, height=20, iterations=200, neighbourhood="mexican-hat", seed=7),
    SOMConfig(width=20, height=20, iterations=2000, neighbourhood="mexican-hat", learning_rate=1.0,
              decay="linear", seed=7),
    SOMConfig(width=15, height=12, iterations=300, neighbourhood="mexican-hat", learning_rate=1.0,
              topology="hexagonal", toroidal=True, init="pca", seed=1),
], ids=["seed-job", "lr1-linear", "hex-torus-pca"])
def test_the_mexican_hat_keeps_weights_in_the_data_range(config):
    """Issue 10: these runs ended near 1.5e36 or NaN; now every weight stays in the data's box."""
    colours = np.random.default_rng(7).random((20, 3))
    som = SOM(colours, config)
    start = som.weights.copy()
    som.train()
    w = som.weights
    lo = np.minimum(colours.min(0), start.reshape(-1, 3).min(0))
    hi = np.maximum(colours.max(0), start.reshape(-1, 3).max(0))
    assert np.all(np.isfinite(w))
    assert np.all(w >= lo - 1e-12) and np.all(w <= hi + 1e-12)
    assert np.ptp(w.reshape(-1, 3), axis=0).min() > 0.1     # not collapsed to one point either
