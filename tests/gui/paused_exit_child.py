"""A process that leaves paused tasks behind and ends (tests/gui/test_paused_exit.py).

    python tests/gui/paused_exit_child.py MODE N     MODE: forgotten | closed

Starts N pausable tasks on one TaskRunner each, pauses them (each waits in
tasks._wait_while_paused), then either forgets them (a window never closed: a script, a
cancelled close, no app.exec() so no aboutToQuit) or shuts their runners down as a window's
close does, and returns from the script.  Prints "paused N" once every task is waiting.
"""
from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from somdesk.gui.app import ensure_app  # noqa: E402
from somdesk.gui.tasks import TaskRunner  # noqa: E402

MODE, N = sys.argv[1], int(sys.argv[2])
app = ensure_app()


def factory(token):
    while True:                     # a run that only a pause or a stop ends
        token.check()
        time.sleep(0.002)
        yield None


runners = [TaskRunner() for _ in range(N)]
workers = [r.start("train", factory, pausable=True) for r in runners]
for r in runners:
    r.pause()
end = time.perf_counter() + 30
while time.perf_counter() < end and not all(w.paused for w in workers):
    app.processEvents()
    time.sleep(0.01)
time.sleep(0.3)                     # every worker is inside _wait_while_paused by now
print(f"paused {N}", flush=True)
if MODE == "closed":
    for r in runners:
        r.shutdown()
