"""The committed fixtures are exactly what make_fixtures.py produces."""
import pytest

from somdesk.io.palettes import read_palette_bytes

from _palette_testutil import fixture_bytes, load_make_fixtures

MAKE = load_make_fixtures()
# Compressed/encoded files may differ byte-wise across zlib/Pillow versions;
# for those we compare what they decode to.
ENCODED = (".png", ".gif", ".kpl")


@pytest.mark.parametrize("name", sorted(MAKE.FIXTURES))
def test_fixture_is_regenerated_identically(name):
    fresh = MAKE.FIXTURES[name]()
    committed = fixture_bytes(name)
    if name.endswith(ENCODED):
        assert read_palette_bytes(fresh, name) == read_palette_bytes(committed, name)
    else:
        assert fresh == committed


def test_main_writes_every_fixture(tmp_path):
    assert MAKE.main(str(tmp_path)) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(MAKE.FIXTURES)
