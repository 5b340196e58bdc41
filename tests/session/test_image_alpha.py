"""Pictures with transparency in the window's image maps (issue 11), without Qt.

Transparent pixels never train the map nor take palette slots beyond the one
reserved entry; every export is the CLI's indexed PNG with tRNS; saved maps
remember the alpha; opaque pictures are quantised exactly as before.
"""
from __future__ import annotations

import json
import struct
import zipfile

import numpy as np
import pytest
from PIL import Image

from somdesk.core.map_quantise import map_palette, quantise_with_map
from somdesk.core.quantize import assign_chunked, palette_rgb8, psnr, sample_pixels
from somdesk.errors import SomdeskError
from somdesk.io.quantized_png import MAX_PNG_COLOURS
from somdesk.session import Session

MAGENTA = (255, 0, 255)      # what the transparent area stores: must never show up in a palette


def logo(h=160, w=200, translucent=False, seed=3):
    """Six flat colour blocks on a large fully transparent area whose RGB is magenta."""
    rng = np.random.default_rng(seed)
    img = np.zeros((h, w, 4), np.uint8)
    img[..., :3] = MAGENTA                    # alpha 0: the stored colour means nothing
    blocks = rng.integers(0, 200, (6, 3))     # none near magenta
    for k in range(6):
        r, c = 20 + (k // 3) * 40, 10 + (k % 3) * 45
        img[r:r + 40, c:c + 45, :3] = blocks[k]
        img[r:r + 40, c:c + 45, 3] = 255
    if translucent:                           # an anti-aliased edge: half-transparent green
        img[20:100, 8:10] = (0, 200, 0, 128)
    return img


def save_rgba(tmp_path, img, name="logo.png"):
    path = tmp_path / name
    Image.fromarray(img, "RGBA").save(path)
    return path


def trained(path, width=4, height=4, iterations=6):
    s = Session()
    assert s.open(path) == "image"
    s.update_config(width=width, height=height, iterations=iterations, seed=1)
    s.train()
    return s


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """[(type, payload)] of a PNG file, read by its layout: signature, then length-type-data-CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    out, pos = [], 8
    while pos < len(data):
        n = struct.unpack(">I", data[pos:pos + 4])[0]
        out.append((data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]))
        pos += 12 + n
    return out


def read_png(path):
    im = Image.open(path)
    im.load()
    return im


def test_transparent_pixels_never_reach_the_training_sample(tmp_path):
    img = logo()
    s = Session()
    s.open(save_rgba(tmp_path, img))
    d = s.dataset
    assert d.has_alpha and d.pixels.shape == img.shape
    visible = int(np.count_nonzero(img[..., 3]))
    assert visible < img.shape[0] * img.shape[1] // 2           # a large transparent area
    assert d.sample.shape == (visible, 3)                       # small picture: every visible pixel
    as8 = np.rint(d.sample * 255).astype(np.uint8)
    assert not np.any(np.all(as8 == MAGENTA, axis=1))
    # a sample smaller than the picture is drawn from visible pixels only, too
    part = sample_pixels(img, 500, seed=2)
    assert len(part) == 500 and not np.any(np.all(np.rint(part * 255) == MAGENTA, axis=1))


def test_quantised_png_keeps_transparency_and_spends_one_slot_on_it(tmp_path):
    img = logo()
    s = trained(save_rgba(tmp_path, img))
    assert not np.any(np.all(palette_rgb8(s.map.weights) == MAGENTA, axis=1))   # the map never saw it
    q = s.quantise()
    assert q.has_alpha and q.used == 7 and q.psnr == np.inf     # 6 colours + the transparent entry
    out = tmp_path / "q.png"
    size = s.export_quantised(out)
    assert size == out.stat().st_size
    im = read_png(out)
    assert im.mode == "P" and "transparency" in im.info
    chunks = png_chunks(out.read_bytes())
    names = [n for n, _ in chunks]
    assert names.index(b"PLTE") < names.index(b"tRNS") < names.index(b"IDAT")    # PNG 1.2, 4.2.1.1
    plte = np.frombuffer(dict(chunks)[b"PLTE"], np.uint8).reshape(-1, 3)
    trns = np.frombuffer(dict(chunks)[b"tRNS"], np.uint8)
    assert len(plte) == 7 and len(trns) == 1 and trns[0] == 0      # one transparent entry, listed first
    assert not np.any(np.all(plte == MAGENTA, axis=1))
    back = np.asarray(im.convert("RGBA"))
    gone = img[..., 3] == 0
    assert np.all(back[gone][:, 3] == 0)                        # every transparent pixel stays so
    np.testing.assert_array_equal(back[~gone], img[~gone])      # and the rest is exact


def test_partially_transparent_pixels_keep_their_alpha(tmp_path):
    img = logo(translucent=True)
    s = trained(save_rgba(tmp_path, img))
    q = s.quantise()
    px = q.pixels()
    edge = img[..., 3] == 128
    assert np.all(px[edge] == (0, 200, 0, 128))                 # the CLI's rule: alpha is a channel
    assert np.all(px[img[..., 3] == 0][:, 3] == 0)
    s.export_view(tmp_path / "v.png", "quantised")              # the view export is the same file
    back = np.asarray(read_png(tmp_path / "v.png").convert("RGBA"))
    np.testing.assert_array_equal(back, px)


def test_session_and_cli_follow_one_rule(tmp_path):
    """Six opaque colours on transparency: the window's map and `somdesk quantize` agree exactly."""
    from somdesk.cli import main

    img = logo()
    src = save_rgba(tmp_path, img)
    s = trained(src)
    s.quantise()
    s.export_quantised(tmp_path / "window.png")
    assert main(["quantize", str(src), str(tmp_path / "cli.png"), "--colors", "16", "--quiet"]) == 0
    a = np.asarray(read_png(tmp_path / "window.png").convert("RGBA"))
    b = np.asarray(read_png(tmp_path / "cli.png").convert("RGBA"))
    np.testing.assert_array_equal(a[..., 3], b[..., 3])
    np.testing.assert_array_equal(a[a[..., 3] > 0], b[b[..., 3] > 0])


def test_a_full_map_gives_way_to_the_transparent_entry():
    """256 nodes, all used, plus transparency: the file still holds at most 256 entries."""
    rng = np.random.default_rng(0)
    img = np.zeros((64, 64, 4), np.uint8)
    img[..., :3] = rng.integers(0, 256, (64, 64, 3))
    img[:, :48, 3] = 255                                        # 3072 visible pixels of random colours
    nodes = rng.integers(0, 256, (256, 3)).astype(np.uint8)
    nodes = np.unique(nodes, axis=0)
    while len(nodes) < 256:
        nodes = np.unique(np.vstack([nodes, rng.integers(0, 256, (1, 3)).astype(np.uint8)]), axis=0)
    pal = map_palette(img, nodes)
    assert len(pal) == MAX_PNG_COLOURS and np.count_nonzero(np.all(pal == 0, axis=1)) == 1
    idx, pal2 = quantise_with_map(img, nodes)
    np.testing.assert_array_equal(pal, pal2)
    assert np.all(idx[:, 48:] == np.flatnonzero(np.all(pal == 0, axis=1))[0])


def test_saved_map_remembers_the_alpha(tmp_path):
    img = logo(translucent=True)
    src = save_rgba(tmp_path, img)
    s = trained(src)
    s.save(tmp_path / "m.somz")
    with zipfile.ZipFile(tmp_path / "m.somz") as zf:
        meta = json.loads(zf.read("meta.json"))
    assert meta["image"]["alpha"] is True
    again = Session()
    again.open(tmp_path / "m.somz")
    assert again.dataset.has_alpha and again.dataset.full_size          # the original, read with alpha
    np.testing.assert_array_equal(again.dataset.pixels, img)
    src.unlink()                                                        # gone: the stored RGBA copy
    third = Session()
    third.open(tmp_path / "m.somz")
    assert third.dataset.has_alpha and not third.dataset.full_size
    np.testing.assert_array_equal(third.dataset.pixels, img)            # small enough to be kept whole
    q = third.quantise()
    assert np.all(q.pixels()[img[..., 3] == 0][:, 3] == 0)


def test_opaque_pictures_are_quantised_from_the_map_colours(picture_file, tmp_path):
    """The window's Quantise is the command's palette fit started from the map's colours
    (core.map_quantise.quantise_from_map); an opaque picture keeps an RGB palette."""
    from somdesk.core.map_quantise import quantise_from_map

    s = trained(picture_file, 3, 3, 4)
    d = s.dataset
    assert not d.has_alpha and d.pixels.shape[2] == 3
    np.testing.assert_array_equal(d.sample, sample_pixels(d.pixels, d.settings.sample, 0))
    q = s.quantise()
    idx, rgba = quantise_from_map(d.pixels, s.map.weights)
    pal = rgba[:, :3]
    assert np.all(rgba[:, 3] == 255) and len(pal) <= 9
    np.testing.assert_array_equal(q.palette, pal)               # (K, 3): no alpha column
    np.testing.assert_array_equal(q.indices, idx)
    assert q.psnr == psnr(d.pixels, pal[q.indices])
    np.testing.assert_array_equal(q.rgb(), pal[q.indices])
    s.export_quantised(tmp_path / "o.png")
    im = read_png(tmp_path / "o.png")
    assert im.mode == "P" and "transparency" not in im.info
    np.testing.assert_array_equal(np.asarray(im.convert("RGB")), pal[q.indices])
    s.save(tmp_path / "o.somz")
    with zipfile.ZipFile(tmp_path / "o.somz") as zf:
        assert "alpha" not in json.loads(zf.read("meta.json"))["image"]


def test_the_window_shows_transparency_over_a_checkerboard(tmp_path):
    img = logo()
    s = trained(save_rgba(tmp_path, img))
    shown = s.dataset.shown()
    assert shown.shape == img.shape[:2] + (3,)
    corner = shown[:16, :16].reshape(-1, 3)                     # transparent: grey and white squares
    assert {tuple(c) for c in corner} == {(204, 204, 204), (255, 255, 255)}
    np.testing.assert_array_equal(shown[img[..., 3] == 255], img[img[..., 3] == 255][:, :3])
    q = s.quantise()
    np.testing.assert_array_equal(q.rgb(), shown)               # six colours: reproduced exactly
    view, _ = s.view_picture("quantised")
    np.testing.assert_array_equal(view, shown)


def test_a_picture_with_nothing_visible_is_one_clear_error(tmp_path):
    img = np.zeros((80, 80, 4), np.uint8)
    s = Session()
    with pytest.raises(SomdeskError, match="fully transparent"):
        s.open(save_rgba(tmp_path, img, "empty.png"))
    assert s.dataset is None


def test_the_preview_counts_and_fits_a_picture_once(tmp_path):
    """The translucent entries depend on the picture only: the live preview keeps them."""
    from somdesk.session.analysis import quantised_preview

    img = logo(translucent=True)
    s = trained(save_rgba(tmp_path, img))
    d = s.dataset
    assert "hist" in d.preview_colours and any(k[0] == "translucent" for k in d.preview_colours if
                                               isinstance(k, tuple))         # training filled it
    cached = dict(d.preview_colours)
    again = quantised_preview(d.preview, s.map.weights, d.preview_colours)
    fresh = quantised_preview(d.preview, s.map.weights)
    np.testing.assert_array_equal(again.palette, fresh.palette)
    np.testing.assert_array_equal(again.indices, fresh.indices)
    assert all(d.preview_colours[k] is v for k, v in cached.items())        # reused, not recomputed


def test_a_fully_transparent_picture_is_refused_when_read(tmp_path):
    # tester6 F19: refused when installed, on the GUI thread, outside the open task
    from PIL import Image

    from somdesk.errors import FileFormatError
    from somdesk.session.opening import read

    p = tmp_path / "clear.png"
    Image.new("RGBA", (30, 20), (255, 0, 0, 0)).save(p)
    with pytest.raises(FileFormatError, match="fully transparent"):
        read(p, "image")
