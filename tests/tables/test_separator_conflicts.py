"""A digit-group mark given alone that is the file's decimal point (`--thousands .` on a
file with 5.1) never turns 5.1 into 51: the given mark wins, the decimal becomes the other
one and a warning says so (tester2 A8)."""
from __future__ import annotations

import numpy as np

from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table


def test_thousands_dot_alone_never_reads_decimals_as_groups(tmp_path):
    p = tmp_path / "plain.csv"
    p.write_text("x,y\n5.1,3.5\n4.9,3.0\n4.7,3.2\n")
    t = read_table(p, ReadOptions(thousands="."))
    for c in t.numeric_columns:                                  # no column of 51, 35, ...
        assert not np.allclose(t.cells(c), [51, 49, 47]) and not np.allclose(t.cells(c), [35, 30, 32])
    assert any("decimal separator ','" in w for w in t.warnings)


def test_thousands_dot_alone_reads_european_numbers(tmp_path):
    p = tmp_path / "eu.csv"
    p.write_text("a;b\n1.234,5;2\n2.000,25;3\n3,5;4\n")
    t = read_table(p, ReadOptions(thousands="."))
    assert np.allclose(t.cells("a"), [1234.5, 2000.25, 3.5]) and np.allclose(t.cells("b"), [2, 3, 4])


def test_thousands_comma_alone_keeps_the_decimal_point(tmp_path):
    p = tmp_path / "us.csv"
    p.write_text('a;b\n"1,234.5";2\n"2,000.25";3\n')
    t = read_table(p, ReadOptions(thousands=","))
    assert np.allclose(t.cells("a"), [1234.5, 2000.25])
