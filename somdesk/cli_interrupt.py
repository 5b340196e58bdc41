"""Ctrl+C (SIGINT) on the command line: one rule for every subcommand.

The first Ctrl+C stops the command within about a second and ends it with `error: interrupted`
and exit status 130 (128 + SIGINT, what a shell shows), nothing half-written -- whichever part
was running (testerC #2, #4, #13: a DuckDB read ended in a traceback or "cannot read ...: Query
interrupted", a compiled measuring pass ran 14 s on, `quantize` was ended by the signal itself).
A second Ctrl+C ends the process at once, as in the window (gui/app.py).

Why two paths.  Python runs a signal handler only between bytecodes of the main thread, so a
compiled kernel (numba, nogil) or a DuckDB query on the main thread hears nothing until it
returns.  So the handler's C part also writes to a wake-up pipe (signal.set_wakeup_fd) that a
small thread reads: it abandons the command's CancelToken (`token()`) at once, which the kernels
read between inputs (core._stop_numba) and io.tables.duckutil's Interrupter watches, and
interrupts every DuckDB query of ours (duckutil.interrupt_all: also those given no token).  The
Python handler, when it runs, raises KeyboardInterrupt as usual (pure Python loops with no
token).  `guard` then turns whatever the stop surfaced as -- KeyboardInterrupt, Cancelled,
DuckDB's RuntimeError('Query interrupted'), a reader's "cannot read" -- into KeyboardInterrupt,
which cli._run words as `error: interrupted`, 130.

Not inside an import.  A KeyboardInterrupt raised in the Python code that a C extension runs
while it initialises (`import duckdb` loading its Python parts) can abort the whole process (exit
-6; status.md thirteenth).  So the handler raises nothing while the main thread is importing
(`importing`: importlib's own frames on its stack); the watcher has the handler look again every
10 ms (`_thread.interrupt_main`) and it raises as soon as the import is over.  The guard covers the parsing too (numpy loads there), and
the `somdesk` process keeps a quiet handler after its command (`after_command`): a Ctrl+C in
the last moments (closing DuckDB, the interpreter's exit) left a traceback after a finished run.

No numpy here: the token is made on first use, so a usage error still answers before numpy
loads (tests/cli/test_cli_quantize_startup.py).
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager

_state: dict = {"active": False, "token": None, "fired": False, "body": False, "deferred": False,
                "raised": False}
_lock = threading.Lock()


def token():
    """The running command's CancelToken (core.cancel), abandoned by Ctrl+C -- already when the
    Ctrl+C came before it was asked for.  A fresh token outside `guard` (a subcommand called
    directly, as some tests do)."""
    from somdesk.core.cancel import CancelToken

    if not _state["active"]:
        return CancelToken()
    with _lock:
        if _state["token"] is None:
            _state["token"] = CancelToken()
        tok = _state["token"]
    if _state["fired"]:
        tok.abandon()
    return tok


def fired() -> bool:
    """Did a Ctrl+C arrive during the current (or last) guarded command?"""
    return bool(_state["fired"])


def _stop_now() -> None:
    """The Ctrl+C's immediate part, in the watcher thread: the token abandoned, DuckDB interrupted."""
    _state["fired"] = True
    with _lock:
        tok = _state["token"]
    if tok is not None:
        tok.abandon()
    duckutil = sys.modules.get("somdesk.io.tables.duckutil")
    if duckutil is not None:
        duckutil.interrupt_all()


def importing(frame) -> bool:
    """Is `frame` (a thread's current frame, or None) inside an import -- is one of its callers
    importlib's own code?  Every import, from Python or from C (PyImport_ImportModule), runs
    importlib._bootstrap's _find_and_load, and a C extension's initialisation runs under it."""
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith("<frozen importlib._bootstrap") or name.endswith(_BOOTSTRAP_FILES):
            return True
        frame = frame.f_back
    return False


_BOOTSTRAP_FILES = (os.path.join("importlib", "_bootstrap.py"),
                    os.path.join("importlib", "_bootstrap_external.py"))
POLL = 0.01         # seconds between the watcher's looks at a deferred Ctrl+C's import


def _raise_after_imports() -> None:
    """In the watcher thread, after a Ctrl+C: while the handler has put its KeyboardInterrupt off
    because the main thread was importing (on_sigint), have the handler run again every POLL
    seconds (_thread.interrupt_main: as if the signal came now) until it raises, which it does
    once the import is over.  Returns when the handler has raised or the command is over."""
    import _thread
    import time

    # the handler looks at its own stack again (on the main thread); this thread never walks
    # the main thread's frames (sys._current_frames): reading another running thread's stack
    # can crash Python 3.11 (fixS, fourteenth session: a watchdog doing it segfaulted a window)
    while _state["body"] and not _state["raised"]:
        time.sleep(POLL)
        if _state["deferred"]:
            _state["deferred"] = False          # set again by the handler while still importing
            _thread.interrupt_main(signal.SIGINT)


def after_command(signum, frame) -> None:
    """The SIGINT handler `guard(program=True)` leaves once the command is over (its outputs
    written, its status decided; what is left is closing and the interpreter's exit): a Ctrl+C
    then changes nothing and raises nothing -- a KeyboardInterrupt there was a traceback after a
    finished command (tests/cli/test_sigint.py) -- and a second one ends the process at once."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextmanager
def guard(program: bool = False):
    """Run a subcommand under the Ctrl+C rule (module docstring).  Off the main thread, or when
    SIGINT is ignored (a `cmd &` job of a non-interactive shell) or handled by someone else, it
    only provides `token()`.  Raises KeyboardInterrupt for any failure after a Ctrl+C, and also
    when the command finished while the Ctrl+C arrived (the status says it was stopped).
    Afterwards SIGINT has Python's default handler again, or with `program` (the process ends
    when the command does: the `somdesk` script) `after_command`."""
    _state.update(active=True, token=None, fired=False, deferred=False, raised=False)
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) not in (signal.default_int_handler, after_command)):
        try:
            yield
        finally:
            _state.update(active=False, token=None)
        return

    def on_sigint(signum, frame):
        # no lock here (the main thread may hold one where this runs): the watcher thread
        # did the rest, woken by the same signal
        _state["fired"] = True
        tok = _state["token"]
        if tok is not None:
            tok.abandon()
        if _state["body"] and importing(frame):
            # not inside an import: a KeyboardInterrupt raised in the Python code a C extension
            # runs while it initialises (duckdb, pyarrow, numba ...) can abort the process (exit
            # -6, status.md thirteenth).  The watcher raises it again once the import is over;
            # this handler stays in place for that (a second Ctrl+C meanwhile waits with it).
            _state["deferred"] = True
            return
        signal.signal(signal.SIGINT, signal.SIG_DFL)      # a second Ctrl+C ends the process at once
        # Python runs this handler at the main thread's next bytecode, which can come after the
        # watcher's stop has already ended the command -- in guard's cleanup, or in cli._run's
        # `error: interrupted` branch, where a KeyboardInterrupt escaped as a traceback and the
        # process died by the signal (exit -2, retest #2).  Raise only while the command runs.
        if _state["body"]:
            _state["raised"] = True
            raise KeyboardInterrupt

    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)

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
                _stop_now()
                _raise_after_imports()

    previous_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    signal.signal(signal.SIGINT, on_sigint)
    # not a daemon: nothing of ours runs Python during the interpreter's shutdown
    watcher = threading.Thread(target=watch, name="somdesk-sigint")
    watcher.start()
    _state["body"] = True
    try:
        try:
            yield
        finally:
            _state["body"] = False
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
            signal.signal(signal.SIGINT, after_command if program else signal.default_int_handler)
        _state.update(active=False, token=None)
