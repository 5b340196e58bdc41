"""Screenshots of the one table path (not a test: run it by hand).

    xvfb-run -s "-screen 0 1600x1000x24" python tests/gui/table_path_screenshots.py docs/screenshots
    (or QT_QPA_PLATFORM=offscreen)

Writes table-open-preview.png (File > Open of scikit-learn's wine_data.csv as shipped: the
import preview the window shows before the table reaches the Segments dock),
table-planes-sheet.png (the Planes tab: wine's 13 component planes wrapped, each with its
colour bar) and table-out-of-core.png (a 600,000-row Parquet over a forced 50,000-row
in-memory limit, training out of core: the state line, the progress per chunk and the
live hit map of the sample).
"""
from __future__ import annotations

import os
import sys


def main(out_dir: str) -> int:
    import numpy as np

    from somdesk.gui import table_import, table_scale
    from somdesk.gui.window import Window
    from somdesk.io.tables import table as table_mod
    from tests.gui.shot_tools import Shots, sklearn_csv, wine_with_names

    shots = Shots(out_dir)
    settle = shots.settle

    def shot(widget, name: str) -> None:
        shots.grab(widget, name)

    # 1. File > Open of a table: the import preview, grabbed while it is open
    raw = sklearn_csv("wine_data.csv")

    def exec_and_grab(dlg):
        dlg.show()
        settle(700)
        shot(dlg, "table-open-preview.png")
        return 1
    table_import.ImportPreview.exec = exec_and_grab
    win = Window(interactive=True, confirm_unsaved=False)
    win.resize(1500, 940)
    win.show()
    win.open_paths([raw])
    while win.runner.busy:               # what the file is is found on the worker, then the preview
        settle(50)
    settle(300)
    win.close()

    # 2. the Planes tab of wine (with its names)
    tmp = shots.tmp
    win = Window(interactive=False, confirm_unsaved=False)
    win.resize(1500, 940)
    win.show()
    wf = win.tables
    win.open_paths([wine_with_names(os.path.join(tmp, "wine.csv"))])
    while win.runner.busy:
        settle(50)
    wf.train()
    while win.runner.busy:
        settle(50)
    wf.tabs.setCurrentIndex(2)
    settle(800)
    shot(win, "table-planes-sheet.png")
    print("planes per row:", wf.planes.per_row, "sheet", wf.planes.image.shape, file=sys.stderr)
    win.close()

    # 3. out of core: a table over a (forced) in-memory limit
    import duckdb
    n = 600_000
    rng = np.random.default_rng(5)
    g = rng.integers(0, 4, n)
    x = rng.normal(0, 1, (n, 6)) + rng.normal(0, 4, (4, 6))[g]
    path = os.path.join(tmp, "events.parquet")
    con = duckdb.connect()
    con.register("t", {f"x{j}": x[:, j] for j in range(6)})
    con.execute(f"COPY (SELECT * FROM t) TO '{path}' (FORMAT parquet)")
    con.close()
    table_mod.DEFAULT_MAX_ROWS = 50_000
    table_scale.CHUNK_ROWS = 60_000
    win = Window(interactive=False, confirm_unsaved=False)
    win.resize(1500, 940)
    win.show()
    wf = win.tables
    win.open_paths([path])
    while win.runner.busy:
        settle(50)
    wf.out_of_core.setChecked(True)           # not ticked by default (tester8 #15)
    wf.setup.height.setValue(18)
    wf.setup.width.setValue(24)
    wf.setup.epochs.setValue(12)
    wf.train()
    while win.runner.busy and not ((getattr(wf, "_live_epoch", None) or 0) >= 6 and "chunk" in wf.scale_label.text()):
        settle(50)
    settle(400)
    shot(win, "table-out-of-core.png")
    print("state:", wf.scale_label.text(), "| progress:", win.progress_label.text(), file=sys.stderr)
    win.runner.stop()
    while win.runner.busy:
        settle(50)
    win.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
