"""Delimited text files opened in DuckDB: our hints from the head (detect.py), DuckDB's
sniffer for the rest, the view `raw`/`src` over read_csv with the sniffed names and
types, the decimal-comma conversion, and transcoding of encodings DuckDB cannot read."""
from __future__ import annotations

import os
import re
import tempfile

from somdesk.core import cancel as cancel_mod
from somdesk.errors import FileFormatError
from somdesk.io.tables import detect
from somdesk.io.tables.duckutil import Interrupter as _Interrupter, duck_message as _duck_message, lit, q, scratch
from somdesk.io.tables.options import ReadOptions

__all__ = ["open_text", "nullstr", "number_pattern"]

_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT", "UHUGEINT")


def _null_tokens(opts: ReadOptions) -> list[str]:
    tokens = set()
    for t in opts.missing_tokens:
        tokens.update({t, t.upper(), t.title(), t.lower()})
    return sorted(tokens)


def nullstr(opts: ReadOptions) -> str:
    return "[" + ", ".join(lit(t) for t in _null_tokens(opts)) + "]"


def _sniff(path: str, skip: int, opts: ReadOptions, header, delim, no_quotes: bool, cancel) -> tuple:
    args = [f"skip={skip}"]
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
    sql = "SELECT Delimiter, Quote, Escape, HasHeader, Columns FROM sniff_csv({}, {}, sample_size=20480{})"
    with scratch(cancel) as con:              # sniffing creates nothing: no connection of our own
        try:
            return con.execute(sql.format(lit(path), ", ".join(args), "")).fetchone()
        except duckdb.InterruptException:
            raise
        except duckdb.Error:
            # a ragged or broken line: sniff leniently here; the strict read then names the line
            return con.execute(sql.format(lit(path), ", ".join(args), ", ignore_errors=true")).fetchone()


def open_text(connect, path, name, head, gz, opts: ReadOptions, warnings, cancel):
    """Create the view `raw` over a delimited text file in the connection `connect()`
    returns (only called when a view is needed); return (path, dialect, header lines,
    tmpdir, retype, known, plan, widen).  In the plain case (`known` is not None: no number
    conversion) the view is not created here but by `known[2]["create"]` when first
    needed -- binding read_csv over 10,000 columns takes seconds, and a whole-file read
    through Arrow (`plan`) does not need it."""
    text, encoding, enc_warnings = detect.head_text(head, name, opts.encoding)
    warnings.extend(enc_warnings)
    tmpdir = None
    if encoding not in ("utf-8", "ascii") or head[:3] == b"\xef\xbb\xbf" and gz:
        tmpdir = tempfile.mkdtemp(prefix="somdesk-table-")
        path = _transcode(path, name, encoding, gz, tmpdir, cancel)
    missing = opts.missing_tokens

    def delim_guess(skip):
        return opts.delimiter or detect.guess_delimiter(text, skip) or ","

    hints = detect.text_hints(text, delim_guess, missing)
    skip = opts.skip if opts.skip is not None else hints.skip
    header = opts.header if opts.header is not None else hints.header
    decimal = opts.decimal or hints.decimal or "."
    thousands = opts.thousands if opts.thousands is not None else (hints.thousands or "")
    import duckdb
    try:
        guess = opts.delimiter or detect.guess_delimiter(text, skip)
        no_quotes = '"' not in text and "'" not in text and "\\" not in text
        delim, quote, escape, has_header, columns = _sniff(path, skip, opts, header, guess, no_quotes, cancel)
        if no_quotes:
            quote = escape = "(empty)"           # as the sniffer reports a file without quotes
    except duckdb.Error as exc:
        raise FileFormatError(f"cannot read {name}: {_duck_message(exc)}") from None
    if header is None:
        header = bool(has_header)
    comment = opts.comment or ""
    if header:
        body = [ln for ln in detect._lines(text)[skip:] if ln.strip()]
        cells = [c.strip() for c in detect._split(body[0], delim)] if body else []
        if any(not c for c in cells):
            warnings.append(f"{sum(not c for c in cells)} column(s) had no name and were named by position")
        if len(set(cells)) < len(cells):
            warnings.append("duplicate column names were made unique (a second 'x' becomes 'x_1')")
    custom_numbers = decimal != "." or thousands != ""
    names = [c["name"] for c in columns]
    # every number ends up float64, so integer columns are read as DOUBLE: DuckDB casts a
    # later "1.5" into a sniffed BIGINT column by rounding it to 2, silently
    ctypes = ["VARCHAR" if custom_numbers else "DOUBLE" if c["type"] in _INTEGER_TYPES else c["type"]
              for c in columns]
    # the sniffed names and types are given back explicitly, so DuckDB does not sniff
    # again each time a query binds the view (seconds on a 10,000-column file)
    args = [f"delim={lit(delim)}", f"header={header}", f"skip={skip}", "auto_detect=false"]
    if quote and quote != "(empty)":
        args.append(f"quote={lit(quote)}")
    if escape and escape != "(empty)":
        args.append(f"escape={lit(escape)}")
    if comment:
        args.append(f"comment={lit(comment)}")
    dialect = {"delimiter": delim, "quote": None if quote in (None, "(empty)") else quote,
               "header": header, "skip": skip, "decimal": decimal, "thousands": thousands,
               "encoding": encoding, "comment": comment or None, "gzip": gz}
    if hints.metadata is not None:
        dialect["metadata"] = hints.metadata
    if hints.comment_lines:
        dialect["comment_lines"] = hints.comment_lines
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
    state = {"types": list(ctypes)}

    def recreate():
        _recreate(connect(), path, args + [nullarg()], names, state["types"], view["name"])

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
    if custom_numbers:
        retype = None
    if view["name"] == "raw":
        view.pop("create")()
    if custom_numbers:
        _convert_numbers(connect(), decimal, thousands, cancel)
    known = None if custom_numbers else (names, ctypes, view)
    # Arrow may read it whole (arrowread.read_csv) if it counts the skipped lines as DuckDB
    # does: every skipped line is in the head, none is blank or holds a quote
    skipped = detect._lines(text)[:skip + int(header)]
    plan = None
    if (not custom_numbers and not comment and not opts.where and quote in (None, "(empty)", '"')
            and escape in (None, "(empty)", '"') and encoding in ("utf-8", "ascii")
            and len(skipped) == skip + int(header) and all(ln.strip() and '"' not in ln for ln in skipped)):
        plan = {"path": path, "gzip": gz and tmpdir is None, "delimiter": delim, "header": header, "skip": skip,
                "names": names, "types": ctypes, "nulls": tokens, "one_column": len(names) == 1, "tokens_seen": seen}
    return path, dialect, skip + int(header), tmpdir, retype, known, plan, widen


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


def _tokens_seen(lines: list[str], delim: str, tokens: list[str]) -> bool:
    """Is a missing-value token other than "" a whole cell somewhere in `lines`?"""
    toks = [re.escape(t) for t in tokens if t]
    if not toks:
        return False
    d = re.escape(delim)
    return re.search(rf"(?:^|{d})(?:{'|'.join(toks)})(?:{d}|\r?$)", "\n".join(lines), re.M) is not None


def _recreate(con, path, args, names, types, view: str = "raw") -> None:
    cols = ", ".join(f"{lit(n)}: {lit(t)}" for n, t in zip(names, types))
    con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM read_csv({lit(path)}, {', '.join(args)}, "
                f"columns={{{cols}}})")


def number_pattern(decimal: str, thousands: str) -> str:
    d = re.escape(decimal)
    if thousands:
        t = re.escape(thousands)
        ip = rf"(\d+|\d{{1,3}}({t}\d{{3}})+)"
    else:
        ip = r"\d+"
    return rf"^\s*[+-]?({ip}({d}\d*)?|{d}\d+)([eE][+-]?\d+)?\s*$"


def _convert_numbers(con, decimal: str, thousands: str, cancel) -> None:
    """Replace `raw` by a view where every column whose texts are all numbers (in this
    locale's strict form) is DOUBLE; others stay text.  One pass over the file."""
    cols = [r[0] for r in con.execute("DESCRIBE SELECT * FROM raw").fetchall()]
    pat = lit(number_pattern(decimal, thousands))
    checks = ", ".join(f"bool_and({q(c)} IS NULL OR regexp_full_match({q(c)}, {pat})) AND count({q(c)}) > 0"
                       for c in cols)
    with _Interrupter(con, cancel):
        ok = con.execute(f"SELECT {checks} FROM raw").fetchone()
    parts = []
    for c, good in zip(cols, ok):
        if good:
            e = f"trim({q(c)})"
            if thousands:
                e = f"replace({e}, {lit(thousands)}, '')"
            if decimal != ".":
                e = f"replace({e}, {lit(decimal)}, '.')"
            parts.append(f"CAST({e} AS DOUBLE) AS {q(c)}")
        else:
            parts.append(q(c))
    con.execute("ALTER VIEW raw RENAME TO raw_text")
    con.execute(f"CREATE VIEW raw AS SELECT {', '.join(parts)} FROM raw_text")


def _transcode(path, name, encoding, gz, tmpdir, cancel) -> str:
    out = os.path.join(tmpdir, "utf8.csv")
    try:
        with detect.decoded_stream(path, encoding, gz) as src, open(out, "w", encoding="utf-8", newline="") as dst:
            while True:
                cancel_mod.check(cancel)
                block = src.read(1 << 20)
                if not block:
                    break
                dst.write(block.lstrip("\ufeff") if dst.tell() == 0 else block)
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"cannot read {name}: it is not valid {encoding} text ({exc.reason})") from None
    return out
