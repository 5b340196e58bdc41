"""What a reader says about a file reaches the session (tester F #2, #5): the palette reader's
warnings (clamped values, CSS colours gamut-mapped or skipped, a damaged .aco names section)
and the picture reader's frames left out, in the words `somdesk palette info` and
`somdesk quantize` print, as `session.dataset.warnings`.  No Qt."""
from __future__ import annotations

import struct

import numpy as np
import pytest
from PIL import Image

from somdesk.io.image_input import read_picture
from somdesk.io.palettes import read_palette
from somdesk.session import Session

GPL_CLAMPED = "GIMP Palette\nName: bad\n#\n300 0 0 Too red\n-5 10 10 Below\n0 0 255 Blue\n"
CSS = (":root {\n  --red: hsl(0 100% 50%);\n  --blue: oklch(45.2% 0.313 264.05);\n"
       "  --ref: var(--red);\n  --mix: color-mix(in srgb, red 50%, blue);\n  --short: #0f0;\n}\n")


def _aco_with_cut_names(path) -> None:
    """An ACO version 1 section (2 colours) and a version 2 section cut off inside a name."""
    v1 = struct.pack(">HH", 1, 2) + struct.pack(">5H", 0, 65535, 0, 0, 0) + struct.pack(">5H", 0, 0, 65535, 0, 0)
    name = "Red".encode("utf-16-be")
    v2 = struct.pack(">HH", 2, 2) + struct.pack(">5H", 0, 65535, 0, 0, 0) + struct.pack(">HI", 0, 4) + name[:3]
    path.write_bytes(v1 + v2)


@pytest.mark.parametrize("name,write", [
    ("bad.gpl", lambda p: p.write_text(GPL_CLAMPED)),
    ("colors.css", lambda p: p.write_text(CSS)),
    ("damaged.aco", _aco_with_cut_names),
])
def test_palette_warnings_are_the_datasets_in_the_cli_words(tmp_path, name, write):
    path = tmp_path / name
    write(path)
    said = read_palette(path).warnings          # what `somdesk palette info` lists
    assert said, "the file must give the reader something to say"
    s = Session()
    assert s.open(path) == "palette"
    assert s.dataset.warnings == tuple(said)


def test_the_clamped_values_and_skipped_css_are_named(tmp_path):
    gpl, css = tmp_path / "bad.gpl", tmp_path / "colors.css"
    gpl.write_text(GPL_CLAMPED)
    css.write_text(CSS)
    s = Session()
    s.open(gpl)
    assert any("300" in w and "clamped to 255" in w for w in s.dataset.warnings)
    s.open(css)
    words = " ".join(s.dataset.warnings)
    assert "gamut-mapped" in words and "var(--red)" in words and "color-mix()" in words


def test_a_clean_palette_and_random_colours_have_no_warnings(tmp_path, palette_file):
    s = Session()
    s.open(palette_file)
    assert s.dataset.warnings == ()
    s.new_colours(seed=1)
    assert s.dataset.warnings == ()


def test_a_collection_says_which_palette_the_session_took(tmp_path):
    import json

    path = tmp_path / "two.json"
    path.write_text(json.dumps([{"name": "a", "colors": ["#ff0000", "#00ff00"]},
                                {"name": "b", "colors": ["#0000ff"]}]))
    s = Session()
    s.open(path)
    assert s.dataset.warnings[-1] == "two.json holds 2 palettes; the first is used"


def _frames(path, fmt=None, **kw):
    frames = [Image.new("RGB", (80, 80), c) for c in ("red", "lime", "blue")]
    frames[0].save(path, format=fmt, save_all=True, append_images=frames[1:], **kw)


@pytest.mark.parametrize("name,word", [("anim.gif", "frame"), ("anim.webp", "frame"), ("multi.tif", "page"),
                                       ("anim.png", "frame")])
def test_a_picture_of_several_frames_says_frame_1_is_used(tmp_path, name, word):
    """80 x 80 (over the 64 x 64 palette size): opened as a picture, first frame read."""
    path = tmp_path / name
    _frames(path, **({"duration": 100} if name != "multi.tif" else {}))
    pic = read_picture(path)
    assert pic.frames == 3 and pic.frame_word == word
    assert pic.warnings == (f"{name} has 3 {word}s; {word} 1 is used",)
    px = pic.pixels.astype(int)     # frame 1: red (lossy WebP: nearly)
    assert (px[..., 0] >= 250).all() and (px[..., 1:] <= 5).all()
    s = Session()
    assert s.open(path) == "image"
    assert s.dataset.warnings == pic.warnings


def test_a_still_picture_and_a_camera_mpo_say_nothing(tmp_path, picture_file):
    assert read_picture(picture_file).warnings == ()
    s = Session()
    s.open(picture_file)
    assert s.dataset.warnings == ()
    # an MPO's second frame is the camera's preview: one picture, no warning
    mpo = tmp_path / "camera.jpg"
    frames = [Image.new("RGB", (64, 48), "red"), Image.new("RGB", (32, 24), "red")]
    try:
        frames[0].save(mpo, format="MPO", save_all=True, append_images=frames[1:])
    except (KeyError, OSError, ValueError):
        pytest.skip("this Pillow cannot write MPO")
    with Image.open(mpo) as im:
        assert getattr(im, "n_frames", 1) == 2
    pic = read_picture(mpo)
    assert pic.frames == 1 and pic.warnings == ()


def test_a_small_animated_gif_read_as_a_palette_says_so(tmp_path):
    """A 20 x 20 GIF is a palette: frames with colour tables of their own are not read, and
    the warning says how many; a GIF whose frames share one table says nothing (all of it is read)."""
    own = tmp_path / "anim.gif"
    frames = [Image.new("RGB", (20, 20), c) for c in ("red", "lime", "blue")]
    frames[0].save(own, save_all=True, append_images=frames[1:], duration=100)
    s = Session()
    assert s.open(own) == "palette"
    assert s.dataset.warnings == ("anim.gif has 3 frames; frame 1's colour table is used "
                                  "(2 other frames have their own colour table, not read)",)
    shared = tmp_path / "shared.gif"
    first = Image.new("P", (20, 20))
    first.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * (253 * 3))
    others = [first.copy() for _ in range(2)]
    for k, im in enumerate(others, 1):
        im.paste(k, (0, 0, 20, 20))
    first.save(shared, save_all=True, append_images=others, duration=100, optimize=False)
    s.open(shared)
    assert s.dataset.warnings == ()
    np.testing.assert_array_equal(np.rint(s.dataset.colours * 255), [[255, 0, 0], [0, 255, 0], [0, 0, 255]])
