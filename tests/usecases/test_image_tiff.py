"""TIFF pictures (scanners, cameras, print work) are read as pictures (tester7 F16: the CLI
refused them and the window sent them to the palette reader)."""
from __future__ import annotations

import numpy as np
from PIL import Image

from somdesk.io.image_input import load_image, supported_image_formats

RGB = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3) * 4


def test_rgb_tiff_compressed_or_not(tmp_path):
    for compression in (None, "tiff_lzw", "tiff_adobe_deflate"):
        path = tmp_path / f"p_{compression}.tif"
        Image.fromarray(RGB).save(path, compression=compression)
        assert np.array_equal(load_image(path), RGB)
    assert supported_image_formats()["TIFF"] == (".tif", ".tiff")


def test_float_tiff_in_0_1_is_scaled_and_in_0_255_is_not(tmp_path):
    unit = np.array([[0.0, 0.5, 1.0]], np.float32)
    Image.fromarray(unit, "F").save(tmp_path / "unit.tiff")
    assert load_image(tmp_path / "unit.tiff")[..., 0].tolist() == [[0, 128, 255]]
    bytes_ = np.array([[0.0, 128.0, 300.0]], np.float32)
    Image.fromarray(bytes_, "F").save(tmp_path / "bytes.tiff")
    assert load_image(tmp_path / "bytes.tiff")[..., 0].tolist() == [[0, 128, 255]]


def test_multi_page_tiff_gives_its_first_page(tmp_path):
    path = tmp_path / "pages.tiff"
    first, second = Image.fromarray(RGB), Image.fromarray(255 - RGB)
    first.save(path, save_all=True, append_images=[second])
    assert np.array_equal(load_image(path), RGB)


def test_window_and_cli_take_a_tiff_for_a_picture(tmp_path):
    from somdesk.cli import main
    from somdesk.session.opening import sniff_kind

    path = tmp_path / "scan.tiff"
    Image.fromarray(np.repeat(np.repeat(RGB, 8, 0), 8, 1)).save(path)
    assert sniff_kind(path) == "image"          # small, but not a palette
    out = tmp_path / "q.png"
    assert main(["quantize", str(path), str(out), "--colors", "4"]) == 0
    assert Image.open(out).size == (40, 32)
