"""Labels, clusters, quantisation, exports, and no stale state when another file is opened."""
from __future__ import annotations

import csv

import numpy as np
import pytest
from PIL import Image

from somdesk.errors import SomdeskError
from somdesk.session import Session


def _trained_table(path, **spec):
    from somdesk.session.table_data import TableMapSpec

    s = Session()
    s.open(path)
    s.table.set_spec(TableMapSpec(**{"height": 4, "width": 5, "epochs": 15, "seed": 2, "label": "species", **spec}))
    s.train()
    return s


def test_changing_the_label_column_relabels_without_retraining(table_file):
    s = _trained_table(table_file)
    ws = s.table
    codebook = ws.tm.codebook.copy()
    hit = ws.scalar("hits") > 0
    assert set(ws.node_labels()[hit]) <= {"sp0", "sp1", "sp2"}
    events = []
    ws.events.labels_changed.connect(lambda c: events.append(("labels", c)))
    ws.events.map_changed.connect(lambda m: events.append(("map", m)))
    ws.events.dirty_changed.connect(lambda d: events.append(("dirty", d)))
    s.set_label_column("size")
    assert events == [("labels", "size")]            # already unsaved: no dirty event, no new map
    np.testing.assert_array_equal(ws.tm.codebook, codebook)          # no retraining
    assert set(ws.node_labels()[hit]) <= {"big", "small"}
    assert s.label_column == "size" and ws.unsaved
    assert "labels" in s.views()
    s.set_label_column(None)
    assert ws.node_labels() is None and "labels" not in s.views()


def test_labels_can_change_on_a_reopened_table_map(table_file, tmp_path):
    s = _trained_table(table_file)
    s.save(tmp_path / "t.somz")
    r = Session()
    r.open(tmp_path / "t.somz")
    assert r.kind == "table" and r.table.table is not None and r.label_column == "species"  # its table, read again
    np.testing.assert_array_equal(r.table.node_labels(), s.table.node_labels())
    r.set_label_column("size")
    assert set(r.table.node_labels()[r.table.scalar("hits") > 0]) <= {"big", "small"}


def test_clusters_are_saved_and_reopened(table_file, tmp_path):
    s = _trained_table(table_file)
    tm = s.cluster(3)
    assert tm.clusters.shape == (4, 5) and set(np.unique(tm.clusters)) == {0, 1, 2}
    assert s.table.profiles["size"].sum() == 90 and len(s.table.profiles["segments"]) == 3
    assert "clusters" in s.views()
    s.save(tmp_path / "c.somz")
    r = Session()
    r.open(tmp_path / "c.somz")
    np.testing.assert_array_equal(r.table.tm.clusters, tm.clusters)
    assert r.table.tm.k == 3 and r.table.tm.recipe.columns == ("a", "b", "c")
    np.testing.assert_array_equal(r.table.tm.recipe.offset, tm.recipe.offset)
    np.testing.assert_array_equal(r.table.tm.recipe.scale, tm.recipe.scale)
    np.testing.assert_array_equal(r.table.assigned["segment"], s.table.assigned["segment"])


def test_opening_another_table_leaves_nothing_of_the_first(table_file, other_table_file, tmp_path):
    s = _trained_table(table_file)
    s.cluster(3)
    s.table.select_segment(0)
    s.save(tmp_path / "first.somz")
    s.set_label_column("size")
    cleared = []
    s.table.events.map_changed.connect(cleared.append)
    s.open(other_table_file)
    ws = s.table
    assert cleared == [None] and ws.tm is None and ws.map_path is None and not ws.dirty and not s.unsaved
    assert ws.assigned is None and ws.profiles is None and len(ws.selected) == 0 and len(ws.selected_rows) == 0
    assert list(ws.table.columns)[:2] == ["x", "y"] and ws.table.n_rows == 40 and ws.label_column == "species"
    with pytest.raises(SomdeskError, match="train"):
        s.export_assignments(tmp_path / "early.csv")
    s.train()
    assert ws.tm.codebook.shape[2] == 2
    n = s.export_assignments(tmp_path / "rows.csv")
    with open(tmp_path / "rows.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert n == 40 and len(rows) == 41 and rows[0] == ["row", "node_row", "node_col", "cluster", "label"]
    assert [v for v in ws.views() if v.startswith("plane: ")] == ["plane: x", "plane: y"]
    for k in range(2):
        img, _ = s.view_picture("component", 4, component=k)
        np.testing.assert_array_equal(img, ws.view_picture(f"plane: {'xy'[k]}", 4))


def test_a_palette_after_a_table_closes_the_table(table_file, palette_file):
    s = _trained_table(table_file)
    closed = []
    s.table.events.table_changed.connect(closed.append)
    s.open(palette_file)
    assert s.kind == "colours" and closed == [None] and not s.table.holds_data and s.table.tm is None
    s.open(table_file)
    assert s.kind == "table" and s.dataset is None and s.map is None and s.table.tm is None


def test_a_late_result_from_the_old_file_is_dropped(table_file, other_table_file):
    from somdesk.session.table_data import TableMapSpec

    queue = []
    s = Session(post=queue.append)        # like the GUI: state changes queued to the owner's thread
    s.open(table_file)
    while queue:
        queue.pop(0)()
    s.table.set_spec(TableMapSpec(height=4, width=4, epochs=5, seed=1))
    list(s.train_task())
    assert s.table.tm is None                        # nothing applied yet: the install is queued
    s.open(other_table_file)
    while queue:
        queue.pop(0)()
    assert list(s.table.table.columns)[:2] == ["x", "y"] and s.table.tm is None and not s.unsaved


def test_image_quantise_and_export(picture_file, tmp_path):
    s = Session()
    s.open(picture_file)
    s.update_config(width=3, height=3, iterations=4, seed=1)
    s.train()
    progress = list(s.quantise_task())
    assert progress[-1].done == progress[-1].total == 90
    q = s.quantised
    assert q.indices.shape == (90, 120) and q.used <= 9 and q.psnr > 15
    size = s.export_quantised(tmp_path / "q.png")
    with Image.open(tmp_path / "q.png") as im:
        assert im.mode == "P" and (np.asarray(im.convert("RGB")) == q.rgb()).all()
    assert size == (tmp_path / "q.png").stat().st_size
    assert "quantised" in s.views()
    s.save(tmp_path / "i.somz")
    r = Session()
    r.open(tmp_path / "i.somz")
    assert r.dataset.full_size and r.dataset.pixels.shape == (90, 120, 3)   # the original is still there
    (tmp_path / "blocks.png").unlink()
    r2 = Session()
    r2.open(tmp_path / "i.somz")
    assert not r2.dataset.full_size and r2.dataset.pixels.shape == (90, 120, 3)  # the kept copy


def test_cancelled_quantisation_changes_nothing(picture_file):
    from somdesk.core.cancel import CancelToken
    from somdesk.errors import Cancelled

    s = Session()
    s.open(picture_file)
    s.update_config(width=2, height=2, iterations=2, seed=1)
    s.train()
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        list(s.quantise_task(cancel=token))
    assert s.quantised is None


def test_exported_view_is_the_screen_picture(palette_file, tmp_path):
    s = Session()
    s.open(palette_file)
    s.update_config(width=7, height=6, iterations=10, seed=2, topology="hexagonal")
    s.train()
    for view in ("colours", "umatrix", "hits", "strip"):
        img, _legend = s.view_picture(view, scale=6, markers=view == "hits")
        s.export_view(tmp_path / f"{view}.png", view, scale=6, markers=view == "hits")
        with Image.open(tmp_path / f"{view}.png") as im:
            np.testing.assert_array_equal(np.asarray(im.convert("RGB")), img)
    n = s.export_palette(tmp_path / "organised.gpl", 16)
    assert n == 16 and "GIMP Palette" in (tmp_path / "organised.gpl").read_text()


def test_actions_that_need_data_say_so():
    s = Session()
    for call in (s.train, lambda: s.cluster(2), s.reset_weights, lambda: s.save("x.somz")):
        with pytest.raises(SomdeskError, match="open"):
            call()


def test_map_measures_equal_the_core_metrics_and_stop_on_cancel():
    from somdesk.core import metrics
    from somdesk.core.cancel import CancelToken
    from somdesk.errors import Cancelled
    from somdesk.session.mapstate import measure

    rng = np.random.default_rng(3)
    w, x = rng.random((6, 7, 4)), rng.random((60_000, 4))      # beyond the TE sample limit, many chunks
    for hexagonal in (False, True):
        m = measure(w, x, hexagonal, False)
        assert m["te"] == metrics.topographic_error(w, x, hexagonal, False)
        assert m["qe"] == pytest.approx(metrics.quantization_error(w, x), rel=1e-12)
        np.testing.assert_array_equal(m["bmus"], metrics.bmus(w, x))
        np.testing.assert_array_equal(m["hits"], metrics.hit_counts(w, x))
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        measure(w, x, False, False, token)


def test_stop_reaches_the_running_task_and_only_it(palette_file, table_file):
    s = Session()
    s.open(palette_file)
    s.update_config(width=5, height=5, iterations=50, seed=1)
    s.stop()                                         # nothing runs: nothing happens
    epochs = 0
    for _progress in s.train_task():
        epochs += 1
        if epochs == 3:
            s.stop()                                 # the window's Stop, without a token of its own
    assert epochs == 3 and s.run_state == "paused" and s.map.iteration == 3
    s.stop()
    outcome = s.train()                              # a new run is not stopped by the old request
    assert outcome.finished and s.map.iteration == 50
    from somdesk.errors import Cancelled
    task = s.open_task(table_file)
    next(task)
    s.stop()
    with pytest.raises(Cancelled):
        next(task)
    assert s.kind == "colours"


def test_pace_and_cheap_snapshots(palette_file):
    import time

    s = Session()
    s.open(palette_file)
    s.update_config(width=4, height=4, iterations=6, seed=1)
    s.set_pace(50.0)                                   # 6 epochs at 50 per second: >= 0.1 s
    t0 = time.perf_counter()
    kinds = [p.map.measured if p.map is not None else None
             for p in s.train_task(snapshot_when=lambda it: "weights" if it % 2 else True)]
    assert time.perf_counter() - t0 >= 0.1
    assert kinds == [False, True, False, True, False, True]     # the last one is always measured
    assert [m[0] for m in s.measures] == [2, 4, 6]
    with pytest.raises(SomdeskError, match="pace"):
        s.set_pace(0)


def test_exports_can_carry_their_legend(palette_file, table_file, tmp_path):
    s = Session()
    s.open(palette_file)
    s.update_config(width=5, height=4, iterations=15, seed=2)
    s.train()
    plain, legend = s.view_picture("hits", scale=5)
    with_bar, _ = s.view_picture("hits", scale=5, legend=True)
    assert legend.cmap == "inferno" and legend.levels == (0.0, float(s.map.hits.max()))
    assert with_bar.shape[0] > plain.shape[0] and (with_bar[: plain.shape[0], : plain.shape[1]] == plain).all()
    s.export_view(tmp_path / "c.png", "component", scale=5, component=1, legend=True)
    with Image.open(tmp_path / "c.png") as im:
        assert im.size[1] > 4 * 5
    t = _trained_table(table_file)                   # a table map: the dock's picture, its legend below
    plain, _ = t.view_picture("hits", scale=5)
    with_bar, _ = t.view_picture("hits", scale=5, legend=True)
    assert with_bar.shape[0] > plain.shape[0] and (with_bar[: plain.shape[0], : plain.shape[1]] == plain).all()
    t.export_view(tmp_path / "t.png", "umatrix", scale=5, legend=True)
    with Image.open(tmp_path / "t.png") as im:
        np.testing.assert_array_equal(np.asarray(im.convert("RGB")), t.view_picture("umatrix", 5, legend=True)[0])


def test_image_training_shows_a_quantised_preview(tmp_path):
    rng = np.random.default_rng(8)
    big = np.repeat(np.repeat(rng.integers(0, 256, (30, 40, 3), dtype=np.uint8), 40, axis=0), 40, axis=1)
    Image.fromarray(big).save(tmp_path / "big.png")               # 1600 x 1200
    s = Session()
    s.open(tmp_path / "big.png")
    assert s.dataset.preview.shape == (480, 640, 3)
    s.update_config(width=3, height=3, iterations=3, seed=1)
    previews = [p.preview for p in s.train_task(snapshot_when=lambda it: True)]
    assert all(p is not None for p in previews)
    last = previews[-1]
    assert last.indices.shape == (480, 640) and last.used <= 9 and 5 < last.psnr < 60


def test_the_u_matrix_comes_with_measured_maps_and_is_the_cores(palette_file):
    from somdesk.core.metrics import u_matrix

    s = Session()
    s.open(palette_file)
    s.update_config(width=6, height=4, iterations=3, seed=1, topology="hexagonal")
    assert s.map.umatrix is None and not s.map.measured        # a preview: weights only
    s.train()
    np.testing.assert_array_equal(s.map.umatrix, u_matrix(s.map.weights, True, False))
    assert not s.map.umatrix.flags.writeable
