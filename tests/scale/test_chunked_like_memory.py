"""The chunked reader (io.chunked, `--out-of-core`) reads a file as the in-memory reader does:
the same columns, values and messages (review10 #12, #14, #16: the second read path missed the
in-memory reader's fixes)."""
from __future__ import annotations

import json

import numpy as np

from somdesk.cli import main
from somdesk.io.chunked import ChunkedTable
from somdesk.io.table import read_table


def _sklearn_csv(path, rows: int = 60) -> str:
    """A scikit-learn style CSV: `rows,4,setosa,versicolor,virginica` above headerless numbers
    whose last column is the class (0, 1, 2)."""
    rng = np.random.default_rng(0)
    lines = [f"{rows},4,setosa,versicolor,virginica"]
    for i in range(rows):
        k = i % 3
        lines.append(",".join(f"{x:.2f}" for x in rng.normal(k, 0.3, 4)) + f",{k}")
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_a_scikit_learn_csv_has_the_in_memory_columns_and_values(tmp_path):
    path = _sklearn_csv(tmp_path / "iris.csv")
    mem = read_table(path)
    with ChunkedTable.open(path) as src:
        assert src.columns == list(mem.columns) == ["column0", "column1", "column2", "column3", "column4"]
        assert src.rows == 60 and src.metadata == "60,4,setosa,versicolor,virginica"
        got = np.concatenate([src.read(p) for p in src.partitions])
    want = mem.matrix(list(mem.columns))
    np.testing.assert_array_equal(got, want)


def test_out_of_core_leaves_the_class_target_out_and_scores_as_in_memory(tmp_path, capsys):
    path = _sklearn_csv(tmp_path / "iris.csv")
    metrics = tmp_path / "m.json"
    mem_map, ooc_map = tmp_path / "mem.somz", tmp_path / "ooc.somz"
    assert main(["train", "--table", path, "--width", "4", "--height", "4", "--epochs", "3", "--seed", "1",
                 "--save-map", str(mem_map)]) == 0
    mem_said = capsys.readouterr()
    assert main(["train", "--table", path, "--out-of-core", "--width", "4", "--height", "4", "--epochs", "3",
                 "--seed", "1", "--save-map", str(ooc_map), "--metrics-json", str(metrics)]) == 0
    assert json.loads(metrics.read_text())["features"] == ["column0", "column1", "column2", "column3"]
    # the class target is the default label both ways (left14), so not warned of as left out
    ooc_said = capsys.readouterr()
    for said in (mem_said, ooc_said):
        assert "label: column4 (the default" in said.out + said.err and "class target" not in said.err
    assert main(["train", "--table", path, "--out-of-core", "--no-label", "--width", "4", "--height", "4",
                 "--epochs", "3", "--seed", "1", "--save-map", str(ooc_map)]) == 0
    assert "'column4' (the class target of the file's scikit-learn metadata line" in capsys.readouterr().err
    # a map trained in memory scores the same file in chunks, with the same scores
    mem_out, ooc_out = tmp_path / "a_mem.csv", tmp_path / "a_ooc.csv"
    assert main(["assign", str(mem_map), path, "--out", str(mem_out)]) == 0
    assert main(["assign", str(mem_map), path, "--out-of-core", "--out", str(ooc_out)]) == 0
    assert ooc_out.read_text() == mem_out.read_text()


def _error(capsys) -> str:
    return capsys.readouterr().err.strip().splitlines()[-1]


def test_malformed_json_is_refused_in_the_in_memory_words(tmp_path, capsys):
    # DuckDB: 'Invalid Input Error: Malformed JSON in file "bad.json", at byte 12 in line 6' (one too high)
    bad = tmp_path / "bad.json"
    bad.write_text("".join(f'{{"a":{i},"b":{i + 1}}}\n' for i in range(4)) + '{"a":5,"b" 6}\n{"a":6,"b":7}\n')
    assert main(["train", "--table", str(bad), "--save-map", str(tmp_path / "m.somz")]) == 2
    in_memory = _error(capsys)
    assert in_memory.endswith("line 5 is not valid JSON (unexpected character)")
    assert main(["train", "--table", str(bad), "--out-of-core", "--save-map", str(tmp_path / "m.somz")]) == 2
    assert _error(capsys) == in_memory
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "bad.json").write_bytes(bad.read_bytes())
    assert main(["train", "--table", str(tmp_path / "g" / "*.json"), "--out-of-core",
                 "--save-map", str(tmp_path / "m.somz")]) == 2
    assert _error(capsys).endswith("line 5 is not valid JSON (unexpected character)")
