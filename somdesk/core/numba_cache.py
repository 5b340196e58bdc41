"""Where numba keeps the kernels it compiles: one folder per version of somdesk/core's sources.

numba's on-disk cache (`cache=True`) checks only the decorated function's own
source file, not the functions it calls in other modules: after an edit to
_kernels_numba.py, a cached kernel of _online_numba.py that calls into it keeps
running the old machine code (seen here: resumed training no longer equal to
uninterrupted training after a merge, until the cache was deleted).  So every
module that compiles with `cache=True` calls `configure()` first, which points
numba at ``<base>/core-<fingerprint>``: any edit to somdesk/core starts a fresh
cache.  <base> is NUMBA_CACHE_DIR when set, else somdesk/core/__pycache__/numba;
where that cannot be written numba falls back to its own locations.  Folders of
other fingerprints untouched for a week are removed.
"""
from __future__ import annotations

import os
import shutil
import time

__all__ = ["configure", "cache_dir"]

STALE_AFTER = 7 * 24 * 3600.0     # seconds: another version's folder this old is removed
_configured: str | None = None


def cache_dir() -> str:
    """The folder numba caches into for today's somdesk/core sources (absolute path)."""
    from somdesk.core.aot_fingerprint import source_fingerprint

    base = os.environ.get("NUMBA_CACHE_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                              "__pycache__", "numba")
    return os.path.join(os.path.abspath(base), f"core-{source_fingerprint():016x}")


def configure() -> str:
    """Point numba's cache at `cache_dir()` (once per process; before any `cache=True` kernel)."""
    global _configured
    if _configured is None:
        import numba

        _configured = cache_dir()
        numba.config.CACHE_DIR = _configured
        _remove_old(os.path.dirname(_configured), os.path.basename(_configured))
    return _configured


def _remove_old(base: str, keep: str) -> None:
    now = time.time()
    try:
        entries = list(os.scandir(base))
    except OSError:
        return
    for e in entries:
        try:
            if e.name.startswith("core-") and e.name != keep and now - e.stat().st_mtime > STALE_AFTER:
                shutil.rmtree(e.path, ignore_errors=True)
        except OSError:
            pass
