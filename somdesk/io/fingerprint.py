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

__all__ = ["file_stamp", "file_fingerprint", "fingerprint_change", "CHANGED_AFTER_READ"]

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
    "blocks"} of the file at `path`, or None when it cannot be read (nothing to compare later)."""
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
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
    09:14 UTC"), or None when it holds the same.  A file that cannot be read is a change."""
    now = file_fingerprint(path)
    if now is None:
        return "it cannot be read"
    if now["size"] != saved.get("size"):
        return f"it is {now['size']:,} bytes now, {int(saved.get('size') or 0):,} then"
    if now["sha256"] != saved.get("sha256"):
        when = datetime.datetime.fromtimestamp(now["mtime"], datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        return f"its content differs, modified {when}"
    return None
