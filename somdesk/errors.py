"""Errors that carry a message meant for a person.

Anything raised as a `SomdeskError` is shown as-is: on the CLI as one line
`error: ...` with exit status 2, in the window as a dialog.  Everything else
is a bug.
"""


class SomdeskError(Exception):
    """A problem with the user's input (file, option, value), not a bug."""


class OptionError(SomdeskError, ValueError):
    """An option has a value outside its valid choices or range."""


class FileFormatError(SomdeskError):
    """A file could not be read: corrupt, truncated, foreign or too large."""


class Cancelled(SomdeskError):
    """A long task stopped because its CancelToken was cancelled (Stop, close, quit)."""
