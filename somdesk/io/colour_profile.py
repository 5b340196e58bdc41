"""Embedded ICC colour profiles: pictures are brought to sRGB when they are read.

somdesk works on sRGB values (the SOM's colour spaces, CIEDE2000, the PNGs it writes,
which carry no profile).  A picture tagged with another profile -- Display P3 from a
phone, Adobe RGB from a camera, linear sRGB from a renderer, a press CMYK profile in a
print JPEG -- holds numbers that mean other colours; taken as sRGB they come out too
dull, too dark or shifted, and every colour-managed viewer (browsers, GIMP, Photoshop,
Preview) shows the quantised result differently from the original (tester7 F7).

So a picture's pixels are converted from its embedded profile to sRGB by LittleCMS
(Pillow's ImageCms) with the relative colorimetric intent and black point compensation
(Photoshop's default for display; for the matrix/shaper profiles of RGB pictures all
intents agree).  A profile that already is sRGB (checked by converting a grid of probe
colours, not by its name: "sRGB-elle-V2-g10" is linear) costs nothing more.  A profile
LittleCMS cannot read, or one for another colour space than the picture's, is ignored
as browsers do.  CMYK pictures without a profile keep Pillow's naive conversion
(255 - C ...): no press profile ships with Pillow.
"""
from __future__ import annotations

import io

import numpy as np

__all__ = ["SrgbConversion", "srgb_conversion"]


class SrgbConversion:
    """Converts bands of one picture from its embedded profile to sRGB.

    `mode` is the Pillow mode a band must have before `apply` ("RGB", "RGBA" or
    "CMYK"); `apply(band)` returns the band as uint8 (h, w, 3), or (h, w, 4) for
    "RGBA" (alpha is copied unchanged).
    """

    def __init__(self, mode: str, transform, description: str):
        self.mode = mode
        self.transform = transform
        self.description = description

    def apply(self, band) -> np.ndarray:
        """(h, w, 3) uint8 sRGB of the PIL image `band` ((h, w, 4) for "RGBA"), converted to `mode` first."""
        from PIL import ImageCms

        if band.mode != self.mode:
            band = band.convert(self.mode)
        return np.asarray(ImageCms.applyTransform(band, self.transform))


def srgb_conversion(im) -> SrgbConversion | None:
    """The conversion of PIL image `im` to sRGB by its embedded ICC profile, or None when
    it has none, it is sRGB already, or it cannot be used (see the module docstring).

    Converted: colour pictures (RGB, RGBA, P, PA) with an RGB profile, CMYK with a CMYK
    profile.  Grey pictures keep their values (a grey profile's tone curve is close to
    sRGB's, and the result would no longer be grey in some viewers).
    """
    data = im.info.get("icc_profile")
    if not data or not isinstance(data, (bytes, bytearray)):
        return None
    try:
        from PIL import ImageCms
    except ImportError:          # a Pillow built without LittleCMS: the pixels as stored
        return None
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(bytes(data)))
        space = (source.profile.xcolor_space or "").strip().upper()
        description = (source.profile.profile_description or "").strip()
    except Exception:            # a damaged profile is ignored, as browsers do
        return None
    from somdesk.io.image_input import has_transparency

    if space == "RGB" and im.mode in ("RGB", "RGBA", "RGBa", "RGBX", "P", "PA"):
        mode = "RGBA" if has_transparency(im) else "RGB"     # the reader's own test (bands match)
    elif space == "CMYK" and im.mode == "CMYK":
        mode = "CMYK"
    else:
        return None
    try:
        srgb = ImageCms.createProfile("sRGB")
        transform = ImageCms.buildTransform(
            source, srgb, mode, "RGBA" if mode == "RGBA" else "RGB",
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
    except Exception:            # LittleCMS refuses the profile (e.g. an input-only device link)
        return None
    conversion = SrgbConversion(mode, transform, description)
    if mode != "CMYK" and _is_identity(conversion):
        return None
    return conversion


def _is_identity(conversion: SrgbConversion) -> bool:
    """True when the conversion moves no channel of a 9x9x9 grid of colours by more than 1."""
    from PIL import Image

    levels = np.linspace(0, 255, 9).round().astype(np.uint8)
    grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(1, -1, 3)
    probe = grid if conversion.mode == "RGB" else np.concatenate(
        [grid, np.full(grid.shape[:2] + (1,), 255, np.uint8)], axis=-1)
    out = conversion.apply(Image.fromarray(np.ascontiguousarray(probe), conversion.mode))
    return int(np.abs(out[..., :3].astype(np.int16) - grid.astype(np.int16)).max()) <= 1
