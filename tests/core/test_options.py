import math

import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig
from somdesk.core.options import DECAYS, INITS, NEIGHBOURHOODS, ORDERS, TOPOLOGIES
from somdesk.core.schedules import schedule
from somdesk.errors import OptionError

COLOURS = np.random.default_rng(0).random((10, 3))


@pytest.mark.parametrize("field,valid", [("neighbourhood", NEIGHBOURHOODS), ("decay", DECAYS),
                                         ("topology", TOPOLOGIES), ("init", INITS), ("order", ORDERS),
                                         ("mode", ("classic", "batch"))])
def test_unknown_choice_names_the_valid_ones(field, valid):
    with pytest.raises(OptionError) as err:
        SOMConfig(**{field: "nonsense"})
    for name in valid:
        assert name in str(err.value)


@pytest.mark.parametrize("kwargs", [dict(width=0), dict(height=-3), dict(width=5000), dict(width=1500, height=1500),
                                    dict(iterations=0), dict(learning_rate=0), dict(learning_rate=1.5),
                                    dict(learning_rate=float("nan")), dict(sigma=-1), dict(sigma=float("inf")),
                                    dict(seed=-1), dict(width=2.5)])
def test_out_of_range_values_are_refused(kwargs):
    with pytest.raises(OptionError):
        SOMConfig(**kwargs)


def test_aliases_are_canonicalised():
    c = SOMConfig(neighbourhood="Mexican_Hat", decay="exponential", topology="hex", init="PCA", order="shuffle")
    assert (c.neighbourhood, c.decay, c.topology, c.init, c.order) == ("mexican-hat", "classic", "hexagonal", "pca", "shuffled")


def test_hexagonal_toroidal_needs_even_height():
    with pytest.raises(OptionError, match="even height"):
        SOMConfig(topology="hexagonal", toroidal=True, height=5)
    SOMConfig(topology="hexagonal", toroidal=True, height=6)


def test_batch_refuses_mexican_hat():
    with pytest.raises(OptionError, match="batch"):
        SOM(COLOURS, SOMConfig(width=4, height=4, mode="batch", neighbourhood="mexican-hat"))


@pytest.mark.parametrize("nb", NEIGHBOURHOODS)
@pytest.mark.parametrize("topology", TOPOLOGIES)
@pytest.mark.parametrize("toroidal", [False, True])
def test_every_neighbourhood_and_topology_organises(nb, topology, toroidal):
    # the mexican hat's negative rim pushes neighbours away: keep it narrow
    cfg = SOMConfig(width=8, height=6, iterations=150, neighbourhood=nb, topology=topology,
                    toroidal=toroidal, seed=1, learning_rate=0.3 if nb != "mexican-hat" else 0.1,
                    sigma=None if nb != "mexican-hat" else 0.5)
    som = SOM(COLOURS, cfg)
    before = som.quantization_error()
    som.train()
    assert np.all(np.isfinite(som.weights))
    assert som.quantization_error() < before


@pytest.mark.parametrize("init", INITS)
def test_inits(init):
    som = SOM(COLOURS, SOMConfig(width=7, height=5, init=init, seed=3))
    w = som.weights
    assert w.shape == (5, 7, 3)
    lo, hi = COLOURS.min(0), COLOURS.max(0)
    if init == "random-samples":
        assert all(any(np.array_equal(node, c) for c in COLOURS) for node in w.reshape(-1, 3))
    elif init == "random-uniform":
        assert np.all(w >= lo) and np.all(w <= hi)
        assert len(np.unique(w.reshape(-1, 3), axis=0)) == 35
    else:  # pca: a plane, so a linear function of (row, column); mean at the centre
        rows, cols = np.mgrid[0:5, 0:7]
        a = np.column_stack([np.ones(35), rows.ravel(), cols.ravel()])
        resid = np.linalg.lstsq(a, w.reshape(-1, 3), rcond=None)[1]
        assert np.allclose(resid, 0, atol=1e-18)
        assert np.allclose(w[2, 3], COLOURS.mean(0))


def test_pca_init_on_one_sample_is_defined():
    som = SOM(COLOURS[:1], SOMConfig(width=3, height=3, init="pca"))
    assert np.allclose(som.weights, COLOURS[0])


def test_sigma_and_learning_rate_options_reach_the_schedule():
    som = SOM(COLOURS, SOMConfig(width=10, height=4, iterations=100, sigma=3.0, learning_rate=0.5))
    assert som.schedule_at(0) == (3.0, 0.5)
    s, a = som.schedule_at(50)
    lam = 100 / math.log(3.0)
    assert s == pytest.approx(3.0 * math.exp(-50 / lam)) and a == pytest.approx(0.5 * math.exp(-50 / lam))


def test_classic_schedule_matches_the_seed():
    sigma0 = 50.0
    lam = 1000 / math.log(sigma0)
    for t in (0, 1, 500, 999):
        s, a = schedule("classic", t, 1000, sigma0, 0.1)
        assert s == pytest.approx(sigma0 * math.exp(-t / lam), rel=1e-15)
        assert a == pytest.approx(0.1 * math.exp(-t / lam), rel=1e-15)


@pytest.mark.parametrize("side", [1, 2])
def test_tiny_grids_where_ln_sigma0_is_not_positive_are_defined(side):
    # sigma0 = 0.5 or 1: ln <= 0; documented: lambda = T, both fall by e over the run
    cfg = SOMConfig(width=side, height=side, iterations=100)
    s0, a0 = schedule("classic", 0, 100, cfg.sigma0, 0.1)
    s1, a1 = schedule("classic", 100, 100, cfg.sigma0, 0.1)
    assert s1 == pytest.approx(s0 / math.e) and a1 == pytest.approx(a0 / math.e)
    som = SOM(COLOURS, cfg).train()
    assert np.all(np.isfinite(som.weights))


@pytest.mark.parametrize("decay", DECAYS)
def test_decays_shrink_monotonically_and_end_near_one(decay):
    vals = [schedule(decay, t, 200, 20.0, 0.2) for t in range(201)]
    sig = [v[0] for v in vals]
    alp = [v[1] for v in vals]
    assert sig[0] == 20.0 and alp[0] == 0.2
    assert all(b <= a for a, b in zip(sig, sig[1:])) and all(b <= a for a, b in zip(alp, alp[1:]))
    assert sig[-1] == pytest.approx(1.0)


def test_linear_and_inverse_schedules_follow_their_formulas():
    assert schedule("linear", 50, 100, 11.0, 0.4) == pytest.approx((6.0, 0.2))
    c = 100 / 100
    cs = 100 / (11.0 - 1)
    assert schedule("inverse", 30, 100, 11.0, 0.4) == pytest.approx((11.0 * cs / (cs + 30), 0.4 * c / (c + 30)))


def test_shuffled_order_differs_from_sequential_and_is_a_permutation():
    som = SOM(COLOURS, SOMConfig(width=4, height=4, order="shuffled", seed=9))
    orders = [som.order_at(t) for t in range(5)]
    assert all(sorted(o) == list(range(10)) for o in orders)
    assert any(list(o) != list(range(10)) for o in orders)
    assert list(SOM(COLOURS, SOMConfig(width=4, height=4)).order_at(3)) == list(range(10))


def test_bad_data_is_refused():
    from somdesk.errors import SomdeskError
    for bad in (np.zeros((0, 3)), np.array([[np.nan, 0, 0]]), "abc", np.zeros((2, 0))):
        with pytest.raises(SomdeskError):
            SOM(bad, SOMConfig(width=3, height=3))
