"""Take docs/screenshots/mode-image.png and mode-table.png (by hand, not a test).

    Xvfb :97 -screen 0 1400x900x24 &
    DISPLAY=:97 QT_QPA_PLATFORM=xcb python -m somdesk.gui.modes._screenshots docs/screenshots [PICTURE]

PICTURE defaults to the Rust embedded book's f3.jpg (a 720 x 477 photo of a
circuit board, also used by benchmarks/bench_quantize.py) when it is
installed, else to a generated test picture.
"""
from __future__ import annotations

import glob
import os
import sys
import tempfile
import time

import numpy as np


def _picture(arg: str | None) -> str:
    if arg:
        return arg
    found = sorted(glob.glob(os.path.expanduser(
        "~/.rustup/toolchains/*/share/doc/rust/html/embedded-book/assets/f3.jpg")))
    if found:
        return found[0]
    from PIL import Image
    y, x = np.mgrid[0:480, 0:640] / 480.0
    rgb = np.stack([0.2 + 0.7 * x / 1.4, 0.3 + 0.5 * y, 0.9 - 0.6 * y * x], axis=2)
    path = os.path.join(tempfile.mkdtemp(), "generated.png")
    Image.fromarray(np.clip(rgb * 255, 0, 255).astype(np.uint8)).save(path)
    return path


def main(out_dir: str, picture: str | None = None) -> int:
    from PySide6.QtCore import QEventLoop, QPointF

    from somdesk.gui.app import ensure_app
    from somdesk.gui.modes.image_mode import ImageModeWindow
    from somdesk.gui.modes.table_mode import TableModeWindow

    os.makedirs(out_dir, exist_ok=True)
    app = ensure_app()

    def settle(ms: int, until=None) -> None:
        end = time.perf_counter() + ms / 1000
        while time.perf_counter() < end and not (until and until()):
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.01)

    def shot(win, name: str) -> None:
        path = os.path.join(out_dir, name)
        win.grab().save(path)
        print("wrote", path)

    img_win = ImageModeWindow()
    img_win.resize(1320, 860)
    img_win.show()
    img_win.set_side(4)       # 16 colours: the difference from the original is visible
    img_win.open_image(_picture(picture))
    settle(60_000, until=lambda: img_win.result is not None)
    settle(500)
    c = img_win.canvas
    c.scene().sigMouseMoved.emit(c.vb.mapViewToScene(QPointF(2.5, 1.5)))
    settle(100)
    shot(img_win, "mode-image.png")
    img_win.close()

    table_win = TableModeWindow()
    table_win.resize(1320, 860)
    table_win.show()
    table_win.load_sample()
    settle(60_000, until=lambda: table_win.clusters is not None)
    settle(600)
    c = table_win.canvas
    c.scene().sigMouseMoved.emit(c.vb.mapViewToScene(QPointF(3.5, 2.5)))
    settle(100)
    shot(table_win, "mode-table.png")
    table_win.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots",
                  sys.argv[2] if len(sys.argv) > 2 else None))
