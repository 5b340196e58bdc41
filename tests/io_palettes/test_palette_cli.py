"""`palette info` and `palette convert` via a parser built the way cli.py will."""
import argparse
import json

import pytest

from somdesk.cli_palette import register
from somdesk.errors import SomdeskError
from somdesk.io.palettes import read_palette

from _palette_testutil import fixture_path


def run(*argv):
    parser = argparse.ArgumentParser(prog="somdesk")
    sub = parser.add_subparsers(dest="command")
    register(sub)
    ns = parser.parse_args(list(argv))
    return ns.func(ns)


def test_info_json_is_exactly_the_dict(capsys):
    path = fixture_path("aco_v2_only.aco")
    assert run("palette", "info", path, "--json") == 0
    out = capsys.readouterr().out
    expected = read_palette(path).to_json_dict()
    expected.update(palettes=1, palette_names=[expected["name"]], index=0)
    assert json.loads(out) == expected
    assert list(json.loads(out)) == ["format", "name", "colors", "palettes", "palette_names",
                                     "index"]
    assert "\U0001F600" in out          # not \u-escaped


def test_info_human_summary(capsys):
    assert run("palette", "info", fixture_path("gpl_out_of_range.gpl")) == 0
    out = capsys.readouterr().out
    for part in ("gpl (GIMP palette)", "Hand edited", "Colours:  2", "#ff0080", "Too bright",
                 "Warnings: 2", "line 3"):
        assert part in out


def test_info_many_colours_are_abbreviated(capsys, tmp_path):
    path = tmp_path / "many.hex"
    path.write_text("".join(f"{i:06x}\n" for i in range(20)))
    run("palette", "info", str(path))
    out = capsys.readouterr().out
    assert "... and 12 more" in out and "Warnings: none" in out


@pytest.mark.parametrize("ext, fmt", [(".gpl", "gpl"), (".hex", "hex"), (".ase", "ase"),
                                      (".aco", "aco"), (".pal", "jasc-pal"), (".css", "css"),
                                      (".json", "json")])
def test_convert(tmp_path, capsys, ext, fmt):
    out = tmp_path / f"out{ext}"
    assert run("palette", "convert", fixture_path("krita_groups.kpl"), str(out)) == 0
    assert "wrote 5 colours" in capsys.readouterr().out
    back = read_palette(out)
    assert back.format == fmt
    assert [s.rgb for s in back.swatches] == [s.rgb for s in read_palette(fixture_path("krita_groups.kpl")).swatches]


def test_convert_prints_warnings_to_stderr(tmp_path, capsys):
    run("palette", "convert", fixture_path("gpl_out_of_range.gpl"), str(tmp_path / "o.hex"))
    err = capsys.readouterr().err
    # two reading warnings, plus one: .hex cannot keep the names
    assert err.count("warning:") == 3 and err.count("gpl_out_of_range.gpl") == 2
    assert "o.hex: Lospec hex palette files have no names" in err


def test_convert_bad_output_extension_fails_before_reading(tmp_path):
    with pytest.raises(SomdeskError) as info:
        run("palette", "convert", str(tmp_path / "missing.gpl"), str(tmp_path / "out.png"))
    assert "out.png" in str(info.value) and ".gpl" in str(info.value)


def test_user_errors_are_somdesk_errors(tmp_path):
    with pytest.raises(SomdeskError, match="no such file"):
        run("palette", "info", str(tmp_path / "nope.gpl"))
    with pytest.raises(SomdeskError, match="Aseprite"):
        run("palette", "convert", fixture_path("aseprite_sprite.ase"), str(tmp_path / "o.gpl"))
    with pytest.raises(SomdeskError, match="does not exist"):
        run("palette", "convert", fixture_path("lospec.hex"), str(tmp_path / "no" / "o.gpl"))


def test_subcommand_is_required(capsys):
    with pytest.raises(SystemExit):
        run("palette")


def test_convert_of_a_named_palette_without_colour_names_says_only_the_palette_name(tmp_path, capsys):
    """'not kept' lists only the names the palette has: a named palette without colour names,
    written to a format without names, warns of the palette name and of no colour names.  (A
    guard of the CLI, right on main too; it replaces a test of an unnamed palette that asserted
    nothing that could fail, review10 #4.  The window's fault is tested in
    tests/io_palettes/test_palette_issue11_alpha.py.)"""
    src = tmp_path / "named.gpl"
    src.write_text("GIMP Palette\nName: Mine\n#\n255 0 0\n0 255 0\n")
    assert run("palette", "convert", str(src), str(tmp_path / "o.hex")) == 0
    err = capsys.readouterr().err
    assert "the palette name is not saved" in err and "colour name" not in err


def test_info_shows_odd_names_escaped(tmp_path, capsys):
    """NBSP in a palette or colour name is shown as \\xa0 (io.names.display_name): 'Deep Red'
    and 'Deep\\xa0Red' look different in `palette info`."""
    src = tmp_path / "odd.gpl"
    src.write_text("GIMP Palette\nName: My\u00a0colours\n#\n255 0 0 Deep\u00a0Red\n0 255 0 Deep Red\n",
                   encoding="utf-8")
    assert run("palette", "info", str(src)) == 0
    out = capsys.readouterr().out
    assert "'My\\xa0colours'" in out and "'Deep\\xa0Red'" in out and "  Deep Red" in out
    assert "\u00a0" not in out


def test_info_says_frames_with_their_own_colour_table_are_not_read(tmp_path, capsys):
    """tester F #5: a small animated GIF (a palette) gave frame 1's colours without a word."""
    from PIL import Image

    path = tmp_path / "anim.gif"
    frames = [Image.new("RGB", (20, 20), c) for c in ("red", "lime", "blue")]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)
    assert run("palette", "info", str(path)) == 0
    assert ("  - anim.gif has 3 frames; frame 1's colour table is used (2 other frames have their own "
            "colour table, not read)") in capsys.readouterr().out
