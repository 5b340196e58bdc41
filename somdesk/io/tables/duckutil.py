"""Small DuckDB helpers shared by the table modules: the one way to open a connection
(`connect`, closed by `close_all` at the latest), quoting, interrupting a running query when a
CancelToken is cancelled, and DuckDB's errors as one line naming the line.

    with connect() as con:                 # closed at the end of the block
        con.execute(...)
    close_all()                            # every connection still open (the CLI's exit, atexit)

Why every connection is closed before the interpreter exits: DuckDB 2.0 starts ~9 threads per
database (measured: one `duckdb.connect()` takes a process from 1 to 10 threads), and a
database left for the interpreter's shutdown is torn down while Python is finalising -- the
state in which a thread that wants the GIL is ended by pthread_exit and a C++ frame in its way
aborts the process (duckdb/duckdb#13904; exit status 134, tester10 #3).  Closed here, in the
main thread before finalisation, its threads are joined while everything is alive."""
from __future__ import annotations

import atexit
import os
import re
import threading
import weakref
from contextlib import contextmanager

from somdesk.core import cancel as cancel_mod
from somdesk.core.options import count_text
from somdesk.errors import Cancelled

__all__ = ["q", "lit", "Interrupter", "interrupting", "interrupted", "stop_for", "interrupt_all", "duck_message", "config", "connect", "close_all",
           "open_count", "scratch", "engine_path", "scratch_write_error"]

_shared = None
_shared_lock = threading.Lock()
_open: "weakref.WeakSet" = weakref.WeakSet()     # every connection `connect` made and nobody closed yet
_local = threading.local()       # .watch: (token, connections) of this thread's `interrupting` block
_cursors: "weakref.WeakSet" = weakref.WeakSet()  # the scratch cursors in use (interrupt_all)


def connect(settings: dict | None = None):
    """A new in-memory DuckDB connection (a database of its own) with the DuckDB `settings`
    given (None: DuckDB's defaults; `config()`: the table reader's); use it as a context
    manager (`with connect() as con:`), which closes it.  One left open is closed by
    `close_all` (the CLI's exit, and atexit), never by the interpreter's shutdown (see the
    module docstring)."""
    import duckdb

    con = duckdb.connect(config=fitted(settings))
    # the progress bar's bookkeeping (never printed) is what `query_progress` reads (`reporting`);
    # a connection-level setting, refused in the `config` of a connect
    con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
    with _shared_lock:
        _open.add(con)
    _watch(con)
    return con


def interrupted(exc: BaseException) -> bool:
    """Is `exc` DuckDB's answer to a stop, not a fault of the file?  Two forms: InterruptException
    (`connection.interrupt()`: Interrupter, `interrupting`) and a plain RuntimeError('Query
    interrupted'): DuckDB's Python client raises that in place of the KeyboardInterrupt of a
    Ctrl+C that came while it ran or fetched a query (testerC #2: a traceback, or "cannot read
    big.csv: Query interrupted").  Every `except` around DuckDB asks this first (`stop_for`)."""
    if type(exc).__name__ == "InterruptException":
        return True
    return type(exc) is RuntimeError and str(exc).startswith("Query interrupted")


def stop_for(exc: BaseException, token=None) -> BaseException | None:
    """The exception to raise in place of `exc` when it is an interrupted query (`interrupted`),
    else None (a fault to word as usual): Cancelled for a stop asked through `token` (a
    CancelToken or None) or through `interrupt()`; KeyboardInterrupt for DuckDB's RuntimeError
    of a Ctrl+C nobody turned into a token (a library caller): the interrupt it swallowed,
    given back.  The one place a DuckDB interrupt becomes our stop:

        except Exception as exc:
            if (stop := stop_for(exc, cancel)) is not None:
                raise stop from None
    """
    if not interrupted(exc):
        return None
    if type(exc) is RuntimeError and not (token is not None and token.cancelled):
        return KeyboardInterrupt()
    return Cancelled("stopped")


def _watch(con) -> None:
    """Let the `interrupting` block this thread is in (if any) interrupt `con`."""
    watch = getattr(_local, "watch", None)
    if watch is not None:
        watch[1].add(con)


@contextmanager
def interrupting(token):
    """Within the block, every DuckDB connection and scratch cursor this thread opens is
    interrupted as soon as `token` (a CancelToken, or None: nothing happens) is set, and a
    DuckDB error raised after the stop becomes `Cancelled`.

    For work made of many queries that take no token themselves (an out-of-core run's
    preparation: staging a CSV as Parquet, statistics over every row, the sample's reads --
    one `COPY` of a 3-million-row CSV ran ~5 s after a stop, and closing the window waited
    for it, tester11 #5).  A watcher thread polls the token every 20 ms and interrupts every
    connection of the block, again while it is set (a query started after a stop ends too)."""
    if token is None:
        yield
        return
    cancel_mod.check(token)
    watched: "weakref.WeakSet" = weakref.WeakSet()
    previous = getattr(_local, "watch", None)
    _local.watch = (token, watched)
    done = threading.Event()

    def run() -> None:
        while not done.wait(0.02):
            if token.cancelled:
                for con in list(watched):
                    try:
                        con.interrupt()
                    except Exception:  # noqa: BLE001 - closed meanwhile: nothing to interrupt
                        pass

    # not a daemon: nothing of ours runs Python during the interpreter's shutdown
    watcher = threading.Thread(target=run, name="somdesk-table-cancel")
    watcher.start()
    try:
        yield
    except Cancelled:
        raise
    except Exception as exc:
        if token.cancelled:     # an interrupted query, whatever its caller made of the error
            raise Cancelled("stopped") from None
        if (stop := stop_for(exc, token)) is not None:
            raise stop from None
        raise
    finally:
        _local.watch = previous
        done.set()
        watcher.join()


def open_count() -> int:
    """Connections made by `connect` or `scratch` and not closed yet (tests: 0 after a command;
    a closed connection refuses a cursor, which is how it is told from an open one)."""
    import duckdb

    with _shared_lock:
        cons = list(_open) + ([_shared] if _shared is not None else [])
    n = 0
    for con in cons:
        try:
            con.cursor().close()
        except duckdb.ConnectionException:
            continue
        n += 1
    return n


def close_all() -> None:
    """Close every DuckDB connection still open here and the shared one of `scratch`: their
    databases' threads are joined now, in this thread, not during the interpreter's shutdown.
    Call it when no query runs (the CLI's end; atexit, after Python's own threads were joined);
    closing twice is harmless."""
    global _shared
    with _shared_lock:
        cons, shared, _shared = list(_open), _shared, None
        _open.clear()
    for con in cons + ([shared] if shared is not None else []):
        try:
            con.close()
        except Exception:     # noqa: BLE001 - closed already, or broken: nothing is left to free
            pass


# atexit runs after the interpreter joined its non-daemon threads and before it starts finalising
atexit.register(close_all)


def engine_path(path: str, folder: str | None = None, stem: str = "table") -> tuple[str, str | None]:
    """(a name DuckDB can open for the file `path`, the folder of the link made for it or None).

    DuckDB takes file names as UTF-8; a name that is not (Latin-1 names from old zips, Samba
    shares, USB sticks: legal on Linux, decoded by Python with surrogates) failed with "Python
    Conversion Failure: cannot encode str as UTF-8" (tester7 #20).  Such a file is read
    through a symbolic link named `stem` plus the file's extension (when that is ASCII) in
    `folder`, or in a new temporary folder when `folder` is None; the caller removes the
    folder returned.  A UTF-8 name is returned as it is, with None (no folder made).
    Several files share one folder by passing the folder back with distinct stems.
    FileFormatError when the link cannot be made (a folder made here is removed first)."""
    try:
        path.encode("utf-8")
        return path, None
    except UnicodeEncodeError:
        pass
    import tempfile

    ext = os.path.splitext(path)[1]
    ext = ext if ext.isascii() and ext.isprintable() else ""
    made = folder is None
    folder = folder if folder is not None else tempfile.mkdtemp(prefix="somdesk-name-")
    link = os.path.join(folder, stem + ext)
    try:
        os.symlink(os.path.abspath(path), link)
    except OSError as exc:      # a file system without links, a full /tmp: one message, no folder left
        if made:
            import shutil
            shutil.rmtree(folder, ignore_errors=True)
        from somdesk.errors import FileFormatError
        from somdesk.io.names import display_basename, os_reason
        raise FileFormatError(f"{display_basename(path)}: cannot make the link through which a file whose "
                              f"name is not UTF-8 is read ({os_reason(exc)}); rename the file") from None
    return link, folder


def config() -> dict:
    """DuckDB settings of every connection: up to 4 threads."""
    return {"threads": max(1, min(4, os.cpu_count() or 1))}


_MB = 1 << 20
_UNITS = {"b": 1, "kb": 1000, "kib": 1 << 10, "mb": 10 ** 6, "mib": _MB, "gb": 10 ** 9, "gib": 1 << 30,
          "tb": 10 ** 12, "tib": 1 << 40}
MIN_MEMORY = 64 * _MB         # below this DuckDB cannot read a file at all: let it try, and say so if it fails
THREAD_MEMORY = 256 * _MB     # under an address-space cap: one DuckDB thread per this much of the budget


def _size_bytes(text) -> int | None:
    m = re.fullmatch(r"\s*([\d.]+)\s*([A-Za-z]*)\s*", str(text))
    if not m:
        return None
    unit = _UNITS.get((m.group(2) or "b").lower())
    return int(float(m.group(1)) * unit) if unit else None


def memory_budget() -> int | None:
    """Bytes a DuckDB database may use here: half of what this process may still take
    (core.memory.available_bytes: the `ulimit -v` cap left, the system's free memory), at least
    MIN_MEMORY; None when that is unknown.  DuckDB sizes its own limit from the machine's RAM
    (80 %), blind to a process cap: under `ulimit -v 1500000` a count(DISTINCT) over 400,000
    rows ended in OutOfMemoryException (testerC #2) instead of spilling to disk."""
    from somdesk.core import memory

    free = memory.available_bytes()
    return None if free is None else max(MIN_MEMORY, free // 2)


def memory_limit(wanted: str | None = None, budget: int | None = None) -> str | None:
    """The DuckDB `memory_limit` to set: `wanted` ("512MB"; None: DuckDB's default) or
    `budget` (bytes; None: memory_budget()), whichever is smaller, as "NNNMB"; None to leave
    DuckDB's default."""
    budget = memory_budget() if budget is None else budget
    want = _size_bytes(wanted) if wanted is not None else None
    if budget is None or (want is not None and want <= budget):
        return wanted
    return f"{budget // _MB}MB"


def fitted(settings: dict | None) -> dict:
    """`settings` (DuckDB's configuration) with `memory_limit` no larger than memory_budget()
    and, under an address-space cap, fewer threads (each thread's stack and scratch count
    against the cap: one per THREAD_MEMORY of the budget)."""
    from somdesk.core import memory

    out = dict(settings or {})
    budget = memory_budget()          # /proc read once for both
    limit = memory_limit(out.get("memory_limit"), budget)
    if limit is not None:
        out["memory_limit"] = limit
    if memory.address_limit() is not None and budget is not None:
        most = max(1, budget // THREAD_MEMORY)
        out["threads"] = max(1, min(int(out.get("threads") or os.cpu_count() or 1), most))
    return out


@contextmanager
def scratch(cancel=None):
    """A cursor on one process-wide in-memory DuckDB, for queries that create nothing
    (sniff_csv): opening and closing a connection costs 10-50 ms, a cursor 0.3 ms.
    Each cursor is a connection of its own (safe from any thread); a cancel interrupts it."""
    global _shared
    import duckdb
    with _shared_lock:
        if _shared is None:
            _shared = duckdb.connect(config=fitted(config()))
        cur = _shared.cursor()      # closed below; the database itself by close_all
        _cursors.add(cur)
    _watch(cur)
    try:
        with Interrupter(cur, cancel):
            yield cur
    finally:
        with _shared_lock:
            _cursors.discard(cur)
        cur.close()


def interrupt_all() -> None:
    """Interrupt the query running on every connection `connect` made and every `scratch`
    cursor in use, from any thread (the CLI's Ctrl+C, cli_interrupt: also the queries that take
    no CancelToken).  Each then raises InterruptException (see `stop_for`)."""
    with _shared_lock:
        cons = list(_open) + list(_cursors)
    for con in cons:
        try:
            con.interrupt()
        except Exception:  # noqa: BLE001 - closed meanwhile: nothing to interrupt
            pass


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + str(name).replace('"', '""') + '"'


def lit(text: str) -> str:
    """A quoted SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def renamed_alias(raw: list[str], names: list[str]) -> str:
    """' AS t("a", "A_1", ...)' renaming a table function's columns by position (the first
    len(names) of them) when `names` differ from the stored `raw` ones, else ''."""
    return "" if list(raw) == list(names) else " AS t(" + ", ".join(q(n) for n in names) + ")"


def durations_swap(per: dict[str, float]) -> str:
    """' REPLACE (...)' turning these duration columns into DOUBLE seconds, '' when none."""
    if not per:
        return ""
    return " REPLACE (" + ", ".join(f"CAST({q(c)} AS DOUBLE) / {units!r} AS {q(c)}" for c, units in per.items()) + ")"


_progress_sinks: dict = {}        # id(CancelToken) -> percent callback (`reporting`)


@contextmanager
def reporting(token, sink):
    """While inside, every query run under `token` (an Interrupter's) tells `sink(percent)`
    (float 0-100, DuckDB's `query_progress`, every 0.2 s) how far it is, from the Interrupter's
    thread: a 2,000,000-row file's read showed nothing for 38 s (testerH #5).  No token or no
    sink: nothing is reported."""
    if token is None or sink is None:
        yield
        return
    _progress_sinks[id(token)] = sink
    try:
        yield
    finally:
        _progress_sinks.pop(id(token), None)


class Interrupter:
    """Polls a CancelToken every 20 ms while a query runs and interrupts the connection."""

    def __init__(self, con, token):
        self.con, self.token = con, token
        self.done = threading.Event()
        self.thread = None

    def __enter__(self):
        cancel_mod.check(self.token)
        if self.token is not None:
            # not a daemon: nothing of ours runs Python during the interpreter's shutdown
            self.thread = threading.Thread(target=self._run, name="somdesk-table-cancel")
            self.thread.start()
        return self

    def _run(self):
        tick = 0
        while not self.done.wait(0.02):
            tick += 1
            sink = _progress_sinks.get(id(self.token))
            if sink is not None and tick % 10 == 0:     # every 0.2 s: how far the query is
                try:
                    share = float(self.con.query_progress())
                except Exception:  # noqa: BLE001 - not a connection that can tell, or closed meanwhile
                    share = -1.0
                if 0.0 <= share <= 100.0:
                    sink(share)
            if self.token.cancelled:
                try:
                    self.con.interrupt()
                except Exception:  # noqa: BLE001 - closed meanwhile (a Ctrl+C unwound the query): nothing to interrupt
                    pass
                return

    def __exit__(self, exc_type, exc, tb):
        self.done.set()
        if self.thread is not None:
            self.thread.join()
        # a KeyboardInterrupt, or the GeneratorExit of a `scratch` closed unfinished (a Ctrl+C
        # between its steps), passes as it is: raising Cancelled in its place printed
        # "Exception ignored in: <generator object scratch>" with a traceback
        passing = exc_type is not None and not issubclass(exc_type, Exception)
        if self.token is not None and self.token.cancelled and not passing:
            raise Cancelled("stopped")
        return False


_DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", " ": "space"}


# DuckDB's words for a Parquet file cut short or spoilt (its footer, its Thrift metadata, a page
# that does not decompress): one wording for them all, as for pictures and maps (tester12 #7: "No
# magic bytes found at end of file 'trunc.parquet'" reached the user, in memory and out of core)
_DAMAGED_PARQUET = re.compile(r"No magic bytes found at end of file|too small to be a Parquet file|"
                              r"TProtocolException|[Dd]ecompression failure|Couldn't deserialize thrift|"
                              r"Invalid Parquet|[Cc]orrupt(ed)? (Parquet|page|footer)|Footer length error")
DAMAGED_PARQUET = "the Parquet file is damaged or truncated"


def _fields_in_line(text: str, delimiter: str | None) -> int | None:
    """The number of fields of the "Original Line: ..." DuckDB's CSV error quotes, split by
    `delimiter` and the quote it names (csv module rules); None when either is not there."""
    import csv

    orig = re.search(r"^Original Line: (.*)$", text, re.M)
    quote = re.search(r"^\s*quote = (.+?) \(", text, re.M)
    if orig is None or not delimiter or len(delimiter) != 1:
        return None
    q = quote.group(1) if quote and len(quote.group(1)) == 1 else None
    try:
        row = next(csv.reader([orig.group(1)], delimiter=delimiter, quotechar=q or '"',
                              quoting=csv.QUOTE_MINIMAL if q else csv.QUOTE_NONE))
    except (csv.Error, StopIteration):
        return None
    return len(row)


def duck_message(exc: Exception) -> str:
    """DuckDB's error as one line: which line of the file, and what is wrong there; a damaged
    Parquet file (any of DuckDB's words for one) is DAMAGED_PARQUET."""
    text = str(exc).strip()
    if _DAMAGED_PARQUET.search(text):
        return DAMAGED_PARQUET
    first = text.splitlines()[0] if text else type(exc).__name__
    first = re.sub(r"^[A-Za-z ]*Error: ", "", first)
    js = re.search(r"Malformed JSON in file .*?, at byte \d+ in (line|record/value) (\d+): ([^.\n]*)", first)
    if js:
        # DuckDB 2.0 counts one too high, lines and records alike (the bad line 10 of an
        # NDJSON file was "line 11", the 2nd record of an array "record/value 3": tester10 #16)
        n = max(1, int(js.group(2)) - 1)
        where = f"line {n}" if js.group(1) == "line" else f"record {n}"
        return f"{where} is not valid JSON ({js.group(3).strip()})"
    dup = re.search(r"JSON transform error in file .*?, in line (\d+): Object .* has duplicate key \"(.*)\"$", first)
    if dup:
        # a record with the same key twice: which value is meant is unknown (DuckDB named the
        # engine's path of the file and quoted the whole record)
        return f"line {dup.group(1)} has the key {dup.group(2)!r} twice in one record"
    dup = re.search(r"JSON transform error in file .*?, in line (\d+): Map keys must be unique", first)
    if dup:
        return f"line {dup.group(1)} has one key twice in one record (an empty key, \"\", is a key too)"
    m = re.search(r"CSV Error on Line: (\d+)", text)
    if not m:
        m2 = re.search(r"[Ll]ine:? (\d+)", text)
        if m2 and "line" not in first.lower():
            first += f" (line {m2.group(1)})"
        return first
    line = m.group(1)
    cols = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    # ".+?": a tab or a space is the delimiter too (`\S+` named a tab "?": testerC #9)
    delim = re.search(r"^\s*delimiter = (.+?) \(", text, re.M)
    dname = _DELIM_NAMES.get(delim.group(1), repr(delim.group(1))) if delim else "?"
    if cols:
        expected, found = int(cols.group(1)), int(cols.group(2))
        fields = count_text(found, "field")
        if found > expected:
            # DuckDB stops counting one past the header ("Found: 3" for a line of 6: testerC #9):
            # the line itself, as DuckDB quotes it, counted with the file's delimiter and quote
            n = _fields_in_line(text, delim.group(1) if delim else None)
            fields = count_text(n, "field") if n is not None and n > expected else \
                f"more than {count_text(expected, 'field')}"
        return f"line {line} has {fields} but the header has {expected:,} (the delimiter is {dname})"
    if "unterminated quote" in text:
        return f"line {line} has a quote (\") that is never closed"
    conv = re.search(r"Error when converting column \"([^\"]+)\"\.\s*(.*)", text)
    if conv:
        return f"line {line}, column {conv.group(1)!r}: {conv.group(2).strip()}"
    reason = next((ln.strip() for ln in text.splitlines()[2:] if ln.strip() and not ln.startswith(("Possible", "*"))),
                  "not valid CSV")
    return f"line {line}: {reason}"


_WRITE_FAILED = re.compile(r'Could not write file \\?"(?P<path>[^"\\]+)\\?"[^\n]*?"errno"\s*:\s*"(?P<errno>\d+)"')


def scratch_write_error(exc: Exception, folder: str | None) -> None:
    """Raise SomdeskError when DuckDB's error `exc` says it could not write a file inside
    `folder` -- somdesk's temporary copy of a table ($TMPDIR: io.chunked_stage) -- in one line
    naming the folder and the reason ("the disk is full", "the file is larger than the system
    allows"): not "cannot read DATA: Async write failed ... {JSON}" (a full /tmp or `ulimit -f`
    is no fault of the data).  Returns when `exc` is anything else."""
    if not folder:
        return
    m = _WRITE_FAILED.search(str(exc))
    if m is None or not os.path.abspath(m.group("path")).startswith(os.path.abspath(folder) + os.sep):
        return
    from somdesk.errors import SomdeskError
    from somdesk.io.names import display_name, os_reason

    reason = os_reason(OSError(int(m.group("errno")), ""))
    raise SomdeskError(f"cannot write the temporary copy of the data in {display_name(os.path.dirname(folder))}: "
                       f"{reason} (TMPDIR chooses that folder)") from None
