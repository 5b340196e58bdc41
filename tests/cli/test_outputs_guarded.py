"""Every output of every subcommand under a file-size limit (`ulimit -f`, what a full disk does
to a file): one `error: cannot write ...` line, exit status 2, no traceback and no half file
(testerC #1: `assign ... --out s.parquet` under `ulimit -f 200` gave a Python traceback, exit 1:
the Parquet went through a CSV in $TMPDIR outside the guarded writer).

The walk over the parsers' output flags is test_testerC_cli's, so an output added later is
tried here too; the Parquet scores (in memory, out of core, a glob) are added by hand.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from somdesk.cli import main

from test_testerC_cli import _command, _name, _outputs, files  # noqa: F401  (files: the fixture)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _limited(argv, limit: int) -> subprocess.CompletedProcess:
    """`python -m somdesk argv` with no file allowed past `limit` bytes (RLIMIT_FSIZE)."""
    import resource

    def cap():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "somdesk", *argv], preexec_fn=cap, capture_output=True,
                          text=True, env=env, timeout=600)


def _cases():
    cases = [(words, dest, None) for words, dest in _outputs()]
    cases += [(("assign",), "out", "o.parquet"), (("assign",), "out", "ooc.parquet"),
              (("assign",), "out", "glob.parquet"), (("train-table",), "assignments", "o.parquet")]
    return cases


def _argv(words, dest, name, d, out):
    outputs = {dest: out / (name or _name(words, dest))}
    if words == ("train-table",) and dest != "save_map":
        outputs["save_map"] = "/dev/null"          # written through: no size limit, not a file here
    argv, _ = _command(words, d, outputs)
    if words == ("quantize",):                     # a colour count: the test map is a table map
        at = argv.index("--map")                   # its other outputs (--side-by-side) kept
        argv = argv[:at] + argv[at + 2:] + ["--colors", "4"]
    if name == "ooc.parquet":
        argv.append("--out-of-core")
    if name == "glob.parquet":                     # scored as a glob: the `file` column too
        # Parquet files, read in place: a text glob is first copied to $TMPDIR, which the limit
        # stops before the output (test_a_full_temporary_folder_is_one_error_line)
        import duckdb
        (out.parent / "in").mkdir()
        for i in (1, 2):
            duckdb.sql(f"COPY (SELECT * FROM read_csv('{d / 't.csv'}')) TO '{out.parent / 'in' / f't{i}.parquet'}'")
        argv[2] = str(out.parent / "in" / "t*.parquet")
    return argv


@pytest.mark.parametrize("words,dest,name", _cases(), ids=lambda v: v if isinstance(v, str) else " ".join(v or ()))
def test_a_write_past_the_file_size_limit_is_one_error_line(words, dest, name, files, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    argv = _argv(words, dest, name, files, out)
    assert main(argv) == 0, argv                   # the reference run (and its modules compiled)
    capsys.readouterr()
    sizes = {p.name: p.stat().st_size for p in out.iterdir()}
    assert sizes, argv
    for p in out.iterdir():
        p.unlink()
    limit = max(1, min(sizes.values()) // 2)
    r = _limited(argv, limit)
    lines = r.stderr.splitlines()
    # "error: cannot write X: ...", or after an output already written (quantize's OUT before its
    # --side-by-side), "error: OUT was written, the side-by-side picture was not: cannot write X: ..."
    assert r.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "), (argv, r.stderr)
    assert lines[0].startswith("error: cannot write ") or " was not: cannot write " in lines[0], lines
    assert "larger than the system allows" in lines[0], lines
    left = {p.name: p.stat().st_size for p in out.iterdir()}
    # nothing half-written: no temporary file, and a file kept (written before the failing one) is whole
    assert all(not n.startswith(".") and left[n] == sizes[n] for n in left), (left, sizes)


def test_a_full_temporary_folder_is_one_error_line(files, tmp_path):
    """A text glob scored in chunks is first copied into $TMPDIR (io.chunked_stage): when that
    copy cannot be written the line says so and names the folder, not "cannot read DATA: Async
    write failed ... {JSON}" (the data is not at fault)."""
    r = _limited(["assign", str(files / "m.somz"), str(files / "t*.csv"), "--out", str(tmp_path / "s.csv")], 300)
    lines = r.stderr.splitlines()
    assert r.returncode == 2 and len(lines) == 1, r.stderr
    assert lines[0].startswith("error: cannot write the temporary copy of the data in ") and "TMPDIR" in lines[0], lines
    assert not (tmp_path / "s.csv").exists()


def test_parquet_without_pyarrow_is_the_same_table(tmp_path, monkeypatch):
    """The desktop bundle has no pyarrow: write_parquet then goes through DuckDB into
    io.atomic.atomic_path's temporary file, with the same columns, types and values."""
    import numpy as np
    import duckdb

    from somdesk.io.tables.assignments import write_scores

    def blocks():
        for start in (0, 3):
            rows = np.arange(start, start + 3)
            yield rows, {"bmu_row": rows % 2, "bmu_col": rows % 3, "segment": rows % 2,
                         "distance": np.array([0.5, np.nan, 2.0]), "outlier": rows == 4, "present": rows * 0 + 3,
                         "file": np.array([os.fsdecode(b"a\xff.csv")] * 3, dtype=object)}
    assert write_scores(tmp_path / "with.parquet", blocks(), files=True) == 6
    monkeypatch.setitem(sys.modules, "pyarrow", None)          # `import pyarrow` now fails
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    assert write_scores(tmp_path / "without.parquet", blocks(), files=True) == 6
    monkeypatch.undo()
    read = lambda p: duckdb.sql(f"SELECT * FROM '{tmp_path / p}'")
    assert read("with.parquet").types == read("without.parquet").types
    assert read("with.parquet").fetchall() == read("without.parquet").fetchall()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["with.parquet", "without.parquet"]    # no temporaries
