"""fixV: `--also-missing` adds cell texts to the missing-value words in force (the defaults, those of
--missing-values, or, scoring, the map's own table's), where `--missing-values` replaces them -- a
ratings table with both NA and 0 for "not rated" kept its NA columns numeric only with the first.
Every zeros warning names it; `somdesk assign` gives that warning too (in memory, in chunks, on
Dask), and Dask scoring warns of a placing column blank in every row as the other paths do."""
from __future__ import annotations

import csv
import json

import pytest

from somdesk.cli import main
from somdesk.io.tables.options import DEFAULT_MISSING, MISSING_TOKENS, ReadOptions
from somdesk.session.table_data import options_from_dict, options_to_dict
from tests.session.test_sparse_ratings import ratings_csv


def _with_na(path):
    """ratings_csv, its blank cells written NA (another file's way of saying "not rated")."""
    lines = path.read_text().splitlines()
    out = [lines[0]] + [",".join(c if c else "NA" for c in line.split(",")) for line in lines[1:]]
    path.write_text("\n".join(out) + "\n")
    return path


def _types(capsys, *args):
    assert main(["table", "info", *args, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    return {c["name"]: c["type"] for c in info["columns"]}, " ".join(info["warnings"])


# ---- the option ---------------------------------------------------------------------------------

def test_read_options_add_to_the_words_in_force():
    o = ReadOptions(also_missing="0, ,x").checked()
    assert o.also_missing == ("0", "x")                        # split, stripped, the empty text dropped
    assert o.missing_texts == DEFAULT_MISSING + ("0", "x")
    assert o.missing_tokens == MISSING_TOKENS | {"0", "x"}
    both = ReadOptions(missing=("-999",), also_missing=("0",)).checked()
    assert both.missing_texts == ("-999", "0") and both.missing_tokens == {"", "-999", "0"}
    assert ReadOptions().checked().missing_texts is None and ReadOptions().missing_tokens == MISSING_TOKENS
    # a saved map records the words in force in the one field every version reads
    saved = options_to_dict(o)
    assert "also_missing" not in saved and saved["missing"] == list(DEFAULT_MISSING) + ["0", "x"]
    assert options_from_dict(saved).missing_tokens == o.missing_tokens


def test_also_missing_keeps_the_defaults_where_missing_values_replaces_them(tmp_path, capsys):
    path = str(_with_na(ratings_csv(tmp_path / "r.csv")))
    types, err = _types(capsys, path)
    assert types["item0"] == "numeric" and "--also-missing 0" in err and "--missing-values" not in err
    # the documented contract: the given list replaces NA & co, so the NA columns are text
    types, _ = _types(capsys, path, "--missing-values", "0")
    assert types["item0"] != "numeric"
    types, err = _types(capsys, path, "--also-missing", "0")
    assert types["item0"] == "numeric" and "not rated" not in err
    # with --missing-values, it adds to those: -999 and 0, and NA is text again
    types, _ = _types(capsys, path, "--missing-values", "-999", "--also-missing", "0")
    assert types["item0"] != "numeric"
    types, _ = _types(capsys, path, "--missing-values", "NA,-999", "--also-missing", "0")
    assert types["item0"] == "numeric"


@pytest.mark.parametrize("command", [["table", "info", "F"], ["train", "--table", "F"], ["assign", "M", "F"]])
def test_every_command_with_missing_values_takes_also_missing(command, capsys):
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    text = capsys.readouterr().out
    assert "--missing-values" in text and "--also-missing" in text


def test_training_in_chunks_refuses_it_as_it_refuses_missing_values(tmp_path, capsys):
    path = str(ratings_csv(tmp_path / "r.csv"))
    assert main(["train", "--table", path, "--out-of-core", "--missing", "train", "--also-missing", "0",
                 "--save-map", str(tmp_path / "m.somz")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --also-missing cannot be used when training in chunks"), err


# ---- scoring ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ratings_map(tmp_path_factory):
    folder = tmp_path_factory.mktemp("also")
    path = ratings_csv(folder / "r.csv")
    m = str(folder / "m.somz")
    assert main(["train", "--table", str(path), "--missing", "train", "--width", "3", "--height", "2",
                 "--epochs", "2", "--seed", "1", "--save-map", m, "-q"]) == 0
    return folder, str(path), m


def _assign(capsys, *args):
    capsys.readouterr()
    code = main(["assign", *args])
    err = capsys.readouterr().err
    assert code == 0, err
    return [w for w in err.splitlines() if w.startswith("warning:")]


@pytest.mark.parametrize("how", [[], ["--out-of-core", "--chunk-rows", "7"], ["glob"]])
def test_assign_warns_of_zeros_once_as_train_does(ratings_map, tmp_path, capsys, how):
    folder, path, m = ratings_map
    data = path if how != ["glob"] else str(folder / "r*.csv")
    warned = _assign(capsys, m, data, "--out", str(tmp_path / "s.csv"), *[h for h in how if h != "glob"])
    zeros = [w for w in warned if "not rated" in w]
    assert len(zeros) == 1, warned
    assert "0 may mean 'not rated' in 8 columns (other values 1-5)" in zeros[0] and "--also-missing 0" in zeros[0]
    # read so, the zeros are gone and so is the warning; the map's own words (the defaults) are kept
    warned = _assign(capsys, m, data, "--out", str(tmp_path / "s.csv"), "--also-missing", "0",
                     *[h for h in how if h != "glob"])
    assert not any("not rated" in w for w in warned), warned


def test_assign_adds_to_the_maps_own_words(tmp_path, capsys):
    rows = [["a", "b"]] + [[str(i % 7), str((i * 3) % 5)] for i in range(40)]
    with open(tmp_path / "t.csv", "w", newline="") as f:
        csv.writer(f).writerows(rows)
    m = str(tmp_path / "m.somz")
    assert main(["train", "--table", str(tmp_path / "t.csv"), "--missing-values", "-999", "--missing", "mean",
                 "--width", "2", "--height", "2", "--epochs", "2", "--save-map", m, "-q"]) == 0
    with open(tmp_path / "new.csv", "w", newline="") as f:
        csv.writer(f).writerows([["a", "b"], ["-999", "1"], ["0", "2"], ["3", "4"]])
    for extra in ([], ["--out-of-core"]):
        _assign(capsys, m, str(tmp_path / "new.csv"), "--out", str(tmp_path / "s.csv"), "--also-missing", "0", *extra)
        present = [r["present"] for r in csv.DictReader(open(tmp_path / "s.csv", newline=""))]
        assert present == ["1", "1", "2"], (extra, present)     # -999 (the map's) and 0 (added) both missing


# ---- Dask ---------------------------------------------------------------------------------------

def test_dask_scoring_warns_of_zeros_and_blank_columns(ratings_map, tmp_path, capsys):
    pytest.importorskip("distributed")
    folder, path, m = ratings_map
    lines = open(path).read().splitlines()
    # item7 blank in every row: scored as missing, said once, as in memory and in chunks
    blank = [lines[0]] + [",".join(line.split(",")[:-1] + [""]) for line in lines[1:]]
    (tmp_path / "blank.csv").write_text("\n".join(blank) + "\n")
    data = str(tmp_path / "blank.csv")
    expected = {}
    for how in ([], ["--out-of-core", "--chunk-rows", "9"]):
        warned = _assign(capsys, m, data, "--out", str(tmp_path / "s.csv"), *how)
        expected[bool(how)] = sorted(w for w in warned if "not rated" in w or "no values" in w)
    warned = _assign(capsys, m, data, "--dask", "local:1", "--chunk-rows", "9", "--out", str(tmp_path / "parts"))
    got = sorted(w for w in warned if "not rated" in w or "no values" in w)
    assert len(got) == 2 and any("'item7' has no values" in w for w in got), warned
    assert got == expected[True] == expected[False]
