"""testerC #10: a 2-row table trained a collapsed map (every weight 0, silhouettes null) without a
word.  A table map needs table_checks.MIN_ROWS (3) rows: fewer are refused with one line, in
memory and out of core, on the CLI and in the Session the window drives; 3 rows train."""
from __future__ import annotations

import pytest

from somdesk.cli import main
from somdesk.errors import OptionError
from somdesk.session import Session
from somdesk.session.table_checks import MIN_ROWS
from somdesk.session.table_data import TableMapSpec


def _csv(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize("chunks", [[], ["--out-of-core"]])
def test_two_rows_are_refused_on_the_cli(tmp_path, capsys, chunks):
    path = _csv(tmp_path, "two.csv", "a,b\n1,2\n3,4\n")
    assert main(["train", "--table", str(path), "--save-map", str(tmp_path / "m.somz"), *chunks]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"error: two.csv: it has 2 rows; a map needs at least {MIN_ROWS} rows to train on "
                   "(with fewer it cannot organise or segment them): add rows")
    assert not (tmp_path / "m.somz").exists()


def test_rows_left_by_dropping_are_said(tmp_path, capsys):
    path = _csv(tmp_path, "t.csv", "a,b\n1,2\n3,\n5,6\n")
    assert main(["train", "--table", str(path), "--save-map", str(tmp_path / "m.somz")]) == 2
    err = capsys.readouterr().err
    assert "left 2 of 3 rows" in err and "missing: mean" in err


def test_two_rows_are_refused_in_the_session(tmp_path):
    s = Session()
    s.open(str(_csv(tmp_path, "two.csv", "a,b\n1,2\n3,4\n")))
    s.table.set_spec(TableMapSpec(height=3, width=3, epochs=2))
    with pytest.raises(OptionError, match="at least 3 rows"):
        s.train()


def test_three_rows_train(tmp_path, capsys):
    path = _csv(tmp_path, "three.csv", "a,b\n1,2\n3,4\n5,7\n")
    assert main(["train", "--table", str(path), "--save-map", str(tmp_path / "m.somz"), "-q"]) == 0


@pytest.mark.parametrize("chunks", [[], ["--out-of-core"]])
def test_impossible_clusters_refused_before_training(tmp_path, capsys, monkeypatch, chunks):
    """testerC: `--clusters 5000` was refused by the segmentation after the whole training; now
    as soon as the map's size is known, in the flag's words, and no epoch runs."""
    from somdesk.session import outofcore_table, table_data

    def no_training(*a, **k):
        raise AssertionError("trained")
    monkeypatch.setattr(table_data, "_train", no_training)
    monkeypatch.setattr(outofcore_table.StreamingTableRun, "epochs", no_training, raising=False)
    path = _csv(tmp_path, "t.csv", "a,b\n" + "".join(f"{i},{i * i % 7}\n" for i in range(30)))
    assert main(["train", "--table", str(path), "--width", "3", "--height", "2", "--clusters", "7",
                 "--save-map", str(tmp_path / "m.somz"), *chunks]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: --clusters (the number of segments) must be from 1 to the 6 nodes of the 2 x 3 map, got 7"
