"""testerC #9: one rule for which rows the label counts count (session.table_labels.labelled_rows),
so the library's Session (the window's model) and `somdesk train --table` give the same
label_counts and purity on a table with missing values (before: 3000 against 2999 rows, the
Session counting a row dropped from the training for a missing value)."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.session import Session
from somdesk.session.scoring import load_table_map
from somdesk.session.table_data import TableMapSpec
from somdesk.session.table_labels import labelled_rows, node_purity


@pytest.fixture()
def table(tmp_path):
    rng = np.random.default_rng(3)
    lines = ["id,x,y,z,kind"]
    for i in range(80):
        x, y, z = rng.normal(size=3) + (2.0 if i % 2 else 0.0)
        ys = "" if i in (5, 6, 7) else f"{y:.4f}"          # three rows dropped from the training
        lines.append(f"{i},{x:.4f},{ys},{z:.4f},{'ab'[i % 2]}")
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_session_and_cli_count_labels_alike(table, tmp_path, capsys):
    assert main(["train", "--table", str(table), "--columns", "x,y,z", "--label", "kind", "--height", "4",
                 "--width", "5", "--epochs", "5", "--seed", "0", "--save-map", str(tmp_path / "cli.somz"), "-q"]) == 0
    cli = load_table_map(str(tmp_path / "cli.somz")).label_counts
    s = Session()
    s.open(str(table))
    s.table.set_spec(TableMapSpec(columns=("x", "y", "z"), height=4, width=5, epochs=5, seed=0))
    s.train()
    s.set_label_column("kind")
    lib = s.table.tm.label_counts
    assert cli.counts.sum() == 77 == lib.counts.sum()             # 80 rows, 3 dropped for a missing y
    assert cli.names == lib.names and np.array_equal(cli.counts, lib.counts)
    assert node_purity(cli) == node_purity(lib)


def test_the_rule():
    share = np.array([1.0, 0.5, 0.0])
    assert labelled_rows("drop", share).tolist() == [True, False, False]
    for mode in ("train", "mean", "median"):
        assert labelled_rows(mode, share).tolist() == [True, True, False]
