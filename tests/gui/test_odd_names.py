"""Names with NBSP, line breaks, tabs or other invisible characters are shown escaped wherever the
window shows a name on one line (io.names.display_name): 'a b' and 'a\\xa0b' look different, and a
column named "line\\nbreak" breaks no header, list or status line.  The data keeps the names."""
from __future__ import annotations

import numpy as np

from somdesk.gui.profiles_view import most_above
from somdesk.gui.table_columns import ColumnChoice, ColumnsModel
from somdesk.gui.table_rows import RowsModel
from somdesk.gui.table_views import view_text
from somdesk.io.names import display_name

from .helpers import open_table_now

NAMES = ["a b", "a\u00a0b", "line\nbreak", "tab\there"]
TIMEOUT = 60_000


def _one_line_and_distinct(shown):
    assert all("\n" not in s and "\t" not in s and "\u00a0" not in s for s in shown), shown
    assert len(set(shown)) == len(shown), shown


def test_display_name_is_the_one_rendering():
    assert display_name("a b") == "a b"
    assert display_name("a\u00a0b") == "'a\\xa0b'" and display_name("line\nbreak") == "'line\\nbreak'"
    assert display_name("zero\u200bwidth") == "'zero\\u200bwidth'"


def test_headers_column_list_views_and_profiles_show_odd_names_escaped(qtbot):
    from PySide6.QtCore import Qt

    rows = RowsModel()
    rows.set_columns({n: np.arange(3) for n in NAMES})
    headers = [rows.headerData(i, Qt.Orientation.Horizontal) for i in range(len(NAMES))]
    _one_line_and_distinct(headers)
    assert headers[0] == "a b"
    cols = ColumnsModel()
    cols.set_columns([ColumnChoice(n, "numeric", 0) for n in NAMES])
    shown = [cols.data(cols.index(i, 0)) for i in range(len(NAMES))]
    _one_line_and_distinct(shown)
    assert [c.name for c in cols.choices()] == NAMES               # the data keeps the names
    _one_line_and_distinct([view_text(f"plane: {n}") for n in NAMES])
    assert view_text("plane: a\u00a0b (passive)") == "plane: 'a\\xa0b' (passive)" and view_text("hits") == "hits"
    cell = most_above(np.array([3.0, 2.0, 1.0, 0.0]), NAMES)
    assert "\n" not in cell and "'a\\xa0b'" in cell and "'line\\nbreak'" in cell


def test_a_table_with_odd_column_names_in_the_window(qtbot, win, tmp_path, monkeypatch):
    path = tmp_path / "odd.csv"
    rng = np.random.default_rng(1)
    lines = [",".join(f'"{n}"' for n in NAMES) + ",kind"]
    lines += [",".join(f"{v:.3f}" for v in rng.normal(size=len(NAMES))) + ("," + ("x y", "x\u00a0y")[k % 2])
              for k in range(60)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    wf = win.tables
    assert open_table_now(qtbot, wf, path, timeout_ms=TIMEOUT)
    assert list(wf.table.columns) == NAMES + ["kind"]               # read as they are
    model = wf.setup.columns
    _one_line_and_distinct([model.data(model.index(i, 0)) for i in range(model.rowCount())])
    combo = wf.setup.label
    texts = [combo.itemText(i) for i in range(combo.count())]
    _one_line_and_distinct(texts)
    assert [combo.itemData(i) for i in range(1, combo.count())] == NAMES + ["kind"]
    wf.setup.height.setValue(3)
    wf.setup.width.setValue(3)
    wf.setup.epochs.setValue(3)
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy and wf.tm is not None, timeout=TIMEOUT)
    views = [wf.map_choice.itemText(i) for i in range(wf.map_choice.count())]
    _one_line_and_distinct(views)
    plane = next(i for i in range(wf.map_choice.count()) if wf.map_choice.itemData(i) == "plane: line\nbreak")
    wf.map_choice.setCurrentIndex(plane)
    assert wf.map_mode == "plane: line\nbreak"                       # the view picked is the column's own
    assert "\n" not in win.statusBar().currentMessage()
    # pictures (Pillow) get the same rendering: plane titles, the label legend
    names, _planes, _hex = wf.ws.planes()
    _one_line_and_distinct(names[:len(NAMES)])
    from somdesk import render

    drawn = []
    real = render.category_legend
    monkeypatch.setattr(render, "category_legend", lambda n, c, **kw: (drawn.append(list(n)), real(n, c, **kw))[1])
    wf.ws.set_label_column("kind")
    wf.ws.legend_picture("labels: kind")
    assert {"'x\\xa0y'", "x y"} <= set(drawn[-1]), drawn


def test_text_cells_with_odd_whitespace_are_shown_escaped_and_kept(qtbot, tmp_path):
    """A category "x\\xa0y" looked like "x y" in the rows view; shown escaped now, while the
    export (and a plain or empty cell) keep the value as it is."""
    from PySide6.QtCore import Qt

    values = np.array(["x y", "x\u00a0y", "line\nbreak", "", "café"], dtype=object)
    rows = RowsModel()
    rows.set_columns({"label": values, "n": np.arange(5)})
    rows.set_rows(np.arange(5))
    shown = [rows.data(rows.index(i, 0), Qt.ItemDataRole.DisplayRole) for i in range(5)]
    assert shown == ["x y", "'x\\xa0y'", "'line\\nbreak'", "", "café"]
    out = tmp_path / "rows.csv"
    rows.write_csv(out)
    assert "x\u00a0y" in out.read_text(encoding="utf-8")


def test_no_raw_basename_in_a_shown_fstring():
    """A file name in a one-line message goes through io.names.display_basename (review10 #3):
    no `os.path.basename(` inside an f-string in the window's or the CLI's modules (but `!r`)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "somdesk"
    found = []
    for path in [*root.glob("gui/*.py"), *root.glob("cli*.py")]:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            # `{os.path.basename(p)!r}` is escaped by repr() already
            if re.search(r"""\bf["'].*\{[^}]*os\.path\.basename\((?![^}]*!r\})""", line):
                found.append(f"{path.name}:{n}")
    assert not found, found
