"""Out of core reads what the in-memory reader reads (the thirteenth session's leftovers, left14):
the number-format query's file names, ..."""
from __future__ import annotations

import os

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.session.scoring import load_table_map

ROWS = [f"{i};{i},5;{(i * 7) % 11},25;k{i % 3}" for i in range(60)]


def _train(path, out, *extra):
    return main(["train", "--table", path, "--width", "2", "--height", "2", "--epochs", "1", "--seed", "1", "-q",
                 "--save-map", out, *extra])


@pytest.mark.parametrize("kind", ["not-utf8-name", "cr-only", "both"])
def test_the_number_format_query_reads_the_files_as_the_reader_does(tmp_path, capsys, monkeypatch, kind):
    """A decimal-comma file whose name is not UTF-8 failed out of core with DuckDB's "Python
    Conversion Failure" (the number-format query gave DuckDB the name as typed); a CR-only one is
    read as in memory.  Both give the in-memory map's columns and number format."""
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))        # links and copies land here
    name = os.fsdecode(b"eu\xff.csv") if kind != "cr-only" else "eu.csv"
    path = os.path.join(str(tmp_path), name)
    end = "\n" if kind == "not-utf8-name" else "\r"
    with open(path, "w", newline="") as f:
        f.write(end.join(["id;a;b;kind", *ROWS]) + end)
    mem, ooc = str(tmp_path / "mem.somz"), str(tmp_path / "ooc.somz")
    assert _train(path, mem) == 0, capsys.readouterr().err
    assert _train(path, ooc, "--out-of-core") == 0, capsys.readouterr().err
    m, o = load_table_map(mem), load_table_map(ooc)
    assert o.recipe.features == m.recipe.features == ("a", "b")
    np.testing.assert_allclose(o.recipe.offset, m.recipe.offset, rtol=1e-9)
    assert o.number_format == m.number_format == {"decimal": ",", "thousands": "", "delimiter": ";"}
    assert not os.listdir(scratch)                                # no link or copy left behind
