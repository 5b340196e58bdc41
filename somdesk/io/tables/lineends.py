"""Text files whose lines end in a mix of CRLF, LF and CR (a file edited on two systems).

DuckDB's CSV reader takes one line end for the whole file, from its sniff: a file that
mixes CRLF and bare LF is refused -- in the head by the sniffer ("Error when sniffing
file"), further down by the parser ("The CSV Parser state machine reached an invalid
state").  pandas and pyarrow read such files, treating every CRLF, LF and CR as a line
end.  DuckDB's strict_mode=false would read them too, but it also reads ragged and
broken rows without a word, which must stay errors naming their line.

So only after DuckDB fails on a text file, `mixed` scans it (a byte count per block,
about a second per gigabyte; gzip or zstd unpacked on the way), and if its line ends are
mixed `normalise` writes a copy with every line end LF, which is read instead.  The
copy has the same lines (one line end becomes one line end), so an error found in it
names the same line as in the original file.  A file with one kind of line end
throughout (CR alone, old Mac, included) is read by DuckDB as it is and never scanned.

Inside quoted values a CRLF or CR of a mixed file becomes LF too (pandas keeps them).
The file read here is UTF-8 (or ASCII-compatible) bytes: other encodings are first
transcoded to UTF-8 (textfile.transcode_to_utf8), and the scan runs on that copy.
"""
from __future__ import annotations

import os

from somdesk.core import cancel as cancel_mod
from somdesk.io.tables import compressed

__all__ = ["kinds", "mixed", "count_lines", "normalise", "normalised_copy"]

BLOCK = 4 << 20


def _open(path: str, codec):
    """`codec`: None, "gzip" or "zstd" (compressed.py); True is read as "gzip"."""
    return compressed.open_stream(path, "gzip" if codec is True else codec or None)


def _blocks(f, cancel):
    """The file's bytes in blocks of about BLOCK, none ending inside a CRLF: a block's last
    CR is held back for the next one.  The last block may be a lone b"\\r"."""
    carry = b""
    while True:
        cancel_mod.check(cancel)
        block = f.read(BLOCK)
        if not block:
            break
        block = carry + block
        carry = b""
        if block.endswith(b"\r"):
            block, carry = block[:-1], b"\r"
        yield block
    if carry:
        yield carry


def kinds(path: str, codec=None, cancel=None) -> set[str]:
    """The kinds of line end in a file: a subset of {"crlf", "lf", "cr"} ("lf" and "cr"
    mean bare LF and bare CR), complete for a file with one kind; the scan stops at the
    block where a second kind shows.  One pass over the bytes; raises OSError (and, for a
    broken compressed stream, gzip.BadGzipFile / EOFError) from reading.  `codec`: the
    file's compression (compressed.codec_of), None for a plain file."""
    found: set[str] = set()
    with _open(path, codec) as f:
        for block in _blocks(f, cancel):
            crlf = block.count(b"\r\n")
            if crlf:
                found.add("crlf")
            if block.count(b"\n") > crlf:
                found.add("lf")
            if block.count(b"\r") > crlf:
                found.add("cr")
            if len(found) > 1:
                break
    return found


def mixed(path: str, codec=None, cancel=None) -> bool:
    """True when the file's lines end in more than one way (CRLF and LF, LF and CR, ...)."""
    return len(kinds(path, codec, cancel)) > 1


def count_lines(path: str, codec=None, cancel=None) -> int:
    """Lines in a file as a CSV reader counts them: every CRLF, bare LF and bare CR ends one, and
    a last line without its line end counts too.  One pass; raises as `kinds`."""
    n, last = 0, b"\n"
    with _open(path, codec) as f:
        for block in _blocks(f, cancel):        # a block never ends inside a CRLF
            n += block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")
            last = block[-1:]
    return n + (last not in (b"\n", b"\r"))


def normalise(path: str, codec, out: str, cancel=None) -> str:
    """Write `path` (unpacked when `codec` names its compression) to `out` with every
    CRLF and bare CR made LF; return `out`.  Raises OSError from reading or writing."""
    with _open(path, codec) as src, open(out, "wb") as dst:
        for block in _blocks(src, cancel):
            dst.write(block.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
    return out


def normalised_copy(path: str, codec, tmpdir: str, cancel=None) -> str | None:
    """A copy of `path` with LF line ends in `tmpdir` if the file's line ends are mixed,
    else None (the file is left alone)."""
    if not mixed(path, codec, cancel):
        return None
    return normalise(path, codec, os.path.join(tmpdir, "lines.csv"), cancel)
