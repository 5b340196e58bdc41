"""A file's fingerprint: enough to tell later whether it still holds what it held (tester9 #8).

    fp = file_fingerprint("customers.csv")      # {"size", "mtime", "sha256", "hashed"}
    fingerprint_change(fp, "customers.csv")     # None, or what differs, in words

A reopened table map reads its table again from where it was; a file replaced or edited since
must not pass for the table the map was trained on.  The content hash covers the whole file
up to WHOLE_BYTES, else BLOCKS blocks of BLOCK_BYTES spread evenly over it (the first and the
last included): one read of at most 16 MiB however big the file (an edit inside a big file that
keeps its size and misses the blocks goes unseen; the rows read are compared too).  The modification time is
kept to be shown, not compared: a copy (the map and its table moved together) gets a new one
and holds the same table.
"""
from __future__ import annotations

import datetime
import hashlib
import os
import stat
from somdesk.core.options import count_text

__all__ = ["file_stamp", "file_fingerprint", "fingerprint_change", "CHANGED_AFTER_READ", "valid_fingerprint",
           "saved_path_problem", "checked_saved_path", "other_name_problem", "shown_path", "SYSTEM_FOLDERS"]

WHOLE_BYTES = 16 << 20     # sha256 of 16 MiB: ~70 ms on a loaded 2-core machine (2026-12-01)
BLOCKS = 16
BLOCK_BYTES = 1 << 20


# the "sha256" of a fingerprint whose file changed between its read and the hashing: equals no digest
CHANGED_AFTER_READ = "changed after it was read"


def file_stamp(path) -> tuple | None:
    """(size, modification time in ns, inode, device) of the file at `path`, or None when it
    cannot be stat'ed: one stat, taken when a table is read, so that the hash taken later (a
    map saved from it, file_fingerprint) can be checked to be of the same file content."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (int(st.st_size), int(st.st_mtime_ns), int(st.st_ino), int(st.st_dev))


def file_fingerprint(path) -> dict | None:
    """{"size": bytes, "mtime": seconds since the epoch, "sha256": hex digest, "hashed": "whole" or
    "blocks"} of the file at `path`, or None when it cannot be read (nothing to compare later) or
    is not a regular file: a FIFO would block the open and a device never end (tester10 #21: a
    saved map names the file it is checked against), so the open does not wait and the file is
    looked at (fstat) before a byte is read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):          # ValueError: a NUL or an unencodable character in the path
        return None
    try:
        f = os.fdopen(fd, "rb")
    except OSError:
        os.close(fd)
        return None
    try:
        with f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None
            size = st.st_size
            h = hashlib.sha256()
            if size <= WHOLE_BYTES:
                for chunk in iter(lambda: f.read(BLOCK_BYTES), b""):
                    h.update(chunk)
                hashed = "whole"
            else:
                step = (size - BLOCK_BYTES) / (BLOCKS - 1)
                for k in range(BLOCKS):
                    f.seek(int(k * step))
                    h.update(f.read(BLOCK_BYTES))
                hashed = "blocks"
    except OSError:
        return None
    return {"size": int(size), "mtime": float(st.st_mtime), "sha256": h.hexdigest(), "hashed": hashed}


def fingerprint_change(saved: dict, path) -> str | None:
    """What differs between the file at `path` and its fingerprint `saved` (file_fingerprint), in
    words ("it is 1,204 bytes now, 1,180 then"; "its content differs, modified 2026-12-01
    09:14 UTC"), or None when it holds the same.  A file that cannot be read, or a fingerprint
    that is not one (`valid_fingerprint`: a damaged or hostile map), is a change.  The size is
    compared (one stat) before any byte is read: a file of another size is not hashed."""
    if not valid_fingerprint(saved):
        return "the map's record of it is damaged, so it cannot be checked"
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return "it cannot be read"
    if not stat.S_ISREG(st.st_mode):
        return "it is not a regular file"
    if st.st_size != saved["size"]:
        return f"it is {count_text(int(st.st_size), 'byte')} now, {saved['size']:,} then"
    now = file_fingerprint(path)
    if now is None:
        return "it cannot be read"
    if now["size"] != saved["size"]:
        return f"it is {count_text(now['size'], 'byte')} now, {saved['size']:,} then"
    if now["sha256"] != saved.get("sha256"):
        when = datetime.datetime.fromtimestamp(now["mtime"], datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        return f"its content differs, modified {when}"
    return None


# a saved map's fingerprint fields: a map is a file anyone may send (tester10 #21)
MAX_FILE_BYTES = 1 << 62
MAX_PATH_CHARS = 4096                # PATH_MAX on Linux; a longer saved path names no file to follow
# files there are the system's, never a saved table.  Not /dev: its devices are refused as not
# regular files, and its regular files (/dev/shm, a RAM disk) are the user's (review12 #1)
SYSTEM_FOLDERS = ("/proc", "/sys")


def valid_fingerprint(saved) -> bool:
    """Is `saved` a fingerprint as file_fingerprint (or session.table_source.table_fingerprint)
    writes it: a dict with "size" a whole number of bytes 0..2**62, "sha256" 64 hex digits or
    CHANGED_AFTER_READ, "rows" (optional) a whole number 0..2**62?  A saved map's fingerprint is
    checked with it before it is compared with any file."""
    if not isinstance(saved, dict):
        return False
    size, digest, rows = saved.get("size"), saved.get("sha256"), saved.get("rows")

    def whole(v):
        return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_FILE_BYTES

    return whole(size) and (rows is None or whole(rows)) and isinstance(digest, str) and (
        digest == CHANGED_AFTER_READ or (len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)))


def shown_path(path, limit: int = 120) -> str:
    """`path` for a message: io.names.display_name (control characters, unencodable names shown
    escaped), cut in the middle to at most about `limit` characters (a saved map may name a
    path of thousands)."""
    from somdesk.io.names import display_name

    text = display_name(path if isinstance(path, str) else repr(path))
    return text if len(text) <= limit else f"{text[:limit // 2]}…{text[-(limit // 2):]}"


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + os.sep)


def saved_path_problem(path, name, saved: dict | None = None, *, content_checked: bool = False) -> str | None:
    """Why a saved map may not follow `path` to its table file, in words, or None when it may
    (`checked_saved_path`'s reason; the arguments are the same)."""
    return checked_saved_path(path, name, saved, content_checked=content_checked)[1]


def other_name_problem(real, name) -> str | None:
    """"it is a link to a file of another name, not t.csv" when the real path `real` (a link
    followed) does not end in the table's file name `name`, else None (checked_saved_path's words,
    for a caller that has the real path already: session.table_source)."""
    if os.path.basename(real) == name:
        return None
    return f"it is a link to a file of another name, not {shown_path(name)}"


def checked_saved_path(path, name, saved: dict | None = None, *,
                       content_checked: bool = False) -> tuple[str | None, str | None]:
    """(the real path to read, None) when a saved map may follow `path` to its table file, else
    (None, why not in words).  The caller reads the real path returned, the file checked here,
    not `path` resolved again (review12 #11: a link changed in between would be read unchecked).

    `name` is the table's file name the map saved (its `source`), `saved` its fingerprint
    (None: a map saved before fingerprints; only the path rules then apply).  A saved map is
    a file anyone may send, and on opening it the app reads the file it names (tester10 #21),
    so the path is followed only when
      * it is a path (a str of at most MAX_PATH_CHARS, no NUL) whose file name is `name`;
      * it resolves (symlinks followed) to a regular file -- not a folder, a FIFO, a device,
        a socket, a link loop -- outside /proc and /sys;
      * with a fingerprint: it has the saved size (one stat) and then the saved hash (at most
        16 MiB read, see the module docstring), before the caller reads or parses any of it.
    A link to a file of another name (`latest.csv -> 2026-12-01.csv`) is followed only when the
    content is checked: with a fingerprint that matches, or `content_checked` (the caller
    compares the content itself: session.table_source with the map's fingerprint, a picture
    map with its picture's size).  Unchecked, or not matching, it is not the table (review12
    #1: a link kept a map from its table although the fingerprint matched).
    The words never quote the file's content: "it is a folder", "it is a device or a pipe, not
    a file", "it is in /proc, the system's", "its name is not t.csv", "it is not there",
    "it is a link to a file of another name, not t.csv", "it is 1,204 bytes now, 1,180 then"
    (fingerprint_change).
    """
    if not isinstance(name, str) or not name or name in (".", "..") or os.sep in name or "\0" in name:
        return None, "the map does not name its table file"
    if not isinstance(path, str) or not path or "\0" in path or len(path) > MAX_PATH_CHARS:
        return None, "its path is not one a file can have"
    if os.path.basename(path) != name:
        return None, f"its name is not {shown_path(name)}"
    try:
        real = os.path.realpath(path)
        st = os.stat(real)
    except (OSError, ValueError):            # missing, a link loop, a name too long or unencodable
        return None, "it is not there"
    folder = next((f for f in SYSTEM_FOLDERS if _under(real, f)), None)
    if folder is not None:
        return None, f"it is in {folder}, the system's, not a table file"
    if stat.S_ISDIR(st.st_mode):
        return None, "it is a folder"
    if not stat.S_ISREG(st.st_mode):
        return None, "it is a device or a pipe, not a file"
    other_name = other_name_problem(real, name)
    if saved is None:
        return (None, other_name) if other_name and not content_checked else (real, None)
    change = fingerprint_change(saved, real)
    if change is not None:
        return None, other_name or change
    return real, None
