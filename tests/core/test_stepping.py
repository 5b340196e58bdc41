"""Stepping, pausing, resuming and reseeding give exactly the uninterrupted run."""
import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig

COLOURS = np.random.default_rng(11).random((15, 3))
CONFIGS = [
    SOMConfig(width=12, height=9, iterations=60, seed=5),
    SOMConfig(width=12, height=9, iterations=60, seed=5, order="shuffled", topology="hexagonal",
              neighbourhood="bubble", decay="linear"),
    SOMConfig(width=12, height=10, iterations=40, seed=5, mode="batch", toroidal=True, topology="hexagonal"),
    SOMConfig(width=12, height=9, iterations=60, seed=5, init="pca", neighbourhood="mexican-hat", decay="inverse"),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.mode}-{c.topology}-{c.neighbourhood}")
def test_step_by_step_equals_one_run(config):
    whole = SOM(COLOURS, config).train().weights
    som = SOM(COLOURS, config)
    infos = []
    while (info := som.step()) is not None:
        infos.append(info)
    assert [i.iteration for i in infos] == list(range(config.iterations))
    assert som.done and som.step() is None
    np.testing.assert_array_equal(som.weights, whole)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.mode}-{c.topology}-{c.neighbourhood}")
def test_pause_and_resume_with_the_generator(config):
    whole = SOM(COLOURS, config).train().weights
    som = SOM(COLOURS, config)
    gen = som.steps()
    for _ in range(17):
        next(gen)
    gen.close()  # paused: nothing runs
    assert som.iteration == 17
    som.train(callback=lambda info: info.iteration < 30)  # stop cooperatively
    assert som.iteration == 31
    som.train()
    np.testing.assert_array_equal(som.weights, whole)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.mode}-{c.topology}-{c.neighbourhood}")
def test_save_load_resume_equals_uninterrupted(config, tmp_path):
    from somdesk.io.mapfile import load_map, save_map

    whole = SOM(COLOURS, config).train().weights
    som = SOM(COLOURS, config)
    for _ in range(23):
        som.step()
    save_map(som, tmp_path / "half.somz")
    loaded = load_map(tmp_path / "half.somz").som
    assert loaded.iteration == 23 and loaded.config == config
    np.testing.assert_array_equal(loaded.data, COLOURS)
    loaded.train()
    np.testing.assert_array_equal(loaded.weights, whole)


def test_unseeded_run_is_resumable_too(tmp_path):
    from somdesk.io.mapfile import load_map, save_map

    config = SOMConfig(width=6, height=6, iterations=30, order="shuffled")
    som = SOM(COLOURS, config)
    twin = SOM(COLOURS, config.replace(seed=som.seed))
    for _ in range(10):
        som.step()
    save_map(som, tmp_path / "m.somz")
    loaded = load_map(tmp_path / "m.somz").som.train()
    np.testing.assert_array_equal(loaded.weights, twin.train().weights)


@pytest.mark.parametrize("init", ["random-uniform", "random-samples", "pca"])
def test_seed_makes_runs_bit_for_bit_repeatable(init):
    cfg = SOMConfig(width=10, height=7, iterations=40, order="shuffled", init=init, seed=123)
    a = SOM(COLOURS, cfg).train().weights
    b = SOM(COLOURS, cfg).train().weights
    assert a.tobytes() == b.tobytes()
    if init != "pca":  # pca has no randomness
        c = SOM(COLOURS, cfg.replace(seed=124)).train().weights
        assert not np.array_equal(a, c)


def test_reset_returns_to_the_initial_weights():
    som = SOM(COLOURS, SOMConfig(width=5, height=5, iterations=20, seed=1))
    start = som.weights.copy()
    som.train()
    som.reset()
    assert som.iteration == 0
    np.testing.assert_array_equal(som.weights, start)


def test_weights_setter_checks_shape():
    from somdesk.errors import SomdeskError

    som = SOM(COLOURS, SOMConfig(width=5, height=4))
    with pytest.raises(SomdeskError, match="shape"):
        som.weights = np.zeros((5, 4, 3))
