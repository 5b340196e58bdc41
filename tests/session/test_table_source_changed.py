"""A reopened table map and a table that changed since (tester9 #8): the map keeps its table's
fingerprint; a file that no longer matches is not shown as the map's rows (the map opens alone and
says what changed), `assign` on it warns, and maps saved before still open with their table."""
from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.session.progress import run_to_end
from somdesk.session.scoring import load_table_map
from somdesk.session.table_workspace import TableWorkspace
from tests.somz_edit import without_table_map_field


def _write(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("a,b\n" + "".join(f"{a:.3f},{b:.3f}\n" for a, b in rows))


@pytest.fixture()
def trained(tmp_path):
    rng = np.random.default_rng(3)
    _write(tmp_path / "t.csv", rng.uniform(0, 1, (60, 2)))
    m = tmp_path / "m.somz"
    assert main(["train", "--table", str(tmp_path / "t.csv"), "--width", "3", "--height", "3", "--epochs", "2",
                 "--seed", "1", "--save-map", str(m), "-q"]) == 0
    return tmp_path, m


def _open(m):
    ws = TableWorkspace()
    run_to_end(ws.open_map_task(m))
    return ws


def test_the_map_keeps_its_tables_fingerprint(trained):
    d, m = trained
    fp = load_table_map(m).source_fingerprint
    assert fp["size"] == os.path.getsize(d / "t.csv") and fp["rows"] == 60 and len(fp["sha256"]) == 64
    ws = _open(m)
    assert ws.table is not None and ws.table.n_rows == 60 and ws.map_note == ""


@pytest.mark.parametrize("edit", ["rows added", "same size", "replaced"])
def test_a_changed_table_is_not_shown_as_the_maps_rows(trained, edit):
    d, m = trained
    text = (d / "t.csv").read_text()
    if edit == "rows added":
        text += "0.500,0.500\n"
    elif edit == "same size":
        text = text.replace("0.", "1.", 1)          # one digit: same size, other content
    else:
        text = "a,b\n" + "0.1,0.2\n" * 60
    (d / "t.csv").write_text(text)
    ws = _open(m)
    assert ws.table is None and ws.tm is not None and ws.assigned is None
    assert "its table t.csv has changed since the map was trained" in ws.map_note
    assert ("bytes now" if edit != "same size" else "its content differs") in ws.map_note


def test_a_folder_copied_elsewhere_still_finds_its_table(trained, tmp_path_factory):
    d, m = trained
    other = tmp_path_factory.mktemp("moved")
    shutil.copy(m, other / "m.somz")
    shutil.copy(d / "t.csv", other / "t.csv")            # a new modification time, the same table
    os.utime(other / "t.csv", (1e9, 1e9))
    (d / "t.csv").unlink()
    ws = _open(other / "m.somz")
    assert ws.table is not None and ws.map_note == ""


def test_a_map_saved_before_takes_its_table_as_found(trained, tmp_path):
    d, m = trained
    old = without_table_map_field(m, tmp_path / "old.somz", "source_fingerprint")
    with open(d / "t.csv", "a") as f:
        f.write("0.5,0.5\n")
    ws = _open(old)
    assert ws.table is not None and ws.table.n_rows == 61


def test_assign_warns_on_the_maps_own_table_changed(trained, capsys):
    d, m = trained
    assert main(["assign", str(m), str(d / "t.csv"), "--out", str(d / "s.csv")]) == 0
    assert "has changed" not in capsys.readouterr().err
    with open(d / "t.csv", "a") as f:
        f.write("0.5,0.5\n")
    for extra in ([], ["--out-of-core"]):
        assert main(["assign", str(m), str(d / "t.csv"), "--out", str(d / "s.csv"), *extra]) == 0
        err = capsys.readouterr().err
        assert "warning: t.csv has changed since the map was trained on it (it is " in err
        assert "its scores are of what it holds now, not of the map's training rows" in err
    # the window's Score new data says the same
    ws = _open(m)
    n, warnings = ws.score_file(str(d / "t.csv"), str(d / "w.csv"), tm=ws.tm)
    assert n == 61 and any("has changed since the map was trained on it" in w for w in warnings)


def test_a_big_file_is_hashed_in_blocks_and_its_last_line_counts(tmp_path):
    from somdesk.io.fingerprint import WHOLE_BYTES, file_fingerprint, fingerprint_change

    p = tmp_path / "big.csv"
    line = b"0.123456,0.654321\n"
    p.write_bytes(b"a,b\n" + line * (WHOLE_BYTES // len(line) + 1000))
    fp = file_fingerprint(p)
    assert fp["hashed"] == "blocks" and fingerprint_change(fp, p) is None
    data = bytearray(p.read_bytes())
    data[-3] = ord("9")                          # the last line's value: same size, other content
    p.write_bytes(bytes(data))
    assert fingerprint_change(fp, p).startswith("its content differs, modified ")


def test_a_file_edited_between_reading_and_training_is_not_the_maps(tmp_path):
    # review10 #5: the window reads a table once and trains later; the fingerprint is the read's
    from somdesk.io.tables.table import read_table
    from somdesk.session.scoring import save_table_map
    from somdesk.session.table_data import TableMapSpec, train_table_map

    rng = np.random.default_rng(4)
    _write(tmp_path / "t.csv", rng.uniform(0, 1, (60, 2)))
    tab = read_table(tmp_path / "t.csv")
    try:
        _write(tmp_path / "t.csv", rng.uniform(0, 1, (60, 2)))      # saved again: same rows, other values
        st = os.stat(tmp_path / "t.csv")          # a second later, as an edit by hand is (the read's
        os.utime(tmp_path / "t.csv", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))   # stamp is one stat)
        tm, _ = train_table_map(tab, TableMapSpec(width=3, height=3, epochs=2, seed=1))
    finally:
        tab.close()
    save_table_map(tm, tmp_path / "m.somz")
    ws = _open(tmp_path / "m.somz")
    assert ws.table is None and "has changed since the map was trained" in ws.map_note


def test_reading_a_table_hashes_nothing(tmp_path, monkeypatch):
    """The fingerprint's hash is taken when a map is saved from the table, not on every read (a
    read of a 128 MiB CSV is ~0.3 s: the hash cost up to ~70 ms of it, previews included)."""
    from somdesk.io import fingerprint
    from somdesk.io.tables.table import read_table
    from somdesk.session.table_source import table_fingerprint

    _write(tmp_path / "t.csv", np.random.default_rng(5).uniform(0, 1, (30, 2)))
    calls = []
    real = fingerprint.file_fingerprint
    monkeypatch.setattr(fingerprint, "file_fingerprint", lambda p: calls.append(p) or real(p))
    tab = read_table(tmp_path / "t.csv")
    try:
        assert calls == []
        fp = table_fingerprint(tab)
        assert len(calls) == 1 and fp["sha256"] == real(tmp_path / "t.csv")["sha256"] and fp["rows"] == 30
    finally:
        tab.close()


def test_locate_table_takes_the_moved_table_and_refuses_any_other(trained):
    """TesterH #9: a reopened map whose table moved gets its rows from the file the user points
    at (TableWorkspace.locate_table_task); a file without its columns, or with them but other
    content, is refused in one sentence and the map stays alone."""
    from somdesk.errors import SomdeskError

    d, m = trained
    (d / "away").mkdir()
    shutil.move(str(d / "t.csv"), str(d / "away" / "t.csv"))
    ws = _open(m)
    assert ws.table is None and "not next to the map" in ws.map_note
    (d / "cols.csv").write_text("x,y\n1,2\n")
    text = (d / "away" / "t.csv").read_text()
    (d / "edited.csv").write_text(text.replace("0.", "1.", 1))
    for path, words in ((d / "cols.csv", "has no column(s) 'a', 'b'"),
                        (d / "edited.csv", "is not the table this map was trained on (its content differs")):
        with pytest.raises(SomdeskError) as err:
            run_to_end(ws.locate_table_task(path))
        assert words in str(err.value) and "\n" not in str(err.value)
        assert ws.table is None and ws.assigned is None
    run_to_end(ws.locate_table_task(d / "away" / "t.csv"))
    assert ws.table is not None and ws.table.n_rows == 60 and ws.map_note == "" and not ws.dirty
    assert len(ws.node_of_row) == 60 and ws.map_path == os.fspath(m)
    with pytest.raises(SomdeskError, match="open already"):
        run_to_end(ws.locate_table_task(d / "away" / "t.csv"))
