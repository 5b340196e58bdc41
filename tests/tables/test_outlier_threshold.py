"""The outlier threshold (tester F #6): Tukey's fence of the training rows' distances, floored at
the rows' spread, so evenly spaced rows have no outlier while one row set apart is still one."""
from __future__ import annotations

import csv

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.session.table_assign import outlier_threshold, rows_spread


def _ramp(path, n=40, far=None):
    """The tester's de_numbers.csv kind: `n` evenly spaced rows of 3 collinear columns, in the
    German format; `far`: one more row that far (in ramp lengths) off the line, at its middle."""
    rows = [(i * 1.25, -i * 0.5, 1000 + i * 1000.5) for i in range(n)]
    if far is not None:
        m = n // 2
        rows.insert(m, (m * 1.25, -m * 0.5 + far * n * 0.5, 1000 + m * 1000.5))
    de = lambda v: f"{v:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")    # noqa: E731
    with open(path, "w", encoding="utf-8") as f:
        f.write("a;b;c\n" + "".join(";".join(de(v) for v in r) + "\n" for r in rows))
    return path


def _outliers(tmp_path, data) -> list:
    code = main(["train", "--table", str(data), "--seed", "1", "-q", "--assignments", str(tmp_path / "a.csv")])
    assert code == 0
    rows = list(csv.DictReader(open(tmp_path / "a.csv", encoding="utf-8")))
    return [int(r["row"]) for r in rows if r["outlier"] == "true"]


@pytest.mark.parametrize("n", [10, 40, 200])
def test_evenly_spaced_rows_have_no_outlier(tmp_path, n):
    # 6 of 40 were flagged: the ramp's ends, with Q3 + 3 IQR of distances near 0
    assert _outliers(tmp_path, _ramp(tmp_path / "ramp.csv", n)) == []


@pytest.mark.parametrize("n, far", [(40, 1.5), (40, 10), (200, 1.5)])
def test_one_row_set_apart_is_still_an_outlier(tmp_path, n, far):
    assert _outliers(tmp_path, _ramp(tmp_path / "ramp.csv", n, far)) == [n // 2]


def test_the_threshold_is_tukeys_fence_or_the_spread_whichever_is_larger():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 4))
    spread = rows_spread(x)
    assert spread == pytest.approx(np.sqrt(x.var(axis=0).sum()))
    wide = rng.exponential(10.0, 500)                      # Tukey's fence above the spread: kept
    q1, q3 = np.percentile(wide, [25, 75])
    assert outlier_threshold(wide, x) == pytest.approx(q3 + 3 * (q3 - q1)) and q3 + 3 * (q3 - q1) > spread
    near = np.full(500, 1e-3)                              # rows on their nodes: the spread
    assert outlier_threshold(near, x) == pytest.approx(spread)
    # missing values: each feature's variance over its present values; NaN distances ignored
    holes = x.copy()
    holes[::3, 1] = np.nan
    assert rows_spread(holes) == pytest.approx(np.sqrt(np.nanvar(holes, axis=0).sum()))
    assert outlier_threshold(np.r_[near, np.nan], holes) == pytest.approx(rows_spread(holes))
    assert outlier_threshold(np.array([np.nan]), holes) == 0.0 and rows_spread(np.empty((0, 3))) == 0.0
