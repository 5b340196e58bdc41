"""Chunked scoring reads the map's own missing-value texts, as the in-memory scoring does (tester9
#14 left it: `assign --out-of-core`, a glob or --dask scored a new file's -999 as a number)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from somdesk.cli import main


def _write(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("a;b;kind\n" + "".join(f"{a};{b};{k}\n" for a, b, k in rows))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("tokens")
    rng = np.random.default_rng(2)
    rows = [("-999" if i % 10 == 0 else f"{x:.3f}", f"{y:.3f}", "missing!" if i % 7 == 0 else "xy"[i % 2])
            for i, (x, y) in enumerate(rng.uniform(0, 1, (200, 2)))]
    _write(d / "train.csv", rows)
    m = str(d / "m.somz")
    assert main(["train", "--table", str(d / "train.csv"), "--missing-values=-999,missing!", "--missing", "train",
                 "--columns", "a,b,kind", "--width", "4", "--height", "4", "--epochs", "3", "--seed", "1",
                 "--save-map", m, "-q"]) == 0
    new = d / "new"
    new.mkdir()
    _write(new / "p1.csv", [("-999", "0.5", "x"), ("0.5", "0.5", "missing!"), ("0.25", "-999", "y")])
    _write(new / "p2.csv", [("0.75", "0.1", "x"), ("-999", "-999", "missing!")])
    return d, m


@pytest.mark.parametrize("extra", [[], ["--missing-values", "n/a"]])
def test_chunked_scores_equal_the_in_memory_ones(trained, tmp_path, extra):
    d, m = trained
    new = str(d / "new" / "p1.csv")
    assert main(["assign", m, new, "--out", str(tmp_path / "mem.csv"), "-q", *extra]) == 0
    assert main(["assign", m, new, "--out", str(tmp_path / "ooc.csv"), "--out-of-core", "--chunk-rows", "2", "-q",
                 *extra]) == 0
    mem, ooc = pd.read_csv(tmp_path / "mem.csv"), pd.read_csv(tmp_path / "ooc.csv")
    pd.testing.assert_frame_equal(mem, ooc)
    if extra:               # the texts given replace the map's: -999 is a number, "missing!" a category
        assert list(mem["present"]) == [3, 3, 3]
    else:
        assert list(mem["present"]) == [2, 2, 2]


def test_a_glob_gets_them_too(trained, tmp_path):
    d, m = trained
    assert main(["assign", m, str(d / "new" / "*.csv"), "--out", str(tmp_path / "g.csv"), "-q"]) == 0
    got = pd.read_csv(tmp_path / "g.csv")
    assert list(got["present"]) == [2, 2, 2, 3, 0]
    assert (got["bmu_row"].iloc[4], got["segment"].iloc[4]) == (-1, -1)
