"""A table and its map in the Qt-free model (session.table_workspace): train, stop, save,
reopen, select, relabel, recluster, score; events as documented; no stale state."""
from __future__ import annotations

import csv

import numpy as np
import pytest

from somdesk.core.cancel import CancelToken
from somdesk.errors import Cancelled, SomdeskError
from somdesk.io.tables.table import read_table
from somdesk.session.table_assign import assign_table
from somdesk.session.table_data import TableMapSpec
from somdesk.session.progress import run_to_end
from somdesk.session.table_workspace import TableWorkspace

SPEC = TableMapSpec(height=4, width=5, epochs=8, label="species", seed=1)


def _events(ws):
    seen = []
    for name in ("table_changed", "map_changed", "selection_changed", "labels_changed", "dirty_changed",
                 "path_changed"):
        getattr(ws.events, name).connect(lambda value, name=name: seen.append((name, value)))
    return seen


def _trained(path, spec=SPEC):
    ws = TableWorkspace()
    ws.set_table(read_table(path), path)
    ws.train(spec)
    return ws


def test_train_fires_the_events_and_fills_the_state(table_file):
    ws = TableWorkspace()
    seen = _events(ws)
    table = read_table(table_file)
    ws.set_table(table, table_file)
    assert [n for n, _ in seen] == ["table_changed", "labels_changed"] and seen[0][1] is table
    assert ws.holds_data and ws.tm is None and not ws.unsaved
    seen.clear()
    tm = ws.train(SPEC)
    assert [n for n, _ in seen] == ["map_changed", "labels_changed", "selection_changed", "dirty_changed"]
    assert seen[0][1] is tm and seen[1][1] == "species" and seen[3][1] is True
    assert tm.codebook.shape[:2] == (4, 5) and tm.config.iterations == 8
    assert ws.assigned["segment"].shape == (90,) and len(ws.node_of_row) == 90 and ws.unsaved
    assert ws.profiles["size"].sum() == 90
    assert ws.views()[:4] == ["segments", "U-matrix", "hits", "labels: species"]
    assert ws.view_picture("hits", 4).shape[2] == 3


def test_progress_from_inside_training_reaches_the_callback(table_file):
    ws = TableWorkspace()
    ws.set_table(read_table(table_file), table_file)
    heard = []
    ws.train(SPEC, progress=heard.append)
    epochs = [p for p in heard if p.phase == "training"]
    assert [p.done for p in epochs] == list(range(1, 9)) and {p.total for p in epochs} == {8}
    # then the stages after the epochs are named as they start (tester6 F14)
    # before them, the preparation's steps (fixY: Stop acts between them), each counted
    phases = [p.phase for p in heard if p.phase != "training"]
    first_epoch = next(i for i, p in enumerate(heard) if p.phase == "training")
    assert first_epoch > 0 and {p.phase for p in heard[:first_epoch]} == {"preparing the table", "training, epoch 1"}
    assert [p for p in phases if p not in ("preparing the table", "training, epoch 1")] == [
        f"measuring the map on {ws.table.n_rows:,} rows", "finding segments"]


def test_stop_mid_run_keeps_the_epochs_trained_and_a_stop_before_the_first_keeps_the_old_map(table_file):
    ws = _trained(table_file)
    before = ws.tm
    token = CancelToken()
    token.cancel()
    seen = _events(ws)
    with pytest.raises(Cancelled):                       # not one epoch: the previous map stays
        list(ws.train_task(TableMapSpec(height=5, width=6, epochs=50), cancel=token))
    assert ws.tm is before and seen == [] and not ws.stopped
    token = CancelToken()

    def stop_at_3(p):
        if p.phase == "training" and p.done == 3:
            token.cancel()
    list(ws.train_task(TableMapSpec(height=5, width=6, epochs=50), cancel=token, progress=stop_at_3))
    assert ws.stopped and ws.tm.epochs_done == 3 and ws.tm.codebook.shape[:2] == (5, 6) and ws.unsaved
    assert ws.assigned["segment"].shape == (90,) and ws.tm.k >= 1          # a map to look at, as it is


def test_select_nodes_and_segments_give_their_rows(table_file):
    ws = _trained(table_file)
    seen = _events(ws)
    rows = ws.select_nodes([0, 1])
    expect = np.flatnonzero(np.isin(ws.assigned["bmu_row"] * 5 + ws.assigned["bmu_col"], [0, 1]))
    np.testing.assert_array_equal(rows, expect)
    assert seen == [("selection_changed", rows)]
    rows = ws.select_segment(0)
    assert ws.whole_segment() == 0
    np.testing.assert_array_equal(rows, np.flatnonzero(ws.assigned["segment"] == 0))
    node = ws.node_of(int(rows[0]))
    assert int(rows[0]) in ws.rows_of_node(node) and "segment 0" in ws.describe_row(int(rows[0]))
    with pytest.raises(SomdeskError, match="node"):
        ws.select_nodes([20])
    n = ws.export_rows(ws.path + ".sel.csv")
    with open(ws.path + ".sel.csv", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    assert n == len(rows) == len(lines) - 1 and lines[0][:2] == ["row", "segment"]
    assert {int(r[1]) for r in lines[1:]} == {0}


def test_the_label_column_changes_labels_without_retraining(table_file, tmp_path):
    ws = _trained(table_file)
    ws.save_map(tmp_path / "m.somz")
    codebook = ws.tm.codebook.copy()
    assert set(ws.node_labels()[ws.scalar("hits") > 0]) <= {"sp0", "sp1", "sp2"}
    seen = _events(ws)
    ws.set_label_column("size")
    assert seen == [("labels_changed", "size"), ("dirty_changed", True)]
    np.testing.assert_array_equal(ws.tm.codebook, codebook)
    assert set(ws.node_labels()[ws.scalar("hits") > 0]) <= {"big", "small"}
    assert "labels: size" in ws.views() and ws.tm.label_column == "size"
    with pytest.raises(SomdeskError, match="no column"):
        ws.set_label_column("nope")
    ws.set_label_column(None)
    assert ws.node_labels() is None and not any(v.startswith("labels") for v in ws.views())


def test_the_spec_and_the_label_before_training(table_file):
    ws = TableWorkspace()
    ws.set_table(read_table(table_file), table_file)
    assert ws.spec.label == "species" and ws.label_column == "species" and ws.views() == []
    ws.set_label_column("size")                       # before training: the label the map will use
    assert ws.spec.label == "size" and not ws.dirty
    ws.set_spec(TableMapSpec(height=3, width=4, epochs=4, label="species"))
    assert ws.label_column == "species"
    tm = ws.train(ws.spec)
    assert tm.codebook.shape[:2] == (3, 4) and tm.label_column == "species"
    with pytest.raises(SomdeskError):
        ws.set_spec({"height": 3})


def test_recluster_keeps_the_codebook_and_the_label(table_file):
    ws = _trained(table_file)
    ws.set_label_column("size")
    codebook = ws.tm.codebook.copy()
    tm = ws.recluster(3)
    assert tm.k == 3 and ws.label_column == "size" and ws.unsaved
    np.testing.assert_array_equal(tm.codebook, codebook)
    assert set(np.unique(ws.assigned["segment"])) <= {0, 1, 2}


def test_save_and_reopen_with_its_table(table_file, tmp_path):
    ws = _trained(table_file)
    ws.select_segment(1)
    seen = _events(ws)
    ws.save_map(tmp_path / "m.somz")
    assert seen == [("path_changed", str(tmp_path / "m.somz")), ("dirty_changed", False)] and not ws.unsaved
    again = TableWorkspace()
    seen = _events(again)
    again.open_map(tmp_path / "m.somz")
    assert again.table is not None and again.loaded and not again.unsaved
    assert again.map_path == str(tmp_path / "m.somz") and again.label_column == "species"
    np.testing.assert_array_equal(again.tm.codebook, ws.tm.codebook)
    np.testing.assert_array_equal(again.assigned["segment"], ws.assigned["segment"])
    assert [n for n, _ in seen][:1] == ["table_changed"] and ("map_changed", again.tm) in seen


def test_a_map_whose_table_is_gone_opens_alone(table_file, tmp_path):
    ws = _trained(table_file)
    ws.save_map(tmp_path / "m.somz")
    table_file.unlink()
    alone = TableWorkspace()
    alone.open_map(tmp_path / "m.somz")
    assert alone.table is None and alone.assigned is None and "not next to the map" in alone.map_note
    assert alone.scalar("hits").sum() == 90 and len(alone.select_segment(0)) == 0
    with pytest.raises(SomdeskError):
        alone.export_profiles(tmp_path / "p.csv")


def test_a_new_table_leaves_nothing_of_the_old(table_file, other_table_file, tmp_path):
    ws = _trained(table_file)
    ws.select_segment(0)
    ws.save_map(tmp_path / "m.somz")
    ws.set_label_column("size")
    seen = _events(ws)
    ws.set_table(read_table(other_table_file), other_table_file)
    assert [n for n, _ in seen] == ["table_changed", "map_changed", "selection_changed", "labels_changed",
                                    "dirty_changed", "path_changed"]
    assert ws.tm is None and ws.assigned is None and ws.profiles is None and ws.node_of_row is None
    assert len(ws.selected) == 0 and len(ws.selected_rows) == 0
    assert ws.label_column == "species" and ws.spec.label == "species"    # the new table's default, not "size"
    assert ("labels_changed", "species") in seen and ws.spec.height is None
    assert not ws.dirty and ws.map_path is None and ws.path == str(other_table_file)
    with pytest.raises(SomdeskError, match="train"):
        ws.export_rows(tmp_path / "early.csv")


def test_a_late_result_for_the_old_table_is_dropped(table_file, other_table_file):
    queue = []
    ws = TableWorkspace(post=queue.append)        # like the GUI: installs queued to the owner's thread
    ws.set_table(read_table(table_file), table_file)
    list(ws.train_task(SPEC))
    ws.set_table(read_table(other_table_file), other_table_file)
    while queue:
        queue.pop(0)()
    assert ws.tm is None and ws.table.columns[0] == "x"


def test_scoring_the_training_file_equals_the_workspace_assignments(table_file, tmp_path):
    """Issue 13 must-show 4: `assign` on the training file == what the window shows."""
    ws = _trained(table_file)
    heard = []
    n, warnings = run_to_end(ws.score_task(table_file, tmp_path / "scores.csv", progress=heard.append))
    # the map knows its training table's columns: the label column 'size' is not "ignored" news
    assert n == 90 and heard[-1].done == 90 and not any("size" in w for w in warnings), warnings
    table = read_table(table_file)
    blocks = list(assign_table(ws.tm, table))
    for key in ("bmu_row", "bmu_col", "segment", "outlier"):
        np.testing.assert_array_equal(np.concatenate([b[key] for _r, b in blocks]), ws.assigned[key])
    with open(tmp_path / "scores.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["segment"]) for r in rows] == ws.assigned["segment"].tolist()


@pytest.mark.parametrize("name", ["other.somz", "s.png", "scores", "x.xlsx"])
def test_scores_are_written_only_under_a_csv_or_parquet_name(table_file, tmp_path, name):
    """tester9 #6: the window's Score new data wrote CSV text under any name, over another map
    or a picture; now the CLI's rule -- nothing is written, the file there is kept."""
    ws = _trained(table_file)
    target = tmp_path / name
    target.write_bytes(b"precious")
    with pytest.raises(SomdeskError, match=r"CSV or Parquet.*\.csv or \.parquet"):
        ws.score_file(table_file, target)
    assert target.read_bytes() == b"precious"


def test_scores_written_as_parquet_under_a_parquet_name(table_file, tmp_path):
    import duckdb

    ws = _trained(table_file)
    n, _warnings = ws.score_file(table_file, tmp_path / "s.parquet")
    got = duckdb.sql(f"SELECT segment FROM read_parquet('{tmp_path / 's.parquet'}') ORDER BY row").fetchnumpy()
    assert n == 90 and got["segment"].tolist() == ws.assigned["segment"].tolist()


def test_report_and_profiles_are_written(table_file, tmp_path):
    ws = _trained(table_file)
    ws.export_profiles(tmp_path / "p.csv")
    assert (tmp_path / "p.csv").read_text().startswith("segment,size,share,column")
    assert ws.export_report(tmp_path / "r.html") == str(tmp_path / "r.html")
    assert "<html" in (tmp_path / "r.html").read_text(encoding="utf-8").lower()




# -- through the Session: the one model (issue 12) ---------------------------------------------------
@pytest.mark.parametrize("stop_at", [1, 4, 29])
def test_a_table_through_the_session_stop_save_reopen_continue_equals_uninterrupted(table_file, tmp_path,
                                                                                     stop_at):
    """Issue 12 must-show 1 for a table: open a CSV, stop a run part way (Session.stop, the
    window's Stop), save, reopen, train on: the map equals one uninterrupted run bit for bit."""
    from somdesk.session import Session

    spec = TableMapSpec(height=5, width=6, epochs=30, seed=3, label="species", clusters=3)
    whole = Session()
    whole.open(table_file)
    whole.table.set_spec(spec)
    done = whole.train()
    assert done.finished and done.epochs_done is None

    s = Session()
    assert s.open(table_file) == "table" and s.kind == "table" and s.dataset is None
    s.table.set_spec(spec)
    heard = []
    part = s.train(progress=lambda p: p.phase == "training" and (heard.append(p) or (p.done == stop_at and s.stop())))
    assert len(heard) == stop_at and part.epochs_done == stop_at and s.table.stopped and s.unsaved
    s.save(tmp_path / "half.somz")
    assert not s.unsaved and s.table.map_path == str(tmp_path / "half.somz")

    again = Session()
    assert again.open(tmp_path / "half.somz") == "map" and again.kind == "table" and not again.unsaved
    assert again.table.stopped and again.table.tm.epochs_done == stop_at
    np.testing.assert_array_equal(again.table.tm.codebook, part.codebook)
    np.testing.assert_array_equal(again.table.assigned["segment"], s.table.assigned["segment"])
    heard.clear()
    final = again.train(progress=heard.append)             # the reopened map's own recipe: it continues
    assert [p.done for p in heard if p.phase == "training"] == list(range(stop_at + 1, 31)) and final.finished
    np.testing.assert_array_equal(final.codebook, done.codebook)
    np.testing.assert_array_equal(final.clusters, done.clusters)
    assert final.quantization_error == done.quantization_error
    np.testing.assert_array_equal(again.table.assigned["segment"], whole.table.assigned["segment"])
    assert again.train().finished                          # finished: Train makes the same map again


def test_a_stopped_run_is_not_resumed_under_another_recipe(table_file):
    ws = TableWorkspace()
    ws.set_table(read_table(table_file), table_file)
    token = CancelToken()
    list(ws.train_task(TableMapSpec(height=4, width=4, epochs=20, seed=1), cancel=token,
                       progress=lambda p: p.phase == "training" and p.done == 5 and token.cancel()))
    assert ws.tm.epochs_done == 5
    heard = []
    ws.train(TableMapSpec(height=4, width=4, epochs=20, seed=1, normalise="minmax"), progress=heard.append)
    heard = [p for p in heard if p.phase == "training"]
    assert heard[0].done == 1 and ws.tm.finished                  # another preparation: from the start


def test_an_old_session_table_map_still_opens(tmp_path):
    """Files of the retired session kind "table" open as table maps (workspace_file.table_map_from_workspace)."""
    import shutil
    from pathlib import Path

    from somdesk.session import Session

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "tables"
    for name in ("old-session-table.somz", "old-rows.csv"):
        shutil.copy(fixtures / name, tmp_path / name)
    s = Session()
    assert s.open(tmp_path / "old-session-table.somz") == "map"
    ws = s.table
    assert s.kind == "table" and ws.tm.recipe.columns == ("a", "b", "c") and ws.tm.k == 3
    assert ws.table is not None and ws.assigned["segment"].shape == (90,) and ws.label_column == "species"
    assert ws.tm.codebook.shape == (5, 6, 3) and not s.unsaved
    assert ws.scalar("hits").sum() == 90


def test_a_picture_or_palette_replaces_the_table_and_back(table_file, palette_file, picture_file):
    from somdesk.session import Session

    s = Session()
    s.open(table_file)
    s.table.set_spec(TableMapSpec(height=3, width=3, epochs=3))
    s.train()
    assert s.unsaved
    for path, kind in ((picture_file, "image"), (table_file, "table"), (palette_file, "colours")):
        s.open(path)
        assert s.kind == kind
        assert s.table.holds_data == (kind == "table") and s.table.tm is None
        assert (s.dataset is None) == (kind == "table")
    with pytest.raises(SomdeskError, match="table"):
        s.set_label_column("species")


def test_out_of_core_training_through_the_workspace(table_file):
    """gui/table_scale's headless part: every row streamed in chunks, the rows in memory assigned."""
    from somdesk.session.outofcore_table import StreamProgress

    ws = TableWorkspace()
    ws.set_table(read_table(table_file), table_file)
    spec = TableMapSpec(columns=("a", "b", "c"), height=3, width=4, epochs=3, seed=1, label="species")
    heard = []
    steps = list(ws.train_task(spec, progress=heard.append, out_of_core=True, chunk_rows=25))
    assert [p.done for p in steps if isinstance(p, StreamProgress)][-1] == 3
    assert any(getattr(p, "chunks", 0) == 4 for p in heard)              # 90 rows in chunks of 25
    assert ws.out_of_core["rows"] == 90 and int(ws.all_hits.sum()) == 90 and ws.scalar("hits").sum() == 90
    assert ws.assigned["segment"].shape == (90,) and ws.tm.codebook.shape[:2] == (3, 4)
    with pytest.raises(SomdeskError, match="only text columns"):
        ws.check_out_of_core(TableMapSpec(categorical=("a",)))


@pytest.mark.parametrize("stop_after", [1, 3])
def test_a_stopped_out_of_core_run_keeps_its_epochs_and_continues_to_the_uninterrupted_map(table_file,
                                                                                          tmp_path, stop_after,
                                                                                          monkeypatch):
    """Out of core as in memory: Stop after whole epochs keeps that map (measured over every row),
    it saves and reopens as stopped, and Train continues it to the uninterrupted run's map."""
    from somdesk.session.outofcore_table import StreamProgress
    from somdesk.session.table_workspace import TableWorkspace as WS

    spec = TableMapSpec(columns=("a", "b", "c"), height=3, width=4, epochs=6, seed=1, label="species")
    whole = WS()
    whole.set_table(read_table(table_file), table_file)
    run_to_end(whole.train_task(spec, out_of_core=True, chunk_rows=25))
    assert whole.tm.finished

    ws = WS()
    ws.set_table(read_table(table_file), table_file)
    token = CancelToken()
    done = []
    from somdesk.session import outofcore_table
    passes = []
    real = outofcore_table.prepared_chunk
    monkeypatch.setattr(outofcore_table, "prepared_chunk", lambda *a: passes.append(1) or real(*a))
    for p in ws.train_task(spec, token, out_of_core=True, chunk_rows=25):
        if isinstance(p, StreamProgress) and p.done == stop_after:
            done.append(p.done)
            token.cancel()          # the next epoch's first chunk sees it
    assert done == [stop_after] and ws.stopped and ws.tm.epochs_done == stop_after and ws.unsaved
    # measured on the sample, not in another pass over every row (tester3 F13: a stop waited for one)
    assert passes == [] and ws.out_of_core["hits_of"] == "sample"
    assert int(ws.all_hits.sum()) == 90 and ws.assigned["segment"].shape == (90,)
    ws.save_map(tmp_path / "half.somz")

    again = WS()
    again.open_map(tmp_path / "half.somz")
    assert again.stopped and again.tm.epochs_done == stop_after
    steps = [p.done for p in again.train_task(spec, out_of_core=True, chunk_rows=25)
             if isinstance(p, StreamProgress)]
    assert steps[0] == stop_after and steps[-1] == 6 and again.tm.finished      # went on, not from 0
    np.testing.assert_array_equal(again.tm.codebook, whole.tm.codebook)
    np.testing.assert_array_equal(again.tm.clusters, whole.tm.clusters)


def test_colour_only_actions_say_so_for_a_table(table_file):
    from somdesk.session import Session

    s = Session()
    s.open(table_file)
    for call in (s.reset_weights, s.ensure_som, s.quantise, lambda: s.set_colours(np.zeros((2, 3)))):
        with pytest.raises(SomdeskError):
            call()
    assert s.kind == "table" and s.views() == ()


def _semicolon_table(path):
    """Rows like conftest.write_table's with ';' between cells and decimal commas (a European export)."""
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 5, (3, 3))
    lines = ["a,b,c,size,species"]
    for i in range(90):
        vals = centres[i % 3] + rng.normal(0, 0.5, 3)
        lines.append(",".join(f"{v:.4f}" for v in vals) + f",{'big' if i % 2 else 'small'},sp{i % 3}")
    text = "\n".join(lines).replace(",", ";").replace(".", ",") + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_reopened_map_finds_its_table_where_it_was_and_reads_it_the_same_way(tmp_path, monkeypatch):
    """Tester2 A3: the map recorded the table's bare name, so opened from another folder it
    lost its rows and its label column; and it did not record the read options."""
    from somdesk.io.tables.options import ReadOptions

    data, maps, elsewhere = tmp_path / "data", tmp_path / "maps", tmp_path / "elsewhere"
    for d in (data, maps, elsewhere):
        d.mkdir()
    opts = ReadOptions(delimiter=";", decimal=",", where="size = 'big'")
    table = read_table(_semicolon_table(data / "rows.csv"), opts)
    assert table.n_rows == 45
    ws = TableWorkspace()
    ws.set_table(table, data / "rows.csv", opts)
    ws.train(SPEC)
    ws.save_map(maps / "m.somz")
    monkeypatch.chdir(elsewhere)
    again = TableWorkspace()
    again.open_map(maps / "m.somz")
    assert again.table is not None and again.map_note == "" and again.table.n_rows == 45
    assert again.path == str(data / "rows.csv") and again.read_options.where == "size = 'big'"
    assert again.label_column == "species"
    np.testing.assert_array_equal(again.assigned["segment"], ws.assigned["segment"])
    # trained again from the reopened map: the new map records the same place and options
    again.train(SPEC)
    assert again.tm.source_path == str(data / "rows.csv") and again.tm.read_options["where"] == "size = 'big'"


def test_a_map_looks_next_to_itself_first_and_older_maps_by_name(table_file, tmp_path, monkeypatch):
    """A folder of map and table moved together still opens; a map of before the path was
    recorded (its table's bare name only) still finds the table next to it."""
    import shutil
    from dataclasses import replace

    from somdesk.session.scoring import save_table_map

    ws = _trained(table_file)
    moved = tmp_path / "moved"
    moved.mkdir()
    ws.save_map(moved / "m.somz")
    shutil.copy(table_file, moved / "rows.csv")
    table_file.unlink()                            # not where it was any more
    again = TableWorkspace()
    again.open_map(moved / "m.somz")
    assert again.table is not None and again.path == str(moved / "rows.csv")
    old = replace(ws.tm, source="rows.csv", source_path=None, read_options=None)
    save_table_map(old, moved / "old.somz")
    monkeypatch.chdir(tmp_path)
    older = TableWorkspace()
    older.open_map(moved / "old.somz")
    assert older.table is not None and older.map_note == ""
    np.testing.assert_array_equal(older.assigned["segment"], ws.assigned["segment"])


def test_a_map_without_its_table_keeps_its_label_column(table_file, tmp_path):
    """The label column the map was saved with stays the map's (and is saved again) when the
    table is not found."""
    import json
    import zipfile

    ws = _trained(table_file)
    ws.save_map(tmp_path / "m.somz")
    table_file.unlink()
    alone = TableWorkspace()
    alone.open_map(tmp_path / "m.somz")
    assert alone.table is None and alone.label_column == "species" and alone.tm.label_column == "species"
    alone.save_map(tmp_path / "again.somz")
    with zipfile.ZipFile(tmp_path / "again.somz") as z:
        meta = json.loads(z.read("meta.json"))
    assert meta["table_map"]["label_column"] == "species"


def test_session_dirty_and_path_answer_for_a_table(table_file, palette_file, tmp_path):
    """Session.dirty and Session.path (what scripts and the window's title read) are the table
    map's while a table is open, with the session's events; a palette afterwards has its own."""
    from somdesk.session.session import Session

    s = Session()
    seen = []
    s.events.dirty_changed.connect(lambda v: seen.append(("dirty", v)))
    s.events.path_changed.connect(lambda v: seen.append(("path", v)))
    s.open(table_file)
    assert s.kind == "table" and s.dirty is False and s.path is None
    s.table.set_spec(SPEC)
    s.train()
    assert s.dirty is True and s.unsaved and ("dirty", True) in seen
    s.save(tmp_path / "m.somz")
    assert s.path == str(tmp_path / "m.somz") and s.dirty is False and not s.unsaved
    assert ("path", str(tmp_path / "m.somz")) in seen and seen[-1] == ("dirty", False)
    s.set_label_column("size")
    assert s.dirty is True
    again = Session()
    again.open(tmp_path / "m.somz")
    assert again.kind == "table" and again.path == str(tmp_path / "m.somz") and again.dirty is False
    again.open(palette_file)
    assert again.kind == "colours" and again.path is None and again.table.map_path is None


def test_scoring_a_file_over_the_memory_limit_does_not_warn_about_training(table_file, tmp_path):
    """Tester2 B11: scoring a big file passed on the reader's "a random sample ... is used for
    training" although nothing trains and every row is scored; other read warnings stay."""
    from somdesk.io.tables.options import ReadOptions
    from somdesk.session.scoring import read_warnings, score_table

    ws = _trained(table_file)
    extra = tmp_path / "extra.csv"          # a column the map never saw: its "ignored" warning stays
    lines = table_file.read_text().splitlines()
    extra.write_text("\n".join([lines[0] + ",note"] + [ln + ",1" for ln in lines[1:]]) + "\n")
    n, warnings = ws.score_file(extra, tmp_path / "s.csv", options=ReadOptions(max_rows=40))
    assert n == 90 and not any("sample" in w or "training" in w for w in warnings)
    assert any("ignored" in w and "note" in w for w in warnings), warnings
    big = read_table(table_file, ReadOptions(max_rows=40))
    assert big.sampled and any("sample" in w for w in big.warnings) and read_warnings(big) == []
    _blocks, warnings = score_table(ws.tm, big)                     # what `somdesk assign` prints
    assert not any("sample" in w for w in warnings)
    big.close()


def test_the_labels_legend_names_the_nodes_without_rows(table_file):
    """Tester2 B6: nodes without rows are grey in the labels view and the legend did not say so."""
    from dataclasses import replace

    from somdesk import render
    from somdesk.session.table_views import NO_LABEL

    ws = _trained(table_file, replace(SPEC, height=12, width=12))      # 144 nodes for 90 rows: empty ones
    labels = ws.node_labels()
    assert any(v is None for v in labels.ravel())
    names = sorted({v for v in labels.ravel() if v is not None})
    colours = np.vstack([render.category_colours(len(names)), [render.EMPTY_NODE]]).astype(np.uint8)
    expected = render.category_legend(names + [NO_LABEL], colours)
    np.testing.assert_array_equal(ws.legend_picture("labels: species"), expected)
    rgb = ws.node_colours("labels: species")
    assert (rgb[np.vectorize(lambda v: v is None)(labels)] == render.EMPTY_NODE).all()   # the colour it names


def test_no_export_replaces_the_table_the_map_or_the_file_being_scored(table_file, tmp_path):
    """Tester3 F11 (window side): Score new data, Export rows / assignments / profiles / report and
    Save map onto the open table, the saved map or the scored file replaced them; refused now,
    by any name of the file, and the files are kept byte for byte."""
    import os
    import shutil

    data = tmp_path / "data.csv"
    shutil.copy(table_file, data)
    ws = TableWorkspace()
    ws.set_table(read_table(str(data)), str(data))
    ws.train(SPEC)
    ws.save_map(tmp_path / "m.somz")
    other = tmp_path / "new.csv"
    shutil.copy(table_file, other)
    os.link(data, tmp_path / "data-link.csv")
    kept = {p: p.read_bytes() for p in (data, tmp_path / "m.somz", other)}
    attempts = [lambda p: ws.export_rows(p, rows=[0, 1]), ws.export_assignments, ws.export_profiles,
                ws.export_report, lambda p: ws.score_file(str(other), p)]
    for target in (data, tmp_path / "data-link.csv", tmp_path / "m.somz", other):
        for write in attempts:
            if target == other and write is not attempts[-1]:
                continue
            with pytest.raises(SomdeskError, match="would replace it"):
                write(str(target))
    with pytest.raises(SomdeskError, match="table in use"):
        ws.save_map(str(data))
    assert all(p.read_bytes() == b for p, b in kept.items())
    ws.save_map(tmp_path / "m.somz")                          # its own map: saved again, as always
    assert ws.export_rows(str(tmp_path / "rows.csv"), rows=[0, 1]) == 2


def test_a_map_without_its_table_writes_its_report_and_says_why_it_cannot_train(table_file, tmp_path):
    """Tester6 F25/F26: Export report on a reopened map whose table is gone raised TypeError
    (profiles None); Train did nothing with no word said."""
    from somdesk.session.report import report_html

    ws = _trained(table_file)
    ws.save_map(tmp_path / "m.somz")
    table_file.unlink()
    alone = TableWorkspace()
    alone.open_map(tmp_path / "m.somz")
    assert alone.profiles is None
    alone.export_report(tmp_path / "r.html")
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Segment profiles need the map's table" in text and "training rows the map keeps" in text
    assert text.count("<img") >= 3 + len(alone.tm.recipe.features)     # segments, U-matrix, hits, curve, planes
    sizes = [int(v) for v in __import__("re").findall(r"<td>([\d,]+)</td><td>[\d.]+%</td>", text)]
    assert sum(sizes) == 90
    older = __import__("dataclasses").replace(alone.tm, inputs=None)   # a map keeping no rows
    assert "keeps no training rows" in report_html(older, None, "t")
    with pytest.raises(SomdeskError, match=r"Training needs the table .*: open it"):
        alone.train(SPEC)


def test_file_columns_named_like_the_maps_keep_their_values_in_the_rows_view_and_export(tmp_path):
    """Tester6 F31: a file's own `row` / `segment` were replaced by the map's (only `distance`
    kept its values); every one of the map's names now yields to the file's."""
    rng = np.random.default_rng(3)
    names = ["row", "segment", "bmu_row", "bmu_col", "distance", "outlier", "som_row", "x", "y"]
    data = rng.normal(size=(40, len(names))).round(3) + 100     # the file's values: nothing like the map's
    path = tmp_path / "clash.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([names, *data.tolist()])
    ws = TableWorkspace()
    ws.set_table(read_table(path), path)
    ws.train(TableMapSpec(columns=("x", "y"), height=3, width=3, epochs=3, seed=1))
    cols = ws.row_columns()
    for j, name in enumerate(names):
        np.testing.assert_array_equal(cols[name], data[:, j])
    np.testing.assert_array_equal(cols["som_som_row"], np.arange(40))
    for key in ("segment", "bmu_row", "bmu_col", "distance", "outlier"):
        np.testing.assert_array_equal(cols[f"som_{key}"], ws.assigned[key])
    assert list(cols)[:2] == ["som_som_row", "som_segment"]
    ws.export_rows(tmp_path / "rows.csv", rows=np.arange(40))
    with open(tmp_path / "rows.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [float(r["row"]) for r in rows] == data[:, 0].tolist()
    assert [float(r["segment"]) for r in rows] == data[:, 1].tolist()
    assert [int(r["som_segment"]) for r in rows] == ws.assigned["segment"].tolist()


def test_the_label_recount_uses_the_tables_missing_values(tmp_path):
    # review12 #4: read with --missing-values unknown, "NA" is a label and "unknown" none; the
    # counts the map trained with and those after picking the label again must agree
    from somdesk.io.tables.options import ReadOptions

    path = tmp_path / "lab.csv"
    rng = np.random.default_rng(3)
    kinds = ["x", "y", "NA", "unknown"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "kind"])
        for i in range(160):
            w.writerow([f"{rng.normal():.4f}", f"{rng.normal():.4f}", kinds[i % 4]])
    ws = TableWorkspace()
    ws.set_table(read_table(path, ReadOptions(missing=("unknown",))), path)
    trained = ws.train(TableMapSpec(height=3, width=3, epochs=3, label="kind", columns=("a", "b"), seed=1))
    first = trained.label_counts
    assert first.names == ("NA", "x", "y") and int(first.counts.sum()) == 120
    ws.set_label_column(None)
    ws.set_label_column("kind")
    again = ws.tm.label_counts
    assert again.names == first.names
    np.testing.assert_array_equal(again.counts, first.counts)
    majority = ws.node_labels()
    assert {v for v in majority.ravel() if v is not None} <= {"NA", "x", "y"}
