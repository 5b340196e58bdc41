"""`somdesk quantize` prints the PSNR and the mean CIEDE2000 of its result against the input, as
the window shows them (tester11: no PSNR at all); core.map_quantise.indexed_delta_e."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from somdesk.cli import main
from somdesk.core.cancel import CancelToken, Cancelled
from somdesk.core.colour import delta_e_2000_srgb
from somdesk.core.map_quantise import composite, indexed_delta_e, picture_psnr
from somdesk.errors import SomdeskError


def _picture(h=60, w=80):
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 255 // (w - 1), y * 255 // (h - 1), (x * y) % 256], -1).astype(np.uint8)


def _direct(original, quantised) -> float:
    white = (255, 255, 255)
    a = composite(original, white).reshape(-1, 3) / 255.0
    b = composite(quantised, white).reshape(-1, 3) / 255.0
    return float(np.mean(delta_e_2000_srgb(a, b)))


def test_json_and_text_carry_psnr_and_mean_ciede2000(tmp_path, capsys):
    src = tmp_path / "in.png"
    Image.fromarray(_picture()).save(src)
    out = tmp_path / "out.png"
    assert main(["quantize", str(src), str(out), "--colors", "8", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    written = np.asarray(Image.open(out).convert("RGB"))
    assert info["psnr"] == pytest.approx(picture_psnr(_picture(), written), abs=1e-3)
    assert info["mean_delta_e00"] == pytest.approx(_direct(_picture(), written), abs=1e-3) and info["mean_delta_e00"] > 0
    assert main(["quantize", str(src), str(out), "--colors", "8"]) == 0
    line = capsys.readouterr().out          # the summary: stdout, as every subcommand's (testerC #11)
    assert f"PSNR {info['psnr']:.2f} dB, mean CIEDE2000 {info['mean_delta_e00']:.1f}" in line


def test_an_exact_copy_says_identical_and_json_stays_json(tmp_path, capsys):
    few = np.zeros((10, 10, 3), np.uint8)
    few[:5] = (200, 30, 40)
    src = tmp_path / "few.png"
    Image.fromarray(few).save(src)
    assert main(["quantize", str(src), str(tmp_path / "o.png"), "--colors", "4", "--json"]) == 0
    text = capsys.readouterr().out
    assert "Infinity" not in text                                   # strict JSON: inf is not a number there
    info = json.loads(text)
    assert info["psnr"] is None and info["mean_delta_e00"] == 0.0
    assert main(["quantize", str(src), str(tmp_path / "o.png"), "--colors", "4"]) == 0
    assert "identical to the input" in capsys.readouterr().out


def test_transparent_pixels_are_compared_as_seen_on_white(tmp_path, capsys):
    rgba = np.dstack([_picture(), np.full((60, 80), 255, np.uint8)])
    rgba[:, :40, 3] = 0                                  # stored colours under alpha 0 do not count
    src = tmp_path / "a.png"
    Image.fromarray(rgba, "RGBA").save(src)
    out = tmp_path / "o.png"
    assert main(["quantize", str(src), str(out), "--colors", "8", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    written = np.asarray(Image.open(out).convert("RGBA"))
    assert info["mean_delta_e00"] == pytest.approx(_direct(rgba, written), abs=1e-3)
    right = _direct(rgba[:, 40:], written[:, 40:])
    assert info["mean_delta_e00"] == pytest.approx(right / 2, abs=1e-3)   # the clear half is exact


def test_small_pictures_are_measured_whole_big_ones_on_a_fixed_sample():
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (300, 300, 3), dtype=np.uint8)          # 90,000 px > 65,536
    palette = rng.integers(0, 256, (16, 3), dtype=np.uint8)
    idx = rng.integers(0, 16, (300, 300)).astype(np.uint8)
    exact = _direct(img, palette[idx])
    assert indexed_delta_e(img, idx, palette, sample=90_000) == pytest.approx(exact, rel=1e-12)
    estimate = indexed_delta_e(img, idx, palette)
    assert estimate == indexed_delta_e(img, idx, palette)                # the same figure every time
    assert estimate != exact and estimate == pytest.approx(exact, abs=0.15)
    small = img[:100, :100]
    assert indexed_delta_e(small, idx[:100, :100], palette) == pytest.approx(_direct(small, palette[idx[:100, :100]]), rel=1e-12)


def test_bad_shapes_and_cancel():
    img = _picture()
    with pytest.raises(SomdeskError, match="cannot compare"):
        indexed_delta_e(img, np.zeros((3, 3), np.uint8), np.zeros((1, 3), np.uint8))
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        indexed_delta_e(img, np.zeros(img.shape[:2], np.uint8), np.zeros((1, 3), np.uint8), cancel=token)
