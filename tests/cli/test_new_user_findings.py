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
