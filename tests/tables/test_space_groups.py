"""Digit groups marked by a space of any width or an apostrophe (tester8 #9: French, Swiss
French and Nordic spreadsheets write `6 908,75` with U+00A0, newer CLDR locales U+202F)."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table

from _files import write_text

VALUES = [6908.75, 87030.63, 43178.6, 512.0, 1234567.5]


def _rows(space: str, n: int = 30) -> str:
    def fr(v: float) -> str:
        whole, frac = f"{v:.2f}".split(".")
        return f"{int(whole):,}".replace(",", space) + "," + frac
    return "".join(f"{i};{fr(VALUES[i % 5])};{i % 10},5\n" for i in range(n))


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", " "], ids=["nbsp", "narrow-nbsp", "space"])
def test_space_grouped_numbers_with_a_decimal_comma_are_sniffed(tmp_path, space):
    tab = read_table(write_text(tmp_path, "t.csv", "id;montant;taux\n" + _rows(space)))
    try:
        assert tab.numeric_columns == ["id", "montant", "taux"]
        assert (tab.dialect["decimal"], tab.dialect["thousands"]) == (",", " ")
        np.testing.assert_allclose(tab.cells("montant")[:5], VALUES)
        np.testing.assert_allclose(tab.cells("taux")[:3], [0.5, 1.5, 2.5])
    finally:
        tab.close()


@pytest.mark.parametrize("given", ["space", "\u00a0", "\u202f", " "])
def test_the_space_option_covers_every_space(tmp_path, given):
    text = "id;montant\n" + "".join(f"{i};{v}\n" for i, v in
                                   enumerate(["6\u00a0908,75", "87\u202f030,63", "43 178,60", "512,00"] * 5))
    tab = read_table(write_text(tmp_path, "t.csv", text), ReadOptions(thousands=given, decimal=","))
    try:
        np.testing.assert_allclose(tab.cells("montant")[:4], [6908.75, 87030.63, 43178.6, 512.0])
    finally:
        tab.close()


def test_a_cell_breaking_the_groups_is_named(tmp_path):
    body = "".join(f"{i};{'6' + chr(0xa0) + '908,75' if i != 12 else '69' + chr(0xa0) + '08,75'}\n" for i in range(20))
    tab = read_table(write_text(tmp_path, "t.csv", "id;montant\n" + body))
    try:
        assert "montant" not in tab.numeric_columns
        assert tab.problem("montant") == "column 'montant' is not numeric: line 14 has '69\\xa008,75'"
    finally:
        tab.close()


def test_swiss_apostrophe_groups_are_sniffed(tmp_path):
    body = "".join(f"{i};{v};0.{i % 10}\n" for i, v in enumerate(["5'899.95", "26'106.22", "899.5", "1'043'732.44"] * 5))
    tab = read_table(write_text(tmp_path, "t.csv", "id;amount;rate\n" + body))
    try:
        assert (tab.dialect["decimal"], tab.dialect["thousands"]) == (".", "'")
        np.testing.assert_allclose(tab.cells("amount")[:4], [5899.95, 26106.22, 899.5, 1043732.44])
    finally:
        tab.close()
