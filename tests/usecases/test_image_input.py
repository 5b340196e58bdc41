"""Loading pictures: formats, modes, alpha on white, limits and damaged files."""
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from somdesk.errors import FileFormatError
from somdesk.io import image_input
from somdesk.io.image_input import (MAX_FILE_BYTES, MAX_IMAGE_PIXELS, load_image, load_image_bytes,
                                    supported_image_formats)

from _usecase_util import encode, picture, write


def test_limits_are_module_constants():
    assert MAX_IMAGE_PIXELS == 100_000_000 and MAX_FILE_BYTES == 512 * 2**20
    assert 6000 * 4000 <= MAX_IMAGE_PIXELS          # a 24 MP photo fits


def test_supported_formats():
    fmts = supported_image_formats()
    for name in ("PNG", "JPEG", "BMP", "GIF"):
        assert name in fmts
    assert ".jpg" in fmts["JPEG"] and ".png" in fmts["PNG"]
    from PIL import features
    assert ("WEBP" in fmts) == bool(features.check("webp"))
    assert "*.png" in image_input.image_file_filter()


@pytest.mark.parametrize("fmt,ext", [("PNG", "png"), ("BMP", "bmp"), ("GIF", "gif")])
def test_lossless_formats_round_trip(tmp_path, fmt, ext):
    img = picture(20, 30)
    if fmt == "GIF":   # GIF holds 256 colours: use a picture that fits
        img = (img // 64 * 64).astype(np.uint8)
    got = load_image(write(tmp_path, f"a.{ext}", encode(img, fmt)))
    assert got.dtype == np.uint8 and got.shape == (20, 30, 3)
    assert np.array_equal(got, img)


def test_jpeg_loads_close_to_original(tmp_path):
    img = picture(32, 32)
    got = load_image(write(tmp_path, "a.jpg", encode(img, "JPEG", quality=95)))
    assert got.shape == (32, 32, 3)
    assert np.abs(got.astype(int) - img).mean() < 6


def test_webp_when_available(tmp_path):
    if "WEBP" not in supported_image_formats():
        pytest.skip("this Pillow has no WebP")
    img = picture(16, 16)
    got = load_image(write(tmp_path, "a.webp", encode(img, "WEBP", lossless=True)))
    assert np.array_equal(got, img)


def test_alpha_is_composited_on_white(tmp_path):
    rgba = np.zeros((1, 4, 4), np.uint8)
    rgba[0, 0] = (255, 0, 0, 255)     # opaque red
    rgba[0, 1] = (255, 0, 0, 0)       # transparent -> white
    rgba[0, 2] = (0, 0, 0, 128)       # half black -> 127
    rgba[0, 3] = (0, 100, 200, 51)    # 20%
    got = load_image(write(tmp_path, "a.png", encode(Image.fromarray(rgba, "RGBA"), "PNG")))
    assert got[0, 0].tolist() == [255, 0, 0]
    assert got[0, 1].tolist() == [255, 255, 255]
    assert got[0, 2].tolist() == [127, 127, 127]
    expected = [round((c * 51 + 255 * 204) / 255) for c in (0, 100, 200)]
    assert got[0, 3].tolist() == expected


def test_grey_and_grey_alpha(tmp_path):
    grey = np.array([[0, 100, 255]], np.uint8)
    got = load_image(write(tmp_path, "g.png", encode(Image.fromarray(grey, "L"), "PNG")))
    assert got[0].tolist() == [[0, 0, 0], [100, 100, 100], [255, 255, 255]]
    la = Image.merge("LA", [Image.fromarray(grey, "L"), Image.fromarray(np.array([[255, 0, 255]], np.uint8), "L")])
    got = load_image(write(tmp_path, "la.png", encode(la, "PNG")))
    assert got[0].tolist() == [[0, 0, 0], [255, 255, 255], [255, 255, 255]]


def test_sixteen_bit_grey_keeps_top_bits(tmp_path):
    arr = np.array([[0, 257 * 100, 65535]], np.uint16)
    im = Image.fromarray(arr)          # mode I;16
    got = load_image(write(tmp_path, "g16.png", encode(im, "PNG")))
    assert got[0, :, 0].tolist() == [0, 100, 255]


def test_palette_with_transparency(tmp_path):
    im = Image.new("P", (3, 1))
    im.putpalette([10, 20, 30, 40, 50, 60, 70, 80, 90] + [0] * (253 * 3))
    im.putdata([0, 1, 2])
    im.info["transparency"] = 1
    got = load_image(write(tmp_path, "p.png", encode(im, "PNG", transparency=1)))
    assert got[0].tolist() == [[10, 20, 30], [255, 255, 255], [70, 80, 90]]


def test_cmyk_jpeg_becomes_rgb(tmp_path):
    im = Image.new("CMYK", (8, 8), (0, 255, 255, 0))       # red in CMYK
    got = load_image(write(tmp_path, "c.jpg", encode(im, "JPEG", quality=100)))
    assert got.shape == (8, 8, 3)
    assert got[4, 4, 0] > 200 and got[4, 4, 1] < 60 and got[4, 4, 2] < 60


def test_gif_first_frame(tmp_path):
    a = Image.new("RGB", (4, 4), (255, 0, 0))
    b = Image.new("RGB", (4, 4), (0, 0, 255))
    buf = io.BytesIO()
    a.save(buf, format="GIF", save_all=True, append_images=[b])
    got = load_image(write(tmp_path, "anim.gif", buf.getvalue()))
    assert np.all(got == (255, 0, 0))


def test_exif_orientation_is_applied(tmp_path):
    img = np.zeros((2, 3, 3), np.uint8)
    img[0, 0] = 255
    im = Image.fromarray(img)
    exif = im.getexif()
    exif[0x0112] = 6                        # rotate 90 CW to display
    got = load_image(write(tmp_path, "r.jpg", encode(im, "JPEG", exif=exif, quality=100)))
    assert got.shape == (3, 2, 3)


# -- damaged and hostile files ---------------------------------------------------
def png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    idat = zlib.compress(b"\x00" * 64)
    idat_chunk = struct.pack(">I", len(idat)) + b"IDAT" + idat + struct.pack(">I", zlib.crc32(b"IDAT" + idat))
    return b"\x89PNG\r\n\x1a\n" + chunk + idat_chunk


def test_decompression_bomb_header_is_refused_before_decoding(tmp_path, monkeypatch):
    decoded = []
    monkeypatch.setattr(image_input, "_to_rgb8", lambda im: decoded.append(im) or None)
    path = write(tmp_path, "bomb.png", png_header(60000, 60000))
    with pytest.raises(FileFormatError, match=r"bomb\.png.*(60000x60000|too large)"):
        load_image(path)
    assert decoded == []


def test_just_over_our_limit_is_refused_with_the_size(tmp_path):
    path = write(tmp_path, "big.png", png_header(10001, 10000))
    with pytest.raises(FileFormatError, match=r"big\.png.*10001x10000.*100,000,000"):
        load_image(path)


def test_truncated_png(tmp_path):
    data = encode(picture(64, 64), "PNG")
    path = write(tmp_path, "cut.png", data[: len(data) // 2])
    with pytest.raises(FileFormatError, match=r"cut\.png.*(truncated|damaged)"):
        load_image(path)


def test_garbage_named_jpg(tmp_path):
    path = write(tmp_path, "photo.jpg", bytes(range(256)) * 8)
    with pytest.raises(FileFormatError, match=r"photo\.jpg: the JPEG picture is damaged or truncated \(its header"):
        load_image(path)


def test_truncated_jpeg_header(tmp_path):
    data = encode(picture(64, 64), "JPEG")
    with pytest.raises(FileFormatError, match=r"x\.jpg"):
        load_image(write(tmp_path, "x.jpg", data[:40]))


def test_empty_missing_folder_and_oversized(tmp_path, monkeypatch):
    with pytest.raises(FileFormatError, match="empty"):
        load_image(write(tmp_path, "e.png", b""))
    with pytest.raises(FileFormatError, match="nope.png"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(FileFormatError, match="folder"):
        load_image(tmp_path)
    monkeypatch.setattr(image_input, "MAX_FILE_BYTES", 100)
    with pytest.raises(FileFormatError, match="limit"):
        load_image(write(tmp_path, "a.png", encode(picture(), "PNG")))


def test_unsupported_format_is_refused():
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, format="PPM")      # TIFF is read since 2026-11-30
    with pytest.raises(FileFormatError, match="not a supported image"):
        load_image_bytes(buf.getvalue(), "a.ppm")


# -- alpha kept, orientation, memory (issue 11 transparency, issue 10 item 5) ----------
def test_alpha_kept_when_asked(tmp_path):
    rgba = np.zeros((6, 8, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[..., 3] = np.arange(8, dtype=np.uint8) * 30
    path = write(tmp_path, "a.png", encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    got = load_image(path, alpha=True)
    assert got.shape == (6, 8, 4) and np.array_equal(got, rgba)
    assert load_image(path).shape == (6, 8, 3)                       # the default still composites
    opaque = write(tmp_path, "b.png", encode(Image.fromarray(picture(5, 5)), "PNG"))
    assert load_image(opaque, alpha=True).shape == (5, 5, 3)          # no alpha: nothing added
    pal = Image.new("P", (4, 1))
    pal.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    pal.putdata([0, 1, 1, 0])
    got = load_image(write(tmp_path, "p.png", encode(pal, "PNG", transparency=0)), alpha=True)
    assert got[0].tolist() == [[255, 0, 0, 0], [0, 255, 0, 255], [0, 255, 0, 255], [255, 0, 0, 0]]
    assert load_image_bytes(encode(Image.fromarray(rgba, "RGBA"), "PNG"), alpha=True).shape == (6, 8, 4)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_matches_pillow(tmp_path, orientation):
    from PIL import ImageOps

    im = Image.fromarray(picture(5, 7, seed=orientation))
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(im, "PNG", exif=exif.tobytes())
    want = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"))
    assert np.array_equal(load_image(write(tmp_path, "o.png", data)), want)


def test_banded_conversion_equals_whole(monkeypatch):
    """Converting in bands gives the same pixels as one band, for every mode family."""
    rng = np.random.default_rng(4)
    grey16 = Image.fromarray(rng.integers(0, 65536, (37, 11)).astype(np.uint16))
    rgba = Image.fromarray(rng.integers(0, 256, (37, 11, 4)).astype(np.uint8), "RGBA")
    for im in (grey16, rgba, rgba.convert("P"), rgba.convert("LA"), rgba.convert("RGB")):
        data = encode(im, "PNG")
        monkeypatch.setattr(image_input, "BAND_PIXELS", 1 << 30)
        whole = load_image_bytes(data), load_image_bytes(data, alpha=True)
        monkeypatch.setattr(image_input, "BAND_PIXELS", 11 * 3)      # bands of 3 rows
        banded = load_image_bytes(data), load_image_bytes(data, alpha=True)
        assert all(np.array_equal(a, b) for a, b in zip(whole, banded)), im.mode


def _grey16_png(path, width, height):
    """A width x height 16-bit greyscale PNG written row by row: the first row a ramp, every
    later row filter type 2 ("Up") with zero differences, so it compresses to almost nothing."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ramp = (np.arange(width, dtype=np.int64) * 65535 // (width - 1)).astype(">u2").tobytes()
    comp = zlib.compressobj(1)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)))
        parts = [comp.compress(b"\x00" + ramp)]
        up = b"\x02" + bytes(2 * width)
        block = up * 64
        for _ in range((height - 1) // 64):
            parts.append(comp.compress(block))
        parts.append(comp.compress(up * ((height - 1) % 64)))
        parts.append(comp.flush())
        f.write(chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b""))


def test_100_megapixel_16bit_grey_png_peaks_under_1_2_gb(tmp_path):
    """Issue 10 item 5: the legal maximum (10,000 x 10,000 = 1e8 pixels, 16-bit grey, a few
    hundred KB on disk) loads with peak RSS under 1.2 GB (it was 2 GB); measured in a fresh
    process so nothing else counts."""
    import subprocess
    import sys

    path = tmp_path / "big16.png"
    _grey16_png(path, 10_000, 10_000)
    assert path.stat().st_size < 2 * 2**20
    code = ("import resource, sys, numpy as np\n"
            "from somdesk.io.image_input import load_image\n"
            "img = load_image(sys.argv[1])\n"
            "ramp = np.rint(np.arange(10000) * 65535 // 9999 / 257).astype(np.uint8)\n"
            "ok = img.shape == (10000, 10000, 3) and np.array_equal(img[0, :, 1], ramp) "
            "and np.array_equal(img[-1, :, 2], ramp)\n"
            "print(int(ok), int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]))\n")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    ok, peak_kb = map(int, out.stdout.split())
    assert ok == 1
    assert peak_kb * 1024 < 1.2e9, f"peak RSS {peak_kb / 2**20:.2f} GiB"
