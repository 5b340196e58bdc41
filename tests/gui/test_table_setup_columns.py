"""The Setup panel's column list is a model/view (tester2 C1): a 10,000-column table is shown at once,
and ticks and weights made in the view reach the spec."""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt

from somdesk.gui.table_setup import TableSetup
from somdesk.io.tables.table import read_table
from tests.timing import load_scaled


def _wide(path, n_cols=10_000, n_rows=20):
    x = np.random.default_rng(0).normal(size=(n_rows, n_cols))
    np.savetxt(path, x, delimiter=",", fmt="%.3f", header=",".join(f"c{j}" for j in range(n_cols)), comments="")
    return str(path)


def test_ten_thousand_columns_are_shown_at_once(qtbot, tmp_path):
    tab = read_table(_wide(tmp_path / "wide.csv"))
    panel = TableSetup()
    qtbot.addWidget(panel)
    panel.show()
    t0 = time.perf_counter()
    panel.set_table(tab)
    qtbot.wait(1)                                  # the view lays out and paints its visible rows
    took = time.perf_counter() - t0
    assert took < 3.0, took                        # a widget per cell took ~2 minutes here
    assert panel.grid.model().rowCount() == 10_000
    assert len(panel.spec().columns) == 10_000
    # a second, small table replaces the rows at once as well
    small = tmp_path / "one.csv"
    small.write_text("x\n" + "".join(f"{i}\n" for i in range(50)))
    tab2 = read_table(str(small))
    t0 = time.perf_counter()
    panel.set_table(tab2)
    assert time.perf_counter() - t0 < load_scaled(3.0)
    assert panel.spec().columns == ("x",)
    tab.close()
    tab2.close()


def test_ticks_and_weights_in_the_view_reach_the_spec(qtbot, tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a,b,c,region,when\n" + "".join(
        f"{i * 0.5},{(i * 7) % 5},{(i * 3) % 11},{'xy'[i % 2]},2024-01-{1 + i % 28:02d}\n" for i in range(40)))
    tab = read_table(str(p))
    panel = TableSetup()
    qtbot.addWidget(panel)
    panel.set_table(tab)
    panel.label.setCurrentIndex(0)                 # no label column: every usable column is offered
    m = panel.grid.model()
    row = {m.index(r, 0).data(): r for r in range(m.rowCount())}
    assert panel.spec().columns == ("a", "b", "c")
    edits = []
    panel.spec_edited.connect(lambda: edits.append(1))
    # what a click on the check box and an edit in the spin box send to the model
    assert m.setData(m.index(row["c"], 3), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert m.setData(m.index(row["region"], 3), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert m.setData(m.index(row["a"], 4), 2.5, Qt.ItemDataRole.EditRole)
    assert m.setData(m.index(row["b"], 5), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert len(edits) == 4
    spec = panel.spec()
    assert spec.columns == ("a", "b", "region") and spec.passive == ("b",)
    assert spec.weights == {"a": 2.5} and spec.categorical == ("region",)
    assert m.index(row["a"], 4).data() == "2.50"
    assert m.index(row["region"], 6).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    # weights are bounded like the spin box; a date column cannot be ticked in the view
    assert m.setData(m.index(row["a"], 4), 1e9, Qt.ItemDataRole.EditRole) and panel.column("a").weight == 100.0
    assert not m.flags(m.index(row["when"], 3)) & Qt.ItemFlag.ItemIsEnabled
    assert m.flags(m.index(row["a"], 3)) & Qt.ItemFlag.ItemIsUserCheckable
    assert m.flags(m.index(row["a"], 4)) & Qt.ItemFlag.ItemIsEditable
    # the programmatic helper does the same
    panel.set_column("c", use=True, weight=3.0)
    assert panel.spec().weights == {"a": 100.0, "c": 3.0}
    tab.close()


def test_the_label_column_ticked_use_is_refused_not_dropped(qtbot, tmp_path):
    """tester10 #25: the label column ticked Use was silently left out of training (its row
    showed the tick); now Train is refused with the CLI's rule, and untick or another label
    makes it trainable."""
    import pytest

    from somdesk.errors import OptionError

    p = tmp_path / "cats.csv"
    p.write_text("x,y,grp\n" + "".join(f"{i * 0.5},{(i * 7) % 5},{'abc'[i % 3]}\n" for i in range(40)))
    panel = TableSetup()
    qtbot.addWidget(panel)
    panel.set_table(read_table(str(p)))
    panel.label.setCurrentIndex(panel.label.findData("grp"))
    assert panel.spec().columns == ("x", "y")
    panel.set_column("grp", use=True, weight=2.0, categorical=True)
    with pytest.raises(OptionError, match="grp is the Label column and is ticked Use"):
        panel.spec()
    panel.label.setCurrentIndex(0)                 # no label: grp is trained on
    assert panel.spec().columns == ("x", "y", "grp") and panel.spec().weights == {"grp": 2.0}


def test_the_suggested_k_label_sits_above_the_curves(qtbot):
    """tester10 #23: the label at 0.9 of the height was drawn over the curves' first points; the
    plot now has a band above the scaled curves (0..1) and the label is placed in it."""
    from somdesk.gui.table_setup import LABEL_BAND

    panel = TableSetup()
    qtbot.addWidget(panel)
    panel.show_curve({"k": [2, 3, 4], "davies_bouldin": [0.5, 0.9, 1.0], "silhouette": [0.7, 0.5, 0.4],
                      "suggested": 2}, 3)
    item = panel.curve.getPlotItem()
    (lo, hi) = item.viewRange()[1]
    assert hi >= 1.0 + LABEL_BAND - 1e-9
    line = next(i for i in item.items if getattr(i, "label", None) is not None)
    y_label = lo + line.label.orthoPos * (hi - lo)
    assert y_label > 1.05
