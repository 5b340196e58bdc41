import numpy as np
import pytest

from somdesk.core import bmus, hit_counts, quantization_error, topographic_error, u_matrix


def grid(values):
    return np.asarray(values, dtype=np.float64)


def test_quantization_error_and_bmus_on_hand_made_map():
    w = grid([[[0.0], [1.0], [2.0]]])  # 1 row, 3 columns, 1-D weights
    x = np.array([[0.1], [1.8], [5.0]])
    assert quantization_error(w, x) == pytest.approx((0.1 + 0.2 + 3.0) / 3)
    np.testing.assert_array_equal(bmus(w, x), [[0, 0], [0, 2], [0, 2]])
    np.testing.assert_array_equal(hit_counts(w, x), [[1, 0, 2]])


def test_ties_go_to_the_first_node_in_row_major_order():
    w = grid([[[1.0], [0.0]], [[0.0], [1.0]]])
    np.testing.assert_array_equal(bmus(w, np.array([[0.0], [0.5]])), [[0, 1], [0, 0]])


def test_topographic_error_rectangular_counts_diagonals_as_neighbours():
    w = np.zeros((3, 3, 1))
    w[0, 0] = 0.0
    w[1, 1] = 0.1  # diagonal neighbour of (0,0): no error
    w[2, 2] = 0.15
    others = [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]
    for k, (i, j) in enumerate(others):
        w[i, j] = 10 + k
    assert topographic_error(w, np.array([[0.0]])) == 0.0
    w[1, 1] = 10.5  # now the second best is (2,2): two steps away
    assert topographic_error(w, np.array([[0.0]])) == 1.0


def test_topographic_error_is_toroidal_aware():
    w = np.arange(5, dtype=float).reshape(1, 5, 1) * 10
    w[0, 4] = 1.0  # second best of x=0 is the last column
    x = np.array([[0.0]])
    assert topographic_error(w, x, toroidal=False) == 1.0
    assert topographic_error(w, x, toroidal=True) == 0.0


def test_topographic_error_hexagonal_neighbours():
    # odd-r: (1, 0)'s neighbours include (0, 0) and (0, 1); (0, 0)'s do not include (1, 1)
    w = np.full((2, 2, 1), 100.0)
    w[0, 0] = 0.0
    w[1, 1] = 0.1
    assert topographic_error(w, np.array([[0.0]]), hexagonal=True) == 1.0
    assert topographic_error(w, np.array([[0.0]]), hexagonal=False) == 0.0  # diagonal on a rect grid
    w[1, 1] = 100.0
    w[1, 0] = 0.1
    assert topographic_error(w, np.array([[0.0]]), hexagonal=True) == 0.0


def test_u_matrix_on_a_hand_made_rectangular_map():
    w = np.zeros((2, 2, 1))
    w[0, 0] = 3.0
    u = u_matrix(w)
    # (0,0) has 3 neighbours at distance 3; each other node has (0,0) among its 3 neighbours
    np.testing.assert_allclose(u, [[3.0, 1.0], [1.0, 1.0]])


def test_u_matrix_hexagonal_and_toroidal():
    w = np.zeros((4, 4, 1))
    w[0, 0] = 6.0
    u = u_matrix(w, hexagonal=True)
    assert u[0, 0] == pytest.approx(6.0)          # 2 neighbours (right, below), both differ by 6
    # odd row 1, column 0 touches (0,0), (0,1), (1,1), (2,0), (2,1): one of five differs
    assert u[1, 0] == pytest.approx(6.0 / 5)
    ut = u_matrix(w, hexagonal=True, toroidal=True)
    assert ut[0, 0] == pytest.approx(6.0)
    assert ut[3, 3] > 0  # wraps to (0, 0)
    assert u[3, 3] == 0


def test_metrics_cost_no_more_than_the_map():
    w = np.random.default_rng(0).random((40, 30, 3))
    x = np.random.default_rng(1).random((500, 3))
    assert 0 <= topographic_error(w, x) <= 1
    assert u_matrix(w).shape == (40, 30)
    assert hit_counts(w, x).sum() == 500


@pytest.mark.parametrize("shape", [(1, 6), (2, 5), (6, 1), (2, 2), (1, 1)])
@pytest.mark.parametrize("hexagonal", [False, True])
def test_u_matrix_on_thin_tori_counts_each_neighbour_once_and_never_self(shape, hexagonal):
    from somdesk.core.metrics import neighbour_offsets
    h, w = shape
    weights = np.random.default_rng(1).random((h, w, 2))
    expected = np.zeros(shape)
    for i in range(h):
        for j in range(w):
            ns = {((i + di) % h, (j + dj) % w) for di, dj in neighbour_offsets(i, hexagonal)} - {(i, j)}
            if ns:
                expected[i, j] = np.mean([np.linalg.norm(weights[i, j] - weights[n]) for n in ns])
    np.testing.assert_allclose(u_matrix(weights, hexagonal=hexagonal, toroidal=True), expected)
    if shape == (1, 6):
        line = np.arange(6.0)[None, :, None]
        np.testing.assert_allclose(u_matrix(line, toroidal=True), [[3, 1, 1, 1, 1, 3]])


def test_values_too_large_for_float64_distances_are_refused():
    from somdesk.core import SOM, SOMConfig
    from somdesk.errors import SomdeskError
    with pytest.raises(SomdeskError, match="beyond"):
        SOM(np.array([[1e300, 0.0]]), SOMConfig(width=2, height=2))
    som = SOM(np.zeros((2, 2)), SOMConfig(width=2, height=2))
    with pytest.raises(SomdeskError, match="beyond"):
        som.weights = np.full((2, 2, 2), 1e200)


@pytest.mark.parametrize("shape", [(25, 3), (75,), (1, 5, 5, 3), (0, 5, 3)])
def test_u_matrix_of_weights_not_h_w_d_names_the_shape(shape):
    """testerI 8e: u_matrix(w.reshape(25, 3)) raised a bare ValueError ("not enough values to unpack")."""
    from somdesk.errors import SomdeskError

    with pytest.raises(SomdeskError, match=r"weights must have shape \(height, width, features\)") as info:
        u_matrix(np.zeros(shape))
    assert str(shape) in str(info.value)


def test_quantization_error_of_no_rows_is_refused():
    """testerI 8e: the mean of no distances was 0.0, read as a perfect map."""
    from somdesk.errors import SomdeskError

    with pytest.raises(SomdeskError, match="data has no rows"):
        quantization_error(np.zeros((2, 2, 3)), np.zeros((0, 3)))
