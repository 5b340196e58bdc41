"""A palette's transparency travels with its colours through the session (tester7 F23: the
window's colour dataset had no alpha, so Save palette as and .somz files made every colour
opaque).  Headless: the session without Qt."""
from __future__ import annotations

import numpy as np

from somdesk.io.palettes import read_palette
from somdesk.session import Session

GPL = """GIMP Palette
Name: see-through
Channels: RGBA
#
255   0   0 255 red
  0 255   0 128 half
  0   0 255   0 clear
"""


def _open(tmp_path) -> Session:
    path = tmp_path / "alpha.gpl"
    path.write_text(GPL)
    s = Session()
    s.open(path)
    return s


def test_open_keeps_alpha_and_trains_on_the_colours(tmp_path):
    s = _open(tmp_path)
    d = s.dataset
    assert d.colours.shape == (3, 3) and d.data.shape == (3, 3)
    assert np.allclose(d.alpha * 255, [255, 128, 0])
    assert d.with_alpha.shape == (3, 4)


def test_somz_round_trip_keeps_alpha(tmp_path):
    s = _open(tmp_path)
    out = tmp_path / "m.somz"
    s.save(out)
    t = Session()
    t.open(out)
    assert np.allclose(t.dataset.alpha * 255, [255, 128, 0])
    assert t.dataset.names == ("red", "half", "clear")


def test_opaque_palette_has_no_alpha_and_an_old_file_opens(tmp_path):
    path = tmp_path / "o.gpl"
    path.write_text("GIMP Palette\nName: o\n#\n1 2 3 a\n4 5 6 b\n")
    s = Session()
    s.open(path)
    assert s.dataset.alpha is None and s.dataset.with_alpha.shape == (2, 3)


def test_edit_keeps_alpha_of_the_colours_kept(tmp_path):
    s = _open(tmp_path)
    kept = s.dataset.with_alpha[[2, 0]]             # e.g. a sort: alpha moves with its colour
    s.set_colours(kept, ("clear", "red"))
    assert np.allclose(s.dataset.alpha * 255, [0, 255])


def test_export_as_palette_writes_alpha(tmp_path):
    from somdesk.io.palettes import Palette, write_palette

    s = _open(tmp_path)
    d = s.dataset
    out = tmp_path / "back.gpl"
    write_palette(Palette.from_array(d.with_alpha, "x", list(d.names)), out)
    assert [sw.alpha for sw in read_palette(out).swatches] == [255, 128, 0]
