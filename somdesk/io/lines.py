"""Lines of a file's head as the readers of tables and palettes see them.

    text_lines("a\x0cb\r\nc\rd\n")      # ["a\x0cb", "c", "d"]
    text_lines(b"x\r\ny")                # [b"x", b"y"]

A CSV reader (Python's csv, DuckDB, pyarrow) and every palette reader end a line at CRLF, CR or
LF only.  str.splitlines also breaks at the vertical tab, form feed, \\x1c-\\x1e, \\x85 and
U+2028/U+2029 -- characters a field or a colour's name may hold (FileMaker writes its in-field
line breaks as vertical tabs: review12 #8 read such a file as 4 junk columns; a quoted form feed
in a palette's first line made it CSS, mend13).  Every file head split into lines in somdesk is
split here.  `byte_position` says where a byte is in such lines ("at byte 56, line 3"), for the
readers' encoding warnings (a table's, a palette's).
"""
from __future__ import annotations

import re

__all__ = ["text_lines", "byte_position"]

_LINE_END = re.compile(r"\r\n|\r|\n")
_LINE_END_BYTES = re.compile(rb"\r\n|\r|\n")


def text_lines(text):
    """`text` (str or bytes) split at its line ends as a CSV reader splits it: \\n, \\r\\n or \\r
    only, mixed freely (no empty last item after a final line end).  A list of str, or of bytes
    for bytes; TypeError for anything else."""
    if isinstance(text, str):
        lines = _LINE_END.split(text)
    elif isinstance(text, (bytes, bytearray)):
        lines = _LINE_END_BYTES.split(bytes(text))
    else:
        raise TypeError(f"text_lines takes str or bytes, not {type(text).__name__}")
    if lines and not lines[-1]:
        lines.pop()
    return lines


def byte_position(data: bytes, offset: int) -> str:
    """"at byte 56, line 3": where the 0-based `offset` into `data` (a file's first bytes) is,
    counted from 1 as an editor does; lines end at LF, CRLF or a bare CR (as `text_lines`)."""
    before = data[:offset]
    line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
    return f"at byte {offset + 1:,}, line {line:,}"
