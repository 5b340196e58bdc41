"""Errors that carry a message meant for a person.

Anything raised as a `SomdeskError` is shown as-is: on the CLI as one line
`error: ...` with exit status 2, in the window as a dialog.  Everything else
is a bug.
"""


class SomdeskError(Exception):
    """A problem with the user's input (file, option, value), not a bug."""


class OptionError(SomdeskError, ValueError):
    """An option has a value outside its valid choices or range.

    `field`: the option's name (core.options.SOMConfig's field: "width", "height", "iterations",
    "learning_rate", "sigma", "seed"; "size" for the node count) when the error is about one,
    else None.  `subject`: the words the message starts with that name the option ("width (the
    map's columns)"), which a front end swaps for its own name of it (`worded`): the CLI for the
    flag typed, so one range check (core.options.check_grid) speaks to every front end.
    """

    def __init__(self, message: str = "", field: str | None = None, subject: str = ""):
        super().__init__(message)
        self.field = field
        self.subject = subject

    def worded(self, name: str) -> str:
        """The message with its `subject` replaced by `name` ("--width (the map's columns) must be
        between 1 and 2000, got 0"); the message unchanged when it has no subject."""
        msg = str(self)
        return name + msg[len(self.subject):] if self.subject and msg.startswith(self.subject) else msg


class FileFormatError(SomdeskError):
    """A file could not be read: corrupt, truncated, foreign or too large."""


class Cancelled(SomdeskError):
    """A long task stopped because its CancelToken was cancelled (Stop, close, quit)."""
