"""Take the docs' screenshots of the table workflow (not a test: run it by hand).

    Xvfb :99 -screen 0 1600x1000x24 &
    DISPLAY=:99 QT_QPA_PLATFORM=xcb python tests/gui/table_screenshots.py docs/screenshots

Writes table-import-preview.png (scikit-learn's wine_data.csv as it comes: a metadata
first line, no names), table-setup.png (columns, auto size, the validity curve),
table-rows-selection.png (a segment selected, its rows sorted, one row hovered),
table-profiles.png, and table-report.html (render it with chromium --headless).
"""
from __future__ import annotations

import os
import sys


def main(out_dir: str) -> int:
    from PySide6.QtCore import Qt

    from somdesk.gui.table_import import ImportPreview
    from tests.gui.shot_tools import Shots, sklearn_csv, wine_with_names

    shots = Shots(out_dir)
    settle = shots.settle

    def shot(widget, name: str) -> None:
        shots.grab(widget, name)

    raw = sklearn_csv("wine_data.csv")
    dlg = ImportPreview(None, raw)
    dlg.show()
    settle(600)
    shot(dlg, "table-import-preview.png")
    dlg.reject()

    win = shots.window(1500, 940, speed=None)
    path = wine_with_names(os.path.join(shots.tmp, "wine.csv"))
    wf = win.tables
    wf.open_table(path, preview=False)
    shots.idle(win, 0)                               # the read is a task on the window's runner
    win.resizeDocks([wf.dock], [900], Qt.Orientation.Horizontal)
    wf.train()
    shots.idle(win, 0)
    wf.tabs.setCurrentIndex(0)
    settle(500)
    shot(win, "table-setup.png")
    wf.tabs.setCurrentIndex(1)
    wf.select_segment(1)
    m = wf.rows_model
    wf.rows_view.sortByColumn(m.names.index("alcohol"), Qt.SortOrder.DescendingOrder)
    wf.rows_view.selectRow(2)
    wf.rows_view.hover_at(2)
    settle(500)
    shot(win, "table-rows-selection.png")
    wf.tabs.setCurrentIndex(3)           # Setup, Map & rows, Planes, Profiles
    settle(500)
    shot(win, "table-profiles.png")
    wf.export_report(os.path.join(out_dir, "table-report.html"))
    shots.idle(win, 0)
    print("wrote", os.path.join(out_dir, "table-report.html"), "k =", wf.tm.k, "shape", wf.tm.codebook.shape[:2],
          "ARI vs cultivar:", _ari(wf), file=sys.stderr)
    win.close()
    return 0


def _ari(wf) -> float:
    from sklearn.metrics import adjusted_rand_score
    return float(adjusted_rand_score(wf.table.strings("cultivar"), wf.assigned["segment"]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
