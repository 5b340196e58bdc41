"""What kind of table file this is, and what its first lines say about the dialect.

The engine (DuckDB) sniffs delimiters, quotes, headers and types well; what it
does not know, and is decided here from the first 256 KiB:

* the format, from the file's first bytes (then its name): Parquet "PAR1",
  zip (xlsx/ods), OLE2 (xls), JSON "[" / "{"; text compressed with gzip or zstd is
  known by its magic bytes too (compressed.py) and looked at unpacked;
* the text encoding: a UTF-16 BOM, valid UTF-8, else the one its text reads as
  (charset_normalizer: Shift-JIS, GB18030, cp1251...; guess_encoding), else Windows-1252
  when bytes 0x80-0x9F (the euro sign...) are in it, else Latin-1 (with a warning saying
  which, and how to give another);
  NUL bytes in text mean a binary file, not a table;
* leading comment lines ("#" or "%"), title lines above the header (one filled
  cell: "Customer export 2024-11-30", a spreadsheet's merged title) and a
  scikit-learn style metadata line
  ("150,4,setosa,versicolor,virginica": a sample count, a feature count and the
  class names, before headerless numeric rows) -- both are skipped;
* the decimal separator: a file whose numbers are written "1,5" or "1.234,5"
  uses the decimal comma in every column, so "12.500" there is twelve thousand
  five hundred, never 12.5.
"""
from __future__ import annotations

import csv
import functools
import io
import itertools
import re

from somdesk.errors import FileFormatError
from somdesk.io.lines import byte_position, text_lines
from somdesk.io.tables import compressed

__all__ = ["detect_format", "misnamed", "first_json_object", "first_record", "head_text", "guess_encoding",
           "ENCODING_FIX", "TextHints", "text_hints", "skip_titles"]

HEAD_BYTES = 256 * 1024
_EXT = {".csv": "csv", ".tsv": "csv", ".tab": "csv", ".txt": "csv", ".dat": "csv", ".psv": "csv",
        ".parquet": "parquet", ".pq": "parquet", ".json": "json", ".ndjson": "json", ".jsonl": "json",
        ".xlsx": "xlsx", ".xlsm": "xlsx", ".xlsb": "xlsx", ".xls": "xls", ".ods": "ods"}
# a number written with a decimal comma, optionally with dot/space/apostrophe groups
_COMMA_NUMBER = re.compile(r"[+-]?(\d+|\d{1,3}([.\u00a0\u202f ']\d{3})+),\d+")
# a number with comma digit groups and a point decimal ("141,891.72", "1,234,567"): in a
# comma-separated file such a cell is quoted; a lone "1,234" is that too when commas separate
# the fields (a decimal-comma file would use ";"), elsewhere it is left to the decimal-comma rule
_US_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_APOSTROPHE_GROUPED = re.compile(r"[+-]?\d{1,3}('\d{3})+(\.\d+)?")
# the digit-group "space": the thousands option " " covers all three (tester8 #9)
SPACES = " \u00a0\u202f"
_US_UNAMBIGUOUS = re.compile(r"[+-]?\d{1,3}(,\d{3})+\.\d+|[+-]?\d{1,3}(,\d{3}){2,}(\.\d+)?")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_INT = re.compile(r"[+-]?\d+")


COMPRESSED_SUFFIXES = (".gz", ".gzip", ".zst", ".zstd")
TABLE_SUFFIXES = tuple(_EXT) + COMPRESSED_SUFFIXES    # file names the reader knows (the Open dialogs list them)
SUFFIX_FORMATS = dict(_EXT)                            # ".tsv" -> "csv": the format each name says


def _strip_gz(name: str) -> str:
    low = name.lower()
    for ext in COMPRESSED_SUFFIXES:
        if low.endswith(ext):
            return low[:-len(ext)]
    return low


def detect_format(head: bytes, name: str) -> str:
    """"csv", "parquet", "json", "xlsx", "xls" or "ods" of a table file: by its content when the
    content says (`head`: its first bytes, unpacked), by its name `name` only when it does not.

    The one rule for every name (tester13 #8; docs/tables.md, Format): Parquet's "PAR1", a zip
    (xlsx, ods) and OLE2 (xls) are those formats whatever the name; text is text whatever the
    name -- JSON when it starts with a JSON object (an array of them, NDJSON) or the name says
    JSON, else delimited text.  misnamed() words the warning a reader gives when name and content
    differ.  FileFormatError when the name says a binary format (Parquet, a spreadsheet) that the
    content is not and the content is not text either ("not a Parquet file: it looks like a PNG
    picture"), and for an HTML page or XML named like a spreadsheet."""
    low = _strip_gz(name)
    ext = low[low.rfind("."):] if "." in low else ""
    if head[:4] == b"PAR1":
        return "parquet"
    if head[:4] == b"PK\x03\x04":
        return "ods" if ext == ".ods" or b"opendocument.spreadsheet" in head[:200] else "xlsx"
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    named = _EXT.get(ext)
    if named in _BINARY:
        if not _is_text(head):
            raise FileFormatError(f"cannot read {name}: it is not {_WORDS[named]}, which starts with "
                                  f"{_MAGIC_WORDS[named]}; {_looks_like(head)}")
        if named != "parquet" and stripped[:1] == b"<":
            # bank "Excel exports" are often tab-separated text or an HTML table named .xls (tester10 #27)
            what = "an HTML page" if _is_html(stripped) else "XML (such as an Excel 2003 XML sheet)"
            raise FileFormatError(f"{name} is {what}, not a spreadsheet: open it in a spreadsheet "
                                  "program and save it as .xlsx or .csv")
    if stripped[:1] in (b"[", b"{") and (named in (None, "json") or isinstance(first_json_object(stripped), dict)):
        return "json"       # rows as JSON objects, whatever the name (a .txt or .csv that is JSON)
    if named == "json" and _is_text(head) and _first_char(head) not in ("[", "{", ""):
        return "csv"        # a .json file holding no JSON but text: read as text, the name warned of
    if named in _BINARY:
        return "csv"
    return named or "csv"


# the formats a reader tells by their first bytes, and those bytes in words
_BINARY = ("parquet", "xlsx", "xls", "ods")
_MAGIC_WORDS = {"parquet": "'PAR1'", "xlsx": "a zip archive's bytes", "ods": "a zip archive's bytes",
                "xls": "the bytes of an OLE2 compound file"}
_WORDS = {"parquet": "a Parquet file", "xlsx": "an Excel workbook", "xls": "an Excel workbook",
          "ods": "an OpenDocument spreadsheet", "json": "JSON", "csv": "delimited text"}
# names that say one format (.txt, .dat: text of any kind, say nothing)
_SAYS = {".csv": "csv", ".tsv": "csv", ".tab": "csv", ".psv": "csv", ".parquet": "parquet", ".pq": "parquet",
         ".json": "json", ".ndjson": "json", ".jsonl": "json", ".xlsx": "xlsx", ".xlsm": "xlsx", ".xlsb": "xlsx",
         ".xls": "xls", ".ods": "ods"}
_SUFFIX_OF = {"csv": ".csv", "json": ".json", "parquet": ".parquet", "xlsx": ".xlsx", "xls": ".xls", "ods": ".ods"}


def _is_text(head: bytes) -> bool:
    """Do the first bytes read as text (a UTF-16 BOM, or no NUL byte in the first 4 KiB)?  Binary
    data without NUL bytes is refused later, by refuse_non_table_text."""
    return head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\0" not in head[:4096]


def _first_char(head: bytes) -> str:
    """The text's first character past a BOM and white space ("" for none), UTF-16 too."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head[:256].decode("utf-16", "ignore").lstrip("\ufeff \t\r\n")[:1]
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1].decode("latin-1")


def _looks_like(head: bytes) -> str:
    """"it looks like a PNG picture" or "it holds binary data of another kind"."""
    from somdesk.io.file_kinds import file_kind, with_article
    kind = file_kind("", head)
    return f"it looks like {with_article(kind)}" if kind else "it holds binary data of another kind"


def misnamed(name: str, fmt: str) -> str | None:
    """The warning for a table file `name` read as `fmt` (detect_format: by its content) when
    its name says another format ("x.parquet is named like a Parquet file but holds delimited
    text: it is read as such; renaming it .csv says what it is"); None when the name agrees or
    says nothing (.txt, .dat, no extension)."""
    low = _strip_gz(name)
    says = _SAYS.get(low[low.rfind("."):] if "." in low else "")
    if says is None or says == fmt or says in _BINARY[1:] and fmt in _BINARY[1:]:     # a spreadsheet either way
        return None
    words = "a spreadsheet" if says in ("xlsx", "xls", "ods") else _WORDS[says]
    return (f"{name} is named like {words} but holds {_WORDS[fmt]}: it is read as such "
            f"(renaming it {_SUFFIX_OF[fmt]} says what it is)")


def _is_html(stripped: bytes) -> bool:
    low = stripped[:1024].lower()
    return b"<html" in low or b"<table" in low or low.startswith(b"<!doctype html")


def first_json_object(head: bytes) -> dict | None:
    """The JSON object the text starts with, alone (NDJSON's first line) or as an array's first
    item; None when there is none or it does not end within `head` (only the head is parsed)."""
    import json

    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if text.startswith("["):
        text = text[1:].lstrip()
    if not text.startswith("{"):
        return None
    try:
        first, _end = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return None
    return first


_WRAPPED = re.compile(r'\{\s*"(?:[^"\\]|\\.)*"\s*:\s*\[\s*(?=\{)')


def first_record(head: bytes) -> dict | None:
    """The first record of a JSON table: first_json_object, or the first object of the one
    list of records a document wraps (`{"customers": [{...}, ...]}`, an API export's shape);
    None when there is none within `head`."""
    import json

    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    m = _WRAPPED.match(text)
    if m is None:
        first = first_json_object(head)
        if isinstance(first, dict) and text.startswith("{") and \
                any(isinstance(v, (dict, list)) for v in first.values()):
            # one object holding lists or objects, and no second record after it, is a document
            # (a palette collection {"Sunset": [...], "Ocean": [...]}), not NDJSON's first row
            try:
                _obj, end = json.JSONDecoder().raw_decode(text)
            except ValueError:
                return None
            if not text[end:].lstrip().startswith("{"):
                return None
        return first
    try:
        first, _end = json.JSONDecoder().raw_decode(text, m.end())
    except ValueError:
        return None
    return first if isinstance(first, dict) else None


def head_bytes(path: str, name: str) -> tuple[bytes, str | None]:
    """(first HEAD_BYTES of the content, unpacked; the codec it is compressed with or
    None) -- the codec from the first bytes, whatever the name says (compressed.py).
    A damaged stream, or a codec nothing here unpacks, is a FileFormatError."""
    with open(path, "rb") as f:
        raw = f.read(HEAD_BYTES)
    codec = compressed.codec_of(raw)
    if codec is None:
        return raw, None
    try:
        with compressed.open_stream(path, codec) as g:
            return compressed.read_up_to(g, HEAD_BYTES), codec
    except compressed.CodecMissing as exc:
        raise FileFormatError(f"cannot read {name}: {exc}") from None
    except compressed.ERRORS as exc:
        raise FileFormatError(f"cannot read {name}: it starts like {codec} but cannot be unpacked ({exc})") from None



def head_text(head: bytes, name: str, encoding: str | None) -> tuple[str, str, list[str]]:
    """(decoded head text, encoding, warnings) of a text table's first bytes `head`, in the
    `encoding` given, else detected: a UTF-16 BOM, then valid UTF-8 (a BOM or none), else the
    encoding the text reads as (guess_encoding: Shift-JIS, GB18030, cp1251...), else Windows-1252
    when it holds bytes 0x80-0x9F all defined there (Excel's euro sign 0x80), else Latin-1,
    said to be assumed.  A file not in UTF-8 gets a warning naming where it stops being UTF-8
    (byte and line), the encoding it was read in and how to give another.  FileFormatError
    for NUL bytes without a UTF-16 BOM (a binary file), text that does not decode in the given
    encoding, and markup or binary data (refuse_non_table_text).  The last partial line is
    dropped by callers."""
    if encoding is None:
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            encoding = "utf-16"
        elif b"\x00" in head:
            raise FileFormatError(f"cannot read {name}: it contains NUL bytes, so it is a binary file, not a table")
        else:
            try:
                head.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError as exc:
                # not merely a character cut by the head's end (a whole small file's last bytes count:
                # "Jos\xe9,2\n" at the end was refused as not UTF-8 rather than read as Latin-1)
                if len(head) < HEAD_BYTES or exc.reason != "unexpected end of data":
                    where = byte_position(head, exc.start)
                    found = guess_encoding(head)
                    if found is None:
                        encoding, label = _latin_code_page(head)
                        text = head.decode(encoding)
                        refuse_non_table_text(text, name)
                        return (text, encoding,
                                [f"{name} is not valid UTF-8 ({where}) and its text does not tell its encoding: "
                                 f"{label} was assumed, so accented letters may be wrong. {ENCODING_FIX}"])
                    encoding, label = found
                    warning = (f"{name} is not UTF-8 ({where}): it was read as {label}, the encoding its text "
                               f"reads as. {ENCODING_FIX}")
                    text = head.decode(encoding, errors="ignore").lstrip("\ufeff")
                    refuse_non_table_text(text, name)
                    return text, encoding, [warning]
                encoding = "utf-8"
    try:
        text = head.decode(encoding, errors="strict" if len(head) < HEAD_BYTES else "ignore")
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"cannot read {name}: it is not valid {encoding} text ({byte_position(head, exc.start)}). "
                              f"{ENCODING_FIX}") from None
    text = text.lstrip("\ufeff")
    refuse_non_table_text(text, name)
    return text, encoding, []


# Bytes 0x80-0x9F are control characters in Latin-1 that no text holds, but letters and signs in
# Windows' cp1252 (0x80 the euro sign, 0x96 a dash, 0x92 a typographic apostrophe), which is
# what Excel on Windows writes; five of them (0x81, 0x8D, 0x8F, 0x90, 0x9D) cp1252 leaves undefined.
_C1 = re.compile(rb"[\x80-\x9f]")
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


def _latin_code_page(head: bytes) -> tuple[str, str]:
    """(codec, words for it) of a Latin-script text `head` whose encoding nothing told:
    Windows-1252 when it has bytes 0x80-0x9F and all of them are defined there (a euro
    sign, not a control character), else Latin-1 (ISO 8859-1), which decodes any byte."""
    if _C1.search(head) and not _CP1252_UNDEFINED.search(head):
        return "cp1252", "Windows-1252 (Western European, as Excel on Windows writes it)"
    return "iso8859-1", "Latin-1"


# the one sentence every encoding message ends with: where the user gives the encoding
ENCODING_FIX = ("To give its encoding: --encoding NAME on the command line, or the Encoding field of the "
                "import preview in the window.")


# The encodings a detected guess is trusted for: multi-byte East Asian ones (a wrong guess rarely
# decodes at all) and single-byte ones of scripts other than Latin.  A guess of a Latin-script
# code page (cp1250, cp1252, mac_iceland...) is not taken: those decode any bytes, and
# charset_normalizer tells them apart poorly on short files (a French cp1252 file came out
# cp1250 or mac_iceland), so Latin-1 stays the one assumption for them, as before.
_TRUSTED = {
    "cp932": "Shift-JIS (Japanese, cp932)", "shift_jis": "Shift-JIS (Japanese)",
    "shift_jis_2004": "Shift-JIS (Japanese)", "shift_jisx0213": "Shift-JIS (Japanese)",
    "euc_jp": "EUC-JP (Japanese)", "euc_jis_2004": "EUC-JP (Japanese)", "euc_jisx0213": "EUC-JP (Japanese)",
    "gb18030": "GB18030 (Chinese)", "gbk": "GBK (Chinese)", "gb2312": "GB2312 (Chinese)",
    "big5": "Big5 (Chinese)", "big5hkscs": "Big5-HKSCS (Chinese)", "cp950": "Big5 (Chinese, cp950)",
    "euc_kr": "EUC-KR (Korean)", "cp949": "cp949 (Korean)",
    "cp1251": "Windows-1251 (Cyrillic)", "koi8_r": "KOI8-R (Russian)", "koi8_u": "KOI8-U (Ukrainian)",
    "cp866": "cp866 (Cyrillic, DOS)", "iso8859_5": "ISO 8859-5 (Cyrillic)", "mac_cyrillic": "Mac Cyrillic",
    "cp1253": "Windows-1253 (Greek)", "iso8859_7": "ISO 8859-7 (Greek)",
    "cp1255": "Windows-1255 (Hebrew)", "iso8859_8": "ISO 8859-8 (Hebrew)",
    "cp1256": "Windows-1256 (Arabic)", "iso8859_6": "ISO 8859-6 (Arabic)",
    "cp874": "Windows-874 (Thai)", "tis_620": "TIS-620 (Thai)",
}
_LETTER_RUN = re.compile(r"[^\W\d_]+")
GUESS_BYTES = 64 * 1024     # the detector's sample (~30 ms; its time grows with the bytes given)


def guess_encoding(head: bytes) -> tuple[str, str] | None:
    """(Python codec name, words for it) of the encoding the bytes `head` (not UTF-8) read as,
    by charset_normalizer, when it is one of _TRUSTED, decodes the sample strictly (but for a
    character cut at its end) and reads as words: in most words holding letters outside ASCII,
    every letter is outside ASCII (Latin-1 text read as cp1251 gives "Josй", half Latin, half
    Cyrillic).  None when there is no such guess or charset_normalizer is not installed."""
    try:
        import charset_normalizer
    except ImportError:                  # optional at run time: Latin-1 is then assumed, as before
        return None
    sample = head[:GUESS_BYTES]
    if len(head) > GUESS_BYTES:
        cut = max(sample.rfind(b"\n"), sample.rfind(b"\r"))
        sample = sample[:cut + 1] if cut > 0 else sample
    best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        return None
    codec = best.encoding
    if codec not in _TRUSTED:
        return None
    try:
        # strictly when the sample ends at a line end or is the whole file (no character cut)
        whole = len(head) < HEAD_BYTES or sample.endswith((b"\n", b"\r"))
        text = sample.decode(codec, errors="strict" if whole else "ignore")
    except (UnicodeDecodeError, LookupError):
        return None
    words = [w for w in _LETTER_RUN.findall(text) if not w.isascii()]
    mixed = sum(any(ch.isascii() for ch in w) for w in words)
    if not words or 2 * mixed > len(words):
        return None
    return codec, _TRUSTED[codec]


# Markup at the start of a line: a declaration, comment or doctype, or an element's tag ("<root>",
# "<COLOR NAME=...", "</a>").  "<5" or "<=3" (a cell's value) is none.
_MARKUP_DECL = re.compile(r"<(?:\?xml\b|!doctype\b|!--)", re.I)
_MARKUP_TAG = re.compile(r"</?[A-Za-z_][\w.:-]*(?:\s|/?>|$)")
# C0 control characters no text table holds; binary data decoded as Latin-1 is full of them (~9 %
# of random bytes).  Allowed, as text does hold them: tab, line ends, form feed, the DOS
# end-of-file mark, the vertical tab (FileMaker's line break inside a field, review12 #8) and the
# file/group/record/unit separators \x1c-\x1f (the ASCII-delimited text some exports write).
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x19\x1b\x7f]")
_CONTROL_SAMPLE = 4096


def refuse_non_table_text(text: str, name: str) -> None:
    """FileFormatError when the decoded head `text` of `name` is markup or binary data, which the
    CSV reader would otherwise read as a table of one column ("<root>", one row per line) or of
    junk (tester11 #1).  The rule, on the first non-blank lines:

    * XML or HTML: the text starts with "<?xml", "<!DOCTYPE" or "<!--", or the first line starts
      with a tag and so does the second (or there is no second): a table whose header is a tag
      has rows that are not ("<id>,<name>" then "1,bob" is still a table);
    * binary: more than 1 % (and at least 3) of the first 4,096 characters are control
      characters text never holds (NUL and the like; not tab, line ends, form feed, vertical tab,
      the DOS end-of-file mark or the separators \x1c-\x1f)."""
    # the first 8 KiB hold the first two lines of any markup (splitting the whole 256 KiB head took 9 ms)
    lines = [ln.strip() for ln in itertools.islice((ln for ln in text_lines(text[:8192]) if ln.strip()), 2)]
    if lines and (_MARKUP_DECL.match(lines[0])
                  or all(_MARKUP_TAG.match(ln) for ln in lines)):
        what = "an HTML page" if _is_html(text.lstrip().encode("utf-8", "replace")) else "XML"
        raise FileFormatError(f"cannot read {name}: it is {what} (it starts with {lines[0][:40]!r}), "
                              "not a table of rows and columns; save it as CSV from the program that made it")
    sample = text[:_CONTROL_SAMPLE]
    controls = len(_CONTROLS.findall(sample))
    if controls >= 3 and controls > len(sample) // 100:
        raise FileFormatError(f"cannot read {name}: it holds binary data (control characters in its "
                              "first lines), not a table of text")


class TextHints:
    """What the first lines say: lines to skip, metadata, decimal/thousands separators."""

    def __init__(self):
        self.skip = 0
        self.comment_lines = 0
        self.metadata: str | None = None        # the skipped metadata line, verbatim
        self.titles: list[str] = []              # skipped title lines above the header, verbatim
        self.header: bool | None = None
        self.decimal: str | None = None
        self.thousands: str | None = None
        # a cell is a number with a currency or percent sign, accounting parentheses or the
        # minus U+2212 ("$1,000.00", "12%", "(5.00)", "−0,5"): the reader converts such columns itself
        self.decorated = False


@functools.lru_cache(maxsize=4)
def _lines(text: str) -> tuple[str, ...]:
    """The head's complete lines (kept: every step of one open asks for them, 256 KiB each time)."""
    lines = text_lines(text)
    if lines and not text.endswith(("\n", "\r")):
        lines = lines[:-1] or lines           # the head may cut the last line
    return tuple(lines)


def _split(line: str, delim: str) -> list[str]:
    # a line with no quote (nor a line break or NUL, which csv refuses) splits as csv splits it,
    # without a csv reader made for it: most of a small file's sniff was making them (glob14)
    if line and '"' not in line and "\r" not in line and "\n" not in line and "\0" not in line:
        return line.split(delim)
    try:
        return next(csv.reader([line], delimiter=delim))
    except (csv.Error, StopIteration):
        return [line]


@functools.lru_cache(maxsize=8)
def guess_delimiter(text: str, skip: int = 0) -> str | None:
    """The delimiter among , ; tab | space giving the most consistent field count (> 1)
    over the first 50 lines after `skip` (ties: more fields, then that order); None if
    no candidate splits the first line."""
    lines = [ln for ln in _lines(text)[skip:skip + 51] if ln.strip()]
    best, best_key = None, None
    for rank, d in enumerate((",", ";", "\t", "|", " ")):
        counts = [len(_split(ln, d)) for ln in lines]
        if not counts or counts[0] < 2:
            continue
        agree = sum(c == counts[0] for c in counts) / len(counts)
        key = (agree, counts[0] if d != " " else 0, -rank)
        if best_key is None or key > best_key:
            best, best_key = d, key
    return best


def _opens_quote(line: str, delim: str) -> bool:
    """Does `line` end inside a quoted field?  A '"' opens one only at a field's start (spaces
    allowed before it), as in RFC 4180, DuckDB and Python's csv; mid-field it is a character
    (the inch mark of 'Screens of 5" diagonal', review10 #17); '""' inside is an escaped quote."""
    quoted, start, i = False, True, 0
    while i < len(line):
        ch = line[i]
        if quoted:
            if ch == '"':
                if line[i + 1:i + 2] == '"':
                    i += 1
                else:
                    quoted = False
        elif ch == delim:
            start = True
        elif ch == '"' and start:
            quoted, start = True, False
        elif not ch.isspace():
            start = False
        i += 1
    return quoted


def _records(body: list, most: int = 8) -> list:
    """(first line number, text) of the CSV records that the numbered lines `body` make: a line
    ending inside a quoted field runs on into the next ones (at most `most` lines a record), joined
    here by a space -- a quoted header name holding a line break below a title line is one header
    record (review10 #15: the title scan broke off at its first line and the file was refused as
    "a quote never closed").  A record still open after `most` lines is kept as it is (the title
    scan then stops at it)."""
    out, k = [], 0
    while k < len(body):
        n, text = body[k]
        j = k + 1
        # a line with no quote opens none: no delimiter to guess (it was guessed for every line of
        # every head, most of a small file's sniff; glob14)
        while j < len(body) and j - k < most and '"' in text:
            d = guess_delimiter(text + "\n") or ","
            if not _opens_quote(text, d):
                break
            text = f"{text} {body[j][1]}"
            j += 1
        out.append((n, text))
        k = j
    return out


def skip_titles(lines, i: int, hints: TextHints) -> int:
    """Past at most three title lines from line `i`: a report's title or export stamp above the
    header ("Customer export 2024-11-30"; a spreadsheet's merged title cell, written
    "Report title,,,"), i.e. lines of one filled cell that is not a number, above a header whose
    cells are all filled and not numbers and lines that agree on two or more fields.  Such a
    line made the engine read one column, or the title as the header (tester6 F4/F5).  A line
    that opens a quote it does not close is never a title: it is the first line of a quoted
    header name holding a line break (tester10 #13: '"a' taken for a title, the header
    mangled and a data row lost)."""
    body = _records(list(itertools.islice(((n, ln) for n, ln in enumerate(lines[i:], i) if ln.strip()), 54)))
    for k in range(1, 4):
        rest = [ln for _, ln in body[k:]]
        if len(rest) < 2:
            break
        d = guess_delimiter("\n".join(rest) + "\n")
        if d is None:
            continue
        counts = [len(_split(ln, d)) for ln in rest]
        header = [c.strip() for c in _split(rest[0], d)]
        if (counts[0] < 2 or sum(c == counts[0] for c in counts) < 0.9 * len(counts)
                or not all(header) or any(_PLAIN_NUMBER.fullmatch(c) for c in header)):
            continue
        if any(_opens_quote(ln, d) for _, ln in body[:k]):
            break                     # a quote left open runs on into the next line
        titles = [[c.strip() for c in _split(ln, d) if c.strip()] for _, ln in body[:k]]
        if all(len(t) == 1 and not _PLAIN_NUMBER.fullmatch(t[0]) for t in titles):
            hints.titles.extend(ln for _, ln in body[:k])
            return body[k][0]
    return i


# a number with spreadsheet decorations (io.tables.textfile.number_pattern has the strict form)
_DECORATED = re.compile("([+\\-\u2212]?([$€£¥₹₩₽]|USD|EUR|GBP|CHF|JPY)?[ \u00a0\u202f]*[+\\-\u2212]?"
                        "(\\d[\\d.,'\u00a0\u202f ]*)([ \u00a0\u202f]*([$€£¥₹₩₽%]|USD|EUR|GBP|CHF|JPY))?)")
_DECORATION = re.compile("[$€£¥₹₩₽%()\u2212]|USD|EUR|GBP|CHF|JPY")


def _undecorated(cell: str) -> str | None:
    """The number in `cell` without its currency, '%', accounting parentheses ("-" for them)
    or U+2212 minus ("-"), when it has such a mark and is otherwise a number; else None."""
    if not _DECORATION.search(cell):
        return None
    inner, neg = cell, False
    if inner.startswith("(") and inner.endswith(")"):
        inner, neg = inner[1:-1].strip(), True
    if not _DECORATED.fullmatch(inner):
        return None
    out = re.sub("[$€£¥₹₩₽%]|USD|EUR|GBP|CHF|JPY", "", inner).replace("\u2212", "-").strip(" \u00a0\u202f")
    out = out.lstrip("+") if out[:1] == "+" else out
    return ("-" + out) if neg else out


def text_hints(text: str, delim_guess, missing: frozenset[str]) -> TextHints:
    """Skip count, metadata line and separators from the head text.

    `delim_guess(skip)` returns the delimiter the engine sniffs after skipping
    `skip` lines (called at most twice).
    """
    hints = TextHints()
    lines = _lines(text)
    i = 0
    while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith(("#", "%", "//"))):
        hints.comment_lines += bool(lines[i].strip())
        i += 1
    i = skip_titles(lines, i, hints)
    hints.skip = i
    rest = list(itertools.islice((ln for ln in lines[i:] if ln.strip()), 201))   # 200 used below
    if len(rest) >= 2:
        delim = delim_guess(i)
        first, second = _split(rest[0], delim), _split(rest[1], delim)
        # scikit-learn's layout: "n_samples,n_features[,class names]" before headerless numbers
        if (len(first) >= 2 and _INT.fullmatch(first[0].strip()) and _INT.fullmatch(first[1].strip())
                and all(_PLAIN_NUMBER.fullmatch(c.strip()) for c in second)
                and (len(first) != len(second)
                     or any(not _PLAIN_NUMBER.fullmatch(c.strip()) for c in first[2:]))
                and int(first[1]) in (len(second), len(second) - 1)):
            hints.metadata = rest[0]
            hints.skip = i + 1
            hints.header = False
            rest = rest[1:]
    delim = delim_guess(hints.skip) if rest else ","

    def cells_of(lines):
        cells = [c.strip() for ln in lines for c in _split(ln, delim)]
        cells = [c for c in cells if c.lower() not in missing]
        # the marks below are the number's own: its currency, '%' or parentheses aside
        bare = [_undecorated(c) for c in cells]
        if not hints.decorated and any(b is not None for b in bare):
            hints.decorated = True
        return [c if b is None else b for c, b in zip(cells, bare)]

    # every pattern below needs a ',' in the cell: only lines that can hold such a cell are
    # split (with ',' as the delimiter, only a quoted cell holds one, or a line too long
    # for the csv module, taken whole)
    sample = rest[1:200]
    commas = cells_of([ln for ln in sample if ("," in ln if delim != "," else
                                               '"' in ln or len(ln) > csv.field_size_limit())])
    commas = [c for c in commas if "," in c]
    if delim != ",":
        if any(_COMMA_NUMBER.fullmatch(c) for c in commas):
            hints.decimal = ","
            grouped = [c for c in cells_of(sample)
                       if _COMMA_NUMBER.fullmatch(c) or _INT.fullmatch(c.replace(".", ""))]
            # the digit-group mark the grouped numbers use: ".", or a space of any width
            # (French and Nordic locales write U+00A0 or U+202F: "6 908,75", tester8 #9), or "'"
            hints.thousands = ("." if any("." in c for c in grouped) else
                               " " if any(ch in c for c in grouped for ch in SPACES) else
                               "'" if any("'" in c for c in grouped) else "")
    if hints.decimal is None and any((_US_GROUPED if delim == "," else _US_UNAMBIGUOUS).fullmatch(c) for c in commas):
        hints.decimal, hints.thousands = ".", ","       # "141,891.72": tester3 F7
    if hints.decimal is None and delim != "'" and any(_APOSTROPHE_GROUPED.fullmatch(c) for c in cells_of(sample)):
        hints.decimal, hints.thousands = ".", "'"       # Swiss "5'899.95" (tester8 #9)
    if not hints.decorated and any(_DECORATION.search(ln) for ln in sample):
        cells_of(sample)                                # sets hints.decorated
    return hints


def decoded_stream(path: str, encoding: str, codec: str | None):
    """A text stream of the whole file in `encoding` (for transcoding to UTF-8), unpacked
    when `codec` (compressed.py) says it is compressed."""
    raw = compressed.open_stream(path, codec)
    return io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
