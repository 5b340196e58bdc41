"""An output the command's data glob names -- now or once it is written -- is refused before any
work (testerC #3: `assign m.somz 'in/*.csv' --out in/scores.csv` exited 0, and the next run of
the same nightly command read scores.csv as data and failed)."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.cli import main


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    d = tmp_path_factory.mktemp("glob")
    (d / "in").mkdir()
    rng = np.random.default_rng(0)
    for name in ("a.csv", "b.csv"):
        rows = rng.random((20, 3))
        (d / "in" / name).write_text("x,y,z\n" + "".join(f"{a:.4f},{b:.4f},{c:.4f}\n" for a, b, c in rows))
    assert main(["train", "--table", str(d / "in" / "a.csv"), "--width", "3", "--height", "3", "--epochs", "1",
                 "--save-map", str(d / "m.somz"), "-q"]) == 0
    return d


def _refused(argv, capsys, flag):
    assert main(argv) == 2, argv
    err = capsys.readouterr().err
    assert f"{flag} " in err and "data pattern" in err and err.count("\n") == 1, err


@pytest.mark.parametrize("out,extra", [("in/scores.csv", []), ("in/scores.csv", ["--out-of-core"]),
                                       ("in/./s.csv", []), ("in/sub/../s.csv", [])])
def test_assign_output_inside_the_glob(months, capsys, monkeypatch, out, extra):
    monkeypatch.chdir(months)
    _refused(["assign", "m.somz", "in/*.csv", "--out", out, *extra], capsys, "--out")
    assert sorted(p.name for p in (months / "in").iterdir()) == ["a.csv", "b.csv"]
    _refused(["assign", "m.somz", str(months / "in" / "*.csv"), "--out", out, *extra], capsys, "--out")


def test_assign_output_outside_the_glob_is_written(months, capsys, monkeypatch):
    monkeypatch.chdir(months)
    for out in ("in/scores.parquet", "scores.csv"):       # not matched by *.csv / outside in/
        assert main(["assign", "m.somz", "in/*.csv", "--out", out, "-q"]) == 0
        assert (months / out).is_file()
        (months / out).unlink()


@pytest.mark.parametrize("flag,name", [("--assignments", "in/as.csv"), ("--profiles", "in/p.csv"),
                                       ("--assignments", "in/deeper/../as.csv")])
def test_train_outputs_inside_the_table_glob(months, capsys, monkeypatch, flag, name):
    monkeypatch.chdir(months)
    _refused(["train", "--table", "in/*.csv", "--width", "3", "--height", "3", "--epochs", "1",
              "--save-map", "m2.somz", flag, name], capsys, flag)
    assert not (months / "m2.somz").exists()


def test_dask_parts_inside_the_glob(months, capsys, monkeypatch):
    """`assign --dask --out FOLDER` writes FOLDER/part-*.parquet: refused when the glob names them."""
    monkeypatch.chdir(months)
    _refused(["assign", "m.somz", "in/**/*.parquet", "--dask", "local:1", "--out", "in/parts"], capsys, "--out")
