"""A column of very small but different numbers (all below ~1e-154) is not constant: spreads are
computed on scaled values, whose squares do not underflow (tester10 #19)."""
import numpy as np

from somdesk.core.preparation import fit_recipe, population_std
from somdesk.session.segments import segment_profiles

TINY = np.array([1e-300, 2e-300, 3e-300, 0.0, 5e-300])


def test_population_std_of_tiny_values():
    assert np.isclose(population_std(TINY) * 1e300, np.std(TINY * 1e300))
    a = np.random.default_rng(0).random((40, 3)); a[5, 2] = np.nan
    assert np.allclose(population_std(a, 0), np.nanstd(a, 0))
    assert population_std(np.zeros(4)) == 0.0


def test_a_tiny_column_is_not_called_constant():
    cells = {"a": TINY, "b": np.array([1.0, 2, 3, 4, 6])}
    recipe, warnings = fit_recipe(cells, {"a": "numeric", "b": "numeric"}, ["a", "b"])
    assert not any("same value" in w for w in warnings)
    assert np.isclose(recipe.scale[0] * 1e300, np.std(TINY * 1e300))


def test_profiles_z_of_a_tiny_column():
    prof = segment_profiles(TINY[:, None], ["a"], np.array([0, 0, 1, 1, 1]))
    assert prof["all_std"][0] > 0 and prof["z"][0, 0] != 0
