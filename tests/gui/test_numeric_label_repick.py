"""A numeric label with more than 50 distinct values picked again after training warns as
training does (label12b left it: only training said it), in the dock's warnings label and the
status bar; picking a class label again takes the warning away."""
from __future__ import annotations

import numpy as np

from tests.gui.helpers import make_window

TIMEOUT = 120_000


def test_repicking_a_numeric_label_with_many_values_warns(qtbot, tmp_path):
    rng = np.random.default_rng(3)
    path = tmp_path / "t.csv"
    path.write_text("a,b,kind,mass\n" + "".join(
        f"{rng.normal(i % 2 * 5):.3f},{rng.normal():.3f},{'xy'[i % 2]},{1000 + i * 7}\n" for i in range(120)))
    win = make_window(qtbot)
    try:
        wf = win.tables
        win.confirm_unsaved = False
        assert win.open_paths([str(path)])
        qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
        i = wf.setup.label.findData("kind")
        wf.setup.label.setCurrentIndex(i)
        assert wf.train()
        qtbot.waitUntil(lambda: not win.runner.busy and wf.ws.tm is not None, timeout=TIMEOUT)
        assert not any("mass" in w for w in wf.ws.warnings)
        wf.setup.label.setCurrentIndex(wf.setup.label.findData("mass"))       # picked again, no training
        assert wf.ws.label_column == "mass"
        said = "the label column mass is numeric with 120 distinct values"
        assert any(w.startswith(said) for w in wf.ws.warnings)
        assert said in wf.warnings_label.text() and not wf.warnings_label.isHidden()
        assert said in win.statusBar().currentMessage()
        wf.setup.label.setCurrentIndex(wf.setup.label.findData("kind"))       # a class label: no warning
        assert not any("mass" in w for w in wf.ws.warnings) and said not in wf.warnings_label.text()
    finally:
        win.runner.shutdown()
        win.close()
