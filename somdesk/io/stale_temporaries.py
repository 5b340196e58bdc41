"""Stale temporary files of `somdesk.io.atomic` saves, and their removal.

A save that is killed (power cut, SIGKILL) leaves
its temporary file behind.  Each save first removes, from the folder it saves
into, every *stale* temporary file of ours: a regular file owned by this user
whose name is ``.NAME.XXXXXXXX.tmp`` (8 of [a-z0-9_]: the names `atomic_open` gives its temporary files), that
no live process holds an `flock` on (every save holds one on its temporary
file while it writes; the kernel drops it when the writer dies), that no live
process has open at all (Linux: /proc/*/fd, so another program's file that
happens to match the pattern is safe while it is being written) and that is at
least STALE_MIN_AGE seconds old (covering the instant between creating the
file and locking it where /proc is missing).  Where `flock` does not exist (Windows), only files
untouched for STALE_AGE_UNLOCKED seconds are removed.  The whole folder, not
only the same name, is cleaned: a killed save of ``a.somz`` is as stale as one
of ``b.somz``.
"""
from __future__ import annotations

import contextlib
import os
import re
import stat
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = ["remove_stale_temporaries"]

STALE_MIN_AGE = 2.0           # seconds: an unlocked temporary file younger than this is left alone
STALE_AGE_UNLOCKED = 3600.0   # seconds: without flock (Windows) only this old counts as stale
_TEMP_NAME = re.compile(r"\A\..+\.[a-z0-9_]{8}\.tmp\Z", re.DOTALL)


def _locked_by_a_live_writer(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    return False


def _open_anywhere(keys: set) -> set:
    """Which of `keys` ((st_dev, st_ino) pairs) some live process has open, from /proc.

    Linux only (elsewhere: nothing found, and the lock and age rules decide).  We see
    the descriptors of our own user's processes (all of them as root); other users'
    files are never candidates anyway.
    """
    found = set()
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return found
    for pid in pids:
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                st = os.stat(f"{fd_dir}/{fd}")
            except OSError:
                continue
            if (st.st_dev, st.st_ino) in keys:
                found.add((st.st_dev, st.st_ino))
    return found


def remove_stale_temporaries(folder: str) -> int:
    """Remove our stale ``.NAME.XXXXXXXX.tmp`` files from `folder` (see the module docstring).

    Best effort: anything that cannot be checked or removed is left alone.
    Returns how many files were removed.
    """
    now = time.time()
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    candidates = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if not (name.startswith(".") and name.endswith(".tmp") and _TEMP_NAME.match(name)):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if not stat.S_ISREG(st.st_mode) or (uid is not None and st.st_uid != uid):
                    continue
                age = now - st.st_mtime
                if age >= (STALE_AGE_UNLOCKED if fcntl is None else STALE_MIN_AGE):
                    candidates.append((entry.path, st))
    except OSError:
        return 0
    if not candidates:
        return 0
    removed = 0
    if fcntl is None:
        for path, _st in candidates:
            with contextlib.suppress(OSError):
                os.unlink(path)
                removed += 1
        return removed
    # a file some process still has open is not stale, locked or not (another program's
    # temporary file that happens to match our pattern, or a writer that has not locked yet)
    busy = _open_anywhere({(st.st_dev, st.st_ino) for _p, st in candidates})
    for path, st in candidates:
        if (st.st_dev, st.st_ino) in busy:
            continue
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            if os.fstat(fd).st_ino == st.st_ino and not _locked_by_a_live_writer(fd):
                os.unlink(path)   # still holding the probe lock: no writer can start on it
                removed += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed
