"""One number format per column (session.number_columns): the same decimals in every cell, enough
for the finest value up to 6 significant digits; integers without ".0"; e-notation for a column
with huge or tiny values."""
import numpy as np
import pytest

from somdesk.session.number_columns import ColumnFormat, column_format

NAN = float("nan")


@pytest.mark.parametrize("values, kind, texts", [
    ([1.0, 2.0, 30.0, NAN], "int", ["1", "2", "30", ""]),
    ([1.5, 2.25, 3.0], "fixed", ["1.50", "2.25", "3.00"]),
    ([0.001234, 12.5], "fixed", ["0.001234", "12.500000"]),
    ([36319.16, 1.5], "fixed", ["36319.2", "1.5"]),                 # 6 significant digits at most
    ([1 / 3, 2.0], "fixed", ["0.333333", "2.000000"]),
    ([1e-7, 2.5], "exp", ["1.0e-07", "2.5e+00"]),                    # a tiny value: the whole column
    ([3e12, 1.25], "exp", ["3.00e+12", "1.25e+00"]),                 # a huge one too
    ([-0.004, 0.5], "fixed", ["-0.004", "0.500"]),
    ([1e15, 2.0], "exp", ["1e+15", "2e+00"]),                        # whole, but past exact integers
    ([float("inf"), -1.5, NAN], "fixed", ["inf", "-1.5", ""]),
    ([], "int", []),
])
def test_one_format_per_column(values, kind, texts):
    fmt = column_format(np.array(values, dtype=np.float64))
    assert fmt.kind == kind and fmt.texts(values) == texts


def test_every_cell_of_a_column_has_the_same_decimals():
    rng = np.random.default_rng(1)
    v = np.round(rng.normal(0, 100, 10_000), rng.integers(0, 5, 10_000).max())
    texts = column_format(v).texts(v)
    assert len({len(t.split(".")[1]) for t in texts}) == 1


def test_no_minus_zero():
    assert ColumnFormat("fixed", 2).text(-0.001) == "0.00"


def test_a_long_column_is_judged_on_a_sample_that_keeps_its_one_fraction_and_extremes():
    v = np.arange(1e6) % 1000
    v[500_001] = 12.25                                 # the one fraction, missed by an even sample
    assert column_format(v).text(v[500_001]) == "12.25" and column_format(v).text(v[7]) == "7.00"
    v[123_457] = 2e-7                                  # one tiny value: e-notation for the column
    assert column_format(v).kind == "exp"
