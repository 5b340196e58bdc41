"""The `.somz` container: a ZIP of `meta.json` plus named NumPy `.npy` arrays, read with bounded memory.

    write_somz(path, meta, {"weights": w, "inputs": x}, specs)      # atomic
    meta, arrays = read_somz(path, specs)                           # FileFormatError on any problem

`specs` is a function ``specs(meta) -> {name: ArraySpec}``: the reader of a kind of
file says, from the file's own meta.json, exactly which arrays it expects and
what shape and dtype each must have.  The same function is given to
`write_somz`, so a file that was written always reads back (nothing is saved
that the reader would refuse).  Members that the specs do not name are never
read (a newer writer may add arrays an older reader does not know).

Array ``NAME`` is stored as member ``NAME.npy`` (NumPy format 1.0/2.0/3.0,
`allow_pickle=False`).  Reading a hostile file costs at most the memory the
*metadata* asks for, and that is bounded too:

  1. the ZIP's central directory may list at most MAX_MEMBERS entries (checked
     from its end record before `zipfile` builds one object per entry);
  2. meta.json is read up to MAX_META_BYTES and must be a JSON object
     (deep nesting and giant numbers are errors, not crashes);
  3. `specs(meta)` validates meta and derives each array's exact shape;
  4. every `.npy` header is read (max 10,000 bytes) and checked -- numeric dtype
     only, shape equal to the spec, declared size under MAX_ARRAY_BYTES and all
     arrays together under MAX_TOTAL_BYTES, header + data size equal to the size
     the ZIP declares for the member -- for ALL arrays before ANY is allocated;
  5. the data are then read in CHUNK-byte pieces straight into the final array
     (so a member that decompresses to more than it declares -- a zip bomb -- is
     never inflated past its declared size), the ZIP's CRC-32 is checked at the
     end, and float arrays whose spec says so are checked for NaN/inf and range.

Every failure is a `FileFormatError` naming the file (`SomdeskError` on write).
"""
from __future__ import annotations

import json
import math
import os
import re
import stat
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from somdesk.core.options import count_text
from somdesk.errors import FileFormatError, SomdeskError
from somdesk.io.file_kinds import file_kind, with_article
from somdesk.io.names import display_basename, os_reason, special_kind

__all__ = ["ArraySpec", "write_somz", "read_somz", "read_somz_meta", "read_npy", "read_npy_header", "read_npy_data", "MAX_ARRAY_BYTES", "MAX_TOTAL_BYTES"]

META = "meta.json"
MAX_META_BYTES = 16 * 1024 ** 2
MAX_MEMBERS = 1000                  # a map holds a handful; a million-entry directory costs ~0.5 GB to list
MAX_ARRAY_BYTES = 2 * 1024 ** 3     # per array, uncompressed
MAX_TOTAL_BYTES = 4 * 1024 ** 3     # all arrays of one file together
MAX_HEADER = 10_000                 # numpy's own default limit for .npy headers
CHUNK = 8 * 1024 ** 2
_NAME = re.compile(r"[A-Za-z0-9_\-]{1,64}\Z")
_KINDS = "biuf"                     # bool, int, unsigned, float: never objects, strings, records


@dataclass(frozen=True)
class ArraySpec:
    """What one array must be.

    shape     exact length of each axis; None on an axis accepts any length (the
              size is still bounded by MAX_ARRAY_BYTES)
    dtypes    accepted dtypes (any byte order; returned in native order)
    required  a missing member is an error (else the array is simply absent)
    finite    float values must be finite
    max_abs   float values must lie within +-max_abs (None: no bound)
    """

    shape: tuple
    dtypes: tuple = ("float64",)
    required: bool = True
    finite: bool = False
    max_abs: float | None = None

    def check_header(self, shape: tuple, dtype: np.dtype, what: str) -> None:
        if dtype.kind not in _KINDS or dtype.fields is not None or dtype.subdtype is not None:
            why = " (somdesk never loads pickled Python objects)" if dtype.hasobject else ""
            raise FileFormatError(f"{what} has dtype {dtype}, not a plain numeric .npy array{why}")
        if dtype.newbyteorder("=") not in {np.dtype(d).newbyteorder("=") for d in self.dtypes}:
            raise FileFormatError(f"{what} has dtype {dtype}, expected {' or '.join(map(str, self.dtypes))}")
        if len(shape) != len(self.shape) or any(e is not None and s != e for s, e in zip(shape, self.shape)):
            want = "(" + ", ".join("any" if e is None else str(e) for e in self.shape) + ")"
            raise FileFormatError(f"{what} has shape {tuple(shape)}, expected {want}")

    def check_values(self, arr: np.ndarray, what: str) -> None:
        if arr.dtype.kind != "f" or not (self.finite or self.max_abs is not None):
            return
        flat = arr.reshape(-1)
        for start in range(0, flat.size, CHUNK // 8):   # chunked: no full-size temporaries
            part = flat[start: start + CHUNK // 8]
            if self.finite and not np.all(np.isfinite(part)):
                raise FileFormatError(f"{what} contains NaN or infinite values")
            if self.max_abs is not None and part.size and float(np.max(np.abs(part))) > self.max_abs:
                raise FileFormatError(f"{what} has values beyond +-{self.max_abs:g}")


Specs = Callable[[dict], Mapping[str, ArraySpec]]


def _oneline(exc: BaseException, limit: int = 200) -> str:
    """An exception's text on one line (numpy's messages span several), cut to `limit`."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _bad(where: str, why: str) -> FileFormatError:
    return FileFormatError(f"{where}: {why}")


# -- writing ----------------------------------------------------------------------
# every member's time and permissions: fixed, so the same map saved twice is the same bytes
# (testerC #8: meta.json carried the wall-clock time, breaking checksum-based caching); 1980-01-01
# is the earliest time a ZIP entry can hold
_ENTRY_TIME = (1980, 1, 1, 0, 0, 0)


# zlib level of the arrays: 1, not zlib's default 6.  Measured on a table map's rows (400,000 x 10
# float64 of two decimals, 32 MB): level 6 took 2.75 s of CPU for 31% of the size, level 1 0.44 s
# for 38% -- the window saved a 400k-row map in ~5 s (docs/status.md), nearly all of it deflate.
# Maps are written far more often than their size matters; any ZIP reader reads either level.
ARRAY_LEVEL = 1


def _member(name: str, level: int | None = None) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ENTRY_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16         # rw-r--r--, whatever the umask
    if level is not None:
        # ZipFile.open(info, "w") takes the level from the ZipInfo, not from the ZipFile:
        # `compress_level` from Python 3.13, `_compresslevel` before it
        setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", level)
    return info


# bytes deflated between two looks at the stop token: ~10-50 ms of zlib on a free core.  numpy
# writes an array in 16 MiB pieces, each one call into zlib that no Ctrl+C interrupts: a table
# map's 25 MB of rows took 5.2 s to stop at load 12 (testerC #5)
WRITE_CHUNK = 1024 ** 2


class _CheckedWrites:
    """A write-only file object passing each write on to `fh` in WRITE_CHUNK pieces, with the stop
    token `cancel` checked (core.cancel.check: Cancelled) before each -- and, for a Ctrl+C without
    a token, a Python bytecode between them where its KeyboardInterrupt can be raised."""

    def __init__(self, fh, cancel=None) -> None:
        self.fh = fh
        self.cancel = cancel

    def write(self, data) -> int:
        from somdesk.core.cancel import check

        view = memoryview(data).cast("B")
        for start in range(0, len(view), WRITE_CHUNK):
            check(self.cancel)
            self.fh.write(view[start: start + WRITE_CHUNK])
        return len(view)


def write_somz(path, meta: dict, arrays: Mapping[str, np.ndarray], specs: Specs | None = None,
               cancel=None) -> None:
    """Write `meta` (a JSON object) and `arrays` to `path` as a .somz, atomically.

    Every array is checked against `specs(meta)` when given (the same function the
    reader uses), and must in any case be a plain numeric array under
    MAX_ARRAY_BYTES with a name of 1-64 letters, digits, '_' or '-'.
    Raises SomdeskError naming the problem; the old file is then untouched.
    `cancel` (core.cancel.CancelToken or None) is checked between WRITE_CHUNK-byte pieces:
    a stop raises Cancelled (a Ctrl+C on the main thread, KeyboardInterrupt) within ~50 ms of
    zlib on a free core, and leaves no file (the old one as it was).
    """
    from somdesk.io.atomic import atomic_open

    try:
        text = json.dumps(meta, indent=1, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise SomdeskError(f"cannot save: the map description is not plain JSON ({exc})") from None
    wanted = dict(specs(meta)) if specs is not None else {}
    missing = [n for n, s in wanted.items() if s.required and n not in arrays]
    if missing:
        raise SomdeskError(f"cannot save: array {missing[0]!r} is missing")
    total = 0
    checked = {}
    for name, arr in arrays.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise SomdeskError(f"cannot save: {name!r} is not a valid array name")
        arr = np.asarray(arr)
        what = f"cannot save: array {name!r}"
        try:
            spec = wanted.get(name) or ArraySpec((None,) * arr.ndim, (arr.dtype.str,))
            spec.check_header(arr.shape, arr.dtype, what)
            spec.check_values(arr, what)
        except FileFormatError as exc:
            raise SomdeskError(str(exc)) from None
        total += arr.nbytes
        if arr.nbytes > MAX_ARRAY_BYTES or total > MAX_TOTAL_BYTES:
            raise SomdeskError(f"{what} makes the file larger than somdesk can reopen "
                               f"({count_text(MAX_ARRAY_BYTES, 'byte')} per array, {MAX_TOTAL_BYTES:,} in all)")
        checked[name] = arr
    with atomic_open(path, "wb") as fh:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(_member(META), text)
            for name, arr in checked.items():
                big = arr.nbytes + MAX_HEADER >= zipfile.ZIP64_LIMIT
                # streamed into the member: no second in-memory copy of the array
                with zf.open(_member(f"{name}.npy", ARRAY_LEVEL), "w", force_zip64=big) as member:
                    np.lib.format.write_array(_CheckedWrites(member, cancel), arr, allow_pickle=False)


# -- reading ----------------------------------------------------------------------
def _open_regular(path, where: str):
    """`path` opened for binary reading, only if it is a regular file.

    A FIFO would block the open until a writer appears and a device such as
    /dev/zero never ends: both are refused before opening.
    """
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise _bad(where, "it is a folder, not a saved file")
        if not stat.S_ISREG(st.st_mode):
            # stat_input's words (testerC #14: /dev/zero was worded three ways)
            from somdesk.io.names import special_file_name    # as typed on the command line (testerC #11)
            raise _bad(special_file_name(os.fspath(path), st.st_mode),
                       f"it is {special_kind(st.st_mode)}, not a regular file; save it to a file first")
        return open(path, "rb")
    except FileNotFoundError:
        raise _bad(where, "no such file") from None
    except (OSError, ValueError, TypeError) as exc:
        raise _bad(where, f"cannot read it ({os_reason(exc)})") from None


def _own_kind(path, fh) -> str | None:
    """What the file at `path`, open as `fh` (a regular file: _open_regular), is by its name, then
    its first bytes (io.file_kinds): "saved map (.somz)", "Krita palette (.kpl)", "PNG picture",
    "ZIP archive" ...; None when neither tells.  Leaves `fh` at its start."""
    try:
        head = fh.read(16)
        fh.seek(0)
        return file_kind(path, head)
    except (OSError, ValueError, TypeError):
        return None


def _not_this(where: str, kind: str, own: str | None, why: str, damaged: str) -> FileFormatError:
    """The refusal of a file that is not a readable `kind` ("somdesk map"), named as the user has it
    (tester11 #3): a .somz is a damaged saved map (`damaged` says how), another known format is
    named ("it is a Krita palette (.kpl), not a somdesk map"), else "not a somdesk map (why)"."""
    if own is not None and own.startswith("saved map"):
        return _bad(where, f"the {own} is {damaged} ({why})")
    if own is not None and own != "ZIP archive":
        return _bad(where, f"it is {with_article(own)}, not a {kind}")
    return _bad(where, f"not a {kind} ({why})")


def _open_zip(path, where: str, kind: str) -> tuple[zipfile.ZipFile, str | None]:
    """(the ZIP at `path`, what the file is by its name and magic: _own_kind); FileFormatError."""
    fh = _open_regular(path, where)
    own = _own_kind(path, fh)
    try:
        try:
            end = zipfile._EndRecData(fh)   # the end record: entry count before parsing the directory
        except AttributeError:              # pragma: no cover - private helper gone in some future Python
            end = None
        if end and end[zipfile._ECD_ENTRIES_TOTAL] > MAX_MEMBERS:
            raise _bad(where, f"the archive lists {count_text(end[zipfile._ECD_ENTRIES_TOTAL], 'member')}; "
                              f"a saved map has at most {MAX_MEMBERS:,}")
        fh.seek(0)
        return zipfile.ZipFile(fh), own
    except FileFormatError:
        fh.close()
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, OverflowError) as exc:
        fh.close()
        raise _not_this(where, kind, own, _zip_why(exc), "damaged or truncated") from None


def _zip_why(exc: BaseException) -> str:
    """zipfile's failure in words, not its own ("File is not a zip file": tester12 #7)."""
    if isinstance(exc, zipfile.BadZipFile):
        text = str(exc)
        return ("a member's checksum does not match" if "CRC" in text else
                "not a ZIP archive, or one cut short before its index" if "not a zip file" in text else
                "its ZIP structure is broken")
    if isinstance(exc, EOFError):
        return "a member is cut short"
    return _oneline(exc)


def _read_meta(zf: zipfile.ZipFile, where: str, kind: str, own: str | None = None) -> dict:
    try:
        info = zf.getinfo(META)
    except KeyError:
        raise _not_this(where, kind, own, f"no {META} inside", "incomplete or from another program") from None
    if info.file_size > MAX_META_BYTES:
        raise _bad(where, f"{META} is {count_text(info.file_size, 'byte')}, over the limit of {MAX_META_BYTES:,}")
    with zf.open(info) as fh:
        raw = fh.read(MAX_META_BYTES + 1)
    if len(raw) > MAX_META_BYTES:
        raise _bad(where, f"{META} is larger than it claims")
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        # ValueError covers JSONDecodeError and Python's limit on digits of huge integers
        raise _bad(where, f"{META} is not valid JSON ({_oneline(exc)})") from None
    if not isinstance(meta, dict):
        raise _bad(where, f"{META} is not a JSON object")
    return meta


@dataclass
class NpyHeader:
    """A checked .npy header: the array it announces and where its data starts."""

    shape: tuple
    dtype: np.dtype
    fortran: bool
    offset: int

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize      # Python ints: no overflow


def read_npy_header(fh, spec: ArraySpec, what: str, stored_bytes: int) -> NpyHeader:
    """Read and check the header of the .npy stream `fh` (positioned at its start).

    `stored_bytes` is the size of the whole .npy as its container declares it (the
    ZIP member's size, the file's size): header + data must fill it exactly.
    FileFormatError (prefixed with `what`) before anything big is allocated.
    """
    try:
        version = np.lib.format.read_magic(fh)
        reader = {(1, 0): np.lib.format.read_array_header_1_0,
                  (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if reader is None:
            raise ValueError(f"unsupported .npy version {version}")
        shape, fortran, dtype = reader(fh, max_header_size=MAX_HEADER)
        offset = fh.tell()
    except (ValueError, TypeError, SyntaxError, OSError, EOFError) as exc:
        raise FileFormatError(f"{what} is not a valid .npy array ({_oneline(exc)})") from None
    if not all(isinstance(n, int) and n >= 0 for n in shape):
        raise FileFormatError(f"{what} has an invalid shape {shape!r}")
    spec.check_header(tuple(shape), dtype, what)
    header = NpyHeader(tuple(shape), dtype, bool(fortran), offset)
    if header.nbytes > MAX_ARRAY_BYTES:
        raise FileFormatError(f"{what} declares {count_text(header.nbytes, 'byte')}, over the limit of {MAX_ARRAY_BYTES:,}")
    if offset + header.nbytes != stored_bytes:
        raise FileFormatError(f"{what} declares {count_text(header.nbytes, 'byte')} of data but holds "
                              f"{max(stored_bytes - offset, 0):,}")
    return header


def read_npy_data(fh, header: NpyHeader, spec: ArraySpec, what: str) -> np.ndarray:
    """The array of a checked header, read from `fh` (positioned after the header) in CHUNKs."""
    c_shape = header.shape[::-1] if header.fortran else header.shape
    arr = np.empty(c_shape, dtype=header.dtype)
    view = memoryview(arr.reshape(-1).view(np.uint8)) if arr.size else memoryview(b"")
    pos = 0
    while pos < arr.nbytes:
        got = fh.readinto(view[pos: pos + CHUNK])
        if not got:
            raise FileFormatError(f"{what} ends early")
        pos += got
    if fh.read(1):                                   # in a ZIP this also checks the CRC-32
        raise FileFormatError(f"{what} is larger than it claims")
    if header.fortran:
        arr = arr.T
    if not header.dtype.isnative:
        arr = arr.astype(header.dtype.newbyteorder("="))
    spec.check_values(arr, what)
    return arr


def read_npy(path, spec: ArraySpec) -> np.ndarray:
    """A plain `.npy` file checked against `spec` exactly as .somz members are.

    FileFormatError naming the file: missing, a folder, unreadable, or any check
    of `read_npy_header` / `read_npy_data` (never unpickles, never over-allocates).
    """
    name = display_basename(path)
    try:
        with _open_regular(path, name) as fh:
            own = file_kind(path, fh.read(16))
            fh.seek(0)
            if own is not None and not own.startswith("NumPy"):
                # a saved map or a picture given for a .npy (tester11 #3): named, not "the magic
                # string is not correct; expected b'\x93NUMPY', got b'PK\x03\x04'"
                raise FileFormatError(f"{name} is {with_article(own)}, not a .npy array")
            header = read_npy_header(fh, spec, name, os.fstat(fh.fileno()).st_size)
            return read_npy_data(fh, header, spec, name)
    except OSError as exc:
        raise FileFormatError(f"cannot read {name}: {os_reason(exc)}") from None


@dataclass
class _Planned:
    name: str
    info: zipfile.ZipInfo
    spec: ArraySpec
    header: NpyHeader


def _plan(zf: zipfile.ZipFile, name: str, spec: ArraySpec, where: str, kind: str) -> _Planned | None:
    member = f"{name}.npy"
    try:
        info = zf.getinfo(member)
    except KeyError:
        if spec.required:
            raise _bad(where, f"not a complete {kind} (no {member} inside)") from None
        return None
    with zf.open(info) as fh:
        return _Planned(name, info, spec, read_npy_header(fh, spec, f"{where}: {member}", info.file_size))


def _load(zf: zipfile.ZipFile, p: _Planned, where: str) -> np.ndarray:
    with zf.open(p.info) as fh:
        fh.seek(p.header.offset)                         # past the header, already checked
        return read_npy_data(fh, p.header, p.spec, f"{where}: {p.name}.npy")


def read_somz_meta(path, kind: str = "somdesk file") -> dict:
    """The meta.json object of the .somz at `path` alone, under read_somz's checks (a regular
    file, a zip of few members, meta.json at most MAX_META_BYTES by its header before a byte
    is inflated).  Raises FileFormatError naming the file."""
    where = display_basename(path) if path is not None else "?"
    zf, own = _open_zip(path, where, kind)
    with zf, zf.fp:
        return _read_meta(zf, where, kind, own)


def read_somz(path, specs: Specs, kind: str = "somdesk file") -> tuple[dict, dict[str, np.ndarray]]:
    """(meta, arrays) of the .somz at `path`, each array as `specs(meta)` demands.

    `specs` validates meta (raise FileFormatError, or KeyError/TypeError/ValueError
    for a damaged description) and returns the arrays to read.  Arrays come back
    in native byte order, C- or Fortran-ordered as stored.  Peak memory is the
    arrays' declared size plus CHUNK; see the module docstring for every check.
    Raises FileFormatError naming the file; `kind` ("somdesk map") names what
    the file should have been in messages such as "not a somdesk map (...)".
    """
    where = display_basename(path) if path is not None else "?"
    zf, own = _open_zip(path, where, kind)
    with zf, zf.fp:
        try:
            meta = _read_meta(zf, where, kind, own)
            try:
                wanted = dict(specs(meta))
            except SomdeskError as exc:
                raise _bad(where, _oneline(exc, 500)) from None
            except (KeyError, TypeError, ValueError, OverflowError, AttributeError) as exc:
                raise _bad(where, f"damaged description in {META} ({_oneline(exc)})") from None
            plans = [p for name, spec in wanted.items() if (p := _plan(zf, name, spec, where, kind)) is not None]
            total = sum(p.header.nbytes for p in plans)
            if total > MAX_TOTAL_BYTES:
                raise _bad(where, f"its arrays declare {count_text(total, 'byte')}, over the limit of {MAX_TOTAL_BYTES:,}")
            arrays = {p.name: _load(zf, p, where) for p in plans}
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError,
                NotImplementedError) as exc:
            damaged = (f"the {own} is damaged or truncated" if own is not None and own.startswith("saved map")
                       else "damaged archive")
            raise _bad(where, f"{damaged} ({_zip_why(exc)})") from None
    return meta, arrays
