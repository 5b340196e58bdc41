"""Screenshots of the one window's files, exports and settings (not a test: run it by hand).

    xvfb-run -s "-screen 0 1400x900x24" env QT_QPA_PLATFORM=xcb \\
        python tests/gui/screenshots.py docs/screenshots

Writes window-start.png (the default job, ready), window-training.png (part way),
window-finished.png, export-file-menu.png (File with Open Recent open),
export-dialog.png (the export options), export-palette-dialog.png (Export organised
palette), export-timelapse-dialog.png and window-kept-seed.png (a kept seed, shown fixed).
"""
from __future__ import annotations

import os
import sys

import numpy as np


def main(out_dir: str) -> int:
    from PySide6.QtWidgets import QApplication

    from somdesk.core import SOMConfig
    from somdesk.gui.settings import Settings
    from somdesk.gui.window import Window
    from somdesk.gui.window_files import sample_files
    from tests.gui.shot_tools import Shots

    shots = Shots(out_dir)                  # settings in a temporary folder, not the user's
    win = Window(interactive=False, confirm_unsaved=False, settings=Settings())
    win.resize(1320, 860)
    win.session.new_colours(np.random.default_rng(3).integers(0, 256, size=(20, 3)) / 255.0, title="random colours")
    win.show()
    shots.settle(500)
    shots.grab(win, "window-start.png")
    win.left.params.set_config(SOMConfig(width=40, height=40, iterations=400, seed=3))
    win.set_speed("normal")
    win.train()
    shots.settle(1000)
    shots.grab(win, "window-training.png")
    shots.idle(win)
    shots.grab(win, "window-finished.png")

    for path in sample_files()[:2]:          # two recent files for the menu
        Settings().add_recent_file(path.replace("resources", "examples"))
    win.files.refresh_recent()
    bar = win.menuBar()
    file_menu = bar.actions()[0].menu()
    file_menu.popup(win.mapToGlobal(bar.geometry().bottomLeft()))
    shots.settle()
    win.recent_menu.popup(file_menu.mapToGlobal(file_menu.actionGeometry(win.recent_menu.menuAction()).topRight()))
    shots.settle()
    shot = win.screen().grabWindow(0, win.x(), win.y(), 900, 520)
    shot.save(os.path.join(out_dir, "export-file-menu.png"))
    print(os.path.join(out_dir, "export-file-menu.png"))
    win.recent_menu.hide()
    file_menu.hide()
    shots.settle()

    win.exports.open_dialog()
    shots.settle()
    d = win.exports.dialog
    d.view.setCurrentIndex(d.view.findData("umatrix"))
    d.markers.setChecked(True)
    shots.settle()
    shots.grab(d, "export-dialog.png")
    d.reject()
    win.files.export_organised()
    shots.settle()
    shots.grab(win.files.dialog, "export-palette-dialog.png")
    win.files.dialog.reject()
    win.timelapse.export()
    shots.settle()
    shots.grab(win.timelapse.dialog, "export-timelapse-dialog.png")
    win.timelapse.dialog.reject()

    win.left.params.seed_spin.setText("20261129")
    win.left.params.keep_seed.setChecked(True)
    win.set_speed("max")
    win.train()                               # new settings: a fresh map with the typed seed
    shots.idle(win)
    shots.grab(win, "window-kept-seed.png")
    win.close()
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
