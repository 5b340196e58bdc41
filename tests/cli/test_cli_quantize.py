"""`somdesk quantize IN OUT.png --colors N [--dither] [--space ...]` (issue 14 goal 4)."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
from PIL import Image

from somdesk.cli import main
from somdesk.core.quantize import quantize_picture


def _png(path, arr, mode=None):
    Image.fromarray(arr, mode).save(path)
    return str(path)


def _picture(h=60, w=80):
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([x * 255 // (w - 1), y * 255 // (h - 1), (x * y) % 256], -1)
    return img.astype(np.uint8)


def test_writes_the_same_indexed_png_as_the_core(tmp_path, capsys):
    src = _png(tmp_path / "in.png", _picture())
    out = tmp_path / "out.png"
    assert main(["quantize", src, str(out), "--colors", "16", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["colors"] <= 16 and info["space"] == "blend" and info["bytes"] == os.path.getsize(out)
    im = Image.open(out)
    assert im.mode == "P" and len(im.getpalette()) // 3 <= 16
    idx, pal = quantize_picture(_picture(), 16)
    assert np.array_equal(np.asarray(im.convert("RGBA")), pal[idx])


@pytest.mark.parametrize("space", ["srgb", "oklab", "blend"])
def test_spaces_and_dither(tmp_path, space):
    src = _png(tmp_path / "in.png", _picture())
    out = tmp_path / "o.png"
    assert main(["quantize", src, str(out), "--colors", "8", "--space", space, "--dither", "-q"]) == 0
    assert len(np.unique(np.asarray(Image.open(out).convert("RGB")).reshape(-1, 3), axis=0)) <= 8


def test_transparency_kept(tmp_path):
    rgba = np.dstack([_picture(), np.zeros((60, 80), np.uint8)])
    rgba[20:40, 20:60, 3] = 255
    src = _png(tmp_path / "in.png", rgba, "RGBA")
    out = tmp_path / "o.png"
    assert main(["quantize", src, str(out), "--colors", "8", "-q"]) == 0
    im = Image.open(out)
    assert "transparency" in im.info
    got = np.asarray(im.convert("RGBA"))
    assert np.array_equal(got[..., 3] == 0, rgba[..., 3] == 0)


@pytest.mark.parametrize("args,message", [
    (["missing.png", "o.png"], "cannot read missing.png: no such file"),
    (["IN", "o.png", "--colors", "1"], "between 2 and 256"),
    (["IN", "o.png", "--colors", "257"], "between 2 and 256"),
    (["IN", "o.png", "--space", "hsv"], "invalid choice"),
    (["NOTIMG", "o.png"], "the PNG picture is damaged or truncated"),
    (["IN", "nofolder/o.png"], "does not exist"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    _png(tmp_path / "in.png", _picture())
    (tmp_path / "not.png").write_bytes(b"hello")
    args = [{"IN": "in.png", "NOTIMG": "not.png"}.get(a, a) for a in args]
    assert main(["quantize", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_the_input_picture_is_never_replaced_without_force(tmp_path, capsys):
    """Tester3 F2: `quantize img.png img.png` replaced the picture silently (pngquant asks for
    --force); by any name of the same file (a hard link too).  With --force it is replaced."""
    src = tmp_path / "img.png"
    _png(src, _picture())
    before = src.read_bytes()
    os.link(src, tmp_path / "link.png")
    for out in (src, tmp_path / "link.png", tmp_path / "." / "img.png"):
        assert main(["quantize", str(src), str(out), "--colors", "8"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and "is the input file" in err and "--force" in err and err.count("\n") == 1
        assert src.read_bytes() == before
    assert main(["quantize", str(src), str(src), "--colors", "8", "--force", "-q"]) == 0
    assert src.read_bytes() != before and Image.open(src).mode == "P"


def _saved_picture_map(tmp_path, img, side=3):
    """A picture map trained and saved by the session (what the window's File > Save writes)."""
    from somdesk.session import Session

    src = tmp_path / "pic.png"
    _png(src, img, "RGBA" if img.shape[2] == 4 else None)
    s = Session()
    assert s.open(src) == "image"
    s.update_config(width=side, height=side, iterations=4, seed=1)
    s.train()
    s.save(tmp_path / "m.somz")
    return s, src, tmp_path / "m.somz"


@pytest.mark.parametrize("alpha", [False, True])
def test_map_option_writes_the_windows_file(tmp_path, alpha):
    """`--map M.somz` starts the fit from the saved map's colours: the same bytes as the
    session's Quantise + export (the window's path), with and without transparency."""
    img = _picture()
    if alpha:
        img = np.dstack([img, np.full(img.shape[:2], 255, np.uint8)])
        img[:10, :, 3] = 0
        img[10:14, :, 3] = 128
    s, src, somz = _saved_picture_map(tmp_path, img)
    s.quantise()
    s.export_quantised(tmp_path / "window.png")
    assert main(["quantize", str(src), str(tmp_path / "cli.png"), "--map", str(somz), "-q"]) == 0
    assert (tmp_path / "cli.png").read_bytes() == (tmp_path / "window.png").read_bytes()
    assert len(Image.open(tmp_path / "cli.png").getpalette()) // 3 <= 9 + alpha * 10


def test_map_option_errors_are_one_line(tmp_path, capsys):
    s, src, somz = _saved_picture_map(tmp_path, _picture())
    assert main(["quantize", str(src), str(tmp_path / "o.png"), "--map", str(somz), "--colors", "8"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--colors does not go with --map" in err and err.count("\n") == 1
    (tmp_path / "bad.somz").write_bytes(b"not a zip")
    assert main(["quantize", str(src), str(tmp_path / "o.png"), "--map", str(tmp_path / "bad.somz")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "bad.somz" in err and err.count("\n") == 1


def test_map_option_names_what_is_wrong_with_the_map(tmp_path, capsys):
    """tester4 F2/F3: a 400-node map was refused as "the number of colours must be between 2
    and 256, got 400" (no number was given; now its 256 most used nodes start the fit,
    map_quantise.map_start); a table map was "not a map of sRGB colours (... space 'srgb' ...)"."""
    _s, src, somz = _saved_picture_map(tmp_path, _picture(), side=20)
    assert main(["quantize", str(src), str(tmp_path / "o.png"), "--map", str(somz)]) == 0
    assert len(Image.open(tmp_path / "o.png").getpalette()) // 3 <= 256
    # the summary says why not 400 (testerG #12)
    assert "(the map has 400 nodes; a PNG palette holds at most 256 colours)" in capsys.readouterr().out
    table = tmp_path / "t.csv"
    table.write_text("a,b,c\n" + "".join(f"{i},{i % 7},{i % 3}\n" for i in range(60)))
    assert main(["train", "--table", str(table), "--width", "2", "--height", "2", "--epochs", "1",
                 "--save-map", str(tmp_path / "t.somz"), "-q"]) == 0
    capsys.readouterr()
    assert main(["quantize", str(src), str(tmp_path / "o.png"), "--map", str(tmp_path / "t.somz")]) == 2
    err = capsys.readouterr().err
    assert "t.somz is a table map, not a map of colours" in err and "srgb" not in err


def test_help_names_every_picture_format_the_reader_takes():
    """tester10 #11: the help named PNG, JPEG, BMP, GIF, WebP while TIFF was read too."""
    from somdesk.cli_quantize import PICTURE_FORMATS
    from somdesk.io.image_input import _FORMATS

    named = {f.strip().upper() for f in PICTURE_FORMATS.split(",")}
    assert named == {k for k, ext in _FORMATS.items() if ext}


@pytest.mark.parametrize("name,word", [("anim.gif", "frame"), ("anim.webp", "frame"), ("multi.tif", "page")])
def test_frames_left_out_are_said_and_never_called_identical_to_the_input(tmp_path, capsys, name, word):
    """tester F #5: a 3-frame GIF quantised to its first frame said "identical to the input"."""
    src = tmp_path / name
    frames = [Image.new("RGB", (50, 50), c) for c in ("red", "lime", "blue")]
    frames[0].save(src, save_all=True, append_images=frames[1:], **({} if word == "page" else {"duration": 100}))
    out = tmp_path / "out.png"
    assert main(["quantize", str(src), str(out), "--colors", "4"]) == 0
    got = capsys.readouterr()
    assert f"warning: {name} has 3 {word}s; {word} 1 is used" in got.err
    assert "identical to the input" not in got.out and f"identical to {word} 1 of 3 of the input" in got.out
    assert main(["quantize", str(src), str(out), "--colors", "4", "--json", "--force"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["input_frames"] == 3 and info["warnings"] == [f"{name} has 3 {word}s; {word} 1 is used"]
    assert main(["quantize", str(src), str(out), "--colors", "4", "-q"]) == 0
    assert capsys.readouterr().err == ""            # -q: errors only


def test_a_still_picture_says_nothing_of_frames(tmp_path, capsys):
    src = _png(tmp_path / "in.png", _picture())
    assert main(["quantize", src, str(tmp_path / "out.png"), "--colors", "8", "--json"]) == 0
    got = capsys.readouterr()
    info = json.loads(got.out)
    assert info["input_frames"] == 1 and info["warnings"] == [] and "frame" not in got.err
