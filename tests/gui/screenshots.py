"""Take the docs' screenshots of the real window (not a test: run it by hand).

    Xvfb :99 -screen 0 1400x900x24 &
    DISPLAY=:99 QT_QPA_PLATFORM=xcb python tests/gui/screenshots.py docs/screenshots

Writes window-start.png (the default job, ready), window-training.png (about
halfway through at the default pace) and window-finished.png.
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np


def main(out_dir: str) -> int:
    from PySide6.QtCore import QEventLoop, QTimer

    from somdesk.gui.app import ensure_app
    from somdesk.gui.main_window import MainWindow
    from somdesk.gui.palette_strip import random_colours

    os.makedirs(out_dir, exist_ok=True)
    app = ensure_app()
    win = MainWindow(settings=None)
    win.palette.set_colours(random_colours(20, np.random.default_rng(3)))
    win.resize(1320, 860)
    win.show()

    def settle(ms: int) -> None:
        end = time.perf_counter() + ms / 1000
        while time.perf_counter() < end:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.01)

    def shot(name: str) -> None:
        path = os.path.join(out_dir, name)
        win.grab().save(path)
        print("wrote", path)

    settle(800)
    shot("window-start.png")
    done = QEventLoop()
    win.controller.finished.connect(lambda _s: done.quit())
    win.train()
    settle(2600)
    shot("window-training.png")
    QTimer.singleShot(60_000, done.quit)
    if win.controller.state != "idle":
        done.exec()
    settle(600)
    # show what hovering reports: the node under the map's centre, in the status bar
    from PySide6.QtCore import QPointF
    c = win.canvas
    c.scene().sigMouseMoved.emit(c.vb.mapViewToScene(QPointF(62.5, 40.5)))
    settle(100)
    shot("window-finished.png")
    win.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
