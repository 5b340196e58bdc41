"""The per-epoch checks of the many-epochs kernel: the finiteness test on the weights' bits and
the undo of an epoch that left a weight NaN or infinite."""
import numpy as np
import pytest

from somdesk.core import kernels

EDGES = [0.0, -0.0, 1.0, -1.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
         -1.7976931348623157e308, np.inf, -np.inf, np.nan, -np.nan]


def _numba():
    if kernels.BACKEND != "numba":
        pytest.skip("the many-epochs kernel runs under the numba JIT only")
    from somdesk.core import _online_numba
    return _online_numba


def test_all_finite_flat_agrees_with_numpy_on_every_edge_value():
    on = _numba()
    rng = np.random.default_rng(4)
    for edge in EDGES:
        for size in (1, 7, 64, 1001):
            a = rng.normal(size=size) * 10.0 ** rng.integers(-300, 300, size=size)
            a[rng.integers(size)] = edge
            assert on.all_finite_flat(a) == bool(np.all(np.isfinite(a))), (edge, size)
    nan_payload = np.array([0x7FF0000000000001, 0xFFF8000000000123], dtype=np.uint64).view(np.float64)
    for v in nan_payload:
        assert not on.all_finite_flat(np.array([1.0, v, 2.0]))


def _run(on, wp, x, orders, flag=None):
    boxes = kernels.TileBoxes(*wp.shape[1:], wp.shape[0])
    bmus = np.empty(orders.shape, np.int64)
    e = len(orders)
    out = on.online_epochs(wp, x, orders, np.full(e, 0.5), np.full(e, 3.0), 0, False, False,
                           np.zeros(len(x), np.int64), bmus, boxes.lo, boxes.hi, boxes.dirty,
                           np.zeros(1, np.int64) if flag is None else flag, np.empty_like(wp),
                           np.empty(0, np.int64), np.empty((0, 1)))
    return out, boxes


def test_an_epoch_that_makes_a_weight_infinite_is_undone_and_reported():
    on = _numba()
    rng = np.random.default_rng(2)
    w0 = rng.random((3, 10, 12))
    x = rng.random((6, 3))
    x[5, 1] = np.inf                     # the kernel does not validate: input 5 poisons the map
    orders = np.array([[0, 1, 2, 3, 4, 0], [0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 0]], np.int64)
    first = w0.copy()
    assert _run(on, first, x, orders[:1])[0] == (1, 0)
    wp = w0.copy()
    (done, status), boxes = _run(on, wp, x, orders)
    assert (done, status) == (1, 2)
    np.testing.assert_array_equal(wp, first)       # the second epoch was undone, bit for bit
    assert np.all(boxes.dirty == 1)


def test_a_set_flag_stops_before_the_next_epoch():
    on = _numba()
    rng = np.random.default_rng(3)
    wp = rng.random((3, 8, 9))
    before = wp.copy()
    x = rng.random((5, 3))
    (done, status), _ = _run(on, wp, x, np.tile(np.arange(5, dtype=np.int64), (3, 1)),
                             flag=np.ones(1, np.int64))
    assert (done, status) == (0, 1)
    np.testing.assert_array_equal(wp, before)
