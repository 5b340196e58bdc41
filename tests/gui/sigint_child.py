"""A whole `somdesk` process for Ctrl+C in the terminal (tests/gui/test_quit_during_tasks.py).

    python tests/gui/sigint_child.py idle|train

Runs `sys.exit(somdesk.cli.main([]))` -- the real entry point, the real window, its default
settings (interactive, asks about unsaved work) -- and prints `ready` once the window is shown
(idle) or trains a long run past its first epoch (train).  The test then sends SIGINT.
"""
from __future__ import annotations

import sys

MODE = sys.argv[1]


def _driver(app):
    from PySide6.QtCore import QTimer

    from somdesk.gui.window import WINDOWS

    state = {"started": False}
    timer = QTimer()
    timer.setInterval(10)

    def tick():
        if not WINDOWS or not WINDOWS[0].isVisible():
            return
        w = WINDOWS[0]
        if MODE == "train" and not state["started"]:
            w.left.params.set_config(w.session.config.replace(width=60, height=60, iterations=100_000))
            w.train()
            state["started"] = True
            return
        if MODE == "train" and (not w.runner.busy or w.session.map is None or w.session.map.iteration == 0):
            return
        timer.stop()            # from here on the event loop idles in C++: no Python runs by itself
        print("ready", flush=True)

    timer.timeout.connect(tick)
    timer.start()
    app._sigint_child_timer = timer


if __name__ == "__main__":
    from PySide6.QtCore import QTimer

    from somdesk.cli import main
    from somdesk.gui.app import ensure_app

    app = ensure_app()
    QTimer.singleShot(0, lambda: _driver(app))
    sys.exit(main([]))
