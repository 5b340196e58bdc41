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
import time

import numpy as np


def _wait(app, win, timeout=120):
    end = time.perf_counter() + timeout
    while win.runner.busy and time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.01)


def _shot(app, win, path):
    win.draw()
    for _ in range(10):
        app.processEvents()
        time.sleep(0.02)
    win.grab().save(path)
    print(path)


def main(out_dir: str) -> int:
    from somdesk.core import SOMConfig
    from somdesk.gui.app import ensure_app
    from somdesk.gui.window import Window

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.makedirs(out_dir, exist_ok=True)
    app = ensure_app()
    win = Window(interactive=False, confirm_unsaved=False)
    win.resize(1320, 860)
    win.show()
    win.set_speed("max")

    win.open_paths([os.path.join(root, "resources", "palettes", "rainbow-24.gpl")])
    _wait(app, win)
    win.left.params.set_config(SOMConfig(width=60, height=40, iterations=300, seed=3))
    win.train()
    _wait(app, win)
    win.set_view("colours")
    _shot(app, win, os.path.join(out_dir, "one-window-colours.png"))
    win.set_view("umatrix")
    _shot(app, win, os.path.join(out_dir, "one-window-umatrix.png"))

    win.left.params.set_config(SOMConfig(width=24, height=18, iterations=200, seed=3, topology="hexagonal"))
    win.train()
    _wait(app, win)
    win.set_view("colours")
    _shot(app, win, os.path.join(out_dir, "one-window-hexagonal.png"))
    win.set_view("hits")
    _shot(app, win, os.path.join(out_dir, "one-window-hits.png"))

    from PIL import Image
    yy, xx = np.mgrid[0:300, 0:400]
    pic = np.stack([xx * 255 // 399, yy * 255 // 299, 255 - (xx + yy) * 255 // 698], -1).astype(np.uint8)
    path = os.path.join(out_dir, "_gradient.png")
    Image.fromarray(pic).save(path)
    win.open_paths([path])
    _wait(app, win)
    os.remove(path)
    win.train()
    _wait(app, win)
    win.quantise()
    _wait(app, win)
    win.set_view("quantised")
    _shot(app, win, os.path.join(out_dir, "one-window-image.png"))

    table_shot(app, win, root, out_dir)
    win.close()
    return 0


def table_shot(app, win, root, out_dir) -> None:
    """The sample table through the one table path (the import preview is skipped in a window
    without dialogs): the Segments dock, a component plane with its scale."""
    from somdesk.gui.table_views import MAP_VIEWS

    win.open_paths([os.path.join(root, "resources", "samples", "customers.csv")])
    _wait(app, win)
    win.train()                          # Training > Train: the table map in the dock
    _wait(app, win)
    wf = win.tables
    wf.tabs.setCurrentIndex(1)
    wf.map_choice.setCurrentIndex(len(MAP_VIEWS) + 1)
    _shot(app, win, os.path.join(out_dir, "one-window-table.png"))


def only_table(out_dir: str) -> int:
    from somdesk.gui.app import ensure_app
    from somdesk.gui.window import Window

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    app = ensure_app()
    win = Window(interactive=False, confirm_unsaved=False)
    win.resize(1320, 860)
    win.show()
    table_shot(app, win, root, out_dir)
    win.close()
    return 0


if __name__ == "__main__":
    if "--only-table" in sys.argv:
        raise SystemExit(only_table(next((a for a in sys.argv[1:] if not a.startswith("--")), "docs/screenshots")))
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
