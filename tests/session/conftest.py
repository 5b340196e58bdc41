"""Files of every kind for the session tests (no Qt)."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image


@pytest.fixture
def palette_file(tmp_path):
    rng = np.random.default_rng(4)
    rows = "\n".join(f"{r:3d} {g:3d} {b:3d}\tc{k}" for k, (r, g, b) in enumerate(rng.integers(0, 256, (12, 3))))
    path = tmp_path / "twelve.gpl"
    path.write_text("GIMP Palette\nName: twelve\n#\n" + rows + "\n", encoding="utf-8")
    return path


@pytest.fixture
def picture_file(tmp_path):
    """A 120 x 90 picture of six flat colour blocks and some noise."""
    rng = np.random.default_rng(2)
    blocks = rng.integers(0, 256, (6, 3))
    img = np.empty((90, 120, 3), dtype=np.uint8)
    for k in range(6):
        img[(k // 3) * 45:(k // 3 + 1) * 45, (k % 3) * 40:(k % 3 + 1) * 40] = blocks[k]
    img[::7, ::5] = rng.integers(0, 256, img[::7, ::5].shape)
    path = tmp_path / "blocks.png"
    Image.fromarray(img).save(path)
    return path


def write_table(path, n=90, seed=0, columns=("a", "b", "c")):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 5, (3, len(columns)))
    lines = [",".join(columns) + ",size,species"]
    for i in range(n):
        k = i % 3
        vals = centres[k] + rng.normal(0, 0.5, len(columns))
        lines.append(",".join(f"{v:.4f}" for v in vals) + f",{'big' if i % 2 else 'small'},sp{k}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def table_file(tmp_path):
    return write_table(tmp_path / "rows.csv")


@pytest.fixture
def other_table_file(tmp_path):
    return write_table(tmp_path / "other.csv", n=40, seed=9, columns=("x", "y"))
