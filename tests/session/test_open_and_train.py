"""Open every kind, train, stop, save, reopen, continue: the same map as one uninterrupted run."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.core.cancel import CancelToken
from somdesk.errors import FileFormatError, SomdeskError
from somdesk.session import Session
from somdesk.session.table_data import TableMapSpec
from somdesk.session.opening import sniff_kind


@pytest.mark.parametrize("layout", ["records", "ndjson", "records-named.txt"])
def test_json_rows_open_as_a_table_and_json_palettes_as_palettes(tmp_path, layout):
    """Tester3 F1: a JSON array of records or NDJSON (what pandas and DuckDB write) opened as a
    palette and failed ("[0] has no 'hex' key"); the CLI read it as a table.  Now by content:
    objects without a colour key are rows."""
    import json

    rows = [{"age": 20 + i, "income": 1000.5 * i, "region": "nesw"[i % 4], "spend": None if i == 3 else i}
            for i in range(12)]
    name = "t.txt" if layout.endswith(".txt") else f"t.{'ndjson' if layout == 'ndjson' else 'json'}"
    path = tmp_path / name
    if layout == "ndjson":
        path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    else:
        path.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    assert sniff_kind(path) == "table"
    s = Session()
    assert s.open(path) == "table" and s.kind == "table"
    assert s.table.table.n_rows == 12 and {"age", "income", "region"} <= set(s.table.table.columns)

    for doc in ([{"hex": "#ff0000", "name": "Red"}, {"color": "#00ff00"}], ["#ff0000", "#00ff00"],
                {"name": "p", "colors": ["#ff0000", "#0000ff"]}):
        pal = tmp_path / "p.json"
        pal.write_text(json.dumps(doc), encoding="utf-8")
        assert sniff_kind(pal) == "palette", doc
    broken = tmp_path / "b.json"
    broken.write_text('[{"hex": "#ff0000"}, {"name": "no colour"}]', encoding="utf-8")
    assert sniff_kind(broken) == "palette"          # its reader says which item lacks a colour


def test_a_line_longer_than_the_head_is_a_table_and_its_reader_says_why(tmp_path):
    """Tester3 F6: a CSV whose one line is 14 MB opened as "1 colours" after a minute in the
    palette reader; it is the table reader's to refuse (line length)."""
    path = tmp_path / "huge_line.csv"
    path.write_bytes(",".join(map(str, range(2_000_000))).encode() + b"\n")   # numbers: a "csv" palette?
    assert sniff_kind(path) == "table"
    with pytest.raises(SomdeskError, match="line"):
        Session().open(path)


def test_files_are_told_apart_by_content(palette_file, picture_file, table_file, tmp_path):
    assert sniff_kind(palette_file) == "palette"
    assert sniff_kind(picture_file) == "image"
    assert sniff_kind(table_file) == "table"
    renamed = tmp_path / "really-a-picture.csv"
    renamed.write_bytes(picture_file.read_bytes())
    assert sniff_kind(renamed) == "image"
    hexes = tmp_path / "colours.csv"
    hexes.write_text("hex,name\n#ff0000,red\n#00ff00,green\n", encoding="utf-8")
    assert sniff_kind(hexes) == "palette"
    s = Session()
    s.new_colours(n=5, seed=1)
    s.update_config(width=3, height=3, iterations=2, seed=1)
    s.train()
    s.save(tmp_path / "x.somz")
    assert sniff_kind(tmp_path / "x.somz") == "map"


@pytest.mark.parametrize("kind", ["palette", "image", "table"])
def test_open_each_kind(kind, palette_file, picture_file, table_file):
    path = {"palette": palette_file, "image": picture_file, "table": table_file}[kind]
    s = Session()
    seen = []
    s.events.dataset_changed.connect(lambda d: seen.append(d.kind))
    s.table.events.table_changed.connect(lambda t: seen.append("table"))
    assert s.open(path) == kind
    assert s.kind == {"palette": "colours"}.get(kind, kind) and seen == [s.kind]
    if kind != "table":
        assert s.map is not None and s.map.iteration == 0 and s.run_state == "idle"
    assert s.dirty is False or s.path is None
    if kind == "palette":
        assert s.dataset.data.shape == (12, 3) and s.dataset.names[0] == "c0"
    if kind == "image":
        assert s.dataset.pixels.shape == (90, 120, 3) and s.dataset.data.shape == (90 * 120, 3)
    if kind == "table":          # held by the table workspace: no map until it is trained
        assert s.dataset is None and s.map is None and s.table.tm is None and not s.unsaved
        assert list(s.table.table.columns) == ["a", "b", "c", "size", "species"] and s.label_column == "species"
        assert s.table.table.n_rows == 90 and s.table.spec.label == "species"


def test_unreadable_files_are_one_clear_error(tmp_path):
    s = Session()
    for name, data in [("bad.somz", b"PK\x03\x04garbage"), ("empty.csv", b""), ("x.png", b"\x89PNG\r\n\x1a\nxx")]:
        (tmp_path / name).write_bytes(data)
        with pytest.raises(SomdeskError):
            s.open(tmp_path / name)
    for name, fmt in (("x.png", "PNG"), ("x.gif", "GIF"), ("x.jpg", "JPEG")):
        # a damaged picture: the picture reader's message, naming the format its name says (tester11 #2)
        (tmp_path / name).write_bytes(b"\x89PNG\r\n\x1a\nxx" if name == "x.png" else np.random.default_rng(1).bytes(1000))
        assert sniff_kind(tmp_path / name) == "image"
        with pytest.raises(FileFormatError, match=f"the {fmt} picture is damaged or truncated"):
            s.open(tmp_path / name)
    # a picture's name is no evidence when Pillow does not know the content: the content decides
    (tmp_path / "gpl.png").write_text("GIMP Palette\nName: x\n#\n255 0 0 red\n0 0 255 blue\n")
    (tmp_path / "csv.png").write_text("a,b\n1,2\n3,4\n")
    assert sniff_kind(tmp_path / "gpl.png") == "palette" and sniff_kind(tmp_path / "csv.png") == "table"
    with pytest.raises(FileFormatError):
        s.open(tmp_path / "missing.gpl")
    with pytest.raises(FileFormatError, match="folder"):
        s.open(tmp_path)
    assert s.dataset is None


def _config(s, kind):
    if kind == "image":
        s.update_config(width=4, height=4, iterations=6, seed=3)
        from dataclasses import replace
        s.dataset = replace(s.dataset, settings=replace(s.dataset.settings, fine_tune=4))
    else:
        s.update_config(width=6, height=5, iterations=12, seed=3)


def _open(kind, palette_file, picture_file, table_file):
    s = Session()
    s.open({"colours": palette_file, "image": picture_file, "table": table_file}[kind])
    _config(s, kind)
    return s


# tables: tests/session/test_table_workspace.py::test_a_table_through_the_session_stop_save_reopen_train
@pytest.mark.parametrize("kind,stop_at", [("colours", 5), ("image", 5), ("image", 7), ("image", 9)])
def test_stop_save_reopen_continue_equals_uninterrupted(kind, stop_at, palette_file, picture_file, table_file,
                                                        tmp_path):
    """Images train in phases (ordering 6, fine-tuning 4, recovery rounds): stop in each."""
    whole = _open(kind, palette_file, picture_file, table_file)
    outcome = whole.train()
    assert outcome.finished and not outcome.stopped and whole.run_state == "finished"

    part = _open(kind, palette_file, picture_file, table_file)
    token = CancelToken()
    states = []
    part.events.run_state_changed.connect(states.append)
    epochs = 0
    task = part.train_task(cancel=token)
    for progress in task:
        epochs += 1
        if epochs == stop_at:
            token.cancel()          # Stop, as the window's button does
    assert part.run_state == "paused" and states == ["running", "paused"]
    assert epochs == stop_at and not part.done
    part.save(tmp_path / "half.somz")
    assert part.dirty is False

    again = Session()
    assert again.open(tmp_path / "half.somz") == "map"
    assert again.kind == kind and again.run_state == "paused" and not again.dirty
    np.testing.assert_array_equal(again.map.weights, part.map.weights)
    again.train()
    assert again.run_state == "finished"
    np.testing.assert_array_equal(again.map.weights, whole.map.weights)
    assert again.map.iteration == whole.map.iteration


def test_closing_the_task_early_is_a_stop_too(palette_file):
    s = _open("colours", palette_file, None, None)
    task = s.train_task(snapshot_when=lambda it: it % 3 == 0)
    got = [next(task) for _ in range(4)]
    task.close()
    assert [p.iteration for p in got] == [1, 2, 3, 4]
    assert [p.map is not None for p in got] == [False, False, True, False]
    assert s.run_state == "paused" and s.map.iteration == 4 and not s.running
    assert len(s.measures) == 1 and s.measures[0][0] == 3


def test_reset_weights_is_undoable(palette_file):
    s = _open("colours", palette_file, None, None)
    s.train()
    trained = s.map.weights.copy()
    assert s.would_discard_training and not s.can_undo
    s.reset_weights()
    assert s.map.iteration == 0 and s.run_state == "idle" and s.can_undo and s.undo_text == "Reset weights"
    s.undo()
    np.testing.assert_array_equal(s.map.weights, trained)
    assert s.run_state == "finished" and not s.can_undo and s.can_redo
    s.redo()
    assert s.map.iteration == 0 and s.can_undo and s.can_undo_reset
    s.undo_reset_weights()                       # the same, for a window keeping its own undo stack
    np.testing.assert_array_equal(s.map.weights, trained)
    assert not s.can_undo_reset


def test_palette_edits_undo_and_redo_with_their_maps(palette_file, tmp_path):
    s = _open("colours", palette_file, None, None)
    s.train()
    trained = s.map.weights.copy()
    twelve = s.dataset.colours
    s.set_colours(twelve[:-2], s.dataset.names[:-2])              # Delete two swatches
    assert s.dataset.data.shape == (10, 3) and s.map.iteration == 0 and s.undo_text == "Edit colours"
    s.set_colours(np.vstack([s.dataset.colours, [[1.0, 1.0, 1.0]]]))
    assert s.dataset.data.shape == (11, 3)
    s.undo()
    s.undo()
    np.testing.assert_array_equal(s.dataset.colours, twelve)
    np.testing.assert_array_equal(s.map.weights, trained)         # the trained map comes back with them
    s.redo()
    assert s.dataset.data.shape == (10, 3)
    s.train()                                                     # training clears the history
    assert not s.can_undo and not s.can_redo
    s.open(palette_file)
    assert not s.can_undo


def test_a_new_config_starts_a_fresh_map(palette_file):
    s = _open("colours", palette_file, None, None)
    s.train()
    s.update_config(width=4)
    assert s.map.shape == (5, 4) and s.map.iteration == 0 and s.dirty


def test_a_finished_map_does_not_restart_by_itself(palette_file):
    s = _open("colours", palette_file, None, None)
    s.train()
    before = s.map.weights.copy()
    outcome = s.train()
    assert outcome.finished and s.run_state == "finished"
    np.testing.assert_array_equal(s.map.weights, before)


def test_old_colour_maps_still_open(tmp_path):
    from somdesk.core import SOM, SOMConfig
    from somdesk.io.mapfile import save_map

    som = SOM(np.random.default_rng(1).random((9, 3)), SOMConfig(width=4, height=3, iterations=5, seed=2))
    som.train()
    save_map(som, tmp_path / "old.somz", input_names=[f"n{i}" for i in range(9)])
    s = Session()
    assert s.open(tmp_path / "old.somz") == "map"
    assert s.kind == "colours" and s.run_state == "finished" and s.dataset.names[0] == "n0"
    np.testing.assert_array_equal(s.map.weights, som.weights)


def test_a_colour_map_saved_by_the_session_opens_in_the_old_reader(palette_file, tmp_path):
    from somdesk.io.mapfile import load_map

    s = _open("colours", palette_file, None, None)
    s.train()
    s.save(tmp_path / "new.somz")
    old = load_map(tmp_path / "new.somz")
    np.testing.assert_array_equal(old.som.weights, s.map.weights)


def test_a_table_map_is_a_plain_saved_map_plus_extras(table_file, tmp_path):
    from somdesk.io.mapfile import load_map

    s = Session()
    s.open(table_file)
    s.table.set_spec(TableMapSpec(height=3, width=3, epochs=2, seed=1, label="species"))
    s.train()
    s.save(tmp_path / "t.somz")
    plain = load_map(tmp_path / "t.somz")          # the map reader ignores what it does not know
    np.testing.assert_array_equal(plain.som.weights, s.table.tm.codebook)
    assert plain.meta["kind"] == "table-map" and plain.meta["table_map"]["recipe"]["columns"] == ["a", "b", "c"]


def test_a_damaged_workspace_is_one_clear_error(table_file, tmp_path):
    import json
    import zipfile

    s = Session()
    s.open(table_file)
    s.table.set_spec(TableMapSpec(height=3, width=3, epochs=2, seed=1))
    s.train()
    s.save(tmp_path / "t.somz")
    with zipfile.ZipFile(tmp_path / "t.somz") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    meta = json.loads(members["meta.json"])
    meta["table_map"]["outlier_threshold"] = "far"          # not a number
    members["meta.json"] = json.dumps(meta).encode()
    with zipfile.ZipFile(tmp_path / "bad.somz", "w") as zf:
        for n, raw in members.items():
            zf.writestr(n, raw)
    with pytest.raises(FileFormatError, match="bad.somz"):
        Session().open(tmp_path / "bad.somz")
    del meta["table_map"]
    members["meta.json"] = json.dumps(meta).encode()
    with zipfile.ZipFile(tmp_path / "bad2.somz", "w") as zf:
        for n, raw in members.items():
            zf.writestr(n, raw)
    with pytest.raises(FileFormatError):
        Session().open(tmp_path / "bad2.somz")


def test_preparation_change_retrains_from_scratch(table_file):
    s = Session()
    s.open(table_file)
    s.table.set_spec(TableMapSpec(height=4, width=4, epochs=3, seed=1))
    first = s.train()
    assert first.codebook.shape == (4, 4, 3)
    s.table.set_spec(TableMapSpec(columns=("a", "b"), normalise="minmax", label="size", height=4, width=4, epochs=3))
    tm = s.train()
    assert tm.codebook.shape == (4, 4, 2) and tm.recipe.normalise == "minmax" and s.label_column == "size"
    assert tm.inputs.min() == 0.0 and tm.inputs.max() == 1.0


def test_spreadsheets_and_binary_tables_go_to_the_table_reader(tmp_path):
    import gzip
    import zipfile

    with zipfile.ZipFile(tmp_path / "book.xlsx", "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    (tmp_path / "rows.parquet").write_bytes(b"PAR1" + b"\0" * 32 + b"PAR1")
    (tmp_path / "rows.csv.gz").write_bytes(gzip.compress(b"a,b\n1,2\n"))
    with zipfile.ZipFile(tmp_path / "swatches.kpl", "w") as zf:
        zf.writestr("colorset.xml", "<Colorset/>")
    assert sniff_kind(tmp_path / "book.xlsx") == "table"
    assert sniff_kind(tmp_path / "rows.parquet") == "table"
    assert sniff_kind(tmp_path / "rows.csv.gz") == "table"
    assert sniff_kind(tmp_path / "swatches.kpl") == "palette"


def test_the_default_label_column_is_a_category_not_an_identifier(tmp_path):
    from somdesk.io.table import read_table_text
    from somdesk.session.table_columns import default_label_column

    text = "id,x,y,colour,kind\n" + "".join(f"r{i},{i},{i % 3},{'red' if i % 2 else 'blue'},k{i % 4}\n"
                                           for i in range(20))
    table = read_table_text(text)
    assert default_label_column(table, table.numeric_columns) == "kind"      # the last category column
    only_ids = read_table_text("id,x\n" + "".join(f"r{i},{i}\n" for i in range(20)))
    assert default_label_column(only_ids, only_ids.numeric_columns) is None


def test_the_version_1_fixture_map_opens_as_a_colour_workspace():
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "maps" / "colour-v1.somz"
    weights = np.load(fixture.with_name("colour-v1-weights.npy"))
    s = Session()
    assert s.open(fixture) == "map"
    assert s.kind == "colours" and not s.dirty and s.path == str(fixture)
    np.testing.assert_array_equal(s.map.weights, weights)


def test_a_spreadsheet_opens_as_a_table(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["a", "b", "kind"])
    for i in range(30):
        sheet.append([i * 0.5, (i % 7) * 1.5, f"k{i % 3}"])
    book.save(tmp_path / "rows.xlsx")
    s = Session()
    assert s.open(tmp_path / "rows.xlsx") == "table"
    assert s.table.spec.columns is None and s.label_column == "kind" and s.table.table.n_rows == 30
    assert s.train().recipe.columns == ("a", "b")            # every numeric column but the label


def test_a_damaged_workbook_or_map_is_explained_by_its_own_reader_not_krita(tmp_path):
    """A ZIP the content sniff cannot place (damaged, or foreign) named .xlsx/.ods/.somz goes to
    the spreadsheet or map reader, whose message names the right kind of file."""
    import zipfile

    from somdesk.session.scoring import save_table_map

    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 2)
    with zipfile.ZipFile(tmp_path / "foreign.ods", "w") as zf:
        zf.writestr("x.txt", "hello")
    (tmp_path / "text.somz").write_text("hello\n", encoding="utf-8")
    (tmp_path / "empty.somz").write_bytes(b"")
    s = Session()
    s.open(_write_numbers(tmp_path / "t.csv"))
    s.table.set_spec(TableMapSpec(height=3, width=3, epochs=2))
    s.train()
    save_table_map(s.table.tm, tmp_path / "good.somz")
    (tmp_path / "cut.somz").write_bytes((tmp_path / "good.somz").read_bytes()[:300])
    assert sniff_kind(tmp_path / "bad.xlsx") == sniff_kind(tmp_path / "foreign.ods") == "table"
    assert sniff_kind(tmp_path / "cut.somz") == sniff_kind(tmp_path / "text.somz") == "map"
    for name, words in [("bad.xlsx", "the Excel workbook (.xlsx) is damaged"), ("foreign.ods", "spreadsheet"),
                        ("cut.somz", "the saved map (.somz) is damaged"), ("text.somz", "the saved map (.somz) is damaged"),
                        ("empty.somz", "empty")]:
        with pytest.raises(FileFormatError) as err:
            Session().open(tmp_path / name)
        assert words in str(err.value) and ".kpl" not in str(err.value) and "Krita" not in str(err.value), name
    assert sniff_kind(tmp_path / "good.somz") == "map"          # intact files are still told by content
    with zipfile.ZipFile(tmp_path / "swatches.kpl", "w") as zf:
        zf.writestr("colorset.xml", "<Colorset/>")
    assert sniff_kind(tmp_path / "swatches.kpl") == "palette"


def _write_numbers(path):
    path.write_text("a,b,c\n" + "".join(f"{i},{(i * 7) % 11},{(i * 3) % 5}\n" for i in range(40)), encoding="utf-8")
    return path


def test_a_picture_past_pillows_bomb_guard_is_refused_as_a_picture(tmp_path):
    """tester4 F12: a 20000x20000 PNG was read as a palette (its 50 MP limit quoted) while
    `somdesk quantize` named the picture limit; both now say the picture reader's message."""
    import struct
    import zlib

    import pytest as _pytest

    from somdesk.errors import FileFormatError
    from somdesk.session import Session
    from somdesk.session.opening import sniff_kind

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    p = tmp_path / "huge.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0))
                  + chunk(b"IEND", b""))
    assert sniff_kind(p) == "image"
    with _pytest.raises(FileFormatError, match="the limit is 100,000,000 pixels"):
        Session().open(p)


def test_a_big_map_stopped_early_still_has_its_u_matrix(palette_file, monkeypatch):
    """tester5 F2: a stopped run too big to measure at once (QUICK_MEASURE) showed "the u-matrix
    needs a trained map"; the U-matrix needs only the codebook, so it is there."""
    from somdesk.core.metrics import u_matrix
    from somdesk.render.views import node_colours
    from somdesk.errors import SomdeskError
    from somdesk.session import runs

    monkeypatch.setattr(runs, "QUICK_MEASURE", 0)
    s = _open("colours", palette_file, None, None)
    task = s.train_task()
    next(task), next(task)
    task.close()
    m = s.map
    assert m.iteration == 2 and m.bmus is None and m.hits is None
    np.testing.assert_array_equal(m.umatrix, u_matrix(m.weights, m.hexagonal, m.config.toroidal))
    node_colours("umatrix", m.weights, umatrix=m.umatrix)
    with pytest.raises(SomdeskError, match="a big map stopped early is not measured"):
        node_colours("hits", m.weights, hits=m.hits)


def test_an_abandoned_run_ends_without_finishing_work(palette_file, monkeypatch):
    """CI (stop 28): closing the window during a 1000x1000 run waited 320 ms for the final
    map's U-matrix, which nobody would see. An abandoned run (window closing, task replaced)
    ends with its weights only; a stopped one still has its U-matrix (test above)."""
    from somdesk.core.cancel import CancelToken
    from somdesk.errors import Cancelled
    from somdesk.session import runs

    monkeypatch.setattr(runs, "QUICK_MEASURE", 0)
    s = _open("colours", palette_file, None, None)
    token = CancelToken()
    task = s.train_task(cancel=token)
    next(task), next(task)
    token.abandon()
    with pytest.raises((StopIteration, Cancelled)):
        while True:
            next(task)
    m = s.map
    assert m.iteration == 2 and m.umatrix is None and m.bmus is None
    np.testing.assert_array_equal(m.weights, s.som.weights)


@pytest.mark.parametrize("name, data, words", [
    ("badhex.hex", b"#ff0000\n#00ff00\n#zzzzzz\n", "line 3"),
    ("garbage.gpl", bytes(np.random.default_rng(2).integers(0, 256, 4000, dtype=np.uint8)), "not a palette file"),
    ("empty.gpl", b"", "empty"),
    ("many.hex", "".join(f"{i:06x}\n" for i in range(70_000)).encode(), "too many colours"),
])
def test_a_bad_file_named_as_a_palette_gets_the_palette_readers_message(tmp_path, name, data, words):
    """tester6 F6: such files fell through to the table reader, whose import preview showed a
    one-column table or a binary-file message instead of what is wrong with the palette."""
    (tmp_path / name).write_bytes(data)
    assert sniff_kind(tmp_path / name) == "palette"
    with pytest.raises(FileFormatError, match=words):
        Session().open(tmp_path / name)


def test_a_drawn_seed_is_not_carried_to_the_next_file(palette_file, tmp_path):
    """testerW #5: the seed drawn for one file's map was kept in the config and reused by every
    later file; a typed seed (set_config) stays."""
    from somdesk.session import Session

    s = Session()
    s.open(palette_file)
    first = s.map.seed
    assert s.seed_drawn and s.config.seed == first
    s.open(palette_file)
    assert s.map.seed != first and s.seed_drawn
    s.update_config(seed=77)
    assert not s.seed_drawn
    s.open(palette_file)
    assert s.map.seed == 77 and s.config.seed == 77 and not s.seed_drawn


def test_the_drawn_seed_typed_stays_the_users(palette_file):
    """retest #1: typing the seed the map drew (to repeat the run) left it in the drawn set, so
    the next File > Open dropped it for a new random one."""
    from somdesk.session import Session

    s = Session()
    s.open(palette_file)
    drawn = s.map.seed
    weights = s.som.weights.copy()
    s.set_config(s.config.replace(seed=drawn))        # the same config: the seed is now typed
    assert not s.seed_drawn and s.som is not None
    np.testing.assert_array_equal(s.som.weights, weights)   # the map stays
    s.open(palette_file)
    assert s.config.seed == drawn and s.map.seed == drawn and not s.seed_drawn
