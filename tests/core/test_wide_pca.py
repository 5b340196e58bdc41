"""Wide tables (more columns than rows): the pca start and the automatic map size work on
the N x N Gram matrix, not the D x D covariance (O(D^3): minutes at 10,000 columns)."""
import numpy as np
import pytest

from somdesk.core.initialise import initial_weights, pca_plane
from somdesk.core.preparation import auto_map_size


def _wide(n=12, d=60, seed=3):
    rng = np.random.default_rng(seed)
    # a dominant direction so the two leading components are well separated
    return rng.normal(size=(n, d)) + np.outer(np.linspace(-3, 3, n), rng.normal(size=d))


def test_wide_pca_start_equals_the_covariance_start():
    x = _wide()
    mean = x.mean(axis=0)
    cov = (x - mean).T @ (x - mean) / (len(x) - 1)
    expected = pca_plane(mean, cov, 5, 7)
    got = initial_weights("pca", x, 5, 7, np.random.default_rng(0))
    np.testing.assert_allclose(got, expected, atol=1e-9)


def test_wide_auto_map_size_equals_the_covariance_rule():
    x = _wide()
    import math
    xc = x - x.mean(axis=0)
    eig = np.sort(np.linalg.eigvalsh(xc.T @ xc / (len(x) - 1)))
    munits = math.ceil(5 * len(x) ** 0.54321)
    ratio = math.sqrt(eig[-1] / eig[-2])
    short = int(max(1, round(math.sqrt(munits / ratio))))
    assert auto_map_size(x) == (max(round(munits / short), short), min(round(munits / short), short))


@pytest.mark.parametrize("call", [
    lambda x: initial_weights("pca", x, 4, 4, np.random.default_rng(0)),
    lambda x: auto_map_size(x),
])
def test_wide_data_never_decomposes_a_columns_by_columns_matrix(monkeypatch, call):
    x = _wide(n=10, d=3000)
    seen = []
    for name in ("eigh", "eigvalsh"):
        real = getattr(np.linalg, name)

        def spy(a, *args, _real=real, **kw):
            seen.append(np.shape(a))
            return _real(a, *args, **kw)
        monkeypatch.setattr(np.linalg, name, spy)
    call(x)
    assert seen and all(max(s) <= 10 for s in seen), seen
