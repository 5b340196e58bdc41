"""`somdesk train --table ... --mode batch --out-of-core/--dask` and `somdesk assign` in chunks."""
import csv
import json

import duckdb
import numpy as np
import pytest

from somdesk.cli import main
from somdesk.session.scoring import load_table_map

from .test_outofcore import _data, _write_parquet


def _table(tmp_path, parts=1, n=2400):
    x = _data(n, 3, seed=6)
    for k, part in enumerate(np.array_split(x, parts)):
        _write_parquet(tmp_path / f"p-{k}.parquet", part, ["a", "b", "c"])
    return x


def _scores(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return [(int(r["row"]), int(r["bmu_row"]), int(r["bmu_col"]), int(r["segment"])) for r in rows]


def test_streamed_train_and_assign_equal_in_memory(tmp_path, capsys):
    _table(tmp_path)
    common = ["--height", "6", "--width", "5", "--epochs", "6", "--clusters", "3", "-q"]
    assert main(["train", "--table", str(tmp_path / "p-0.parquet"), "--save-map", str(tmp_path / "mem.somz")]
                + common) == 0
    assert main(["train", "--table", str(tmp_path / "p-0.parquet"), "--mode", "batch", "--out-of-core",
                 "--chunk-rows", "500", "--save-map", str(tmp_path / "ooc.somz"), "--metrics-json",
                 str(tmp_path / "m.json")] + common) == 0
    mem, ooc = load_table_map(tmp_path / "mem.somz"), load_table_map(tmp_path / "ooc.somz")
    assert np.max(np.abs(mem.codebook - ooc.codebook)) <= 1e-9
    assert json.loads((tmp_path / "m.json").read_text())["out_of_core"] is True
    assert main(["assign", str(tmp_path / "ooc.somz"), str(tmp_path / "p-0.parquet"), "--out",
                 str(tmp_path / "a.csv"), "-q"]) == 0
    assert main(["assign", str(tmp_path / "ooc.somz"), str(tmp_path / "p-0.parquet"), "--out-of-core",
                 "--chunk-rows", "333", "--out", str(tmp_path / "b.csv"), "-q"]) == 0
    assert _scores(tmp_path / "a.csv") == _scores(tmp_path / "b.csv")


def test_glob_with_mode_batch_streams(tmp_path, capsys):
    _table(tmp_path, parts=3)
    assert main(["train", "--table", str(tmp_path / "p-*.parquet"), "--mode", "batch", "--height", "4",
                 "--width", "4", "--epochs", "3", "--save-map", str(tmp_path / "g.somz")]) == 0
    assert "out of core" in capsys.readouterr().out
    assert main(["assign", str(tmp_path / "g.somz"), str(tmp_path / "p-*.parquet"), "--out",
                 str(tmp_path / "g.parquet"), "-q"]) == 0
    assert duckdb.sql(f"SELECT count(*) FROM '{tmp_path / 'g.parquet'}'").fetchall()[0][0] == 2400


def test_cli_errors_are_one_line(tmp_path, capsys):
    _table(tmp_path)
    t = str(tmp_path / "p-0.parquet")
    assert main(["train", "--table", t, "--mode", "classic", "--save-map", str(tmp_path / "x.somz")]) == 2
    assert main(["train", "--table", t, "--out-of-core", "--missing", "zero",
                 "--save-map", str(tmp_path / "x.somz")]) == 2
    assert main(["train", "--table", t, "--dask", "nowhere", "--save-map", str(tmp_path / "x.somz")]) == 2
    assert main(["train", "--table", t, "--out-of-core", "--chunk-rows", "0",
                 "--save-map", str(tmp_path / "x.somz")]) == 2
    err = capsys.readouterr().err
    assert err.count("error: ") == 4 and "Traceback" not in err


def test_assign_on_dask_writes_partitioned_parquet(tmp_path):
    pytest.importorskip("distributed")
    _table(tmp_path)
    t = str(tmp_path / "p-0.parquet")
    assert main(["train", "--table", t, "--height", "4", "--width", "4", "--epochs", "3", "-q",
                 "--save-map", str(tmp_path / "m.somz")]) == 0
    assert main(["assign", str(tmp_path / "m.somz"), t, "--out", str(tmp_path / "one.csv"), "-q"]) == 0
    assert main(["assign", str(tmp_path / "m.somz"), t, "--dask", "local:2", "--chunk-rows", "700",
                 "--out", str(tmp_path / "parts"), "-q"]) == 0
    got = duckdb.sql(f"SELECT row, bmu_row, bmu_col, segment FROM '{tmp_path / 'parts'}/*.parquet' "
                     "ORDER BY row").fetchall()
    assert [tuple(map(int, r)) for r in got] == _scores(tmp_path / "one.csv")
    assert len(list((tmp_path / "parts").glob("part-*.parquet"))) == 4


def test_dask_without_the_cluster_extra_is_one_line(tmp_path, capsys, monkeypatch):
    """tester5 F7: the packaged app leaves the Dask module out; `--dask` printed a traceback."""
    import sys

    from somdesk.cli import main

    monkeypatch.setitem(sys.modules, "somdesk.session.dask_executor", None)    # as if not installed
    p = tmp_path / "t.csv"
    p.write_text("a,b\n" + "".join(f"{i},{i % 5}\n" for i in range(50)))
    assert main(["train", "--table", str(p), "--out-of-core", "--dask", "local:1", "--width", "2",
                 "--height", "2", "--epochs", "1", "--save-map", str(tmp_path / "m.somz")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --dask needs the cluster extra") and err.count("\n") == 1
    assert not (tmp_path / "m.somz").exists()
