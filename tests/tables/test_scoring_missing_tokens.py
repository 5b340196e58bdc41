"""A table map trained with its own missing-value tokens scores new files with them (tester9 #14:
`--missing-values -999` at training, then assign read a new file's -999 as a number)."""
from __future__ import annotations

import csv

import numpy as np

from somdesk.cli import main


def _write(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("a;b\n" + "".join(f"{a};{b}\n" for a, b in rows))


def _scores(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_maps_missing_tokens_are_applied_when_scoring(tmp_path, capsys):
    rng = np.random.default_rng(2)
    rows = [("-999" if i % 10 == 0 else f"{x:.3f}", f"{y:.3f}")
            for i, (x, y) in enumerate(rng.uniform(0, 1, (200, 2)))]
    _write(tmp_path / "train.csv", rows)
    m = str(tmp_path / "m.somz")
    assert main(["train", "--table", str(tmp_path / "train.csv"), "--missing-values=-999", "--missing", "train",
                 "--width", "4", "--height", "4", "--epochs", "3", "--seed", "1", "--save-map", m, "-q"]) == 0
    _write(tmp_path / "new.csv", [("-999", "0.5"), ("0.5", "0.5")])
    assert main(["assign", m, str(tmp_path / "new.csv"), "--out", str(tmp_path / "s.csv"), "-q"]) == 0
    got = _scores(tmp_path / "s.csv")
    assert [r["present"] for r in got] == ["1", "2"]
    assert float(got[0]["distance"]) < 1.0 and got[0]["outlier"] == "false"
    # the tokens a user gives replace the map's: -999 is then a number again
    assert main(["assign", m, str(tmp_path / "new.csv"), "--out", str(tmp_path / "s2.csv"),
                 "--missing-values", "n/a", "-q"]) == 0
    assert _scores(tmp_path / "s2.csv")[0]["present"] == "2"
