"""A GIF's colour table is padded to a power of two; the padding is not part of the palette
(tester11: a 5-colour GIF swatch read as 8 colours, 3 of them padding black)."""
import io

import pytest
from PIL import Image

from somdesk.io.palettes import read_palette_bytes


def _gif(table: list[tuple[int, int, int]], pixels: list[int]) -> bytes:
    im = Image.new("P", (len(pixels), 1))
    im.putpalette([c for rgb in table for c in rgb])
    im.putdata(pixels)
    buf = io.BytesIO()
    im.save(buf, format="GIF", optimize=False)   # keep the table as given
    return buf.getvalue()


def _table_size(data: bytes) -> int:
    return 2 << (data[10] & 7)                   # global colour table size from the screen descriptor


def _hexes(data: bytes) -> list[str]:
    return [s.hex for s in read_palette_bytes(data, "s.gif").swatches]


@pytest.mark.parametrize("n", [3, 5, 7, 9, 17, 200])
def test_padding_is_dropped(n):
    table = [(i, (7 * i) % 256, 40) for i in range(n)]
    data = _gif(table, list(range(n)))
    assert _table_size(data) > n                 # the file really is padded
    assert _hexes(data) == ["#%02x%02x%02x" % rgb for rgb in table]


def test_a_used_black_is_kept_even_last():
    table = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 0, 0)]
    data = _gif(table, [0, 1, 2, 3, 4])
    assert _table_size(data) == 8
    p = read_palette_bytes(data, "s.gif")
    assert [s.hex for s in p.swatches] == ["#ff0000", "#00ff00", "#0000ff", "#ffff00", "#000000"]
    assert p.warnings == ()                      # black padding goes without a word


def test_unused_entries_stay_unless_trailing_black():
    # pixel artists ship palettes with unused slots; only unused black at the very end is padding
    table = [(255, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 255), (1, 2, 3)]
    data = _gif(table, [0, 3, 3, 0])
    assert _hexes(data) == ["#ff0000", "#000000", "#000000", "#0000ff", "#010203"]


def test_unused_colours_that_are_not_black_are_kept():
    # review12: a swatch GIF whose picture shows only some of its colours lost the others
    table = [(255, 0, 0), (0, 255, 0), (9, 9, 9), (200, 100, 50)]
    p = read_palette_bytes(_gif(table, [0, 1, 1, 0]), "s.gif")
    assert [s.hex for s in p.swatches] == ["#ff0000", "#00ff00", "#090909", "#c86432"]
    assert p.warnings == ()


def test_sixteen_colours_of_which_the_picture_shows_ten():
    table = [(i * 15, 255 - i * 15, (i * 40) % 256) for i in range(16)]
    assert len(_hexes(_gif(table, list(range(10))))) == 16


def _animation(table, frames, transparency=None) -> bytes:
    ims = []
    for pixels in frames:
        im = Image.new("P", (len(pixels), 1))
        im.putpalette([c for rgb in table for c in rgb])
        im.putdata(pixels)
        ims.append(im)
    buf = io.BytesIO()
    extra = {} if transparency is None else {"transparency": transparency}
    ims[0].save(buf, format="GIF", save_all=True, append_images=ims[1:], optimize=False,
                duration=100, disposal=1, **extra)
    return buf.getvalue()


def test_indices_used_by_a_later_frame_are_kept():
    # review12: frame 2 used entries 4-7, and only 0-3 (frame 1's) were read
    table = [(200, i * 30, 10) for i in range(8)]
    data = _animation(table, [[0, 1, 2, 3], [4, 5, 6, 7]])
    assert Image.open(io.BytesIO(data)).n_frames == 2
    assert len(_hexes(data)) == 8


def test_black_used_only_by_a_later_frame_is_kept():
    table = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (0, 0, 0), (0, 0, 0)]
    data = _animation(table, [[0, 1, 2, 0], [0, 1, 2, 4]])
    assert _table_size(data) == 8
    assert _hexes(data) == ["#ff0000", "#00ff00", "#0000ff", "#000000", "#000000"]


def test_an_unused_transparent_black_index_is_kept():
    im = Image.new("P", (2, 1))
    im.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 0])
    im.putdata([0, 1])
    buf = io.BytesIO()
    im.save(buf, format="GIF", transparency=2, optimize=False)
    p = read_palette_bytes(buf.getvalue(), "t.gif")
    assert [(s.hex, s.alpha) for s in p.swatches] == [("#ff0000", 255), ("#00ff00", 255), ("#000000", 0)]


def test_frames_too_large_to_check_keep_the_whole_table(monkeypatch):
    from somdesk.io.palettes import image
    monkeypatch.setattr(image, "MAX_IMAGE_PIXELS", 5)   # 3 + 3 frame pixels
    table = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    p = read_palette_bytes(_animation(table, [[0, 1, 2], [2, 1, 0]]), "a.gif")
    assert [s.hex for s in p.swatches] == ["#ff0000", "#00ff00", "#0000ff", "#000000"]
    assert any("all 4 were kept" in w for w in p.warnings)


def test_transparent_index_kept_when_used():
    im = Image.new("P", (3, 1))
    im.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 0])
    im.putdata([0, 1, 2])
    buf = io.BytesIO()
    im.save(buf, format="GIF", transparency=2, optimize=False)
    p = read_palette_bytes(buf.getvalue(), "t.gif")
    assert [(s.hex, s.alpha) for s in p.swatches] == [("#ff0000", 255), ("#00ff00", 255), ("#000000", 0)]


def test_png_table_is_kept_whole():
    # PNG's PLTE has an exact length: an unused last entry is the artist's, not padding
    im = Image.new("P", (2, 1))
    im.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 0])
    im.putdata([0, 1])
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    assert [s.hex for s in read_palette_bytes(buf.getvalue(), "s.png").swatches] == ["#ff0000", "#00ff00", "#000000"]
