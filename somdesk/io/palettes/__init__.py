"""Read and write colour palettes in the formats people actually have.

No Qt here: the CLI, the GUI and the tests all use this module.

Reading detects the format from the file's content (the extension is only a
tie-breaker between text formats), converts every colour to 8-bit sRGB and
returns a frozen `Palette`.  Anything wrong with the file -- malformed,
truncated, too large, hostile -- raises `PaletteError` with one sentence
naming the file, the problem and (for text) the line.  Non-fatal oddities
(clamped values, ignored alpha, ...) land in `Palette.warnings`.

Some files hold several palettes (collections): `read_palettes(path)` returns
all of them and `read_palette(path, index=0)` one.  Swatches carry alpha
(`Swatch.alpha`, 255 = opaque) where the file has it.

Writing picks the format from the extension (or `format=`) and replaces the
target atomically, so a failed save never leaves a half-written file;
`write_losses(palette, format)` says beforehand what the format cannot keep
(colour names, the palette's own name, alpha, the grid width).

See docs/palette-formats.md for every format, formula and limit.
"""
from __future__ import annotations

import os
import stat

from somdesk.core.options import count_text
from somdesk.io.atomic import atomic_write_bytes, check_target

from . import (adobe_aco, adobe_ase, css, csvfmt, gpl, hexfile, image, jsonfmt, kpl,
               paintnet, pal, raw_rgb, sbz, scribus, soc)
from .context import ReadContext
from somdesk.io.names import display_basename, os_reason
from .detect import detect_format
from .limits import (MAX_COLORS, MAX_FILE_BYTES, MAX_IMAGE_PIXELS, MAX_NAME_CHARS,
                     MAX_ZIP_MEMBER_BYTES)
from .model import FORMATS, Palette, PaletteError, Swatch

__all__ = [
    "Swatch", "Palette", "PaletteError", "read_palette", "read_palette_bytes",
    "read_palettes", "read_palettes_bytes", "pick_palette", "write_palette", "palette_to_bytes",
    "write_losses", "format_for_path", "detect_format",
    "READ_FILTERS", "WRITE_FILTERS", "FORMATS", "WRITE_FORMATS", "FORMAT_LABELS",
    "MAX_FILE_BYTES", "MAX_COLORS", "MAX_IMAGE_PIXELS", "MAX_NAME_CHARS",
    "MAX_ZIP_MEMBER_BYTES",
]

_READERS = {
    "gpl": gpl.read, "ase": adobe_ase.read, "aco": adobe_aco.read,
    "jasc-pal": pal.read_jasc, "riff-pal": pal.read_riff, "paintnet": paintnet.read,
    "hex": hexfile.read, "kpl": kpl.read, "soc": soc.read, "css": css.read,
    "json": jsonfmt.read, "csv": csvfmt.read, "image": image.read,
    "act": raw_rgb.read_act, "raw-pal": raw_rgb.read_raw, "scribus": scribus.read,
    "sbz": sbz.read,
}
#: Formats whose files can hold several palettes: reader -> list[Palette].
_COLLECTION_READERS = {
    "json": jsonfmt.read_all, "csv": csvfmt.read_all, "raw-pal": raw_rgb.read_raw_all,
}
_WRITERS = {
    "gpl": gpl.write, "hex": hexfile.write, "ase": adobe_ase.write, "aco": adobe_aco.write,
    "jasc-pal": pal.write_jasc, "css": css.write, "json": jsonfmt.write, "act": raw_rgb.write_act,
    "sbz": sbz.write,
}
#: What each writer can hold: colour names, the palette's own name, alpha ("full", "one
#: transparent" or None) and the most colours.  Used by `write_losses`; keep in step with the
#: writers (tests/io_palettes/test_write_losses_kept.py round-trips every claim).  Only GIMP's
#: .gpl keeps the grid width (`Palette.columns`, its ``Columns:`` line).
_CAPABILITIES = {
    "gpl": (True, True, "full", None), "hex": (False, False, None, None),
    "ase": (True, True, None, None),          # the palette name is the colours' group name
    "aco": (True, False, None, 65_535),       # v2 names every colour; no field for the palette
    "jasc-pal": (False, False, None, None), "css": (True, True, "full", None),
    "json": (True, True, "full", None), "act": (False, False, "one transparent", 256),
    "sbz": (True, True, None, None),
}
_KEEPS_COLUMNS = ("gpl",)

#: Human-readable name of every format id.
FORMAT_LABELS = {
    "gpl": "GIMP palette", "ase": "Adobe Swatch Exchange", "aco": "Photoshop swatches",
    "jasc-pal": "JASC palette", "riff-pal": "Microsoft RIFF palette",
    "paintnet": "Paint.NET palette", "hex": "Lospec hex palette", "kpl": "Krita palette",
    "soc": "LibreOffice colour table", "css": "CSS colours", "json": "JSON palette",
    "csv": "CSV palette", "image": "Image (PNG/GIF)", "act": "Photoshop colour table",
    "raw-pal": "Raw RGB palette (NES)", "scribus": "Scribus colour set",
    "sbz": "SwatchBooker book",
}
_READ_PATTERNS = {
    "gpl": ["*.gpl"], "ase": ["*.ase"], "aco": ["*.aco"], "jasc-pal": ["*.pal"],
    "riff-pal": ["*.pal"], "paintnet": ["*.txt"], "hex": ["*.hex"], "kpl": ["*.kpl"],
    "soc": ["*.soc"], "css": ["*.css"], "json": ["*.json"], "csv": ["*.csv"],
    "image": ["*.png", "*.gif"], "act": ["*.act"], "raw-pal": ["*.pal"], "scribus": ["*.xml"],
    "sbz": ["*.sbz"],
}
_WRITE_EXTENSIONS = {
    ".gpl": "gpl", ".hex": "hex", ".ase": "ase", ".aco": "aco", ".pal": "jasc-pal",
    ".css": "css", ".json": "json", ".act": "act", ".sbz": "sbz",
}

#: Writer format ids, in the order shown in save dialogs.
WRITE_FORMATS = tuple(_WRITERS)

#: ``(label, [glob, ...])`` per readable format, for a file dialog.
READ_FILTERS: list[tuple[str, list[str]]] = [
    (FORMAT_LABELS[f], list(_READ_PATTERNS[f])) for f in FORMATS]

#: ``(label, [glob])`` per writable format, for a save dialog.
WRITE_FILTERS: list[tuple[str, list[str]]] = [
    (FORMAT_LABELS[f], ["*" + ext for ext, fid in _WRITE_EXTENSIONS.items() if fid == f])
    for f in WRITE_FORMATS]


def read_palettes_bytes(data: bytes, filename: str = "<data>") -> list[Palette]:
    """Every palette in `data`, in file order (one for most formats).

    Collections (JSON lists of palettes or objects of name -> list, CSV with
    a list column, 1536-byte NES .pal) give several; each Palette has its
    name (or None) and the file's warnings.  `filename` is used in messages
    and as a format hint.  Raises PaletteError for anything unreadable (a reader's
    unexpected exception is turned into one too, marked as an internal error) and
    TypeError when `data` is not bytes-like.
    """
    filename = display_basename(filename)    # the last part keeps the extension (a format hint)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_FILE_BYTES:
        raise PaletteError(f"{filename}: the file is {count_text(len(data), 'byte')}; palettes larger than "
                           f"{MAX_FILE_BYTES // (1024 * 1024)} MiB are refused")
    fmt = detect_format(data, filename)
    ctx = ReadContext(filename, fmt)
    try:
        if fmt in _COLLECTION_READERS:
            return _COLLECTION_READERS[fmt](data, ctx)
        return [_READERS[fmt](data, ctx)]
    except PaletteError:
        raise
    except RecursionError:
        raise ctx.error("the file is nested too deeply to read") from None
    except MemoryError:
        raise ctx.error("not enough memory to read the file") from None
    except Exception as exc:
        # A reader bug must still reach the user as one clear message rather
        # than a traceback; the text makes it recognisable as a bug.
        raise ctx.error(f"internal error while reading it as {FORMAT_LABELS[fmt]} "
                        f"({type(exc).__name__}: {exc}); please report this") from exc


def pick_palette(palettes: list[Palette], index: int, filename: str = "<data>") -> Palette:
    """`palettes[index]`, or PaletteError naming `filename` and the valid range.

    Raises TypeError when `index` is not an int (bools refused).
    """
    if isinstance(index, bool) or not isinstance(index, int):
        raise TypeError(f"index must be an int, not {type(index).__name__}")
    if not 0 <= index < len(palettes):
        n = len(palettes)
        valid = "0" if n == 1 else f"0..{n - 1}"
        raise PaletteError(f"{display_basename(filename)}: holds {n} palette{'s' * (n != 1)}; "
                           f"index {index} is out of range (use {valid})")
    return palettes[index]


def read_palette_bytes(data: bytes, filename: str = "<data>", index: int = 0) -> Palette:
    """Read palette number `index` (0 = the first) from memory.

    `filename` is used for messages and as a hint.  Raises PaletteError.
    """
    return pick_palette(read_palettes_bytes(data, filename), index, filename)


def _read_file(path: str | os.PathLike) -> tuple[bytes, str]:
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    shown = display_basename(path)   # the last part, as every file the program reads is named
    try:
        st = os.stat(path)
        # Refuse FIFOs, devices and folders before open(): reading /dev/zero
        # or a FIFO would never end.
        if stat.S_ISDIR(st.st_mode):
            raise PaletteError(f"{shown}: is a folder, not a palette file")
        if not stat.S_ISREG(st.st_mode):
            from somdesk.io.names import special_file_name, special_kind   # stat_input's words (testerC #14)
            raise PaletteError(f"{special_file_name(path, st.st_mode)}: it is {special_kind(st.st_mode)}, not a regular file; "
                               "save it to a file first")
        if st.st_size > MAX_FILE_BYTES:
            raise PaletteError(f"{shown}: the file is {count_text(st.st_size, 'byte')}; palettes larger than "
                               f"{MAX_FILE_BYTES // (1024 * 1024)} MiB are refused")
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)   # bounded even if the file grows
    except FileNotFoundError:
        raise PaletteError(f"{shown}: no such file") from None
    except PermissionError:
        raise PaletteError(f"{shown}: permission denied") from None
    except OSError as exc:
        raise PaletteError(f"{shown}: cannot read the file ({os_reason(exc)})") from None
    except ValueError as exc:   # e.g. an embedded NUL in the path
        raise PaletteError(f"{shown}: invalid file name ({exc})") from None
    return data, path


def read_palettes(path: str | os.PathLike) -> list[Palette]:
    """Every palette in the file at `path` (see `read_palettes_bytes`).

    This is the call for a collection picker: ``len(result)`` palettes,
    ``result[k].name`` (may be None: show "Palette k+1").  Raises PaletteError.
    """
    data, path = _read_file(path)
    return read_palettes_bytes(data, path)


def read_palette(path: str | os.PathLike, index: int = 0) -> Palette:
    """Read palette number `index` (0 = the first) of the file at `path`.

    Most files hold one palette; a collection holds several (`read_palettes`).
    Raises PaletteError, also when `index` is out of range.
    """
    data, path = _read_file(path)
    return read_palette_bytes(data, path, index)


def format_for_path(path: str | os.PathLike) -> str:
    """The writer format id for `path`'s extension, or PaletteError."""
    ext = os.path.splitext(os.fspath(path))[1].lower()
    fmt = _WRITE_EXTENSIONS.get(ext)
    if fmt is None:
        valid = ", ".join(sorted(_WRITE_EXTENSIONS))
        shown = f"extension {ext!r}" if ext else "no extension"
        raise PaletteError(f"{display_basename(path)}: cannot choose a palette format from {shown}; "
                           f"use one of {valid}")
    return fmt


def palette_to_bytes(palette: Palette, format: str) -> bytes:
    """Serialise `palette` as writer `format` (a WRITE_FORMATS id; no file involved).

    Raises PaletteError for an unknown format, an empty palette or more than MAX_COLORS
    colours, and the writer's own PaletteError (e.g. over 65,535 colours for aco).
    """
    writer = _WRITERS.get(format)
    if writer is None:
        raise PaletteError(f"cannot write format {format!r}; writable formats: "
                           f"{', '.join(WRITE_FORMATS)}")
    if not palette.swatches:
        raise PaletteError("nothing to write: the palette has no colours")
    if len(palette.swatches) > MAX_COLORS:
        raise PaletteError(f"the palette has {count_text(len(palette.swatches), 'colour')}; "
                           f"at most {MAX_COLORS:,} can be saved")
    return writer(palette)


def write_losses(palette: Palette, format: str) -> list[str]:
    """What writing `palette` as `format` cannot keep, one sentence each.

    Empty when nothing is lost.  The CLI prints these as warnings; the GUI
    can show them before saving.  (Too many colours is not a loss but an
    error, raised by `palette_to_bytes`.)  Raises PaletteError for an unknown format.
    """
    if format not in _CAPABILITIES:
        raise PaletteError(f"cannot write format {format!r}; writable formats: "
                           f"{', '.join(WRITE_FORMATS)}")
    names, own_name, alpha, _limit = _CAPABILITIES[format]
    label = FORMAT_LABELS[format]
    out = []
    named = sum(1 for s in palette.swatches if s.name)
    # only what the palette has: an unnamed palette has no names to lose
    lost_colour_names = named if not names else 0
    lost_own_name = bool(palette.name) and not own_name
    if lost_colour_names or lost_own_name:
        lost = ([count_text(named, 'colour name')] if lost_colour_names else []) + \
            (["the palette name"] if lost_own_name else [])
        one = len(lost) == 1 and lost_colour_names <= 1
        what = ("have no names" if not names else
                "keep colour names only")   # .aco: no field for the palette's own name (tester11)
        out.append(f"{label} files {what}; {' and '.join(lost)} {'is' if one else 'are'} not saved")
    if palette.columns and format not in _KEEPS_COLUMNS:
        out.append(f"{label} files have no grid width; the layout "
                   f"{count_text(palette.columns, 'colour')} wide is not saved")
    partial = sum(1 for s in palette.swatches if s.alpha not in (0, 255))
    clear = sum(1 for s in palette.swatches if s.alpha == 0)
    if alpha is None and (partial or clear):
        out.append(f"{label} files have no transparency; {count_text(partial + clear, 'colour')} with "
                   f"alpha below 255 {'is' if partial + clear == 1 else 'are'} saved opaque")
    elif alpha == "one transparent" and (partial or clear > 1):
        out.append(f"{label} files mark at most one colour fully transparent; "
                   f"{count_text(partial + max(clear - 1, 0), 'other colour')} with alpha below 255 "
                   f"{'is' if partial + max(clear - 1, 0) == 1 else 'are'} saved opaque")
    return out


def write_palette(palette: Palette, path: str | os.PathLike, format: str | None = None) -> None:
    """Write `palette` to `path` atomically; format from the extension when None.

    Raises PaletteError if the palette cannot be expressed in the format and
    `somdesk.errors.SomdeskError` if the file cannot be written.
    """
    path = os.fspath(path)
    # the target's kind before its format: a folder has no extension, and "cannot choose a
    # palette format from no extension" hid what was wrong (retest #6)
    check_target(path)
    fmt = format if format is not None else format_for_path(path)
    try:
        data = palette_to_bytes(palette, fmt)
    except PaletteError as exc:
        raise PaletteError(f"{path}: {exc}") from None
    atomic_write_bytes(path, data)
