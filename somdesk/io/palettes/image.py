"""Images used as palettes (PNG, GIF) via Pillow.

* An indexed image (PNG with PLTE, any GIF) gives its colour table, in table
  order, unused entries included -- that is how pixel artists ship palettes.
  PNG ``tRNS`` alpha and the GIF transparent index are kept (`Swatch.alpha`).
  A GIF colour table always has a power-of-two size (2..256 entries) and
  encoders fill the gap with padding (black), and GIF stores no real colour
  count; so a tail of pure-black entries that no frame uses (and that is no
  frame's transparent index) is taken for padding and left out.  Every other
  entry stays, used or not.
  A PNG's PLTE has an exact length and is kept whole.
* Any other image gives its distinct colours in first-seen row-major order,
  alpha included (an RGBA swatch image keeps each colour's alpha, as an indexed
  PNG's tRNS does; the same RGB at two alphas is two colours); fully
  transparent pixels are skipped (their colour is meaningless), more than
  MAX_COLORS distinct colours is refused.
* The stored values are the palette: an embedded colour profile other than
  sRGB is not applied (a warning says so).

Safety: Pillow's `Image.open` only reads the header, so we check width x
height against MAX_IMAGE_PIXELS *before* decoding, and turn Pillow's own
decompression-bomb warning/error into PaletteError.  Pillow raises many
exception types on corrupt data (OSError, SyntaxError, ValueError,
struct.error, zlib.error, EOFError, ...), so the decode step catches them all.
"""
from __future__ import annotations

import io
import struct
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

from somdesk.core.options import count_text
from somdesk.io.image_input import bomb_refusal, size_refusal

from . import pictures
from .context import ReadContext
from .limits import MAX_COLORS, MAX_IMAGE_PIXELS
from .model import Palette, PaletteError, Swatch

FORMAT = "image"
_FORMATS = ("PNG", "GIF")
_CHUNK_PIXELS = 1 << 20   # distinct-colour scan works on ~1 Mpx slices


def _header_size(data: bytes) -> tuple[int, int] | None:
    """Width and height straight from the PNG IHDR / GIF screen descriptor."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    return None


def _check_pixels(width: int, height: int, ctx: ReadContext) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise ctx.error(size_refusal(width, height))


def read(data: bytes, ctx: ReadContext) -> Palette:
    """The palette in PNG or GIF image bytes `data` (module docstring for the layout) (Pillow; at most MAX_IMAGE_PIXELS pixels).

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    # Check the declared size ourselves first, so Pillow never even gets to
    # warn about a decompression bomb for ordinary oversized files.
    pictures.refuse_other_picture(data, ctx)     # JPEG, WebP, BMP, TIFF: named, or called damaged
    size = _header_size(data)
    if size is not None:
        _check_pixels(*size, ctx)
    # Pillow warns from 89.5 Mpx, under our limit (the pictures' own, io.image_input), which
    # _read checks itself once the picture is open (a GIF frame larger than its screen grows
    # the image); the warning is silenced rather than printed, Pillow's hard error (at 2x) is
    # still caught below.  catch_warnings is process-global in Python 3.11; the worst a race
    # with another thread can do is leave this one filter installed.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            return _read(data, ctx)
        except PaletteError:
            raise
        except Image.DecompressionBombError:
            raise ctx.error(bomb_refusal()) from None
        except UnidentifiedImageError:
            raise pictures.damaged(data, ctx) from None
        except MemoryError:
            raise ctx.error("not enough memory to decode the image") from None
        except Exception as exc:  # see module docstring
            raise pictures.damaged(data, ctx, exc) from None


def _read(data: bytes, ctx: ReadContext) -> Palette:
    with Image.open(io.BytesIO(data), formats=_FORMATS) as im:
        width, height = im.size
        _check_pixels(width, height, ctx)
        if width * height == 0:
            raise ctx.error("the image has no pixels")
        _warn_profile(im, ctx)
        if im.mode == "P":
            im.load()
            table = im.getpalette("RGB") or []
            if len(table) < 3:
                raise ctx.error("the indexed image has an empty colour table")
            count = len(table) // 3
            whole = table[:3 * count]
            alpha = _table_alpha(im.info.get("transparency"), count, ctx)
            if im.format == "GIF":
                count = _gif_used_count(im, table, count, data, ctx)
            _warn_frames(im, data, whole if im.format == "GIF" else None, ctx)
            return ctx.finish(Swatch((table[3 * i], table[3 * i + 1], table[3 * i + 2]),
                                     alpha=alpha[i]) for i in range(count))
        _warn_frames(im, data, None, ctx)
        return ctx.finish(_distinct_colours(im, ctx))


def _gif_used_count(im: Image.Image, table: list[int], count: int, data: bytes, ctx: ReadContext) -> int:
    """How many leading entries of a GIF's `count`-entry colour table (`table`: flat RGB ints, the
    first frame's table) are the palette: all of them but a tail of pure-black entries that no
    frame's pixels use and that is no frame's transparent index.

    GIF pads its table to a power of two and records no real count; encoders pad with black
    (tester11: a 5-colour GIF read as 8 with 3 extra blacks).  A colour that is not black is
    never taken for padding, used or not (review12: a 16-colour swatch GIF whose picture showed
    10 lost 6 real colours), and the used indices are those of every frame drawn with this
    table (review12: an animation whose second frame used entries 4-7 kept only 0-3).  Dropping
    unused trailing black says nothing: that is what padding looks like.  When the frames
    cannot all be checked (damaged block structure, or more than MAX_IMAGE_PIXELS pixels of
    frames in all) the whole table is kept and a warning says why.
    """
    black_from = count
    while black_from > 0 and table[3 * black_from - 3:3 * black_from] == [0, 0, 0]:
        black_from -= 1
    if black_from == count:
        return count                        # no black tail: nothing could be padding
    black_from = max(black_from, 1)         # a table of only black keeps its first entry
    transparency = im.info.get("transparency")
    top = transparency + 1 if isinstance(transparency, int) and transparency < count else 0
    frames = 0
    try:
        for indices, frame_transparency in _gif_frames_with_table(data, table[:3 * count]):
            frames += 1
            if frame_transparency is not None:
                top = max(top, frame_transparency + 1)
            if indices.size:
                top = max(top, int(indices.max()) + 1)
            if top >= count:
                return count                # the last entry is used: nothing to drop
    except _FramesUnchecked as why:
        ctx.warn(f"the GIF colour table has {count_text(count, 'entry')}, the last {count - black_from} of them black; "
                 f"{why}, so all {count} were kept (black padding included)")
        return count
    if frames == 0:     # Pillow's table is no frame's table as stored: nothing known, keep it all
        return count
    return min(count, max(top, black_from))


class _FramesUnchecked(Exception):
    """Why the frames of a GIF could not all be checked for the colour-table entries they use."""


def _gif_frames(data: bytes):
    """Yield (width, height, flags, colour table bytes, start, end, transparent index or None)
    for each frame (image block) of the GIF `data`, walking its blocks without decoding any:
    the table is the frame's own, else the global one; data[start:end] is its LZW code size
    byte and data sub-blocks.  Raises _FramesUnchecked for a block structure this walk cannot
    follow."""
    def table_at(pos: int, flags: int) -> tuple[bytes, int]:
        size = 3 << ((flags & 7) + 1)
        if pos + size > len(data):
            raise _FramesUnchecked("its colour table is cut short")
        return data[pos:pos + size], pos + size

    def skip_sub_blocks(pos: int) -> int:
        while True:
            if pos >= len(data):
                raise _FramesUnchecked("its image data is cut short")
            size = data[pos]
            pos += 1 + size
            if size == 0:
                return pos

    global_table, pos = b"", 13
    if len(data) < 13:
        raise _FramesUnchecked("its header is cut short")
    if data[10] & 0x80:
        global_table, pos = table_at(13, data[10])
    transparency = None
    while pos < len(data):
        block = data[pos]
        if block == 0x3B:                   # trailer
            return
        if block == 0x21:                   # extension: keep a graphic control's transparent index
            if pos + 1 >= len(data):
                raise _FramesUnchecked("an extension block is cut short")
            if data[pos + 1] == 0xF9 and pos + 6 < len(data) and data[pos + 2] == 4:
                transparency = data[pos + 6] if data[pos + 3] & 1 else None
            pos = skip_sub_blocks(pos + 2)
            continue
        if block != 0x2C or pos + 10 > len(data):
            raise _FramesUnchecked(f"it holds an unknown block (byte {block:#04x} at offset {pos})")
        width, height, flags = struct.unpack("<HHB", data[pos + 5:pos + 10])
        frame_table, start = (table_at(pos + 10, flags) if flags & 0x80 else (global_table, pos + 10))
        end = skip_sub_blocks(start + 1)    # the LZW code size byte, then the data sub-blocks
        yield width, height, flags, frame_table, start, end, transparency
        transparency, pos = None, end       # a graphic control applies to the next image only
    # no trailer: Pillow reads such files too, and every frame has been seen


def _gif_frames_with_table(data: bytes, table: list[int]):
    """Yield ((h, w) uint8 colour indices, transparent index or None) for each frame of the GIF
    `data` whose colour table (its own, else the global one) is `table` (flat RGB ints, the
    table's full power-of-two size or its first entries).

    Pillow turns every frame after the first into RGB, so each frame's image block is copied
    into a one-frame GIF of its own, which Pillow decodes to indices.  Frames drawn with
    another table cannot use this one's entries and are skipped without decoding.
    Raises _FramesUnchecked for a block structure this walk cannot follow, or when the frames
    hold more than MAX_IMAGE_PIXELS pixels together (each one's size is checked before decoding).
    """
    wanted = bytes(table)
    pixels = 0
    for width, height, flags, frame_table, start, end, transparency in _gif_frames(data):
        if frame_table[:len(wanted)] == wanted and width * height:
            pixels += width * height
            if pixels > MAX_IMAGE_PIXELS:
                raise _FramesUnchecked(f"its frames hold more than {count_text(MAX_IMAGE_PIXELS, 'pixel')} together")
            bits = max(len(frame_table) // 3, 2).bit_length() - 2
            one = (b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80 | bits, 0, 0)
                   + frame_table.ljust(3 << (bits + 1), b"\0")
                   + struct.pack("<BHHHHB", 0x2C, 0, 0, width, height, flags & 0x40)   # keep interlacing
                   + data[start:end] + b"\x3b")
            try:
                with Image.open(io.BytesIO(one), formats=("GIF",)) as frame:
                    indices = np.asarray(frame)
            except Exception as exc:        # noqa: BLE001 -- Pillow's many error types on damaged data
                raise _FramesUnchecked(f"a frame cannot be decoded ({type(exc).__name__})") from None
            yield indices, transparency


def _warn_frames(im: Image.Image, data: bytes, table: list[int] | None, ctx: ReadContext) -> None:
    """Say when the palette leaves frames of an animated GIF or PNG out (tester F #5: frames 2+
    were dropped without a word).  A picture's palette is its first frame's colours; an indexed
    GIF's is its first frame's colour table (`table`), which every frame drawn with that table
    shares, so only frames with colour tables of their own are left out and counted."""
    from somdesk.io.image_input import frames_warning

    frames = int(getattr(im, "n_frames", 1) or 1)
    if frames <= 1:
        return
    note = frames_warning(ctx.filename, frames)
    if table is not None and im.format == "GIF":
        wanted = bytes(table)
        try:
            others = sum(1 for frame in _gif_frames(data) if frame[3][:len(wanted)] != wanted)
        except _FramesUnchecked:
            others = None                   # the block walk failed: say it as for any picture
        if others == 0:
            return                          # one table for all: every frame's colours are in it
        if others is not None:
            note = (f"{ctx.filename} has {count_text(frames, 'frame')}; frame 1's colour table is used "
                    f"({count_text(others, 'other frame')} {'has its' if others == 1 else 'have their'} "
                    "own colour table, not read)")
    ctx.warn(note)


def _warn_profile(im: Image.Image, ctx: ReadContext) -> None:
    """A palette is the numbers stored (what the artist typed): an embedded profile other
    than sRGB is not applied, unlike a picture opened for quantisation (io/colour_profile.py),
    so say that its colours may look different in a colour-managed viewer."""
    from somdesk.io.colour_profile import srgb_conversion

    conversion = srgb_conversion(im)
    if conversion is not None:
        ctx.warn(f"the image carries a colour profile other than sRGB ({conversion.description or 'unnamed'}); "
                 "the palette holds its stored values, which a colour-managed viewer shows differently")


def _table_alpha(transparency, count: int, ctx: ReadContext) -> list[int]:
    """Per-entry alpha of an indexed image's colour table.

    PNG ``tRNS`` for a palette image gives one alpha byte per entry (entries
    past its end are opaque; Pillow hands it over as bytes); a GIF (or a
    one-entry tRNS) names a single transparent index (an int).
    """
    alpha = [255] * count
    if isinstance(transparency, int):
        if 0 <= transparency < count:
            alpha[transparency] = 0
        else:
            ctx.warn(f"the transparent index {transparency} is outside the "
                     f"{count}-entry colour table; ignored")
    elif isinstance(transparency, (bytes, bytearray)):
        if len(transparency) > count:
            ctx.warn(f"the transparency chunk has {count_text(len(transparency), 'entry')} for "
                     f"{count_text(count, 'colour')}; the extra ones were ignored")
        for i, a in enumerate(transparency[:count]):
            alpha[i] = a
    return alpha


def _rgb_array(im: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """(H, W, 3) uint8 colours -- (H, W, 4) RGBA for an image with transparency -- and an
    optional (H, W) 'visible' mask (alpha above 0)."""
    if im.mode.startswith("I;16") or im.mode in ("I", "F"):
        # 16-bit/float gray PNG: Pillow's convert("RGB") would clip, not scale.
        a = np.asarray(im.convert("I") if im.mode.startswith("I;16") else im, dtype=np.float64)
        top = 255.0 if im.mode == "F" else 65535.0
        g = np.clip(np.rint(a / top * 255.0), 0, 255).astype(np.uint8)
        return np.stack([g, g, g], axis=-1), None
    if "A" in im.mode or "transparency" in im.info:
        rgba = np.asarray(im.convert("RGBA"))
        return rgba, rgba[..., 3] > 0
    return np.asarray(im.convert("RGB")), None


def _distinct_colours(im: Image.Image, ctx: ReadContext) -> list[Swatch]:
    # Work on horizontal strips of ~1 Mpx so the temporaries stay small even
    # for a 50 Mpx image; first-seen order is kept across strips.
    im.load()
    width, height = im.size
    rows = max(1, _CHUNK_PIXELS // width)
    seen: dict[int, None] = {}
    hidden = 0
    for top in range(0, height, rows):
        rgb, visible = _rgb_array(im.crop((0, top, width, min(top + rows, height))))
        # alpha is part of a colour (tester7 F30: an RGBA swatch image lost it, while the same
        # swatches as an indexed PNG with tRNS kept it); opaque colours carry alpha 255
        alpha = rgb[..., 3].astype(np.uint32) if rgb.shape[-1] == 4 else np.uint32(255)
        keys = ((alpha << 24) | (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8)
                | rgb[..., 2].astype(np.uint32)).reshape(-1)
        if visible is not None:
            hidden += int(visible.size - np.count_nonzero(visible))
            keys = keys[visible.reshape(-1)]
        unique, first = np.unique(keys, return_index=True)
        for key in unique[np.argsort(first, kind="stable")].tolist():
            if key not in seen:
                seen[key] = None
                if len(seen) > MAX_COLORS:
                    raise ctx.error(f"the image has more than {MAX_COLORS:,} distinct colours; "
                                    "use an indexed (palette) image or reduce the colours")
    if hidden:
        ctx.warn(f"{count_text(hidden, 'fully transparent pixel')} ignored")
    return [Swatch(((k >> 16) & 255, (k >> 8) & 255, k & 255), alpha=(k >> 24) & 255) for k in seen]
