"""Out-of-core globs whose files do not share the columns, and files the out-of-core reader
cannot read (tester6 F43, F27): refused with one message naming the file, never trained or
scored with a column missing from some files' rows."""
import numpy as np
import pandas as pd
import pytest

from somdesk.errors import FileFormatError, OptionError
from somdesk.io.chunked import ChunkedTable
from somdesk.io.chunked_checks import why_not_streamable
from somdesk.session.outofcore_table import train_table_map_streaming
from somdesk.session.table_data import TableMapSpec


def _frame(n, seed, drop=()):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"age": rng.integers(18, 80, n), "income": rng.normal(4e4, 9e3, n).round(2),
                       "spend": rng.normal(300, 50, n).round(2), "region": rng.choice(list("NSEW"), n)})
    return df.drop(columns=list(drop))


@pytest.fixture(params=["csv", "parquet"])
def glob_lacking(request, tmp_path):
    """a.* has age, income, spend, region; b.* lacks spend."""
    ext = request.param
    for name, df in (("a", _frame(120, 0)), ("b", _frame(120, 1, drop=["spend"]))):
        p = tmp_path / f"{name}.{ext}"
        df.to_csv(p, index=False) if ext == "csv" else df.to_parquet(p)
    return str(tmp_path / f"*.{ext}"), ext


def test_training_a_glob_whose_file_lacks_a_column_names_the_file_and_column(glob_lacking):
    pattern, ext = glob_lacking
    for columns in ((), ("age", "spend")):          # default (every numeric column) and chosen
        with pytest.raises(FileFormatError) as exc:
            train_table_map_streaming(pattern, TableMapSpec(columns=columns, epochs=2, seed=0))
        msg = str(exc.value)
        assert f"b.{ext} has no column(s) 'spend'" in msg and f"a.{ext} has 'spend'" in msg


def test_a_glob_trains_on_the_columns_every_file_has(glob_lacking):
    pattern, _ = glob_lacking
    tm = train_table_map_streaming(pattern, TableMapSpec(columns=("age", "income"), epochs=2, seed=0,
                                                         height=3, width=3))
    assert tm.recipe.columns == ("age", "income")
    # every row of both files is read (b's rows were dropped for their missing 'spend' before)
    with ChunkedTable.open(pattern, ["age", "income"]) as src:
        assert src.rows == 240


def test_scoring_a_glob_checks_every_file_against_the_map(glob_lacking):
    pattern, ext = glob_lacking
    with pytest.raises(FileFormatError, match=rf"b\.{ext} has no column\(s\) 'spend'.*the map m\.somz uses"):
        ChunkedTable.open(pattern, ["age", "spend", "region"], text_columns=("region",),
                          categorical=("region",), used_by="the map m.somz")


def test_a_column_of_numbers_in_one_file_and_text_in_another_is_refused(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n3,4\n5,6\n")
    (tmp_path / "y.csv").write_text("a,b\noops,2\n7,5\n8,1\n")
    pattern = str(tmp_path / "*.csv")
    for columns in ((), ("a", "b")):
        with pytest.raises(FileFormatError, match=r"'a' holds numbers in .*x\.csv but text in .*y\.csv \('oops'\)"):
            train_table_map_streaming(pattern, TableMapSpec(columns=columns, epochs=2, seed=0))
    # declared categorical it is categories in every file (codes and words alike)
    with ChunkedTable.open(pattern, ["a", "b"], text_columns=("a",), categorical=("a",)) as src:
        assert src.rows == 6


def test_a_file_with_an_empty_column_is_no_type_mismatch(tmp_path):
    # the CSV sniffer types an all-empty column as text; the glob's column stays numeric
    (tmp_path / "x.csv").write_text("a,b\n1,2\n3,4\n5,6\n")
    (tmp_path / "y.csv").write_text("a,b\n,2\n,5\n,1\n")
    with ChunkedTable.open(str(tmp_path / "*.csv"), ["a", "b"]) as src:
        assert src.numeric == ["a", "b"] and src.rows == 6


def test_extra_columns_in_some_files_are_fine(tmp_path):
    _frame(50, 0).to_csv(tmp_path / "a.csv", index=False)
    _frame(50, 1, drop=["spend"]).to_csv(tmp_path / "b.csv", index=False)
    with ChunkedTable.open(str(tmp_path / "*.csv"), ["age", "income"]) as src:
        x = np.concatenate([src.read(p) for p in src.partitions])
    assert x.shape == (100, 2) and not np.isnan(x).any()


@pytest.mark.parametrize("make", ["xlsx", "somz"])
def test_spreadsheets_and_maps_are_refused_out_of_core_with_a_sentence(tmp_path, make):
    p = tmp_path / f"t.{make}"
    if make == "xlsx":
        _frame(20, 0).to_excel(p, index=False)
    else:
        p.write_bytes(b"PK\x03\x04" + bytes(60))
    why = why_not_streamable(str(p))
    assert why is not None and ("spreadsheet" in why if make == "xlsx" else "somdesk map" in why)
    with pytest.raises(FileFormatError) as exc:
        ChunkedTable.open(str(p))
    assert str(exc.value) == why and "Error" not in why
    (tmp_path / "ok.csv").write_text("a,b\n1,2\n")
    assert why_not_streamable(str(tmp_path / "ok.csv")) is None


def test_the_window_offers_no_out_of_core_for_a_spreadsheet(tmp_path):
    from somdesk.io.tables.table import read_table
    from somdesk.session.table_workspace import TableWorkspace

    p = tmp_path / "t.xlsx"
    _frame(40, 0).to_excel(p, index=False)
    ws = TableWorkspace()
    ws.set_table(read_table(str(p)), str(p))
    assert "spreadsheet" in ws.out_of_core_unavailable()
    with pytest.raises(OptionError, match="spreadsheet"):
        ws.check_out_of_core(TableMapSpec(columns=("age", "income")))
    q = tmp_path / "t.csv"
    _frame(40, 0).to_csv(q, index=False)
    ws.set_table(read_table(str(q)), str(q))
    assert ws.out_of_core_unavailable() is None


@pytest.mark.parametrize("streaming", [False, True])
def test_a_table_of_constant_columns_is_refused_naming_them(tmp_path, streaming):
    # tester6 F45: it trained a 10x9 map of identical rows with "2 segments (suggested 2)"
    from somdesk.session.table_data import train_table_map

    p = tmp_path / "const.csv"
    p.write_text("a,b,c\n" + "1,2,x\n" * 50)
    q = tmp_path / "some.csv"
    q.write_text("a,b,c\n" + "".join(f"1,{i},x\n" for i in range(50)))
    spec = TableMapSpec(columns=("a", "b", "c"), height=3, width=3, epochs=2, seed=0)

    def train(path):
        if streaming:
            return train_table_map_streaming(str(path), spec)
        from somdesk.io.tables.table import read_table
        return train_table_map(read_table(str(path)), spec)[0]
    with pytest.raises(OptionError, match=r"const\.csv: every column chosen to train on has one value in every "
                                          r"row \('a', 'b', 'c'\): there is nothing to learn"):
        train(p)
    assert train(q).codebook.shape[:2] == (3, 3)        # one varying column is enough


@pytest.mark.parametrize("streaming", [False, True])
def test_one_row_is_refused_as_constant_columns(tmp_path, streaming):
    # tester10 #4: one row trained (exit 0) into a map whose every scale is 0, which reopening
    # then refused as damaged; one row has one value in every column: refused before training
    from somdesk.io.tables.table import read_table
    from somdesk.session.table_data import train_table_map

    p = tmp_path / "one.csv"
    p.write_text("a,b\n1,2\n")
    spec = TableMapSpec(height=2, width=2, epochs=2, seed=0)
    with pytest.raises(OptionError, match=r"one\.csv: it has 1 row, so every column chosen to train on has one "
                                          r"value in every row \('a', 'b'\)"):
        train_table_map_streaming(str(p), spec) if streaming else train_table_map(read_table(str(p)), spec)
