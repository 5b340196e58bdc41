"""Running out of memory: the one rule that recognises it, words it, and keeps it rarer.

Out of memory does not arrive as one exception.  Under a memory cap (`ulimit -v`, a container)
testerC #2 saw five shapes, each a traceback: Python's MemoryError (numpy's _ArrayMemoryError
and pyarrow's ArrowMemoryError are subclasses; pybind11 turns a C++ std::bad_alloc into one),
DuckDB's OutOfMemoryException, `RuntimeError: can't start new thread` (a thread's stack could
not be mapped), llvmlite's `OSError: ... failed to map segment` (numba's compiler library could
not be loaded; ImportError for an extension module) and OSError ENOMEM.  `is_out_of_memory` knows them all (also as the cause or
context of another error); every front end asks it:

    except Exception as exc:
        if not memory.is_out_of_memory(exc):
            raise
        print("error: " + memory.message())      # "out of memory while reading big.csv: ..."

What needed the memory is the phase the work is in: `set_phase(what, advice)` (the CLI's
progress lines set it; `phase(...)` as a block), so the message says what ran out and what to
do about it for this command, not one sentence for every command (testerC #7).

Avoiding it: a memory cap counts address space, not memory used, and glibc reserves 64 MB of
address space for each thread's malloc arena (measured: a DuckDB connection took the process
from 0.33 to 1.08 GB of address space, 0.56 GB with two arenas; resident memory alike).
`limit_arenas()` caps the arenas at two when a cap is set; `available_bytes()` is what DuckDB's
memory_limit is sized from (io/tables/duckutil.config), so it spills to disk before the cap.
"""
from __future__ import annotations

import errno
import os
import threading

__all__ = ["is_out_of_memory", "available_bytes", "address_limit", "limit_arenas", "set_phase", "phase",
           "current_phase", "message", "limit_clause", "bytes_text"]

_lock = threading.Lock()
_phase: tuple[str, str] = ("", "")

#: what the message says when nobody named the phase or the advice
DEFAULT_WHAT = "working"
DEFAULT_ADVICE = "close other programs or raise the memory limit (ulimit -v), then try again"


def _shape(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    name = type(exc).__name__
    if name == "OutOfMemoryException":                   # duckdb
        return True
    text = str(exc)
    if isinstance(exc, RuntimeError) and "can't start new thread" in text:
        return True
    if isinstance(exc, OSError) and exc.errno == errno.ENOMEM:
        return True
    # a shared library (numba's llvmlite, a Python extension) whose segments could not be mapped:
    # OSError from ctypes, ImportError from `import`
    if isinstance(exc, (OSError, ImportError)) and ("failed to map segment" in text
                                                    or "Cannot allocate memory" in text):
        return True
    # DuckDB words a failed allocation inside another error type too
    return name.endswith("Exception") and type(exc).__module__.startswith(("duckdb", "_duckdb")) and \
        ("Out of Memory Error" in text or "could not allocate block" in text)


def is_out_of_memory(exc: BaseException | None) -> bool:
    """True when `exc`, or an error it was raised from or while handling (__cause__,
    __context__), is one of the out-of-memory shapes of the module docstring."""
    seen = 0
    while exc is not None and seen < 20:
        if _shape(exc):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def address_limit() -> int | None:
    """The process's address-space cap in bytes (RLIMIT_AS, `ulimit -v`), None when unlimited
    or unknown."""
    try:
        import resource
        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, OSError, ValueError):
        return None
    return None if soft == resource.RLIM_INFINITY or soft <= 0 else int(soft)


def _status_kb(field: str, path: str) -> int | None:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def available_bytes() -> int | None:
    """Bytes this process may still take: the smaller of what the address-space cap leaves
    (RLIMIT_AS minus the address space in use, /proc/self/status VmSize) and the system's
    MemAvailable (/proc/meminfo); None where neither is known (not Linux, no cap)."""
    left = []
    cap = address_limit()
    if cap is not None:
        used = _status_kb("VmSize", "/proc/self/status") or 0
        left.append(max(0, cap - used))
    free = _status_kb("MemAvailable", "/proc/meminfo")
    if free is not None:
        left.append(free)
    return min(left) if left else None


_arenas_done = False


def limit_arenas(n: int = 2) -> bool:
    """Under an address-space cap, let glibc's malloc keep at most `n` arenas (mallopt
    M_ARENA_MAX; each reserves 64 MB of address space, one per thread that allocates); the
    same memory is used, less of the cap.  Arenas made before are kept.  Does nothing without
    a cap or off glibc; True when the setting was made.  Call it early (the CLI's start, the
    window's start)."""
    global _arenas_done
    if _arenas_done or address_limit() is None or os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        ok = bool(libc.mallopt(-8, int(n)))          # M_ARENA_MAX
    except (OSError, AttributeError):
        return False
    _arenas_done = ok
    return ok


def set_phase(what: str, advice: str | None = None) -> None:
    """Name what the work is doing now (`what`: "reading big.csv", "training the map") and
    the advice for running out of memory in it (None: keep the advice set before)."""
    global _phase
    with _lock:
        _phase = (what, _phase[1] if advice is None else advice)


class phase:
    """`with phase("reading x.csv", "add --out-of-core"):` the phase for the block, the one
    before restored after it (a normal end; after an error the phase stays, for the message)."""

    def __init__(self, what: str, advice: str | None = None):
        self.what, self.advice = what, advice

    def __enter__(self) -> "phase":
        self.before = current_phase()
        set_phase(self.what, self.advice)
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            set_phase(*self.before)
        return False


def current_phase() -> tuple[str, str]:
    """(what, advice) last set; ("", "") when none."""
    with _lock:
        return _phase


def bytes_text(n: int) -> str:
    """'145 KB', '850 MB', '1.4 GB' (decimal units, as file managers show sizes) for a byte count
    `n` >= 0. Kilobytes below a megabyte: a 145 KB file was "(0 MB)" (testerW #8)."""
    if n >= 10 ** 9:
        return f"{n / 1e9:,.1f} GB"
    if n >= 10 ** 6:
        return f"{round(n / 1e6):,} MB"
    return f"{max(1, round(n / 1e3)):,} KB"


def message(what: str | None = None, advice: str | None = None) -> str:
    """One sentence, without "error: ": 'out of memory while <what> (a 1.5 GB limit): <advice>'.
    `what` / `advice` default to the current phase's (set_phase), then to general words; the
    address-space cap is named when there is one (it is usually the reason)."""
    cur_what, cur_advice = current_phase()
    what = what or cur_what or DEFAULT_WHAT
    advice = advice or cur_advice or DEFAULT_ADVICE
    return f"out of memory while {what}{limit_clause()}: {advice}"


def limit_clause() -> str:
    """' (the memory limit is 1.5 GB)' when the process has an address-space cap, else ''."""
    cap = address_limit()
    return f" (the memory limit is {bytes_text(cap)})" if cap is not None else ""
