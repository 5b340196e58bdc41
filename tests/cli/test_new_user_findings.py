"""Defects found by trying the headless CLI as a new user with real and hostile files."""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from somdesk.cli import main


@pytest.fixture
def picture(tmp_path):
    rng = np.random.default_rng(0)
    p = tmp_path / "in.png"
    Image.fromarray(rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)).save(p)
    return p


@pytest.mark.parametrize("name", ["out.jpg", "out.gif", "out", "out.png.bak"])
def test_quantize_refuses_an_output_name_that_is_not_png(picture, tmp_path, capsys, name):
    # it used to write PNG bytes under any name (photo.jpg holding a PNG), exit 0
    assert main(["quantize", str(picture), str(tmp_path / name), "--colors", "4", "-q"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and ".png" in err[0]
    assert not (tmp_path / name).exists()


def test_quantize_still_writes_png_and_upper_case_png(picture, tmp_path):
    assert main(["quantize", str(picture), str(tmp_path / "o.PNG"), "--colors", "4", "-q"]) == 0
    assert Path(tmp_path / "o.PNG").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("cell", ["inf", "-inf", "1e400"])
def test_train_table_leaves_out_a_numeric_column_with_an_infinite_value_and_says_so(tmp_path, capsys, cell):
    # the column was silently left out of the map (typed as text), exit 0; then refused (exit 2) while
    # the window still left it out without a word (tester10 #9): now both leave it out with a warning
    p = tmp_path / "t.csv"
    p.write_text(f"a,b\n1,{cell}\n2,3\n4,5\n5,6\n7,1\n")
    assert main(["train", "--table", str(p), "--save-map", str(tmp_path / "m.somz"), "--metrics-json", "-"]) == 0
    out = capsys.readouterr()
    warned = [line for line in out.err.splitlines() if line.startswith("warning: ") and "'b'" in line]
    assert len(warned) == 1 and "infinite" in warned[0] and "left out of the training columns" in warned[0]
    assert '"b"' not in out.out and (tmp_path / "m.somz").exists()


def test_train_table_reads_infinite_cells_as_missing_when_asked(tmp_path, capsys):
    p = tmp_path / "t.csv"
    p.write_text("a,b\n1,inf\n2,3\n4,5\n5,6\n7,1\n")
    assert main(["train", "--table", str(p), "--save-map", str(tmp_path / "m.somz"),
                 "--missing-values", "inf", "--metrics-json", "-"]) == 0
    assert '"b"' in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["train", "--random", "5", "--width", "4", "--height", "4", "--iterations", "5", "--save-map", "{d}/x.png"],
    ["train", "--random", "5", "--width", "4", "--height", "4", "--iterations", "5", "--save-weights", "{d}/x.png"],
    ["train", "--random", "5", "--width", "4", "--height", "4", "--iterations", "5", "--out", "{d}/x.jpg"],
    ["train", "--table", "{d}/t.csv", "--save-map", "{d}/x.png"],
])
def test_outputs_named_for_another_format_are_refused(tmp_path, capsys, argv):
    # a .somz zip was written as x.png, an .npy as x.png, exit 0
    (tmp_path / "t.csv").write_text("a,b\n1,2\n3,4\n5,7\n8,1\n")
    assert main([a.format(d=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")
    assert not any(p.name.startswith("x") for p in tmp_path.iterdir())
