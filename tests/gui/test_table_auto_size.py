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


def test_quick_edits_measure_once_one_at_a_time_and_size_edits_reuse_the_rows(qtbot, win, tmp_path, monkeypatch):
    """review9 #4: every edit started a full, uninterruptible preparation of the rows in memory
    (10 arrow clicks: 10 at once, +1 GB).  Now a request waits for the edits to pause, runs one
    at a time (the latest waiting one next), size/epoch edits reuse the prepared rows, and with
    height, width and epochs all given nothing is measured."""
    import threading
    import time

    from somdesk.io.tables import table
    from somdesk.session import table_size

    monkeypatch.setattr(table, "DEFAULT_MAX_ROWS", LIMIT)
    wf = win.tables
    assert open_table_now(qtbot, wf, _csv(tmp_path))
    _shown(qtbot, wf)
    lock, live, most, preps = threading.Lock(), [0], [0], []
    real = table_size.prepared_rows

    def slow(*a, **k):
        with lock:
            live[0] += 1
            most[0] = max(most[0], live[0])
        try:
            time.sleep(0.6)
            preps.append(1)
            return real(*a, **k)
        finally:
            with lock:
                live[0] -= 1
    monkeypatch.setattr(table_size, "prepared_rows", slow)
    for weight in (2.0, 3.0, 4.0):                  # preparation choices, edited 300 ms apart
        wf.setup.set_column("a", weight=weight)
        qtbot.wait(300)
    assert "measuring" in wf.setup.auto.text()
    _shown(qtbot, wf)
    assert most[0] == 1 and len(preps) <= 2          # one at a time; the middle request never ran
    assert wf.setup.spec().weights == {"a": 4.0}
    n = len(preps)
    for width in (7, 9, 11):                         # the size: the prepared rows are reused
        wf.setup.width.setValue(width)
        qtbot.wait(300)
    h, w, e, text = _shown(qtbot, wf)
    assert w == 11 and len(preps) == n
    starts = []
    monkeypatch.setattr(wf.auto_line.runner, "start", lambda *a, **k: starts.append(a))
    wf.setup.height.setValue(12)
    wf.setup.epochs.setValue(40)
    assert wf.setup.auto.text() == "set: 12 × 11 nodes, 40 epochs" and not wf.auto_line.busy and not starts


def test_a_reopened_map_keeps_its_line(qtbot, win, tmp_path, monkeypatch):
    """review9 #11: reopening a map with a table over 20,000 rows, the "auto" of the table's
    default choices arrived after the map and replaced "this map: ..." on the Setup tab."""
    path = _csv(tmp_path)
    somz = str(tmp_path / "m.somz")
    assert main(["train", "--table", path, "--width", "6", "--height", "5", "--epochs", "2", "--save-map", somz,
                 "--quiet"]) == 0
    from tests.gui.helpers import open_and_wait
    assert open_and_wait(qtbot, win, somz)
    qtbot.waitUntil(lambda: win.tables.tm is not None and not win.runner.busy, timeout=60_000)
    qtbot.waitUntil(lambda: not win.tables.auto_line.busy, timeout=60_000)
    qtbot.wait(300)
    assert win.tables.setup.auto.text().startswith("this map: 5 × 6 nodes, 2 epochs")


def test_the_window_says_the_epochs_sample_and_sizes_for_it_as_the_cli(qtbot, win, tmp_path, monkeypatch):
    """big13 (tester13 #3): the epochs train on at most TRAIN_ROWS of the rows held; the window's
    table line and its Setup line say so, and the size is the CLI's (one session rule)."""
    from somdesk.io.tables import table
    from somdesk.session import table_size

    path = _csv(tmp_path)
    monkeypatch.setattr(table, "DEFAULT_MAX_ROWS", LIMIT)
    monkeypatch.setattr(table_size, "TRAIN_ROWS", 5_000)
    out = tmp_path / "m.json"
    assert main(["train", "--table", path, "--max-rows", str(LIMIT), "--save-map", str(tmp_path / "m.somz"),
                 "--metrics-json", str(out), "--quiet", "--epochs", "2"]) == 0
    m = json.loads(out.read_text())
    assert (m["rows"], m["trained_rows"]) == (LIMIT, 5_000)
    wf = win.tables
    assert open_table_now(qtbot, wf, path)
    assert "its epochs on a random 5,000 of them" in wf.info.text()
    h, w, _, text = _shown(qtbot, wf)
    assert (h, w) == (m["height"], m["width"]), text
    assert f"the 5,000 rows trained on (a random sample of the {LIMIT:,} rows held, of the file's {N:,})" in text


def test_a_wide_table_is_measured_off_the_window_thread(qtbot, win, tmp_path, monkeypatch):
    """testerW #2: 50 rows x 3,000 columns were measured at once on the window's thread (3-5 s
    frozen): a table over SYNC_COLUMNS columns goes to the worker like a long one."""
    import threading

    from somdesk.gui.table_estimate import SYNC_COLUMNS
    from somdesk.session import table_size

    cols = SYNC_COLUMNS + 6
    rng = np.random.default_rng(2)
    path = tmp_path / "wide.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(f"c{j}" for j in range(cols)) + "\n")
        f.writelines(",".join(f"{v:.4f}" for v in row) + "\n" for row in rng.normal(size=(50, cols)))
    threads = []
    real = table_size.prepared_rows

    def spy(*args, **kw):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kw)
    monkeypatch.setattr(table_size, "prepared_rows", spy)
    wf = win.tables
    assert open_table_now(qtbot, wf, str(path))
    _shown(qtbot, wf)
    assert threads and not any(threads), "the auto size was measured on the window's thread"
