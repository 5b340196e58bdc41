"""GIMP's `Columns:` display hint is read, written and set by a grid sort."""
import numpy as np
import pytest

from somdesk.io.palettes import read_palette, write_palette
from somdesk.io.palettes.model import Palette


def _gpl(tmp_path, header: str):
    p = tmp_path / "p.gpl"
    p.write_text(f"GIMP Palette\nName: x\n{header}\n#\n255 0 0 red\n0 255 0 green\n")
    return p


def test_columns_round_trip(tmp_path):
    pal = read_palette(_gpl(tmp_path, "Columns: 4"))
    assert pal.columns == 4 and not pal.warnings
    out = tmp_path / "out.gpl"
    write_palette(pal, out)
    assert "Columns: 4\n" in out.read_text()
    assert read_palette(out).columns == 4


@pytest.mark.parametrize("value", ["0", ""])
def test_columns_zero_means_no_hint(tmp_path, value):
    pal = read_palette(_gpl(tmp_path, f"Columns: {value}".rstrip()))
    assert pal.columns is None


@pytest.mark.parametrize("value", ["-3", "999", "wide"])
def test_bad_columns_warn_and_keep_colours(tmp_path, value):
    pal = read_palette(_gpl(tmp_path, f"Columns: {value}"))
    assert pal.columns is None and len(pal) == 2
    assert any("Columns" in w for w in pal.warnings)


def test_grid_sort_writes_its_width(tmp_path):
    from somdesk.core.colour_sort import sort_palette
    rng = np.random.default_rng(1)
    pal = Palette.from_array(rng.random((12, 3)))
    grid, res = sort_palette(pal, layout="grid", seed=0)
    assert grid.columns == res.columns and res.columns > 1
    strip, _ = sort_palette(pal, layout="strip", seed=0)
    assert strip.columns is None
    out = tmp_path / "g.gpl"
    write_palette(grid, out)
    assert f"Columns: {res.columns}\n" in out.read_text()
