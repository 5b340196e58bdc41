"""testerC #2 / #7: running out of memory is one line `error: out of memory while <phase>: <advice>`,
exit status 2, in every shape it comes in (core.memory), with advice that fits the command.

Each shape is raised where it arose for the tester (DuckDB's OutOfMemoryException in the out-of-core
statistics, a thread that could not start in duckutil's interrupter, llvmlite's mapping failure on
import, numpy's _ArrayMemoryError, an ImportError of an extension); one real run under RLIMIT_AS
(`ulimit -v`) in a child process checks nothing of it escapes as a traceback.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import types

import duckdb
import numpy as np
import pytest

from somdesk.cli import main
from somdesk.core import memory
from somdesk.io.tables import duckutil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("oom")
    rows = np.random.default_rng(0).random((40, 3))
    (d / "t.csv").write_text("a,b,c\n" + "".join(f"{x:.4f},{y:.4f},{z:.4f}\n" for x, y, z in rows))
    assert main(["train", "--table", str(d / "t.csv"), "--width", "3", "--height", "3", "--epochs", "1",
                 "--save-map", str(d / "m.somz"), "-q"]) == 0
    return d


def _llvmlite_failure():
    """llvmlite's ImportError-like OSError raised while handling the mapping failure (testerC #2)."""
    try:
        raise OSError("/venv/llvmlite/binding/libllvmlite.so: failed to map segment from shared object")
    except OSError:
        try:
            raise OSError("Could not find/load shared object file 'libllvmlite.so'")
        except OSError as exc:
            return exc


def _one_line(capsys, rc) -> str:
    err = capsys.readouterr().err
    assert rc == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: out of memory while "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("exc", [MemoryError(), duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate"),
                                 RuntimeError("can't start new thread"), _llvmlite_failure(),
                                 ImportError("cmath.so: failed to map segment from shared object"),
                                 OSError(12, "Cannot allocate memory")])
def test_every_shape_is_out_of_memory(exc):
    assert memory.is_out_of_memory(exc)


@pytest.mark.parametrize("exc", [RuntimeError("Query interrupted"), OSError(28, "No space left on device"),
                                 ValueError("x"), ImportError("No module named 'x'"),
                                 duckdb.InvalidInputException("Invalid Input Error: bad")])
def test_other_errors_are_not(exc):
    assert not memory.is_out_of_memory(exc)


def test_numpy_array_memory_error_in_training(monkeypatch, tmp_path, capsys):
    """numpy's _ArrayMemoryError (a MemoryError) while a map trains: advice for `train`."""
    from somdesk.core import som

    def huge(self, *a, **k):
        np.empty(1 << 45)            # 256 TiB: numpy raises its _ArrayMemoryError at once
    monkeypatch.setattr(som.SOM, "train", huge)
    line = _one_line(capsys, main(["train", "--random", "8", "--width", "4", "--height", "4",
                                   "--out", str(tmp_path / "o.png")]))
    assert "training the map" in line and "smaller map" in line


def test_duckdb_out_of_memory_out_of_core(files, monkeypatch, tmp_path, capsys):
    """DuckDB's OutOfMemoryException where testerC met it (outofcore_table._identifiers)."""
    from somdesk.session import outofcore_table

    def boom(*a, **k):
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block of size 256.0 KiB")
    monkeypatch.setattr(outofcore_table, "_identifiers", boom)
    line = _one_line(capsys, main(["train", "--table", str(files / "t.csv"), "--out-of-core", "--width", "3",
                                   "--height", "3", "--epochs", "1", "--save-map", str(tmp_path / "m.somz"), "-q"]))
    assert "in chunks" in line and "--out-of-core to" not in line     # it is out of core already


def test_thread_that_cannot_start(files, monkeypatch, capsys):
    """`RuntimeError: can't start new thread` from the interrupter thread of duckutil.scratch."""
    class NoThread(threading.Thread):
        def start(self):
            raise RuntimeError("can't start new thread")
    monkeypatch.setattr(duckutil, "threading", types.SimpleNamespace(
        Thread=NoThread, Event=threading.Event, Lock=threading.Lock, local=threading.local))
    duckutil.close_all()
    line = _one_line(capsys, main(["table", "info", str(files / "t.csv")]))
    # the phase `table info` names in its progress lines (cli_progress): the file being read
    assert f"while reading {files / 't.csv'}: " in line


def test_library_that_cannot_be_mapped(files, monkeypatch, capsys):
    """llvmlite's mapping failure (as the context of its "Could not find/load") while reading."""
    from somdesk.session import opening

    def boom(*a, **k):
        raise _llvmlite_failure()
    monkeypatch.setattr(opening, "read_table_named", boom)
    _one_line(capsys, main(["table", "info", str(files / "t.csv")]))


def test_assign_advice_is_out_of_core_not_a_smaller_map(files, monkeypatch, tmp_path, capsys):
    """testerC #7: the map of `assign` is given; the advice is --out-of-core."""
    from somdesk.session import scoring

    def boom(*a, **k):
        raise MemoryError()
    monkeypatch.setattr(scoring, "score_table", boom)
    line = _one_line(capsys, main(["assign", str(files / "m.somz"), str(files / "t.csv"),
                                   "--out", str(tmp_path / "s.csv")]))
    # what ran: the phase `assign` names in its progress lines (cli_progress)
    assert "--out-of-core" in line and "smaller map" not in line and "while scoring 40 rows" in line


def test_the_phase_under_way_is_named(files, monkeypatch, tmp_path, capsys):
    """train --table in memory: what needed the memory (the phase the progress lines name)."""
    from somdesk.session import table_data

    def boom(*a, **k):
        raise MemoryError()
    monkeypatch.setattr(table_data, "train_table_map", boom)
    line = _one_line(capsys, main(["train", "--table", str(files / "t.csv"), "--width", "3", "--height", "3",
                                   "--epochs", "1", "--save-map", str(tmp_path / "m.somz"), "-q"]))
    assert "training the map, epoch 1" in line and "--out-of-core" in line


def test_duckdb_memory_fits_the_cap(monkeypatch):
    """Under a cap DuckDB's memory_limit is half of what is left (not 80 % of the machine's RAM)
    and its threads one per 256 MB of that; without one, a smaller limit asked for is kept."""
    monkeypatch.setattr(memory, "address_limit", lambda: 1_500_000_000)
    monkeypatch.setattr(memory, "available_bytes", lambda: 800 * 2 ** 20)
    s = duckutil.fitted({"threads": 4})
    assert s["memory_limit"] == "400MB" and s["threads"] == 1
    assert duckutil.memory_limit("512MB") == "400MB" and duckutil.memory_limit("100MB") == "100MB"
    monkeypatch.setattr(memory, "address_limit", lambda: None)
    monkeypatch.setattr(memory, "available_bytes", lambda: None)
    assert duckutil.fitted({"threads": 4}) == {"threads": 4}


def test_real_memory_cap_in_a_child_process(files):
    """A real `ulimit -v` (RLIMIT_AS of 300 MB: numba's compiler library cannot even load):
    one line, status 2, no traceback."""
    import resource

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (300 * 10 ** 6, 300 * 10 ** 6))
    env = {**os.environ, "PYTHONPATH": ROOT}
    p = subprocess.run([sys.executable, "-m", "somdesk", "table", "info", str(files / "t.csv")], env=env,
                       preexec_fn=cap, capture_output=True, text=True, timeout=300)
    assert p.returncode == 2, p.stderr
    assert p.stderr.startswith("error: out of memory while ") and "Traceback" not in p.stderr, p.stderr
    assert "the memory limit is 300 MB" in p.stderr and "ulimit -v" in p.stderr


@pytest.mark.parametrize("n, text", [(0, "1 KB"), (145_000, "145 KB"), (999_499, "999 KB"),
                                     (1_000_000, "1 MB"), (850_000_000, "850 MB"),
                                     (1_400_000_000, "1.4 GB"), (12_345_000_000, "12.3 GB")])
def test_one_byte_size_wording(n, text):
    # the memory limit and the import dialog's file size read the same (a 145 KB file was "0 MB")
    assert memory.bytes_text(n) == text
