"""What a user can tell the reader when sniffing guesses wrong (the import preview's fields).

Every field defaults to None = "detect it".  `ReadOptions.checked()` validates
the values and raises OptionError naming the field; readers only see checked
options.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from somdesk.errors import OptionError

__all__ = ["ReadOptions", "MISSING_TOKENS", "DEFAULT_MISSING", "FORMATS", "DEFAULT_MAX_ROWS"]

# Cells that mean "no value" (compared case-insensitively, surrounding spaces ignored): these
# words, as the CLI's help and the import preview write them, and the empty cell.
DEFAULT_MISSING = ("NA", "N/A", "NaN", "null", "?", "-")
MISSING_TOKENS = frozenset({""} | {t.lower() for t in DEFAULT_MISSING})
FORMATS = ("csv", "parquet", "json", "xlsx", "xls", "ods")
# Above this many rows the table is sampled for interactive training (every row is
# still assigned at the end, in chunks).  Also bounded by DEFAULT_MAX_CELLS / columns.
DEFAULT_MAX_ROWS = 1_000_000
DEFAULT_MAX_CELLS = 50_000_000


@dataclass(frozen=True)
class ReadOptions:
    """How to read a table file; None in a field means "detect it".

    format     one of FORMATS ("csv" covers any delimited text, gzip or not)
    delimiter  one character (text files)
    decimal    "." or ","; with "," the dot (or `thousands`) groups digits: 12.500 = 12500
    thousands  "", ",", ".", " ", "'" or "_" ("" = none; " " is any space: U+0020, U+00A0, U+202F)
    header     True if the first (non-skipped) line holds column names
    skip       lines to skip before the header/data (metadata, comments)
    comment    a character that starts comment lines (e.g. "#")
    sheet      spreadsheet sheet, by name or 0-based position
    encoding   a Python codec name (e.g. "utf-8", "latin-1", "cp1252", "utf-16")
    missing    cell texts meaning "no value" (case-insensitive); replaces MISSING_TOKENS but
               for the empty cell, which is always missing (the given texts are added to it)
    also_missing  cell texts meaning "no value" besides `missing` (or, when that is None, besides
               the defaults): the CLI's --also-missing, the window's Read 0 as missing.  A ratings
               table with both NA and 0 for "not rated" needs both: `missing=("0",)` alone would
               make its NA cells text (`missing_texts` folds the two)
    where      an SQL boolean expression on the columns (rows kept where it is true)
    max_rows   rows held in memory for interactive work; larger tables are sampled
    preview_rows  a spreadsheet: read only its first lines, this many after the skipped
               ones and the header (the import preview's head of a big sheet; the
               dialect then says "partial": True when the sheet has more)
    seed       the sample's random seed
    """

    format: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    header: bool | None = None
    skip: int | None = None
    comment: str | None = None
    sheet: str | int | None = None
    encoding: str | None = None
    missing: tuple[str, ...] | None = None
    also_missing: tuple[str, ...] | None = None
    where: str | None = None
    max_rows: int | None = None
    preview_rows: int | None = None
    seed: int = 0

    def checked(self) -> "ReadOptions":
        """A copy with normalised values; OptionError names any bad field."""
        fmt = self.format
        if fmt is not None:
            fmt = str(fmt).strip().lower().lstrip(".")
            fmt = {"tsv": "csv", "txt": "csv", "text": "csv", "pq": "parquet", "ndjson": "json",
                   "jsonl": "json", "xlsm": "xlsx", "xlsb": "xlsx", "excel": "xlsx"}.get(fmt, fmt)
            if fmt not in FORMATS:
                raise OptionError(f"unknown table format {self.format!r}; choose one of: {', '.join(FORMATS)}")
        delim = self.delimiter
        if delim is not None:
            delim = {"tab": "\t", "\\t": "\t", "space": " ", "comma": ",", "semicolon": ";",
                     "pipe": "|"}.get(str(delim).lower(), delim)
            if len(delim) != 1 or delim in "\r\n\"":
                raise OptionError(f"the delimiter must be one character (not a quote or newline), got {self.delimiter!r}")
        dec = self.decimal
        if dec is not None and dec not in (".", ","):
            raise OptionError(f"the decimal separator must be '.' or ',', got {dec!r}")
        th = self.thousands
        if th is not None:
            # "space" (or the no-break spaces themselves) stands for any space (io.tables.detect.SPACES)
            th = {"none": "", "space": " ", "\u00a0": " ", "\u202f": " "}.get(str(th).lower(), th)
            if th not in ("", ",", ".", " ", "'", "_"):
                raise OptionError(f"the thousands separator must be one of , . space ' _ or none, got {self.thousands!r}")
            if th and dec is not None and th == dec:
                raise OptionError("the thousands and decimal separators must differ")
            if th and delim is not None and th == delim:
                raise OptionError("the thousands separator cannot be the delimiter")
        if dec is not None and delim is not None and dec == delim:
            raise OptionError("the decimal separator cannot be the delimiter")
        skip = self.skip
        if skip is not None:
            if isinstance(skip, bool) or int(skip) != skip or not 0 <= int(skip) <= 1_000_000:
                raise OptionError(f"rows to skip must be a whole number from 0, got {skip!r}")
            skip = int(skip)
        comment = self.comment
        if comment is not None and comment != "" and len(comment) != 1:
            raise OptionError(f"the comment character must be one character, got {comment!r}")
        enc = self.encoding
        if enc is not None:
            import codecs
            try:
                enc = codecs.lookup(enc).name
            except LookupError:
                raise OptionError(f"unknown text encoding {self.encoding!r}") from None
        missing = self.missing
        if missing is not None:
            if isinstance(missing, str):
                missing = tuple(s for s in missing.split(","))
            missing = tuple(str(s).strip() for s in missing)
        also = self.also_missing
        if also is not None:
            if isinstance(also, str):
                also = tuple(also.split(","))
            # an empty text adds nothing (the empty cell is always missing); none left: not given
            also = tuple(t for t in (str(s).strip() for s in also) if t) or None
        max_rows = self.max_rows
        if max_rows is not None and (isinstance(max_rows, bool) or int(max_rows) < 1):
            raise OptionError(f"the row limit must be a whole number from 1, got {max_rows!r}")
        preview = self.preview_rows
        if preview is not None and (isinstance(preview, bool) or int(preview) < 1):
            raise OptionError(f"the preview row count must be a whole number from 1, got {preview!r}")
        where = self.where.strip() if isinstance(self.where, str) and self.where.strip() else None
        header = None if self.header is None else bool(self.header)
        return replace(self, format=fmt, delimiter=delim, thousands=th, skip=skip, comment=comment or None,
                       encoding=enc, missing=missing, also_missing=also, where=where, header=header,
                       max_rows=None if max_rows is None else int(max_rows),
                       preview_rows=None if preview is None else int(preview))

    @property
    def missing_texts(self) -> tuple[str, ...] | None:
        """The cell texts meaning "no value" as one list, in order, each once: `missing` (or
        DEFAULT_MISSING when it is None) followed by `also_missing`; None when neither is given
        (the reader's defaults).  What a saved map records (`resolved`) and DuckDB's `nullstr` gets."""
        also = self.also_missing
        if isinstance(also, str):
            also = also.split(",")
        also = tuple(str(t).strip() for t in (also or ()) if str(t).strip())
        if self.missing is None and not also:
            return None
        base = DEFAULT_MISSING if self.missing is None else tuple(self.missing)
        return tuple(dict.fromkeys(base + also))

    def resolved(self) -> "ReadOptions":
        """A copy with `also_missing` folded into `missing` (`missing_texts`), the same reading
        written in the one field every version of somdesk knows (a saved map's read options)."""
        if not self.also_missing:
            return self
        return replace(self, missing=self.missing_texts, also_missing=None)

    @property
    def missing_tokens(self) -> frozenset[str]:
        """The cell texts read as missing, lower case: MISSING_TOKENS, or the user's
        `missing_texts` plus the empty cell -- an empty cell holds no value whatever else is
        named (tester6 F35: `--missing-values North` turned every numeric column with a blank
        into text)."""
        texts = self.missing_texts
        if texts is None:
            return MISSING_TOKENS
        # compared with cells stripped of surrounding spaces, so stripped too (`--also-missing "0, 0.0"`)
        return frozenset(s.strip().lower() for s in texts) | {""}
