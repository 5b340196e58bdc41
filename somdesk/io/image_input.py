"""Loading pictures for colour quantisation: any common format to (H, W, 3) uint8 RGB.

    img = load_image("holiday.jpg")              # np.ndarray (H, W, 3) uint8
    img = load_image("logo.png", alpha=True)     # (H, W, 4) when the picture has alpha

Formats: PNG, JPEG (including camera "MPO" JPEGs), BMP, GIF (first frame),
TIFF (first page) and WebP when this Pillow build has WebP support;
`supported_image_formats()` says which.  The pixels come out as 8-bit RGB:

* alpha (RGBA, LA, palette images with transparency, a tRNS colour) is
  composited on white, the way the picture looks in a browser -- or, with
  ``alpha=True``, kept: the result is then (H, W, 4) RGBA for pictures that
  have transparency and (H, W, 3) for those that do not;
* palette, greyscale, 1-bit, CMYK and YCbCr images are converted to RGB;
  16-bit greyscale keeps its top 8 bits (value / 257, rounded);
* JPEG EXIF orientation is applied, so phone photos are the right way up;
* an embedded ICC profile (Display P3, Adobe RGB, linear sRGB, a CMYK press
  profile) is applied: the pixels come out in sRGB (io/colour_profile.py).

Safety.  The file size is checked with os.stat before reading (MAX_FILE_BYTES)
and the pixel count from the header before any pixel is decoded
(MAX_IMAGE_PIXELS; a 24-megapixel photo is far below it).  Pillow's own
decompression-bomb check fires at 89.5 Mpx, under our limit, so its warning is
silenced for the open and its error (beyond 2x that) becomes ours.  Pillow
raises many exception types on damaged data (OSError, SyntaxError,
ValueError, struct.error, zlib.error, EOFError, IndexError ...), so every
failure is reported as one `FileFormatError` naming the file and the reason;
nothing else escapes (tests fuzz this).

Memory.  `load_image` lets Pillow read the file itself (the encoded bytes are
never held whole), and the decoded picture is converted to the 8-bit result
in bands of BAND_PIXELS pixels, each converted at its stored depth (16-bit
grey is scaled with integer arithmetic), so the peak is Pillow's decoded
picture (at most 4 bytes a pixel) plus the result (3 or 4) plus one band:
under 0.9 GB for the largest legal picture (100 Mpx), where converting the
whole picture at once through float64 took 2 GB for 16-bit greyscale.  The
EXIF orientation is applied to the result after Pillow's copy is freed.
"""
from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass

import numpy as np

from somdesk.core.options import count_text
from somdesk.errors import FileFormatError
from somdesk.io.file_kinds import file_kind, picture_label, with_article
from somdesk.io.names import os_reason, stat_input

__all__ = ["MAX_IMAGE_PIXELS", "MAX_FILE_BYTES", "Picture", "load_image", "load_image_bytes", "read_picture",
           "supported_image_formats", "image_file_filter"]

MAX_IMAGE_PIXELS = 100_000_000          # 100 megapixels: ~300 MB as RGB
MAX_FILE_BYTES = 512 * 1024 * 1024      # 512 MiB on disk
BAND_PIXELS = 1 << 21                   # pixels converted at a time (~2 Mpx: 8-16 MB of temporaries)

# Pillow format name -> file extensions (lower case, with dot)
_FORMATS = {
    "PNG": (".png",),
    "JPEG": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "MPO": (),                     # multi-picture JPEGs from cameras; opened as JPEG files
    "BMP": (".bmp", ".dib"),
    "GIF": (".gif",),
    "WEBP": (".webp",),
    "TIFF": (".tif", ".tiff"),     # scanners, cameras, print work: first page
}


def _pillow_formats() -> tuple[str, ...]:
    import importlib

    from PIL import Image, features

    # only the plugins of _FORMATS, not Image.init()'s ~45 (~30 ms of every command's start-up)
    Image.preinit()
    for plugin in ("MpoImagePlugin", "WebPImagePlugin", "TiffImagePlugin"):
        try:
            importlib.import_module(f"PIL.{plugin}")
        except ImportError:  # pragma: no cover - a Pillow without the plugin reads the rest
            pass
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


@dataclass(frozen=True)
class Picture:
    """A picture read by `read_picture`: `pixels` (H, W, 3) or (H, W, 4) uint8 (as
    `load_image` returns), `frames` the frames (pages, for TIFF) the file holds, of which
    only the first is in `pixels` (1 for a still picture), and `warnings` what the reader
    says about it, one sentence each ("anim.gif has 3 frames; frame 1 is used")."""

    pixels: np.ndarray
    frames: int = 1
    warnings: tuple = ()
    frame_word: str = "frame"       # "page" for a TIFF (as the warning says it)


def load_image(path: str | os.PathLike, alpha: bool = False) -> np.ndarray:
    """Read a picture file as an (H, W, 3) uint8 RGB array (see module docstring): the pixels of
    `read_picture`, for callers that have no use for what it says about the file.

    With ``alpha=True`` pictures with transparency come back as (H, W, 4)
    RGBA.  Every failure is a FileFormatError naming the file: missing, a folder or
    not a regular file, unreadable, empty, over MAX_FILE_BYTES, not a supported format,
    damaged, no pixels or over the pixel limit, or not enough memory to decode it.
    """
    return read_picture(path, alpha).pixels


def read_picture(path: str | os.PathLike, alpha: bool = False) -> Picture:
    """Read a picture file (see module docstring): its first frame's pixels, (H, W, 3) uint8 RGB
    or with ``alpha=True`` (H, W, 4) RGBA when the picture has transparency, how many frames
    or pages it holds and the warnings to show with it (frames left unread).  Raises
    FileFormatError as `load_image` does."""
    fspath, name, size = stat_input(path)
    if size > MAX_FILE_BYTES:
        raise FileFormatError(f"cannot read {name}: the file is {size / 2**20:,.0f} MiB; "
                              f"the limit is {MAX_FILE_BYTES // 2**20} MiB")
    if size == 0:
        raise FileFormatError(f"cannot read {name}: the file is empty")
    try:
        f = open(fspath, "rb")
    except OSError as exc:
        raise FileFormatError(f"cannot read {name}: {os_reason(exc)}") from None
    with f:
        return _guarded(f, name, alpha)


def load_image_bytes(data: bytes, name: str = "image", alpha: bool = False) -> np.ndarray:
    """Like `load_image` for bytes already in memory; `name` is used in messages.

    Returns (H, W, 3) uint8, or (H, W, 4) with ``alpha=True`` for a picture with
    transparency.  Raises FileFormatError as `load_image` does (empty or over
    MAX_FILE_BYTES included).
    """
    if len(data) > MAX_FILE_BYTES:
        raise FileFormatError(f"cannot read {name}: the file is over the limit of "
                              f"{MAX_FILE_BYTES // 2**20} MiB")
    if not data:
        raise FileFormatError(f"cannot read {name}: the file is empty")
    return _guarded(io.BytesIO(data), name, alpha).pixels


def _guarded(fileobj, name: str, alpha: bool) -> Picture:
    from PIL import Image, UnidentifiedImageError

    # Pillow warns from 89.5 Mpx, under our own limit, which we check ourselves
    # from the header; its hard error (at 2x) is still caught below.  Note that
    # catch_warnings is process-global: a race can at worst leave the filter set.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        # Pillow's own notes on damaged metadata ("Corrupt EXIF data") would print a traceback-like
        # line above our one `error:` line, or beside a picture that reads fine
        warnings.filterwarnings("ignore", category=UserWarning, module="PIL")
        try:
            return _decode(fileobj, name, alpha)
        except FileFormatError:
            raise
        except Image.DecompressionBombError:
            raise FileFormatError(f"cannot read {name}: {bomb_refusal()}") from None
        except UnidentifiedImageError:
            # what the user has, by its name then its first bytes (tester11 #3): a damaged .webp
            # is a damaged WebP picture, a .somz a saved map, not "not a supported image"
            head = _head_of(fileobj)
            picture = picture_label(name, head)
            if picture is not None:
                raise FileFormatError(f"cannot read {name}: the {picture} is damaged or truncated "
                                      "(its header cannot be read)") from None
            formats = ", ".join(supported_image_formats())
            kind = file_kind(name, head)
            if kind is not None:
                raise FileFormatError(f"cannot read {name}: it is {with_article(kind)}, not a picture "
                                      f"({formats})") from None
            raise FileFormatError(f"cannot read {name}: not a supported image ({formats}) "
                                  "or the image header is damaged") from None
        except MemoryError:
            raise FileFormatError(f"cannot read {name}: not enough memory to decode the image") from None
        except Exception as exc:  # Pillow's many error types on damaged data; see docstring
            picture = picture_label(name, _head_of(fileobj)) or "image"
            raise FileFormatError(f"cannot read {name}: the {picture} is damaged or truncated "
                                  f"({type(exc).__name__}: {exc})") from None


def _head_of(fileobj) -> bytes:
    """The first bytes of `fileobj` (for naming its format), b"" when it cannot be read."""
    try:
        fileobj.seek(0)
        return fileobj.read(32)
    except (OSError, ValueError):
        return b""


def size_refusal(width: int, height: int) -> str:
    """The words (after "cannot read NAME: ") for a width x height px picture over MAX_IMAGE_PIXELS:
    one limit and one sentence for every reader of pictures, palettes read from PNG/GIF included
    (testerF #13: `palette info` refused over 50 Mpx and `quantize` over 100 Mpx, in two wordings)."""
    return (f"the image is {width}x{height} = {count_text(width * height, 'pixel')}; the limit is "
            f"{MAX_IMAGE_PIXELS:,} (a possible decompression bomb)")


def bomb_refusal() -> str:
    """The words for a picture Pillow itself calls a decompression bomb (its size unknown to us)."""
    return f"the image is too large (a possible decompression bomb; the limit is {count_text(MAX_IMAGE_PIXELS, 'pixel')})"


def _check_size(width: int, height: int, name: str) -> None:
    if width <= 0 or height <= 0:
        raise FileFormatError(f"cannot read {name}: the image has no pixels ({width}x{height})")
    if width * height > MAX_IMAGE_PIXELS:
        raise FileFormatError(f"cannot read {name}: {size_refusal(width, height)}")


def _decode(fileobj, name: str, alpha: bool) -> Picture:
    with _open(fileobj) as im:
        _check_size(*im.size, name)            # header only: nothing decoded yet
        # an MPO's other frames are the camera's previews (or a stereo pair's second eye),
        # not more of the picture: it is one picture
        frames = 1 if im.format == "MPO" else max(1, int(getattr(im, "n_frames", 1) or 1))
        word = "page" if im.format == "TIFF" else "frame"
        if frames > 1:
            im.seek(0)
        im.load()
        _check_size(*im.size, name)            # a GIF frame can grow the canvas
        orientation = _orientation(im)
        out = _to_rgb8(im, alpha)
    return Picture(_upright(out, orientation), frames,
                   (frames_warning(name, frames, word),) if frames > 1 else (), word)


def frames_warning(name: str, frames: int, word: str = "frame") -> str:
    """The one sentence for a picture of which only the first of `frames` frames (or TIFF pages,
    `word`) is read: "anim.gif has 3 frames; frame 1 is used" (the CLI prints it, the window
    shows it; the palette reader says the same of a small GIF or PNG)."""
    return f"{name} has {count_text(frames, word)}; {word} 1 is used"


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _open(fileobj):
    """Image.open(fileobj) limited to the formats read here (`_pillow_formats`).

    A file that starts with the PNG signature is opened by Pillow's PNG plugin alone:
    Image.open imports five plugins before it looks (~6 ms of CPU, in a command timed
    against pngquant).  If the plugin refuses the file, Image.open tries it as before,
    so a damaged file (or one Pillow calls a decompression bomb) is reported as it always was."""
    from PIL import Image

    head = fileobj.read(len(_PNG_SIGNATURE))
    fileobj.seek(0)
    if head == _PNG_SIGNATURE:
        from PIL import PngImagePlugin

        try:
            im = PngImagePlugin.PngImageFile(fileobj)
        except Exception:       # Image.open raises the error the user has always seen
            im = None
        limit = Image.MAX_IMAGE_PIXELS
        if im is not None and not (limit and im.size[0] * im.size[1] > 2 * limit):
            return im
        fileobj.seek(0)         # refused, or Pillow's decompression bomb: Image.open says so
    return Image.open(fileobj, formats=_pillow_formats())


def _orientation(im) -> int:
    """The EXIF orientation tag (1..8); 1 when absent or broken (damaged EXIF must not stop the picture)."""
    try:
        value = int(im.getexif().get(0x0112, 1) or 1)
    except Exception:
        return 1
    return value if 1 <= value <= 8 else 1


def _upright(arr: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation to an (H, W, C) array, as PIL.ImageOps.exif_transpose does."""
    if orientation == 1:
        return arr
    view = {
        2: lambda a: a[:, ::-1],                         # mirrored left-right
        3: lambda a: a[::-1, ::-1],                      # rotated 180
        4: lambda a: a[::-1],                            # mirrored top-bottom
        5: lambda a: a.transpose(1, 0, 2),               # transposed
        6: lambda a: np.rot90(a, -1),                    # rotated 90 clockwise to fix
        7: lambda a: a[::-1, ::-1].transpose(1, 0, 2),   # transversed
        8: lambda a: np.rot90(a, 1),                     # rotated 90 counter-clockwise to fix
    }[orientation](arr)
    out = np.ascontiguousarray(view)
    del arr
    return out


ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")   # Pillow modes with an alpha channel
_GREY_INT_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")


def has_transparency(im) -> bool:
    """Does PIL image `im` have transparency: an alpha channel (ALPHA_MODES), or a palette
    or tRNS transparency in its info?  (One test for reading and the colour profile's
    conversion, io/colour_profile.py.)"""
    return im.mode in ALPHA_MODES or "transparency" in im.info


def _to_rgb8(im, alpha: bool) -> np.ndarray:
    """The picture as (H, W, 3) uint8, or (H, W, 4) when `alpha` and it has transparency."""
    mode = im.mode
    has_alpha = has_transparency(im)
    keep = alpha and has_alpha
    w, h = im.size
    out = np.empty((h, w, 4 if keep else 3), dtype=np.uint8)
    rows = max(1, BAND_PIXELS // w)
    scale = 1
    from somdesk.io.colour_profile import srgb_conversion

    to_srgb = None if mode in _GREY_INT_MODES or mode == "F" else srgb_conversion(im)
    if mode in _GREY_INT_MODES:
        lo, hi = im.getextrema()
        scale = 257 if mode.startswith("I;16") or hi > 255 else 1
    elif mode == "F":
        lo, hi = im.getextrema()
        scale = 255 if hi <= 1.0 else 1
    for s in range(0, h, rows):
        band = im.crop((0, s, w, min(h, s + rows)))
        out[s:s + rows] = _band(band, mode, has_alpha, keep, scale, to_srgb)
    return out


def _band(band, mode: str, has_alpha: bool, keep: bool, scale: int, to_srgb=None) -> np.ndarray:
    if mode in _GREY_INT_MODES:
        v = np.asarray(band).astype(np.int64)
        if scale != 1:      # round(v / 257) in integers: 16-bit grey keeps its top 8 bits
            v = (2 * np.clip(v, 0, 65535) + 257) // 514
        grey = np.clip(v, 0, 255).astype(np.uint8)
        return _grey_to(grey, keep)
    if mode == "F":    # 32-bit float grey (TIFF): 0..1 when its maximum is at most 1, else 0..255
        v = np.nan_to_num(np.asarray(band, dtype=np.float64)) * scale
        grey = np.clip(np.rint(v), 0, 255).astype(np.uint8)
        return _grey_to(grey, keep)
    if has_alpha:
        rgba = to_srgb.apply(band) if to_srgb is not None else np.asarray(band.convert("RGBA"))
        return rgba if keep else _composite_on_white(rgba)
    if to_srgb is not None:
        return to_srgb.apply(band)
    return np.asarray(band if band.mode == "RGB" else band.convert("RGB"))


def _grey_to(grey: np.ndarray, channels4: bool) -> np.ndarray:
    out = np.empty(grey.shape + (4 if channels4 else 3,), np.uint8)
    out[..., :3] = grey[..., None]
    if channels4:
        out[..., 3] = 255
    return out


def _composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """The picture over white: core.map_quantise.composite, the one compositing rule (the
    window's PSNR of a transparent picture uses it too)."""
    from somdesk.core.map_quantise import composite

    return composite(rgba, (255, 255, 255))
