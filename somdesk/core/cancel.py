"""A stop request that reaches inside long passes.

One `CancelToken` is shared by whoever asks for a stop (the window's Stop,
close and quit, Ctrl+C on the CLI) and whoever does the work (a SOM epoch,
a full-size quantisation, reading a big table, clustering).  The flag lives
in a one-element int64 array so compiled kernels (numba, ahead of time) can
read it between inputs or between chunks without calling back into Python:
`flag[0] != 0` means stop (a numba kernel reads it through
`core._stop_numba.stop_requested`, which the compiler cannot hoist out of the
loop).  Setting it is a single store, safe from any thread.

Contract for work that takes a token: check it at least every ~50 ms of work;
when it is set, leave every object in a consistent state (a SOM as before the
interrupted epoch, or exactly resumable) and raise `Cancelled`.

Stop and abandon.  Some work keeps what a stop leaves (a table map stopped after
some epochs is still measured and segmented, so the user sees it).  That finishing
work runs under `token.after_stop()`, a token that only an `abandon()` sets: the
window closing or a task replaced -- nobody will look at the result, so it must
end at once too.
"""
from __future__ import annotations

import numpy as np

from somdesk.errors import Cancelled


class CancelToken:
    """A thread-safe stop flag: `cancel()` from anywhere, `check()` in the work."""

    __slots__ = ("flag", "_after")

    def __init__(self) -> None:
        self.flag = np.zeros(1, dtype=np.int64)  # read by kernels as flag[0] != 0
        self._after: list[CancelToken] = []

    def cancel(self) -> None:
        """Ask the work to stop as soon as it next looks (within ~50 ms)."""
        self.flag[0] = max(int(self.flag[0]), 1)

    def abandon(self) -> None:
        """Stop, and stop the finishing work of `after_stop()` tokens too (nobody will use
        the result: the window is closing or the task was replaced)."""
        self.flag[0] = 2
        for t in list(self._after):
            t.cancel()

    @property
    def abandoned(self) -> bool:
        """True once `abandon()` was called (not by a plain `cancel()`)."""
        return int(self.flag[0]) >= 2

    def after_stop(self) -> "CancelToken":
        """A fresh token for the work done after a stop (see module docstring): set only by
        `abandon()` of this one (already set when this one was abandoned)."""
        t = CancelToken()
        self._after.append(t)
        if self.abandoned:
            t.cancel()
        return t

    def reset(self) -> None:
        """Clear the request so the token can be used for the next run."""
        self.flag[0] = 0
        self._after.clear()

    @property
    def cancelled(self) -> bool:
        """True once `cancel()` or `abandon()` was called (until `reset()`)."""
        return bool(self.flag[0])

    def check(self) -> None:
        """Raise `Cancelled` if a stop was requested."""
        if self.flag[0]:
            raise Cancelled("stopped")


def check(token: CancelToken | None) -> None:
    """`token.check()` that accepts None (no token: never cancelled); raises `Cancelled`."""
    if token is not None and token.flag[0]:
        raise Cancelled("stopped")


def drain(steps, on_step=None):
    """Run a step generator (a `*_steps` function, a session task) to its end on this
    thread and return what it returns; its own token checks raise `Cancelled`.
    `on_step(*step)` is called with each value it yields (e.g. (done, total) of
    core.quantize.quantize_picture_steps: the CLI's progress lines)."""
    while True:
        try:
            step = next(steps)
        except StopIteration as stop:
            return stop.value
        if on_step is not None:
            on_step(*step)
