"""The Planes tab: every component plane wrapped to the view's width (render.planes_sheet),
each with its name and colour bar; the exported PNG is the screen's pixels."""
from __future__ import annotations

from tests.gui.helpers import open_table_now

import numpy as np
import pytest
from PIL import Image

from tests.gui.test_table_workflow import TIMEOUT, _blobs


def _trained(qtbot, win, tmp_path):
    wf = win.tables
    assert open_table_now(qtbot, wf, _blobs(tmp_path / "t.csv"))
    wf.setup.set_column("region", use=True, categorical=True)
    wf.setup.set_column("d", passive=True)
    wf.setup.missing.setCurrentText("train")
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert win.last_error is None, win.last_error
    return wf


def test_every_plane_is_shown_wrapped_and_exported_as_on_screen(qtbot, win, tmp_path):
    from somdesk import render
    from somdesk.gui.planes_sheet import plane_scale

    wf = _trained(qtbot, win, tmp_path)
    names, planes = wf.tm.planes_in_units()
    assert len(names) == 3 + 3 + 1          # a, b, c; region=east/north/south; d (passive)
    wf.tabs.setCurrentWidget(wf.planes.parentWidget())
    win.resize(1400, 900)
    wf.dock.setMinimumWidth(1100)
    qtbot.waitUntil(lambda: wf.planes.viewport().width() > 900, timeout=5000)
    qtbot.wait(300)
    sheet = wf.planes
    wide = sheet.per_row
    assert wide >= 3
    shown = sheet.screen_array()
    np.testing.assert_array_equal(shown, sheet.image)             # 1:1 on screen
    # the render layer's sheet, with the names the dock gives (passive marked), at that width
    labels = [n + ("" if a else " (passive)") for n, a in zip(names, wf.tm.recipe.active)]
    pic = render.planes_sheet(planes, labels, wf.tm.config.topology == "hexagonal",
                              plane_scale(planes.shape[1]), wide)
    np.testing.assert_array_equal(sheet.image[8:-8, 8:-8], pic)
    assert sheet.image.shape[1] <= sheet.viewport().width()       # nothing clipped at the right
    out = tmp_path / "planes.png"
    assert wf.export_planes(str(out))
    np.testing.assert_array_equal(np.asarray(Image.open(out).convert("RGB")), shown)

    wf.dock.setMinimumWidth(0)                                    # narrower: fewer per row, taller
    wf.dock.setMaximumWidth(420)
    qtbot.waitUntil(lambda: sheet.per_row < wide, timeout=5000)
    assert sheet.image.shape[0] > pic.shape[0]
    assert sheet.per_row == 1 or sheet.image.shape[1] <= sheet.viewport().width()
    # a passive plane's node no row reached is drawn as "no value", not as the low end
    j = names.index("d")
    if np.isnan(planes[:, :, j]).any():
        nodes, _ = render.component_nodes(planes, j, title="d")
        assert (nodes[np.isnan(planes[:, :, j])] == render.colour_tables.EMPTY_NODE).all()


def test_long_names_and_negative_ticks_are_drawn_whole():
    from somdesk import render

    w = np.random.default_rng(0).normal(size=(6, 7, 2)) * 1000
    long = "a very long column name that is wider than its plane"
    pic = render.planes_sheet(w, [long, "x"], scale=6, per_row=2)
    bar = render.colour_bar("viridis", (float(w[..., 0].min()), float(w[..., 0].max())), length=42, title=long)
    from somdesk.render.legend import text_font
    assert bar.shape[1] >= text_font().getbbox(long)[2]           # the title is not cut
    assert pic.shape[1] >= bar.shape[1]
    labels = render.legend.tick_labels(render.nice_ticks(-2000.0, 2000.0))
    assert all(ch.isascii() for s in labels for ch in s)          # the built-in font draws them all


def test_column_names_beyond_ascii_are_drawn_not_boxed():
    """tester5 F5: Pillow's built-in font (Aileron) has ASCII only, so 'Größe' was 'Gr□□e';
    a system font is used (fonts-dejavu-core, which scripts/bootstrap.sh installs)."""
    import numpy as np

    from somdesk.render.legend import TEXT_FONTS, text_font

    font = text_font()
    if not str(getattr(font, "path", "")).endswith(TEXT_FONTS):
        pytest.skip("no system font of TEXT_FONTS here")
    box = np.asarray(font.getmask("\U0010fffd"))                  # a code point no font draws
    for ch in "\u00f6\u00dc\u00df\u00b5\u05e9\u0436":
        assert not np.array_equal(np.asarray(font.getmask(ch)), box), ch


def test_a_wide_table_shows_its_first_planes_and_says_so(qtbot):
    # tester6 F12: 5,000 planes took 10-17 s on the GUI thread, into a picture taller than a pixmap
    from somdesk.gui.planes_sheet import PlanesSheet
    from somdesk.session.report import MAX_PLANES

    sheet = PlanesSheet()
    qtbot.addWidget(sheet)
    sheet.resize(900, 600)
    rng = np.random.default_rng(0)
    planes = rng.random((6, 8, MAX_PLANES + 500))
    names = [f"c{j}" for j in range(planes.shape[2])]
    sheet.show_planes(planes, names)
    assert not sheet.note.isHidden() and f"first {MAX_PLANES} of {planes.shape[2]:,}" in sheet.note.text()
    wide = sheet.image.copy()
    sheet.show_planes(planes[:, :, :MAX_PLANES], names[:MAX_PLANES])
    assert sheet.note.isHidden() and np.array_equal(sheet.image, wide)
    sheet.show_planes(None)
    assert sheet.note.isHidden() and sheet.image is None
