"""New data is scored with the number format of the map's own table (tester8 #14): a file of
the same source whose numbers happen to show no decimal comma (`80.261;5`) was sniffed as
decimal point, read 1000x off and scored without a word."""
from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.session.scoring import load_table_map, score_file, scoring_options
from somdesk.session.table_workspace import TableWorkspace

from _files import write_text


def _euro(n: int, seed: int, whole_qty: bool) -> tuple[str, list]:
    """`price;qty` with '.' digit groups and ',' decimals; (text, the values written)."""
    rng = np.random.default_rng(seed)
    rows, lines = [], []
    for i in range(n):
        cents = 2 if i % 3 else 0                         # some prices whole: `80.261`
        price = round(float(rng.integers(1000, 99000) + rng.integers(0, 100) / 100), cents)
        qty = float(rng.integers(1, 10)) + (0.0 if whole_qty else float(rng.integers(1, 10)) / 10)
        rows.append((price, qty))
        lines.append(f"{_de(price, cents)};{_de(qty, 0 if whole_qty else 1)}")
    return "price;qty\n" + "\n".join(lines) + "\n", rows


def _de(v: float, decimals: int) -> str:
    """`v` as German-locale spreadsheets write it: 80.261 or 1.234,5."""
    whole, _, frac = f"{v:.{decimals}f}".partition(".")
    return f"{int(whole):,}".replace(",", ".") + ("," + frac if frac else "")


@pytest.fixture(scope="module")
def euro_map(tmp_path_factory):
    d = tmp_path_factory.mktemp("euro")
    text, _ = _euro(200, 1, whole_qty=False)
    train = write_text(d, "train.csv", text)
    assert main(["train", "--table", train, "--width", "4", "--height", "4", "--epochs", "3", "--seed", "1",
                 "--save-map", str(d / "m.somz"), "-q"]) == 0
    return d, d / "m.somz"


def test_the_map_records_the_number_format_of_its_table(euro_map):
    d, m = euro_map
    with zipfile.ZipFile(m) as z:
        info = json.loads(z.read("meta.json"))["table_map"]
    assert info["number_format"] == {"decimal": ",", "thousands": ".", "delimiter": ";"}
    assert load_table_map(m).number_format == {"decimal": ",", "thousands": ".", "delimiter": ";"}


def test_a_new_file_without_decimal_commas_is_read_as_the_map_reads(euro_map, tmp_path, capsys):
    d, m = euro_map
    text, truth = _euro(60, 2, whole_qty=True)          # `80.261;5`: nothing shows a decimal comma
    new = write_text(tmp_path, "new.csv", text)
    # the same rows written with a decimal point and no groups: unambiguous to any reader
    plain = write_text(tmp_path, "plain.csv", "price;qty\n" + "".join(f"{p!r};{q!r}\n" for p, q in truth))
    assert main(["assign", str(m), plain, "--decimal", ".", "--thousands", "none", "--out",
                 str(tmp_path / "want.csv"), "-q"]) == 0
    want = (tmp_path / "want.csv").read_text()
    assert main(["assign", str(m), new, "--out", str(tmp_path / "cli.csv"), "-q"]) == 0
    assert (tmp_path / "cli.csv").read_text() == want
    tm = load_table_map(m)
    score_file(tm, new, tmp_path / "lib.csv")
    assert (tmp_path / "lib.csv").read_text() == want
    TableWorkspace().score_file(new, tmp_path / "window.csv", tm)       # File > Score new data
    assert (tmp_path / "window.csv").read_text() == want


def test_a_file_written_differently_is_one_error_saying_why_and_options_override(euro_map, tmp_path, capsys):
    d, m = euro_map
    dot = write_text(tmp_path, "dot.csv", "price;qty\n3.5;7\n4.25;8\n1234.5;2\n")
    assert main(["assign", str(m), dot, "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'price' is not numeric" in err[0] and "number format of the map's own table" in err[0]
    assert main(["assign", str(m), dot, "--decimal", ".", "--thousands", "none", "--out",
                 str(tmp_path / "x.csv"), "-q"]) == 0


def test_options_given_win_and_maps_without_a_format_sniff():
    from somdesk.io.tables.options import ReadOptions

    class Old:
        number_format = None

    class Euro:
        number_format = {"decimal": ",", "thousands": "."}
    assert scoring_options(Old(), None) is None
    got = scoring_options(Euro(), ReadOptions(decimal=".", delimiter=";"))
    assert (got.decimal, got.thousands, got.delimiter) == (".", ".", ";")
    got = scoring_options(Euro(), ReadOptions(thousands=""))
    assert (got.decimal, got.thousands) == (",", "")


def test_typed_formats_are_unaffected(euro_map, tmp_path, capsys):
    import pandas as pd

    d, m = euro_map
    pd.DataFrame({"price": [80261.0, 1234.5], "qty": [5.0, 7.5]}).to_parquet(tmp_path / "new.parquet")
    pd.DataFrame({"price": [80261.0, 1234.5], "qty": [5.0, 7.5]}).to_csv(tmp_path / "same.csv", sep=";",
                                                                        index=False, decimal=",")
    assert main(["assign", str(m), str(tmp_path / "new.parquet"), "--out", str(tmp_path / "a.csv"), "-q"]) == 0
    assert main(["assign", str(m), str(tmp_path / "same.csv"), "--decimal", ",", "--thousands", "none",
                 "--out", str(tmp_path / "b.csv"), "-q"]) == 0
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()


def test_a_file_of_another_dialect_is_sniffed_and_said_so(euro_map, tmp_path, capsys):
    # tester8 #14 residual: a comma-delimited US file (`34.152,5.906`) read with the ';' table's
    # decimal comma gave qty 5906; its own dialect is read, with one warning saying why
    d, m = euro_map
    assert load_table_map(m).number_format["delimiter"] == ";"
    us = write_text(tmp_path, "us.csv", "price,qty\n34.152,5.906\n53.898,1.324\n12.5,3.25\n")
    plain = write_text(tmp_path, "plain.csv", "price;qty\n34.152;5.906\n53.898;1.324\n12.5;3.25\n")
    assert main(["assign", str(m), plain, "--decimal", ".", "--thousands", "none", "--out",
                 str(tmp_path / "want.csv"), "-q"]) == 0
    assert main(["assign", str(m), us, "--out", str(tmp_path / "got.csv")]) == 0
    err = capsys.readouterr().err
    assert "us.csv is delimited by ',' where the map's own table was by ';'" in err
    assert (tmp_path / "got.csv").read_text() == (tmp_path / "want.csv").read_text()
    ws = TableWorkspace()
    n, warnings = ws.score_file(us, tmp_path / "window.csv", load_table_map(m))
    assert n == 3 and "delimited by ','" in warnings[0]
    assert (tmp_path / "window.csv").read_text() == (tmp_path / "want.csv").read_text()


@pytest.mark.parametrize("sep, new_text, want", [
    (";", "a;b\n2,5;3,5\n4;1\n", [2.5, 4.0]),                       # a decimal comma the map never showed
    (",", 'a,b\n"6,914.5",3\n2,1\n', [6914.5, 2.0]),                # US digit groups
])
def test_a_map_of_whole_numbers_pins_nothing(tmp_path, capsys, sep, new_text, want):
    # review8: a training file of whole numbers saved decimal '.' / no groups and refused new
    # files that show a decimal comma or digit groups, which read_table reads right alone
    rows = "".join(f"{i * 300 + 100}{sep}{(i * 7) % 11}\n" for i in range(40))     # whole numbers, not row ids
    train = write_text(tmp_path, "int.csv", f"a{sep}b\n" + rows)
    m = tmp_path / "int.somz"
    assert main(["train", "--table", train, "--width", "2", "--height", "2", "--epochs", "2", "--save-map", str(m),
                 "-q"]) == 0
    tm = load_table_map(m)
    assert tm.number_format is None and list(tm.recipe.features) == ["a", "b"]
    new = write_text(tmp_path, "new.csv", new_text)
    b = (3.5, 1) if sep == ";" else (3, 1)
    plain = write_text(tmp_path, "plain.csv", "a;b\n" + "".join(f"{x!r};{y}\n" for x, y in zip(want, b)))
    assert main(["assign", str(m), new, "--out", str(tmp_path / "got.csv"), "-q"]) == 0, capsys.readouterr().err
    assert main(["assign", str(m), plain, "--decimal", ".", "--thousands", "none", "--out",
                 str(tmp_path / "want.csv"), "-q"]) == 0
    assert (tmp_path / "got.csv").read_text() == (tmp_path / "want.csv").read_text()


def test_a_new_file_showing_another_format_wins_with_a_warning(euro_map, tmp_path, capsys):
    d, m = euro_map
    us = write_text(tmp_path, "us.csv", "price;qty\n3.5;7\n1,234.5;2\n")
    assert main(["assign", str(m), us, "--out", str(tmp_path / "got.csv")]) == 0
    err = capsys.readouterr().err
    assert "us.csv shows numbers with decimal '.', digit groups ','" in err
    plain = write_text(tmp_path, "plain.csv", "price;qty\n3.5;7\n1234.5;2\n")
    assert main(["assign", str(m), plain, "--decimal", ".", "--thousands", "none", "--out",
                 str(tmp_path / "want.csv"), "-q"]) == 0
    assert (tmp_path / "got.csv").read_text() == (tmp_path / "want.csv").read_text()


def test_scoring_in_chunks_reads_numbers_as_the_map_and_a_glob_too(euro_map, tmp_path, capsys):
    # tester9 #2: a decimal-comma map could not score a glob of files written the same way (a
    # warning, then "not numeric"); --decimal/--thousands were refused in chunks
    d, m = euro_map
    text, _ = _euro(30, 4, whole_qty=True)          # `80.261;5`: nothing shows a decimal comma
    months = tmp_path / "months"
    months.mkdir()
    for name in ("a.csv", "b.csv"):
        write_text(months, name, text)
    assert main(["assign", str(m), str(months / "a.csv"), "--out", str(tmp_path / "one.csv"), "-q"]) == 0
    want = (tmp_path / "one.csv").read_text().splitlines()
    for extra in ([], ["--decimal", ",", "--thousands", "."]):
        assert main(["assign", str(m), str(months / "a.csv"), "--out-of-core", "--out", str(tmp_path / "c.csv")]
                    + extra) == 0
        assert capsys.readouterr().out.splitlines() == ["30 rows scored; wrote " + str(tmp_path / "c.csv")]
        assert (tmp_path / "c.csv").read_text().splitlines() == want
        assert main(["assign", str(m), str(months / "*.csv"), "--out", str(tmp_path / "g.csv"), "-q"] + extra) == 0
        got = [line.rsplit(",", 1)[0] for line in (tmp_path / "g.csv").read_text().splitlines()]
        assert got[:31] == want and got[31:] == [f"{i}," + r.split(",", 1)[1] for i, r in enumerate(want[1:], 30)]


def test_a_cell_the_format_does_not_read_is_one_error_naming_file_and_cell(euro_map, tmp_path, capsys):
    d, m = euro_map
    months = tmp_path / "months"
    months.mkdir()
    write_text(months, "a.csv", "price;qty\n1.234,5;2\n80.261;5\n")
    write_text(months, "b.csv", "price;qty\n1.234,5;2\n8o,5;5\n")
    assert main(["assign", str(m), str(months / "*.csv"), "--out", str(tmp_path / "g.csv")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "column 'price' is not numbers written with " \
        "decimal ',' and digit groups '.'" in err[0] and "b.csv holds '8o,5'" in err[0], err
    assert not (tmp_path / "g.csv").exists()
    write_text(months, "b.csv", "price,qty\n1234.5,2\n3.25,5\n")           # a US file in the glob
    assert main(["assign", str(m), str(months / "*.csv"), "--out", str(tmp_path / "g.csv")]) == 2
    assert "the files write numbers differently" in capsys.readouterr().err


def test_options_chunks_cannot_take_are_named_as_typed(euro_map, tmp_path, capsys):
    d, m = euro_map
    new = write_text(tmp_path, "new.csv", "price;qty\n1.234,5;2\n")
    assert main(["assign", str(m), new, "--out-of-core", "--no-header", "--skip", "1", "--out",
                 str(tmp_path / "x.csv")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: --no-header, --skip cannot be used when scoring in chunks (--out-of-core, --dask or a glob): "
        "those files are read with DuckDB's own rules; score one file without --out-of-core to use them"]


def test_training_in_chunks_refuses_the_reading_options_it_would_drop(tmp_path, capsys):
    # the same kind as review8's assign: train --out-of-core took --decimal, --delimiter ...
    # and read the file by DuckDB's own rules without a word (--where, --decimal and --thousands it honours)
    text, _ = _euro(40, 5, whole_qty=False)
    data = write_text(tmp_path, "t.csv", text)
    assert main(["train", "--table", data, "--out-of-core", "--decimal", ",", "--no-header", "--save-map",
                 str(tmp_path / "m.somz")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: --no-header cannot be used when training in chunks (--out-of-core, --dask, a glob, or "
        "--mode batch on more rows than --max-rows): those files are read with DuckDB's own rules; train on one "
        "file without --out-of-core to use them"]
    assert not (tmp_path / "m.somz").exists()
