"""Free-text choices of a table map are checked before training (tester8 #7: any --topology
not starting with "hex" trained a rectangular map, exit 0, no word)."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.errors import OptionError
from somdesk.io.tables.table import read_table
from somdesk.session.table_data import TableMapSpec, train_table_map

from _files import write_text


@pytest.fixture
def table_path(tmp_path):
    rng = np.random.default_rng(1)
    return write_text(tmp_path, "t.csv", "a,b\n" + "".join(f"{x:.3f},{y:.3f}\n" for x, y in rng.normal(size=(40, 2))))


@pytest.mark.parametrize("topology", ["triangle", "", "hexgaonal", "hexa"])
def test_an_unknown_topology_is_one_error(table_path, tmp_path, capsys, topology):
    assert main(["train", "--table", table_path, "--topology", topology, "--save-map", str(tmp_path / "m.somz")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: unknown topology {topology!r}; choose one of: rectangular, hexagonal"]
    assert not (tmp_path / "m.somz").exists()
    assert main(["train", "--table", table_path, "--topology", topology, "--out-of-core", "--mode", "batch",
                 "--save-map", str(tmp_path / "m.somz")]) == 2


@pytest.mark.parametrize("topology, want", [("hexagonal", "hexagonal"), ("Rectangular", "rectangular"),
                                            (" rectangular ", "rectangular"), ("hex", "hexagonal")])
def test_the_two_topologies_in_any_case(table_path, topology, want):
    tab = read_table(table_path)
    try:
        tm, _ = train_table_map(tab, TableMapSpec(topology=topology, height=3, width=3, epochs=2))
    finally:
        tab.close()
    assert tm.config.topology == want
    with pytest.raises(OptionError, match="unknown topology"):
        train_table_map(read_table(table_path), TableMapSpec(topology="triangle"))
