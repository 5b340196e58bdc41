"""A whole `somdesk` process that quits (the Quit action, Ctrl+Q) in the middle of a task.

    python tests/gui/quit_child.py KIND FOLDER      KIND: train | read | quantise | export | compiling

Runs `sys.exit(somdesk.cli.main([]))` -- the real entry point, the real window -- and drives the
window from a timer: it starts a long task of KIND (the input made in FOLDER), waits until the
window's runner is busy with it, then quits.  Prints `quit during KIND` when it quits, and at
exit (atexit: after Python joined its threads, before it finalises) `exit N.NNN s after quit`.
Used by tests/gui/test_quit_during_tasks.py, which checks the exit status and stderr.
KIND compiling: the run's kernel warm-up never looks at the stop flag (numba compiling on a
source install's first run, minutes; testerW 15 #1), so the process must leave it behind;
it then ends through os._exit, which prints the same line first.
"""
from __future__ import annotations

import atexit
import os
import sys
import time

import numpy as np

KIND, FOLDER = sys.argv[1], sys.argv[2]
KINDS = {"train": "train", "read": "read table", "quantise": "quantise", "export": "export-image",
         "compiling": "train"}
quit_at: list[float] = []


def _said_at_exit() -> None:
    if quit_at:
        print(f"exit {time.perf_counter() - quit_at[0]:.3f} s after quit", flush=True)


atexit.register(_said_at_exit)


def _inputs() -> dict:
    """A 700,000-row CSV (read: ~40 MB) and a 6-megapixel picture (quantise)."""
    paths = {}
    if KIND == "read":
        path = os.path.join(FOLDER, "big.csv")
        rng = np.random.default_rng(0)
        np.savetxt(path, rng.random((700_000, 5)), fmt="%.4f", delimiter=",", header="a,b,c,d,e", comments="")
        paths["csv"] = path
    if KIND == "quantise":
        from PIL import Image
        h, w = 1500, 4000
        y, x = np.mgrid[0:h, 0:w]
        big = np.stack([(x * 255 // w), (y * 255 // h), ((x + y) % 256)], axis=2).astype(np.uint8)
        paths["picture"] = os.path.join(FOLDER, "big.bmp")
        Image.fromarray(big).save(paths["picture"])
    return paths


def _driver(app):
    from PySide6.QtCore import QTimer

    from somdesk.gui.export_dialog import ExportOptions
    from somdesk.gui.window import WINDOWS

    paths = _inputs()
    steps: list = []
    state = {"step": 0}

    def win():
        return WINDOWS[0]

    def idle():
        return not win().runner.busy

    def start():
        w = win()
        w.interactive, w.confirm_unsaved = False, False      # no dialog may wait for a click
        if KIND in ("train", "compiling"):
            w.left.params.set_config(w.session.config.replace(width=60, height=60, iterations=100_000))
            w.train()
        elif KIND == "read":
            w.open_paths([paths["csv"]])
        elif KIND == "quantise":
            w.open_paths([paths["picture"]])
        elif KIND == "export":
            w.session.new_colours(np.random.default_rng(0).random((30, 3)))
            w.left.params.set_config(w.session.config.replace(width=300, height=300, iterations=2, seed=1))
            w.train()
        return True

    def prepared():
        """For quantise and export: the map their task needs, trained to its end."""
        w = win()
        if KIND == "quantise":
            if not idle() or w.session.kind != "image":
                return False
            w.left.params.set_config(w.session.config.replace(width=8, height=8, iterations=3))
            w.train()
            state["then"] = "quantise"
            return True
        if KIND == "export":
            if not idle() or w.session.map is None:
                return False
            w.exports.save(ExportOptions("colours", 8, False, False), os.path.join(FOLDER, "map.png"),
                           remember=False)
        return True

    def quantise():
        if KIND != "quantise":
            return True
        if not idle() or w_map_missing():
            return False
        win().quantise()
        return True

    def w_map_missing():
        return win().session.map is None

    def quit_when_busy():
        if win().runner.kind != KINDS[KIND] or idle():
            return False
        if KIND == "compiling" and not stuck_in_warm_up.is_set():
            return False
        if KIND == "train" and win().session.map.iteration == 0:
            return False
        print(f"quit during {KIND}", flush=True)
        quit_at.append(time.perf_counter())
        win().actions["quit"].trigger()
        return True

    steps.extend([start, prepared, quantise, quit_when_busy])
    timer = QTimer()
    timer.setInterval(10)

    def tick():
        if not WINDOWS:
            return
        while state["step"] < len(steps) and steps[state["step"]]():
            state["step"] += 1
            if state["step"] < len(steps):
                return                   # one step a tick: the task starts before the next looks
        if state["step"] >= len(steps):
            timer.stop()

    timer.timeout.connect(tick)
    timer.start()
    app._quit_child_timer = timer       # kept alive as long as the application


stuck_in_warm_up = __import__("threading").Event()


def _warm_up_that_cannot_stop() -> float:
    stuck_in_warm_up.set()
    time.sleep(600)                     # a compile: no stop flag is read
    return 0.0


def _exit_saying(code: int) -> None:
    _said_at_exit()
    _real_exit(code)


_real_exit = os._exit


if __name__ == "__main__":
    from PySide6.QtCore import QTimer

    if KIND == "compiling":
        from somdesk.session import runs

        runs.warm_kernels = _warm_up_that_cannot_stop
        os._exit = _exit_saying

    from somdesk.cli import main
    from somdesk.gui.app import ensure_app

    app = ensure_app()                  # main() takes this application and opens its window
    QTimer.singleShot(0, lambda: _driver(app))
    sys.exit(main([]))
