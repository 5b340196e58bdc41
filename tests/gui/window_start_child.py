"""A process that opens the window as a user's first look does, lets it paint, closes it and
ends (tests/gui/test_window_starts.py): Window(interactive=True), show(), the event loop run
for a while, close.  Prints "started" and "closed"."""
from __future__ import annotations

import faulthandler
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
faulthandler.enable(all_threads=True)
faulthandler.dump_traceback_later(90, exit=True)      # a hang is a failure too, with its stacks

from PySide6.QtCore import QEventLoop  # noqa: E402

from somdesk.gui.app import ensure_app  # noqa: E402
from somdesk.gui.window import Window  # noqa: E402

app = ensure_app()


def settle(ms: float) -> None:
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.01)


win = Window(interactive=True, confirm_unsaved=True)
win.resize(1500, 940)
win.move(0, 0)
win.show()
win.set_speed("max")
print("started", flush=True)
settle(float(sys.argv[1]) if len(sys.argv) > 1 else 1500)
win.close()
settle(100)
print("closed", flush=True)
