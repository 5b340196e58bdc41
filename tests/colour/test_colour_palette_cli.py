"""`somdesk palette sort` and `somdesk palette info --duplicates`."""
import json

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.core import colour_path as P
from somdesk.core import colour_sort as S
from somdesk.io.palettes import read_palette

GPL = """GIMP Palette
Name: test
#
{}
"""


def _palette(tmp_path, n=40, seed=0, dup=False):
    rgb = np.random.default_rng(seed).integers(0, 256, (n, 3))
    if dup:
        rgb[5] = rgb[3] + [1, 0, 0] if rgb[3][0] < 255 else rgb[3] - [1, 0, 0]
    lines = "\n".join(f"{r:3d} {g:3d} {b:3d}\tcolour {i}" for i, (r, g, b) in enumerate(rgb))
    path = tmp_path / "in.gpl"
    path.write_text(GPL.format(lines))
    return path


def test_sort_writes_the_same_swatches_in_a_better_order(tmp_path, capsys):
    src = _palette(tmp_path)
    out = tmp_path / "out.gpl"
    assert main(["palette", "sort", str(src), str(out)]) == 0
    assert "sum of CIEDE2000 between neighbours" in capsys.readouterr().out
    before, after = read_palette(src), read_palette(out)
    assert after.name == "test"
    assert sorted((s.rgb, s.name) for s in after.swatches) == sorted((s.rgb, s.name) for s in before.swatches)
    d = P.distance_matrix(before.to_array())
    index = {s.name: i for i, s in enumerate(before.swatches)}
    order = [index[s.name] for s in after.swatches]
    assert P.path_cost(d, order) < 0.7 * P.path_cost(d, np.arange(len(order)))


def test_sort_in_place_other_format_grid_and_quiet(tmp_path, capsys):
    src = _palette(tmp_path, n=25)
    assert main(["palette", "sort", str(src), str(src), "--layout", "grid", "--space", "cielab", "-q",
                 "--force"]) == 0
    assert capsys.readouterr().out == ""
    assert len(read_palette(src).swatches) == 25
    assert main(["palette", "sort", str(src), str(tmp_path / "o.hex"), "--seed", "3"]) == 0
    assert len(read_palette(tmp_path / "o.hex").swatches) == 25


@pytest.mark.parametrize("args,needle", [
    (["--space", "hsv"], "srgb, linear, cielab, oklab"),
    (["--layout", "ring"], "invalid choice"),
])
def test_sort_bad_options_are_one_line_errors(tmp_path, capsys, args, needle):
    src = _palette(tmp_path, n=5)
    assert main(["palette", "sort", str(src), str(tmp_path / "o.gpl"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err and needle in err


def test_sort_checks_the_output_format_before_reading(tmp_path, capsys):
    assert main(["palette", "sort", str(tmp_path / "missing.gpl"), str(tmp_path / "o.xyz")]) == 2
    assert "xyz" in capsys.readouterr().err.lower()
    assert main(["palette", "sort", str(tmp_path / "missing.gpl"), str(tmp_path / "o.gpl")]) == 2


def test_info_duplicates_text_and_json(tmp_path, capsys):
    src = _palette(tmp_path, n=12, dup=True)
    assert main(["palette", "info", str(src), "--duplicates"]) == 0
    text = capsys.readouterr().out
    assert "Near-duplicates (CIEDE2000 < 2.3): 1 group; merging keeps 11 colours" in text
    assert "colour 3" in text and "colour 5" in text
    assert main(["palette", "info", str(src), "--duplicates", "--threshold", "0.01", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["groups"] == [] and doc["threshold"] == 0.01 and doc["colours"] == 12
    assert main(["palette", "info", str(src), "--duplicates", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (g,) = doc["groups"]
    assert sorted(g["members"]) == [3, 5] and g["keep"] in (3, 5)
    assert [c["name"] for c in g["colors"]] == ["colour 3", "colour 5"]


def test_info_without_duplicates_is_unchanged_and_threshold_needs_duplicates(tmp_path, capsys):
    src = _palette(tmp_path, n=4)
    assert main(["palette", "info", str(src)]) == 0
    assert "Near-duplicates" not in capsys.readouterr().out
    assert main(["palette", "info", str(src), "--threshold", "3"]) == 2
    assert main(["palette", "info", str(src), "--duplicates", "--threshold", "-1"]) == 2
    assert "positive" in capsys.readouterr().err


def test_layout_cost_of_a_strip_is_the_path_cost():
    rgb = np.random.default_rng(1).random((13, 3))
    d = P.distance_matrix(rgb)
    order = np.random.default_rng(2).permutation(13)
    assert S.layout_cost(d, order, 13) == pytest.approx(P.path_cost(d, order))
    # 13 in rows of 4: 3 + 3 + 3 + 0 across, 9 down
    manual = sum(d[order[k], order[k + 1]] for k in range(12) if k % 4 != 3)
    manual += sum(d[order[k], order[k + 4]] for k in range(9))
    assert S.layout_cost(d, order, 4) == pytest.approx(manual, rel=1e-6)


@pytest.mark.parametrize("command", ["sort", "convert"])
def test_sort_and_convert_refuse_to_replace_their_input_unless_forced(tmp_path, capsys, command):
    """tester10 #15: `palette sort a.ase a.ase` rewrote the input (its groups and order gone) with
    exit 0; no output replaces an input unless --force, as quantize."""
    src = _palette(tmp_path, n=12)
    before = src.read_bytes()
    link = tmp_path / "link.gpl"
    link.symlink_to(src)
    for out in (src, link):                  # the same file by another name too
        assert main(["palette", command, str(src), str(out)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "is the input file" in err and "--force" in err, err
        assert src.read_bytes() == before
    assert main(["palette", command, str(src), str(src), "--force", "-q"]) == 0
    assert len(read_palette(src).swatches) == 12
