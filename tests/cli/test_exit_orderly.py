"""The CLI ends in order: exit status 0 or 2 only, never an abort at the interpreter's exit.

tester10 #3: `somdesk table info dupcols.csv` once exited with status 134 (SIGABRT) after its
normal output.  A thread of DuckDB's or Arrow's that needs the GIL while the interpreter is
finalising is ended inside C++ and aborts the process, so: every DuckDB connection is closed
before `main` returns (io.tables.duckutil.close_all), Arrow never holds a buffer over a Python
object (io.tables.arrowread), and no thread of ours is a daemon.
"""
from __future__ import annotations

import ast
import os
import pathlib
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import somdesk
from somdesk.cli import main

RUNS = 30


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("exit")
    (d / "dupcols.csv").write_text("x,x,y\n1,2,3\n4,5,6\n7,8,9\n10,11,13\n")
    rng = np.random.default_rng(1)
    (d / "small.csv").write_text("p,q,r\n" + "".join(f"{a:.3f},{b:.3f},{c:.3f}\n" for a, b, c in rng.random((40, 3))))
    (d / "pal.gpl").write_text("GIMP Palette\nName: t\n#\n255 0 0 red\n0 255 0 green\n0 0 255 blue\n")
    from PIL import Image
    Image.fromarray((rng.random((8, 8, 3)) * 255).astype(np.uint8)).save(d / "pic.png")
    assert main(["train", "--table", str(d / "small.csv"), "--width", "3", "--height", "3", "--epochs", "3",
                 "--save-map", str(d / "m.somz"), "-q"]) == 0
    return d


def _commands(d) -> list[list[str]]:
    return [
        ["table", "info", str(d / "dupcols.csv")],
        ["table", "info", str(d / "small.csv"), "--json"],
        ["train", "--table", str(d / "dupcols.csv"), "--width", "2", "--height", "2", "--epochs", "2",
         "--save-map", str(d / "d.somz"), "-q"],
        ["assign", str(d / "m.somz"), str(d / "small.csv"), "--out", str(d / "a.csv"), "-q"],
        ["palette", "convert", str(d / "pal.gpl"), str(d / "p.hex"), "--force", "-q"],
        ["quantize", str(d / "pic.png"), str(d / "q.png"), "--colors", "4", "--force", "-q"],
        ["table", "info", str(d / "no-such-file.csv")],                       # a user error: 2
    ]


def _run(args, cwd):
    env = dict(os.environ, PYTHONFAULTHANDLER="1")
    return subprocess.run([sys.executable, "-m", "somdesk", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=600)


def test_short_commands_in_a_loop_end_with_0_or_2(files, tmp_path):
    """RUNS short commands, two at a time: every exit status is 0 or 2 (never negative, 134 or
    1), and no fatal error or C++ terminate message on stderr."""
    cmds = _commands(files)
    jobs = [cmds[k % len(cmds)] for k in range(RUNS)]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda a: (a, _run(a, tmp_path)), jobs))
    bad = [(a[:2], r.returncode, r.stderr[-400:]) for a, r in results
           if r.returncode not in (0, 2) or "Fatal Python error" in r.stderr or "terminate called" in r.stderr]
    assert not bad
    assert sorted({r.returncode for _a, r in results}) == [0, 2]


@pytest.mark.parametrize("which", ["info", "train", "assign"])
def test_a_table_command_leaves_no_duckdb_connection_open(files, which):
    """After `main` returns, no DuckDB database is left for the interpreter's shutdown (the
    sniffer's shared one was: one database and its ~9 threads at every exit)."""
    from somdesk.io.tables import duckutil

    args = {"info": ["table", "info", str(files / "dupcols.csv")],
            "train": ["train", "--table", str(files / "small.csv"), "--width", "2", "--height", "2",
                      "--epochs", "2", "--save-map", str(files / "t.somz"), "-q"],
            "assign": ["assign", str(files / "m.somz"), str(files / "small.csv"), "--out",
                       str(files / "b.csv"), "-q"]}[which]
    assert main(args) == 0
    assert duckutil.open_count() == 0


def test_only_the_process_own_command_spares_the_exit_collections(files, monkeypatch):
    """cli._no_collections_at_exit freezes the collector only where the process ends next: the
    `somdesk` script's subcommand (argv from the process).  A caller passing argv (a test, a
    script) keeps its collector; so does the window's exit."""
    import gc
    import signal

    from somdesk import cli

    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    assert main(["table", "info", str(files / "small.csv")]) == 0
    assert frozen == []
    monkeypatch.setattr(sys, "argv", ["somdesk", "table", "info", str(files / "small.csv")])
    handler = signal.getsignal(signal.SIGINT)
    try:
        assert main() == 0
    finally:
        signal.signal(signal.SIGINT, handler)       # the script's quiet after_command, not pytest's
    assert frozen == [True]
    monkeypatch.setattr(cli, "_run", lambda words, program=False: 0)     # the window, not opened
    monkeypatch.setattr(sys, "argv", ["somdesk", str(files / "pic.png")])
    assert main() == 0
    assert frozen == [True]


def test_close_all_closes_what_connect_and_scratch_opened():
    from somdesk.io.tables import duckutil

    con = duckutil.connect()
    with duckutil.scratch() as cur:
        assert cur.execute("SELECT 1").fetchone() == (1,)
    assert duckutil.open_count() == 2
    duckutil.close_all()
    assert duckutil.open_count() == 0
    with pytest.raises(Exception, match="closed"):
        con.execute("SELECT 1")


def test_arrow_reads_a_text_file_without_python_buffers(tmp_path, monkeypatch):
    """The whole-file CSV read through Arrow gives Arrow no buffer over a Python object (those
    take the GIL when an Arrow thread frees them, which aborts at the interpreter's exit)."""
    import pyarrow as pa

    from somdesk.io.tables import arrowread
    from somdesk.io.tables.table import read_table

    if not arrowread.available():
        pytest.skip("pyarrow is not installed")
    p = tmp_path / "t.csv"
    p.write_text("a,b\n" + "".join(f"{i},{i * 0.5}\n" for i in range(200)))

    def refused(*a, **k):
        raise AssertionError("an Arrow buffer over a Python object")
    monkeypatch.setattr(pa, "py_buffer", refused)
    real, used = arrowread.read_csv, []
    monkeypatch.setattr(arrowread, "read_csv", lambda *a, **k: used.append(real(*a, **k)) or used[-1])
    tab = read_table(str(p))
    try:
        assert tab.n_rows_total == 200
    finally:
        tab.close()
    assert used and used[0] is not None          # Arrow read it (None: it gave up, DuckDB read it)


def _daemon_threads(tree) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "daemon" and \
                not (isinstance(node.value, ast.Constant) and node.value.value is False):
            lines.append(node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr in ("daemon", "setDaemon") and \
                isinstance(getattr(node, "ctx", None), ast.Store):
            lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "setDaemon":
            lines.append(node.lineno)
    return lines


def test_no_thread_of_ours_is_a_daemon():
    """A daemon thread may still run Python (or wait inside DuckDB for the GIL) when the
    interpreter finalises; a non-daemon one is joined first.  Our threads end at a cancel."""
    root = pathlib.Path(somdesk.__file__).parent
    found = {str(f.relative_to(root)): ln for f in root.rglob("*.py")
             if (ln := _daemon_threads(ast.parse(f.read_text(encoding="utf-8"))))}
    assert not found


def test_the_daemon_check_finds_one():
    assert _daemon_threads(ast.parse("import threading\nthreading.Thread(target=f, daemon=True)\n")) == [2]
    assert _daemon_threads(ast.parse("t = T()\nt.daemon = True\n")) == [2]
    assert _daemon_threads(ast.parse("threading.Thread(target=f, daemon=False)\n")) == []
