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
