"""`somdesk quantize IN OUT.png --side-by-side CMP.png` (fixW #1): the original and the written
picture side by side, drawn by render.side_by_side with the summary's figures above them."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from somdesk import render
from somdesk.cli import main
from somdesk.core.colour_histogram import distinct_colours

from tests.cli.test_cli_quantize import _picture, _png


def test_side_by_side_holds_the_original_and_the_written_picture(tmp_path, capsys):
    img = _picture()
    src = _png(tmp_path / "in.png", img)
    out, cmp_ = tmp_path / "out.png", tmp_path / "cmp.png"
    assert main(["quantize", src, str(out), "--colors", "8", "--side-by-side", str(cmp_), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["side_by_side"] == str(cmp_)
    with Image.open(out) as im:
        written = np.asarray(im.convert("RGB"))
    with Image.open(cmp_) as im:
        pic = np.asarray(im)
    captions = (f"Original: {distinct_colours(img):,} colours",
                f"Quantised: {info['colors']} colours, PSNR {info['psnr']:.2f} dB, mean CIEDE2000 "
                f"{info['mean_delta_e00']:.1f}")
    np.testing.assert_array_equal(pic, render.side_by_side(img, written, captions))
    h, w = img.shape[:2]
    np.testing.assert_array_equal(pic[pic.shape[0] - h:, :w], img)


def test_side_by_side_in_the_summary_and_with_quiet(tmp_path, capsys):
    src = _png(tmp_path / "in.png", _picture())
    assert main(["quantize", src, str(tmp_path / "o.png"), "--colors", "4", "--side-by-side",
                 str(tmp_path / "c.png")]) == 0
    assert capsys.readouterr().out.rstrip().endswith(f"side by side in {tmp_path / 'c.png'}")
    assert main(["quantize", src, str(tmp_path / "o2.png"), "--colors", "4", "-q", "--side-by-side",
                 str(tmp_path / "c2.png")]) == 0
    assert capsys.readouterr().out == "" and (tmp_path / "c2.png").exists()


@pytest.mark.parametrize("target, words", [("out.png", "name the same file"), ("in.png", "is the input file"),
                                           ("c.jpg", "give it a .png file name"), ("-", "writes a file"),
                                           ("", "--side-by-side: no file name given"),
                                           (" ", "--side-by-side: no file name given")])
def test_side_by_side_refusals(tmp_path, capsys, target, words):
    src = _png(tmp_path / "in.png", _picture())
    before = (tmp_path / "in.png").read_bytes()
    assert main(["quantize", src, str(tmp_path / "out.png"), "--side-by-side",
                 target if target.strip() in ("-", "") else str(tmp_path / target)]) == 2
    assert words in capsys.readouterr().err
    assert not (tmp_path / "out.png").exists() and (tmp_path / "in.png").read_bytes() == before


def test_an_over_size_side_by_side_is_refused_before_any_quantising(tmp_path, capsys, monkeypatch):
    """testerI #6: a 10000 x 8000 picture was quantised for 10 s, OUT.png written, then the side
    by side refused with the window's advice.  Now refused before the palette is fitted, in
    the CLI's words, nothing written."""
    import somdesk.core.quantize as quantize
    import somdesk.render.geometry as geometry

    def never(*a, **k):
        raise AssertionError("quantised before the side-by-side size was checked")
    monkeypatch.setattr(quantize, "quantize_picture_steps", never)
    monkeypatch.setattr(geometry, "MAX_IMAGE_PIXELS", 5_000)       # the test picture's side by side is more
    src = _png(tmp_path / "in.png", _picture())
    assert main(["quantize", src, str(tmp_path / "out.png"), "--side-by-side", str(tmp_path / "c.png")]) == 2
    err = capsys.readouterr().err
    assert "over the limit of 5,000" in err and "drop --side-by-side, or scale the picture down" in err, err
    assert "one at a time" not in err and not (tmp_path / "out.png").exists() and not (tmp_path / "c.png").exists()


@pytest.mark.skipif(not __import__("os").path.exists("/dev/full"), reason="needs /dev/full")
def test_a_side_by_side_that_fails_when_written_says_out_was_written(tmp_path, capsys):
    src = _png(tmp_path / "in.png", _picture())
    assert main(["quantize", src, str(tmp_path / "out.png"), "--side-by-side", "/dev/full"]) == 2
    err = capsys.readouterr().err
    assert "out.png was written, the side-by-side picture was not" in err and "disk is full" in err, err
    assert (tmp_path / "out.png").exists()
