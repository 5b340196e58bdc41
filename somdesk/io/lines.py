"""Lines of a file's head as the readers of tables and palettes see them.

    text_lines("a\x0cb\r\nc\rd\n")      # ["a\x0cb", "c", "d"]
    text_lines(b"x\r\ny")                # [b"x", b"y"]

A CSV reader (Python's csv, DuckDB, pyarrow) and every palette reader end a line at CRLF, CR or
LF only.  str.splitlines also breaks at the vertical tab, form feed, \\x1c-\\x1e, \\x85 and
U+2028/U+2029 -- characters a field or a colour's name may hold (FileMaker writes its in-field
line breaks as vertical tabs: review12 #8 read such a file as 4 junk columns; a quoted form feed
in a palette's first line made it CSS, mend13).  Every file head split into lines in somdesk is
split here.
"""
from __future__ import annotations

import re

__all__ = ["text_lines"]

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
