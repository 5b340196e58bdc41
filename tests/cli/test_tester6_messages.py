"""tester6's CLI findings on tables: each bad input gets one clear `error:` line (exit 2), in the
reader's words, never the engine's ("Binder Error", "Error when sniffing file"), never after a
warning or a leaked numpy warning (F21, F27, F34, F38, F43, F44, F48)."""
import numpy as np
import pandas as pd
import pytest

from somdesk.cli import main


def _one_error(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    assert "Error:" not in err[0] and "Traceback" not in err[0]
    return err[0]


@pytest.fixture
def tables(tmp_path):
    rng = np.random.default_rng(0)
    n = 90
    df = pd.DataFrame({"age": rng.integers(18, 80, n), "income": rng.normal(4e4, 9e3, n).round(2),
                       "spend": rng.normal(300, 50, n).round(2), "region": rng.choice(list("NSEW"), n)})
    df.to_csv(tmp_path / "cust.csv", index=False)
    df.to_excel(tmp_path / "cust.xlsx", index=False)
    (tmp_path / "glob").mkdir()
    df.head(45).to_csv(tmp_path / "glob" / "a.csv", index=False)
    df.tail(45).drop(columns=["spend"]).to_csv(tmp_path / "glob" / "b.csv", index=False)
    m = tmp_path / "m.somz"
    assert main(["train", "--table", str(tmp_path / "cust.csv"), "--columns", "age,income,spend,region",
                 "--height", "3", "--width", "3", "--epochs", "3", "--save-map", str(m), "-q"]) == 0
    return tmp_path, m


def test_a_glob_whose_file_lacks_a_map_column_is_not_scored(tables, capsys):
    # F43: "900 rows scored", b.csv's rows scored with 'spend' missing
    d, m = tables
    capsys.readouterr()
    out = d / "s.csv"
    assert main(["assign", str(m), str(d / "glob" / "*.csv"), "--out", str(out)]) == 2
    line = _one_error(capsys)
    assert "b.csv has no column(s) 'spend'" in line and "m.somz" in line
    assert not out.exists()
    assert main(["train", "--table", str(d / "glob" / "*.csv"), "--out-of-core", "--save-map",
                 str(d / "g.somz")]) == 2
    assert "b.csv has no column(s) 'spend'" in _one_error(capsys)
    assert main(["train", "--table", str(d / "glob" / "*.csv"), "--out-of-core", "--columns", "age,income",
                 "--save-map", str(d / "g.somz"), "-q"]) == 0


def test_a_glob_without_out_of_core_says_so(tables, capsys):
    # F44: "cannot read *.csv: No such file or directory"
    d, _ = tables
    capsys.readouterr()
    assert main(["train", "--table", str(d / "glob" / "*.csv"), "--save-map", str(d / "g.somz")]) == 2
    line = _one_error(capsys)
    assert "matching 2 files (a.csv, b.csv)" in line and "--out-of-core" in line
    assert main(["table", "info", str(d / "glob" / "*.csv")]) == 2
    assert "describes one file" in _one_error(capsys)
    assert main(["table", "info", str(d / "none" / "*.csv")]) == 2
    assert "no files match" in _one_error(capsys)


def test_out_of_core_refuses_a_spreadsheet_in_one_sentence(tables, capsys):
    # F21/F27: "cannot read as a table: Invalid Input Error: Error when sniffing file"
    d, m = tables
    capsys.readouterr()
    assert main(["assign", str(m), str(d / "cust.xlsx"), "--out-of-core", "--out", str(d / "s.csv")]) == 2
    assert "is a spreadsheet (xlsx); out of core reads text tables" in _one_error(capsys)
    assert main(["train", "--table", str(d / "cust.xlsx"), "--out-of-core", "--save-map", str(d / "x.somz")]) == 2
    assert "is a spreadsheet" in _one_error(capsys)


def test_a_map_or_an_encrypted_workbook_given_as_a_table(tables, capsys):
    # F21: "not a readable spreadsheet (Cannot detect file format)"; F48: "(invalid Zip archive: ...)"
    d, m = tables
    capsys.readouterr()
    assert main(["table", "info", str(m)]) == 2
    assert "m.somz is a somdesk map, not a table" in _one_error(capsys)
    ole = d / "locked.xlsx"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    assert main(["table", "info", str(ole)]) == 2
    line = _one_error(capsys)
    assert "encrypted (password-protected)" in line and "save it without a password" in line


def test_an_unknown_column_in_the_filter_is_named_with_the_columns(tables, capsys):
    # F21: "Binder Error: Referenced column "nope" not found in FROM clause!"
    d, m = tables
    capsys.readouterr()
    for argv in (["assign", str(m), str(d / "cust.csv"), "--where", "nope > 3", "--out", str(d / "s.csv")],
                 ["train", "--table", str(d / "glob" / "*.csv"), "--columns", "age", "--out-of-core",
                  "--where", "nope > 3", "--save-map", str(d / "g.somz")]):
        assert main(argv) == 2
        line = _one_error(capsys)
        assert "does not have: 'nope'" in line and "age, income" in line


def test_the_filter_is_checked_out_of_core_as_in_memory(tables, capsys):
    d, _ = tables
    capsys.readouterr()
    assert main(["train", "--table", str(d / "cust.csv"), "--columns", "age,income", "--out-of-core",
                 "--where", "age > 1 OR EXISTS (SELECT 1)", "--save-map", str(d / "g.somz")]) == 2
    assert "subquery" in _one_error(capsys)


@pytest.mark.parametrize("argv, words", [
    (["--columns", "age", "--label", "age"], "--label age is also in --columns"),
    (["--columns", ""], "--columns is empty"),
    (["--columns", "age,income", "--weights", "1e308,1"], "the weight of 'age' must be 0 (passive) or from 0.01"),
    (["--columns", "age,income", "--weights", "age=-1"], "the weight of 'age'"),
])
def test_train_option_mistakes_are_one_line_before_training(tables, capsys, argv, words, recwarn):
    # F21 (label trained on, "" meaning all), F38 (leaked RuntimeWarnings, then a misleading reason)
    d, _ = tables
    capsys.readouterr()
    assert main(["train", "--table", str(d / "cust.csv"), "--save-map", str(d / "x.somz")] + argv) == 2
    assert words in _one_error(capsys)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
    assert not (d / "x.somz").exists()


def test_a_table_of_categories_says_how_to_train_on_them(tmp_path, capsys):
    # F34: "no numeric column to train on (besides the label)" and no way out said
    p = tmp_path / "cats.csv"
    p.write_text("region,plan\n" + "N,basic\nS,pro\nE,team\n" * 20)
    assert main(["train", "--table", str(p), "--save-map", str(tmp_path / "x.somz")]) == 2
    line = _one_error(capsys)
    # region is the default label (the leftmost text column of a few kinds), so the hint names plan
    assert "(besides the label)" in line and "one-hot encoded when chosen, e.g. --columns plan" in line
    assert main(["train", "--table", str(p), "--columns", "region,plan", "--height", "2", "--width", "2",
                 "--epochs", "2", "--save-map", str(tmp_path / "x.somz"), "-q"]) == 0


def test_a_refused_output_is_one_error_line_without_the_warnings_before_it(tables, capsys, tmp_path):
    # F21: "warning: ... ignored" + "error: cannot write /dev/full"; and palette convert's ACT warning
    d, m = tables
    capsys.readouterr()
    bad = d / "folder"
    bad.mkdir()
    extra = pd.read_csv(d / "cust.csv").assign(note="x")      # a column the map does not use: a warning
    extra.to_csv(d / "extra.csv", index=False)
    assert main(["assign", str(m), str(d / "extra.csv"), "--out", str(bad)]) == 2
    _one_error(capsys)
    assert main(["assign", str(m), str(d / "extra.csv"), "--out", str(d / "ok.csv")]) == 0
    assert "does not use is ignored: 'note'" in capsys.readouterr().err
    pal = tmp_path / "big.gpl"
    pal.write_text("GIMP Palette\nName: big\n#\n" + "".join(f"{i % 256} {i // 256} 0 c{i}\n" for i in range(300)))
    assert main(["palette", "convert", str(pal), str(tmp_path / "x.act")]) == 2
    assert "at most 256" in _one_error(capsys)


def test_palette_convert_quiet_prints_nothing_but_errors(tmp_path, capsys):
    """tester9 #12: README says -q silences the warnings; palette convert had no -q."""
    pal = tmp_path / "a.gpl"
    pal.write_text("GIMP Palette\nName: named\n#\n255 0 0 red\n0 0 255 blue\n")
    assert main(["palette", "convert", str(pal), str(tmp_path / "a.act")]) == 0
    loud = capsys.readouterr()
    assert "warning:" in loud.err and "wrote 2 colours" in loud.out     # ACT keeps no names
    assert main(["palette", "convert", str(pal), str(tmp_path / "b.act"), "-q"]) == 0
    quiet = capsys.readouterr()
    assert quiet.err == "" and quiet.out == ""
    assert (tmp_path / "b.act").read_bytes() == (tmp_path / "a.act").read_bytes()
