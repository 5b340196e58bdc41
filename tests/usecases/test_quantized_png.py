"""Indexed PNG output: exact round trip, PLTE of only the used colours, atomic save."""
import io
import os
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from somdesk.core.quantize import assign_chunked, palette_rgb8, quantize, train_quantizer
from somdesk.errors import SomdeskError
from somdesk.io.quantized_png import (indexed_png_bytes, indexed_png_size, save_indexed_png,
                                      used_palette)

from _usecase_util import picture


def chunks(png: bytes):
    """(type, data) of each PNG chunk, checking CRCs."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos = 8
    out = []
    while pos < len(png):
        (n,) = struct.unpack(">I", png[pos:pos + 4])
        kind = png[pos + 4:pos + 8]
        data = png[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", png[pos + 8 + n:pos + 12 + n])
        assert crc == zlib.crc32(kind + data)
        out.append((kind.decode("ascii"), data))
        pos += 12 + n
    return out


def test_quantised_picture_round_trips_exactly():
    img = picture(40, 50, seed=4)
    som = train_quantizer(img, 4, 4, seed=2, iterations=5, fine_tune=3)
    pal = palette_rgb8(som.weights)
    idx = assign_chunked(img, pal)
    png = indexed_png_bytes(idx, pal)
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and im.mode == "P"
        back = np.asarray(im.convert("RGB"))
    assert np.array_equal(back, quantize(img, som.weights))


def test_plte_holds_exactly_the_used_entries_and_bit_depth_shrinks():
    pal = np.random.default_rng(0).integers(0, 256, (256, 3)).astype(np.uint8)
    idx = np.array([[3, 7, 200], [7, 3, 5]], np.uint8)
    png = indexed_png_bytes(idx, pal)
    cs = dict(chunks(png))
    assert len(cs["PLTE"]) == 4 * 3
    assert np.array_equal(np.frombuffer(cs["PLTE"], np.uint8).reshape(-1, 3), pal[[3, 5, 7, 200]])
    width, height, depth, colour_type = struct.unpack(">IIBB", cs["IHDR"][:10])
    assert (width, height, colour_type) == (3, 2, 3) and depth <= 4
    with Image.open(io.BytesIO(png)) as im:
        assert np.array_equal(np.asarray(im.convert("RGB")), pal[idx])


def test_used_palette_renumbers_in_palette_order():
    pal = np.arange(30, dtype=np.uint8).reshape(10, 3)
    idx = np.array([[9, 2], [2, 4]], np.uint16)
    new_idx, used = used_palette(idx, pal)
    assert new_idx.tolist() == [[2, 0], [0, 1]]
    assert np.array_equal(used, pal[[2, 4, 9]])


def test_256_colours_and_one_colour():
    pal = np.random.default_rng(1).integers(0, 256, (256, 3)).astype(np.uint8)
    idx = np.arange(256, dtype=np.uint8).reshape(16, 16)
    with Image.open(io.BytesIO(indexed_png_bytes(idx, pal))) as im:
        assert np.array_equal(np.asarray(im.convert("RGB")), pal[idx])
    one = np.zeros((5, 5), np.uint8)
    with Image.open(io.BytesIO(indexed_png_bytes(one, pal))) as im:
        assert np.all(np.asarray(im.convert("RGB")) == pal[0])


def test_float_weights_are_accepted_as_palette():
    w = np.random.default_rng(2).random((2, 2, 3))
    idx = np.array([[0, 3]], np.uint8)
    with Image.open(io.BytesIO(indexed_png_bytes(idx, w))) as im:
        assert np.array_equal(np.asarray(im.convert("RGB")), palette_rgb8(w)[idx])


def test_size_and_atomic_save(tmp_path):
    img = picture(30, 30)
    pal = np.array([[0, 0, 0], [255, 255, 255], [200, 30, 40], [90, 90, 200]], np.uint8)
    idx = assign_chunked(img, pal)
    path = tmp_path / "q.png"
    path.write_bytes(b"old")
    n = save_indexed_png(path, idx, pal)
    assert n == os.path.getsize(path) == indexed_png_size(idx, pal) == len(indexed_png_bytes(idx, pal))
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    with pytest.raises(SomdeskError, match="does not exist"):
        save_indexed_png(tmp_path / "missing" / "q.png", idx, pal)


def test_bad_indices_are_clear_errors():
    pal = np.zeros((4, 3), np.uint8)
    with pytest.raises(SomdeskError, match="outside the palette"):
        indexed_png_bytes(np.array([[0, 4]]), pal)
    with pytest.raises(SomdeskError, match="height, width"):
        indexed_png_bytes(np.zeros(4, np.uint8), pal)
    with pytest.raises(SomdeskError, match="integers"):
        indexed_png_bytes(np.zeros((2, 2)), pal)
    big = np.zeros((300, 3), np.uint8)
    with pytest.raises(SomdeskError, match="at most 256"):
        indexed_png_bytes(np.arange(300, dtype=np.uint16).reshape(15, 20), big)
