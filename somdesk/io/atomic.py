"""Atomic file replacement: a save either fully happens or leaves the old file.

We write to a temporary file in the *same folder* (so `os.replace` is a
rename on one filesystem, atomic on POSIX and Windows), flush and fsync it,
then rename it over the target and fsync the folder (POSIX) so the rename
itself survives a crash.  On any exception the temporary file is removed and
the previous file is untouched, byte for byte.

OS-level failures (folder missing or read-only, bad file name, disk full,
target is a folder) become `SomdeskError` with the path and the reason.
Exceptions raised by the caller's own code inside `atomic_open` propagate
unchanged.
"""
from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from typing import IO, Iterator

from somdesk.errors import SomdeskError
from somdesk.io.names import display_name

__all__ = ["atomic_write_bytes", "atomic_open"]




def _error(path: str, exc: BaseException) -> SomdeskError:
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return SomdeskError(f"cannot write {display_name(path)}: {reason}")


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


def _target_mode(path: str) -> int:
    """Keep an existing file's permissions; new files get 0666 & ~umask.

    mkstemp creates 0600 files, which would silently make saved palettes
    private to the user.
    """
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_current_umask()


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


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "wb", *, encoding: str | None = None,
                newline: str | None = None) -> Iterator[IO]:
    """Open a temporary file that replaces `path` when the block exits cleanly.

    `mode` is "wb" (default) or "w" (text; `encoding` defaults to UTF-8).
    An `OSError` escaping the block (typically a failed ``write``: disk
    full, quota) is reported as a `SomdeskError` for `path`; any other
    exception propagates unchanged.  Either way the old file is untouched
    and the temporary file is gone.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open supports modes 'w' and 'wb', not {mode!r}")
    try:
        path = os.fspath(path)
    except TypeError as exc:
        raise SomdeskError(f"cannot write {path!r}: not a file path") from exc
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path or path.endswith("/") or (os.altsep and path.endswith(os.altsep)) \
            or path.endswith(os.sep):
        raise SomdeskError(f"cannot write {display_name(path)}: not a file name")
    if os.path.islink(path):
        # Replace the file the link points at, not the link itself: people
        # keep palettes in synced folders and link them in.
        path = os.path.realpath(path)
    if os.path.isdir(path):
        raise SomdeskError(f"cannot write {display_name(path)}: it is a folder")
    folder = os.path.dirname(os.path.abspath(path))
    if "\0" not in path and not os.path.isdir(folder):
        raise SomdeskError(f"cannot write {display_name(path)}: the folder {display_name(folder)} does not exist")
    base = os.path.basename(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{base[:64]}.", suffix=".tmp", dir=folder)
    except (OSError, ValueError) as exc:
        raise _error(path, exc) from None

    file_mode = _target_mode(path)
    committed = False
    f = None
    try:
        try:
            if mode == "wb":
                f = os.fdopen(fd, "wb")
            else:
                f = os.fdopen(fd, "w", encoding=encoding or "utf-8", newline=newline)
        except BaseException:
            os.close(fd)   # fdopen failed, so nothing else owns the descriptor
            raise
        with f:            # from here the file object owns (and closes) fd
            yield f
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, file_mode)   # a nicety; the data is what matters
        os.replace(tmp, path)
        committed = True
        _fsync_dir(folder)
    except OSError as exc:
        raise _error(path, exc) from None
    finally:
        if not committed:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Replace `path` with `data` atomically (see module docstring)."""
    with atomic_open(path, "wb") as f:
        f.write(data)
