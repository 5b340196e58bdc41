"""testerH #6 and #7: the library says the option as typed, lists the valid names of an unknown
one, names the valid segments; the library Session takes the default label the window and the
CLI take (one rule, session.table_data.resolve_label), and label=None still means no label."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.core import SOMConfig
from somdesk.errors import OptionError
from somdesk.io.tables.table import read_table
from somdesk.session import Session
from somdesk.session.scoring import load_table_map
from somdesk.session.table_columns import default_label_column
from somdesk.session.table_data import TableMapSpec, check_spec, resolve_label


@pytest.fixture()
def table(tmp_path):
    rng = np.random.default_rng(5)
    lines = ["x,y,z,taste"]
    for i in range(90):
        x, y, z = rng.normal(size=3) + 3.0 * (i % 3)
        lines.append(f"{x:.4f},{y:.4f},{z:.4f},{'ABC'[i % 3]}")
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("epochs", [-1, 0, 10**8])
def test_a_table_spec_names_epochs_as_typed(epochs):
    with pytest.raises(OptionError, match=r"^epochs must be between 1 and") as err:
        check_spec(TableMapSpec(epochs=epochs))
    assert "iterations" not in str(err.value)


@pytest.mark.parametrize("make", [lambda: SOMConfig(foo=1), lambda: SOMConfig().replace(foo=1),
                                  lambda: Session().update_config(foo=1)])
def test_an_unknown_option_lists_the_valid_names(make):
    with pytest.raises(OptionError, match=r"unknown option 'foo'; the valid names are: width, height, iterations"):
        make()


def test_a_near_miss_is_suggested():
    with pytest.raises(OptionError, match=r"'neighborhood' \(did you mean 'neighbourhood'\?\)"):
        SOMConfig(neighborhood="bubble")
    with pytest.raises(OptionError, match=r"'epoch' \(did you mean 'epochs'\?\)"):
        TableMapSpec(epoch=3)


def _train(path, spec) -> Session:
    s = Session()
    s.open(str(path))
    s.table.set_spec(spec)
    s.train()
    return s


def test_a_segment_that_does_not_exist_is_named(table):
    s = _train(table, TableMapSpec(height=3, width=4, epochs=3, seed=0, clusters=3))
    for bad in (3, 99, -1):
        with pytest.raises(OptionError, match=r"there is no segment .*: the map has 3 segments, numbered 0 to 2"):
            s.table.select_segment(bad)
    assert len(s.table.select_segment(2)) > 0


def test_session_cli_and_the_rule_take_the_same_default_label(table, tmp_path, capsys):
    rule = default_label_column(read_table(str(table)), {"x", "y", "z"})
    assert rule == "taste"
    assert resolve_label(read_table(str(table)), TableMapSpec()).label == rule
    assert main(["train", "--table", str(table), "--height", "3", "--width", "4", "--epochs", "3", "--seed", "0",
                 "--save-map", str(tmp_path / "cli.somz"), "-q"]) == 0
    cli = load_table_map(str(tmp_path / "cli.somz"))
    s = _train(table, TableMapSpec(height=3, width=4, epochs=3, seed=0))     # no label given
    assert s.table.label_column == s.table.tm.label_column == cli.label_column == rule
    np.testing.assert_array_equal(s.table.tm.label_counts.counts, cli.label_counts.counts)
    np.testing.assert_array_equal(s.table.tm.codebook, cli.codebook)
    s.save(str(tmp_path / "lib.somz"))
    assert load_table_map(str(tmp_path / "lib.somz")).label_column == rule


def test_label_none_still_means_no_label(table):
    s = _train(table, TableMapSpec(height=3, width=4, epochs=3, seed=0, label=None))
    assert s.table.label_column is None and s.table.tm.label_column is None
