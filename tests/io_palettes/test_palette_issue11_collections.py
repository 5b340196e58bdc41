"""Collections: one file, many palettes.  The library API (read_palettes,
read_palette(index=)), JSON and CSV shapes, and `palette info/convert --index`."""
import argparse
import json

import pytest

from somdesk.cli_palette import register
from somdesk.errors import SomdeskError
from somdesk.io.palettes import (PaletteError, pick_palette, read_palette, read_palette_bytes,
                                 read_palettes, read_palettes_bytes)

from _palette_testutil import check_outcome, fixture_path


def hexes(p):
    return [s.hex for s in p.swatches]


def run(*argv):
    parser = argparse.ArgumentParser(prog="somdesk")
    register(parser.add_subparsers(dest="command"))
    ns = parser.parse_args(list(argv))
    return ns.func(ns)


# -- JSON -------------------------------------------------------------------------------
def test_json_array_of_arrays():
    palettes = read_palettes(fixture_path("nice_lists.json"))
    assert [len(p) for p in palettes] == [3, 2, 4]
    assert [p.name for p in palettes] == [None, None, None]
    assert hexes(palettes[1]) == ["#fe4365", "#fc9d9a"]
    assert all(p.format == "json" for p in palettes)


def test_json_object_of_lists_names_by_key_and_warns_about_other_keys():
    palettes = read_palettes(fixture_path("named_lists.json"))
    assert [p.name for p in palettes] == ["Sunset", "Ocean"]
    assert hexes(palettes[1]) == ["#0000ff", "#0080ff"]
    assert [s.alpha for s in palettes[1].swatches] == [255, 0xcc]
    assert palettes[0].warnings == ("key 'version' (a number) is not a list of colours; ignored",)


def test_json_list_of_palette_objects_and_name_maps():
    warm, cool = read_palettes(fixture_path("palette_objects.json"))
    assert warm.name == "Warm" and [(s.hex, s.name, s.alpha) for s in warm.swatches] == [
        ("#ff0000", None, 255), ("#ff8000", "Orange", 64)]
    assert cool.name == "Cool" and [(s.hex, s.name) for s in cool.swatches] == [
        ("#0000ff", "Blue"), ("#008080", "Teal")]
    (single,) = read_palettes(fixture_path("name_map.json"))
    assert [(s.hex, s.name, s.alpha) for s in single.swatches] == [
        ("#ff0000", "Red", 255), ("#00ff00", "Half green", 128)]


def test_json_nested_collection_under_a_key():
    data = b'{"palettes": [["#ff0000"], {"name": "B", "colors": ["#00ff00"]}]}'
    palettes = read_palettes_bytes(data, "x.json")
    assert [(p.name, hexes(p)) for p in palettes] == [("palettes 1", ["#ff0000"]),
                                                      ("B", ["#00ff00"])]


def test_json_single_palette_shapes_are_still_one_palette():
    assert len(read_palettes(fixture_path("object.json"))) == 1
    assert len(read_palettes(fixture_path("list.json"))) == 1


def test_json_empty_palettes_in_a_collection_are_skipped_with_a_warning():
    palettes = read_palettes_bytes(b'[["#ff0000"], [], ["#00ff00"]]', "x.json")
    assert [hexes(p) for p in palettes] == [["#ff0000"], ["#00ff00"]]
    assert palettes[0].warnings == ("palette 2 has no colours; skipped",)


@pytest.mark.parametrize("data, what", [
    (b'{"author": "me", "year": 2020}',
     "a JSON object with keys 'author', 'year' holds no colours: expected a 'colors' list"),
    (b'{}', "a JSON object with no keys holds no colours"),
    (b'{"colors": "#ff0000"}', "'colors' must be a list of colours, found a string"),
    (b'{"Sunset": ["#ff0000", "nope"]}', "['Sunset'][1]: 'nope' is not a hex colour"),
    (b'[{"name": "A", "colors": ["#f00"]}, {"name": "B"}]', "[1]: expected a list of colours"),
    (b'[{"hex": "#f00", "alpha": 300}]', "[0]: 'alpha' must be a number 0..255"),
])
def test_json_messages_name_the_structure_found(data, what):
    result = check_outcome(read_palette_bytes, data, "bad.json")
    assert isinstance(result, PaletteError) and what in str(result), result
    assert "colors[0]" not in str(result) or data.startswith(b'{"colors"')


# -- CSV ---------------------------------------------------------------------------------
def test_csv_list_column_one_palette_per_row():
    palettes = read_palettes(fixture_path("rows_lists.csv"))
    assert [p.name for p in palettes] == ["Abbott", "Glass", "Acadia"]
    assert hexes(palettes[0]) == ["#950404", "#e04b28", "#c38961"]
    assert [s.alpha for s in palettes[1].swatches] == [0, 0x80]       # 8-digit hex = RGBA
    assert any("row 3 ('Empty') has no colours; skipped" in w for w in palettes[0].warnings)


def test_csv_list_column_without_header_names_rows_by_the_other_cell():
    data = b"\"['#ff0000', '#00ff00']\",first\n\"('#0000ff',)\",second\n"
    palettes = read_palettes_bytes(data, "x.csv")
    assert [(p.name, hexes(p)) for p in palettes] == [("first", ["#ff0000", "#00ff00"]),
                                                      ("second", ["#0000ff"])]


def test_csv_row_without_a_list_is_an_error_naming_the_line():
    data = b"name,palette\nA,\"['#ff0000', '#00ff00']\"\nB,#123\n"
    result = check_outcome(read_palette_bytes, data, "x.csv")
    assert isinstance(result, PaletteError)
    assert "line 3" in str(result) and "column 2: expected a list of hex colours" in str(result)


# -- API -------------------------------------------------------------------------------------
def test_read_palette_index_picks_and_range_is_checked():
    assert read_palette(fixture_path("nice_lists.json"), index=2).swatches[0].hex == "#ecd078"
    assert read_palette(fixture_path("nice_lists.json")) == read_palettes(
        fixture_path("nice_lists.json"))[0]
    with pytest.raises(PaletteError, match=r"holds 3 palettes; index 3 is out of range \(use 0..2\)"):
        read_palette(fixture_path("nice_lists.json"), index=3)
    with pytest.raises(PaletteError, match=r"holds 1 palette; index -1 is out of range \(use 0\)"):
        read_palette(fixture_path("gpl_rgba.gpl"), index=-1)
    with pytest.raises(TypeError):
        pick_palette(read_palettes(fixture_path("gpl_rgba.gpl")), 0.0)


def test_every_single_palette_format_is_a_one_item_collection():
    for name in ("gpl_rgba.gpl", "ase_groups.ase", "krita_groups.kpl", "act_plain.act",
                 "scribus_set.xml", "indexed.png"):
        palettes = read_palettes(fixture_path(name))
        assert len(palettes) == 1 and palettes[0] == read_palette(fixture_path(name))


# -- CLI ----------------------------------------------------------------------------------------
def test_info_json_reports_palettes_and_names(capsys):
    assert run("palette", "info", fixture_path("named_lists.json"), "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["palettes"] == 2 and doc["palette_names"] == ["Sunset", "Ocean"]
    assert doc["index"] == 0 and doc["name"] == "Sunset"
    assert [c["hex"] for c in doc["colors"]] == ["#ff4500", "#ff8c00", "#ffd700"]


def test_info_index_picks_another_and_alpha_is_reported(capsys):
    assert run("palette", "info", fixture_path("named_lists.json"), "--json", "--index", "1") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["index"] == 1 and doc["name"] == "Ocean"
    assert doc["colors"] == [{"hex": "#0000ff", "name": None},
                             {"hex": "#0080ff", "name": None, "alpha": 204}]
    assert run("palette", "info", fixture_path("nes_512.pal")) == 0
    assert "Palettes: 8 (showing index 0" in capsys.readouterr().out


def test_info_index_out_of_range_is_one_clean_error():
    with pytest.raises(SomdeskError, match="index 5 is out of range"):
        run("palette", "info", fixture_path("nice_lists.json"), "--index", "5")


def test_convert_index_writes_the_chosen_palette(tmp_path, capsys):
    out = tmp_path / "ocean.gpl"
    assert run("palette", "convert", fixture_path("named_lists.json"), str(out),
               "--index", "1") == 0
    back = read_palette(out)
    assert hexes(back) == ["#0000ff", "#0080ff"] and back.name == "Ocean"
    assert [s.alpha for s in back.swatches] == [255, 204]
    err = capsys.readouterr().err
    assert "holds 2 palettes; converting index 1" in err


def test_csv_unknown_layout_names_the_first_row():
    result = check_outcome(read_palette_bytes, b"colour_name;value\nred;#f00\n", "x.csv")
    assert isinstance(result, PaletteError)
    assert "the first row has 2 cells: 'colour_name', 'value'" in str(result)


def test_info_lists_the_palettes_of_a_collection(capsys):
    assert run("palette", "info", fixture_path("nes_512.pal"), "--index", "2") == 0
    out = capsys.readouterr().out
    assert "Palettes: 8 (showing index 2" in out and "Name:     green emphasis" in out
    assert "0: no emphasis (64 colours)" in out and "... and 0 more" not in out
