"""Which kind of file is this, and reading it into something a session installs.

`sniff_kind(path)` decides by content, not by name:

  "map"      a ZIP archive holding meta.json and weights.npy (.somz)
  "image"    a picture Pillow recognises (PNG, JPEG, BMP, GIF, WebP ...) that is
             bigger than PALETTE_PICTURE_PIXELS, or any JPEG/WebP/BMP (photos);
             small PNG/GIF files are the pixel artists' palettes
  "palette"  everything the palette reader detects (GIMP, ASE, ACO, hex, CSS,
             JSON, Krita .kpl, ...), including CSV with a hex or r,g,b header
  "table"    other CSV / TSV text: rows of a table with a header line; JSON arrays of
             records and NDJSON without colour keys; spreadsheets
             (.xlsx, .ods: ZIPs with [Content_Types].xml or mimetype), Parquet,
             legacy .xls and gzip-compressed text, for the table reader to open

`read(path, kind)` does the reading (the slow part, safe on a worker thread) and
returns a `Loaded` whose `install_into(session)` swaps the workspace over in
one step on the session's thread.  Tables and saved table maps go to the session's
table workspace (`Session.new_table`, `Session.install_table_map`).
"""
from __future__ import annotations

import numpy as np

import contextlib
import os
import zipfile
from dataclasses import dataclass

from somdesk.errors import FileFormatError
from somdesk.io.file_kinds import PICTURE_SUFFIXES, damaged_map_not_table
from somdesk.io.lines import text_lines

PALETTE_PICTURE_PIXELS = 64 * 64     # a PNG/GIF at most this big is read as a palette
OPEN_KINDS = ("map", "image", "palette", "table")
_PHOTO_FORMATS = ("JPEG", "MPO", "WEBP", "BMP", "TIFF")
_HEAD_BYTES = 64 * 1024
# Formats recognised by a header or magic number; text lists (csv, hex, paint.net, css) are
# palettes only when they read as one, else they are tables.
_STRONG_PALETTE_FORMATS = ("gpl", "jasc-pal", "soc", "kpl", "json", "ase", "aco", "riff-pal", "image", "sbz",
                           "scribus")
# Formats whose header or XML root says "palette" beyond doubt: a damaged one given where a table
# is expected gets the palette reader's words (what is wrong in it), not the table reader's
# ("line 2 has 2 field(s) but the header has 3"; tester11: a truncated Scribus .xml).  JSON, ACO
# (two magic bytes) and ZIPs are left out: a damaged JSON table or a foreign ZIP is no palette.
_SURE_PALETTE_FORMATS = ("gpl", "jasc-pal", "soc", "kpl", "ase", "sbz", "scribus")
# When the content says only "a ZIP" (damaged, or holding nothing a reader claims) or nothing at
# all, the name says whose message the user should read: a broken workbook is the spreadsheet
# reader's to explain and a broken .somz the map reader's, not Krita's palette reader's.
_SUFFIX_KINDS = {".xlsx": "table", ".xlsm": "table", ".xlsb": "table", ".xls": "table", ".ods": "table",
                 ".somz": "map"}


def _suffix_kind(path) -> str | None:
    return _SUFFIX_KINDS.get(os.path.splitext(os.fspath(path))[1].lower())


def _head(path) -> bytes:
    from somdesk.io.names import display_basename, os_reason, stat_input

    stat_input(path)   # one clear message for a folder, a device, a missing file
    try:
        with open(path, "rb") as fh:
            return fh.read(_HEAD_BYTES)
    except OSError as exc:
        raise FileFormatError(f"cannot read {display_basename(path)}: {os_reason(exc)}") from None


def _zip_kind(path) -> str | None:
    """"map" for a saved map, "table" for a spreadsheet (.xlsx, .ods), "palette" for anything
    else in a ZIP (Krita's .kpl; its reader explains what is wrong), None if not a ZIP."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist()[:1000])
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "meta.json" in names and "colorset.xml" not in names:
        return "map"      # also one from a newer somdesk or a damaged one: the map reader says which
    if "[Content_Types].xml" in names or "mimetype" in names and "content.xml" in names:
        return "table"
    return "palette"


# Binary table formats by magic number: Parquet, legacy Excel (OLE2), gzip- and zstd-compressed
# text (io/tables/compressed.py: the table reader goes by these bytes, not the name).
_TABLE_MAGIC = (b"PAR1", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x1f\x8b", b"\x28\xb5\x2f\xfd")


def _picture_kind(head: bytes, path) -> str | None:
    """"image" / "palette" for a file Pillow recognises, else None."""
    import io
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path if len(head) >= _HEAD_BYTES else io.BytesIO(head)) as im:
                fmt, (w, h) = im.format, im.size
    except Image.DecompressionBombError:
        # a picture too large for Pillow's own guard is still a picture: the picture
        # reader names the size and its limit (tester4 F12: the palette reader's 50 MP
        # limit was quoted instead of the 100 MP `somdesk quantize` applies)
        return "image"
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    if fmt in _PHOTO_FORMATS or w * h > PALETTE_PICTURE_PIXELS:
        return "image"
    return "palette"


def sniff_kind(path) -> str:
    """"map", "image", "palette" or "table" for the file at `path` (see module docstring)."""
    head = _head(path)
    if head[:4] == b"PK\x03\x04":
        found = _zip_kind(path)
        if found in (None, "palette") and _suffix_kind(path) is not None:
            return _suffix_kind(path)     # a damaged or foreign ZIP named .xlsx/.ods/.somz
        if found is not None:
            return found
    elif _suffix_kind(path) == "map" and not head.startswith(_TABLE_MAGIC):
        # a .somz that is not a ZIP at all (truncated, garbage, empty): the map reader's "damaged or
        # truncated", in the window and the CLI alike (testerG #12: an empty one was read as a table)
        return "map"
    if head.startswith(_TABLE_MAGIC):
        return "table"
    pic = _picture_kind(head, path)
    if pic is not None:
        return pic
    # Pillow did not recognise it (_picture_kind).  A picture's name is no evidence then: the
    # palette detector would call a GIMP palette or a CSV named .png an "image" by its name, so
    # the content is asked alone; binary data it cannot place is a damaged picture, whose
    # reader's message names every picture format (the palette reader's named PNG and GIF only).
    picture_name = os.path.splitext(os.fspath(path))[1].lower() in PICTURE_SUFFIXES
    try:
        from somdesk.io.palettes import detect_format

        fmt = detect_format(head, "<data>" if picture_name else os.fspath(path))
    except FileFormatError:
        fmt = None
    if picture_name and (fmt == "image" or (fmt is None and b"\0" in head)):
        return "image"
    if fmt == "json" and _json_records(head):
        return "table"     # rows as objects (a JSON array or NDJSON) with no colour key
    if fmt in _STRONG_PALETTE_FORMATS:
        return "palette"   # its own reader explains what is wrong with a damaged one
    if fmt is not None and _lines_fit(head) and _reads_as_palette(path):
        return "palette"
    if _palette_name(path) and _lines_fit(head):
        # A .gpl/.hex/.pal/... that no table reader would be asked for: its own reader names
        # what is wrong (a bad colour on line 3, too many colours, empty), where the table
        # import preview showed a one-column "table" or a binary-file message (tester6 F6).
        return "palette"
    if picture_name and len([ln for ln in text_lines(head)[:3] if ln.strip()]) < 2:
        # named as a picture, and no palette nor a table's header and row: "hello" in text.png is
        # a damaged picture to its user, so the picture reader's message, not the table reader's
        # "a header line but no data rows" (tester7 #16)
        return "image"
    return "table"


def not_a_table(path) -> str | None:
    """One sentence when the file at `path`, given where a table is expected, is another kind
    somdesk opens ("basic.gpl is a GIMP palette, not a table: ..."; sniff_kind decides), else
    None.  Asked after the table reader refused the file, whose own words ("the delimiter is
    ?", "it contains NUL bytes") do not say what the file is (tester10 #7)."""
    from somdesk.io.names import display_basename

    try:
        kind = sniff_kind(path)
    except (FileFormatError, OSError):
        return None
    name = display_basename(path)
    if kind == "map":
        if _zip_kind(path) != "map":          # not a ZIP holding a map's description: the map reader's words
            return damaged_map_not_table(name)
        return (f"{name} is a somdesk map, not a table: score a table with it (somdesk assign {name} TABLE), "
                "or open it in the window")
    if kind == "image":
        fmt = _picture_format(path)
        return (f"{name} is a{'n' if fmt[:1] in 'AEIOU' else ''} {fmt} picture, not a table: quantise it "
                f"(somdesk quantize {name} OUT.png) or open it in the window")
    if kind == "palette":
        from somdesk.io.palettes import FORMAT_LABELS, detect_format, read_palettes

        try:       # named a palette only when it reads as one: a damaged JSON table is no palette
            read_palettes(path)
        except FileFormatError as exc:
            return _damaged_palette(path, name, exc)
        except Exception:     # noqa: BLE001 -- any other refusal: the table reader's words stand
            return None

        try:
            fmt = detect_format(_head(path), os.fspath(path))
        except (FileFormatError, OSError):
            fmt = None
        if fmt == "image":          # a small PNG/GIF: the pixel artists' palette
            what = f"{_picture_format(path)} picture"
        else:
            label = FORMAT_LABELS.get(fmt, "palette")
            what = label if "palette" in label.lower() else f"palette ({label})"
        return (f"{name} is a{'n' if what[:1] in 'AEIOU' else ''} {what}, not a table: see it with "
                f"somdesk palette info {name}, or train on it with somdesk train --palette {name}")
    return None


def _damaged_palette(path, name: str, exc: FileFormatError) -> str | None:
    """The palette reader's refusal `exc` as the sentence for a table command, when the file's
    own header or XML root says it is a palette (_SURE_PALETTE_FORMATS, not a ZIP); else None
    (the table reader's words stand)."""
    from somdesk.io.names import display_name
    from somdesk.io.palettes import FORMAT_LABELS, detect_format

    head = _head(path)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return None
    try:
        fmt = detect_format(head, "<data>")       # by content alone, not by its name
    except (FileFormatError, OSError):
        return None
    if fmt not in _SURE_PALETTE_FORMATS:
        return None
    label = FORMAT_LABELS.get(fmt, "palette")
    what = label if "palette" in label.lower() else f"palette ({label})"
    why = str(exc)
    own = f"{display_name(os.fspath(path))}: "
    return f"{name} is a damaged {what}, not a table: {why[len(own):] if why.startswith(own) else why}"


def read_table_named(path, options=None, cancel=None):
    """io.tables read_table, whose refusal of a palette, picture or map given where a table is
    expected says what the file is (not_a_table) instead of the table reader's words; the
    CLI's table commands and the window's scoring read tables through this."""
    from somdesk.io.tables.table import read_table

    try:
        return read_table(path, options, cancel)
    except FileFormatError as exc:
        why = None if "somdesk map" in str(exc) else not_a_table(path)    # the reader said so already
        if why is None:
            raise
        raise FileFormatError(why) from exc


@contextlib.contextmanager
def chunks_named(pattern):
    """Around reading the file or glob `pattern` in chunks (io.chunked.ChunkedTable.open and the
    number-format sniff before it): a FileFormatError becomes the sentence saying what the file
    is when it, or a file of the glob, is a palette, picture or map (not_a_table), as
    read_table_named says in memory (review10 #14: "basic.gpl: no numeric columns")."""
    try:
        yield
    except FileFormatError as exc:
        from somdesk.io.chunked_sql import expand, is_pattern
        from somdesk.io.names import display_name

        try:
            files = expand(pattern)
        except FileFormatError:
            raise exc from None
        why = next((w for f in files if (w := not_a_table(f)) is not None), None)
        if why is None:
            raise
        if is_pattern(os.fspath(pattern)):
            why = f"{display_name(os.fspath(pattern))} holds a file that is not a table: {why}"
        raise FileFormatError(why) from exc


def _picture_format(path) -> str:
    """Pillow's name of the picture format ("PNG", "JPEG"), or "damaged" when it cannot tell."""
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as im:
                return str(im.format)
    except Exception:          # noqa: BLE001 -- any failure: the picture is damaged
        return "damaged"


def _palette_name(path) -> bool:
    """Is the file named as a palette format that tables do not share (.txt, .csv and .json do)?"""
    from somdesk.io.palettes.detect import extension_hint

    return extension_hint(os.fspath(path)) not in (None, "paintnet", "csv", "json", "image")


def _lines_fit(head: bytes) -> bool:
    """False when the first line is longer than the whole head (64 KiB): no text palette has such
    a line, and reading one as a palette took a minute on a 14 MB line (tester3 F6); the
    table reader names the line and its length limit instead."""
    return len(head) < _HEAD_BYTES or b"\n" in head or b"\r" in head


def _json_records(head: bytes) -> bool:
    """Is this JSON text a table: an array of objects, newline-delimited objects (NDJSON) or
    one key holding a list of objects, whose first object has a scalar value and is not a
    palette's colour?  Nested values (lists, objects) may sit beside the scalars: the table
    reader keeps them as "nested" columns (tester6 F10: an API export with a tags list went
    to the palette reader).  Only the head is parsed (a 1 GB table is not read).

    A record with a colour key (hex, color, colour) is a palette's swatch only when that value
    reads as a hex colour and no field but `alpha` holds a number: a product list with a
    `color: "blue"` field, or with `hex` beside `price`, is a table (tester6 F40: it went to
    the palette reader and was refused); a record with a colour list (colors) stays a palette's."""
    from somdesk.io.palettes.colorspaces import parse_hex
    from somdesk.io.palettes.jsonfmt import PALETTE_KEYS, is_channel_record
    from somdesk.io.tables.detect import first_record

    first = first_record(head)
    if not (isinstance(first, dict) and first and any(not isinstance(v, (dict, list)) for v in first.values())):
        return False
    if is_channel_record(first):
        return False                       # {"r": 255, "g": 0, "b": 0, "name": ...}: a swatch (F52)
    keys = {str(k).lower(): v for k, v in first.items()}
    if not any(k in PALETTE_KEYS for k in keys):
        return True
    if "colors" in keys or "colours" in keys:
        return False                       # {"colors": [...]}: a palette collection's item
    colours_ok = all(isinstance(v, str) and parse_hex(v.strip()) is not None
                     for k, v in keys.items() if k in PALETTE_KEYS)
    numbers = any(isinstance(v, (int, float)) and not isinstance(v, bool) for k, v in keys.items() if k != "alpha")
    return not colours_ok or numbers


def _reads_as_palette(path) -> bool:
    from somdesk.io.palettes import read_palette

    try:
        read_palette(path)
    except FileFormatError:
        return False
    return True


@dataclass(frozen=True)
class Loaded:
    """A file read and ready to become the workspace: `install_into(session)` does it."""

    kind: str
    payload: object
    path: str

    def install_into(self, session) -> str:
        """Make the file the session's workspace (on the session's thread); returns the kind.
        What the reader said about a palette or picture (clamped values, frames left out)
        goes with it: `session.dataset.warnings`."""
        p = self.payload
        name = os.path.basename(self.path)
        if self.kind == "palette":
            colours, names, title, warnings, own_name = p
            session.new_colours(colours, names=names, title=title, source=self.path, palette_name=own_name,
                                warnings=warnings)
        elif self.kind == "image":
            session.install_image(p)         # built by `read` on the reading thread
        elif self.kind == "table":
            session.new_table(p, source=self.path)
        elif self.kind == "table-map":
            session.install_table_map(p)
        else:
            p.install_into(session, self.path)
        return self.kind


def read(path, kind: str, cancel=None) -> Loaded:
    """Read `path` as `kind` (one of OPEN_KINDS); FileFormatError on bad input."""
    path = os.fspath(path)
    if kind not in OPEN_KINDS:
        raise FileFormatError(f"cannot open {kind!r} files; choose one of {', '.join(OPEN_KINDS)}")
    if kind == "palette":
        from somdesk.core.options import count_text
        from somdesk.io.names import display_basename
        from somdesk.io.palettes import read_palettes

        palettes = read_palettes(path)
        pal = palettes[0]
        colours = palette_inputs(pal)
        if len(colours) == 0:
            raise FileFormatError(f"{os.path.basename(path)}: the palette has no colours")
        warnings = list(pal.warnings)
        if len(palettes) > 1:       # `somdesk train --palette` says so too (the window offers a picker)
            warnings.append(f"{display_basename(path)} holds {count_text(len(palettes), 'palette')}; "
                            "the first is used")
        payload = (colours, [s.name for s in pal.swatches], pal.name or os.path.basename(path),
                   tuple(warnings), pal.name)
    elif kind == "image":
        from somdesk.io.image_input import read_picture

        picture = read_picture(path, alpha=True)
        payload = picture.pixels                 # (H, W, 4) when the picture has transparency
        if payload.shape[2] == 4 and not (payload[:, :, 3] > 0).any():
            # refused here, on the reading thread, as the open's failure: found when the picture
            # was installed, the error escaped a posted callback (tester6 F19)
            raise FileFormatError(f"{os.path.basename(path)}: every pixel of the picture is fully "
                                  "transparent: there are no colours to learn")
        # the dataset (sample, live-preview copy, the picture the window draws) made here, on the
        # reading thread: for a 100 Mpx picture that work froze the window 12 s (tester7 #13);
        # read-only and owned, the pixels become the dataset's without a copy (datasets.frozen_array)
        from somdesk.core.cancel import check
        from somdesk.core.quantize import sample_pixels
        from somdesk.session.datasets import ImageData, QuantiserSettings

        payload.flags.writeable = False
        check(cancel)
        settings = QuantiserSettings()
        payload = ImageData(payload, sample_pixels(payload, settings.sample, 0), settings, 0,
                            os.path.basename(path), path, warnings=picture.warnings)
    elif kind == "table":
        from somdesk.io.tables.table import read_table

        payload = read_table(path, None, cancel)     # the table engine: CSV, TSV, Parquet, JSON, spreadsheets
    elif is_table_map(path):
        from somdesk.session.table_workspace import read_map_steps, run_to_end

        return Loaded("table-map", run_to_end(read_map_steps(path, cancel)), path)
    else:
        from somdesk.session.workspace_file import load_workspace

        payload = load_workspace(path).measured(cancel)     # here, not on the window's thread
    return Loaded(kind, payload, path)


def palette_inputs(pal) -> np.ndarray:
    """A palette's colours as the session's inputs: (N, 3) in [0, 1], or (N, 4) with straight
    alpha when some colour is not opaque (tester7 F23: the window dropped palette alpha)."""
    if any(s.alpha != 255 for s in pal.swatches):
        return pal.to_rgba_array()
    return pal.to_array()


TABLE_MAP_KINDS = ("table-map", "table")     # saved kinds holding a table map (new files: "table-map")


def is_table_map(path) -> bool:
    """Is the `.somz` at `path` a table map (session.scoring's kind, or the older session kind
    "table", which session.workspace_file.table_map_from_workspace converts)?"""
    from somdesk.session.workspace_file import saved_kind

    return saved_kind(path) in TABLE_MAP_KINDS
