"""tester8 #15 (a): the Setup tab's "auto" line says the size `somdesk train --table` makes on the
same file -- a table over the row limit included (the window's default is the CLI's: trained in
memory on the import's sample; out of core is ticked by the user) -- and what it is based on."""
from __future__ import annotations

import json
import re

import numpy as np

from somdesk.cli import main
from tests.gui.helpers import open_table_now

N, LIMIT = 40_000, 25_000          # over gui/table_estimate.SYNC_ROWS: measured by a worker


def _csv(tmp_path):
    """A long thin cloud sorted by `a`: the first 20,000 rows (what the window measured before)
    have another shape than the whole."""
    rng = np.random.default_rng(5)
    a = np.sort(rng.normal(0, 6, N))
    b = 0.5 * a + rng.normal(0, 1, N)
    c = rng.normal(0, 1, N)
    path = tmp_path / "cloud.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("a,b,c\n")
        f.writelines(f"{a[i]:.5f},{b[i]:.5f},{c[i]:.5f}\n" for i in range(N))
    return str(path)


def _shown(qtbot, wf):
    qtbot.waitUntil(lambda: not wf.auto_line.busy and "nodes" in wf.setup.auto.text(), timeout=60_000)
    text = wf.setup.auto.text()
    h, w, e = map(int, re.search(r"(\d+) × (\d+) nodes, (\d+) epochs", text).groups())
    return h, w, e, text


def test_setup_says_the_size_the_cli_makes(qtbot, win, tmp_path, monkeypatch):
    from somdesk.io.tables import table

    path = _csv(tmp_path)
    monkeypatch.setattr(table, "DEFAULT_MAX_ROWS", LIMIT)
    out = tmp_path / "m.json"
    assert main(["train", "--table", path, "--max-rows", str(LIMIT), "--save-map", str(tmp_path / "m.somz"),
                 "--metrics-json", str(out), "--quiet"]) == 0
    m = json.loads(out.read_text())
    assert m["sampled"] and m["rows"] == LIMIT
    wf = win.tables
    assert open_table_now(qtbot, wf, path)
    assert wf.table.sampled and not wf.out_of_core.isChecked()      # the CLI's default: the sample
    h, w, e, text = _shown(qtbot, wf)
    assert (h, w, e) == (m["height"], m["width"], m["epochs"]), text
    assert f"the {LIMIT:,} rows trained on" in text and f"file's {N:,}" in text and "about" not in text
    wf.out_of_core.setChecked(True)                                  # out of core: every row, an estimate
    h2, w2, _, text2 = _shown(qtbot, wf)
    assert f"about {h2} × {w2}" in text2 and f"all {N:,} rows out of core" in text2
    assert h2 * w2 > h * w
    wf.out_of_core.setChecked(False)
    assert _shown(qtbot, wf)[:3] == (h, w, e)


def test_quick_edits_measure_once(qtbot, win, tmp_path, monkeypatch):
    """A big table is measured once the edits pause (gui/table_estimate.SETTLE_MS): ticking three
    columns in a row starts one measuring task, not three that could not stop inside their work."""
    from somdesk.io.tables import table

    monkeypatch.setattr(table, "DEFAULT_MAX_ROWS", LIMIT)
    wf = win.tables
    assert open_table_now(qtbot, wf, _csv(tmp_path))
    _shown(qtbot, wf)
    starts = []
    real = wf.auto_line.runner.start
    monkeypatch.setattr(wf.auto_line.runner, "start", lambda *a, **k: starts.append(a[0]) or real(*a, **k))
    for c in ("a", "b", "c"):
        wf.setup.set_column(c, weight=2.0)
    assert "measuring" in wf.setup.auto.text()
    h, w, e, text = _shown(qtbot, wf)
    assert starts == ["auto size"] and "rows trained on" in text
