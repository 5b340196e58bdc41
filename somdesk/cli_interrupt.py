"""Ctrl+C (SIGINT) on the command line: one rule for every subcommand.

The first Ctrl+C stops the command within about a second and ends it with `error: interrupted`
and exit status 130 (128 + SIGINT, what a shell shows), nothing half-written -- whichever part
was running (testerC #2, #4, #13: a DuckDB read ended in a traceback or "cannot read ...: Query
interrupted", a compiled measuring pass ran 14 s on, `quantize` ended by the signal itself).  A
second Ctrl+C ends the process at once, as in the window (gui/app.py).

Why two paths.  Python runs a signal handler only between bytecodes of the main thread, so a
compiled kernel (numba, nogil) or a DuckDB query on the main thread hears nothing until it
returns.  So the handler's C part also writes to a wake-up pipe (signal.set_wakeup_fd) that a
small thread reads: it abandons the command's CancelToken at once, which the kernels read
between inputs (core._stop_numba) and io.tables.duckutil's Interrupter turns into an interrupt of
the running query.  The Python handler, when it runs, raises KeyboardInterrupt as usual (pure
Python loops with no token).  `guard` then turns whatever the stop surfaced as -- KeyboardInterrupt,
Cancelled, DuckDB's RuntimeError('Query interrupted'), a reader's "cannot read" -- into
KeyboardInterrupt, which cli._run words as `error: interrupted`, 130.
"""
from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager

from somdesk.core.cancel import CancelToken

_state: dict = {"token": None, "fired": False}


def token() -> CancelToken:
    """The running command's CancelToken, abandoned by Ctrl+C (a fresh token outside `guard`:
    a subcommand called directly, as the tests do)."""
    return _state["token"] if _state["token"] is not None else CancelToken()


def fired() -> bool:
    """Did a Ctrl+C arrive during the current (or last) guarded command?"""
    return bool(_state["fired"])


@contextmanager
def guard():
    """Run a subcommand under the Ctrl+C rule (module docstring).  Does nothing but provide
    `token()` when SIGINT is ignored (a `cmd &` job of a non-interactive shell) or handled by
    someone else, or off the main thread.  Raises KeyboardInterrupt for any failure after a
    Ctrl+C, and also when the command finished while the Ctrl+C arrived."""
    tok = CancelToken()
    _state.update(token=tok, fired=False)
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        try:
            yield tok
        finally:
            _state["token"] = None
        return

    def on_sigint(signum, frame):
        _state["fired"] = True
        tok.abandon()
        signal.signal(signal.SIGINT, signal.SIG_DFL)      # a second Ctrl+C ends the process at once
        raise KeyboardInterrupt

    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    os.set_blocking(read_fd, True)

    def watch() -> None:
        # the C-level handler writes the signal's number here, whatever the main thread is doing
        while True:
            try:
                got = os.read(read_fd, 64)
            except OSError:
                return
            if not got:                 # the write end closed: the command is over
                return
            if signal.SIGINT in got:
                _state["fired"] = True
                tok.abandon()

    previous_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    signal.signal(signal.SIGINT, on_sigint)
    # not a daemon: nothing of ours runs Python during the interpreter's shutdown
    watcher = threading.Thread(target=watch, name="somdesk-sigint")
    watcher.start()
    from somdesk.io.tables.duckutil import interrupting
    try:
        # every DuckDB connection the command opens is interrupted by the token too, also
        # where a query takes no token of its own (a label default, the number format's sample)
        with interrupting(tok):
            yield tok
        if _state["fired"]:
            raise KeyboardInterrupt
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:
        if _state["fired"]:         # a stop, whatever the interrupted part made of it
            raise KeyboardInterrupt from None
        raise
    finally:
        signal.set_wakeup_fd(previous_fd)
        os.close(write_fd)
        watcher.join()
        os.close(read_fd)
        if signal.getsignal(signal.SIGINT) is on_sigint:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        _state["token"] = None
