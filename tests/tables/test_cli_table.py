"""somdesk table info / train --table / assign, in process."""
import csv
import json

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.io.tables.table import read_table

from _files import sklearn_csv, write_text, write_xlsx


def run(capsys, *argv):
    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


def test_table_info_json(capsys, tmp_path):
    p = write_text(tmp_path, "s.csv", "id;price;region\n1;12.500,5;north\n2;3,25;south\n3;;north\n4;1,5;north\n")
    code, out, err = run(capsys, "table", "info", p, "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["format"] == "csv" and info["rows"] == 4
    assert info["columns"][1] == {"name": "price", "type": "numeric", "missing": 1}
    assert info["columns"][2]["type"] == "categorical"
    assert info["dialect"]["delimiter"] == ";" and info["dialect"]["decimal"] == ","
    code, out, _ = run(capsys, "table", "info", write_xlsx(tmp_path, "x.xlsx", {"S": [("a",), (1,)]}))
    assert code == 0 and "xlsx, 1 row," in out


def test_train_then_assign_reproduces_the_training_assignments(capsys, tmp_path):
    data = sklearn_csv("iris.csv")
    code, out, err = run(capsys, "train", "--table", data, "--label", "column4", "--clusters", "3",
                         "--save-map", tmp_path / "m.somz", "--assignments", tmp_path / "train.csv",
                         "--profiles", tmp_path / "prof.csv", "--report", tmp_path / "r.html",
                         "--metrics-json", tmp_path / "m.json")
    assert code == 0, err
    assert "3 segments" in out
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["rows"] == 150 and metrics["k"] == 3 and metrics["topographic_error"] < 0.05
    assert metrics["features"] == ["column0", "column1", "column2", "column3"]    # every numeric but the label
    code, _, err = run(capsys, "assign", tmp_path / "m.somz", data, "--out", tmp_path / "again.csv")
    assert code == 0, err
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "train.csv").read_bytes()
    rows = list(csv.DictReader(open(tmp_path / "again.csv", encoding="utf-8")))
    assert len(rows) == 150 and tuple(rows[0]) == ("row", "bmu_row", "bmu_col", "segment", "distance", "outlier",
                                                   "present")
    assert (tmp_path / "prof.png").exists() and (tmp_path / "r.html").exists()
    code, _, err = run(capsys, "assign", tmp_path / "m.somz", data, "--out", tmp_path / "again.parquet")
    assert code == 0, err
    pq = read_table(tmp_path / "again.parquet")
    assert pq.values("segment").tolist() == [float(r["segment"]) for r in rows]


def test_train_options_and_stdout_assign(capsys, tmp_path):
    p = write_text(tmp_path, "c.csv", "a,b,c,kind\n" + "".join(
        f"{i % 7},{(i * 3) % 5},{i % 2},{'x' if i % 3 else 'y'}\n" for i in range(80)))
    code, out, err = run(capsys, "train", "--table", p, "--columns", "a,b,c,kind", "--weights", "a=2,c=0.5",
                         "--passive", "b", "--missing", "median", "--normalise", "minmax", "--width", "5",
                         "--height", "4", "--epochs", "10", "--topology", "rectangular",
                         "--save-map", tmp_path / "c.somz", "-q")
    assert code == 0, err
    code, out, err = run(capsys, "assign", tmp_path / "c.somz", p)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "row,bmu_row,bmu_col,segment,distance,outlier,present" and len(lines) == 81


@pytest.mark.parametrize("argv,match", [
    (["table", "info", "nope.csv"], "nope.csv"),
    (["train", "--table", "{iris}", "--columns", "column0,zzz", "--save-map", "{tmp}/m.somz"], "no column 'zzz'"),
    (["train", "--table", "{iris}", "--where", "column0 > 1; DROP TABLE x", "--save-map", "{tmp}/m.somz"], "';'"),
    (["train", "--table", "{iris}", "--missing", "zero", "--save-map", "{tmp}/m.somz"], "missing-value"),
    (["train", "--table", "{iris}", "--save-map", "{tmp}/no/such/m.somz"], "does not exist"),
    (["assign", "{tmp}", "{iris}"], ""),
])
def test_errors_are_one_line(capsys, tmp_path, argv, match):
    argv = [a.format(iris=sklearn_csv("iris.csv"), tmp=tmp_path) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and match in err


def test_assign_with_missing_columns_fails_before_writing(capsys, tmp_path):
    run(capsys, "train", "--table", sklearn_csv("wine_data.csv"), "--clusters", "3", "--save-map", tmp_path / "w.somz")
    code, out, err = run(capsys, "assign", tmp_path / "w.somz", sklearn_csv("iris.csv"))
    assert code == 2 and out == "" and "no column(s) 'column00'" in err


def test_a_failing_extra_output_says_the_map_was_kept(capsys, tmp_path):
    # /dev/full takes the name check but refuses the data: the map is already saved by then
    data = sklearn_csv("iris.csv")
    code, out, err = run(capsys, "train", "--table", data, "--label", "column4", "--epochs", "3",
                         "--save-map", tmp_path / "m.somz", "--assignments", "/dev/full")
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: ")
    assert f"the map itself was saved to {tmp_path / 'm.somz'}" in err
    assert (tmp_path / "m.somz").stat().st_size > 0


def test_iterations_is_an_alias_of_epochs(capsys, tmp_path):
    data = sklearn_csv("iris.csv")
    code, out, err = run(capsys, "train", "--table", data, "--label", "column4", "--iterations", "4",
                         "--save-map", tmp_path / "m.somz", "--metrics-json", tmp_path / "m.json")
    assert code == 0, err
    assert json.loads((tmp_path / "m.json").read_text())["epochs"] == 4


@pytest.mark.parametrize("mode", ["in-memory", "out-of-core"])
def test_an_output_that_is_the_input_is_refused_and_the_data_kept(capsys, tmp_path, mode):
    """Tester3 F2's kind: `assign M DATA --out DATA` (or train --assignments TABLE) would replace
    the customers' file with its scores; refused before anything is read, the file kept."""
    import os
    import shutil

    data = tmp_path / "iris.csv"
    shutil.copy(sklearn_csv("iris.csv"), data)
    before = data.read_bytes()
    extra = ["--out-of-core"] if mode == "out-of-core" else []
    code, _o, err = run(capsys, "train", "--table", data, "--label", "column4", "--height", "3", "--width", "3",
                        "--epochs", "2", "--save-map", tmp_path / "m.somz", "-q",
                        *(["--mode", "batch", *extra] if extra else ["--assignments", data]))
    if not extra:
        assert code == 2 and err.startswith("error: ") and "is the input file" in err and err.count("\n") == 1
        assert data.read_bytes() == before
        code, _o, err = run(capsys, "train", "--table", data, "--label", "column4", "--height", "3", "--width",
                            "3", "--epochs", "2", "--save-map", tmp_path / "m.somz", "-q")
    assert code == 0, err
    link = tmp_path / "same-data.csv"
    os.link(data, link)                               # the same file by another name
    for out in (data, link):
        code, _o, err = run(capsys, "assign", tmp_path / "m.somz", data, "--out", out, *extra)
        assert code == 2 and "is the input file" in err and err.count("\n") == 1, err
        assert data.read_bytes() == before
    code, _o, err = run(capsys, "assign", tmp_path / "m.somz", data, "--out", tmp_path / "scores.csv", *extra)
    assert code == 0, err


@pytest.mark.parametrize("tail_rows", [0, 30000])     # the head alone; a blank far below the head
def test_own_missing_tokens_keep_the_empty_cell_missing(capsys, tmp_path, tail_rows):
    """Tester6 F35: `--missing-values North` dropped the empty cell from the tokens, so a
    numeric column with a blank became text; an empty cell is always missing."""
    from somdesk.io.tables.options import ReadOptions

    body = "x,y,region\n1,2.5,North\n2,,South\n" + "3,4.5,North\n" * tail_rows + "4,,North\n,7,\n"
    p = write_text(tmp_path, "m.csv", body)
    t = read_table(p, ReadOptions(missing=("North",)))
    assert t.kind("x") == "numeric" and t.kind("y") == "numeric"
    assert t.missing_count("x") == 1 and t.missing_count("y") == 2
    assert t.missing_count("region") == tail_rows + 3         # every North and the empty cell
    code, out, err = run(capsys, "table", "info", p, "--json", "--missing-values", "North")
    assert code == 0, err
    cols = {c["name"]: c for c in json.loads(out)["columns"]}
    assert cols["y"] == {"name": "y", "type": "numeric", "missing": 2}
    assert ReadOptions(missing=("-999",)).missing_tokens == {"-999", ""}
    assert "n/a" not in ReadOptions(missing=("-999",)).missing_tokens      # the defaults are replaced


def test_one_segment_is_said_in_the_singular(tmp_path, capsys):
    # tester6 F23: "1 segments"
    from somdesk.cli import main

    p = tmp_path / "t.csv"
    rng = np.random.default_rng(0)
    p.write_text("a,b\n" + "".join(f"{x:.4f},{y:.4f}\n" for x, y in rng.random((60, 2))))
    assert main(["train", "--table", str(p), "--clusters", "1", "--save-map", str(tmp_path / "m.somz")]) == 0
    out = capsys.readouterr().out
    assert "1 segment (" in out and "1 segments" not in out


def test_table_info_shows_odd_column_names_escaped(capsys, tmp_path):
    """A column name holding a line break or NBSP is one escaped line of `table info`."""
    p = write_text(tmp_path, "odd.csv", '"a b","a\u00a0b","line\nbreak"\n1,2,3\n4,5,6\n')
    code, out, err = run(capsys, "table", "info", p)
    assert code == 0, err
    assert "  a b: numeric" in out and "  'a\\xa0b': numeric" in out and "  'line\\nbreak': numeric" in out


@pytest.mark.parametrize("text,col,why", [
    ("a,b\n1,2\n3,x\n5,6\n7,8\n", "b", "column 'b' is not numeric: line 3 has 'x'"),
    ("a,b\n1,2\ninf,3\nnan,4\n-inf,5\n2,6\n", "a", "column 'a' is not numeric: line 3 has 'inf'"),
])
def test_table_info_says_why_a_column_of_numbers_is_text(tmp_path, capsys, text, col, why):
    # `b: text` and nothing else, while train named the line (tester10 #5)
    import json

    from somdesk.cli import main

    p = tmp_path / "w.csv"
    p.write_text(text)
    assert main(["table", "info", str(p)]) == 0
    line = next(s for s in capsys.readouterr().out.splitlines() if s.strip().startswith(f"{col}:"))
    assert "text" in line and why in line, line
    assert main(["table", "info", str(p), "--json"]) == 0
    doc = {c["name"]: c for c in json.loads(capsys.readouterr().out)["columns"]}
    assert doc[col]["problem"].startswith(why)
    assert "problem" not in doc["b" if col == "a" else "a"]


def test_assignments_need_no_saved_map_and_a_run_writing_nothing_is_refused(capsys, tmp_path):
    # tester F #15: `train --table X --assignments a.csv` said "required: --save-map" while the
    # help listed --save-map among the optional outputs; help and behaviour agree now
    data = sklearn_csv("iris.csv")
    common = ["train", "--table", data, "--label", "column4", "--epochs", "4", "--seed", "1"]
    code, out, err = run(capsys, *common, "--assignments", tmp_path / "a.csv")
    assert code == 0, err
    assert "the map was not saved (no --save-map)" in out and not list(tmp_path.glob("*.somz"))
    code, out, err = run(capsys, *common, "--assignments", tmp_path / "b.csv", "--save-map", tmp_path / "m.somz")
    assert code == 0, err
    assert f"saved {tmp_path / 'm.somz'}" in out
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()     # the same map either way
    code, out, err = run(capsys, *common)
    assert code == 2 and err.count("\n") == 1 and "nothing would be written" in err and "--save-map" in err
    with pytest.raises(SystemExit):
        main(["train", "--table", data, "--help"])
    usage = capsys.readouterr().out
    assert "[--save-map M.somz]" in usage                 # shown optional, as it is


def test_out_of_core_training_may_write_its_metrics_alone(capsys, tmp_path):
    code, out, err = run(capsys, "train", "--table", sklearn_csv("iris.csv"), "--label", "column4", "--epochs", "3",
                         "--out-of-core", "--mode", "batch", "--metrics-json", tmp_path / "m.json")
    assert code == 0, err
    assert json.loads((tmp_path / "m.json").read_text())["out_of_core"] is True
    assert "the map was not saved" in out and not list(tmp_path.glob("*.somz"))
