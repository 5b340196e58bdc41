"""Pictures with an embedded ICC profile are read as sRGB (tester7 F7: a linear-light or
Display P3 picture was quantised as if its numbers were sRGB, and looked darker or duller
than the original in every colour-managed viewer)."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageCms

from somdesk.io.image_input import load_image
from tests.usecases.icc_profiles import DISPLAY_P3_COLORANTS, SRGB_COLORANTS, rgb_profile, srgb_encode

PIXELS = np.array([[[128, 128, 128], [0, 64, 0], [200, 100, 50], [255, 255, 255], [0, 0, 0], [30, 200, 240]]],
                  np.uint8)


def _save(path, pixels, profile: bytes | None, fmt="PNG", mode=None):
    im = Image.fromarray(pixels, mode) if mode else Image.fromarray(pixels)
    kw = {"icc_profile": profile} if profile is not None else {}
    im.save(path, fmt, **kw)
    return path


def _expected(pixels: np.ndarray, colorants, gamma: float) -> np.ndarray:
    """The sRGB of `pixels` under a matrix/shaper profile: decode, to D50 XYZ by the colorants,
    back through sRGB's colorants, clip, encode (the ICC's own definition of the transform)."""
    linear = (pixels.astype(np.float64) / 255.0) ** gamma
    xyz = linear @ np.array(colorants)
    srgb_linear = xyz @ np.linalg.inv(np.array(SRGB_COLORANTS))
    return srgb_encode(srgb_linear) * 255.0


def test_linear_light_picture_comes_out_as_srgb(tmp_path):
    path = _save(tmp_path / "linear.png", PIXELS, rgb_profile("linear sRGB", SRGB_COLORANTS, 1.0))
    got = load_image(path)
    want = _expected(PIXELS, SRGB_COLORANTS, 1.0)
    assert np.abs(got.astype(float) - want).max() <= 2.0
    assert tuple(got[0, 0]) == (188, 188, 188)      # the value browsers show for linear 128


def test_display_p3_picture_comes_out_as_srgb(tmp_path):
    path = _save(tmp_path / "p3.jpg", PIXELS, rgb_profile("Display P3 (gamma 2.2)", DISPLAY_P3_COLORANTS), "JPEG")
    stored = np.asarray(Image.open(path).convert("RGB")).astype(float)   # JPEG's own loss
    got = load_image(path).astype(float)
    want = _expected(stored.round().astype(np.uint8), DISPLAY_P3_COLORANTS, 2.2)
    assert np.abs(got - want).max() <= 2.5
    assert np.abs(got - stored).max() > 10           # the colours did move


def test_srgb_profile_leaves_the_pixels_as_stored(tmp_path):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path = _save(tmp_path / "srgb.png", PIXELS, srgb)
    assert np.array_equal(load_image(path), PIXELS)


def test_alpha_is_kept_and_the_colour_converted(tmp_path):
    rgba = np.concatenate([PIXELS, np.array([[[255], [0], [128], [255], [255], [10]]], np.uint8)], axis=-1)
    path = _save(tmp_path / "linear_rgba.png", rgba, rgb_profile("linear sRGB", SRGB_COLORANTS, 1.0))
    got = load_image(path, alpha=True)
    assert got.shape == (1, 6, 4)
    assert np.array_equal(got[..., 3], rgba[..., 3])
    want = _expected(PIXELS, SRGB_COLORANTS, 1.0)
    assert np.abs(got[..., :3].astype(float) - want).max() <= 2.0


def test_palette_picture_with_a_profile_is_converted(tmp_path):
    im = Image.fromarray(PIXELS).quantize(8)
    path = tmp_path / "indexed.png"
    im.save(path, icc_profile=rgb_profile("linear sRGB", SRGB_COLORANTS, 1.0))
    got = load_image(path)
    want = _expected(np.asarray(im.convert("RGB")), SRGB_COLORANTS, 1.0)
    assert np.abs(got.astype(float) - want).max() <= 2.0


@pytest.mark.parametrize("profile", [b"not a profile at all" * 10, rgb_profile("x")[:150]])
def test_damaged_profile_is_ignored_as_browsers_do(tmp_path, profile):
    path = _save(tmp_path / "bad.png", PIXELS, profile)
    assert np.array_equal(load_image(path), PIXELS)


def test_grey_picture_keeps_its_values(tmp_path):
    grey = PIXELS[..., 0]
    path = _save(tmp_path / "grey.png", grey, rgb_profile("linear sRGB", SRGB_COLORANTS, 1.0), mode="L")
    got = load_image(path)
    assert np.array_equal(got[..., 0], grey) and np.array_equal(got[..., 1], grey)


def test_quantize_command_writes_the_srgb_colours(tmp_path):
    """The CLI and the window read pictures through load_image: the quantised PNG holds the
    colours a viewer showed for the original."""
    from somdesk.cli import main

    src = _save(tmp_path / "linear.png", np.repeat(np.repeat(PIXELS[:, :2], 20, 0), 20, 1),
                rgb_profile("linear sRGB", SRGB_COLORANTS, 1.0))
    out = tmp_path / "out.png"
    assert main(["quantize", str(src), str(out), "--colors", "2"]) == 0
    colours = {tuple(c) for c in np.asarray(Image.open(out).convert("RGB")).reshape(-1, 3)}
    assert colours == {(188, 188, 188), (0, 137, 0)}


def test_picture_read_as_a_palette_keeps_its_values_and_says_so(tmp_path):
    """A palette is the numbers stored; a non-sRGB profile is named in a warning."""
    from somdesk.io.palettes import read_palette

    im = Image.fromarray(PIXELS).quantize(6)
    path = tmp_path / "pal.png"
    im.save(path, icc_profile=rgb_profile("linear sRGB", SRGB_COLORANTS, 1.0))
    pal = read_palette(path)
    assert {tuple(s.rgb) for s in pal.swatches} == {tuple(c) for c in np.asarray(im.convert("RGB")).reshape(-1, 3)}
    assert any("colour profile other than sRGB (linear sRGB)" in w for w in pal.warnings)
    plain = tmp_path / "plain.png"
    im.save(plain)
    assert not any("profile" in w for w in read_palette(plain).warnings)


@pytest.mark.parametrize("kind", ["RGB", "RGBA", "P", "P+tRNS", "RGB+tRNS"])
def test_the_conversion_and_the_reader_agree_on_transparency(tmp_path, kind):
    # one test of "has alpha" (image_input.has_transparency) for the reader and the profile's
    # conversion: an RGBA conversion for exactly the pictures read with their transparency
    from somdesk.io.colour_profile import srgb_conversion
    from somdesk.io.image_input import has_transparency

    im = Image.fromarray(PIXELS)
    if kind == "RGBA":
        im = im.convert("RGBA")
    elif kind.startswith("P"):
        im = im.convert("P")
    profile = rgb_profile("linear sRGB", SRGB_COLORANTS, 1.0)
    path = tmp_path / "t.png"
    kw = {"icc_profile": profile}
    if kind == "P+tRNS":
        kw["transparency"] = 0
    elif kind == "RGB+tRNS":
        kw["transparency"] = (0, 0, 0)
    im.save(path, "PNG", **kw)
    with Image.open(path) as im:
        conversion = srgb_conversion(im)
        assert conversion is not None
        assert (conversion.mode == "RGBA") == has_transparency(im) == (kind not in ("RGB", "P"))
    assert load_image(path, alpha=True).shape[2] == (4 if kind not in ("RGB", "P") else 3)
