"""Setup's "Train on every row out of core" is not offered for a spreadsheet: the out-of-core
reader reads text tables and Parquet only (tester6 F27: Train then failed with the engine's
"Error when sniffing file")."""
from __future__ import annotations

import numpy as np
import pandas as pd

from tests.gui.helpers import open_table_now


def _frame(n=60):
    rng = np.random.default_rng(0)
    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "kind": ["x", "y"] * (n // 2)})


def test_the_box_is_disabled_with_a_reason_for_a_spreadsheet(qtbot, win, tmp_path):
    wf = win.tables
    _frame().to_excel(tmp_path / "t.xlsx", index=False)
    assert open_table_now(qtbot, wf, str(tmp_path / "t.xlsx"))
    assert not wf.out_of_core.isEnabled() and not wf.out_of_core.isChecked()
    assert "spreadsheet" in wf.out_of_core.toolTip() and "CSV or Parquet" in wf.out_of_core.toolTip()
    _frame().to_csv(tmp_path / "t.csv", index=False)
    assert open_table_now(qtbot, wf, str(tmp_path / "t.csv"))
    assert wf.out_of_core.isEnabled() and "Not available" not in wf.out_of_core.toolTip()
