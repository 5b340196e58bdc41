"""Quit (Ctrl+Q) in the middle of each kind of long task ends the whole process in order: exit
status 0, quickly, and none of "QThread: Destroyed while thread is still running", a fatal
error or a C++ terminate on stderr (the original project's "quit during a long pass aborts";
tester10 #3).  Each case is a real `somdesk` process (tests/gui/quit_child.py): an abort at the
interpreter's exit cannot be seen from inside a test process.
"""
from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest

from somdesk.gui.tasks import QUIT_WAIT_S
from tests.timing import load_scaled

CHILD = pathlib.Path(__file__).with_name("quit_child.py")
BAD = ("QThread: Destroyed", "Fatal Python error", "terminate called", "Traceback", "Aborted")


@pytest.mark.parametrize("kind", ["train", "read", "quantise", "export", "compiling"])
def test_quit_during_a_task_exits_at_once_and_in_order(tmp_path, kind):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONFAULTHANDLER="1", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    proc = subprocess.run([sys.executable, str(CHILD), kind, str(tmp_path)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=900)
    said = [line for line in proc.stderr.splitlines() if any(b in line for b in BAD)]
    assert proc.returncode == 0 and not said, (proc.returncode, proc.stderr[-2000:])
    assert f"quit during {kind}" in proc.stdout            # the task was running when Quit came
    took = float(re.search(r"exit ([\d.]+) s after quit", proc.stdout).group(1))
    # the task ended at its next check; one that cannot check is left after QUIT_WAIT_S
    assert took < load_scaled(2.0) + (QUIT_WAIT_S if kind == "compiling" else 0.0), took


SIGINT_CHILD = pathlib.Path(__file__).with_name("sigint_child.py")


@pytest.mark.parametrize("mode", ["idle", "train"])
def test_ctrl_c_in_the_terminal_quits_in_order_without_asking(tmp_path, mode):
    """tester11 #2: Ctrl+C in the terminal did not stop the window (Qt's loop runs no Python, so
    Python's handler never ran).  Now SIGINT closes the window as Quit does, without the unsaved
    work dialog (a trained map is unsaved work: a dialog would hang this offscreen process): exit
    status 130, within seconds, no traceback, no thread destroyed while running."""
    import signal
    import time

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONFAULTHANDLER="1", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    proc = subprocess.Popen([sys.executable, str(SIGINT_CHILD), mode], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()[-2000:]
        time.sleep(0.3)                                   # the event loop idles (or trains) in C++
        t0 = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=load_scaled(30.0))
        took = time.perf_counter() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    said = [line for line in err.splitlines() if any(b in line for b in BAD + ("KeyboardInterrupt",))]
    assert proc.returncode == 130 and not said, (proc.returncode, err[-2000:])
    assert took < load_scaled(3.0), took
