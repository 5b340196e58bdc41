"""testerW #10: a process whose window held a paused run did not end: the task waited for a
resume in tasks._wait_while_paused while the pool's destructor waited for the task.  Now the
interpreter's exit stops every live task (tasks._stop_at_exit), and a closed window's runner
stops its own.  A real child process each time: a hang at exit cannot be seen from inside."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time

import pytest

from tests.timing import load_scaled

CHILD = pathlib.Path(__file__).with_name("paused_exit_child.py")


@pytest.mark.parametrize("mode", ["forgotten", "closed"])
def test_a_process_with_paused_tasks_exits(tmp_path, mode):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONFAULTHANDLER="1", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    for _ in range(3):                           # the hang was not every time
        t0 = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, str(CHILD), mode, "4"], capture_output=True, text=True,
                                  env=env, cwd=tmp_path, timeout=load_scaled(60.0))
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"the process did not end ({mode}): {exc.stderr!r}")
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert "paused 4" in proc.stdout
        assert "Fatal Python error" not in proc.stderr, proc.stderr[-2000:]
        assert time.perf_counter() - t0 < load_scaled(30.0)
