"""Switching kinds of data never widens the window; long titles wrap instead of setting its width."""
from __future__ import annotations

from somdesk.resources import resource_path


def _open(qtbot, win, path):
    win.open_paths([str(path)])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=30_000)
    qtbot.wait(50)


def test_table_palette_table_palette_keeps_the_width(qtbot, win):
    win.resize(1000, 700)
    qtbot.wait(50)
    table = resource_path("samples") / "customers.csv"
    palette = resource_path("palettes") / "rainbow-24.gpl"
    for path in (table, palette, table, palette):
        _open(qtbot, win, path)
        assert win.width() == 1000, path
    assert win.tables.dock.isHidden() and win.centralWidget().isVisible()


def test_a_long_title_wraps(qtbot, win):
    win.map_title.setText("Colours · " + "very long palette file name " * 12)
    assert win.map_title.minimumSizeHint().width() < 400
