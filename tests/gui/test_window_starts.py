"""testerW #4: ~2 of 14 window starts ended in a segmentation fault in the first event-loop
turns after Window(interactive=True).show() (load 14-16).  Start the window in fresh child
processes for about a minute and fail on any crash, hang or fatal error: a crash at start
cannot be seen from inside a test process that already has a window."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time

CHILD = pathlib.Path(__file__).with_name("window_start_child.py")
BUDGET_S = 45.0          # starts begun until this much time has passed (at least MIN_STARTS): ~60 s in all
MIN_STARTS = 3
BAD = ("Fatal Python error", "Segmentation fault", "QThread: Destroyed", "terminate called", "Traceback")


def _start(tmp_path, i: int) -> subprocess.Popen:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONFAULTHANDLER="1", HOME=str(tmp_path / f"h{i}"),
               XDG_CONFIG_HOME=str(tmp_path / f"h{i}" / "xdg"))
    return subprocess.Popen([sys.executable, str(CHILD), "1500"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=tmp_path)


def test_the_window_starts_and_closes_without_a_crash(tmp_path):
    t0 = time.perf_counter()
    started = 0
    while started < MIN_STARTS or time.perf_counter() - t0 < BUDGET_S:
        pair = [_start(tmp_path, started + k) for k in range(2)]     # two at once: a busier machine
        for proc in pair:
            out, err = proc.communicate(timeout=300)
            said = [line for line in err.splitlines() if any(b in line for b in BAD)]
            assert proc.returncode == 0 and not said and "closed" in out, \
                (f"start {started + 1}", proc.returncode, err[-3000:])
            started += 1
