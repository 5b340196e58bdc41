"""tester12's CLI findings: every line the CLI prints with a user's path shows it in the one
escaped form (io.names.display_name: a newline in a name is '\\n', the line stays one line)."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from somdesk.cli import main

ODD = "new\nline é 表"          # a newline and non-ASCII in a file name (tester12 #8)


def _table(folder):
    path = folder / "d.csv"
    rows = np.random.default_rng(0).random((40, 3))
    path.write_text("a,b,c\n" + "".join(f"{x},{y},{z}\n" for x, y, z in rows))
    return path


def _one_line_naming(err: str, name: str) -> None:
    lines = [ln for ln in err.splitlines() if repr(name) in ln]
    assert lines, err
    assert "line é 表" not in err.replace(repr(name), ""), err      # never the raw name beside it


@pytest.mark.parametrize("extra", [[], ["--out-of-core"]])
def test_train_says_saved_with_the_escaped_name(tmp_path, capsys, extra):
    target = tmp_path / f"{ODD}.somz"
    assert main(["train", "--table", str(_table(tmp_path)), "--width", "3", "--height", "3", "--epochs", "1",
                 "--save-map", str(target), *extra]) == 0
    got = capsys.readouterr()
    _one_line_naming(got.out + got.err, str(target))


def test_palette_convert_and_quantize_name_their_output_escaped(tmp_path, capsys):
    gpl = tmp_path / "p.gpl"
    gpl.write_text("GIMP Palette\nName: p\n#\n255 0 0 red\n0 255 0 green\n")
    out = tmp_path / f"{ODD}.hex"
    assert main(["palette", "convert", str(gpl), str(out)]) == 0
    got = capsys.readouterr()
    _one_line_naming(got.out + got.err, str(out))
    src = tmp_path / "in.png"
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (8, 8, 3), dtype=np.uint8)).save(src)
    png = tmp_path / f"{ODD}.png"
    assert main(["quantize", str(src), str(png), "--colors", "4"]) == 0
    got = capsys.readouterr()
    _one_line_naming(got.out + got.err, str(png))
