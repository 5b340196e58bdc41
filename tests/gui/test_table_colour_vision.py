"""testerG #6: with a table shown, View > Colour-vision preview and File > Export with
colour-vision preview changed nothing (segments map and its PNG byte-identical), and Markers
and the speeds were enabled though a table map uses neither.  The preview now goes through the
segments map as through the palette canvas; Markers and speeds are off with a reason."""
from __future__ import annotations

import numpy as np
from PIL import Image

from somdesk.core.colour_cvd import simulate_cvd
from somdesk.gui.window_actions import SPEEDS, TABLE_UNUSED

from .test_table_workflow import _blobs, _trained


def _legend_shown(wf) -> np.ndarray:
    """(h, w, 3) uint8 of the legend pixmap under the dock's map."""
    from PySide6.QtGui import QImage

    img = wf.legend.pixmap().toImage().convertToFormat(QImage.Format.Format_RGB888)
    h, w, bpl = img.height(), img.width(), img.bytesPerLine()
    return np.frombuffer(img.constBits(), np.uint8, count=h * bpl).reshape(h, bpl)[:, :w * 3].reshape(h, w, 3).copy()


def test_colour_vision_preview_applies_to_the_segments_map_and_its_export(qtbot, win, tmp_path):
    wf = _trained(qtbot, win, _blobs(tmp_path / "t.csv"))
    true = wf.map_view.image_array()
    assert wf.export_map(str(tmp_path / "true.png"))
    with Image.open(tmp_path / "true.png") as im:
        true_png = np.asarray(im.convert("RGB"))
    try:
        win.actions["cvd_protanopia"].trigger()
        assert win.actions["export_cvd"].isChecked()
        shown = wf.map_view.image_array()
        np.testing.assert_array_equal(shown, simulate_cvd(true, "protanopia", 1.0))
        assert not np.array_equal(shown, true)
        # its legend too: the swatches merge on screen where the segments do
        np.testing.assert_array_equal(_legend_shown(wf), simulate_cvd(wf.legend_picture, "protanopia", 1.0))
        # the export: the same simulation over the map and its legend, as a palette map's export
        assert wf.export_map(str(tmp_path / "cvd.png"))
        with Image.open(tmp_path / "cvd.png") as im:
            np.testing.assert_array_equal(np.asarray(im.convert("RGB")), simulate_cvd(true_png, "protanopia", 1.0))
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "cvd.png").convert("RGB"))[:true.shape[0]],
                                      shown)                     # the export's map == the screen
        # not ticked: the screen simulates, the export is in true colours
        win.actions["export_cvd"].setChecked(False)
        assert wf.export_map(str(tmp_path / "off.png"))
        assert (tmp_path / "off.png").read_bytes() == (tmp_path / "true.png").read_bytes()
        win.actions["cvd_severity_50"].trigger()
        np.testing.assert_array_equal(wf.map_view.image_array(), simulate_cvd(true, "protanopia", 0.5))
    finally:
        win.actions["cvd_severity_100"].trigger()
        win.actions["cvd_off"].trigger()
    np.testing.assert_array_equal(wf.map_view.image_array(), true)


def test_markers_and_speeds_are_off_while_a_table_is_shown_and_say_why(qtbot, win, tmp_path):
    keys = ["markers", *(f"speed_{k}" for k, *_ in SPEEDS)]
    own = {k: win.actions[k].toolTip() for k in keys}
    assert all(win.actions[k].isEnabled() for k in keys)
    wf = _trained(qtbot, win, _blobs(tmp_path / "t.csv"))
    assert wf.holds_data
    for k in keys:
        act = win.actions[k]
        why = TABLE_UNUSED["markers" if k == "markers" else "speed"]
        assert not act.isEnabled() and act.toolTip() == why and act.statusTip() == why, k
    # the table closed: on again, with their own tips
    win.confirm_unsaved = False
    wf.close_table()
    win.refresh()
    for k in keys:
        assert win.actions[k].isEnabled() and win.actions[k].toolTip() == own[k], k


def _pixmap_array(label) -> np.ndarray:
    from PySide6.QtGui import QImage

    img = label.pixmap().toImage().convertToFormat(QImage.Format.Format_RGB888)
    h, w, bpl = img.height(), img.width(), img.bytesPerLine()
    return np.frombuffer(img.constBits(), np.uint8, count=h * bpl).reshape(h, bpl)[:, :w * 3].reshape(h, w, 3).copy()


def test_colour_vision_preview_applies_to_the_planes_and_profiles_tabs_and_their_exports(qtbot, win, tmp_path):
    """fixW #2: the preview went over the maps but left the Planes sheet and the Profiles
    picture (red / blue bars, the segment colours of the sizes table) in true colours."""
    wf = _trained(qtbot, win, _blobs(tmp_path / "t.csv"))
    wf.tabs.setCurrentWidget(wf.planes.parentWidget())
    qtbot.waitUntil(lambda: wf.planes.image is not None, timeout=5000)
    planes_true, prof_true = wf.planes.image.copy(), wf.profiles_view.image_array()
    seg_cell = wf.profiles_view.sizes.item(0, 0).background().color().getRgb()[:3]
    try:
        win.actions["cvd_deuteranopia"].trigger()
        sim_planes = simulate_cvd(planes_true, "deuteranopia", 1.0)
        sim_prof = simulate_cvd(prof_true, "deuteranopia", 1.0)
        assert not np.array_equal(sim_planes, planes_true) and not np.array_equal(sim_prof, prof_true)
        # on screen: the sheet's and the picture's pixmaps are the simulation
        np.testing.assert_array_equal(wf.planes.screen_array(), sim_planes)
        np.testing.assert_array_equal(wf.planes.image, planes_true)            # `image` stays true colours
        np.testing.assert_array_equal(_pixmap_array(wf.profiles_view.picture), sim_prof)
        np.testing.assert_array_equal(wf.profiles_view.shown_array(), sim_prof)
        cell = wf.profiles_view.sizes.item(0, 0).background().color().getRgb()[:3]
        assert cell == tuple(int(v) for v in simulate_cvd(np.array([[seg_cell]], np.uint8), "deuteranopia")[0, 0])
        # exports: as on screen while Export with colour-vision preview is ticked
        assert wf.export_planes(str(tmp_path / "planes.png")) and wf.export_profiles("png", str(tmp_path / "p.png"))
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "planes.png").convert("RGB")), sim_planes)
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "p.png").convert("RGB")), sim_prof)
        # ... in true colours when it is not
        win.actions["export_cvd"].setChecked(False)
        assert wf.export_planes(str(tmp_path / "planes2.png")) and wf.export_profiles("png", str(tmp_path / "p2.png"))
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "planes2.png").convert("RGB")), planes_true)
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "p2.png").convert("RGB")), prof_true)
    finally:
        win.actions["export_cvd"].setChecked(True)
        win.actions["cvd_off"].trigger()
    np.testing.assert_array_equal(wf.planes.screen_array(), planes_true)
    np.testing.assert_array_equal(_pixmap_array(wf.profiles_view.picture), prof_true)
    assert wf.profiles_view.sizes.item(0, 0).background().color().getRgb()[:3] == seg_cell
