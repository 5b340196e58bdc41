"""Work out a palette file's format from its bytes (extension only as a hint).

Binary formats have magic numbers and are recognised whatever the file is
called.  Text formats are recognised by a header line (GIMP, JASC), by being
XML (root element) or JSON, and otherwise by sniffing the first lines; the
extension only breaks ties between text formats that the content leaves open
(a list of ``#rrggbb`` lines is both a Lospec .hex and valid CSS).
"""
from __future__ import annotations

import codecs
import csv
import os
import re
import struct

from somdesk.io.file_kinds import picture_format
from somdesk.io.lines import text_lines

from . import adobe_ase, csvfmt, hexfile, raw_rgb, sbz
from .colorspaces import parse_hex
from .context import ReadContext

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
GIF_MAGICS = (b"GIF87a", b"GIF89a")

#: Extension -> format, used as the tie-breaker for text and to route a file
#: with a binary extension to that parser (which then explains what is wrong).
EXTENSION_HINTS = {
    ".gpl": "gpl", ".ase": "ase", ".aco": "aco", ".pal": "jasc-pal",
    ".txt": "paintnet", ".hex": "hex", ".kpl": "kpl", ".soc": "soc",
    ".css": "css", ".scss": "css", ".less": "css", ".json": "json",
    ".csv": "csv", ".png": "image", ".gif": "image", ".act": "act", ".sbz": "sbz",
    # pictures the palette reader does not read: image.read names them, or calls them damaged
    ".jpg": "image", ".jpeg": "image", ".jpe": "image", ".jfif": "image", ".webp": "image",
    ".bmp": "image", ".tif": "image", ".tiff": "image", ".apng": "image",
}
_BINARY = {"ase", "aco", "kpl", "image", "riff-pal", "sbz"}   # .act: see detect_format
_SNIFF_BYTES = 64 * 1024
_SNIFF_LINES = 200
_HEX8 = re.compile(r"[0-9A-Fa-f]{8}")
_HEX6_OR_8 = re.compile(r"[0-9A-Fa-f]{6}(?:[0-9A-Fa-f]{2})?")
_HEX_LINE = re.compile(r"#?[0-9A-Fa-f]{6}")
# Possessive quantifiers and the look-behind matter: without them a long run
# of dashes without a colon backtracks quadratically (found by a test).
_CSS_HINT = re.compile(r"#[0-9A-Fa-f]{3,8}+(?![\w-])|\b(?:rgba?|hsla?)\(|(?<![\w-])--[\w-]++\s*+:",
                       re.I)
_XML_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")


def extension_hint(filename: str) -> str | None:
    """The format id `filename`'s extension suggests (EXTENSION_HINTS), or None."""
    return EXTENSION_HINTS.get(os.path.splitext(str(filename))[1].lower())


def _has_text_header(data: bytes) -> bool:
    """A GIMP or JASC header: such a file is that format whatever its name."""
    head = data[:32].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    return head.startswith((b"GIMP PALETTE", b"JASC-PAL"))


def _has_jasc_header(data: bytes) -> bool:
    head = data[:16].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:8].upper() == b"JASC-PAL" or head.startswith(b"RIFF")


def _is_aseprite(data: bytes, filename: str) -> bool:
    # Only two magic bytes, so also require the .ase/.aseprite name or the
    # header's file-size field to match, before blaming Aseprite.
    if not adobe_ase.is_aseprite(data):
        return False
    ext = os.path.splitext(str(filename))[1].lower()
    return ext in (".ase", ".aseprite") or struct.unpack("<I", data[:4])[0] == len(data)


def _sniff_text(data: bytes) -> str:
    head = data[:_SNIFF_BYTES]
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace")


# Punctuation a list of hex lines never has but CSS always does.
_CSS_SYNTAX = re.compile(r"[{};:(]")


def _significant(lines: list[str], comment: str | None = None) -> list[str]:
    out = []
    for line in lines:
        if comment:
            line = line.split(comment, 1)[0]
        line = line.strip()
        if line:
            out.append(line)
        if len(out) >= _SNIFF_LINES:
            break
    return out


def _text_candidates(text: str, hint: str | None) -> list[str]:
    lines = text_lines(text)       # CRLF, CR, LF: not a form feed or U+2028 inside a name
    if len(text) >= _SNIFF_BYTES - 4 and len(lines) > 1:
        lines = lines[:-1]          # the last line may be cut mid-way
    out = []
    pnet = _significant(lines, ";")
    line_re = _HEX6_OR_8 if hint == "paintnet" else _HEX8
    if pnet and all(line_re.fullmatch(l) for l in pnet):
        out.append("paintnet")
    plain = _significant(lines)
    name = ".hex" if hint == "hex" else ""      # bare 8 digits are RRGGBBAA only in a .hex file
    if plain and all(_HEX_LINE.fullmatch(l) or hexfile.is_hex_list_line(l, name) for l in plain):
        out.append("hex")
    if plain:
        cells = _csv_cells(plain[0])
        hex_first = parse_hex(cells[0].strip()) is not None
        if (csvfmt.header_kind(cells) or (hex_first and (len(cells) > 1 or hint == "csv"))
                or (len(cells) >= 3 and all(c.strip().isdigit() for c in cells[:3]))
                or (hint == "csv" and len(cells) > 1)):   # let the CSV reader explain
            out.append("csv")
    if _CSS_HINT.search(text):
        out.append("css")
    return out


def _csv_cells(line: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=csvfmt.delimiter_for(line))) or [""]
    except (csv.Error, StopIteration):
        return [""]


def detect_format(data: bytes, filename: str = "<data>") -> str:
    """Return the format id for `data`, or raise PaletteError if unknown.

    Also PaletteError for empty data and for an Aseprite sprite (`adobe_ase.aseprite_error`).
    """
    ctx = ReadContext(filename)
    if not data:
        raise ctx.error("the file is empty")
    if data.startswith(adobe_ase.MAGIC):
        return "ase"
    if _is_aseprite(data, filename):
        raise adobe_ase.aseprite_error(ctx)
    if picture_format(data) is not None or extension_hint(filename) == "image":
        # a WebP is RIFF too, and a picture's name goes before a reader's guess from two bytes:
        # image.read names the picture (or calls it damaged)
        return "image"
    if data.startswith(b"RIFF"):
        return "riff-pal"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        # Krita .kpl and SwatchBooker .sbz are both zips: the member decides
        if extension_hint(filename) == "sbz" or sbz.holds_swatchbook(data):
            return "sbz"     # the sbz reader names what a zip without swatchbook.xml holds
        return "kpl"
    if data.startswith(PNG_MAGIC) or data.startswith(GIF_MAGICS):
        return "image"

    hint = extension_hint(filename)
    if hint == "act" and not _has_text_header(data):
        return "act"   # no signature at all: the extension decides, as in GIMP and Krita
    if hint == "jasc-pal" and len(data) in raw_rgb.RAW_PAL_SIZES and not _has_jasc_header(data):
        return "raw-pal"   # a headerless RGB .pal is recognised by its size only
    if data[:2] in (b"\x00\x01", b"\x00\x02"):
        return "aco"
    if hint in _BINARY:
        return hint   # the parser reports precisely what is wrong
    text = _sniff_text(data)
    if "\x00" in text:
        if hint == "jasc-pal":
            return "raw-pal"   # binary .pal of another size: that reader names the sizes
        raise ctx.error("not a palette file this program knows (unrecognised binary data)")
    first = next((l.strip() for l in text_lines(text) if l.strip()), "")
    if first.lower().startswith("gimp palette"):
        return "gpl"
    if first.upper() == "JASC-PAL":
        return "jasc-pal"
    if first.startswith("<"):
        root = next((m.group(1) for m in _XML_ROOT.finditer(text)), "")
        local = root.rsplit(":", 1)[-1]
        if local == "color-table":
            return "soc"
        if local.lower() == "colorset":
            return "kpl"
        if local.lower() == "scribuscolors":
            return "scribus"
        if local == sbz.ROOT:
            return "sbz"
        if hint in ("soc", "kpl", "sbz"):
            return hint
        raise ctx.error(f"an XML file with root <{root[:40]}> is not a palette format this "
                        "program knows (expected a LibreOffice .soc colour table, a Krita "
                        "colorset, a Scribus <SCRIBUSCOLORS> set or a SwatchBooker <SwatchBook>)")
    if first.startswith(("{", "[")) and hint != "css":
        return "json"
    if hint == "json" and first.startswith('"'):
        return "json"   # a bare JSON string: let the JSON reader explain
    candidates = _text_candidates(text, hint)
    if hint in candidates:
        return hint
    if hint in ("hex", "paintnet") and set(candidates) <= {"css"} and not _CSS_SYNTAX.search(text):
        # one bad line in a list of colours: that reader names the line.  Paint.NET
        # lines never start with '#', so '#' colours in a .txt are a hex list's.
        return "hex" if hint == "paintnet" and first.startswith("#") else hint

    if candidates:
        return candidates[0]
    if hint is not None:
        return hint   # let that parser say which line is wrong
    raise ctx.error("not a palette file this program knows (no palette header and no "
                    "colours found; see docs/palette-formats.md for the formats read)")
