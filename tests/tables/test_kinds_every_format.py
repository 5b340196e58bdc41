"""testerW #7: the same table gets the same column kinds whatever format holds it (yes/no was
boolean in .xlsx/.ods but categorical in CSV/Parquet/JSON; pandas' JSON dates were text)."""
from __future__ import annotations

import pandas as pd
import pytest
from _files import write_ods, write_xlsx

from somdesk.io.tables.table import read_table

N = 40
FORMATS = ["csv", "tsv", "parquet", "json", "ndjson", "xlsx", "ods"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "churned": ["yes", "no"] * (N // 2),
        "active": ["TRUE", "false"] * (N // 2),
        "flag": ["Y", "N"] * (N // 2),
        "signup": pd.to_datetime("2020-01-01") + pd.to_timedelta(range(N), unit="D"),
        "seen": pd.to_datetime("2020-01-01 10:30:15.250") + pd.to_timedelta(range(N), unit="h"),
        "spend": [float(i) * 1.5 for i in range(N)],
        "channel": ["app", "web", "shop", "phone"] * (N // 4),
        "note": [f"free text {i}" for i in range(N)],
    })


WANT = {"churned": "boolean", "active": "boolean", "flag": "boolean", "signup": "date", "seen": "date",
        "spend": "numeric", "channel": "categorical", "note": "text"}


def _write(tmp_path, df: pd.DataFrame, fmt: str) -> str:
    p = tmp_path / f"t.{fmt}"
    if fmt == "csv":
        df.to_csv(p, index=False)
    elif fmt == "tsv":
        df.to_csv(p, sep="\t", index=False)
    elif fmt == "parquet":
        df.to_parquet(p, index=False)
    elif fmt == "json":                 # pandas writes "2020-01-01T00:00:00.000"
        df.to_json(p, orient="records", date_format="iso")
    elif fmt == "ndjson":
        df.to_json(p, orient="records", lines=True, date_format="iso")
    elif fmt == "xlsx":
        return write_xlsx(tmp_path, p.name, {"S": [list(df.columns)] + [list(r) for r in df.itertuples(index=False)]})
    else:
        rows = [[v.isoformat() if hasattr(v, "isoformat") else v for v in r] for r in df.itertuples(index=False)]
        return write_ods(tmp_path, p.name, [list(df.columns)] + rows)
    return str(p)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_table_has_the_same_kinds_in_every_format(tmp_path, fmt):
    tab = read_table(_write(tmp_path, _frame(), fmt))
    assert {c: tab.kind(c) for c in tab.columns} == WANT


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_yes_no_cells_keep_their_words(tmp_path, fmt):
    # a spreadsheet's sniffer made yes/no BOOLEAN and its cells "true"/"false" (tester6 F3's fault)
    tab = read_table(_write(tmp_path, _frame(), fmt))
    assert list(tab.strings("churned")[:2]) == ["yes", "no"]
    assert list(tab.strings("active")[:2]) == ["TRUE", "false"]


def test_native_booleans_and_words_are_one_kind(tmp_path):
    df = pd.DataFrame({"b": [True, False] * 5, "w": ["no", "yes"] * 5})
    for fmt in ("parquet", "json", "csv"):
        tab = read_table(_write(tmp_path, df, fmt))
        assert (tab.kind("b"), tab.kind("w")) == ("boolean", "boolean"), fmt


def test_near_misses_are_not_booleans_nor_dates(tmp_path):
    df = pd.DataFrame({"three": ["yes", "no", "maybe"] * 4, "mixed": ["yes", "false"] * 6,
                       "late": ["2020-01-01"] * 11 + ["soon"], "bad": ["2020-13-01", "2020-01-01"] * 6})
    tab = read_table(_write(tmp_path, df, "csv"))
    assert tab.kind("three") == "categorical"
    assert tab.kind("mixed") == "categorical"
    assert tab.kind("late") != "date"
    assert tab.kind("bad") != "date"
