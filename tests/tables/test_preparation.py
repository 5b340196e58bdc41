"""core.preparation (weights, passive, one-hot, missing, automatic size) and core.masked_som."""
import math

import numpy as np
import pytest

from somdesk.core.masked_som import masked_bmus, passive_planes, train_masked
from somdesk.core.preparation import Recipe, auto_epochs, auto_map_size, fit_recipe
from somdesk.errors import FileFormatError, OptionError
from somdesk.io.table import read_table_bytes

TEXT = ("id,age,income,region,spend\n"
        "1,20,100,north,5\n2,30,,south,6\n3,40,300,north,\n4,50,400,east,8\n5,,500,south,9\n")


def tab():
    return read_table_bytes(TEXT.encode(), "t.csv")


def test_weights_scale_features_by_their_square_root():
    t = tab()
    p1 = t.prepare(["age", "income"], missing="mean")
    p2 = t.prepare(["age", "income"], missing="mean", weights={"income": 4.0})
    assert np.allclose(p2.data[:, 0], p1.data[:, 0]) and np.allclose(p2.data[:, 1], 2 * p1.data[:, 1])
    # the squared distance is the weighted sum of squared differences
    a, b = p2.data[0], p2.data[3]
    x, y = p1.data[0], p1.data[3]
    assert math.isclose(((a - b) ** 2).sum(), (x[0] - y[0]) ** 2 + 4 * (x[1] - y[1]) ** 2)
    assert np.allclose(p2.recipe.unweight(p2.data), p1.data)


def test_passive_columns_are_left_out_of_training_but_kept_as_features():
    p = tab().prepare(["age", "income", "spend"], missing="mean", passive=["spend"])
    assert p.data.shape == (5, 2)
    assert p.recipe.features == ("age", "income", "spend") and p.recipe.active.tolist() == [True, True, False]
    assert p.raw.shape == (5, 3)
    with pytest.raises(OptionError, match="at least one column must be active"):
        tab().prepare(["age"], passive=["age"])
    with pytest.raises(OptionError, match="not among the chosen columns"):
        tab().prepare(["age"], passive=["spend"])


def test_categorical_one_hot_with_group_weight():
    p = tab().prepare(["age", "region"], missing="mean", group_weight=3.0)
    r = p.recipe
    assert r.features == ("age", "region=east", "region=north", "region=south")
    assert np.allclose(r.feature_weight, [1, 1, 1, 1])          # 3 x 1 shared by 3 categories
    onehot = p.raw[:, 1:]
    assert onehot.tolist() == [[0, 1, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 0, 1]]
    # a category unseen when fitting gives zeros when the recipe is applied to new data
    new = r.transform({"age": np.array([25.0]), "region": np.array(["west"], dtype=object)})
    assert new[0, 1:].tolist() == [0, 0, 0]


def test_missing_policies_including_train():
    t = tab()
    drop = t.prepare(["age", "income"])
    assert drop.row_index.tolist() == [0, 2, 3]
    train = t.prepare(["age", "income"], missing="train")
    assert train.data.shape == (5, 2) and np.isnan(train.data).sum() == 2
    assert train.present.sum() == 8
    mean = t.prepare(["age", "income"], missing="mean")
    assert not np.isnan(mean.data).any()


def test_recipe_round_trip_and_damage():
    r = tab().prepare(["age", "region"], missing="median", weights={"age": 2}).recipe
    back = Recipe.from_dict(r.to_dict())
    cells = {"age": np.array([20.0, np.nan]), "region": np.array(["north", ""], dtype=object)}
    a, b = r.transform(cells), back.transform(cells)
    assert np.array_equal(np.isnan(a), np.isnan(b)) and np.allclose(np.nan_to_num(a), np.nan_to_num(b))
    d = r.to_dict()
    d["offset"] = d["offset"][:-1]
    with pytest.raises(FileFormatError, match="damaged"):
        Recipe.from_dict(d)
    with pytest.raises(FileFormatError, match="no column"):
        r.transform({"age": np.array([1.0])})


def test_fit_recipe_refuses_bad_choices():
    cells = {"a": np.array([1.0, 2.0])}
    with pytest.raises(OptionError, match="missing-value policy"):
        fit_recipe(cells, {"a": "numeric"}, ["a"], missing="zero")
    with pytest.raises(OptionError, match="weight of 'a'"):
        fit_recipe(cells, {"a": "numeric"}, ["a"], weights={"a": -1})
    with pytest.raises(FileFormatError, match="no values"):
        fit_recipe({"a": np.array([np.nan])}, {"a": "numeric"}, ["a"])


def test_auto_map_size_follows_the_som_toolbox():
    rng = np.random.default_rng(0)
    n = 1000
    x = rng.normal(size=(n, 3)) * [4.0, 1.0, 0.1]       # eigenvalues 16 : 1 -> side ratio 4
    h, w = auto_map_size(x)
    munits = math.ceil(5 * n ** 0.54321)
    assert abs(h * w - munits) <= max(h, w)
    assert 3.0 <= h / w <= 5.0
    hh, ww = auto_map_size(rng.normal(size=(n, 2)))      # round cloud: about square
    assert abs(hh - ww) <= 2
    assert auto_map_size(np.zeros((10, 1))) == (4, 4)
    assert auto_epochs(150, 70) == 30 and auto_epochs(10, 100) == 500


def test_masked_bmus_use_present_components_only():
    code = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    x = np.array([[9.0, np.nan], [np.nan, 9.0], [np.nan, np.nan], [1.0, 1.0]])
    idx, d2 = masked_bmus(code, x)
    assert idx.tolist()[:2] == [1, 2] and idx[3] == 0
    assert d2[0] == pytest.approx(1.0) and np.isinf(d2[2])


def test_masked_training_equals_plain_batch_without_missing_values():
    from somdesk.core.masked_som import sigma_start
    from somdesk.core.options import SOMConfig
    from somdesk.core.som import SOM

    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 3))
    cfg = SOMConfig(width=5, height=4, iterations=5, mode="batch", init="pca", sigma=sigma_start(4, 5), seed=0)
    som = SOM(x, cfg)
    w0 = som.weights.copy()
    mine = train_masked(x, w0, 5, cfg.sigma0, 1.0)
    assert mine.shape == (4, 5, 3) and np.isfinite(mine).all()
    # with holes: still finite, and rows with holes pull only on present components
    xh = x.copy()
    xh[rng.random(x.shape) < 0.2] = np.nan
    got = train_masked(xh, w0, 5, cfg.sigma0, 1.0)
    assert np.isfinite(got).all()
    assert np.abs(got - mine).max() < 1.0


def test_masked_training_is_cancellable_and_leaves_input_alone():
    from somdesk.core.cancel import CancelToken
    from somdesk.errors import Cancelled

    x = np.random.default_rng(2).normal(size=(50, 2))
    w0 = np.zeros((3, 3, 2))
    tok = CancelToken()
    tok.cancel()
    with pytest.raises(Cancelled):
        train_masked(x, w0, 3, 1.0, cancel=tok)
    assert not w0.any()


def test_passive_planes_average_rows_around_each_node():
    bmu = np.array([0, 0, 3])
    v = np.array([[1.0], [3.0], [10.0]])
    planes = passive_planes(bmu, v, 2, 2, sigma=1e-6)
    assert planes[0, 0, 0] == 2.0 and planes[1, 1, 0] == 10.0 and np.isnan(planes[0, 1, 0])


def test_a_value_too_large_to_square_is_unmeasurable_without_a_warning():
    """tester5 F6: a late 1e300 in scored data printed numpy's RuntimeWarning; the row's
    distance is infinite (scoring flags it as an outlier) and the others are untouched."""
    import warnings

    import numpy as np

    from somdesk.core.masked_som import masked_bmus

    cb = np.random.default_rng(0).random((9, 2))
    x = np.array([[0.5, 0.5], [0.5, 1e300], [np.nan, 0.2]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        idx, d2 = masked_bmus(cb, x)
    assert not np.isfinite(d2[1])
    for i in (0, 2):
        p = ~np.isnan(x[i])
        ref = (((cb - np.nan_to_num(x[i])) ** 2) * p).sum(1)
        assert idx[i] == np.argmin(ref) and np.isclose(d2[i], ref.min())


def test_distinct_integers_too_large_for_float64_are_not_called_equal():
    """testerF #7: uint64 values 2**63 + i round to one float64; the warning said they were 'the
    same value in every row'.  Truly equal values still get that sentence."""
    from somdesk.core.preparation import fit_recipe
    big = np.array([2**63 + i for i in range(40)], dtype=np.uint64).astype(np.float64)
    cells = {"u64": big, "x": np.arange(40.0)}
    _, warnings = fit_recipe(cells, {"u64": "numeric", "x": "numeric"}, ["u64", "x"])
    [w] = warnings
    assert w.startswith("column 'u64' has values too large to tell apart as numbers (about 9.22337e+18")
    assert "2,048" in w and "same value in every row" not in w
    _, warnings = fit_recipe({"c": np.full(5, 3.0), "x": np.arange(5.0)}, {"c": "numeric", "x": "numeric"}, ["c", "x"])
    assert warnings == ["column 'c' has the same value in every row; it is set to 0 and does not affect the map"]
