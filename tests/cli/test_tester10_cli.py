"""tester10's CLI findings (#2, #4, #6, #8): the summary line whenever an output takes standard
output, a one-row table refused at training, profile/top-items names, map sizes and option names
in messages."""
import json

import numpy as np
import pandas as pd
import pytest

from somdesk.cli import main

TRAIN = ["train", "--random", "20", "--seed", "7", "--width", "6", "--height", "6", "--iterations", "3"]


@pytest.fixture
def table(tmp_path):
    t = tmp_path / "t.csv"
    pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) % 7}).to_csv(t, index=False)
    return t


SMALL = ["--width", "3", "--height", "2", "--epochs", "2"]


def test_metrics_json_on_stdout_moves_the_table_summary_to_stderr(table, tmp_path, capsys):
    # `--metrics-json -` dropped the summary line altogether (tester10 #2)
    assert main(["train", "--table", str(table), "--save-map", str(tmp_path / "m.somz"), *SMALL,
                 "--metrics-json", "-"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["height"] == 2
    assert "map of 2 rows x 3 columns, 2 epochs on 30 rows" in err and "saved" in err


def test_metrics_json_on_stdout_moves_the_colour_summary_to_stderr(capsys):
    assert main(TRAIN + ["--metrics-json", "-"]) == 0
    out, err = capsys.readouterr()
    assert "quantization_error" in json.loads(out)
    assert err.startswith("trained ")


def test_quiet_still_silences_the_summary(table, tmp_path, capsys):
    assert main(["train", "--table", str(table), "--save-map", str(tmp_path / "m.somz"), *SMALL,
                 "--metrics-json", "-", "-q"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) and err == ""


def test_the_summary_stays_on_stdout_when_no_output_takes_it(table, tmp_path, capsys):
    assert main(["train", "--table", str(table), "--save-map", str(tmp_path / "m.somz"), *SMALL]) == 0
    out, err = capsys.readouterr()
    assert "map of 2 rows x 3 columns, 2 epochs on 30 rows" in out and "map of" not in err


def _error(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    return err[0]


@pytest.mark.parametrize("flag,name", [("--profiles", "p.png"), ("--profiles", "pp.parquet"),
                                       ("--profiles", "pp"), ("--top-items", "top.png")])
def test_profiles_and_top_items_take_csv_names_only(table, tmp_path, capsys, flag, name):
    # --profiles p.png wrote the CSV and then replaced it with the picture (tester10 #6)
    m = tmp_path / "m.somz"
    assert main(["train", "--table", str(table), "--save-map", str(m), *SMALL, flag, str(tmp_path / name)]) == 2
    assert f"{flag} writes CSV: give a name ending in .csv" in _error(capsys)
    assert not m.exists() and not (tmp_path / name).exists()


@pytest.mark.parametrize("other", [["--report", "a.png"], ["--assignments", "a.png"],
                                   ["--metrics-json", "a.png"]])
def test_the_profiles_picture_joins_the_same_file_check(table, tmp_path, capsys, other):
    m = tmp_path / "m.somz"
    assert main(["train", "--table", str(table), "--save-map", str(m), *SMALL,
                 "--profiles", str(tmp_path / "a.csv"), other[0], str(tmp_path / other[1])]) == 2
    msg = _error(capsys)
    assert "--profiles picture" in msg and "name the same file" in msg, msg
    assert not m.exists()


def test_profiles_csv_and_its_picture_are_both_written(table, tmp_path, capsys):
    m, p, top = tmp_path / "m.somz", tmp_path / "prof.CSV", tmp_path / "top.csv"
    assert main(["train", "--table", str(table), "--save-map", str(m), *SMALL, "--profiles", str(p)]) == 0
    assert p.read_text().startswith("segment") or "," in p.read_text().splitlines()[0]
    assert (tmp_path / "prof.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("text", ["a,b\n1,2\n", "a,b,kind\n1,2,x\n", "kind,a\nx,1\n"])
def test_a_one_row_table_is_refused_at_training_not_written_unreadable(tmp_path, capsys, text):
    # it trained, exit 0, into a .somz that assign then refused as "damaged" (tester10 #4)
    t, m = tmp_path / "onerow.csv", tmp_path / "m.somz"
    t.write_text(text)
    assert main(["train", "--table", str(t), "--save-map", str(m)]) == 2
    msg = _error(capsys)
    assert "it has 1 row, so every column chosen to train on has one value in every row" in msg, msg
    assert not m.exists()


def test_one_row_out_of_core_is_refused_the_same_way(tmp_path, capsys):
    t, m = tmp_path / "onerow.csv", tmp_path / "m.somz"
    t.write_text("a,b\n1,2\n")
    assert main(["train", "--table", str(t), "--save-map", str(m), "--out-of-core"]) == 2
    assert "it has 1 row, so every column" in _error(capsys)
    assert not m.exists()


def test_one_row_is_one_row_in_table_info(tmp_path, capsys):
    t = tmp_path / "onerow.csv"
    t.write_text("a,b\n1,2\n")
    assert main(["table", "info", str(t)]) == 0
    assert ": csv, 1 row, 2 columns" in capsys.readouterr().out


def test_map_sizes_are_rows_x_columns_in_words_everywhere(table, tmp_path, capsys):
    # "13x6 map" was height x width, "grid size 100000x13" and "trained 20x15" width x height
    assert main(["train", "--table", str(table), "--save-map", str(tmp_path / "m.somz"), "--width", "3",
                 "--height", "2", "--epochs", "2"]) == 0
    assert capsys.readouterr().out.startswith("map of 2 rows x 3 columns, 2 epochs on 30 rows;")
    assert main(TRAIN[:5] + ["--width", "7", "--height", "3", "--iterations", "2"]) == 0
    assert capsys.readouterr().out.startswith("trained a map of 3 rows x 7 columns on 20 inputs")
    from somdesk.core.options import SOMConfig
    from somdesk.errors import OptionError
    with pytest.raises(OptionError, match=r"width \(the map's columns\) must be between 1 and 2000, got 100000"):
        SOMConfig(width=100_000, height=13)


@pytest.mark.parametrize("flag,value,words", [
    ("--epochs", "100000000", "--epochs must be between 1 and 10,000,000, got 100000000"),
    ("--iterations", "0", "--iterations must be between 1 and 10,000,000, got 0"),
    ("--width", "100000", "--width (the map's columns) must be between 1 and 2000, got 100000"),
    ("--height", "0", "--height (the map's rows) must be between 1 and 2000, got 0"),
])
@pytest.mark.parametrize("command", ["table", "palette"])
def test_messages_name_the_option_as_typed(table, tmp_path, capsys, flag, value, words, command):
    # `--epochs 100000000` said "iterations must be between ..." (tester10 #8)
    job = (["train", "--table", str(table), "--save-map", str(tmp_path / "m.somz")] if command == "table"
           else TRAIN[:5])
    assert main(job + [flag, value]) == 2
    assert _error(capsys) == f"error: {words}"


def test_skip_past_the_end_says_so(tmp_path, capsys):
    t = tmp_path / "s.csv"
    t.write_text("a,b\n1,2\n3,4\n")
    for skip in ("3", "1000"):
        assert main(["table", "info", str(t), "--skip", skip]) == 2
        assert f"skipping {int(skip):,} lines leaves nothing to read: the file has 3 lines" in _error(capsys)
    assert main(["table", "info", str(t), "--skip", "2"]) == 0        # one line left: read
    capsys.readouterr()


def _pictures(tmp_path):
    from PIL import Image

    (tmp_path / "basic.gpl").write_text("GIMP Palette\nName: basic\n255 0 0 red\n0 255 0 green\n0 0 255 blue\n")
    Image.fromarray(np.linspace(0, 255, 256).reshape(8, 32).astype("uint8")).save(tmp_path / "grad.png")
    rng = np.random.default_rng(0)
    Image.fromarray((rng.random((200, 200, 3)) * 255).astype("uint8")).save(tmp_path / "photo.jpg")


@pytest.mark.parametrize("name,words", [("basic.gpl", "basic.gpl is a GIMP palette, not a table"),
                                        ("grad.png", "grad.png is a PNG picture, not a table"),
                                        ("photo.jpg", "photo.jpg is a JPEG picture, not a table")])
def test_a_palette_or_picture_given_for_a_table_is_named(table, tmp_path, capsys, name, words):
    # "line 2 has 3 field(s) ... (the delimiter is ?)" / "it contains NUL bytes" (tester10 #7)
    _pictures(tmp_path)
    f = str(tmp_path / name)
    m = tmp_path / "m.somz"
    assert main(["train", "--table", str(table), "--save-map", str(m), *SMALL, "-q"]) == 0
    # in chunks too (review10 #14: "basic.gpl: no numeric columns", DuckDB's "Error when sniffing file")
    for job in (["table", "info", f], ["train", "--table", f, "--save-map", str(tmp_path / "x.somz")],
                ["assign", str(m), f], ["train", "--table", f, "--save-map", str(tmp_path / "x.somz"), "--out-of-core"],
                ["assign", str(m), f, "--out-of-core", "--out", str(tmp_path / "s.csv")]):
        assert main(job) == 2
        assert _error(capsys).startswith(f"error: {words}")


def test_a_palette_among_a_globs_tables_is_named(table, tmp_path, capsys):
    # review10 #14: a palette in data/*: "every file of data/* must hold the columns used"
    _pictures(tmp_path)
    d = tmp_path / "data"
    d.mkdir()
    (d / "a.csv").write_bytes(table.read_bytes())
    (d / "basic.gpl").write_bytes((tmp_path / "basic.gpl").read_bytes())
    assert main(["train", "--table", str(d / "*"), "--save-map", str(tmp_path / "x.somz"), "--out-of-core"]) == 2
    assert _error(capsys).endswith("holds a file that is not a table: basic.gpl is a GIMP palette, not a table: "
                                   "see it with somdesk palette info basic.gpl, or train on it with somdesk train "
                                   "--palette basic.gpl")


def test_top_items_to_a_pipe_still_works(tmp_path):
    # review10 #9: the .csv-only rule refused `--top-items /dev/stdout`, which worked on main
    import subprocess
    import sys

    t = tmp_path / "r.csv"
    pd.DataFrame({"u1": [5, 4, 1, 2] * 5, "u2": [1, 2, 5, 4] * 5}).to_csv(t, index=False)
    r = subprocess.run([sys.executable, "-m", "somdesk", "train", "--table", str(t), "--save-map",
                        str(tmp_path / "m.somz"), *SMALL, "--top-items", "/dev/stdout"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith("segment") or "," in r.stdout.splitlines()[0]
    assert "epochs on 20 rows" in r.stderr and "epochs on" not in r.stdout


def test_profiles_to_a_device_says_why(table, tmp_path, capsys):
    assert main(["train", "--table", str(table), "--save-map", str(tmp_path / "m.somz"), *SMALL,
                 "--profiles", "/dev/null"]) == 2
    assert "cannot sit beside a device" in _error(capsys)


@pytest.mark.parametrize("chunks", [[], ["--out-of-core"]])
def test_one_row_left_by_missing_drop_is_refused_saying_so(tmp_path, capsys, chunks):
    # review10 #8: "it has 1 row" of a 3-row file, and out of core it trained on that 1 row
    t, m = tmp_path / "drop1.csv", tmp_path / "m.somz"
    t.write_text("a,b\n1,2\n3,\n5,\n")
    # b is named: a mostly missing column is not a default column (tester9 #10)
    assert main(["train", "--table", str(t), "--columns", "a,b", "--missing", "drop", "--save-map", str(m),
                 *chunks]) == 2
    msg = _error(capsys)
    assert "dropping the rows with a missing value (missing: drop) left 1 of 3 rows, so every column" in msg, msg
    assert "fill the missing values" in msg and not m.exists()
