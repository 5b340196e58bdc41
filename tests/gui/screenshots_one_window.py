"""Screenshots of the one window, each dataset kind (not a test: run it by hand).

    xvfb-run -s "-screen 0 1400x900x24" env QT_QPA_PLATFORM=xcb \\
        python tests/gui/screenshots_one_window.py docs/screenshots

Writes one-window-colours.png (a palette, trained), one-window-hexagonal.png (a
hexagonal map), one-window-umatrix.png (U-matrix with its colour scale),
one-window-image.png (a picture quantised), one-window-table.png (the sample
table, a component plane with its scale) and one-window-hits.png.
"""
from __future__ import annotations

import os
import sys

import numpy as np

from tests.gui.shot_tools import ROOT, Shots


def _shot(shots, win, name):
    win.draw()
    shots.grab(win, name)


def main(out_dir: str) -> int:
    from somdesk.core import SOMConfig

    shots = Shots(out_dir)
    win = shots.window(1320, 860)

    win.open_paths([os.path.join(ROOT, "resources", "palettes", "rainbow-24.gpl")])
    shots.idle(win)
    win.left.params.set_config(SOMConfig(width=60, height=40, iterations=300, seed=3))
    win.train()
    shots.idle(win)
    win.set_view("colours")
    _shot(shots, win, "one-window-colours.png")
    win.set_view("umatrix")
    _shot(shots, win, "one-window-umatrix.png")

    win.left.params.set_config(SOMConfig(width=24, height=18, iterations=200, seed=3, topology="hexagonal"))
    win.train()
    shots.idle(win)
    win.set_view("colours")
    _shot(shots, win, "one-window-hexagonal.png")
    win.set_view("hits")
    _shot(shots, win, "one-window-hits.png")

    from PIL import Image
    yy, xx = np.mgrid[0:300, 0:400]
    pic = np.stack([xx * 255 // 399, yy * 255 // 299, 255 - (xx + yy) * 255 // 698], -1).astype(np.uint8)
    path = os.path.join(shots.tmp, "gradient.png")
    Image.fromarray(pic).save(path)
    win.open_paths([path])
    shots.idle(win)
    os.remove(path)
    win.train()
    shots.idle(win)
    win.quantise()
    shots.idle(win)
    win.set_view("quantised")
    _shot(shots, win, "one-window-image.png")

    table_shot(shots, win)
    win.close()
    return 0


def table_shot(shots, win) -> None:
    """The sample table through the one table path (the import preview is skipped in a window
    without dialogs): the Segments dock, a component plane with its scale."""
    from somdesk.gui.table_views import MAP_VIEWS

    win.open_paths([os.path.join(ROOT, "resources", "samples", "customers.csv")])
    shots.idle(win)
    win.train()                          # Training > Train: the table map in the dock
    shots.idle(win)
    wf = win.tables
    wf.tabs.setCurrentIndex(1)
    wf.map_choice.setCurrentIndex(len(MAP_VIEWS) + 1)
    _shot(shots, win, "one-window-table.png")


def only_table(out_dir: str) -> int:
    shots = Shots(out_dir)
    win = shots.window(1320, 860)
    table_shot(shots, win)
    win.close()
    return 0


if __name__ == "__main__":
    if "--only-table" in sys.argv:
        raise SystemExit(only_table(next((a for a in sys.argv[1:] if not a.startswith("--")), "docs/screenshots")))
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
