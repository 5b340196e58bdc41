"""The `somdesk` command.

    somdesk [FILE ...] [--smoke-test OUT.png]   open the window (Qt loads only here)
    somdesk train ...                           train headless, write PNG / metrics / weights
    somdesk palette info|convert ...            inspect and convert palette files
    somdesk quantize IN OUT.png --colors N      reduce a picture to an indexed PNG
    somdesk table info FILE / train --table FILE / assign MAP DATA   tables (somdesk/cli_table.py)

Subcommands never import Qt, so they start fast and run without a display.
User errors print one line `error: ...` on stderr and exit with status 2.
"""
from __future__ import annotations

import argparse
import os
import sys

import somdesk
from somdesk.core import memory
from somdesk.errors import SomdeskError

SUBCOMMANDS = ("train", "palette", "quantize", "table", "assign", "train-table")


class UsageError(SomdeskError):
    pass


class _StdoutError(SomdeskError):
    """Standard output refused a write (a full disk behind `> f`, /dev/full): not a traceback."""


class _GuardedStdout:
    """sys.stdout for a subcommand: an OSError of a write or flush (ENOSPC, EIO, EFBIG) is one
    `error: cannot write - (standard output): ...` line, as io.atomic says it for "-" -- one rule
    for every writer of standard output (`table info`, `palette info --json`, `--metrics-json -`,
    `assign`'s scores by default).  BrokenPipeError (`| head`) passes: the command ends quietly."""

    def __init__(self, stream):
        self._stream = stream

    def _guard(self, method: str, *args):
        if self._stream is None:
            # descriptor 1 closed (`>&-`): Python's sys.stdout is None, and the first write was
            # AttributeError's traceback (testerC #1a)
            raise _StdoutError("cannot write - (standard output): it is closed")
        try:
            return getattr(self._stream, method)(*args)
        except BrokenPipeError:
            raise
        except OSError as exc:
            from somdesk.io.names import os_reason
            raise _StdoutError(f"cannot write - (standard output): {os_reason(exc)}") from None

    def write(self, text):
        return self._guard("write", text)

    def writelines(self, lines):
        return self._guard("writelines", lines)

    def flush(self):
        if self._stream is None:        # nothing was written to a closed standard output
            return None
        return self._guard("flush")

    def __getattr__(self, name):
        if self._stream is None:        # no buffer, no fileno: the writers take the text path
            raise AttributeError(name)
        return getattr(self._stream, name)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line `error: ...`, exit status 2."""

    hint: str | None = None      # the help to point at, when not this parser's own (_sub_parser)

    def error(self, message: str):  # noqa: D401 - argparse API
        raise UsageError(f"{message} (see '{self.hint or self.prog + ' --help'}')")


def _gui_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="somdesk", description="Watch a Kohonen Self-Organizing Map organise itself. "
                "Subcommands (each with --help): train, train --table, palette, quantize, table, assign.")
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="palette, picture, table or saved map (.somz) to open")
    p.add_argument("--smoke-test", metavar="OUT.png",
                   help="open the window, train a short job, save a PNG of the map and exit (automation)")
    job = p.add_argument_group("smoke-test job (with --smoke-test; trained at Max in the real window)")
    job.add_argument("--width", type=int, help="map columns (default 40)")
    job.add_argument("--height", type=int, help="map rows (default 40)")
    job.add_argument("--iterations", "--epochs", dest="iterations", type=int,
                     help="epochs: passes over the inputs (default 100)")
    job.add_argument("--seed", type=int, help="random seed (default 7)")
    job.add_argument("--mode", choices=("classic", "batch"), help="training mode")
    p.add_argument("--version", action="version", version=f"somdesk {somdesk.__version__}")
    return p


def _sub_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The subcommands' parser; for `quantize` only its own (the others' imports -- palette
    formats, tables -- cost ~0.15 s of a command that is timed against pngquant)."""
    from somdesk import cli_quantize

    p = _Parser(prog="somdesk")
    # an option no subcommand knows is reported by this parser: point at the subcommand's help
    # (testerC #11: `train --bogus` said "see 'somdesk --help'")
    if command in SUBCOMMANDS:
        p.hint = ("somdesk train --table FILE --help" if command == "train-table" else f"somdesk {command} --help")
    p.add_argument("--version", action="version", version=f"somdesk {somdesk.__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    if command == "quantize":
        cli_quantize.register(sub)
        return p
    from somdesk import cli_train

    cli_train.register(sub)
    cli_quantize.register(sub)
    from somdesk import cli_table
    cli_table.register(sub)
    try:
        from somdesk import cli_palette
    except ImportError:  # pragma: no cover - palette support is part of the package
        pass
    else:
        cli_palette.register(sub)
    if "train-table" in sub.choices:     # its own help, not plain `train`'s
        sub.choices["train-table"].hint = "somdesk train --table FILE --help"
    return p


def _check_display() -> None:
    """On Linux without a display Qt aborts the process; say so clearly instead."""
    import os

    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise UsageError("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); "
                         "run it in a desktop session, under xvfb-run, or use the headless "
                         "subcommands ('somdesk train --help')")


def _check_smoke_job(args) -> None:
    """The smoke test's bad input is refused before the window opens, one `error:` line and exit
    2 like every command (tester6 F20: the window opened, then "FAILED" and exit 1): the output
    (writable, a .png name), the job's options (the core's ranges) and the files (readable)."""
    from somdesk.cli_outputs import check_writable
    from somdesk.cli_train import in_flag_words
    from somdesk.core.options import SOMConfig
    from somdesk.io.names import require_suffix, stat_input

    check_writable(args.smoke_test, inputs=args.files)     # not over a file it opens (testerC #1's kind)
    require_suffix(args.smoke_test, (".png",), "--smoke-test writes a PNG picture")
    given = {k: getattr(args, k) for k in ("width", "height", "iterations", "seed", "mode")}
    with in_flag_words(args):       # the core's one range check, in the flags' words
        SOMConfig(**{"width": 40, "height": 40, "iterations": 100,
                     **{k: v for k, v in given.items() if v is not None}})
    for f in args.files:
        stat_input(f)


def _check_missing_files(files: list[str]) -> None:
    """FileFormatError (one line, exit 2) for a FILE to open that does not exist, before the
    display is looked for: without a display `somdesk nosuchfile.csv` said only "no display"
    (testerC #14).  A glob pattern and anything that exists are left to the window."""
    from somdesk.io.names import stat_input

    for f in files:
        if not os.path.lexists(f) and not any(c in f for c in "*?["):
            stat_input(f)           # raises its "no such file" message


def _check_command_word(argv: list[str]) -> None:
    """A first word that is no subcommand, no option, no existing file and has no extension is a
    mistyped subcommand, not a file to open in the window (tester7 #11: `somdesk palete info x.gpl`
    said "no display to open the window on", or opened the window on a file "palete")."""
    if not argv or argv[0].startswith("-") or os.path.exists(argv[0]) or os.path.splitext(argv[0])[1]:
        return
    import difflib

    commands = ("train", "palette", "quantize", "table", "assign")
    close = difflib.get_close_matches(argv[0], commands, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise UsageError(f"unknown command {argv[0]!r} ({', '.join(commands)}){hint}")


def main(argv: list[str] | None = None) -> int:
    """Run the command `argv` (default: the process's arguments) and return its exit status:
    0 done, 2 a user error (one `error:` line), 1 the window failed, 130 interrupted.  The one
    way out (`sys.exit(main())`: the `somdesk` script and `python -m somdesk`): what the
    command opened is closed before this returns (_finish), so nothing is left for the
    interpreter's shutdown to tear down (tester10 #3: exit status 134 after a normal output)."""
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        # the process's own command (argv None): a Ctrl+C after the command is over raises
        # nothing (cli_interrupt.after_command); a caller passing argv keeps Python's handler
        return _run(words, program=argv is None)
    finally:
        names = sys.modules.get("somdesk.io.names")
        if names is not None:           # the window (a test's, in this process) names files by last part
            names.SPECIAL_FILES_AS_GIVEN = False
        _finish()
        if argv is None and words[:1] and words[0] in SUBCOMMANDS:     # not the window's exit
            _no_collections_at_exit()


def _no_collections_at_exit() -> None:
    """Spare the interpreter's exit its garbage collections, in the `somdesk` process of a
    subcommand only (its command is over; the process ends next; the window's exit is left as
    it was).  Python's shutdown runs several full collections over every object numpy, numba,
    DuckDB and Arrow made (~130,000): 1.7-2.2 s at load 10 on 2 cores after any table command,
    so a Ctrl+C took that long more to end it (testerC #5: "within about a second" took up to
    5 s).  `gc.freeze` moves them all out of the collector's sight: the exit
    then takes ~0.25 s.  Everything else of an orderly exit still happens -- the atexit handlers,
    the joins of non-daemon threads, the flush of the streams; objects that only a collection
    would free (cycles) are left for the process's end, where the system frees their memory.
    What holds a resource is closed before this: the outputs by their `with`, DuckDB by _finish."""
    import gc

    gc.freeze()


def _finish() -> None:
    """Close every DuckDB connection still open (duckutil.close_all: each database holds ~9
    threads that must be joined while the interpreter is whole), if the command used one --
    `quantize` never imports the table engine and does not start to here."""
    duckutil = sys.modules.get("somdesk.io.tables.duckutil")
    if duckutil is not None:
        duckutil.close_all()


def _memory_words(args) -> tuple[str, str]:
    """(what the command does, what to do when it runs out of memory): the advice fits the command
    (testerC #7: "try a smaller map or fewer samples" for `assign`, whose map is given).  The
    phases of a long run (cli_progress.RunProgress) name what it does more closely."""
    command = getattr(args, "command", None)
    chunked = bool(getattr(args, "out_of_core", False) or getattr(args, "dask", None))
    limit = "raise the memory limit (ulimit -v)" if memory.address_limit() is not None else "close other programs"
    if command == "train-table":
        if chunked:
            return "training on the table in chunks", f"train a smaller map (--width, --height); or {limit}"
        return ("training on the table", "add --out-of-core to read the table in chunks, or "
                f"train a smaller map (--width, --height); or {limit}")
    if command == "assign":
        if chunked or any(c in str(getattr(args, "data", "")) for c in "*?["):
            return "scoring the rows in chunks", limit
        return "scoring the rows", f"add --out-of-core to read and score the rows in chunks; or {limit}"
    if command == "table":
        return "reading the table", limit
    if command == "train":
        return "training the map", f"train a smaller map (--width, --height) or on fewer samples; or {limit}"
    if command == "quantize":
        return "quantising the picture", f"try a smaller picture; or {limit}"
    if command == "palette":
        return "reading the palette", limit
    return "", ""


def _out_of_memory() -> int:
    """The one line of every out-of-memory shape (core.memory), exit status 2."""
    print(f"error: {memory.message()}", file=sys.stderr)
    return 2


def _stdout_to_devnull() -> None:
    """Point standard output's descriptor at /dev/null, so the interpreter's final flush of
    what is still buffered stays quiet (a reader gone, a full disk: said once already)."""
    if sys.stdout is None:      # closed (`>&-`): nothing buffered to flush
        return
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _run(argv: list[str], program: bool = False) -> int:
    memory.limit_arenas()      # under `ulimit -v`: 64 MB of address space per thread no longer (core.memory)
    try:
        if argv[:1] == ["train"] and any(a == "--table" or a.startswith("--table=") for a in argv):
            argv[0] = "train-table"           # `somdesk train --table FILE`: somdesk/cli_table.py
        if argv and argv[0] in SUBCOMMANDS:
            if argv[0] == "quantize" and "numpy" not in sys.modules:
                # its matrix products run on one BLAS thread (palette_fit): starting OpenBLAS
                # without its thread pool saves ~50 ms of start-up
                import os
                os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
            from somdesk.io import names
            names.SPECIAL_FILES_AS_GIVEN = True     # "cannot read /dev/zero", as typed (testerC #11)
            from somdesk.cli_interrupt import guard
            from somdesk.cli_outputs import Written
            Written.current = None       # what this command writes: said if a Ctrl+C stops it
            real = sys.stdout
            sys.stdout = _GuardedStdout(real)
            try:
                # Ctrl+C: `error: interrupted`, 130, whatever was running -- the parsing too, whose
                # imports (numpy, the palette formats) are no place for a KeyboardInterrupt (cli_interrupt)
                with guard(program):
                    args = _sub_parser(argv[0]).parse_args(argv)
                    memory.set_phase(*_memory_words(args))   # what an out-of-memory error says, until a phase is named
                    from somdesk.cli_outputs import check_outputs
                    check_outputs(args)          # empty names, two outputs in one file, scores as .xlsx
                    code = int(args.func(args) or 0)
                    sys.stdout.flush()       # here, where a closed pipe is handled, not at the interpreter's exit
            finally:
                sys.stdout = real
            return code
        _check_command_word(argv)
        args = _gui_parser().parse_args(argv)
        if args.smoke_test:
            _check_smoke_job(args)
        options = {k: getattr(args, k) for k in ("width", "height", "iterations", "seed", "mode")}
        if any(v is not None for v in options.values()) and not args.smoke_test:
            # before the display check: without a display the message was "no display" (tester7 #11)
            raise UsageError("--width, --height, --iterations, --seed and --mode go with --smoke-test "
                             "(the window's own settings are on its left panel)")
        _check_missing_files(args.files)      # a typo is said before "no display" (testerC #14)
        _check_display()
        from somdesk.gui.app import main as gui_main  # Qt is imported only here

        return int(gui_main(args.files, smoke_test=args.smoke_test, smoke_options=options) or 0)
    except _StdoutError as exc:
        print(f"error: {exc}", file=sys.stderr)
        _stdout_to_devnull()        # what is still buffered would fail again at the interpreter's exit
        return 2
    except SomdeskError as exc:
        if memory.is_out_of_memory(exc):     # a reader that worded a failed allocation as a bad file
            return _out_of_memory()
        # a file name that is not UTF-8 (tester7 #20) holds surrogates: written escaped, not a traceback
        # and a control character in a name (a newline, ESC) shown escaped: one line (tester11 #4)
        from somdesk.io.names import one_line

        # a window choice the shared message names, as the CLI's flag (core.choice_words.cli_words)
        from somdesk.core.choice_words import cli_words

        print(one_line(f"error: {cli_words(str(exc))}").encode("utf-8", "backslashreplace").decode("utf-8"),
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # and the outputs written before the stop, which are kept (cli_outputs.Written)
        outputs = sys.modules.get("somdesk.cli_outputs")
        print(outputs.interrupted_line() if outputs is not None else "error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`somdesk palette info --json | head`): not an error
        _stdout_to_devnull()
        return 0
    except Exception as exc:
        # every shape of out of memory (MemoryError, DuckDB's, a thread or library that could not
        # be mapped: core.memory) is one line; anything else is a bug and keeps its traceback
        if memory.is_out_of_memory(exc):
            return _out_of_memory()
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def ensure_app_for_bench():
    """The QApplication as the app makes it (benchmarks and tools; imports Qt)."""
    from somdesk.gui.app import ensure_app

    return ensure_app()
