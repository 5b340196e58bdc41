"""The palette's own name is kept as data from the file (review10 #7), not guessed back from the
title: a palette named like its file is still named, a .hex palette is unnamed, and a saved map
keeps the name."""
from __future__ import annotations

from somdesk.core import SOMConfig
from somdesk.session.session import Session


def test_the_own_name_is_kept_even_when_it_equals_the_file_name(tmp_path):
    named = tmp_path / "plain.gpl"
    named.write_text("GIMP Palette\nName: plain.gpl\n#\n255 0 0\n0 255 0\n0 0 255\n")
    s = Session()
    s.open(named)
    assert s.dataset.title == "plain.gpl" and s.dataset.palette_name == "plain.gpl"   # was None
    s.set_colours(s.dataset.colours[:2])                                             # an edit keeps it
    assert s.dataset.palette_name == "plain.gpl"
    s.config = SOMConfig(width=3, height=3, iterations=2, seed=1)
    s.train()
    saved = tmp_path / "m.somz"
    s.save(saved)
    back = Session()
    back.open(saved)
    assert back.dataset.palette_name == "plain.gpl"


def test_a_hex_palette_and_random_colours_have_no_own_name(tmp_path):
    hexfile = tmp_path / "x.hex"
    hexfile.write_text("ff0000\n00ff00\n")
    s = Session()
    s.open(hexfile)
    assert s.dataset.title == "x.hex" and s.dataset.palette_name is None
    s.new_colours(seed=1)
    assert s.dataset.palette_name is None
