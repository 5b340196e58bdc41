"""Training in chunks takes --decimal / --thousands (it refused them), and training and scoring in
chunks check a glob's number formats with one function (session.outofcore_format)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.errors import FileFormatError
from somdesk.session.scoring import load_table_map


def _ambiguous(path, seed, n=150):
    """`80.261;5`: numbers that show no decimal comma -- a sniffer reads 80.261 as a fraction."""
    rng = np.random.default_rng(seed)
    path.write_text("qty;price;n\n" + "".join(f"{int(q)}.{int(r):03d};{int(p)};{k}\n" for q, r, p, k in zip(
        rng.integers(1, 90, n), rng.integers(0, 1000, n), rng.integers(1, 9, n), rng.integers(0, 5, n))))
    return path


def _metrics(path):
    return json.loads(path.read_text())


def test_out_of_core_takes_the_separators_given(tmp_path, capsys):
    f = _ambiguous(tmp_path / "t.csv", 1)
    args = ["--decimal", ",", "--thousands", ".", "--width", "3", "--height", "3", "--epochs", "3", "--seed", "1"]
    assert main(["train", "--table", str(f), *args, "--save-map", str(tmp_path / "mem.somz"),
                 "--metrics-json", str(tmp_path / "mem.json"), "-q"]) == 0
    assert main(["train", "--table", str(f), *args, "--out-of-core", "--save-map", str(tmp_path / "ooc.somz"),
                 "--metrics-json", str(tmp_path / "ooc.json"), "-q"]) == 0
    mem, ooc = load_table_map(tmp_path / "mem.somz"), load_table_map(tmp_path / "ooc.somz")
    # 80.261 is eighty thousand: the offsets are those of whole numbers in the tens of thousands
    assert ooc.recipe.features == mem.recipe.features == ("qty", "price", "n")
    np.testing.assert_allclose(ooc.recipe.offset, mem.recipe.offset, rtol=1e-9)
    assert ooc.recipe.offset[0] > 1000
    assert ooc.number_format == {"decimal": ",", "thousands": ".", "delimiter": ";"}
    assert _metrics(tmp_path / "ooc.json")["quantization_error"] == pytest.approx(
        _metrics(tmp_path / "mem.json")["quantization_error"], rel=1e-6)


def test_given_separators_read_a_glob_that_shows_none(tmp_path):
    d = tmp_path / "g"
    d.mkdir()
    _ambiguous(d / "a.csv", 2)
    _ambiguous(d / "b.csv", 3)
    assert main(["train", "--table", str(d / "*.csv"), "--out-of-core", "--decimal", ",", "--thousands", ".",
                 "--width", "3", "--height", "3", "--epochs", "2", "--save-map", str(tmp_path / "m.somz"),
                 "-q"]) == 0
    assert load_table_map(tmp_path / "m.somz").recipe.offset[0] > 1000


def test_other_reading_options_are_still_refused(tmp_path, capsys):
    f = _ambiguous(tmp_path / "t.csv", 1)
    assert main(["train", "--table", str(f), "--out-of-core", "--decimal", ",", "--skip", "1",
                 "--save-map", str(tmp_path / "m.somz")]) == 2
    err = capsys.readouterr().err
    assert "--skip cannot be used when training in chunks" in err and "--decimal" not in err


def _mixed(d):
    d.mkdir()
    (d / "a.csv").write_text("x;y\n" + "".join(f"{i},5;{i}\n" for i in range(30)))
    (d / "b.csv").write_text("x;y\n" + "".join(f"{i + 1},234.5;{i}\n" for i in range(30)))
    return str(d / "*.csv")


def test_training_and_scoring_refuse_a_mixed_glob_in_the_same_words(tmp_path):
    from somdesk.io.tables.table import read_table
    from somdesk.session.outofcore_table import train_table_map_streaming
    from somdesk.session.scoring import chunked_number_format
    from somdesk.session.table_data import TableMapSpec, train_table_map

    pattern = _mixed(tmp_path / "mix")
    with pytest.raises(FileFormatError) as trained:
        train_table_map_streaming(pattern, TableMapSpec(seed=1, width=2, height=2, epochs=1))
    tab = read_table(tmp_path / "mix" / "a.csv")
    try:
        tm, _ = train_table_map(tab, TableMapSpec(seed=1, width=2, height=2, epochs=1))
    finally:
        tab.close()
    assert tm.number_format["decimal"] == ","
    with pytest.raises(FileFormatError) as scored:
        chunked_number_format(tm, sorted(str(p) for p in (tmp_path / "mix").iterdir()))
    said = "the files write numbers differently (a.csv: decimal ','; b.csv: decimal '.', digit groups ','): "
    assert str(trained.value) == said + "train on them apart"
    assert str(scored.value) == said + "score them apart, or give --decimal and --thousands"


def test_one_function_checks_both():
    import inspect

    from somdesk.session import outofcore_format, scoring
    assert "agreed_number_format" in inspect.getsource(scoring.chunked_number_format)
    assert "agreed_number_format" in inspect.getsource(outofcore_format.text_number_format)
