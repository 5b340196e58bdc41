"""Delimited text files opened in DuckDB: our hints from the head (detect.py), DuckDB's
sniffer for the rest, the view `raw`/`src` over read_csv with the sniffed names and
types, the decimal-comma conversion, and transcoding of encodings DuckDB cannot read."""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass

from somdesk.core import cancel as cancel_mod
from somdesk.core.options import count_text
from somdesk.errors import FileFormatError
from somdesk.io.tables import compressed, detect, header_names
from somdesk.io.tables.detect import SPACES
from somdesk.io.tables.duckutil import Interrupter as _Interrupter, duck_message as _duck_message, lit, q, scratch
from somdesk.io.tables.options import ReadOptions

__all__ = ["open_text", "sniff_head", "HeadSniff", "head_dialect", "nullstr", "number_pattern", "number_sql",
           "plain_number_text", "decoration_warnings", "grouped_looking_warning", "head_grouped_warning",
           "head_decoration_warnings",
           "failed_column",
           "long_line_message", "transcode_to_utf8"]

_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT", "UHUGEINT")


def _null_tokens(opts: ReadOptions) -> list[str]:
    tokens = set()
    for t in opts.missing_tokens:
        tokens.update({t, t.upper(), t.title(), t.lower()})
    return sorted(tokens)


def nullstr(opts: ReadOptions) -> str:
    return "[" + ", ".join(lit(t) for t in _null_tokens(opts)) + "]"


SNIFF_ROWS = (2048, 20480)     # rows DuckDB's sniffer reads: the head's lines, within these bounds
SNIFF_BUFFER = 1 << 20         # ... from a buffer this big when the head's lines are short


def _sniff(path: str, skip: int, opts: ReadOptions, header, delim, no_quotes: bool, cancel,
           decimal: str = ".", codec: str | None = None, lines=()) -> tuple:
    """DuckDB's sniff_csv: (delimiter, quote, escape, has header, columns).

    The sniffer types the columns from the lines our own head (`lines`, 256 KiB) holds
    -- at least 2048, at most DuckDB's default 20480 -- read through a 1 MiB buffer when
    every head line is short: by default it reads 20480 rows through a 32 MiB buffer,
    18 ms on a 12-column file against 3.5 ms.  A value further down that breaks a sniffed
    type makes that column text when the file is read (engine.Source.query), as it did
    past row 20480.  Any error with the small buffer (a long line further down): sniffed
    again the default way."""
    args = [f"skip={skip}", compressed.duck_arg(codec)]
    if decimal != ".":
        args.append(f"decimal_separator={lit(decimal)}")
    if delim:
        args.append(f"delim={lit(delim)}")
    if no_quotes:
        # no quote character in the head: the standard '"' dialect is DuckDB's default
        # anyway, and naming it spares the sniffer its quote/escape search (on 10,000
        # columns 0.3 s instead of 2 s)
        args.append("quote='\"', escape='\"'")
    if header is not None:
        args.append(f"header={header}")
    import duckdb
    rows = min(SNIFF_ROWS[1], max(SNIFF_ROWS[0], len(lines)))
    # a UTF-8 character is at most 4 bytes: 8 of the longest head lines fit the small buffer
    small = bool(lines) and max(map(len, lines)) * 4 * 8 <= SNIFF_BUFFER
    sql = "SELECT Delimiter, Quote, Escape, HasHeader, Columns FROM sniff_csv({}, {}{})"
    tries = [f", sample_size={rows}, buffer_size={SNIFF_BUFFER}"] if small else []
    tries.append(", sample_size=20480")
    with scratch(cancel) as con:              # sniffing creates nothing: no connection of our own
        for k, extra in enumerate(tries):
            try:
                return con.execute(sql.format(lit(path), ", ".join(args), extra)).fetchone()
            except duckdb.InterruptException:
                raise
            except duckdb.Error:
                if k + 1 < len(tries):
                    continue
                # a ragged or broken line: sniff leniently here; the strict read then names the line
                return con.execute(sql.format(lit(path), ", ".join(args), extra + ", ignore_errors=true")).fetchone()


def head_dialect(text: str, opts: ReadOptions) -> tuple[detect.TextHints, int, str | None]:
    """(hints, skip, delimiter) of a text table from its decoded head `text`: detect.text_hints
    (titles, metadata, decimal and digit-group marks), the lines to skip before the header
    (given, else hinted) and the delimiter (given, else the one that splits the lines after
    the skip most consistently: detect.guess_delimiter; None when none splits them)."""
    def delimiter_at(skip: int) -> str | None:
        return opts.delimiter or detect.guess_delimiter(text, skip)

    hints = detect.text_hints(text, lambda skip: delimiter_at(skip) or ",", opts.missing_tokens)
    skip = opts.skip if opts.skip is not None else hints.skip
    return hints, skip, delimiter_at(skip)


@dataclass(frozen=True)
class HeadSniff:
    """What a text table's first bytes say, as the reader (open_text) sees them."""

    text: str                   # the head decoded, complete lines and the cut last one
    encoding: str
    hints: detect.TextHints
    skip: int                   # lines before the header (given or hinted)
    delimiter: str | None       # given, or guessed after `skip` lines (None: nothing splits them)


def sniff_head(path, options: ReadOptions | None = None, name: str | None = None) -> HeadSniff | None:
    """The head of the table file `path` sniffed as open_text does, without opening it (no
    DuckDB): None when the file is not delimited text (the format given in `options`, else
    detected from its first bytes and name).  OSError for a file that cannot be read,
    FileFormatError for a damaged compressed stream, a binary file or an encoding that does not
    decode; OptionError for options the reader refuses."""
    opts = (options or ReadOptions()).checked()
    path = os.fspath(path)
    name = name or os.path.basename(path)
    head, _codec = detect.head_bytes(path, name)
    if (opts.format or detect.detect_format(head, name)) != "csv":
        return None
    text, encoding, _warnings = detect.head_text(head, name, opts.encoding)
    hints, skip, delimiter = head_dialect(text, opts)
    return HeadSniff(text, encoding, hints, skip, delimiter)


def open_text(connect, path, name, head, codec, opts: ReadOptions, warnings, cancel):
    """Create the view `raw` over a delimited text file in the connection `connect()`
    returns (only called when a view is needed); return (path, dialect, header lines,
    tmpdir, retype, known, plan, widen, fix_line_ends).  In the plain case (`known` is
    not None: no number conversion) the view is not created here but by
    `known[2]["create"]` when first needed -- binding read_csv over 10,000 columns takes
    seconds, and a whole-file read through Arrow (`plan`) does not need it.

    When DuckDB fails on the file here (sniff, number sample) and its line ends are
    mixed (lineends.py), it is opened again from a copy with LF line ends.  A failure
    further down, in a later query, calls `fix_line_ends(cancel)`: it makes that copy if
    the line ends are mixed, points the view at it and returns (copy, its folder to
    remove on close), or returns None (not mixed, or done before).
    `codec`: the file's compression from its first bytes (compressed.codec_of), passed
    to every reader of the file -- DuckDB would go by its name.
    Raises FileFormatError (DuckDB's error as one line naming the line), Cancelled."""
    import duckdb
    text, encoding, enc_warnings = detect.head_text(head, name, opts.encoding)
    warnings.extend(enc_warnings)
    tmpdir = None
    n_warnings = len(warnings)
    fixed = {"done": False}
    try:
        if encoding not in ("utf-8", "ascii") or head[:3] == b"\xef\xbb\xbf" and codec:
            tmpdir = tempfile.mkdtemp(prefix="somdesk-table-")
            path = transcode_to_utf8(path, name, encoding, codec, tmpdir, cancel)
        read_codec = codec if tmpdir is None else None     # the file DuckDB reads is still compressed
        try:
            out = _open_text(connect, path, name, text, encoding, read_codec, codec, opts, warnings, cancel)
        except duckdb.InterruptException:
            raise
        except duckdb.Error:
            if tmpdir is None:
                tmpdir = tempfile.mkdtemp(prefix="somdesk-table-")
            copy = _line_ends_copy(path, name, read_codec, tmpdir, cancel)
            if copy is None:
                raise
            fixed["done"] = True
            del warnings[n_warnings:]            # the first attempt's warnings come again
            path, read_codec = copy, None
            out = _open_text(connect, path, name, text, encoding, read_codec, codec, opts, warnings, cancel)
    except duckdb.InterruptException:
        raise
    except duckdb.Error as exc:
        msg = long_line_message(str(exc), path, cancel) or _duck_message(exc)
        _rmtree(tmpdir)
        raise FileFormatError(f"cannot read {name}: {msg}") from None
    except BaseException:
        _rmtree(tmpdir)
        raise
    dialect, header_lines, retype, known, plan, widen, relocate = out

    def fix_line_ends(cancel=None):
        if fixed["done"]:
            return None
        fixed["done"] = True
        folder = tempfile.mkdtemp(prefix="somdesk-table-")
        try:
            copy = _line_ends_copy(path, name, read_codec, folder, cancel)
        except BaseException:
            _rmtree(folder)
            raise
        if copy is None:
            _rmtree(folder)
            return None
        relocate(copy)
        return copy, folder

    return path, dialect, header_lines, tmpdir, retype, known, plan, widen, fix_line_ends


def _rmtree(d) -> None:
    if d:
        import shutil
        shutil.rmtree(d, ignore_errors=True)


def _line_ends_copy(path, name, codec, tmpdir, cancel) -> str | None:
    """lineends.normalised_copy with read errors in somdesk's words."""
    from somdesk.io.tables import lineends
    try:
        return lineends.normalised_copy(path, codec, tmpdir, cancel)
    except (OSError, EOFError) as exc:
        from somdesk.io.names import os_reason
        raise FileFormatError(f"cannot read {name}: {os_reason(exc)}") from None


def _open_text(connect, path, name, text, encoding, read_codec, codec, opts: ReadOptions, warnings, cancel):
    """open_text for the file DuckDB reads (`path`, UTF-8, compressed with `read_codec`
    or plain; the original file with `codec`);
    DuckDB's errors are raised as they are."""
    hints, skip, guess = head_dialect(text, opts)
    header = opts.header if opts.header is not None else hints.header
    decimal = opts.decimal or hints.decimal or "."
    thousands = opts.thousands if opts.thousands is not None else (hints.thousands or "")
    if thousands and thousands == decimal and not opts.decimal:
        # a digit-group mark given alone that is the detected (or default) decimal point: the
        # given one wins and the decimal is the other mark -- else "5.1" would read as 51
        decimal = "," if thousands == "." else "."
        warnings.append(f"digit groups marked with {thousands!r}: numbers are read with the decimal "
                        f"separator {decimal!r} (a number such as 5{thousands}1 is then not a number)")
    no_quotes = '"' not in text and "'" not in text and "\\" not in text
    # a decimal comma without digit groups is the engines' own: DuckDB sniffs and reads
    # "1,5" as 1.5 (decimal_separator), Arrow too (decimal_point), strictly ("12.5" fails)
    # numbers with currency or percent signs, parentheses or U+2212 are converted by our rule
    # (number_sql), whatever the marks: DuckDB reads them as text
    decorated = hints.decorated
    native = decimal == "," and not thousands and guess not in (None, ",") and not decorated
    delim, quote, escape, has_header, columns = _sniff(path, skip, opts, header, guess, no_quotes, cancel,
                                                       "," if native else ".", read_codec,
                                                       detect._lines(text)[skip:])
    native = native and delim != ","
    if no_quotes:
        quote = escape = "(empty)"           # as the sniffer reports a file without quotes
    if header is None:
        header = bool(has_header)
    comment = opts.comment or ""
    names = [c["name"] for c in columns]
    if header:
        cells = header_names.header_cells(detect._lines(text)[skip:], delim,
                                          None if quote in (None, "(empty)") else quote,
                                          None if escape in (None, "(empty)") else escape)
        unique, renames, unnamed = header_names.unique_names(cells)
        if len(unique) == len(names):
            # our names, not DuckDB's: its renaming may take a name the file has (tester10 #20)
            names = unique
        if unnamed:
            warnings.append(header_names.unnamed_warning(unnamed))
        said = header_names.renames_warning(renames, names=cells)
        if said:
            warnings.append(said)
    if decimal == "." and not thousands and opts.decimal is None and opts.thousands is None and delim != ",":
        said = grouped_looking_warning(detect._lines(text)[skip + int(header):], delim, names)
        if said:
            warnings.append(said)
    # digit groups: every column text, converted by our strict rule in SQL (_convert_numbers)
    custom_numbers = (decimal != "." or thousands != "" or decorated) and not native
    # every number ends up float64, so integer columns are read as DOUBLE: DuckDB casts a
    # later "1.5" into a sniffed BIGINT column by rounding it to 2, silently
    # and a sniffed BOOLEAN column is read as text: DuckDB's sniffer calls yes/no, Y/N and
    # t/f columns booleans and the cells came back as true/false, not the file's words (shown
    # and exported changed, and typed unlike the same column in JSON or Parquet: tester6 F3/F8)
    ctypes = ["VARCHAR" if custom_numbers or c["type"] == "BOOLEAN" else
              "DOUBLE" if c["type"] in _INTEGER_TYPES else c["type"] for c in columns]
    # the sniffed names and types are given back explicitly, so DuckDB does not sniff
    # again each time a query binds the view (seconds on a 10,000-column file)
    args = [f"delim={lit(delim)}", f"header={header}", f"skip={skip}", "auto_detect=false"]
    if quote and quote != "(empty)":
        args.append(f"quote={lit(quote)}")
    if escape and escape != "(empty)":
        args.append(f"escape={lit(escape)}")
    if comment:
        args.append(f"comment={lit(comment)}")
    if native:
        args.append("decimal_separator=','")
    dialect = {"delimiter": delim, "quote": None if quote in (None, "(empty)") else quote,
               "header": header, "skip": skip, "decimal": decimal, "thousands": thousands,
               "encoding": encoding, "comment": comment or None, "gzip": codec == "gzip",
               "decorated": decorated,
               # were decimal / digit-group marks given or seen in the file (not the default)?
               # A table map pins only such a format on new files (session.scoring, review8)
               "number_evidence": bool(opts.decimal is not None or opts.thousands is not None
                                       or hints.decimal is not None)}
    if codec is not None:
        dialect["compression"] = codec
    if hints.metadata is not None:
        dialect["metadata"] = hints.metadata
    if hints.comment_lines:
        dialect["comment_lines"] = hints.comment_lines
    if hints.titles and opts.skip is None:
        dialect["title_lines"] = list(hints.titles)
    # the plain case (no filter, default numbers) creates `src` directly and only when a
    # query needs it; a retype then replaces that view
    body = detect._lines(text)[skip + int(header):]
    tokens = _null_tokens(opts)
    seen = _tokens_seen(body, delim, tokens)
    # Looking every cell up among the missing-value tokens is a fifth of DuckDB's parse:
    # an all-number file with no token but "" in its head is read with "" alone.  A token
    # further down is not a number, so the read fails on it; `widen` then gives the view
    # every token and the query runs again (engine.Source.query).
    nulls = {"fewer": not custom_numbers and not seen and all(t == "DOUBLE" for t in ctypes)
             and numbers_need_no_tokens(tokens)}

    def nullarg():
        return f"nullstr={nullstr(opts) if not nulls['fewer'] else '[' + lit('') + ']'}"

    view = {"name": "raw" if opts.where or custom_numbers else "src"}
    state = {"types": list(ctypes), "path": path, "codec": read_codec}

    def recreate():
        _recreate(connect(), state["path"], args + [nullarg(), compressed.duck_arg(state["codec"])], names,
                  state["types"], view["name"])

    def retype(override):
        nulls["fewer"] = False              # a text column keeps its tokens as text otherwise
        state["types"] = [override.get(n, t) for n, t in zip(names, ctypes)]
        recreate()

    def widen() -> bool:
        if not nulls["fewer"]:
            return False
        nulls["fewer"] = False
        recreate()
        return True

    view["create"] = recreate
    view["widen"] = widen
    if view["name"] == "raw":
        view.pop("create")()
    if custom_numbers:
        retype = _convert_numbers(connect(), decimal, thousands, cancel, warnings if decorated else None)
        view["name"] = "raw_text"             # the text view under the converted `raw`
    known = None if custom_numbers else (names, ctypes, view)
    # Arrow may read it whole (arrowread.read_csv) if it counts the skipped lines as DuckDB
    # does: every skipped line is in the head, none is blank or holds a quote
    skipped = detect._lines(text)[:skip + int(header)]
    plan = None
    if (not custom_numbers and not comment and not opts.where and quote in (None, "(empty)", '"')
            and escape in (None, "(empty)", '"') and encoding in ("utf-8", "ascii")
            and len(skipped) == skip + int(header) and all(ln.strip() and '"' not in ln for ln in skipped)):
        plan = {"path": path, "codec": read_codec, "delimiter": delim, "header": header, "skip": skip,
                "names": names, "types": ctypes, "nulls": tokens, "one_column": len(names) == 1, "tokens_seen": seen,
                "head_quotes": '"' in text,
                "decimal": decimal}

    def relocate(copy: str) -> None:
        """Read `copy` (the same lines, LF ends) from now on."""
        state["path"], state["codec"] = copy, None
        if plan is not None:
            plan.update(path=copy, codec=None)
        recreate()

    return dialect, skip + int(header), retype, known, plan, widen, relocate


# "1.500", "-12.000": a whole number with '.' digit groups, or a decimal with exactly 3 places
_THREE_PLACES = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")
THOUSANDS_FIX = ("give --thousands . on the command line, or choose '.' as the Thousands separator of the "
                 "import preview in the window")


def grouped_looking_warning(lines, delim: str, names: list[str]) -> str | None:
    """The warning for columns of a file read with the decimal point '.' (nothing given, nothing
    seen) whose every number in the head `lines` (the rows after the header) has exactly three
    digits after its '.' ("1.500", "12.000"): in a ';' or tab file from a German, Dutch or Danish
    spreadsheet those are whole numbers with '.' digit groups, read here as 1.5 and 12.0 (testerF
    #1).  None when no column looks so.  At most the first three such columns are named."""
    if not delim:
        return None
    seen: dict[int, str] = {}
    bad: set[int] = set()
    for ln in lines[:200]:
        for i, cell in enumerate(detect._split(ln, delim)):
            c = cell.strip().strip('"')
            if not c or i in bad:
                continue
            if _THREE_PLACES.fullmatch(c):
                seen.setdefault(i, c)
            else:
                bad.add(i)
    cols = [(i, seen[i]) for i in sorted(seen) if i not in bad and i < len(names)]
    if not cols:
        return None
    parts = [f"column {names[i]!r}: {cell!r} read as {float(cell):g}" for i, cell in cols[:3]]
    more = f" (and {count_text(len(cols) - 3, 'more column')})" if len(cols) > 3 else ""
    return ("; ".join(parts) + more + ": every number there has three digits after the '.'; if '.' groups "
            f"thousands here, {THOUSANDS_FIX}")


def head_grouped_warning(path) -> str | None:
    """grouped_looking_warning for the text table file `path` from its head, as `open_text`
    says it (the out-of-core reader's words for the same file); None when it is not delimited
    text, cannot be sniffed, is ','-delimited or shows a decimal comma or digit groups."""
    from somdesk.errors import SomdeskError
    try:
        sniffed = sniff_head(path)
    except (OSError, SomdeskError, ValueError):
        return None
    if sniffed is None or not sniffed.delimiter or sniffed.delimiter == "," or sniffed.hints.decimal is not None:
        return None
    lines = detect._lines(sniffed.text)[sniffed.skip:]
    if sniffed.hints.header is False:
        return grouped_looking_warning(lines, sniffed.delimiter, [f"column{i}" for i in range(4096)])
    names, _renames, _unnamed = header_names.unique_names(header_names.header_cells(lines, sniffed.delimiter, '"'))
    return grouped_looking_warning(lines[1:], sniffed.delimiter, names)


def numbers_need_no_tokens(tokens) -> bool:
    """True when reading number columns with "" as the only missing-value token cannot
    differ from reading them with `tokens`: every other token is not a number at all
    (the read fails on it) or NaN (NaN both ways) -- not so for a token such as "-999"."""
    for tok in tokens:
        try:
            x = float(tok)
        except ValueError:
            continue
        if x == x:
            return False
    return True


def _tokens_seen(lines, delim: str, tokens: list[str]) -> bool:
    """Is a missing-value token other than "" a whole cell somewhere in `lines`?

    With line ends made delimiters, a cell equal to `t` is the text `delim t delim`: one
    substring search per token (case ignored: "nA" counts too, which only costs the
    read its faster first parse), not a regular expression tried at every character."""
    text = (delim + delim.join(lines) + delim).lower()
    # a token whose characters are not all in the head is not in it: one character is found
    # a hundred times faster than a cell ("?" or "nan" in a file of numbers)
    return any(all(ch in text for ch in t) and delim + t + delim in text for t in {t.lower() for t in tokens if t})


def _recreate(con, path, args, names, types, view: str = "raw") -> None:
    cols = ", ".join(f"{lit(n)}: {lit(t)}" for n, t in zip(names, types))
    con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM read_csv({lit(path)}, {', '.join(args)}, "
                f"columns={{{cols}}})")


# Numbers as spreadsheets export them (testerF #3): one currency symbol or code before or after
# the number ("$1,000.00", "0,50 €", "EUR 5"), a percent sign after it ("12%" is read as 12, the
# number written: the warning says the signs were dropped), accounting parentheses for a negative
# ("(1,000.00)" is -1000) and the Unicode minus U+2212 ("−0,5", LibreOffice and Numbers).
CURRENCY_SYMBOLS = "$€£¥₹₩₽"
CURRENCY_CODES = ("USD", "EUR", "GBP", "CHF", "JPY")
MINUS = "\u2212"
_CUR = "([" + CURRENCY_SYMBOLS + "]|" + "|".join(CURRENCY_CODES) + ")"
_GAP = "[ \u00a0\u202f]*"          # a space of any width between a number and its sign
# the characters number_sql drops once a cell matched number_pattern (the minus becomes '-')
_DROPPED = CURRENCY_SYMBOLS + "%() \u00a0\u202f"


def number_pattern(decimal: str, thousands: str, signs: bool = True) -> str:
    """The regular expression (Python re and DuckDB's RE2 alike) of a number with this decimal
    mark and digit-group mark; the group mark " " stands for any of detect.SPACES.  A number may
    carry one currency symbol or code before or after it, a '%' after it, accounting parentheses
    or the minus U+2212 (number_sql drops them: see CURRENCY_SYMBOLS); with `signs` False only
    the plain form (an ASCII sign, digits, marks, exponent)."""
    d = re.escape(decimal)
    if thousands:
        t = "[" + SPACES + "]" if thousands == " " else re.escape(thousands)
        ip = rf"(\d+|\d{{1,3}}({t}\d{{3}})+)"
    else:
        ip = r"\d+"
    num = rf"({ip}({d}\d*)?|{d}\d+)([eE][+-]?\d+)?"
    if not signs:
        return rf"^\s*[+-]?{num}\s*$"
    sign = f"[+\\-{MINUS}]"
    before = rf"({sign}?|{sign}?{_CUR}{_GAP}|{_CUR}{_GAP}{sign}?)"
    after = rf"({_GAP}({_CUR}|%))?"
    paren = rf"\({_GAP}({_CUR}{_GAP})?{num}{after}{_GAP}\)"
    return rf"^\s*({before}{num}{after}|{paren})\s*$"


def plain_number_text(s: str, decimal: str, thousands: str) -> tuple[str, bool]:
    """(the cell `s`, already matched by number_pattern, as Python's float() reads it, is it in
    accounting parentheses): the currency, '%' and spaces dropped, U+2212 made '-', digit groups
    dropped and the decimal mark made '.' -- number_sql's rule in Python."""
    neg = "(" in s
    s = s.translate({ord(ch): None for ch in _DROPPED + (SPACES if thousands == " " else "")} | {ord(MINUS): "-"})
    for code in CURRENCY_CODES:
        s = s.replace(code, "")
    if thousands and thousands != " ":
        s = s.replace(thousands, "")
    return s.replace(decimal, ".") if decimal != "." else s, neg


def number_sql(text: str, decimal: str, thousands: str, index: int) -> str:
    """SQL: the text cell `text` (an SQL expression) as a DOUBLE read with this decimal mark and
    digit-group mark (number_pattern, strictly, currency and percent signs dropped, accounting
    parentheses negative), NULL where it is NULL, else an error naming
    column #`index` (NUMBER_ERROR: failed_column finds it in the message).  The in-memory
    reader's conversion (_convert_numbers) and the chunked one's (io.chunked) alike."""
    def marks_out(e: str) -> str:
        if thousands == " ":
            e = f"regexp_replace({e}, {lit('[' + SPACES + ']')}, '', 'g')"
        elif thousands:
            e = f"replace({e}, {lit(thousands)}, '')"
        return f"replace({e}, {lit(decimal)}, '.')" if decimal != "." else e

    # the plain form first, converted as before: the signs' rule on every cell made a decimal-comma
    # file's read 3.5x slower (0.6 -> 2.1 s, 300,000 rows x 3 columns)
    plain = f"CAST({marks_out(f'trim({text})')} AS DOUBLE)"
    # translate: the minus becomes '-', the signs and spaces go (one pass, no regular expression)
    e = f"translate(trim({text}), {lit(MINUS + _DROPPED + (SPACES if thousands == ' ' else ''))}, '-')"
    for code in CURRENCY_CODES:
        e = f"replace({e}, {lit(code)}, '')"
    signed = f"CAST({marks_out(e)} AS DOUBLE)"
    signed = f"CASE WHEN contains({text}, '(') THEN 0.0 - {signed} ELSE {signed} END"     # (0.00): 0, not -0
    return (f"CASE WHEN regexp_full_match({text}, {lit(number_pattern(decimal, thousands, False))}) THEN {plain} "
            f"WHEN regexp_full_match({text}, {lit(number_pattern(decimal, thousands))}) THEN {signed} "
            f"WHEN {text} IS NULL THEN NULL ELSE error({lit(NUMBER_ERROR.format(index))}) END")


SAMPLE_ROWS = 20_480          # rows that decide which columns are numbers (DuckDB's sniffer samples as many)
NUMBER_ERROR = "somdesk: column #{} breaks the number form"


def decoration_warnings(con, view: str, columns: list[str], rows: int = SAMPLE_ROWS) -> list[str]:
    """One warning per column of `columns` (text in `view`, read as numbers) whose first `rows`
    cells carry currency or percent signs, accounting parentheses or U+2212, naming what was
    dropped: "column 'amount': read as numbers without the '$' signs"."""
    if not columns:
        return []
    marks = "[" + CURRENCY_SYMBOLS + "%(" + MINUS + "]|" + "|".join(CURRENCY_CODES)
    parts = ", ".join(f"list_distinct(flatten(list(regexp_extract_all({q(c)}, {lit(marks)}))))" for c in columns)
    got = con.execute(f"SELECT {parts} FROM (SELECT * FROM {view} LIMIT {int(rows)})").fetchone()
    return [w for w in (_decoration_sentence(c, set(found or ())) for c, found in zip(columns, got)) if w]


_MARKS = re.compile("[" + CURRENCY_SYMBOLS + "%(" + MINUS + "]|" + "|".join(CURRENCY_CODES))


def head_decoration_warnings(path, columns: list[str], decimal: str, thousands: str) -> list[str]:
    """decoration_warnings from the head of text table file `path` (its first lines, in Python):
    the out-of-core reader's words for the numeric `columns` read with these marks."""
    from somdesk.errors import SomdeskError
    try:
        sniffed = sniff_head(path)
    except (OSError, SomdeskError, ValueError):
        return []
    if sniffed is None or not sniffed.delimiter or not sniffed.hints.decorated:
        return []
    lines = detect._lines(sniffed.text)[sniffed.skip:]
    if sniffed.hints.header is False:
        names = [f"column{i}" for i in range(len(detect._split(lines[0], sniffed.delimiter)))] if lines else []
    else:
        names = header_names.unique_names(header_names.header_cells(lines, sniffed.delimiter, '"'))[0]
        lines = lines[1:]
    rule = re.compile(number_pattern(decimal, thousands))
    found: dict[int, set] = {i: set() for i, n in enumerate(names) if n in set(columns)}
    for ln in lines:
        for i, cell in enumerate(detect._split(ln, sniffed.delimiter)):
            if i in found and rule.fullmatch(cell.strip()):
                found[i].update(_MARKS.findall(cell))
    return [w for w in (_decoration_sentence(names[i], f) for i, f in found.items()) if w]


def _decoration_sentence(c: str, found: set) -> str | None:
    """The warning for column `c` whose numbers carried the marks `found` (None: none)."""
    if not found:
        return None
    signs = sorted(found - {"(", MINUS, "%"}) + sorted(found & {"%"})
    said = f"column {c!r}: read as numbers"
    if signs:
        said += (f" without the {' and '.join(repr(m) for m in signs)} {'sign' if len(signs) == 1 else 'signs'}"
                 + (" (12% is read as 12)" if "%" in found else ""))
    if "(" in found:
        said += "; a number in parentheses is negative ((5.00) is -5)"
    if MINUS in found:
        said += "; '\u2212' is a minus sign"
    return said


def _convert_numbers(con, decimal: str, thousands: str, cancel, warnings: list | None = None):
    """Replace `raw` (all text) by a view where every column whose texts in the first
    SAMPLE_ROWS rows are all numbers in this locale's strict form (and not all missing)
    is DOUBLE; the others stay text.  Return `retype(columns)`, which keeps those columns
    as text.

    Only the sample is read here: the file is scanned once, by the read itself, in which
    a later cell breaking the form raises NUMBER_ERROR naming the column; engine.Source
    .query then retypes that column and runs the query again (the table finds the cell
    and names its line).  Before, a whole scan checked every column and the read was a
    second one.
    """
    cols = [r[0] for r in con.execute("DESCRIBE SELECT * FROM raw").fetchall()]
    pat = lit(number_pattern(decimal, thousands))
    checks = ", ".join(f"bool_and({q(c)} IS NULL OR regexp_full_match({q(c)}, {pat})) AND count({q(c)}) > 0"
                       for c in cols)
    with _Interrupter(con, cancel):
        ok = con.execute(f"SELECT {checks} FROM (SELECT * FROM raw LIMIT {SAMPLE_ROWS})").fetchone()
    numeric = {c for c, good in zip(cols, ok) if good}
    if warnings is not None:        # the file has decorated numbers: say which columns dropped what
        with _Interrupter(con, cancel):
            warnings.extend(decoration_warnings(con, "raw", [c for c in cols if c in numeric]))
    con.execute("ALTER VIEW raw RENAME TO raw_text")

    def build(text: set) -> None:
        parts = []
        for i, c in enumerate(cols):
            if c in numeric and c not in text:
                parts.append(f"{number_sql(q(c), decimal, thousands, i)} AS {q(c)}")
            else:
                parts.append(q(c))
        con.execute(f"CREATE OR REPLACE VIEW raw AS SELECT {', '.join(parts)} FROM raw_text")

    build(set())
    return lambda override: build(set(override))


def failed_column(message: str, columns: list[str]) -> str | None:
    """The column a DuckDB conversion error names (or NUMBER_ERROR's column), or None."""
    m = re.search(NUMBER_ERROR.format(r"(\d+)"), message)
    if m:
        i = int(m.group(1))
        return columns[i] if i < len(columns) else None
    m = re.search(r'column "?([^"\n]+?)"?[.\n ]', message)
    return m.group(1) if m else None


def long_line_message(message: str, path: str, cancel=None) -> str | None:
    """For DuckDB's "Maximum line size ... exceeded": which line of the file is too long
    (counted here, one pass over the file), or None for any other message.  DuckDB names
    line 1 when the long line is in the sniffer's sample, whatever line it is."""
    m = re.search(r"Maximum line size of (\d+) bytes", message)
    if not m:
        return None
    try:
        return _long_line(int(m.group(1)), path, cancel)
    except compressed.ERRORS:                # unreadable now: DuckDB's own message stands
        return None


def _long_line(limit: int, path: str, cancel) -> str | None:
    import numpy as np
    line, length = 1, 0                      # current line and its bytes so far
    with open(path, "rb") as f:
        codec = compressed.codec_of(f.read(4))
    with compressed.open_stream(path, codec) as f:
        while True:
            cancel_mod.check(cancel)
            block = f.read(4 << 20)
            if not block:
                break
            ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
            starts = np.concatenate(([0], ends + 1))
            sizes = np.concatenate((ends, [len(block)])) - starts
            sizes[0] += length
            over = np.flatnonzero(sizes[:len(ends)] > limit)
            if over.size:
                k = int(over[0])
                return f"line {line + k:,} is {count_text(int(sizes[k]), 'byte')} long; a line may have at most {limit:,}"
            line += len(ends)
            length = int(sizes[-1])
    if length > limit:
        return f"line {line:,} is {count_text(length, 'byte')} long; a line may have at most {limit:,}"
    return None


def transcode_to_utf8(path, name, encoding, codec, tmpdir, cancel) -> str:
    """The path of a UTF-8 copy (no BOM) of text file `path` in `encoding` (compressed by `codec`:
    io.tables.compressed) written in `tmpdir`, for DuckDB, which reads UTF-8 only.  FileFormatError
    naming `name` when the text is not valid `encoding`; Cancelled when `cancel` is set."""
    out = os.path.join(tmpdir, "utf8.csv")
    try:
        with detect.decoded_stream(path, encoding, codec) as src, open(out, "w", encoding="utf-8", newline="") as dst:
            while True:
                cancel_mod.check(cancel)
                block = src.read(1 << 20)
                if not block:
                    break
                dst.write(block.lstrip("\ufeff") if dst.tell() == 0 else block)
    except UnicodeDecodeError as exc:
        # the offset is within a decoded block, not the file: the reason alone
        raise FileFormatError(f"cannot read {name}: it is not all valid {encoding} text ({exc.reason}) further "
                              f"down than its first lines. {detect.ENCODING_FIX}") from None
    return out
