"""Atomic file replacement: a save either fully happens or leaves the old file.

Every writer in somdesk (maps, weights, PNGs, time-lapses, palettes, metrics,
CSVs) goes through `atomic_open` / `atomic_write_bytes`.  What happens depends
on what the target name is *now* (symbolic links followed):

  regular file or nothing  We write a temporary file ``.NAME.XXXXXXXX.tmp`` in
                     the *same folder* (so `os.replace` is a rename on one
                     filesystem, atomic on POSIX and Windows), flush and fsync
                     it, rename it over the target and fsync the folder (POSIX)
                     so the rename itself survives a crash.  On any exception
                     the temporary file is removed and the previous file is
                     untouched, byte for byte.  The old file's permissions (and,
                     when running as root, owner) are kept.  A hard-linked file
                     is replaced under this name only; its other names keep the
                     old content (the price of atomicity).
  symbolic link      The link stays a link: the file it finally points at is
                     replaced atomically, next to itself (a dangling link gets
                     its target created).  A link loop is an error.
  character device   Written through in place (``/dev/null``, ``/dev/stdout``,
                     a terminal): what ``cmd > /dev/null`` does.  Never replaced
                     by a regular file.  A device that refuses the data
                     (``/dev/full``: no space left) is an error.  Not atomic.
  FIFO (named pipe)  Written through in place once a reader has it open (we
                     wait up to FIFO_WAIT seconds for one, then report that no
                     process is reading).  Not atomic.
  folder, socket,    Refused with a SomdeskError, before anything is written
  block device       (a disk is never written to as a file).
  "-"                This process's standard output, written through (the command
                     line's convention; a file named "-" is written as ``./-``).
                     So is a regular file that standard output is open on
                     (``/dev/stdout`` under ``> f`` or ``>> f``): never renamed over.
                     A reader of standard output that goes away (``| head``)
                     raises BrokenPipeError, not SomdeskError: the CLI ends quietly.

**Stale temporary files.**  Each save first removes, from the folder it saves into,
the temporary files that killed saves left behind (`somdesk.io.stale_temporaries`
says which files count as stale and why).

OS-level failures (folder missing or read-only, bad file name, disk full,
special file that cannot be written) become `SomdeskError` naming the path the
caller gave and the reason.  Exceptions raised by the caller's own code inside
`atomic_open` propagate unchanged.
"""
from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import sys
import tempfile
import time
from typing import IO, Iterator

from somdesk.errors import SomdeskError
from somdesk.io.names import display_name, os_reason
from somdesk.io.stale_temporaries import remove_stale_temporaries

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = ["atomic_write_bytes", "atomic_open", "atomic_path", "check_target", "check_document_target", "remove_stale_temporaries"]

FIFO_WAIT = 10.0              # seconds to wait for a reader of a FIFO


def _error(path: str, exc: BaseException) -> SomdeskError:
    return SomdeskError(f"cannot write {display_name(path)}: {os_reason(exc)}")


def _current_umask() -> int:
    # os.umask() can only be read by setting it, which is not thread-safe;
    # Linux exposes it in /proc, elsewhere assume the usual 022.
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def _fsync_dir(folder: str) -> None:
    if sys.platform.startswith("win"):
        return  # folders cannot be opened for fsync on Windows
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _checked_name(path) -> str:
    try:
        path = os.fspath(path)
    except TypeError as exc:
        raise SomdeskError(f"cannot write {path!r}: not a file path") from exc
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path or path.endswith("/") or (os.altsep and path.endswith(os.altsep)) \
            or path.endswith(os.sep):
        raise SomdeskError(f"cannot write {display_name(path)}: not a file name")
    return path


def _target_stat(path: str) -> os.stat_result | None:
    """stat() of what `path` names now, links followed; None if nothing is there yet."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        if getattr(exc, "errno", None) == errno.ELOOP:
            raise SomdeskError(f"cannot write {display_name(path)}: its symbolic links form a loop") from None
        if getattr(exc, "errno", None) == errno.ENOTDIR:
            raise SomdeskError(f"cannot write {display_name(path)}: a part of the path is not a folder") from None
        if isinstance(exc, ValueError):   # e.g. an embedded NUL: mkstemp reports it below
            return None
        raise _error(path, exc) from None


# -- special files: written through in place ----------------------------------------
def _open_fifo(path: str) -> int:
    deadline = time.monotonic() + FIFO_WAIT
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as exc:
            if exc.errno != errno.ENXIO:     # ENXIO: nobody has the FIFO open for reading yet
                raise
            if time.monotonic() >= deadline:
                raise SomdeskError(f"cannot write {display_name(path)}: it is a FIFO (named pipe) and no "
                                   f"process opened it for reading within {FIFO_WAIT:g} s") from None
            time.sleep(0.02)
    if fcntl is not None:   # back to blocking writes: a slow reader must not lose data
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
    return fd


class _Stream(io.RawIOBase):
    """A device or FIFO as a write-only stream: every write is written in full, tell()
    counts the bytes written, seek() is refused.

    /dev/null accepts seek() and always answers tell() == 0; a writer that
    seeks back to patch a header (zipfile does) would then write a corrupt
    stream.  Refusing seek makes such writers use their streaming mode, and not
    being an io.FileIO keeps numpy from bypassing write() with tofile().
    """

    def __init__(self, fd: int):
        super().__init__()
        self._fd = fd
        self._written = 0

    def fileno(self) -> int:
        return self._fd

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def seek(self, *args):
        raise io.UnsupportedOperation("seek")

    def tell(self) -> int:
        return self._written

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            done += os.write(self._fd, view[done:])
        self._written += done
        return done

    def close(self) -> None:
        if not self.closed:
            try:
                super().close()
            finally:
                os.close(self._fd)


@contextlib.contextmanager
def _write_through(path: str, st: os.stat_result, mode: str, encoding, newline) -> Iterator[IO]:
    try:
        fd = _open_fifo(path) if stat.S_ISFIFO(st.st_mode) else os.open(path, os.O_WRONLY)
    except OSError as exc:
        raise _error(path, exc) from None
    f = _Stream(fd)
    if mode == "w":
        f = io.TextIOWrapper(io.BufferedWriter(f), encoding=encoding or "utf-8", newline=newline)
    try:
        with f:
            yield f
            f.flush()
    except BrokenPipeError as exc:
        if _is_standard_output(st):
            raise               # our stdout's reader went away (`| head`): see _standard_output
        raise _error(path, exc) from None
    except OSError as exc:
        raise _error(path, exc) from None


# -- regular files: replaced atomically ----------------------------------------------
def _keep_metadata(tmp: str, old: os.stat_result | None) -> None:
    """Give the new file the old one's permissions (and owner, as root); new files 0666 & ~umask.

    mkstemp creates 0600 files, which would silently make saved palettes private.
    A nicety: the data is what matters, so failures are ignored.
    """
    with contextlib.suppress(OSError):
        os.chmod(tmp, stat.S_IMODE(old.st_mode) if old is not None else 0o666 & ~_current_umask())
    if old is not None and hasattr(os, "geteuid") and os.geteuid() == 0:
        with contextlib.suppress(OSError):
            os.chown(tmp, old.st_uid, old.st_gid)


@contextlib.contextmanager
def _replace(shown: str, path: str, old: os.stat_result | None, mode: str, encoding, newline) -> Iterator[IO]:
    with _replace_named(shown, path, old, mode, encoding, newline) as (f, _):
        yield f


@contextlib.contextmanager
def _replace_named(shown: str, path: str, old: os.stat_result | None, mode: str, encoding,
                   newline) -> Iterator[tuple[IO, str]]:
    """_replace's work, giving (the temporary file open, its name)."""
    folder = os.path.dirname(os.path.abspath(path))
    remove_stale_temporaries(folder)
    base = os.path.basename(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{base[:64]}.", suffix=".tmp", dir=folder)
    except (OSError, ValueError) as exc:
        if getattr(exc, "errno", None) == errno.ENOENT and os.path.isdir(folder):
            # the folder is there but takes no new files (/proc, /sys): "no such file" said nothing
            # of what is wrong (testerC #11: `--out /proc/version.csv`)
            raise SomdeskError(f"cannot write {display_name(shown)}: the folder {display_name(folder)} does not "
                               "let files be created in it") from None
        raise _error(shown, exc) from None
    committed = False
    try:
        try:
            if fcntl is not None:   # tells remove_stale_temporaries in other processes we are alive
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            f = os.fdopen(fd, "wb") if mode == "wb" else os.fdopen(fd, "w", encoding=encoding or "utf-8",
                                                                   newline=newline)
        except BaseException:
            os.close(fd)   # fdopen failed, so nothing else owns the descriptor
            raise
        with f:            # from here the file object owns (and closes) fd
            yield f, tmp
            f.flush()
            os.fsync(f.fileno())
            _keep_metadata(tmp, old)
            if fcntl is not None:   # rename before closing: the lock lasts until the name is final
                os.replace(tmp, path)
                committed = True
        if not committed:           # Windows cannot rename a file that is still open
            os.replace(tmp, path)
            committed = True
        _fsync_dir(folder)
    except OSError as exc:
        raise _error(shown, exc) from None
    finally:
        if not committed:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def atomic_open(path: str | os.PathLike, mode: str = "wb", *, encoding: str | None = None,
                newline: str | None = None):
    """A context manager giving a file whose content replaces `path` when the block exits cleanly.

    `mode` is "wb" (default) or "w" (text; `encoding` defaults to UTF-8).  What
    "replace" means for links, devices and FIFOs is in the module docstring.
    An `OSError` escaping the block (typically a failed ``write``: disk full,
    quota) is reported as a `SomdeskError` for `path`; any other exception
    propagates unchanged.  Either way a regular target is untouched and the
    temporary file is gone.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open supports modes 'w' and 'wb', not {mode!r}")
    if isinstance(path, str) and path == "-":
        return _standard_output(mode, encoding)
    shown, st, target = _plan(path)
    if target is None:
        return _write_through(shown, st, mode, encoding, newline)
    if _is_standard_output(st):
        # /dev/stdout with standard output redirected to a file (`> f`, `>> f`): written through
        # this process's stdout like "-", not renamed over the file -- a rename would drop what
        # `>>` appends to, and the shell's descriptor would keep the old, unlinked file (testerC #5)
        return _standard_output(mode, encoding)
    return _replace(shown, target, st, mode, encoding, newline)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[str]:
    """A context manager giving a *file name* whose content replaces `path` when the block exits
    cleanly: for writers that take a name, not a file object (DuckDB's COPY ... TO).

    For a regular target (or nothing yet) the name is atomic_open's temporary file beside it
    (the same folder, so the same filesystem: never $TMPDIR), locked against other processes'
    stale-file cleanup, then fsynced and renamed over `path`; on any exception it is removed
    and `path` is untouched.  A device or FIFO is given by its own name (written through).
    Standard output ("-", or the file it is redirected to) has no name to give: SomdeskError.
    OSError in the block: SomdeskError for `path`, as atomic_open.
    """
    if isinstance(path, str) and path == "-":
        raise SomdeskError("cannot write - (standard output): this format is written to a named file only")
    shown, st, target = _plan(path)
    if target is None:
        try:
            yield shown
        except OSError as exc:
            raise _error(shown, exc) from None
        return
    if _is_standard_output(st):
        raise SomdeskError(f"cannot write {display_name(shown)}: it is standard output, and this format is "
                           "written to a named file only")
    with _replace_named(shown, target, st, "wb", None, None) as (_, tmp):
        # the writer opens the name itself: our descriptor stays open for the lock and the
        # fsync, and writes nothing; the writer's bytes land in the same file
        yield tmp


def _is_standard_output(st: os.stat_result | None) -> bool:
    """Is the existing regular file of stat `st` the one this process's standard output
    (descriptor 1) is open on?"""
    try:
        out = os.fstat(1)
    except (OSError, ValueError):
        return False
    return st is not None and (st.st_dev, st.st_ino) == (out.st_dev, out.st_ino)


@contextlib.contextmanager
def _standard_output(mode: str, encoding) -> Iterator[IO]:
    """"-": this process's standard output, written through (the command-line convention, as
    ``--metrics-json -``: tester12 #4, `quantize IN -` wrote a file named "-").  Not atomic."""
    raw = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
    try:
        if mode == "wb":
            if raw is None:         # a stand-in stdout without bytes (a test's capture): its text layer
                raise SomdeskError("cannot write - (standard output): it takes no bytes here")
            yield raw
            raw.flush()
        else:
            if raw is None:
                yield sys.stdout
            else:
                sys.stdout.flush()
                out = io.TextIOWrapper(raw, encoding=encoding or "utf-8", newline=None, write_through=True)
                try:
                    yield out
                    out.flush()
                finally:
                    out.detach()
    except BrokenPipeError:
        # the reader went away (`somdesk assign ... --out - | head -1`): not an error of the
        # write -- the command's caller ends quietly, as Unix tools do (testerC #10)
        raise
    except OSError as exc:
        raise SomdeskError(f"cannot write - (standard output): {os_reason(exc)}") from None


def _plan(path) -> tuple[str, os.stat_result | None, str | None]:
    """(name as given, its stat or None, the regular file to replace or None to write through).

    SomdeskError for a bad name, a refused kind of file or a missing folder.
    """
    shown = _checked_name(path)
    st = _target_stat(shown)
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
            return shown, st, None
        kind = ("a folder" if stat.S_ISDIR(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
                else "a block device (a disk)" if stat.S_ISBLK(st.st_mode) else "not a regular file")
        raise SomdeskError(f"cannot write {display_name(shown)}: it is {kind}")
    # a regular file or nothing yet: replace the file the links finally point at, next to it
    target = os.path.realpath(shown) if os.path.islink(shown) else shown
    folder = os.path.dirname(os.path.abspath(target))
    if "\0" not in target and not os.path.isdir(folder):
        raise SomdeskError(f"cannot write {display_name(shown)}: the folder {display_name(folder)} does not exist")
    return shown, st, target


def check_target(path: str | os.PathLike) -> None:
    """Raise now the SomdeskError that saving to `path` would raise for its name, its kind
    (folder, socket, block device, link loop) or a missing folder; writes nothing.

    For checks before long work (`somdesk train` checks every output before training).
    Disk full, permissions and a FIFO nobody reads can still fail the save itself.
    """
    _plan(path)


def check_document_target(path: str | os.PathLike) -> None:
    """Raise SomdeskError when `path` exists and is not a regular file (after links).

    For saving a *document* -- a map the window or session then calls saved, lists in Open
    Recent and reopens.  Exports and the CLI's outputs may write through a device or a FIFO
    (`cmd > /dev/null`, see the module docstring); a save may not: "saving" a map to
    /dev/null would lose it while the work is marked saved, and a FIFO would keep a window
    waiting for a reader.  The file is named by its last part and what it is said (io.names
    .display_basename, special_kind: "cannot save to null: it is a device, not a regular file"),
    as the window names every file it reads (tester13 #10); the window's save dialogs and saves
    are this check's only callers.
    """
    from somdesk.io.names import display_basename, refuse_fifo, special_file_name, special_kind

    refuse_fifo(path)          # the window's one wording for a pipe, for saves and exports alike
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return                 # a new file, or a problem the writer itself reports
    if not stat.S_ISREG(st.st_mode):
        what = "a folder" if stat.S_ISDIR(st.st_mode) else special_kind(st.st_mode)
        # a device by its path ("/dev/full", not "full"); a folder given as "dir/" by "dir", not ''
        # (testerW #8)
        name = os.fspath(path).rstrip("/" + (os.altsep or "")) or os.fspath(path)
        shown = special_file_name(name, st.st_mode) if not stat.S_ISDIR(st.st_mode) else display_basename(name)
        raise SomdeskError(f"cannot save to {shown}: it is {what}, not a regular file; choose a file name")


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Replace `path` with `data` atomically (see the module docstring)."""
    with atomic_open(path, "wb") as f:
        f.write(data)


def write_json(dest: str | os.PathLike, obj, indent: int = 2) -> None:
    """`obj` as JSON plus a newline: printed when `dest` is "-" (the CLI's --metrics-json -),
    else written to `dest` atomically."""
    import json

    text = json.dumps(obj, indent=indent)
    if os.fspath(dest) == "-":
        print(text)
        # now, not at the command's end: a failure (a full disk behind `> f`) is this write's,
        # said before the summary line and counted by the caller's cli_outputs.Written
        sys.stdout.flush()
    else:
        atomic_write_bytes(dest, (text + "\n").encode())
