"""Adobe Swatch Exchange (.ase), Illustrator/InDesign/Photoshop.

Byte layout (big-endian throughout)::

    "ASEF"  uint16 major=1  uint16 minor=0  uint32 block_count
            (other versions, e.g. 0.1 from converters, are read with a warning)
    block:  uint16 type  uint32 length  <length bytes of body>
      0xC001 group start  body: name
      0xC002 group end    body: empty
      0x0001 colour       body: name, char[4] model, float32 values, uint16 type
    name:   uint16 n (UTF-16 code units incl. the terminator), n*2 bytes UTF-16BE
    model:  'RGB ' 3 floats 0..1 | 'CMYK' 4 floats 0..1 | 'Gray' 1 float 0..1
            'LAB ' L 0..1 (= L*/100), a*, b* -128..127 (D50)
    type:   0 global, 1 spot, 2 normal (kept for validation only)

A file that starts "ASEF" and whose blocks all fit is a palette: colours in a model not
in Adobe's four (a misspelt 'RBG ') and blocks of unknown types are skipped with one
warning line a kind; only a file with no readable colour at all is refused, naming them
(ReadContext.skip_kind: the >90 %-unreadable rule for binary files is not for a file
whose structure is sound).

Groups are flattened into one list.  When the whole palette sits in exactly
one group, that group's name becomes the palette name; the writer uses the
same trick to store the palette name, so names round-trip.

Aseprite's sprite files also use .ase (magic 0xA5E0 little-endian at offset
4); we say so instead of "corrupt file" because users do mix them up.
"""
from __future__ import annotations

import math
import struct

from somdesk.core.options import count_text

from . import colorspaces as cs
from .context import ReadContext
from .limits import MAX_COLORS
from .model import Palette, PaletteError, Swatch

FORMAT = "ase"
MAGIC = b"ASEF"
ASEPRITE_MAGIC = b"\xe0\xa5"   # 0xA5E0 little-endian at offset 4

BLOCK_COLOR = 0x0001
BLOCK_GROUP_START = 0xC001
BLOCK_GROUP_END = 0xC002

_MODELS = {b"RGB ": 3, b"CMYK": 4, b"LAB ": 3, b"Gray": 1}
_MODELS_HINT = "Adobe's colour models are 'RGB ', 'CMYK', 'LAB ' and 'Gray'"
_TYPE_NORMAL = 2
_MAX_BLOCKS = 3 * MAX_COLORS


def is_aseprite(data: bytes) -> bool:
    """True when `data` starts like an Aseprite sprite (its magic at bytes 4-5), not an .ase palette."""
    return len(data) >= 6 and data[4:6] == ASEPRITE_MAGIC


def aseprite_error(ctx: ReadContext) -> PaletteError:
    """The PaletteError (built, not raised) telling the user an Aseprite sprite is no palette."""
    return ctx.error("this is an Aseprite sprite file, not an Adobe Swatch Exchange palette; "
                     "export the palette from Aseprite (Palette > Save Palette as .gpl) and load that")


class _Body:
    """Bounded reader over one block body; running off the end is an error."""

    def __init__(self, data: bytes, offset: int, ctx: ReadContext, what: str) -> None:
        self.data, self.pos, self.base, self.ctx, self.what = data, 0, offset, ctx, what

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise self.ctx.error(f"{self.what} at byte {self.base} is shorter than its contents need")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def name(self) -> str | None:
        (units,) = struct.unpack(">H", self.take(2))
        raw = self.take(2 * units)
        return raw.decode("utf-16-be", errors="replace").split("\x00", 1)[0]

    @property
    def left(self) -> int:
        return len(self.data) - self.pos


def read(data: bytes, ctx: ReadContext) -> Palette:
    """The palette in Adobe Swatch Exchange bytes `data` (module docstring for the layout); CMYK, Lab and Gray converted (colorspaces).

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    if not data.startswith(MAGIC):
        if is_aseprite(data):
            raise aseprite_error(ctx)
        raise ctx.error("not an Adobe Swatch Exchange file (it does not start with 'ASEF')")
    if len(data) < 12:
        raise ctx.error("the file is truncated inside the 12-byte ASE header")
    major, minor, nblocks = struct.unpack(">HHI", data[4:12])
    if (major, minor) != (1, 0):
        # Adobe writes 1.0, but widely used converters write e.g. 0.1
        # (bytes 00 00 00 01); the block structure is the same, so we read
        # any version and let the blocks decide.
        ctx.warn(f"unusual ASE version {major}.{minor} (Adobe writes 1.0); read anyway")
        try:
            return _read_blocks(data, nblocks, ctx)
        except PaletteError as exc:
            raise PaletteError(f"{exc} (the header has the unusual ASE version "
                               f"{major}.{minor})") from None
    return _read_blocks(data, nblocks, ctx)


def _read_blocks(data: bytes, nblocks: int, ctx: ReadContext) -> Palette:
    if nblocks > _MAX_BLOCKS:
        # Each colour needs one block and groups two; more than this cannot be
        # a palette within MAX_COLORS, and would only make us loop for long.
        raise ctx.error(f"the header declares {count_text(nblocks, 'block')}; at most {_MAX_BLOCKS:,} are accepted")

    swatches: list[Swatch] = []
    groups: list[str | None] = []
    depth = 0
    ungrouped = 0
    unknown_blocks: list[int] = []
    pos = 12
    for index in range(nblocks):
        if pos + 6 > len(data):
            raise ctx.error(f"the file is truncated: the header promises {count_text(nblocks, 'block')} "
                            f"but it ends after {index}")
        btype, blen = struct.unpack(">HI", data[pos:pos + 6])
        start = pos + 6
        if start + blen > len(data):
            raise ctx.error(f"block {index + 1} at byte {pos} claims {count_text(blen, 'byte')} "
                            f"but only {len(data) - start} remain (truncated file?)")
        body = _Body(data[start:start + blen], pos, ctx, f"block {index + 1}")
        pos = start + blen
        if btype == BLOCK_COLOR:
            sw = _read_colour(body, ctx, len(swatches) + 1)
            if sw is not None:
                swatches.append(sw)
                ctx.check_count(len(swatches))
                if depth == 0:
                    ungrouped += 1
        elif btype == BLOCK_GROUP_START:
            groups.append(body.name() if body.left else None)
            depth += 1
        elif btype == BLOCK_GROUP_END:
            if depth == 0:
                ctx.warn(f"block {index + 1}: group end without a group start ignored")
            else:
                depth -= 1
        else:
            unknown_blocks.append(btype)
    if depth:
        ctx.warn("the last group is not closed")
    if pos < len(data):
        ctx.warn(f"{count_text(len(data) - pos, 'byte')} after the last block ignored")
    if unknown_blocks:
        kinds = sorted(set(unknown_blocks))
        types = ", ".join(f"0x{t:04X}" for t in kinds[:5]) + (", …" if len(kinds) > 5 else "")
        what = f"{count_text(len(unknown_blocks), 'block')} of unknown type{'s' * (len(kinds) > 1)} ({types})"
        if not swatches and nblocks == len(unknown_blocks):
            raise ctx.error(f"no colour can be read: the file holds only {what}")
        ctx.warn(f"{what} skipped")
    name = groups[0] if len(groups) == 1 and ungrouped == 0 else None
    return ctx.finish(swatches, name)


def _read_colour(body: _Body, ctx: ReadContext, number: int) -> Swatch | None:
    name = body.name()
    label = f"colour {number}" + (f" ({name!r})" if name else "")
    model = body.take(4)
    count = _MODELS.get(model)
    if count is None:
        ctx.skip_kind(f"in the unknown colour model {model_text(model)}", _MODELS_HINT)
        return None
    values = struct.unpack(f">{count}f", body.take(4 * count))
    if not all(math.isfinite(v) for v in values):
        raise ctx.error(f"{label} has a value that is not a number (NaN or infinity)")
    if body.left >= 2:
        (ctype,) = struct.unpack(">H", body.take(2))
        if ctype > 2:
            ctx.warn(f"{label}: unknown colour type {ctype} (expected 0 global, 1 spot, 2 normal)")
    else:
        ctx.warn(f"{label}: colour type missing")

    if model == b"RGB ":
        if not cs.in_unit_range(*values):
            ctx.warn(f"{label}: RGB values outside 0..1 clamped")
        rgb = cs.rgb_unit_to_bytes(*values)
    elif model == b"CMYK":
        if not cs.in_unit_range(*values):
            ctx.warn(f"{label}: CMYK values outside 0..1 clamped")
        rgb = cs.cmyk_to_rgb(*values)
    elif model == b"Gray":
        if not cs.in_unit_range(*values):
            ctx.warn(f"{label}: gray value outside 0..1 clamped")
        rgb = cs.gray_to_rgb(values[0])
    else:  # LAB: L stored as 0..1
        L, a, b = values[0] * 100.0, values[1], values[2]
        if not cs.lab_in_gamut(L, a, b):
            ctx.warn(f"{label}: Lab colour is outside the sRGB gamut; clipped")
        rgb = cs.lab_to_rgb(L, a, b, "D50")
    return Swatch(rgb, name)


def model_text(model: bytes) -> str:
    """An ASE colour model's four bytes as a user reads them: 'RBG ' in quotes (spaces
    shown), or hex when they are not printable ASCII (0x00FF1234)."""
    if all(32 <= c < 127 for c in model):
        return f"'{model.decode('ascii')}'"
    return "0x" + model.hex().upper()


def _name_bytes(name: str | None) -> bytes:
    encoded = (name or "").encode("utf-16-be", errors="replace") + b"\x00\x00"
    return struct.pack(">H", len(encoded) // 2) + encoded


def _block(btype: int, body: bytes) -> bytes:
    return struct.pack(">HI", btype, len(body)) + body


def write(palette: Palette) -> bytes:
    """The .ase bytes of `palette`: one named RGB float colour entry per swatch, in a group named
    after the palette when it has a name (alpha not kept)."""
    blocks = []
    if palette.name:
        blocks.append(_block(BLOCK_GROUP_START, _name_bytes(palette.name)))
    for s in palette.swatches:
        r, g, b = s.rgb
        body = (_name_bytes(s.name) + b"RGB "
                + struct.pack(">3fH", r / 255.0, g / 255.0, b / 255.0, _TYPE_NORMAL))
        blocks.append(_block(BLOCK_COLOR, body))
    if palette.name:
        blocks.append(_block(BLOCK_GROUP_END, b""))
    return MAGIC + struct.pack(">HHI", 1, 0, len(blocks)) + b"".join(blocks)
