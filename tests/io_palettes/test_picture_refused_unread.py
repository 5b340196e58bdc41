"""A photo format given as a palette is refused by its header when it is over the palette pixel
limit, without being decoded (review12 item 5: an 81 Mpx TIFF took 5 s and 300 MB to refuse)."""
import io

import numpy as np
import pytest
from PIL import Image, ImageFile

from somdesk.io.palettes import PaletteError, pictures, read_palette_bytes


def _picture(fmt: str, size=(40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((size[1], size[0], 3), 90, np.uint8)).save(buf, format=fmt)
    return buf.getvalue()


@pytest.mark.parametrize("fmt, name", [("TIFF", "a.tif"), ("JPEG", "a.jpg"), ("BMP", "a.bmp"), ("WEBP", "a.webp")])
def test_over_the_limit_is_refused_without_decoding(monkeypatch, fmt, name):
    monkeypatch.setattr(pictures, "MAX_IMAGE_PIXELS", 40 * 30 - 1)
    loads = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: loads.append(1) or real_load(self))
    with pytest.raises(PaletteError, match="is not read as a palette"):
        read_palette_bytes(_picture(fmt), name)
    assert loads == []


@pytest.mark.parametrize("fmt, name", [("TIFF", "a.tif"), ("JPEG", "a.jpg")])
def test_within_the_limit_a_damaged_body_is_still_named(fmt, name):
    data = _picture(fmt, (400, 300))
    with pytest.raises(PaletteError, match="damaged or truncated"):
        read_palette_bytes(data[: len(data) // 2], name)
