"""Training data checks and the product search's preparation, made without (N, D) temporaries,
decide exactly as the element-wise formulas do."""
import numpy as np
import pytest

from somdesk.core import bmu_products
from somdesk.core.som import MAX_ABS_VALUE, as_data
from somdesk.errors import SomdeskError


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", [(0, 0), (17, 2), (-1, -1)])
def test_any_nan_or_infinity_anywhere_is_refused(bad, where):
    x = np.random.default_rng(0).normal(size=(40, 3))
    x[where] = bad
    with pytest.raises(SomdeskError, match="NaN or infinite"):
        as_data(x)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_the_magnitude_limit_holds_on_both_sides(sign):
    x = np.zeros((5, 2))
    x[3, 1] = sign * MAX_ABS_VALUE
    assert as_data(x)[3, 1] == sign * MAX_ABS_VALUE
    x[3, 1] = sign * np.nextafter(MAX_ABS_VALUE, np.inf)
    with pytest.raises(SomdeskError, match="beyond"):
        as_data(x)


@pytest.mark.parametrize("seed", range(6))
def test_prepared_scale_is_the_power_of_two_of_the_largest_centred_magnitude(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(200, 7)) * 10.0 ** rng.integers(-20, 20, size=7) + rng.normal(size=7) * 1e3
    prep = bmu_products.PreparedData(x)
    spread = float(np.max(np.abs(x - x.mean(axis=0))))      # the element-wise definition
    assert prep.scale == float(np.ldexp(1.0, -np.frexp(spread)[1]))
    assert 0.5 <= float(np.max(np.abs((x - prep.mean) * prep.scale))) < 1.0
