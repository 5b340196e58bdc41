"""Data measured against a map must have the map's number of features (testerH #1).

The compiled searches read D values a row: a table of another width used to be searched
anyway (reading past its rows) and gave BMUs and errors with no meaning.  Every public entry
point now refuses it with the shapes said; a 1-D array of D values is one sample; a 1-D
training array is refused (it could be one sample or one feature)."""
import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig, metrics
from somdesk.core import kernels
from somdesk.core.batch_map import node_sums
from somdesk.core.masked_som import masked_bmus
from somdesk.errors import SomdeskError


@pytest.fixture(scope="module")
def som():
    x = np.random.default_rng(0).random((20, 3))
    return SOM(x, SOMConfig(width=5, height=5, iterations=3, seed=1)).train()


MEASURES = ["bmus", "quantization_error", "topographic_error", "hit_counts"]
WRONG = [(4, 1), (4, 2), (4, 5), (4, 30)]


@pytest.mark.parametrize("shape", WRONG)
@pytest.mark.parametrize("name", MEASURES)
def test_som_measures_refuse_another_width(som, name, shape):
    with pytest.raises(SomdeskError, match=rf"data has {shape[1]} columns?; the map has 3 \(features\)"):
        getattr(som, name)(np.random.default_rng(1).random(shape))


@pytest.mark.parametrize("shape", WRONG)
@pytest.mark.parametrize("name", MEASURES)
def test_metrics_functions_refuse_another_width(som, name, shape):
    with pytest.raises(SomdeskError, match=rf"data has {shape[1]} columns?; the map has 3"):
        getattr(metrics, name)(som.weights, np.ones(shape))


@pytest.mark.parametrize("name", MEASURES)
def test_a_1d_array_of_d_values_is_one_sample(som, name):
    one = np.array([0.1, 0.2, 0.3])
    got = getattr(som, name)(one)
    want = getattr(som, name)(one[None, :])
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(getattr(metrics, name)(som.weights, one), want)
    assert som.bmus(one).shape == (1, 2)


@pytest.mark.parametrize("length", [1, 2, 5, 20])
@pytest.mark.parametrize("name", MEASURES)
def test_a_1d_array_of_another_length_is_refused(som, name, length):
    with pytest.raises(SomdeskError, match=rf"1-D array of {length} values?; the map has 3"):
        getattr(som, name)(np.zeros(length))
    with pytest.raises(SomdeskError, match="1-D array"):
        getattr(metrics, name)(som.weights, np.zeros(length))


def test_nan_in_new_data_is_not_called_training_data(som):
    with pytest.raises(SomdeskError) as err:
        som.bmus(np.full((4, 3), np.nan))
    assert str(err.value) == "data contains NaN or infinite values"


def test_weights_that_are_not_a_map_are_refused():
    with pytest.raises(SomdeskError, match=r"weights must have shape \(height, width, features\)"):
        metrics.bmus(np.zeros((4, 3)), np.zeros((2, 3)))


def test_training_refuses_a_1d_array():
    with pytest.raises(SomdeskError, match=r"1-D array of 20 values: give x.reshape\(-1, 1\)"):
        SOM(np.arange(20.0), SOMConfig(width=3, height=3, iterations=2))
    # the way the message says works
    assert SOM(np.arange(20.0).reshape(-1, 1), SOMConfig(width=3, height=3, iterations=2)).weights.shape == (3, 3, 1)


@pytest.mark.parametrize("cols", [1, 2, 5])
def test_every_search_guards_the_width(som, cols):
    """The kernels' entry points and the other core functions that search a codebook."""
    wf = np.ascontiguousarray(som.weights.reshape(-1, 3))
    x = np.ones((6, cols))
    for call in (lambda: kernels.bmus_of(wf, x), lambda: kernels.two_nearest(wf, x),
                 lambda: kernels.nearest_and_second(wf, x), lambda: node_sums(wf, x),
                 lambda: masked_bmus(wf, x), lambda: masked_bmus(som.weights, x)):
        with pytest.raises(SomdeskError, match=rf"has {cols} columns?; the map has 3"):
            call()
