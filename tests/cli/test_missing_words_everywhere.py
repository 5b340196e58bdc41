"""fixQ2 (testerI #2, #4, #5, 8a): a missing-value word reads the same everywhere -- in any case
and with the spaces around a cell ignored, in memory and out of core; the zeros advice names the
spellings the file holds; --also-missing / --missing-values given twice add up."""
from __future__ import annotations

import csv
import random

import pytest

from somdesk.cli import main


def _padded_csv(path, zero="0"):
    """300 rows of ratings 1..5 in a..d, about a fifth "not rated": written `zero`, ` 0`, `0 ` or NA."""
    rng = random.Random(3)
    lines = ["a,b,c,d"]
    for _ in range(300):
        cells = []
        for _ in range(4):
            r = rng.random()
            cells.append(str(rng.randint(1, 5)) if r > 0.2 else zero if r > 0.12 else
                         f" {zero}" if r > 0.06 else f"{zero} " if r > 0.03 else "NA")
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n")
    return path


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("extra", [[], ["--chunk-rows", "50"]])
def test_out_of_core_assign_reads_padded_words_as_in_memory(tmp_path, capsys, extra):
    # testerI #4: ` 0` was missing in memory, the number 0 out of core (DuckDB's nullstr matches
    # cells as written): `present` differed on those rows and their nodes with it
    data = _padded_csv(tmp_path / "r.csv")
    tm = tmp_path / "m.somz"
    assert main(["train", "--table", str(data), "--also-missing", "0", "--missing", "train", "--width", "3",
                 "--height", "2", "--epochs", "2", "--seed", "1", "--save-map", str(tm), "-q"]) == 0
    mem, ooc = tmp_path / "mem.csv", tmp_path / "ooc.csv"
    assert main(["assign", str(tm), str(data), "--out", str(mem)]) == 0
    assert main(["assign", str(tm), str(data), "--out-of-core", "--out", str(ooc), *extra]) == 0
    a, b = _rows(mem), _rows(ooc)
    assert len(a) == len(b) > 0
    assert [r["present"] for r in a] == [r["present"] for r in b]
    assert [(r["bmu_row"], r["bmu_col"]) for r in a] == [(r["bmu_row"], r["bmu_col"]) for r in b]
    # the padded zeros are missing: some row has fewer than 4 present
    assert any(int(r["present"]) < 4 for r in b)


def _zeros_file(path, zero):
    """ratings_csv with its zeros written `zero` (pandas writes a float column's 0 as `0.0`)."""
    from tests.session.test_sparse_ratings import ratings_csv
    ratings_csv(path)
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0]] + [",".join(zero if c == "0" else c for c in line.split(","))
                                            for line in lines[1:]]) + "\n")
    return path


def _info(capsys, *args):
    import json
    assert main(["table", "info", *args, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    return " ".join(info["warnings"]), sum(c.get("missing", 0) for c in info["columns"])


def test_the_zeros_advice_names_the_files_spelling_and_works(tmp_path, capsys):
    # testerI #2: zeros written 0.0 were advised `--also-missing 0`, which matches the text 0 only
    path = _zeros_file(tmp_path / "r.csv", "0.0")
    said, before = _info(capsys, str(path))
    assert "--also-missing 0.0" in said and "--also-missing 0 " not in said and "--also-missing 0;" not in said, said
    advised, after = _info(capsys, str(path), "--also-missing", "0.0")
    assert "not rated" not in advised and after > before
    # a file writing 0 gets the plain words, as before
    plain = _zeros_file(tmp_path / "p.csv", "0")
    said, _ = _info(capsys, str(plain))
    assert "read it as missing with --also-missing 0" in said, said


def test_missing_words_given_twice_add_up(tmp_path, capsys):
    # testerI 8a: `--also-missing 0 --also-missing x` kept only x
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,0\n2,x\n3,5\n4,NA\n5, X \n6,2\n")
    _, one = _info(capsys, str(path), "--also-missing", "0,x")
    _, two = _info(capsys, str(path), "--also-missing", "0", "--also-missing", "x")
    assert one == two == 4                  # 0, x, NA and ` X ` (any case, spaces ignored)
    _, mv = _info(capsys, str(path.with_name("t.csv")), "--missing-values", "0,NA", "--missing-values", "x")
    assert mv == 4


def test_help_says_how_words_match(capsys):
    with pytest.raises(SystemExit):
        main(["table", "info", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert out.count("matched in any letter case, spaces around a cell ignored") == 2
    assert out.count("given twice, the lists add up") == 2
