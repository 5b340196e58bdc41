"""CLI contracts testerC found left over (session 15: 3a, 14, 15, 16, 19).

3a: `assign MAP 'dir/*.csv'` without --out writes CSV on standard output, as its --help says
    and as `--out -` does (it was refused with a word about --out-of-core).
19: every refusal of the flags alone comes before the table (or the map) is read or counted.
14: `assign --dask` writes the Parquet schema of the same scores without Dask; a file name for
    its folder (`--out x.csv`) is refused instead of becoming a folder named x.csv.
15: a seed drawn for a run without --seed is read exactly by a JSON reader using doubles.
16: the JSON documents keep one field set and one type per field whatever the input.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from somdesk.cli import main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """months/{a,b,c}.csv, t.csv (same columns) and m.somz trained on t.csv."""
    d = tmp_path_factory.mktemp("fixA")
    rng = np.random.default_rng(3)
    (d / "months").mkdir()
    for name, n in (("a", 7), ("b", 5), ("c", 4)):
        (d / "months" / f"{name}.csv").write_text(
            "age,income,visits\n" + "".join(f"{a:.3f},{b:.3f},{c:.3f}\n" for a, b, c in rng.random((n, 3))))
    (d / "t.csv").write_text("age,income,visits\n" + "".join(f"{a:.3f},{b:.3f},{c:.3f}\n"
                                                            for a, b, c in rng.random((40, 3))))
    assert main(["train", "--table", str(d / "t.csv"), "--width", "3", "--height", "2", "--epochs", "2",
                 "--save-map", str(d / "m.somz"), "-q"]) == 0
    return d


# -- 3a: the documented default output --------------------------------------------------------
@pytest.mark.parametrize("data, extra", [("months/*.csv", []), ("months/*.csv", ["--out-of-core"]),
                                         ("t.csv", ["--out-of-core"]), ("t.csv", [])])
def test_scores_default_to_standard_output_as_out_dash(files, capfd, data, extra):
    base = ["assign", str(files / "m.somz"), str(files / data), *extra]
    assert main(base) == 0
    default = capfd.readouterr()
    assert main(base + ["--out", "-"]) == 0
    dash = capfd.readouterr()
    assert default.out == dash.out                       # the same bytes
    lines = default.out.splitlines()
    rows = 16 if "*" in data else 40
    assert lines[0].startswith("row,bmu_row,bmu_col,segment,distance,outlier,present") and len(lines) == rows + 1
    assert ("file" in lines[0].split(",")) == ("*" in data)
    assert "scored" not in default.err                   # no summary line by default, as before
    assert "scored; wrote to standard output" in dash.err


def test_closed_standard_output_is_one_line(files, tmp_path):
    """`assign ... >&-` (descriptor 1 closed): Python's sys.stdout is None; the scores' first
    write was an AttributeError traceback (testerC #1a)."""
    import somdesk

    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(somdesk.__file__))}
    # the child starts with descriptor 1 closed, as the shell's `>&-` leaves it
    r = subprocess.run([sys.executable, "-m", "somdesk", "assign", str(files / "m.somz"), str(files / "t.csv")],
                       stderr=subprocess.PIPE, text=True, env=env, timeout=300, preexec_fn=lambda: os.close(1))
    assert r.returncode == 2 and r.stderr == "error: cannot write - (standard output): it is closed\n", r.stderr


# -- 19: refused before anything is read ------------------------------------------------------
@pytest.fixture
def nothing_read(monkeypatch):
    """Every reader of a table or a map, and the row count, fail the test when called."""
    import somdesk.io.chunked
    import somdesk.session.opening
    import somdesk.session.outofcore_table
    import somdesk.session.scoring

    def read(*_a, **_k):
        raise AssertionError("the table or map was read before the flags were checked")

    monkeypatch.setattr(somdesk.session.opening, "read_table_named", read)
    monkeypatch.setattr(somdesk.io.chunked, "count_rows", read)
    monkeypatch.setattr(somdesk.io.chunked.ChunkedTable, "open", classmethod(read))
    monkeypatch.setattr(somdesk.session.outofcore_table, "default_label_out_of_core", read)
    monkeypatch.setattr(somdesk.session.outofcore_table, "train_table_map_streaming", read)
    monkeypatch.setattr(somdesk.session.scoring, "load_table_map", read)


_TRAIN_REFUSED = [
    (["--out-of-core", "--assignments", "a.csv"], "read the whole table in memory"),
    (["--dask", "local:1", "--report", "r.html"], "read the whole table in memory"),
    (["--out-of-core", "--profiles", "p.csv"], "read the whole table in memory"),
    (["--out-of-core", "--delimiter", ";"], "--delimiter cannot be used when training in chunks"),
    (["--out-of-core", "--missing-values", "x"], "--missing-values cannot be used when training in chunks"),
    (["--out-of-core", "--chunk-rows", "0"], "--chunk-rows must be 1 to"),
    (["--dask", "nowhere"], "give local, local:N or a scheduler address"),
    (["--mode", "classic"], "--mode classic is not available for tables"),
    (["--normalise", "foo"], "unknown normalisation 'foo'"),
    (["--missing", "zero"], "unknown missing-value policy 'zero'"),
    (["--cluster-method", "foo"], "unknown clustering method"),
    (["--group-weight", "0"], "group weight must be above 0"),
    (["--topology", "tri"], "unknown topology 'tri'"),
    (["--weights", "age=-1"], "the weight of 'age' must be"),
    (["--clusters", "50", "--width", "3", "--height", "3"], "--clusters (the number of segments) must be from 1 to the 9"),
    (["--max-rows", "0"], "the row limit must be"),
    (["--skip", "-1"], "rows to skip must be"),
    (["--encoding", "nope"], "unknown text encoding 'nope'"),
    (["--thousands", "x"], "the thousands separator must be"),
]


@pytest.mark.parametrize("table", ["t.csv", "missing.csv"])
@pytest.mark.parametrize("flags, said", _TRAIN_REFUSED, ids=[" ".join(f) for f, _ in _TRAIN_REFUSED])
def test_train_table_refuses_flags_before_reading(files, tmp_path, capsys, nothing_read, table, flags, said):
    """testerC #19: `train --table X --out-of-core --assignments a.csv` was refused after 4.3 s;
    `--normalise foo` and the others only after the table was read.  A table that does not
    exist gives the flags' message too: nothing was opened."""
    outputs = [str(tmp_path / f) if f in ("a.csv", "p.csv", "r.html") else f for f in flags]
    assert main(["train", "--table", str(files / table), "--save-map", str(tmp_path / "x.somz"), *outputs]) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1, err
    assert not (tmp_path / "x.somz").exists()


def test_a_glob_with_mode_batch_is_refused_before_reading(files, tmp_path, capsys, nothing_read):
    assert main(["train", "--table", str(files / "months" / "*.csv"), "--mode", "batch", "--top-items",
                 str(tmp_path / "top.csv"), "--save-map", str(tmp_path / "x.somz")]) == 2
    err = capsys.readouterr().err
    assert "a glob (several files) is trained in chunks" in err, err


_ASSIGN_REFUSED = [
    ("months/*.csv", ["--delimiter", ";"], "--delimiter cannot be used when scoring in chunks"),
    ("t.csv", ["--out-of-core", "--chunk-rows", "0"], "--chunk-rows must be 1 to"),
    ("t.csv", ["--dask", "local:1"], "give --out FOLDER"),
    ("t.csv", ["--dask", "local:1", "--out", "-"], "not to standard output"),
    ("t.csv", ["--dask", "local:1", "--out", "scores.csv"], "is the name of a file, but --dask writes partitioned Parquet"),
    ("t.csv", ["--dask", "local:1", "--where", "age > 1", "--out", "parts"], "--where cannot be used"),
    ("t.csv", ["--dask", "nowhere", "--out", "parts"], "give local, local:N or a scheduler address"),
    ("t.csv", ["--skip", "-1"], "rows to skip must be"),
    ("months/*.csv", ["--max-rows", "0"], "the row limit must be"),
]


@pytest.mark.parametrize("data, flags, said", _ASSIGN_REFUSED, ids=[" ".join(f) for _, f, _ in _ASSIGN_REFUSED])
def test_assign_refuses_flags_before_reading(files, tmp_path, capsys, nothing_read, data, flags, said):
    flags = [str(tmp_path / f) if f in ("scores.csv", "parts") else f for f in flags]
    assert main(["assign", str(files / "m.somz"), str(files / data), *flags]) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1, err
    assert not (tmp_path / "scores.csv").exists() and not (tmp_path / "parts").exists()


@pytest.mark.parametrize("name", ["scores.tsv", "scores.xlsm", "scores.psv", "scores.csv.zst", "scores.zip"])
def test_dask_out_named_as_any_table_file_is_refused(files, tmp_path, capsys, nothing_read, name):
    """Every suffix the table reader knows names one file, not --dask's folder of parts (the hand
    list of the flag check had missed .xlsm, .psv, .tab, .dat, .zst ...)."""
    out = tmp_path / name
    assert main(["assign", str(files / "m.somz"), str(files / "t.csv"), "--dask", "local:1", "--out", str(out)]) == 2
    assert "is the name of a file, but --dask writes partitioned Parquet" in capsys.readouterr().err
    assert not out.exists()


def test_table_info_refuses_a_bad_option_before_reading(files, capsys, nothing_read):
    assert main(["table", "info", str(files / "t.csv"), "--encoding", "nope"]) == 2
    assert "unknown text encoding 'nope'" in capsys.readouterr().err


def test_dask_out_is_a_folder_not_a_file(files, tmp_path, capsys):
    """testerC #14: `--dask ... --out dk/x.csv` made a FOLDER named x.csv and exited 0; an
    existing file is refused too, before the map is read."""
    existing = tmp_path / "old.parquet"
    existing.write_bytes(b"PAR1")
    for out in (tmp_path / "x.csv", tmp_path / "x.CSV", existing):
        assert main(["assign", str(files / "m.somz"), str(files / "t.csv"), "--dask", "local:1",
                     "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "--dask writes partitioned Parquet" in err and err.count("\n") == 1, err
    assert not (tmp_path / "x.csv").exists() and existing.read_bytes() == b"PAR1"


def test_dask_parquet_has_the_schema_of_the_scores_without_dask(files, tmp_path):
    """testerC #14: bmu_row/bmu_col/segment/present were int64 from Dask, int32 without."""
    pytest.importorskip("distributed")
    pq = pytest.importorskip("pyarrow.parquet")
    glob_ = str(files / "months" / "*.csv")
    assert main(["assign", str(files / "m.somz"), glob_, "--out", str(tmp_path / "flat.parquet"), "-q"]) == 0
    # a folder named like a Parquet file is Dask's and Spark's way: taken
    assert main(["assign", str(files / "m.somz"), glob_, "--dask", "local:1", "--chunk-rows", "6",
                 "--out", str(tmp_path / "parts.parquet"), "-q"]) == 0
    flat = pq.read_table(tmp_path / "flat.parquet")
    parts = sorted((tmp_path / "parts.parquet").glob("part-*.parquet"))
    assert len(parts) >= 2
    for p in parts:
        assert pq.read_schema(p).remove_metadata() == flat.schema.remove_metadata(), p
    whole = pq.read_table(tmp_path / "parts.parquet").sort_by("row")
    assert whole.schema.remove_metadata() == flat.schema.remove_metadata()
    assert whole.to_pydict() == flat.sort_by("row").to_pydict()


# -- 15: drawn seeds within 2**53 - 1 ---------------------------------------------------------
def test_drawn_seeds_are_exact_in_json(tmp_path):
    from somdesk.core import SOM
    from somdesk.core.options import MAX_DRAWN_SEED, SOMConfig, draw_seed
    from somdesk.session.outofcore import StreamingBatch

    assert MAX_DRAWN_SEED == 2**53 - 1
    data = np.random.default_rng(0).random((4, 3))
    som_seeds = [SOM(data, SOMConfig(width=2, height=2, iterations=1)).seed for _ in range(64)]
    stream_seeds = [StreamingBatch(None, SOMConfig(width=2, height=2, iterations=1, mode="batch"),
                                   weights=np.zeros((2, 2, 3))).seed for _ in range(64)]
    drawn = [draw_seed() for _ in range(1000)]
    for seeds in (som_seeds, stream_seeds, drawn):
        assert all(0 <= s <= MAX_DRAWN_SEED for s in seeds)
        assert len(set(seeds)) == len(seeds)            # still drawn, not a constant
        assert all(int(float(s)) == s for s in seeds)   # a double holds each exactly
    assert max(drawn) > 2**50                           # the whole range is used (P(fail) = 2**-3000)


def test_metrics_json_seed_reads_back_as_a_double(tmp_path):
    path = tmp_path / "m.json"
    assert main(["train", "--random", "5", "--width", "2", "--height", "2", "--iterations", "1",
                 "--metrics-json", str(path), "-q"]) == 0
    seed = json.loads(path.read_text())["seed"]
    as_double = json.loads(path.read_text(), parse_int=float)["seed"]
    assert isinstance(seed, int) and int(as_double) == seed <= 2**53 - 1


# -- 16: one field set, one type per field ----------------------------------------------------
def test_table_info_dialect_always_names_the_compression(files, tmp_path, capsys):
    import gzip

    (tmp_path / "t.csv.gz").write_bytes(gzip.compress((files / "t.csv").read_bytes()))
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow.csv

    pq.write_table(pyarrow.csv.read_csv(files / "t.csv"), tmp_path / "t.parquet")
    (tmp_path / "t.ndjson").write_text('{"a": 1, "b": 2}\n{"a": 3, "b": 4}\n{"a": 5, "b": 6}\n')
    got = {}
    for name in (str(files / "t.csv"), str(tmp_path / "t.csv.gz"), str(tmp_path / "t.parquet"),
                 str(tmp_path / "t.ndjson")):
        assert main(["table", "info", name, "--json"]) == 0
        got[os.path.basename(name)] = json.loads(capsys.readouterr().out)
    assert {k: d["dialect"]["compression"] for k, d in got.items()} == \
        {"t.csv": None, "t.csv.gz": "gzip", "t.parquet": None, "t.ndjson": None}
    assert len({tuple(sorted(d)) for d in got.values()}) == 1      # the same top-level fields


def test_table_metrics_keep_one_shape_whatever_the_map_size(files, tmp_path):
    docs = {}
    for w, h in ((1, 1), (2, 1), (3, 2)):
        path = tmp_path / f"m{w}{h}.json"
        assert main(["train", "--table", str(files / "t.csv"), "--width", str(w), "--height", str(h),
                     "--epochs", "1", "--save-map", str(tmp_path / "m.somz"), "--metrics-json", str(path),
                     "-q"]) == 0
        docs[w * h] = json.loads(path.read_text())
    assert len({tuple(sorted(d)) for d in docs.values()}) == 1
    for nodes, d in docs.items():
        curve = d["k_curve"]
        assert sorted(curve) == ["davies_bouldin", "k", "silhouette"], curve
        assert all(isinstance(v, list) for v in curve.values())
        assert isinstance(d["suggested_k"], int) and not isinstance(d["suggested_k"], bool)
        assert (curve["k"] == []) == (nodes < 3)
    assert docs[1]["suggested_k"] == 1 == docs[1]["k"] and docs[6]["suggested_k"] in docs[6]["k_curve"]["k"]
