"""somdesk's classic trainer against the plain numpy transcription of the seed."""
import os
import subprocess
import sys

import numpy as np

from somdesk.core import SOM, SOMConfig
from somdesk.core.reference import classic_reference


def test_seed_job_matches_plain_numpy_transcription():
    rng = np.random.default_rng(2024)
    colours = rng.random((20, 3))
    w0 = rng.random((100, 100, 3))
    expected = classic_reference(w0, colours, 1000)
    som = SOM(colours, SOMConfig(width=100, height=100, iterations=1000), weights=w0).train()
    assert np.max(np.abs(som.weights - expected)) <= 1e-6
    # and the map really trained: every input has a node within 0.01 of it
    assert som.quantization_error() < 0.01


def test_non_square_grid_matches_reference():
    rng = np.random.default_rng(5)
    colours = rng.random((7, 3))
    w0 = rng.random((13, 7, 3))  # 13 rows, 7 columns: a transposition would show
    expected = classic_reference(w0, colours, 60, alpha0=0.3)
    som = SOM(colours, SOMConfig(width=7, height=13, iterations=60, learning_rate=0.3), weights=w0).train()
    assert np.max(np.abs(som.weights - expected)) <= 1e-9


def test_higher_dimensional_data_matches_reference():
    rng = np.random.default_rng(6)
    data = rng.normal(size=(15, 9))
    w0 = rng.normal(size=(12, 10, 9))
    expected = classic_reference(w0, data, 80)
    som = SOM(data, SOMConfig(width=10, height=12, iterations=80), weights=w0).train()
    assert np.max(np.abs(som.weights - expected)) <= 1e-9


def test_every_kernel_backend_gives_the_same_weights(tmp_path, aot_dir):
    """numba JIT, the ahead-of-time build (packaged app) and the numpy path agree."""
    script = (
        "import numpy as np, sys\n"
        "from somdesk.core import SOM, SOMConfig, kernels\n"
        "rng = np.random.default_rng(3); x = rng.random((12, 3)); w0 = rng.random((9, 11, 3))\n"
        "out = {}\n"
        "for nb in ('gaussian', 'bubble', 'mexican-hat', 'triangle'):\n"
        "  for topo in ('rectangular', 'hexagonal'):\n"
        "    for tor in (False, True):\n"
        "      c = SOMConfig(width=11, height=9 + (1 if topo == 'hexagonal' and tor else 0), iterations=25,\n"
        "                    neighbourhood=nb, topology=topo, toroidal=tor, order='shuffled', seed=4)\n"
        "      w = w0 if c.height == 9 else np.concatenate([w0, w0[:1]])\n"
        "      out[f'{nb}-{topo}-{tor}'] = SOM(x, c, weights=w).train().weights\n"
        "  c = SOMConfig(width=11, height=9, iterations=10, mode='batch', neighbourhood='gaussian' if nb == 'mexican-hat' else nb)\n"
        "  out[f'batch-{nb}'] = SOM(x, c, weights=w0).train().weights\n"
        "out['two-nearest'] = kernels.two_nearest(w0.reshape(-1, 3), rng.random((50, 3))).astype(float)\n"
        "print(kernels.BACKEND, file=sys.stderr)\n"
        "np.savez(sys.argv[1], **out)\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    results = {}
    for backend in ("numba", "numpy", "aot"):
        env = dict(os.environ, SOMDESK_KERNELS=backend,
                   PYTHONPATH=os.pathsep.join([str(aot_dir), root, os.environ.get("PYTHONPATH", "")]))
        path = tmp_path / f"{backend}.npz"
        proc = subprocess.run([sys.executable, "-c", script, str(path)], env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.strip() == backend
        results[backend] = dict(np.load(path))
    for other in ("numpy", "aot"):
        for key, value in results["numba"].items():
            assert np.max(np.abs(value - results[other][key])) <= 1e-9, (other, key)


def test_a_336_colour_palette_with_duplicates_matches_reference():
    """The Visibone job's shape (336 colours, a third of them repeated) on the planar kernel."""
    steps = np.array([0, 51, 102, 153, 204, 255]) / 255.0
    web = np.stack(np.meshgrid(steps, steps, steps, indexing="ij"), -1).reshape(-1, 3)   # 216
    rng = np.random.default_rng(336)
    colours = np.concatenate([web, web[rng.integers(0, 216, 120)]])                      # 336, with repeats
    w0 = rng.random((48, 64, 3))
    expected = classic_reference(w0, colours, 12)
    som = SOM(colours, SOMConfig(width=64, height=48, iterations=12), weights=w0).train()
    assert np.max(np.abs(som.weights - expected)) <= 1e-6
