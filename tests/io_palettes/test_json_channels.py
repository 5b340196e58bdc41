"""JSON colours as channel objects and channel lists (tester6 F52), read as the CSV reader reads
r,g,b columns: 0..255 numbers, or 0..1 fractions when every channel is in 0..1 and some is
written with a decimal point; alpha a fraction when at most 1; out-of-range clamped with a
warning; and such a JSON opens as a palette in the window, not as a table."""
from __future__ import annotations

import json

import pytest

from somdesk.errors import SomdeskError
from somdesk.io.palettes import read_palette, read_palettes


def _read(tmp_path, doc, name="p.json"):
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return read_palette(path)


def _rgb(pal):
    return [s.rgb for s in pal.swatches]


@pytest.mark.parametrize("doc", [
    [{"r": 255, "g": 0, "b": 0, "name": "red"}, {"r": 0, "g": 128, "b": 255, "name": "blue"}],
    {"colors": [{"r": 255, "g": 0, "b": 0, "name": "red"}, {"r": 0, "g": 128, "b": 255, "name": "blue"}]},
    {"name": "web", "colours": [{"Red": 255, "Green": 0, "Blue": 0, "name": "red"},
                                {"red": 0, "green": 128, "blue": 255, "name": "blue"}]},
    {"red": [255, 0, 0], "blue": {"r": 0, "g": 128, "b": 255}},       # name -> colour
])
def test_channel_objects_as_web_tools_write_them(tmp_path, doc):
    pal = _read(tmp_path, doc)
    assert _rgb(pal) == [(255, 0, 0), (0, 128, 255)]
    assert [s.name for s in pal.swatches] == ["red", "blue"]
    assert pal.warnings == ()


def test_channel_lists_with_and_without_alpha(tmp_path):
    pal = _read(tmp_path, [[255, 0, 0], [0, 255, 0], [0, 0, 255, 128], [10, 20, 30, 0.5]])
    assert _rgb(pal) == [(255, 0, 0), (0, 255, 0), (0, 0, 255), (10, 20, 30)]
    assert [s.alpha for s in pal.swatches] == [255, 255, 128, 128]


@pytest.mark.parametrize("doc, rgb", [
    ([[1.0, 0.5, 0], [0, 0, 1]], [(255, 128, 0), (0, 0, 255)]),                    # fractions
    ([{"r": 0.2, "g": 0.4, "b": 0.6}], [(51, 102, 153)]),
    ([[1, 0, 0], [0, 0, 1]], [(1, 0, 0), (0, 0, 1)]),                              # integers: 0..255
    ([[1.0, 0.5, 0], [0, 0, 2]], [(1, 1, 0), (0, 0, 2)]),          # one over 1: bytes (0.5 rounds up)
])
def test_the_scale_is_decided_once_per_palette_as_for_csv_columns(tmp_path, doc, rgb):
    assert _rgb(_read(tmp_path, doc)) == rgb


def test_tinycolor_alpha_one_is_opaque_and_zero_transparent(tmp_path):
    pal = _read(tmp_path, [{"r": 255, "g": 0, "b": 0, "a": 1}, {"r": 0, "g": 0, "b": 0, "a": 0},
                           {"r": 9, "g": 9, "b": 9, "alpha": 200}])
    assert [s.alpha for s in pal.swatches] == [255, 0, 200]


def test_out_of_range_channels_are_clamped_with_a_warning(tmp_path):
    pal = _read(tmp_path, [{"r": 300, "g": -2, "b": 7.6}])
    assert _rgb(pal) == [(255, 0, 8)]
    assert any("r 300 is outside 0..255" in w for w in pal.warnings)
    assert any("g -2 is outside 0..255" in w for w in pal.warnings)


@pytest.mark.parametrize("doc, what", [
    ('[{"r": "255", "g": 0, "b": 0}]', "[0]: channel 'r' must be a number, found '255'"),
    ('[{"r": 1, "g": true, "b": 0}]', "[0]: channel 'g' must be a number"),
    ('[{"r": NaN, "g": 0, "b": 0}]', "[0]: channel 'r' must be a number"),
    ('[[0, 0, 0], {"r": 1, "g": 2, "b": Infinity}]', "[1]: channel 'b' must be a number"),
    ('[{"r": 1, "g": 2, "b": 3, "a": "x"}]', "[0]: channel 'alpha' must be a number"),
    ('[{"r": 1, "g": 2}]', "[0] has no 'hex' (or 'color') key, nor 'r', 'g', 'b' channels"),
])
def test_bad_channels_name_the_place(tmp_path, doc, what):
    with pytest.raises(SomdeskError, match=None) as info:
        _read(tmp_path, doc)
    assert what in str(info.value)


def test_a_collection_of_channel_list_palettes(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps([[[255, 0, 0], [0, 0, 0]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]))
    pals = read_palettes(path)
    assert [len(p.swatches) for p in pals] == [2, 3] and pals[0].swatches[0].rgb == (255, 0, 0)


@pytest.mark.parametrize("doc, kind", [
    ([{"r": 255, "g": 0, "b": 0, "name": "red"}] * 3, "palette"),
    ({"colors": [{"r": 255, "g": 0, "b": 0}]}, "palette"),
    ([[255, 0, 0], [0, 255, 0]], "palette"),
    ([{"r": 255, "g": 0, "b": 0, "a": 0.5, "group": "warm"}], "palette"),
    ([{"id": 1, "r": 2, "g": 3, "b": 4}], "table"),          # a table's record with r, g, b fields
    ([{"r": "high", "g": "low", "b": "mid"}], "table"),
])
def test_the_window_opens_channel_json_as_a_palette_and_records_with_more_numbers_as_a_table(tmp_path, doc, kind):
    from somdesk.session.opening import sniff_kind

    path = tmp_path / "x.json"
    path.write_text(json.dumps(doc))
    assert sniff_kind(path) == kind
