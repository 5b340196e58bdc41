"""The compiled U-matrix (live maps in the window) gives the numpy loop's values bit for bit."""
import numpy as np
import pytest

from somdesk.core import kernels
from somdesk.core.metrics import u_matrix, u_matrix_numpy


@pytest.mark.parametrize("hexagonal", [False, True])
@pytest.mark.parametrize("toroidal", [False, True])
@pytest.mark.parametrize("shape", [(1, 1, 3), (1, 7, 3), (2, 5, 3), (3, 3, 1), (7, 4, 3), (11, 13, 7),
                                   (6, 9, 8), (20, 30, 3)])
def test_compiled_u_matrix_equals_the_numpy_loop(shape, hexagonal, toroidal):
    rng = np.random.default_rng(sum(shape))
    w = rng.normal(size=shape) * 10.0 ** rng.integers(-3, 4, size=shape)
    planar = np.ascontiguousarray(np.moveaxis(w, -1, 0))
    frozen = w.copy()
    frozen.flags.writeable = False
    for layout in (w, np.moveaxis(planar, 0, -1), frozen):    # SOM.weights is a view of planes
        # (numpy's own sums depend on the layout from 8 dimensions on: compared layout by layout)
        np.testing.assert_array_equal(u_matrix(layout, hexagonal, toroidal),
                                      u_matrix_numpy(layout, hexagonal, toroidal))
    np.testing.assert_allclose(u_matrix(w, hexagonal, toroidal), u_matrix_numpy(planar.transpose(1, 2, 0),
                               hexagonal, toroidal), rtol=1e-12)


def test_the_kernel_is_used_where_it_applies():
    if kernels.BACKEND != "numba":
        pytest.skip("compiled U-matrix under the numba JIT only")
    w = np.random.default_rng(0).random((5, 6, 3))
    assert kernels.u_matrix(w, True, True) is not None
    assert kernels.u_matrix(np.zeros((5, 6, 8)), False, False) is None   # numpy sums 8+ pairwise
    assert kernels.u_matrix(np.zeros((2, 6, 3)), False, True) is None    # small torus: numpy's rule
