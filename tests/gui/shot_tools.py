"""What the docs' screenshot scripts share (tests/gui/*screenshots*.py; not tests).

    shots = Shots(out_dir)                # a QApplication, settings kept out of the user's
    win = shots.window(1320, 860)         # a shown Window at Max speed, no dialogs
    shots.idle(win)                       # wait for the window's task to end, then let it paint
    shots.grab(win, "name.png")           # the widget as Qt draws it
    shots.screen(win, "name.png")         # the screen area of the window (popups over it too)

`scripts/screenshots.sh` runs every script under Xvfb into docs/screenshots.
"""
from __future__ import annotations

import csv
import os
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Shots:
    def __init__(self, out_dir: str):
        from PySide6.QtCore import QSettings

        from somdesk.gui.app import ensure_app

        self.out_dir = out_dir
        os.makedirs(out_dir, exist_ok=True)
        self.tmp = tempfile.mkdtemp(prefix="somdesk-shots-")
        # recent files and remembered seeds of a screenshot run stay out of the user's settings
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, self.tmp)
        self.app = ensure_app()

    def settle(self, ms: int = 300) -> None:
        from PySide6.QtCore import QEventLoop

        end = time.perf_counter() + ms / 1000
        while time.perf_counter() < end:
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.01)

    def until(self, cond, timeout: float = 120.0) -> None:
        end = time.perf_counter() + timeout
        while not cond() and time.perf_counter() < end:
            self.settle(50)
        if not cond():
            raise RuntimeError("timed out waiting for the window")

    def idle(self, win, settle_ms: int = 300) -> None:
        """Wait until the window's one task runner has nothing running, then let it paint."""
        self.until(lambda: not win.runner.busy)
        self.settle(settle_ms)

    def window(self, width: int = 1320, height: int = 860, pos=(0, 0), interactive: bool = False, speed="max"):
        from somdesk.gui.window import Window

        w = Window(interactive=interactive, confirm_unsaved=False)
        w.resize(width, height)
        w.move(*pos)
        w.show()
        if speed:
            w.set_speed(speed)
        self.settle(200)
        return w

    def path(self, name: str) -> str:
        return os.path.join(self.out_dir, name)

    def grab(self, widget, name: str) -> str:
        """The widget as Qt paints it (no window frame, no popups)."""
        self.settle(200)
        p = self.path(name)
        widget.grab().save(p)
        print("wrote", p)
        return p

    def screen(self, widget, name: str, width: int | None = None, height: int | None = None) -> str:
        """The screen area of `widget`'s window, dialogs and menus over it included (needs a
        real X server: Xvfb)."""
        from PySide6.QtGui import QGuiApplication

        self.settle(400)
        g = widget.frameGeometry()
        p = self.path(name)
        QGuiApplication.primaryScreen().grabWindow(0, g.x(), g.y(), width or g.width(),
                                                   height or g.height()).save(p)
        print("wrote", p)
        return p


def sklearn_csv(name: str) -> str:
    """A CSV scikit-learn ships (e.g. "wine_data.csv": a metadata first line, no names)."""
    import sklearn

    return os.path.join(os.path.dirname(sklearn.__file__), "datasets", "data", name)


def wine_with_names(path: str) -> str:
    """scikit-learn's wine table with its column names and the cultivar as text."""
    from sklearn.datasets import load_wine

    d = load_wine()
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(list(d.feature_names) + ["cultivar"])
        for x, y in zip(d.data, d.target):
            w.writerow([repr(float(v)) for v in x] + [d.target_names[y]])
    return path
