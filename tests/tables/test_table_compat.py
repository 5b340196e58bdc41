"""The old somdesk.io.table API over the DuckDB reader: sniffing, encodings, numeric columns,
missing values, normalisation, limits (moved from tests/usecases/test_table.py)."""
import time

import numpy as np
import pytest

from somdesk.errors import FileFormatError, OptionError
from somdesk.io.tables.options import ReadOptions
from somdesk.io.table import MISSING_TOKENS, read_table, read_table_bytes
from tests.timing import load_scaled



def write(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return str(p)

SIMPLE = "name,x,y\na,1,10\nb,2,20\nc,3,30\nd,4,40\n"


def t(text, name="t.csv"):
    return read_table_bytes(text.encode("utf-8") if isinstance(text, str) else text, name)


# -- reading -----------------------------------------------------------------------
@pytest.mark.parametrize("delim", [",", ";", "\t"])
def test_delimiters_are_sniffed(tmp_path, delim):
    text = SIMPLE.replace(",", delim)
    tab = read_table(write(tmp_path, "a.csv", text))
    assert tab.delimiter == delim
    assert tab.columns == ["name", "x", "y"]
    assert tab.numeric_columns == ["x", "y"]
    assert tab.n_rows == 4
    assert tab.values("y").tolist() == [10, 20, 30, 40]
    assert tab.strings("name") == ["a", "b", "c", "d"]


def test_semicolon_with_decimal_commas():
    tab = t("a;b\n1,5;2\n3;4,25\n")
    assert tab.delimiter == ";"
    assert tab.values("a").tolist() == [1.5, 3.0] and tab.values("b").tolist() == [2.0, 4.25]


def test_quoted_fields_with_delimiters_quotes_and_newlines():
    tab = t('label,v\n"a, b",1\n"say ""hi""",2\n"two\nlines",3\nplain,4\n')
    assert tab.strings("label") == ["a, b", 'say "hi"', "two\nlines", "plain"]
    assert tab.values("v").tolist() == [1, 2, 3, 4]
    # lines are counted from the header; a quoted field spanning lines shifts later rows by one
    assert [tab.line_of(i) for i in range(3)] == [2, 3, 4]


def test_utf8_bom_and_latin1_fallback():
    tab = t("\ufeffcité,v\nA,1\nB,2\n".encode("utf-8"))
    assert tab.columns == ["cité", "v"] and tab.encoding == "utf-8" and tab.warnings == []
    tab = t("cité,v\nÉté,1\n".encode("latin-1"))
    assert tab.encoding == "latin-1" and tab.columns == ["cité", "v"]
    assert tab.strings("cité") == ["Été"]
    assert any("Latin-1" in w for w in tab.warnings)


def test_utf16_with_bom():
    tab = t("a\tb\n1\t2\n".encode("utf-16"))
    assert tab.encoding == "utf-16" and tab.delimiter == "\t" and tab.values("b").tolist() == [2.0]


def test_crlf_and_blank_lines():
    tab = t("a,b\r\n1,2\r\n\r\n3,4\r\n")
    assert tab.n_rows == 2 and tab.values("b").tolist() == [2, 4]


def test_numeric_detection_and_first_offending_value():
    tab = t("a,b,c,d\n1,x,NA,1e3\n2,3,,-\n3,4,?,inf\n")
    assert tab.numeric_columns == ["a"]     # b has text, c is all missing, d has inf
    assert tab.problem("b") == "column 'b' is not numeric: line 2 has 'x'"
    assert "no values" in tab.problem("c")
    assert "line 4" in tab.problem("d") and "infinite" in tab.problem("d")
    assert tab.problem("a") is None
    with pytest.raises(FileFormatError, match=r"t\.csv: column 'b' is not numeric: line 2 has 'x'"):
        tab.prepare(["a", "b"])


def test_text_in_numeric_column_far_down_reports_its_line():
    rows = "".join(f"{i},{i * 2}\n" for i in range(5000))
    tab = t("a,b\n" + rows + "5000,oops\n")
    assert tab.is_numeric("a") and not tab.is_numeric("b")
    assert tab.problem("b") == "column 'b' is not numeric: line 5002 has 'oops'"


def test_missing_tokens():
    assert MISSING_TOKENS == {"", "na", "n/a", "nan", "null", "?", "-"}
    assert "no" not in MISSING_TOKENS
    tab = t("v\n1\n\nNA\nn/a\nNaN\nNULL\n?\n-\n  na  \n2\n")
    # in a one-column file a blank line is a missing cell (the engine's reading); 8 missing, 2 values
    assert tab.n_rows == 10 and tab.missing_count("v") == 8
    assert np.isnan(tab.values("v")).sum() == 8
    tab = t("k,v\na,\nb,3\n")               # with two columns an empty cell is missing
    assert tab.missing_count("v") == 1


def test_empty_header_cells_get_names():
    tab = t("a,,c\n1,2,3\n")
    assert tab.columns == ["a", "column1", "c"]
    assert any("no name" in w for w in tab.warnings)


# -- bad files ----------------------------------------------------------------------
@pytest.mark.parametrize("text,match", [
    ("", "empty"),
    ("\n\n  \n", "empty"),
    ("a,b,c\n", "header line but no data rows"),
    ("a,b\n1,2\n3\n", "line 3 has 1 field"),
    ("a,b\n1,2,3\n", "line 2 has 3 field"),
    ("a,b\n\x00\x01,2\n", "binary"),
])
def test_bad_csvs(text, match):
    with pytest.raises(FileFormatError, match=match):
        t(text)


def test_headerless_numbers_and_duplicate_names():
    tab = t("1,2,3\n4,5,6\n")               # no header: the engine names the columns
    assert tab.columns == ["column0", "column1", "column2"] and tab.n_rows == 2
    tab = t("a,b,a\n1,2,3\n")
    assert tab.columns == ["a", "b", "a_1"] and any("duplicate" in w for w in tab.warnings)


def test_one_row_is_allowed_with_warnings():
    tab = t("a,b\n1,2\n")
    assert tab.n_rows == 1 and any("single data row" in w for w in tab.warnings)
    prep = tab.prepare(["a", "b"])
    assert prep.data.tolist() == [[0.0, 0.0]]
    assert any("one row" in w for w in prep.warnings)
    from somdesk.core import SOM, SOMConfig
    som = SOM(prep.data, SOMConfig(width=1, height=1, iterations=2, mode="batch", seed=0)).train()
    assert som.weights.shape == (1, 1, 2)


def test_ten_thousand_columns_are_handled_quickly(tmp_path):
    rng = np.random.default_rng(0)
    n_cols, n_rows = 10_000, 20
    header = ",".join(f"c{i}" for i in range(n_cols))
    vals = rng.integers(0, 1000, (n_rows, n_cols))
    body = "\n".join(",".join(map(str, r)) for r in vals)
    path = write(tmp_path, "wide.csv", header + "\n" + body + "\n")
    start = time.perf_counter()
    tab = read_table(path)
    prep = tab.prepare(tab.numeric_columns, normalise="none")
    elapsed = time.perf_counter() - start
    assert prep.data.shape == (n_rows, n_cols)
    assert np.array_equal(prep.data, vals)
    assert elapsed < load_scaled(30.0), elapsed           # DuckDB binds 10,000 columns in seconds, not ms


def test_more_than_ten_thousand_columns_is_refused():
    header = ",".join(f"c{i}" for i in range(10_001))
    with pytest.raises(FileFormatError, match="10,001 columns; the limit is 10,000"):
        t(header + "\n" + ",".join("1" * 10_001) + "\n")


def test_row_limit_samples_instead_of_refusing():
    tab = read_table_bytes(("a\n" + "".join(f"{i}\n" for i in range(10))).encode(), "t.csv",
                           ReadOptions(max_rows=4))
    assert tab.sampled and tab.n_rows == 4 and tab.n_rows_total == 10
    assert list(tab.row_index) == sorted(tab.row_index) and tab.values("a").tolist() == list(tab.row_index)
    assert any("sample of 4" in w for w in tab.warnings)
    rows = np.concatenate([r for r, _ in tab.iter_blocks(["a"], block_rows=3)])
    assert rows.tolist() == list(range(10))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FileFormatError, match="nope.csv"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(FileFormatError, match="folder"):
        read_table(tmp_path)


def test_unclosed_quote_is_a_clean_error():
    with pytest.raises(FileFormatError):
        t('a,b\n"1,2\n' + "x" * 200_000 + "\n")


# -- prepare ---------------------------------------------------------------------------
def test_zscore_and_minmax_formulas_and_inversion():
    tab = t("x,y,z\n1,10,5\n2,20,5\n3,60,5\n")
    x = np.array([[1, 10], [2, 20], [3, 60]], float)
    prep = tab.prepare(["x", "y"], normalise="zscore")
    mean, std = x.mean(0), x.std(0)                      # population std (ddof=0)
    assert np.allclose(prep.data, (x - mean) / std)
    assert np.allclose(prep.scaling.offset, mean) and np.allclose(prep.scaling.scale, std)
    assert np.allclose(prep.scaling.invert(prep.data), x)
    assert np.allclose(prep.data.mean(0), 0) and np.allclose(prep.data.std(0), 1)

    prep = tab.prepare(["x", "y"], normalise="minmax")
    assert np.allclose(prep.data, (x - x.min(0)) / (x.max(0) - x.min(0)))
    assert prep.data.min() == 0 and prep.data.max() == 1
    assert np.allclose(prep.scaling.invert(prep.data), x)

    prep = tab.prepare(["x", "y"], normalise="none")
    assert np.array_equal(prep.data, x)
    assert prep.scaling.offset.tolist() == [0, 0] and prep.scaling.scale.tolist() == [1, 1]


def test_constant_column_under_zscore_is_zero_with_a_warning():
    tab = t("x,z\n1,5\n2,5\n3,5\n")
    prep = tab.prepare(["x", "z"], normalise="zscore")
    assert prep.data[:, 1].tolist() == [0, 0, 0]
    assert prep.scaling.scale[1] == 0
    assert np.allclose(prep.scaling.invert(prep.data)[:, 1], 5)
    assert any("'z'" in w and "same value" in w for w in prep.warnings)
    assert np.all(np.isfinite(tab.prepare(["z"], normalise="minmax").data))


def test_missing_values_drop_mean_median():
    text = "id,a,b,seg\n0,1,10,p\n1,NA,20,q\n2,3,,r\n3,100,40,NA\n4,5,50,p\n"
    tab = t(text)
    prep = tab.prepare(["a", "b"], label_column="seg", normalise="none", missing="drop")
    assert prep.n_missing == 2 and prep.n_dropped_rows == 2
    assert prep.row_index.tolist() == [0, 3, 4]
    assert prep.data.tolist() == [[1, 10], [100, 40], [5, 50]]
    assert prep.labels == ["p", None, "p"]

    prep = tab.prepare(["a", "b"], normalise="none", missing="mean")
    assert prep.n_missing == 2 and prep.n_dropped_rows == 0 and prep.labels is None
    assert prep.data[1, 0] == pytest.approx((1 + 3 + 100 + 5) / 4)
    assert prep.data[2, 1] == pytest.approx((10 + 20 + 40 + 50) / 4)
    assert prep.row_index.tolist() == [0, 1, 2, 3, 4]

    prep = tab.prepare(["a", "b"], normalise="none", missing="median")
    assert prep.data[1, 0] == 4.0 and prep.data[2, 1] == 30.0

    # normalisation is fitted on the present values; the fill is the median in those units
    prep = tab.prepare(["a"], normalise="zscore", missing="median")
    present = np.array([1, 3, 100, 5], float)
    filled = np.array([1, 4, 3, 100, 5], float)
    assert np.allclose(prep.data[:, 0], (filled - present.mean()) / present.std())


def test_all_rows_dropped_is_an_error():
    tab = t("a,b\n1,NA\nNA,2\n")
    with pytest.raises(FileFormatError, match="every row has a missing value"):
        tab.prepare(["a", "b"])


def test_prepare_option_errors():
    tab = t(SIMPLE)
    with pytest.raises(OptionError, match="at least one"):
        tab.prepare([])
    with pytest.raises(OptionError, match="no column 'q'"):
        tab.prepare(["q"])
    with pytest.raises(OptionError, match="chosen twice"):
        tab.prepare(["x", "x"])
    with pytest.raises(OptionError, match="normalisation"):
        tab.prepare(["x"], normalise="log")
    with pytest.raises(OptionError, match="missing-value"):
        tab.prepare(["x"], missing="zero")
    with pytest.raises(OptionError, match="no column 'nope'"):
        tab.prepare(["x"], label_column="nope")
    assert tab.prepare(["x"], normalise="min-max", missing="Mean").scaling.method == "minmax"


def test_numeric_label_column_gives_number_texts():
    # the engine types "007" as a number; a label column of codes reads as their values
    tab = t("v,cls\n1,007\n2,7\n")
    prep = tab.prepare(["v"], label_column="cls")
    assert prep.labels == ["7", "7"]


def test_preview():
    assert t(SIMPLE).preview(2) == [["a", "1", "10"], ["b", "2", "20"]]


def test_values_too_large_to_normalise_are_a_clear_error(tmp_path):
    from somdesk.errors import FileFormatError
    from somdesk.io.table import read_table
    p = tmp_path / "huge.csv"
    p.write_text("a,b\n1e308,1\n-1e308,2\n5,3\n")
    with pytest.raises(FileFormatError, match="too large"):
        read_table(p).prepare(["a", "b"])
