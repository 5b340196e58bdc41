"""Loading pictures for colour quantisation: any common format to (H, W, 3) uint8 RGB.

    img = load_image("holiday.jpg")        # np.ndarray (H, W, 3) uint8

Formats: PNG, JPEG (including camera "MPO" JPEGs), BMP, GIF (first frame) and
WebP when this Pillow build has WebP support; `supported_image_formats()`
says which.  The pixels come out as 8-bit RGB:

* alpha (RGBA, LA, palette images with transparency) is composited on white,
  the way the picture looks in a browser;
* palette, greyscale, 1-bit, CMYK and YCbCr images are converted to RGB;
  16-bit greyscale keeps its top 8 bits (value / 257, rounded);
* JPEG EXIF orientation is applied, so phone photos are the right way up.

Safety.  The file size is checked with os.stat before reading (MAX_FILE_BYTES)
and the pixel count from the header before any pixel is decoded
(MAX_IMAGE_PIXELS; a 24-megapixel photo is far below it).  Pillow's own
decompression-bomb check fires at 89.5 Mpx, under our limit, so its warning is
silenced for the open and its error (beyond 2x that) becomes ours.  Pillow
raises many exception types on damaged data (OSError, SyntaxError,
ValueError, struct.error, zlib.error, EOFError, IndexError ...), so every
failure is reported as one `FileFormatError` naming the file and the reason;
nothing else escapes (tests fuzz this).
"""
from __future__ import annotations

import io
import os
import warnings

import numpy as np

from somdesk.errors import FileFormatError
from somdesk.io.names import stat_input

__all__ = ["MAX_IMAGE_PIXELS", "MAX_FILE_BYTES", "load_image", "load_image_bytes",
           "supported_image_formats", "image_file_filter"]

MAX_IMAGE_PIXELS = 100_000_000          # 100 megapixels: ~300 MB as RGB
MAX_FILE_BYTES = 512 * 1024 * 1024      # 512 MiB on disk

# Pillow format name -> file extensions (lower case, with dot)
_FORMATS = {
    "PNG": (".png",),
    "JPEG": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "MPO": (),                     # multi-picture JPEGs from cameras; opened as JPEG files
    "BMP": (".bmp", ".dib"),
    "GIF": (".gif",),
    "WEBP": (".webp",),
}


def _pillow_formats() -> tuple[str, ...]:
    from PIL import Image, features

    Image.init()
    names = []
    for name in _FORMATS:
        if name == "WEBP" and not features.check("webp"):
            continue
        if name in Image.OPEN:
            names.append(name)
    return tuple(names)


def supported_image_formats() -> dict[str, tuple[str, ...]]:
    """{format name: extensions} this Pillow build can read, e.g. {"PNG": (".png",), ...}.

    WebP is present only when Pillow was built with libwebp.  MPO is folded
    into JPEG (same extensions).
    """
    return {name: _FORMATS[name] for name in _pillow_formats() if _FORMATS[name]}


def image_file_filter() -> str:
    """A file-dialog filter string, e.g. "Images (*.png *.jpg ...)"."""
    exts = [e for v in supported_image_formats().values() for e in v]
    return "Images (" + " ".join("*" + e for e in exts) + ")"


def load_image(path: str | os.PathLike) -> np.ndarray:
    """Read a picture file as an (H, W, 3) uint8 RGB array (see module docstring)."""
    fspath, name, size = stat_input(path)
    if size > MAX_FILE_BYTES:
        raise FileFormatError(f"cannot read {name}: the file is {size / 2**20:,.0f} MiB; "
                              f"the limit is {MAX_FILE_BYTES // 2**20} MiB")
    if size == 0:
        raise FileFormatError(f"cannot read {name}: the file is empty")
    try:
        with open(fspath, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise FileFormatError(f"cannot read {name}: {exc.strerror or exc}") from None
    return load_image_bytes(data, name)


def load_image_bytes(data: bytes, name: str = "image") -> np.ndarray:
    """Like `load_image` for bytes already in memory; `name` is used in messages."""
    if len(data) > MAX_FILE_BYTES:
        raise FileFormatError(f"cannot read {name}: the file is over the limit of "
                              f"{MAX_FILE_BYTES // 2**20} MiB")
    if not data:
        raise FileFormatError(f"cannot read {name}: the file is empty")
    from PIL import Image, UnidentifiedImageError

    # Pillow warns from 89.5 Mpx, under our own limit, which we check ourselves
    # from the header; its hard error (at 2x) is still caught below.  Note that
    # catch_warnings is process-global: a race can at worst leave the filter set.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            return _decode(data, name)
        except FileFormatError:
            raise
        except Image.DecompressionBombError:
            raise FileFormatError(f"cannot read {name}: the image is too large (a possible "
                                  f"decompression bomb; the limit is {MAX_IMAGE_PIXELS:,} pixels)") from None
        except UnidentifiedImageError:
            formats = ", ".join(supported_image_formats())
            raise FileFormatError(f"cannot read {name}: not a supported image ({formats}) "
                                  "or the image header is damaged") from None
        except MemoryError:
            raise FileFormatError(f"cannot read {name}: not enough memory to decode the image") from None
        except Exception as exc:  # Pillow's many error types on damaged data; see docstring
            raise FileFormatError(f"cannot read {name}: the image is damaged or truncated "
                                  f"({type(exc).__name__}: {exc})") from None


def _check_size(width: int, height: int, name: str) -> None:
    if width <= 0 or height <= 0:
        raise FileFormatError(f"cannot read {name}: the image has no pixels ({width}x{height})")
    if width * height > MAX_IMAGE_PIXELS:
        raise FileFormatError(f"cannot read {name}: the image is {width}x{height} = "
                              f"{width * height:,} pixels; the limit is {MAX_IMAGE_PIXELS:,} "
                              "(a possible decompression bomb)")


def _decode(data: bytes, name: str) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(data), formats=_pillow_formats()) as im:
        _check_size(*im.size, name)            # header only: nothing decoded yet
        if getattr(im, "n_frames", 1) > 1:
            im.seek(0)
        im.load()
        _check_size(*im.size, name)            # a GIF frame can grow the canvas
        im = _upright(im)
        return _to_rgb8(im)


def _upright(im):
    """Apply the EXIF orientation tag (phone photos); a broken tag is ignored."""
    from PIL import ImageOps

    try:
        orientation = im.getexif().get(0x0112, 1)
    except Exception:  # damaged EXIF must not stop the picture from loading
        return im
    if orientation in (None, 1):
        return im
    try:
        return ImageOps.exif_transpose(im)
    except Exception:
        return im


def _to_rgb8(im) -> np.ndarray:
    mode = im.mode
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode == "PA":
        im = im.convert("RGBA")
    elif mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(im)
        scale = 257.0 if mode.startswith("I;16") or arr.max(initial=0) > 255 else 1.0
        grey = np.clip(np.rint(arr.astype(np.float64) / scale), 0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    elif mode == "F":
        grey = np.clip(np.rint(np.nan_to_num(np.asarray(im, dtype=np.float64))), 0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    elif mode == "LA":
        im = im.convert("RGBA")
    elif mode == "RGBa":
        im = im.convert("RGBA")
    if im.mode == "RGBA":
        return _composite_on_white(np.asarray(im))
    if im.mode != "RGB":
        im = im.convert("RGB")
    return np.array(im, dtype=np.uint8, copy=True)


def _composite_on_white(rgba: np.ndarray, rows: int = 512) -> np.ndarray:
    """out = (c a + 255 (255 - a)) / 255, rounded; in row slices to bound temporaries."""
    h, w, _ = rgba.shape
    out = np.empty((h, w, 3), dtype=np.uint8)
    for s in range(0, h, rows):
        part = rgba[s:s + rows].astype(np.uint32)
        a = part[:, :, 3:4]
        out[s:s + rows] = (part[:, :, :3] * a + 255 * (255 - a) + 127) // 255
    return out
