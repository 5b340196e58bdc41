"""Words for a picture given as a palette that is not one: a photo format (JPEG, WebP, BMP, TIFF)
or a damaged PNG/GIF.  The palette reader reads PNG and GIF only (image.py); the others are named
by their own format, and a damaged one is called damaged (tester11 #2: a damaged WebP was "this
RIFF file holds 'WEBP' data, not a palette").
"""
from __future__ import annotations

import io
import warnings

from PIL import Image

from somdesk.io.file_kinds import picture_format, picture_label, with_article

from .context import ReadContext
from .limits import MAX_IMAGE_PIXELS

__all__ = ["label", "refuse_other_picture", "damaged"]


def label(data: bytes, ctx: ReadContext) -> str:
    """"WebP picture" etc. for the file being read: its extension first, then its magic."""
    return picture_label(ctx.filename, data) or "picture"


def damaged(data: bytes, ctx: ReadContext, exc: BaseException | None = None):
    """The PaletteError (built, not raised) for a picture Pillow cannot decode."""
    why = f" ({type(exc).__name__}: {exc})" if exc is not None else " (its header cannot be read)"
    return ctx.error(f"the {label(data, ctx)} is damaged or truncated{why}")


class _TooLarge(Exception):
    """A picture over MAX_IMAGE_PIXELS by its header: refused without decoding."""


def refuse_other_picture(data: bytes, ctx: ReadContext) -> None:
    """Raise PaletteError when `data` is a picture in another format than PNG or GIF (by its magic,
    else by the file's extension): damaged when Pillow cannot decode it, else the sentence that
    only PNG and GIF pictures are read as palettes.  Its width x height is checked from the
    header first: one over MAX_IMAGE_PIXELS is refused without being decoded.  Returns for
    PNG/GIF data (and for data that is no picture at all, which image.read refuses in its turn)."""
    fmt = picture_format(data)
    if fmt in ("PNG", "GIF"):
        return
    words = label(data, ctx)
    if fmt is None and words.startswith(("PNG", "GIF", "picture")):
        return
    if fmt is None:
        raise damaged(data, ctx)          # named .webp/.jpg/... but no such picture's header
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data), formats=(fmt,)) as im:   # reads the header only
                if im.width * im.height > MAX_IMAGE_PIXELS:
                    # review12: an 81 Mpx TIFF took 5 s and 300 MB to decode only to be refused;
                    # over the palette pixel limit it is refused either way, so the sentence
                    # below is said without decoding (a damaged body then goes unnoticed)
                    raise _TooLarge
                if fmt == "JPEG":
                    im.draft("RGB", (max(1, im.width // 8), max(1, im.height // 8)))   # checks every byte, 1/64 the work
                im.load()
    except (Image.DecompressionBombError, _TooLarge):
        pass                              # a picture, and a huge one: no palette either
    except MemoryError:
        pass
    except Exception as exc:              # noqa: BLE001 -- Pillow's many error types on damaged data
        raise damaged(data, ctx, exc) from None
    raise ctx.error(f"{with_article(words)} is not read as a palette (palettes are taken from PNG and GIF "
                    "pictures); reduce it to a few colours with somdesk quantize, or open it in the window")
