"""Numbers as spreadsheet users write them (testerF #1, #3): '.' digit groups that read as
decimals, currency, percentages, accounting parentheses, the Unicode minus."""
import numpy as np
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
    from somdesk.io.chunked import ChunkedTable      # out of core: the same sentence
    with ChunkedTable.open(p, ["Einwohner"], chunk_rows=2) as src:
        assert w in src.warnings
    # given the digit-group mark: read as whole numbers, no warning
    tab = read_table(p, ReadOptions(thousands="."))
    assert tab.values("Einwohner").tolist() == [1500, 2300, 12000, 1250]
    assert not any("three digits" in w for w in tab.warnings)
    # a ',' file or a column with other decimals: nothing to warn about
    for text in ("a,b\n1.500,1\n2.300,2\n", "a;b\n1.500;1\n2.35;2\n"):
        tab = read_table(write_text(tmp_path, "x.csv", text))
        assert not any("three digits" in w for w in tab.warnings)


@pytest.mark.parametrize("text,column,values,said", [
    ('id,amount\n1,"$1,000.00"\n2,"$1,010.50"\n3,$20.00\n', "amount", [1000, 1010.5, 20],
     "column 'amount': read as numbers without the '$' sign"),
    ("a,pct\n1,12%\n2,5%\n3,0%\n", "pct", [12, 5, 0],
     "column 'pct': read as numbers without the '%' sign (12% is read as 12)"),
    ("a;Preis\n1;0,50 \u20ac\n2;1.000,00 \u20ac\n3;4 \u20ac\n", "Preis", [0.5, 1000, 4],
     "column 'Preis': read as numbers without the '\u20ac' sign"),
    ('name,balance\nx,"(1,000.00)"\ny,"1,010.00"\nz,(0.00)\n', "balance", [-1000, 1010, 0],
     "column 'balance': read as numbers; a number in parentheses is negative ((5.00) is -5)"),
    ("nom;delta\na;\u22120,5\nb;1,5\nc;2\n", "delta", [-0.5, 1.5, 2],
     "column 'delta': read as numbers; '\u2212' is a minus sign"),
    ("a,v\n1,EUR 5\n2,USD 7\n3,9\n", "v", [5, 7, 9], "column 'v': read as numbers without the 'EUR' and 'USD' signs"),
])
def test_currency_percent_and_accounting_columns_are_numbers_with_one_warning(tmp_path, text, column, values, said):
    """testerF #3: such columns were text and silently left out of training."""
    tab = read_table(write_text(tmp_path, "m.csv", text))
    assert tab.is_numeric(column)
    got = tab.values(column).tolist()
    assert got == values and all(str(v) != "-0.0" for v in got)
    assert [w for w in tab.warnings if w.startswith(f"column {column!r}")] == [said]
    # out of core: the same values and the same sentence
    from somdesk.io.chunked import ChunkedTable
    from somdesk.session.outofcore_format import text_number_format
    p = str(tmp_path / "m.csv")
    fmt, columns, text_cols = text_number_format(p, None, None)
    assert column in columns
    with ChunkedTable.open(p, columns, chunk_rows=2, text_columns=text_cols, number_format=fmt) as src:
        x = np.concatenate([src.read(part) for part in src.partitions])
        assert x[:, src.columns.index(column)].tolist() == values
        assert [w for w in src.warnings if w.startswith(f"column {column!r}")] == [said]


def test_a_decorated_column_with_a_word_further_down_stays_text_named(tmp_path):
    rows = "".join(f"{i},${i}.00\n" for i in range(30)) + "30,call us\n"
    tab = read_table(write_text(tmp_path, "w.csv", "id,amount\n" + rows))
    assert not tab.is_numeric("amount")
    from somdesk.session.table_columns import default_columns_warnings
    assert ("column 'amount' is not numeric: line 32 has 'call us'; it is left out of the training columns"
            in default_columns_warnings(tab))


def test_assign_reads_new_files_as_the_training_file(tmp_path, capsys):
    from somdesk.cli import main
    train = write_text(tmp_path, "t.csv", "name,amount,pct\n" + "".join(
        f"r{i},\"${1000 + 10 * i:,}.00\",{i % 7}%\n" for i in range(30)))
    new = write_text(tmp_path, "n.csv", 'name,amount,pct\nq,"$1,050.00",3%\nz,"($20.00)",1%\n')
    m, out = str(tmp_path / "m.somz"), str(tmp_path / "a.csv")
    assert main(["train", "--table", train, "--width", "3", "--height", "2", "--seed", "1", "--save-map", m]) == 0
    err = capsys.readouterr().err
    assert "column 'amount': read as numbers without the '$' sign" in err
    for extra in ([], ["--out-of-core"]):
        assert main(["assign", m, new, "--out", out] + extra) == 0, capsys.readouterr().err
        assert "not numeric" not in capsys.readouterr().err
        rows = open(out).read().splitlines()
        assert len(rows) == 3 and all(r.endswith(",2") for r in rows[1:]), rows     # both columns present


def test_the_default_label_is_no_money_percent_or_date_column(tmp_path):
    """testerF #3: excel_de's label was its percentage column, excel_us's its mixed-format dates."""
    from somdesk.session.outofcore_table import default_label_out_of_core
    from somdesk.session.table_columns import default_label_column
    dates = ("2024-01-15", "02/15/2024", "15 Mar 2024", "2024-03-15T10:00:00Z")
    text = "id,pct,date,member,score\n" + "".join(
        f"{i},{i % 5}%,{dates[i % 4]},{('yes', 'no')[i % 3 == 0]},{i * 0.5}\n" for i in range(40))
    p = write_text(tmp_path, "us.csv", text)
    tab = read_table(p)
    assert tab.is_numeric("pct")
    assert default_label_column(tab, tab.numeric_columns) == "member"
    assert default_label_out_of_core(p) == "member"
    # a date column is still the label when no other column is one
    only = write_text(tmp_path, "d.csv", "date,x\n" + "".join(f"{dates[i % 4]},{i}\n" for i in range(40)))
    tab = read_table(only)
    assert default_label_column(tab, tab.numeric_columns) == "date" == default_label_out_of_core(only)


def test_a_windows_1252_file_with_a_decimal_comma_is_read_out_of_core(tmp_path):
    """The out-of-core number-format and label queries read such a file from a UTF-8 copy (DuckDB
    refused it: "Invalid unicode"), as ChunkedTable.open does."""
    from somdesk.session.outofcore_format import text_number_format
    from somdesk.session.outofcore_table import default_label_out_of_core
    p = tmp_path / "w.csv"
    p.write_bytes("Kunde;Preis;Aktiv\n".encode() + "".join(
        f"K{i};{i},50 €;{('ja', 'nein')[i % 2]}\n" for i in range(12)).encode("cp1252"))
    fmt, columns, _ = text_number_format(str(p), None, None)
    assert fmt["decimal"] == "," and columns == ["Preis"]
    assert default_label_out_of_core(str(p)) == "Aktiv"
