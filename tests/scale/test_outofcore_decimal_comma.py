"""tester9 #9: out of core (one file, a glob) trains a decimal-comma table on the same columns
as in memory, and the map keeps the number format."""
import numpy as np
import pytest

from somdesk.io.tables.table import read_table
from somdesk.session.outofcore_table import StreamingTableRun, train_table_map_streaming
from somdesk.session.table_data import TableMapSpec, train_table_map


def _euro(path, seed, n=200):
    rng = np.random.default_rng(seed)
    lines = ["cust;income;age;spend;churn"]
    for i in range(n):
        inc = rng.uniform(20_000, 90_000)
        sp = rng.uniform(100, 5_000)
        whole, frac = f"{inc:.2f}".split(".")
        w2, f2 = f"{sp:.2f}".split(".")
        lines.append(f"C{i};{int(whole):,}".replace(",", ".") + f",{frac};{rng.integers(18, 80)};"
                     + f"{int(w2):,}".replace(",", ".") + f",{f2};{rng.integers(0, 2)}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_one_file_out_of_core_trains_on_the_in_memory_columns(tmp_path):
    f = _euro(tmp_path / "eu.csv", 1)
    spec = TableMapSpec(seed=1)
    mem, _ = train_table_map(read_table(f), spec)
    ooc = train_table_map_streaming(str(f), spec)
    assert tuple(ooc.recipe.features) == tuple(mem.recipe.features)
    assert "income" in ooc.recipe.features and "spend" in ooc.recipe.features
    assert ooc.number_format["decimal"] == "," and ooc.number_format["thousands"] == "."
    # the same numbers: the same map
    assert ooc.quantization_error == pytest.approx(mem.quantization_error, rel=1e-6)


def test_glob_of_two_files_and_missing_values(tmp_path):
    d = tmp_path / "eum"
    d.mkdir()
    _euro(d / "a.csv", 2)
    b = _euro(d / "b.csv", 3)
    # a missing income: the drop filter runs on the converted columns
    lines = b.read_text().splitlines()
    parts = lines[3].split(";")
    parts[1] = ""
    lines[3] = ";".join(parts)
    b.write_text("\n".join(lines) + "\n")
    tm = train_table_map_streaming(str(d / "*.csv"), TableMapSpec(seed=1))
    assert tuple(tm.recipe.features) == ("income", "age", "spend", "churn")
    run = StreamingTableRun(str(d / "*.csv"), TableMapSpec(seed=1))     # the window's run
    try:
        assert run.rows == 399 and run.number_format["decimal"] == ","
    finally:
        run.close()


def test_glob_of_files_in_two_number_forms_is_refused(tmp_path):
    from somdesk.errors import FileFormatError
    d = tmp_path / "mix"
    d.mkdir()
    _euro(d / "a.csv", 2)
    (d / "b.csv").write_text("cust;income;age;spend;churn\n" + "".join(f"C{i};1234.5;30;12.5;0\n" for i in range(50)))
    with pytest.raises(FileFormatError, match="write numbers differently"):
        train_table_map_streaming(str(d / "*.csv"), TableMapSpec(seed=1))


def test_cli_out_of_core_saves_the_format(tmp_path, capsys):
    from somdesk.cli import main
    from somdesk.session.scoring import load_table_map
    f = _euro(tmp_path / "eu.csv", 4)
    out = tmp_path / "m.somz"
    assert main(["train", "--table", str(f), "--out-of-core", "--seed", "1", "--save-map", str(out), "-q"]) == 0
    tm = load_table_map(str(out))
    assert "income" in tm.recipe.features and tm.number_format["decimal"] == ","


def _all_comma(path, seed, n=100):
    """`x;y` / `11,04;12,465`: two commas and one ';' a line, DuckDB's sniffer picks ','."""
    rng = np.random.default_rng(seed)
    path.write_text("x;y\n" + "".join(f"{a:.2f};{b:.3f}\n".replace(".", ",")
                                      for a, b in rng.uniform(0, 50, (n, 2))))
    return path


def test_every_number_with_a_decimal_comma_trains_and_scores_in_chunks(tmp_path):
    """review9 #15: the all-text read takes the delimiter and header somdesk sniffs."""
    from somdesk.cli import main
    from somdesk.session.scoring import load_table_map
    d = tmp_path / "gl"
    d.mkdir()
    a = _all_comma(d / "a.csv", 5)
    _all_comma(d / "b.csv", 6)
    mem, _ = train_table_map(read_table(a), TableMapSpec(seed=1))
    ooc = train_table_map_streaming(str(a), TableMapSpec(seed=1))
    assert tuple(ooc.recipe.features) == tuple(mem.recipe.features) == ("x", "y")
    assert ooc.quantization_error == pytest.approx(mem.quantization_error, rel=1e-6)
    glob_map = tmp_path / "g.somz"
    assert main(["train", "--table", str(d / "*.csv"), "--out-of-core", "--seed", "1", "--save-map",
                 str(glob_map), "-q"]) == 0
    assert tuple(load_table_map(str(glob_map)).recipe.features) == ("x", "y")
    from somdesk.session.scoring import save_table_map
    save_table_map(mem, str(tmp_path / "m.somz"))
    out = tmp_path / "s.csv"
    assert main(["assign", str(tmp_path / "m.somz"), str(d / "*.csv"), "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 201
