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


def test_us_digit_groups_are_detected_without_options(tmp_path):
    """Tester3 F7: "141,891.72" (quoted, comma-separated) was read as text and the column left out
    of training; US digit groups are detected as the European form is.  A tab file whose "1,234"
    is ambiguous keeps the decimal-comma rule; unambiguous US forms are groups anywhere."""
    p = tmp_path / "us.csv"
    p.write_text('name,price,qty\na,"141,891.72",3\nb,"1,234.50",4\nc,17.25,5\nd,"12,345,678",6\n', encoding="utf-8")
    t = read_table(str(p))
    assert t.kind("price") == "numeric"
    np.testing.assert_array_equal(t.values("price"), [141891.72, 1234.5, 17.25, 12345678.0])
    q = tmp_path / "tab.tsv"
    q.write_text("a\tb\n1\t1,234\n2\t5,5\n", encoding="utf-8")
    np.testing.assert_array_equal(read_table(str(q)).values("b"), [1.234, 5.5])
    r = tmp_path / "tab-us.tsv"
    r.write_text("a\tb\n1\t1,234.5\n2\t5\n", encoding="utf-8")
    np.testing.assert_array_equal(read_table(str(r)).values("b"), [1234.5, 5.0])
