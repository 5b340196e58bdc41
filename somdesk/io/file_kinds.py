"""What kind of file the user has, in words for a message: by its name's extension first, then by
its first bytes (magic numbers).

Readers guess a format from content (a ZIP is a Krita palette to the palette reader, RIFF a
Microsoft palette); when the file then fails, the message must name the format the user has --
"the saved map (.somz) is damaged", "the WebP picture is damaged" -- not the reader's guess ("the
.kpl archive is damaged", "this RIFF file holds 'WEBP' data, not a palette"; tester11 #2, #3).
"""
from __future__ import annotations

import os

__all__ = ["damaged_map_not_table", "file_kind", "picture_format", "picture_label", "with_article",
           "PICTURE_SUFFIXES"]

# extension -> what the user has; the pictures' labels come from _PICTURE_LABELS
_BY_SUFFIX = {
    ".somz": "saved map (.somz)", ".kpl": "Krita palette (.kpl)", ".sbz": "SwatchBooker book (.sbz)",
    ".xlsx": "Excel workbook (.xlsx)", ".xlsm": "Excel workbook (.xlsm)", ".xlsb": "Excel workbook (.xlsb)",
    ".xls": "Excel workbook (.xls)", ".ods": "OpenDocument spreadsheet (.ods)", ".zip": "ZIP archive",
    ".npy": "NumPy array (.npy)", ".parquet": "Parquet table", ".docx": "Word document (.docx)",
    ".pptx": "PowerPoint file (.pptx)", ".odt": "OpenDocument text (.odt)", ".epub": "e-book (.epub)", ".ase": "Adobe Swatch Exchange file (.ase)",
    ".aco": "Photoshop swatches file (.aco)", ".gpl": "GIMP palette (.gpl)",
}
# Pillow's format name -> the words for it
_PICTURE_LABELS = {"PNG": "PNG picture", "GIF": "GIF picture", "JPEG": "JPEG picture", "WEBP": "WebP picture",
                   "BMP": "BMP picture", "TIFF": "TIFF picture"}
_PICTURE_BY_SUFFIX = {".png": "PNG", ".apng": "PNG", ".gif": "GIF", ".jpg": "JPEG", ".jpeg": "JPEG",
                      ".jpe": "JPEG", ".jfif": "JPEG", ".webp": "WEBP", ".bmp": "BMP", ".tif": "TIFF",
                      ".tiff": "TIFF"}
PICTURE_SUFFIXES = tuple(_PICTURE_BY_SUFFIX)
_MAGIC = ((b"PK\x03\x04", "ZIP archive"), (b"PK\x05\x06", "ZIP archive"), (b"\x93NUMPY", "NumPy array (.npy)"),
          (b"PAR1", "Parquet table"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel workbook (.xls)"))


def _suffix(name) -> str:
    return os.path.splitext(os.fspath(name))[1].lower()


def picture_format(head: bytes) -> str | None:
    """Pillow's name ("PNG", "GIF", "JPEG", "WEBP", "BMP", "TIFF") of the picture whose first bytes
    are `head` (12 or more bytes), or None.  BMP's two-byte magic counts only with a plausible
    header (a known info-header size at byte 14)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "TIFF"
    if head[:2] == b"BM" and len(head) >= 18 and int.from_bytes(head[14:18], "little") in (12, 40, 52, 56, 64, 108, 124):
        return "BMP"
    return None


def picture_label(name, head: bytes = b"") -> str | None:
    """"WebP picture" etc. for a file named `name` with first bytes `head`: the extension first,
    then the magic; None when neither says picture."""
    fmt = _PICTURE_BY_SUFFIX.get(_suffix(name)) or picture_format(head)
    return _PICTURE_LABELS.get(fmt) if fmt else None


def file_kind(name, head: bytes = b"") -> str | None:
    """What the user has, in words ("saved map (.somz)", "WebP picture", "ZIP archive"), from the
    extension of `name` first, then the first bytes `head`; None when neither tells."""
    ext = _suffix(name)
    if ext in _BY_SUFFIX:
        return _BY_SUFFIX[ext]
    pic = picture_label(name, head)
    if pic is not None:
        return pic
    return next((label for magic, label in _MAGIC if head.startswith(magic)), None)


def with_article(words: str) -> str:
    """"a saved map", "an Excel workbook"."""
    return f"{'an' if words[:1].lower() in 'aeiou' else 'a'} {words}"


def damaged_map_not_table(name: str) -> str:
    """The refusal of a file named .somz that holds no map's description, given where a table is
    expected: the map reader's words, in the window and the CLI alike (testerG #7, #12)."""
    return f"{name}: the saved map (.somz) is damaged or truncated, and not a table either"
