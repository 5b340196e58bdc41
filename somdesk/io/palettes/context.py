"""Per-file reading state shared by all readers.

A `ReadContext` carries the file name (for messages), collects warnings and
turns problems into one-sentence `PaletteError`s, so every reader words its
errors the same way: ``"<file>: line 12: <what is wrong>"``.
"""
from __future__ import annotations

import codecs
import re
from typing import Iterable, Iterator

from .limits import MAX_COLORS, MAX_PALETTES, MAX_TOTAL_COLORS, MAX_WARNINGS
from .model import Palette, PaletteError, Swatch

from somdesk.core.options import count_text
from somdesk.io.names import display_name




# A file is not a palette when at least MIN_UNREADABLE of its colour entries, and more than
# UNREADABLE_SHARE of them all, are unreadable (ReadContext.check_readable).  A real file
# with a few colours in an unknown model still opens, with warnings.  The rule is for files
# whose structure proves nothing (an .aco is two bytes of version and a count); a file whose
# signature and structure are sound (an .ase: "ASEF" and every block in place) is a palette,
# and its entries in an unknown model are `skip_kind`: one warning line a kind, and an error
# naming the model only when no colour at all can be read.
MIN_UNREADABLE = 4
UNREADABLE_SHARE = 0.9


class ReadContext:
    """One file's reading state: its shown name and format id, the warnings collected, and
    the wording of its errors (`error`)."""

    def __init__(self, filename: str, fmt: str | None = None) -> None:
        self.filename = display_name(filename)
        self.fmt = fmt
        self._warnings: list[str] = []
        self._dropped = 0
        self.unreadable = 0          # colour entries that are not colours at all (`skip_unreadable`)
        self._first_unreadable: str | None = None
        self._kinds: dict[str, int] = {}          # `skip_kind`: entries skipped, by what they are
        self._kind_hints: dict[str, str] = {}

    # -- messages -----------------------------------------------------------
    def error(self, message: str, line: int | None = None) -> PaletteError:
        """Build (not raise) the error, so callers write ``raise ctx.error(...)``."""
        where = f"line {line}: " if line is not None else ""
        return PaletteError(f"{self.filename}: {where}{message}")

    def warn(self, message: str, line: int | None = None) -> None:
        """Record a non-fatal oddity (at most MAX_WARNINGS kept; the rest are counted)."""
        if len(self._warnings) >= MAX_WARNINGS:
            self._dropped += 1
            return
        where = f"line {line}: " if line is not None else ""
        self._warnings.append(f"{where}{message}")

    def skip_unreadable(self, message: str, line: int | None = None) -> None:
        """Record a colour entry skipped ("colour 3: unknown colour space 1029"; the warning adds
        "; skipped") because nothing in it reads as a colour (an unknown
        colour space or model, an unknown block): a warning, and counted, so a file whose
        entries are almost all like that is refused as not a palette (`finish`)."""
        self.unreadable += 1
        if self._first_unreadable is None:
            self._first_unreadable = message
        self.warn(f"{message}; skipped", line)

    def skip_kind(self, kind: str, hint: str = "") -> None:
        """Record a colour entry of a soundly built file skipped for what it is: `kind` says
        it after "3 colour entries" ("in the unknown colour model 'RBG '"), `hint` may follow
        once in brackets ("Adobe's models are ...").  `finish` sums each kind up in one warning
        line, and when no colour can be read at all raises the error naming them (a misspelt
        model in every entry was "not a palette", the rule for binary files).  Not counted by
        `check_readable`."""
        self._kinds[kind] = self._kinds.get(kind, 0) + 1
        if hint:
            self._kind_hints.setdefault(kind, hint)

    def _sum_kinds(self, kept: int) -> None:
        """The `skip_kind` warnings (one line a kind), or the error when nothing was read."""
        if not self._kinds:
            return
        hints = "".join(f" ({h})" for h in dict.fromkeys(self._kind_hints.values()))
        if kept == 0:
            if len(self._kinds) == 1:
                (kind, n), = self._kinds.items()
                what = f"{'its one colour entry is' if n == 1 else f'all {n:,} colour entries are'} {kind}"
            else:
                what = "; ".join(f"{count_text(n, 'colour entry')} {kind}" for kind, n in self._kinds.items())
            raise self.error(f"no colour can be read: {what}{hints}")
        for kind, n in self._kinds.items():
            hint = self._kind_hints.get(kind)
            self.warn(f"{count_text(n, 'colour entry')} {kind} skipped" + (f" ({hint})" if hint else ""))
        self._kinds.clear()

    def check_readable(self, kept: int) -> None:
        """Raise PaletteError for a file whose colour entries are almost all unreadable (at least
        MIN_UNREADABLE of them and over UNREADABLE_SHARE of all): bytes of something else
        that happen to start like a palette -- a binary file sniffed as .aco gave "4
        colours" of 515 entries (testerW #4) -- are not a palette with warnings."""
        bad = self.unreadable
        if bad >= MIN_UNREADABLE and bad > UNREADABLE_SHARE * (bad + kept):
            raise self.error(f"not a palette: {bad:,} of {count_text(bad + kept, 'colour entry')} "
                             f"cannot be read (the first, {self._first_unreadable})")

    @property
    def warnings(self) -> tuple[str, ...]:
        """The warnings so far, plus "... and N more warnings" when some were dropped."""
        extra = (f"... and {self._dropped} more warnings",) if self._dropped else ()
        return tuple(self._warnings) + extra

    # -- limits ---------------------------------------------------------------
    def check_count(self, n: int, line: int | None = None) -> None:
        """Refuse a colour count above MAX_COLORS (declared or actual): raises PaletteError."""
        if n > MAX_COLORS:
            raise self.error(f"too many colours ({n:,}); the limit is {MAX_COLORS:,}", line)

    def finish(self, swatches: Iterable[Swatch], name: str | None = None,
               columns: int | None = None) -> Palette:
        """Wrap up: refuse empty or oversized palettes (PaletteError), attach warnings."""
        sw = tuple(swatches)
        self.check_readable(len(sw))       # bytes of something else first: not a palette at all
        self._sum_kinds(len(sw))
        if not sw:
            raise self.error("the palette contains no colours")
        self.check_count(len(sw))
        return Palette(sw, name=name, format=self.fmt, warnings=self.warnings, columns=columns)

    def finish_many(self, palettes: Iterable[tuple[Iterable[Swatch], str | None]],
                    what: str = "palette") -> list[Palette]:
        """Wrap up a collection: one Palette per ``(swatches, name)``.

        Empty palettes are skipped with a warning naming their position, a
        file with none at all is an error, and the file's warnings are
        attached to every palette (they are about the file).  Raises PaletteError for a
        palette over MAX_COLORS, more than MAX_TOTAL_COLORS or MAX_PALETTES in all, or none.
        """
        kept: list[tuple[tuple[Swatch, ...], str | None]] = []
        total = 0
        for number, (swatches, name) in enumerate(palettes, 1):
            sw = tuple(swatches)
            if not sw:
                label = f" ({name[:40]!r})" if name else ""
                self.warn(f"{what} {number}{label} has no colours; skipped")
                continue
            self.check_count(len(sw))
            total += len(sw)
            if total > MAX_TOTAL_COLORS:
                raise self.error(f"the file holds more than {count_text(MAX_TOTAL_COLORS, 'colour')} in all; "
                                 "too large for a palette collection")
            kept.append((sw, name))
            if len(kept) > MAX_PALETTES:
                raise self.error(f"the file holds more than {count_text(MAX_PALETTES, 'palette')}")
        self.check_readable(total)
        self._sum_kinds(total)
        if not kept:
            raise self.error("the file contains no colours")
        warnings = self.warnings
        return [Palette(sw, name=name, format=self.fmt, warnings=warnings) for sw, name in kept]


def decode_text(data: bytes, ctx: ReadContext) -> str:
    """Decode a text palette.

    UTF-8 (with or without BOM) is the norm; a UTF-16 BOM is honoured because
    Windows tools (Excel CSV, Notepad) write it.  Anything that is not valid
    UTF-8 is read as Latin-1 -- old GIMP/JASC files from Windows are -- with a
    warning naming where it stops being UTF-8 (byte and line in the file,
    io.lines.byte_position) and the encoding read, since names may then look wrong.
    Raises PaletteError for broken UTF-16.
    """
    raw = data
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ctx.error(f"invalid UTF-16 text ({exc.reason} at byte {exc.start})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # where, and in what it was read, as the table reader's encoding warnings say it
        from somdesk.io.lines import byte_position
        ctx.warn(f"the file is not valid UTF-8 ({byte_position(raw, exc.start + len(raw) - len(data))}): "
                 "it was read as Latin-1, so accented letters in names may be wrong")
        return data.decode("latin-1")


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF (C speed), so line numbers are easy to count."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def significant_lines(text: str, comment: str = "") -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, stripped line) for lines that are not blank
    and do not start with one of the `comment` characters.

    Skipping is done by the regex engine, not a Python loop, so a 64 MiB file
    of blank or comment lines is still read in well under a second.  CRLF, CR
    and LF all end a line.
    """
    text = normalise_newlines(text)
    excluded = re.escape(comment) if comment else ""
    pattern = re.compile(r"^[^\S\n]*+([^\s" + excluded + r"][^\n]*)", re.M)
    line, last = 1, 0
    for m in pattern.finditer(text):
        line += text.count("\n", last, m.start())
        last = m.start()
        yield line, m.group(1).rstrip()
