import os
import subprocess
import sys

import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig
from somdesk.core.kernels import neighbourhood


def test_batch_epoch_is_kohonens_batch_map():
    """One batch epoch = every node becomes the h-weighted mean of the data (dense check)."""
    rng = np.random.default_rng(2)
    x = rng.random((40, 3))
    w0 = rng.random((5, 6, 3))
    som = SOM(x, SOMConfig(width=6, height=5, iterations=10, mode="batch"), weights=w0)
    sigma, _ = som.schedule_at(0)
    som.step()
    wf = w0.reshape(-1, 3)
    b = np.argmin(((x[:, None, :] - wf[None]) ** 2).sum(-1), axis=1)
    rows, cols = np.divmod(np.arange(30), 6)
    d2 = (rows[:, None] - rows[b][None]) ** 2 + (cols[:, None] - cols[b][None]) ** 2  # (nodes, samples)
    h = neighbourhood("gaussian", d2.astype(float), sigma)
    expected = (h @ x) / h.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(som.weights.reshape(-1, 3), expected, atol=1e-12)


def test_batch_training_organises_colours():
    x = np.random.default_rng(3).random((500, 3))
    x[:, 2] = 0.5  # a flat sheet of colours, which a 2-D map can cover
    som = SOM(x, SOMConfig(width=12, height=12, iterations=25, mode="batch", seed=1))
    before = som.quantization_error(), som.topographic_error()
    som.train()
    assert som.quantization_error() < before[0]
    assert som.topographic_error() < 0.1 < before[1]


def test_million_samples_batch_epoch_stays_under_one_gib(tmp_path):
    script = (
        "import resource, numpy as np\n"
        "from somdesk.core import SOM, SOMConfig\n"
        "x = np.random.default_rng(0).random((1_000_000, 3))\n"
        "som = SOM(x, SOMConfig(width=100, height=100, iterations=2, mode='batch', seed=0))\n"
        "som.step()\n"
        "print(int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    peak_kib = int(proc.stdout.strip().splitlines()[-1])
    assert peak_kib < 1024 * 1024, f"peak {peak_kib / 1024:.0f} MiB"


@pytest.mark.parametrize("toroidal", [False, True])
@pytest.mark.parametrize("sigma", [0.6, 3.0, 12.5])
def test_gaussian_smoothing_equals_the_dense_neighbourhood_sum(toroidal, sigma):
    """The separable gaussian smoothing of the batch update (two small products, square grids)
    is the dense h (M, M) sum, with the CUTOFF applied per axis as the kernels do."""
    from somdesk.core import kernels

    rng = np.random.default_rng(int(sigma * 10))
    h, w, d = 15, 25, 30
    sums, counts = rng.random((h * w, d)), rng.integers(0, 9, h * w).astype(float)
    num, den = kernels.batch_smooth(sums, counts, h, w, sigma, "gaussian", False, toroidal)
    r, c = np.divmod(np.arange(h * w), w)
    dr, dc = np.abs(r[:, None] - r[None]), np.abs(c[:, None] - c[None])
    if toroidal:
        dr, dc = np.minimum(dr, h - dr), np.minimum(dc, w - dc)
    gy, gx = np.exp(-dr ** 2 / (2 * sigma ** 2)), np.exp(-dc ** 2 / (2 * sigma ** 2))
    gy[gy < kernels.CUTOFF] = 0.0
    gx[gx < kernels.CUTOFF] = 0.0
    np.testing.assert_allclose(num, (gy * gx) @ sums, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(den, (gy * gx) @ counts, rtol=1e-13, atol=1e-300)


def test_nodes_without_support_keep_their_weights():
    """A bubble of radius ~1 around few BMUs leaves most nodes with a zero denominator:
    those keep their weights exactly, the others become their neighbourhood's mean."""
    rng = np.random.default_rng(4)
    w0 = rng.random((8, 9, 3))
    x = w0[[0, 0, 7], [0, 1, 8]] + 1e-3                 # three samples near two corners
    cfg = SOMConfig(width=9, height=8, iterations=50, mode="batch", neighbourhood="bubble", sigma=1.0)
    som = SOM(x, cfg, weights=w0)
    sigma, _ = som.schedule_at(0)
    som.step()
    wf = w0.reshape(-1, 3)
    b = np.argmin(((x[:, None, :] - wf[None]) ** 2).sum(-1), axis=1)
    rows, cols = np.divmod(np.arange(72), 9)
    d2 = (rows[:, None] - rows[b][None]) ** 2 + (cols[:, None] - cols[b][None]) ** 2
    h = neighbourhood("bubble", d2.astype(float), sigma)
    den = h.sum(axis=1)
    got = som.weights.reshape(-1, 3)
    assert 0 < np.count_nonzero(den) < 72
    np.testing.assert_array_equal(got[den == 0], wf[den == 0])
    np.testing.assert_allclose(got[den > 0], (h @ x)[den > 0] / den[den > 0, None], atol=1e-12)
