"""File names as shown in one-line messages.

A name with odd characters (a newline, an escape) is shown as repr(), so it
cannot break the `error: ...` line or a dialog's first line.
"""
from __future__ import annotations

import os


def display_name(text: object) -> str:
    """`text` as is when printable, else its repr()."""
    text = str(text)
    return text if text.isprintable() and text else repr(text)


def display_basename(path: str | os.PathLike) -> str:
    """The last part of `path`, for messages that name a file the user picked."""
    return display_name(os.path.basename(os.fspath(path)))
