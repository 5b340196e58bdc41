"""Numbers as spreadsheet users write them (testerF #1, #3): '.' digit groups that read as
decimals, currency, percentages, accounting parentheses, the Unicode minus."""
import pytest

from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table

from _files import write_text


def test_a_column_of_three_place_decimals_in_a_semicolon_file_is_warned(tmp_path):
    """testerF #1: `1.500` / `12.000` in a ';' file (Excel-DE counts) read as 1.5 and 12.0 silently."""
    p = write_text(tmp_path, "de.csv", "Ort;Einwohner;Fläche\nA;1.500;1.5\nB;2.300;2.25\nC;12.000;3\nD;1.250;4\n")
    tab = read_table(p)
    assert tab.values("Einwohner").tolist() == [1.5, 2.3, 12.0, 1.25]
    [w] = [w for w in tab.warnings if "Einwohner" in w]
    assert w.startswith("column 'Einwohner': '1.500' read as 1.5")
    assert "--thousands ." in w and "Thousands separator" in w and "Fläche" not in w
    # given the digit-group mark: read as whole numbers, no warning
    tab = read_table(p, ReadOptions(thousands="."))
    assert tab.values("Einwohner").tolist() == [1500, 2300, 12000, 1250]
    assert not any("three digits" in w for w in tab.warnings)
    # a ',' file or a column with other decimals: nothing to warn about
    for text in ("a,b\n1.500,1\n2.300,2\n", "a;b\n1.500;1\n2.35;2\n"):
        tab = read_table(write_text(tmp_path, "x.csv", text))
        assert not any("three digits" in w for w in tab.warnings)
