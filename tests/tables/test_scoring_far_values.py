"""Scoring warns when a placing column lies far outside the map's training values -- the sign of
a file read in another number format (tester9 #13: `1.475` read as 1475 under a decimal-comma map,
every row an outlier, no word said)."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.cli import main


def _write(path, a, b):
    with open(path, "w", encoding="utf-8") as f:
        f.write("a,b\n" + "".join(f"{x:.4f},{y:.4f}\n" for x, y in zip(a, b)))


@pytest.mark.parametrize("normalise", ["zscore", "minmax"])
def test_a_column_a_thousand_times_off_is_named(tmp_path, capsys, normalise):
    rng = np.random.default_rng(4)
    a, b = rng.uniform(0, 2, 300), rng.uniform(0, 2, 300)
    _write(tmp_path / "train.csv", a, b)
    m = str(tmp_path / "m.somz")
    assert main(["train", "--table", str(tmp_path / "train.csv"), "--normalise", normalise, "--width", "4",
                 "--height", "4", "--epochs", "3", "--seed", "1", "--save-map", m, "-q"]) == 0
    assert main(["assign", m, str(tmp_path / "train.csv"), "--out", str(tmp_path / "s0.csv")]) == 0
    assert "far outside" not in capsys.readouterr().err          # its own table: no word
    _write(tmp_path / "new.csv", a[:50] * 1000, b[:50])
    assert main(["assign", m, str(tmp_path / "new.csv"), "--out", str(tmp_path / "s.csv")]) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if "far outside" in line]
    assert len(err) == 1 and "'a' (" in err[0] and "'b'" not in err[0]


def test_no_word_without_a_preparation_to_judge_by(tmp_path, capsys):
    rng = np.random.default_rng(5)
    a, b = rng.uniform(0, 2, 300), rng.uniform(0, 2, 300)
    _write(tmp_path / "train.csv", a, b)
    m = str(tmp_path / "m.somz")
    assert main(["train", "--table", str(tmp_path / "train.csv"), "--normalise", "none", "--width", "4",
                 "--height", "4", "--epochs", "3", "--seed", "1", "--save-map", m, "-q"]) == 0
    _write(tmp_path / "new.csv", a[:50] * 1000, b[:50])
    assert main(["assign", m, str(tmp_path / "new.csv"), "--out", str(tmp_path / "s.csv")]) == 0
    assert "far outside" not in capsys.readouterr().err
