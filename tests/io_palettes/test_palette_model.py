import dataclasses

import numpy as np
import pytest

from somdesk.errors import FileFormatError, SomdeskError
from somdesk.io.palettes import (FORMATS, READ_FILTERS, WRITE_FILTERS, Palette, PaletteError,
                                 Swatch, format_for_path)


def test_swatch_hex_and_validation():
    assert Swatch((255, 0, 16)).hex == "#ff0010"
    assert Swatch((np.uint8(1), np.int64(2), 3)).rgb == (1, 2, 3)
    with pytest.raises(ValueError):
        Swatch((256, 0, 0))
    with pytest.raises(ValueError):
        Swatch((1, 2))
    with pytest.raises(TypeError):
        Swatch((0.5, 0, 0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        Swatch((0, 0, 0)).rgb = (1, 1, 1)


def test_names_are_normalised():
    assert Swatch((0, 0, 0), "  a\tb\nc \x00").name == "a b c"
    assert Swatch((0, 0, 0), "   ").name is None
    assert Swatch((0, 0, 0), "x" * 1000).name == "x" * 256
    assert Swatch((0, 0, 0), "bad\ud800surrogate").name == "bad\ufffdsurrogate"
    assert Palette((Swatch((0, 0, 0)),), name="\n P \n").name == "P"


def test_palette_basics():
    p = Palette([Swatch((255, 0, 0), "Red"), Swatch((0, 0, 255))], name="P", format="gpl")
    assert isinstance(p.swatches, tuple)
    assert len(p) == 2
    assert p.to_array().dtype == np.float64
    np.testing.assert_allclose(p.to_array(), [[1, 0, 0], [0, 0, 1]])
    assert p.to_json_dict() == {
        "format": "gpl", "name": "P",
        "colors": [{"hex": "#ff0000", "name": "Red"}, {"hex": "#0000ff", "name": None}],
    }
    assert list(p.to_json_dict()) == ["format", "name", "colors"]
    assert Palette(()).to_array().shape == (0, 3)
    with pytest.raises(ValueError):
        Palette((), format="nope")


def test_from_array_clips_and_rounds():
    p = Palette.from_array([[1.2, -0.1, 0.5], [0.002, 0.998, 0.5 / 255]], name="som",
                           names=["a", None])
    assert [s.rgb for s in p.swatches] == [(255, 0, 128), (1, 254, 0)]
    assert p.name == "som" and p.swatches[0].name == "a" and p.format is None
    np.testing.assert_allclose(Palette.from_array(p.to_array()).to_array(), p.to_array())
    with pytest.raises(ValueError):
        Palette.from_array(np.zeros((3, 5)))
    with pytest.raises(ValueError):
        Palette.from_array([[np.nan, 0, 0]])
    with pytest.raises(ValueError):
        Palette.from_array([[0, 0, 0]], names=["a", "b"])


def test_format_ids_and_filters():
    assert FORMATS == ("gpl", "ase", "aco", "jasc-pal", "riff-pal", "paintnet", "hex",
                       "kpl", "soc", "css", "json", "csv", "image", "act", "raw-pal", "scribus", "sbz")
    assert len(READ_FILTERS) == len(FORMATS)
    for label, globs in READ_FILTERS + WRITE_FILTERS:
        assert label and globs and all(g.startswith("*.") for g in globs)
    assert [g for _, gs in WRITE_FILTERS for g in gs] == [
        "*.gpl", "*.hex", "*.ase", "*.aco", "*.pal", "*.css", "*.json", "*.act", "*.sbz"]


def test_error_hierarchy():
    assert issubclass(PaletteError, FileFormatError)
    assert issubclass(PaletteError, SomdeskError)


@pytest.mark.parametrize("path, fmt", [
    ("a.gpl", "gpl"), ("A.GPL", "gpl"), ("x/y.hex", "hex"), ("s.ase", "ase"), ("s.aco", "aco"),
    ("p.pal", "jasc-pal"), ("t.css", "css"), ("t.json", "json"),
])
def test_format_for_path(path, fmt):
    assert format_for_path(path) == fmt


@pytest.mark.parametrize("path", ["a.png", "a.kpl", "noext", "a.txt"])
def test_format_for_path_lists_valid_extensions(path):
    with pytest.raises(PaletteError) as info:
        format_for_path(path)
    msg = str(info.value)
    assert path in msg and ".gpl" in msg and ".aco" in msg and ".json" in msg
