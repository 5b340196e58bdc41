"""A sampled table's column types hold for every row of the file, not only the sample's.

tester4 (2026-11-30): 2,000,000 numbers and one word on the last line were typed numeric
from the sample, then the full pass (assign, out-of-core training) died with a traceback.
"""
import numpy as np
import pytest

from somdesk.cli import main
from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table


def _numbers(path, rows, last, decimal=".", sep=","):
    rng = np.random.default_rng(0)
    with open(path, "w") as f:
        f.write(f"x{sep}y\n")
        for a, b in rng.random((rows, 2)):          # fixed width: the engine sniffs DOUBLE
            f.write(f"{a:.6f}{sep}{b:.6f}\n".replace(".", decimal))
        f.write(last + "\n")
    return path


@pytest.mark.parametrize("rows", [5_000, 50_000])    # past the engine's sniff sample too
def test_a_word_outside_the_sample_makes_the_column_text_and_is_named(tmp_path, rows):
    p = _numbers(tmp_path / "late.csv", rows, "1,zzz")
    tab = read_table(p, ReadOptions(max_rows=1000, seed=1))
    assert tab.sampled and tab.n_rows == 1000
    assert tab.kind("x") == "numeric"
    assert tab.kind("y") == "text" and tab.spoiled("y") and not tab.spoiled("x")
    assert tab.problem("y") == f"column 'y' is not numeric: line {rows + 2} has 'zzz'"


def test_missing_tokens_and_numbers_outside_the_sample_keep_the_column_numeric(tmp_path):
    p = _numbers(tmp_path / "late.csv", 50_000, "1,NA")
    tab = read_table(p, ReadOptions(max_rows=1000, seed=1))
    assert tab.kind("y") == "numeric" and tab.problem("y") is None


def test_a_decimal_comma_file_is_checked_by_its_own_rule(tmp_path):
    p = _numbers(tmp_path / "late.csv", 20_000, "1;2,5x", decimal=",", sep=";")
    tab = read_table(p, ReadOptions(max_rows=1000, seed=1))
    assert tab.dialect["decimal"] == ","
    assert tab.kind("x") == "numeric"
    assert tab.problem("y") == "column 'y' is not numeric: line 20002 has '2,5x'"


def test_digits_of_other_scripts_are_not_numbers(tmp_path):
    # the engine's cast refuses them; the sample's check did not (Python's float takes them)
    p = tmp_path / "d.csv"
    p.write_text("x,y\n1,2\n3,\u0664\n5,6\n", encoding="utf-8")
    tab = read_table(p)
    assert tab.kind("y") != "numeric" and tab.spoiled("y")
    assert "line 3" in tab.problem("y")


def test_train_says_which_spoiled_columns_it_leaves_out(tmp_path, capsys):
    p = _numbers(tmp_path / "t.csv", 300, "1,hello")
    out = tmp_path / "m.somz"
    assert main(["train", "--table", str(p), "--width", "2", "--height", "2", "--epochs", "1",
                 "--save-map", str(out)]) == 0
    err = capsys.readouterr().err
    assert "column 'y' is not numeric: line 302 has 'hello'; it is left out of the training columns" in err
    assert main(["assign", str(out), str(p), "--out", str(tmp_path / "a.csv")]) == 0


def test_a_number_beyond_the_float_range_is_not_called_inf(tmp_path):
    # tester4 F10: '1e309' was reported as "has 'inf'"
    p = tmp_path / "big.csv"
    p.write_text("a,b\n" + "".join(f"{i},{i}.5\n" for i in range(50)) + "3,1e309\n")
    tab = read_table(p)
    assert tab.problem("b") == ("column 'b' is not numeric: line 52 has 'inf' or a number beyond 1.8e308 "
                                "(an infinite value)")


@pytest.mark.parametrize("cell, shown", [("inf", "'inf'"), ("-Infinity", "'-inf'"), ("1e309", "'inf'")])
def test_an_infinity_outside_the_sample_is_found_too(tmp_path, cell, shown):
    # tester5 F1: the engine reads 'inf' as a number, so the column stayed numeric, trained
    # silently, and the row was scored into node 0 with an empty distance
    p = _numbers(tmp_path / "late.csv", 50_000, f"1,{cell}")
    tab = read_table(p, ReadOptions(max_rows=1000, seed=1))
    assert tab.kind("x") == "numeric" and tab.kind("y") != "numeric"
    assert tab.problem("y").startswith(f"column 'y' is not numeric: line 50002 has {shown} or a number beyond")
    # tester10 #9: left out of the default columns with a warning, in the CLI as in the window
    from somdesk.session.table_columns import default_columns, spoiled_columns
    assert default_columns(tab) == ("x",)
    assert [w for w in spoiled_columns(tab) if "an infinite value" in w and "left out of the training" in w]


def test_a_column_named_categorical_joins_the_default_columns(tmp_path, capsys):
    # tester5 F4: `--categorical city` without --columns was ignored without a word
    import json
    p = tmp_path / "c.csv"
    p.write_text("a,b,city\n" + "".join(f"{i % 7},{i % 3},{'xyz'[i % 3]}\n" for i in range(90)))
    out = tmp_path / "m.somz"
    assert main(["train", "--table", str(p), "--categorical", "city", "--width", "2", "--height", "2",
                 "--epochs", "1", "--save-map", str(out), "--metrics-json", "-"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert [f for f in metrics["features"] if f.startswith("city")] and "a" in metrics["features"]


@pytest.mark.parametrize("limit", [1000, 20_000])      # sampled by the engine / read whole, sampled in memory
def test_table_info_counts_missing_cells_over_every_row_of_a_sampled_file(tmp_path, limit):
    # tester5 F3: the sample's count was scaled up to the file's rows, an estimate where
    # `table info --json` promises a count.  A sampled read must give the unsampled counts.
    rng = np.random.default_rng(3)
    p = tmp_path / "gaps.csv"
    with open(p, "w") as f:
        f.write("a,b,c,d\n")
        for i in range(30_000):
            a = "" if rng.random() < 0.01 else f"{rng.random():.5f}"
            b = "NA" if i % 997 == 0 else ("nan" if i % 1511 == 0 else f"{rng.random():.5f}")
            c = "" if i % 13 == 0 else rng.choice(["red", "green", "blue"])
            d = "?" if i == 29_000 else f"{i}"                 # a token past the sample: still numeric
            f.write(f"{a},{b},{c},{d}\n")
    full = read_table(p).info()
    sampled = read_table(p, ReadOptions(max_rows=limit, seed=2)).info()
    assert sampled["sampled_rows"] == limit and "sampled_rows" not in full
    assert [c["type"] for c in sampled["columns"]] == [c["type"] for c in full["columns"]]
    assert [c["missing"] for c in sampled["columns"]] == [c["missing"] for c in full["columns"]]
    assert full["columns"][1]["missing"] == len({i for i in range(30_000) if i % 997 == 0 or i % 1511 == 0})
    assert full["columns"][2]["missing"] == len(range(0, 30_000, 13))
    assert full["columns"][3]["missing"] == 1
