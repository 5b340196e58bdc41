"""Issue 15 in the one window: sort by map, colour-vision preview, near-duplicates, contrast."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QApplication

from somdesk.core import SOMConfig
from somdesk.core.colour_cvd import simulate_cvd
from somdesk.core.colour_path import distance_matrix, path_cost
from somdesk.gui.window import Window

from .helpers import FIRST_RUN_TIMEOUT_MS


@pytest.fixture
def win(qtbot):
    w = Window(interactive=False, confirm_unsaved=False)
    qtbot.addWidget(w)
    w.show()
    yield w
    if w.colour.dialog is not None:
        w.colour.dialog.reject()
    w.confirm_unsaved = False
    w.close()


def wait_idle(qtbot, w, timeout=FIRST_RUN_TIMEOUT_MS):
    qtbot.waitUntil(lambda: not w.runner.busy, timeout=timeout)
    QApplication.processEvents()


def shuffled_ramp(n=24, seed=1):
    """A hue wheel in random order: sorting must bring neighbours together."""
    import colorsys

    rgb = np.array([colorsys.hsv_to_rgb(k / n, 0.8, 0.9) for k in range(n)])
    rgb = np.round(rgb * 255) / 255
    return rgb[np.random.default_rng(seed).permutation(n)]


# -- Palette > Sort by map ------------------------------------------------------------------------
def test_sort_by_map_previews_applies_and_undoes(qtbot, win):
    colours = shuffled_ramp()
    names = tuple(f"c{k}" for k in range(len(colours)))
    win.session.new_colours(colours, names=names)
    assert win.actions["sort_by_map"].isEnabled()
    dialog = win.colour.sort_by_map()
    assert dialog is not None and dialog.isVisible()
    assert not dialog.apply_button.isEnabled()                 # not before the sort is done
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=FIRST_RUN_TIMEOUT_MS)
    wait_idle(qtbot, win)
    res = dialog.result
    assert sorted(res.order.tolist()) == list(range(len(colours)))   # a permutation
    assert res.cost < res.cost_before
    before = dialog.before_strip.pixmap().toImage()
    after = dialog.after_strip.pixmap().toImage()
    assert after.width() == before.width() > 0
    cell = before.width() // len(colours)
    # the after strip shows the colours in the sorted order
    for k in (0, len(colours) // 2, len(colours) - 1):
        c = after.pixelColor(k * cell + cell // 2, 2)
        np.testing.assert_array_equal([c.red(), c.green(), c.blue()],
                                      np.rint(colours[res.order[k]] * 255).astype(int))
    assert not win.actions["sort_by_map"].isEnabled()          # one dialog at a time
    dialog.accept()
    QApplication.processEvents()
    d = win.session.dataset
    np.testing.assert_array_equal(d.colours, colours[res.order])
    assert d.names == tuple(names[k] for k in res.order)        # names travel with colours
    d_mat = distance_matrix(d.colours)
    assert path_cost(d_mat, np.arange(len(colours))) == pytest.approx(res.cost)
    assert "Sort by map" in win.actions["undo"].text()
    win.actions["undo"].trigger()
    np.testing.assert_array_equal(win.session.dataset.colours, colours)
    assert win.session.dataset.names == names
    win.actions["redo"].trigger()
    np.testing.assert_array_equal(win.session.dataset.colours, colours[res.order])
    assert win.colour.dialog is None and win.actions["sort_by_map"].isEnabled()


def test_sort_grid_layout_and_cancel(qtbot, win):
    colours = shuffled_ramp(20, seed=4)
    win.session.new_colours(colours)
    dialog = win.colour.sort_by_map()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=FIRST_RUN_TIMEOUT_MS)
    dialog.layout_box.setCurrentText("grid")                   # starts again
    assert dialog.result is None
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=FIRST_RUN_TIMEOUT_MS)
    wait_idle(qtbot, win)
    assert dialog.result.layout == "grid" and dialog.result.columns == 5
    img = dialog.after_strip.pixmap().toImage()
    assert img.width() > img.height() > 0 and img.height() * 5 == img.width() * 4   # 4 rows of 5
    dialog.reject()
    QApplication.processEvents()
    np.testing.assert_array_equal(win.session.dataset.colours, colours)   # nothing applied
    assert not win.undo.canUndo()


# -- colour-vision preview ---------------------------------------------------------------------------
def test_cvd_preview_filters_map_strip_and_picture_and_export(qtbot, win, tmp_path):
    win.session.new_colours(shuffled_ramp(12))
    win.left.params.set_config(SOMConfig(width=8, height=6, iterations=10, seed=2))
    win.set_speed("max")
    win.train()
    wait_idle(qtbot, win)
    for view in ("colours", "strip"):
        win.set_view(view)
        win.draw()
        true = win.canvas.image_array()
        win.actions["cvd_deuteranopia"].trigger()
        assert win.colour.cvd == "deuteranopia"
        shown = win.canvas.image_array()
        np.testing.assert_array_equal(shown, simulate_cvd(true, "deuteranopia", 1.0))
        assert not np.array_equal(shown, true)
        win.draw()                                              # a redraw keeps the filter
        np.testing.assert_array_equal(win.canvas.image_array(), shown)
        assert "deuteranopia" in win.map_title.text()
        # export follows the screen by default, true colours when switched off
        out = tmp_path / f"{view}.png"
        assert win.export_image(str(out), scale=win.canvas.scale)
        np.testing.assert_array_equal(np.asarray(Image.open(out).convert("RGB")), shown)
        win.actions["export_cvd"].setChecked(False)
        assert win.export_image(str(out), scale=win.canvas.scale)
        np.testing.assert_array_equal(np.asarray(Image.open(out).convert("RGB")), true)
        win.actions["export_cvd"].setChecked(True)
        win.actions["cvd_severity_50"].trigger()
        np.testing.assert_array_equal(win.canvas.image_array(), simulate_cvd(true, "deuteranopia", 0.5))
        win.actions["cvd_off"].trigger()
        win.actions["cvd_severity_100"].trigger()
        np.testing.assert_array_equal(win.canvas.image_array(), true)


def test_cvd_preview_of_the_quantised_picture(qtbot, win, tmp_path):
    rng = np.random.default_rng(0)
    pic = np.zeros((80, 90, 3), np.uint8)
    pic[:, :30] = (220, 30, 30)
    pic[:, 30:60] = (30, 170, 40)
    pic[:, 60:] = (40, 60, 210)
    pic = np.clip(pic.astype(int) + rng.integers(-10, 10, pic.shape), 0, 255).astype(np.uint8)
    path = tmp_path / "pic.png"
    Image.fromarray(pic).save(path)
    win.open_paths([str(path)])
    wait_idle(qtbot, win)
    assert win.session.kind == "image"
    win.train()
    wait_idle(qtbot, win)
    win.quantise()
    wait_idle(qtbot, win)
    win.draw()
    assert win.view == "quantised"
    true = win.canvas.image_array()
    win.colour.set_cvd("protanopia", 1.0)
    np.testing.assert_array_equal(win.canvas.image_array(), simulate_cvd(true, "protanopia"))
    out = tmp_path / "q.png"
    assert win.export_image(str(out))
    np.testing.assert_array_equal(np.asarray(Image.open(out).convert("RGB")), simulate_cvd(true, "protanopia"))


# -- near-duplicates ----------------------------------------------------------------------------------
def test_near_duplicates_listed_merged_and_undone(qtbot, win):
    colours = np.array([[200, 30, 30], [201, 31, 30], [20, 120, 200], [199, 30, 31],
                        [20, 121, 201], [250, 250, 250], [0, 0, 0]]) / 255.0
    names = ("red", "red 2", "blue", "red 3", "blue 2", "white", "black")
    win.session.new_colours(colours, names=names)
    dialog = win.colour.near_duplicates()
    assert dialog.threshold.value() == pytest.approx(2.3)
    groups = dialog.checked_groups()
    assert sorted(sorted(g) for g in groups) == [[0, 1, 3], [2, 4]]
    assert dialog.tree.topLevelItemCount() == 2
    # untick the blue group, keep "red 3" instead of the centre
    blue = next(i for i in range(2) if 2 in dialog.groups[dialog.tree.topLevelItem(i).data(0, 256)])
    from PySide6.QtCore import Qt
    dialog.tree.topLevelItem(blue).setCheckState(0, Qt.CheckState.Unchecked)
    red_top = dialog.tree.topLevelItem(1 - blue)
    child = next(red_top.child(k) for k in range(red_top.childCount()) if red_top.child(k).data(0, 256) == 3)
    dialog._make_kept(child, 0)
    assert dialog.checked_groups() == [[3, 0, 1]] or dialog.checked_groups()[0][0] == 3
    dialog.tree.topLevelItem(blue).setCheckState(0, Qt.CheckState.Unchecked)   # refilled: untick again
    assert [g[0] for g in dialog.checked_groups()] == [3]
    dialog.accept()
    QApplication.processEvents()
    d = win.session.dataset
    assert d.names == ("blue", "red 3", "blue 2", "white", "black")
    np.testing.assert_array_equal(d.colours, colours[[2, 3, 4, 5, 6]])
    assert "Merge 2 near-duplicates" in win.actions["undo"].text()
    win.actions["undo"].trigger()
    np.testing.assert_array_equal(win.session.dataset.colours, colours)
    assert win.session.dataset.names == names


def test_near_duplicates_threshold_and_none_found(qtbot, win):
    colours = np.array([[0, 0, 0], [128, 128, 128], [255, 255, 255], [136, 128, 128]]) / 255.0   # dE00 4.27
    win.session.new_colours(colours)
    dialog = win.colour.near_duplicates()
    assert dialog.groups == [] and not dialog.merge_button.isEnabled()
    assert "No two" in dialog.summary.text()
    dialog.threshold.setValue(5.0)
    dialog.find()
    assert [sorted(g) for g in dialog.groups] == [[1, 3]]
    assert dialog.merge_button.isEnabled()
    dialog.reject()


# -- contrast ------------------------------------------------------------------------------------------
def test_contrast_of_two_selected_swatches_in_the_status_bar(qtbot, win):
    colours = np.array([[0x76, 0x76, 0x76], [255, 255, 255], [0, 0, 0]]) / 255.0
    win.session.new_colours(colours)
    view = win.left.swatches.view
    sel = view.selectionModel()
    sel.select(view.model().index(0, 0), QItemSelectionModel.SelectionFlag.Select)
    assert win.colour.contrast_label.text() == ""
    sel.select(view.model().index(1, 0), QItemSelectionModel.SelectionFlag.Select)
    text = win.colour.contrast_label.text()
    assert "4.54:1" in text and "#767676" in text and "AA text" in text    # WCAG's own example
    sel.select(view.model().index(2, 0), QItemSelectionModel.SelectionFlag.Select)
    assert win.colour.contrast_label.text() == ""                          # three: no pair
    sel.clearSelection()
    sel.select(view.model().index(1, 0), QItemSelectionModel.SelectionFlag.Select)
    sel.select(view.model().index(2, 0), QItemSelectionModel.SelectionFlag.Select)
    assert "21.00:1" in win.colour.contrast_label.text() and "AAA" in win.colour.contrast_label.text()


# -- training colour space -------------------------------------------------------------------------
def test_training_space_in_the_panel_shown_in_srgb_marked_and_saved(qtbot, win, tmp_path):
    from somdesk.core.colour_space import fit_gamut, out_of_gamut, to_space
    from somdesk.gui.map_view import map_picture, scale_for

    # saturated primaries and their mixes: an OKLab map holds colours sRGB cannot show
    colours = np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=float)
    win.session.new_colours(colours, names=tuple("rbgm"))
    box = win.colour_space
    assert box.combo.isVisible() and box.combo.currentData() == "srgb"
    box.combo.setCurrentIndex(box.combo.findData("oklab"))
    assert win.session.dataset.space == "oklab"
    np.testing.assert_allclose(win.session.dataset.data, to_space(colours, "oklab"))
    np.testing.assert_array_equal(win.session.dataset.colours, colours)     # inputs stay sRGB
    win.left.params.set_config(SOMConfig(width=12, height=12, iterations=30, seed=4, init="pca"))
    win.set_speed("max")
    win.train()
    wait_idle(qtbot, win)
    m = win.session.map
    assert m.iteration == 30
    mask = out_of_gamut(m.weights, "oklab")
    assert mask.any()                                     # the test needs some to mark
    from somdesk.core.colour_space import mean_delta_e00
    de = mean_delta_e00(m.weights, win.session.dataset.data, colours, "oklab")
    msg = win.statusBar().currentMessage()
    assert f"Mean CIEDE2000 input → shown node {de:.2f} (oklab; {int(mask.sum())} nodes out of gamut)" in msg
    win.set_view("colours")
    win.draw()
    shown = win.canvas.image_array()
    scale = scale_for(*m.shape)
    plain = map_picture(m, "colours", scale)[0]           # the raw OKLab numbers as if sRGB: wrong
    assert not np.array_equal(shown, plain)
    # an in-gamut node's centre pixel is its fit_gamut colour; an out-of-gamut one carries a mark
    want = np.clip(np.rint(fit_gamut(m.weights, "oklab") * 255), 0, 255).astype(np.uint8)
    r, c = map(int, np.argwhere(~mask)[0])
    np.testing.assert_array_equal(shown[r * scale + scale // 2, c * scale + scale // 2], want[r, c])
    r, c = map(int, np.argwhere(mask)[0])
    cell = shown[r * scale:(r + 1) * scale, c * scale:(c + 1) * scale].reshape(-1, 3)
    assert (cell != want[r, c]).all(axis=1).any()          # the mark is drawn in the node
    # the export is the screen
    out = tmp_path / "ok.png"
    assert win.export_image(str(out), scale=win.canvas.scale)
    np.testing.assert_array_equal(np.asarray(Image.open(out).convert("RGB")), shown)
    # recorded in the saved map, and read back into the panel
    path = tmp_path / "ok.somz"
    win.session.save(str(path))
    import json
    import zipfile
    assert json.loads(zipfile.ZipFile(path).read("meta.json"))["colour_space"] == "oklab"
    win.session.new_colours(colours, space="srgb")
    assert box.combo.currentData() == "srgb"
    win.open_paths([str(path)])
    wait_idle(qtbot, win)
    QApplication.processEvents()
    assert win.session.dataset.space == "oklab" and box.combo.currentData() == "oklab"
    np.testing.assert_allclose(win.session.dataset.colours, colours, atol=1e-9)
    # an edit of the colours keeps the space; the combo is hidden for pictures and tables
    win.left.swatches.randomise(5, np.random.default_rng(0))
    assert win.session.dataset.space == "oklab"


def test_srgb_map_has_no_marks_and_is_unchanged(qtbot, win):
    from somdesk.gui.map_view import map_picture, scale_for

    win.session.new_colours(np.random.default_rng(3).random((15, 3)))
    win.left.params.set_config(SOMConfig(width=8, height=8, iterations=10, seed=1))
    win.set_speed("max")
    win.train()
    wait_idle(qtbot, win)
    win.set_view("colours")
    win.draw()
    m = win.session.map
    np.testing.assert_array_equal(win.canvas.image_array(), map_picture(m, "colours", scale_for(*m.shape))[0])


def test_near_duplicates_over_the_size_limit_keep_the_limit_message(qtbot, win, monkeypatch):
    # tester6 F53: the refusal was overwritten by "No two of the 35,000 colours are closer than ..."
    from somdesk.core import colour_duplicates
    from somdesk.errors import OptionError

    n = colour_duplicates.MAX_DUPLICATE_COLOURS + 1
    win.session.new_colours(np.random.default_rng(0).random((n, 3)))
    dialog = win.colour.near_duplicates()
    assert dialog.summary.text() == f"{n:,} colours is more than the duplicate search handles (20,000)"
    assert not dialog.find_button.isEnabled() and not dialog.merge_button.isEnabled()
    dialog.reject()
    # any refusal of the search stays on screen; a smaller palette can still search again
    win.session.new_colours(np.random.default_rng(0).random((50, 3)))

    def refuse(*_a, **_k):
        raise OptionError("the search was refused")
    monkeypatch.setattr(colour_duplicates, "find_duplicates", refuse)
    dialog = win.colour.near_duplicates()
    assert dialog.summary.text() == "the search was refused" and dialog.find_button.isEnabled()
    dialog.reject()


def test_sort_and_merge_dialogs_keep_one_copy_of_the_colours_and_alpha_travels(qtbot, win):
    """Review item: both dialogs held `colours` and `inputs` although the colours are
    `inputs[:, :3]`; one copy now (the colours view it), and a translucent colour's alpha
    still moves with it through a sort and a merge."""
    rgb = shuffled_ramp(12, seed=3)
    alpha = np.linspace(0.0, 1.0, len(rgb))
    rgb[5] = rgb[4] + 1 / 255                     # a near-duplicate pair for the merge
    win.session.new_colours(np.column_stack([rgb, alpha]))
    dialog = win.colour.sort_by_map()
    assert np.shares_memory(dialog.colours, dialog.inputs) and dialog.inputs.shape == (12, 4)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=FIRST_RUN_TIMEOUT_MS)
    wait_idle(qtbot, win)
    order = dialog.result.order
    dialog.accept()
    QApplication.processEvents()
    d = win.session.dataset
    np.testing.assert_array_equal(d.colours, rgb[order])
    np.testing.assert_allclose(d.alpha, alpha[order])
    dup = win.colour.near_duplicates()
    assert np.shares_memory(dup.colours, dup.inputs)
    groups = dup.checked_groups()
    assert len(groups) == 1 and sorted(order[groups[0]].tolist()) == [4, 5]
    kept = groups[0][0]
    dup.accept()
    QApplication.processEvents()
    d = win.session.dataset
    assert len(d.colours) == 11
    np.testing.assert_allclose(d.alpha[list(d.colours.tolist()).index(rgb[order[kept]].tolist())], alpha[order[kept]])


def test_the_run_summary_reads_the_measured_maps_bmus(monkeypatch):
    """gui13: the finished run's "Mean CIEDE2000" line takes the final map's BMUs (measured on
    the run's thread) instead of searching again on the GUI thread; an unmeasured map still
    searches.  Same value either way."""
    import somdesk.core.metrics as metrics
    from somdesk.core.colour_space import mean_delta_e00
    from somdesk.gui.colour_space_view import run_summary
    from somdesk.session import Session

    s = Session()
    s.new_colours(np.random.default_rng(3).random((12, 3)))
    s.set_colour_space("oklab")
    s.update_config(width=5, height=4, iterations=8, seed=2)
    s.train()
    m = s.map
    assert m.bmus is not None
    want = mean_delta_e00(m.weights, s.dataset.data, s.dataset.colours, "oklab")
    searched = []
    real = metrics.bmus
    monkeypatch.setattr(metrics, "bmus", lambda *a, **k: searched.append(1) or real(*a, **k))
    assert f"node {want:.2f} (oklab" in run_summary(s, m) and searched == []
    preview = m.__class__(weights=m.weights, config=m.config, iteration=m.iteration, total=m.total, seed=m.seed,
                          sigma=m.sigma, alpha=m.alpha)
    assert f"node {want:.2f} (oklab" in run_summary(s, preview) and searched == [1]
