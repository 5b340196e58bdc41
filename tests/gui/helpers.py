"""Helpers shared by the GUI tests."""
from __future__ import annotations

from somdesk.core import SOMConfig

FIRST_RUN_TIMEOUT_MS = 30_000   # the first step of a process may compile/load numba kernels


def make_window(qtbot, colours=None, config: SOMConfig | None = None, speed: str | None = "max"):
    from somdesk.gui.main_window import MainWindow
    from somdesk.gui.settings import Settings

    win = MainWindow(settings=Settings())
    qtbot.addWidget(win)
    if colours is not None:
        win.palette.set_colours(colours)
    if config is not None:
        win.params.set_config(config)
    if speed is not None:
        win.set_speed(speed)
    win.show()
    qtbot.waitUntil(lambda: win.params.valid or bool(win.params.error), timeout=2000)
    win.rebuild_preview()
    return win
