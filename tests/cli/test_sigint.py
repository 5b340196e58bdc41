"""Ctrl+C (SIGINT) on the command line: `error: interrupted`, exit status 130, no traceback,
nothing half-written -- whichever part is running (somdesk/cli_interrupt.py).

testerC #2: a Ctrl+C while DuckDB read a table ended in a traceback (`RuntimeError: Query
interrupted`, exit 1) or in "cannot read big.csv: Query interrupted" (exit 2); #4: one during
"measuring the map on 1,000,000 rows" took 14 s to act; #13: `quantize` was ended by the signal
itself (returncode -2) where `train` and `assign` exited 130.

Each case runs the CLI in a child process that sends SIGINT to itself at a chosen moment: a
delay after its first DuckDB connection opens (duckutil._watch: the read is under way), or
after the measuring pass starts.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from somdesk.errors import Cancelled

CHILD = textwrap.dedent('''
    import json, os, signal, sys, threading, time
    from somdesk import cli
    from somdesk.io.tables import duckutil
    from somdesk.session import table_data

    when, delay, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    info = {"sent": None, "duckdb_open": None}

    def fire():
        time.sleep(delay)
        if "end" in info:        # the command ended first: no Ctrl+C into the interpreter's exit
            return
        info["duckdb_open"] = bool(duckutil._open) or duckutil._shared is not None
        info["sent"] = time.monotonic()
        os.kill(os.getpid(), signal.SIGINT)

    def start_once():
        if not info.get("started"):
            info["started"] = True
            threading.Thread(target=fire, daemon=True).start()

    if when == "duckdb":                 # the first connection or cursor the command opens
        watch = duckutil._watch
        def _watch(con):
            start_once()
            return watch(con)
        duckutil._watch = _watch
    elif when == "measure":              # the measuring pass after training
        measure = table_data.measure_table_map
        def measure_table_map(*a, **k):
            start_once()
            return measure(*a, **k)
        table_data.measure_table_map = measure_table_map
    else:                                # from the start
        start_once()
    code = cli.main(argv)
    info["code"], info["end"] = code, time.monotonic()
    print("\\n" + json.dumps(info))
''')


def _run_child(tmp_path, when, delay, args):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.getcwd()] + sys.path))
    r = subprocess.run([sys.executable, str(script), when, str(delay), *args], capture_output=True,
                       text=True, cwd=tmp_path, env=env, timeout=600)
    info = json.loads(r.stdout.strip().splitlines()[-1]) if r.stdout.strip() else {}
    return r, info


def _assert_interrupted(r, info):
    assert "Traceback" not in r.stderr, r.stderr[-2000:]
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])       # the child script's own exit
    if info.get("sent") is None and info.get("code") == 0:
        pytest.skip("the command ended before this delay's Ctrl+C (a fast machine): nothing to interrupt")
    assert info["sent"] is not None
    assert info["code"] == 130, r.stderr[-2000:]
    assert r.stderr.strip().splitlines()[-1] == "error: interrupted", r.stderr[-2000:]


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """A 150,000-row CSV: big enough that DuckDB's reads last a while."""
    import duckdb
    d = tmp_path_factory.mktemp("sigint")
    path = d / "t.csv"
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT random() AS a, random() AS b, random() * 100 AS c, (range % 7) AS d, "
                    f"'g' || (range % 13)::VARCHAR AS e FROM range(150000)) TO '{path}' (HEADER)")
    return path


@pytest.mark.parametrize("delay", [0.0, 0.02, 0.05, 0.1])     # table info reads 150,000 rows in ~0.2 s
def test_ctrl_c_while_duckdb_reads_for_table_info(tmp_path, table, delay):
    r, info = _run_child(tmp_path, "duckdb", delay, ["table", "info", str(table)])
    _assert_interrupted(r, info)
    assert "cannot read" not in r.stderr


def test_ctrl_c_while_duckdb_reads_out_of_core_writes_nothing(tmp_path, table):
    """At several moments of an out-of-core run (staging, statistics, the sample, the epochs'
    chunks): always 130, no map, no temporary file; at least one Ctrl+C came while DuckDB was open."""
    out = tmp_path / "out"
    out.mkdir()
    during_duckdb = []
    for delay in (0.0, 0.2, 1.0, 3.0):
        r, info = _run_child(tmp_path, "duckdb", delay, ["train", "--table", str(table), "--out-of-core",
                                                          "--width", "4", "--height", "4", "--epochs", "2",
                                                          "--save-map", str(out / "m.somz"), "-q"])
        _assert_interrupted(r, info)
        assert list(out.iterdir()) == []          # no map, no temporary file
        during_duckdb.append(info["duckdb_open"])
    assert any(during_duckdb)


@pytest.mark.parametrize("delay", [0.1, 1.0])
def test_ctrl_c_while_the_in_memory_train_reads(tmp_path, table, delay):
    out = tmp_path / "out"
    out.mkdir()
    r, info = _run_child(tmp_path, "duckdb", delay, ["train", "--table", str(table), "--width", "4", "--height", "4",
                                                      "--epochs", "2", "--save-map", str(out / "m.somz"), "-q"])
    _assert_interrupted(r, info)
    assert list(out.iterdir()) == []


def test_ctrl_c_while_measuring_acts_within_a_second(tmp_path):
    """testerC #4: the measuring pass (a compiled BMU search over every row, on the main thread)
    heard the Ctrl+C only when it ended: 8.7 s here on 300,000 rows before the fix, 0.1 s after."""
    rng = np.random.default_rng(0)
    path = tmp_path / "m.csv"
    np.savetxt(path, rng.normal(size=(200_000, 6)), delimiter=",", fmt="%.4f", header="a,b,c,d,e,f", comments="")
    out = tmp_path / "out"
    out.mkdir()
    r, info = _run_child(tmp_path, "measure", 0.3, ["train", "--table", str(path), "--width", "50", "--height", "50",
                                                     "--epochs", "1", "--save-map", str(out / "m.somz"), "-q"])
    _assert_interrupted(r, info)
    assert info["end"] - info["sent"] < 1.5
    assert list(out.iterdir()) == []


def test_ctrl_c_ends_quantize_with_130_too(tmp_path):
    """testerC #13: quantize was ended by the signal itself (returncode -2); one rule now."""
    from PIL import Image
    rng = np.random.default_rng(2)
    Image.fromarray((rng.random((400, 400, 3)) * 255).astype(np.uint8)).save(tmp_path / "p.png")
    r, info = _run_child(tmp_path, "start", 1.0, ["quantize", str(tmp_path / "p.png"), str(tmp_path / "q.png"),
                                                  "--colors", "256", "--dither", "--space", "oklab"])
    _assert_interrupted(r, info)
    assert not (tmp_path / "q.png").exists()


def test_stop_for_turns_duckdb_interrupts_into_our_stop():
    """The one place a DuckDB interrupt becomes our stop (io.tables.duckutil.stop_for)."""
    import duckdb

    from somdesk.core.cancel import CancelToken
    from somdesk.io.tables.duckutil import interrupted, stop_for

    plain = RuntimeError("Query interrupted")          # DuckDB's word for a Ctrl+C while it ran
    assert interrupted(plain) and interrupted(duckdb.InterruptException("INTERRUPT Error: Interrupted!"))
    assert isinstance(stop_for(plain), KeyboardInterrupt)           # no token: the Ctrl+C given back
    token = CancelToken()
    token.cancel()
    assert isinstance(stop_for(plain, token), Cancelled)
    assert isinstance(stop_for(duckdb.InterruptException("x")), Cancelled)
    assert stop_for(RuntimeError("something else")) is None
    assert stop_for(duckdb.IOException("Query interrupted")) is None


def test_unreadable_is_no_file_fault_after_a_ctrl_c():
    """chunked_sql.unreadable: DuckDB's RuntimeError of a Ctrl+C is not "cannot read ..."."""
    from somdesk.io.chunked_sql import unreadable

    assert isinstance(unreadable("big.csv", RuntimeError("Query interrupted")), KeyboardInterrupt)


def test_a_real_ctrl_c_inside_a_query_reaches_the_engine_as_a_stop(tmp_path, table):
    """Without the CLI (a library caller): a SIGINT while engine.query runs gives KeyboardInterrupt
    back (DuckDB raised RuntimeError('Query interrupted') in its place) -- never the RuntimeError."""
    script = tmp_path / "lib.py"
    script.write_text(textwrap.dedent(f'''
        import os, signal, threading, time
        from somdesk.io.tables.table import read_table
        tab = read_table({str(table)!r})
        threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        try:
            for _ in range(200):
                tab._src.query("SELECT a, b, c, d, e FROM src ORDER BY e, b DESC, a")
            print("finished")
        except KeyboardInterrupt:
            print("KeyboardInterrupt")
        except BaseException as exc:
            print(type(exc).__name__, exc)
        finally:
            tab.close()
    '''))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.getcwd()] + sys.path))
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=600)
    assert r.stdout.strip().splitlines()[-1] == "KeyboardInterrupt", (r.stdout, r.stderr[-2000:])


def test_a_late_handler_after_the_command_raises_nothing():
    """Python runs the SIGINT handler at the main thread's next bytecode: when the watcher's stop
    has already ended the command, that can be in guard's cleanup or in cli._run's `error:
    interrupted` branch, where a KeyboardInterrupt escaped (a traceback, exit -2: retest #2).
    The handler raises only while the command's body runs."""
    import signal

    from somdesk import cli_interrupt

    handlers = []
    try:
        with pytest.raises(KeyboardInterrupt):
            with cli_interrupt.guard():
                handlers.append(signal.getsignal(signal.SIGINT))
                handlers[0](signal.SIGINT, None)          # in the body: the command stops
        signal.signal(signal.SIGINT, signal.default_int_handler)
        with cli_interrupt.guard():
            handlers.append(signal.getsignal(signal.SIGINT))
        handlers[1](signal.SIGINT, None)                  # late: after the body ended, no raise
        assert cli_interrupt.fired()
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
