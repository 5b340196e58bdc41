"""Tables (CSV files) for segmentation: read, pick numeric columns, normalise.

    table = read_table("customers.csv")
    table.columns                      # ['customer_id', 'age', ..., 'segment']
    table.numeric_columns              # the columns every value of which is a number
    prep = table.prepare(["age", "income"], label_column="segment",
                         normalise="zscore", missing="drop")
    prep.data (N, D) float64, prep.row_index, prep.labels, prep.scaling ...

Reading
    * CSV with a header line (required: column names come from it; a first line
      of nothing but numbers is refused as "looks like data").
    * The delimiter is sniffed among comma, semicolon and tab from the first
      50 records: the one giving more than one column most consistently wins
      (ties: more columns, then , ; tab).  Fields may be quoted ("a, b"),
      including embedded newlines and doubled quotes.
    * Text is UTF-8 with or without BOM; UTF-16 with a BOM (Excel's "Unicode
      text"); anything else falls back to Latin-1 with a warning.
    * Blank lines are skipped.  Every other record must have as many fields as
      the header (else an error naming the line).  Header cells are stripped;
      empty names become "column N" (with a warning); duplicate names are an
      error.
    * Missing values: empty, NA, N/A, NaN, null, ?, - (case-insensitive,
      surrounding spaces ignored).
    * A column is numeric if it has at least one value and every non-missing
      value parses as a finite float (Python's float syntax; with ; or tab as
      the delimiter a decimal comma "1,5" is accepted too).  For other columns
      `problem(name)` gives the first offending line and value, and
      `prepare` refuses them with that message.

Limits (checked before or while reading, each a clear FileFormatError)
    MAX_FILE_BYTES 256 MiB, MAX_ROWS 1,000,000 data rows, MAX_COLUMNS 10,000,
    MAX_CELLS 50,000,000 (rows x columns: 400 MB of float64).  A single data
    row is allowed (it trains a map whose nodes all move to that row; the
    table carries a warning); a header without rows is an error.

Memory: numeric columns are stored as float64 (NaN = missing) while parsing,
in blocks of ~1M cells; text is kept decoded and non-numeric columns are
re-parsed on demand (`strings`), so nothing holds a Python object per cell.

Normalisation (`prepare`), per column over the rows that are kept, after
missing values are handled:
    zscore  offset = mean, scale = population standard deviation (ddof=0)
    minmax  offset = min,  scale = max - min     (values land in [0, 1])
    none    offset = 0,    scale = 1
    x' = (x - offset) / scale, and x = offset + x' * scale inverts it.  A
    column with scale 0 (constant) becomes all zeros, with a warning.
Missing values (`prepare`): "drop" removes every row with a missing value in
a chosen column; "mean" / "median" fill it with that column's mean / median
over its non-missing values.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
import math
import os
from dataclasses import dataclass, field

import numpy as np

from somdesk.errors import FileFormatError, OptionError
from somdesk.io.names import os_reason, stat_input

__all__ = ["MAX_FILE_BYTES", "MAX_ROWS", "MAX_COLUMNS", "MAX_CELLS", "MISSING_TOKENS",
           "NORMALISATIONS", "MISSING_POLICIES", "Table", "Prepared", "Scaling",
           "read_table", "read_table_bytes", "read_table_text"]

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_COLUMNS = 10_000
MAX_CELLS = 50_000_000
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "?", "-"})
NORMALISATIONS = ("zscore", "minmax", "none")
MISSING_POLICIES = ("drop", "mean", "median")
DELIMITERS = (",", ";", "\t")
_SNIFF_RECORDS = 50
_BLOCK_CELLS = 1_000_000


def _delim_name(d: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab"}.get(d, repr(d))


@dataclass(frozen=True)
class Scaling:
    """Per-column normalisation: x' = (x - offset) / scale (0 where scale is 0)."""

    method: str
    columns: tuple[str, ...]
    offset: np.ndarray
    scale: np.ndarray

    def apply(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        safe = np.where(self.scale > 0, self.scale, 1.0)
        return np.where(self.scale > 0, (x - self.offset) / safe, 0.0)

    def invert(self, z) -> np.ndarray:
        """Back to the original units (a constant column comes back as its value)."""
        return self.offset + np.asarray(z, dtype=np.float64) * self.scale


@dataclass
class Prepared:
    """Training data made from a table: rows kept, normalised, ready for a SOM."""

    data: np.ndarray                 # (N, D) float64, normalised
    columns: tuple[str, ...]
    row_index: np.ndarray            # (N,) int64: data-row number in the file, 0 = first after the header
    labels: list[str | None] | None  # label of each kept row (None where missing), or None
    label_column: str | None
    n_missing: int                   # missing cells found in the chosen columns (all rows)
    n_dropped_rows: int
    scaling: Scaling
    missing: str
    raw: np.ndarray                  # (N, D) float64 before normalisation (after filling)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Column:
    chunks: list = field(default_factory=list)
    numeric: bool = True
    n_values: int = 0
    n_missing: int = 0
    bad: tuple[int, str] | None = None     # (line, value) of the first non-number
    values: np.ndarray | None = None       # float64, NaN = missing (numeric columns)


class Table:
    """A parsed CSV file (see module docstring). Build with `read_table`."""

    def __init__(self, name: str, text: str, delimiter: str, encoding: str, columns: list[str],
                 cols: list[_Column], lines: np.ndarray, warnings: list[str]):
        self.name = name
        self.delimiter = delimiter
        self.encoding = encoding
        self.columns = columns
        self.warnings = warnings
        self._text = text
        self._lines = lines
        self._cols = {}
        self._strings: dict[str, list[str]] = {}
        for name_, col in zip(columns, cols):
            self._cols[name_] = col
            if col.numeric and col.n_values > 0:
                col.values = np.concatenate(col.chunks) if col.chunks else np.empty(0)
            else:
                col.numeric = False
                col.values = None
            col.chunks = []

    # -- what is in it ---------------------------------------------------------
    @property
    def n_rows(self) -> int:
        return len(self._lines)

    @property
    def numeric_columns(self) -> list[str]:
        return [c for c in self.columns if self._cols[c].numeric]

    def _col(self, name: str) -> _Column:
        try:
            return self._cols[name]
        except (KeyError, TypeError):
            raise OptionError(f"{self.name} has no column {name!r}") from None

    def is_numeric(self, name: str) -> bool:
        return self._col(name).numeric

    def missing_count(self, name: str) -> int:
        return self._col(name).n_missing

    def problem(self, name: str) -> str | None:
        """Why column `name` is not numeric (first offending line and value), or None."""
        col = self._col(name)
        if col.numeric:
            return None
        if col.bad is not None:
            line, value = col.bad
            shown = value if len(value) <= 40 else value[:37] + "..."
            return (f"column {name!r} is not numeric: line {line} has {shown!r}"
                    + (" (an infinite value)" if _is_infinite(value) else ""))
        return f"column {name!r} has no values (every cell is missing)"

    def values(self, name: str) -> np.ndarray:
        """(n_rows,) float64 values of a numeric column, NaN where missing (a copy)."""
        col = self._col(name)
        if not col.numeric:
            raise FileFormatError(f"{self.name}: {self.problem(name)}")
        return col.values.copy()

    def line_of(self, row: int) -> int:
        """File line (1-based, header = line 1 unless blank lines precede it) where data row `row` starts."""
        return int(self._lines[row])

    def strings(self, name: str) -> list[str]:
        """The raw text of every cell in column `name` (surrounding spaces stripped)."""
        self._col(name)
        j = self.columns.index(name)
        if name not in self._strings:
            out = []
            for _, fields in _records(self._text, self.delimiter, skip_header=True):
                out.append(fields[j].strip())
            self._strings[name] = out
        return self._strings[name]

    def preview(self, n: int = 20) -> list[list[str]]:
        """The first n data rows as text, for showing the file."""
        out = []
        for _, fields in _records(self._text, self.delimiter, skip_header=True):
            if len(out) >= n:
                break
            out.append(fields)
        return out

    def check_numeric(self, columns) -> None:
        """Raise FileFormatError naming the first non-numeric column among `columns`."""
        for c in columns:
            msg = self.problem(c)
            if msg is not None:
                raise FileFormatError(f"{self.name}: {msg}")

    # -- training data ---------------------------------------------------------
    def prepare(self, columns, label_column: str | None = None, normalise: str = "zscore",
                missing: str = "drop") -> Prepared:
        """Training data from the chosen numeric columns (see module docstring)."""
        columns = tuple(columns)
        if not columns:
            raise OptionError("choose at least one numeric column to train on")
        dup = sorted(c for c, k in Counter(columns).items() if k > 1)
        if dup:
            raise OptionError(f"column(s) chosen twice: {', '.join(map(repr, dup))}")
        normalise = _choose(normalise, NORMALISATIONS, "normalisation")
        missing = _choose(missing, MISSING_POLICIES, "missing-value policy")
        for c in columns:
            self._col(c)
        if label_column is not None:
            self._col(label_column)
        self.check_numeric(columns)

        n, d = self.n_rows, len(columns)
        raw = np.empty((n, d), dtype=np.float64)
        for k, c in enumerate(columns):
            raw[:, k] = self._cols[c].values
        miss = np.isnan(raw)
        n_missing = int(miss.sum())
        warnings: list[str] = []
        keep = np.arange(n, dtype=np.int64)
        if missing == "drop":
            bad_rows = miss.any(axis=1)
            if bad_rows.all():
                raise FileFormatError(f"{self.name}: every row has a missing value in the chosen "
                                      "columns; choose other columns or fill missing values "
                                      "with the mean or median")
            keep = np.flatnonzero(~bad_rows)
            raw = raw[keep]
        elif n_missing:
            for k, c in enumerate(columns):
                m = miss[:, k]
                if m.any():
                    fill = np.mean(raw[~m, k]) if missing == "mean" else np.median(raw[~m, k])
                    raw[m, k] = fill
        n_dropped = n - len(keep)
        huge = [c for c, col in zip(columns, raw.T) if np.max(np.abs(col), initial=0.0) > MAX_ABS_VALUE]
        if huge:
            # beyond this, squares and spreads overflow float64 and the map would be garbage
            raise FileFormatError(f"{self.name}: column(s) {', '.join(map(repr, huge))} hold values "
                                  f"beyond +-{MAX_ABS_VALUE:g}, too large to train on; rescale them first")

        offset, scale = _scaling(raw, normalise)
        constant = [c for c, s in zip(columns, scale) if s == 0 and normalise != "none"]
        if constant:
            warnings.append(f"column(s) {', '.join(map(repr, constant))} have the same value in every "
                            "row; they are set to 0 and do not affect the map")
        if len(raw) == 1:
            warnings.append("only one row of data: every node of the map will learn that row")
        scaling = Scaling(normalise, columns, offset, scale)
        data = np.ascontiguousarray(scaling.apply(raw))

        labels = None
        if label_column is not None:
            texts = self.strings(label_column)
            labels = [None if texts[i].lower() in MISSING_TOKENS else texts[i] for i in keep]
        return Prepared(data=data, columns=columns, row_index=keep, labels=labels,
                        label_column=label_column, n_missing=n_missing, n_dropped_rows=n_dropped,
                        scaling=scaling, missing=missing, raw=raw, warnings=warnings)


def _choose(value, valid, what):
    key = str(value).strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    key = {"z": "zscore", "standard": "zscore", "standardise": "zscore", "range": "minmax",
           "off": "none", "no": "none"}.get(key, key)
    if key not in valid:
        raise OptionError(f"unknown {what} {value!r}; choose one of: {', '.join(valid)}")
    return key


# the same bound the SOM core puts on its data (somdesk.core.som.MAX_ABS_VALUE)
MAX_ABS_VALUE = 1e150


def _scaling(raw: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    d = raw.shape[1]
    if method == "none":
        return np.zeros(d), np.ones(d)
    if method == "minmax":
        lo = raw.min(axis=0)
        scale = raw.max(axis=0) - lo
    else:
        lo = raw.mean(axis=0)
        scale = raw.std(axis=0)
        # rounding can leave a tiny non-zero spread in a constant column
        scale = np.where(np.ptp(raw, axis=0) == 0, 0.0, scale)
    return lo, np.where(np.isfinite(scale), scale, 0.0)


def _is_infinite(text: str) -> bool:
    try:
        return math.isinf(float(text))
    except ValueError:
        return False


# -- parsing -----------------------------------------------------------------
def read_table(path: str | os.PathLike) -> Table:
    """Read a CSV file (see module docstring); problems raise FileFormatError."""
    fspath, name, size = stat_input(path)
    try:
        if size > MAX_FILE_BYTES:
            raise FileFormatError(f"cannot read {name}: the file is {size / 2**20:,.0f} MiB; "
                                  f"the limit is {MAX_FILE_BYTES // 2**20} MiB")
        with open(fspath, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except FileFormatError:
        raise
    except (OSError, ValueError) as exc:
        raise FileFormatError(f"cannot read {name}: {os_reason(exc)}") from None
    return read_table_bytes(data, name)


def read_table_bytes(data: bytes, name: str = "table") -> Table:
    """Like `read_table` for bytes in memory; `name` is used in messages."""
    if len(data) > MAX_FILE_BYTES:
        raise FileFormatError(f"cannot read {name}: the file is over the limit of "
                              f"{MAX_FILE_BYTES // 2**20} MiB")
    text, encoding, warnings = _decode(data, name)
    return read_table_text(text, name, encoding=encoding, warnings=warnings)


def _decode(data: bytes, name: str) -> tuple[str, str, list[str]]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError:
            raise FileFormatError(f"cannot read {name}: the file starts like UTF-16 text but "
                                  "is not valid UTF-16") from None
    if b"\x00" in data:
        raise FileFormatError(f"cannot read {name}: it contains NUL bytes, so it is a binary "
                              "file, not CSV text")
    try:
        return data.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as exc:
        return (data.decode("latin-1"), "latin-1",
                [f"{name} is not valid UTF-8 (byte {exc.start:,}); it was read as Latin-1, "
                 "so accented letters may be wrong"])


def _records(text: str, delimiter: str, skip_header: bool = False):
    """(start line, fields) of each non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"',
                        doublequote=True, skipinitialspace=False, strict=False)
    prev = 0
    first = True
    for fields in reader:
        start = prev + 1
        prev = reader.line_num
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        if first:
            first = False
            if skip_header:
                continue
        yield start, fields


def _sniff(text: str) -> str:
    sample = text[:1 << 16]
    best = None
    for rank, d in enumerate(DELIMITERS):
        try:
            recs = []
            for _, fields in _records(sample, d):
                recs.append(len(fields))
                if len(recs) >= _SNIFF_RECORDS:
                    break
        except csv.Error:
            continue
        if not recs or recs[0] < 2:
            continue
        body = recs[1:-1] if len(recs) > 2 else recs[1:]   # the sample may cut the last record
        agree = sum(1 for r in body if r == recs[0]) / len(body) if body else 1.0
        key = (agree, recs[0], -rank)
        if best is None or key > best[0]:
            best = (key, d)
    return best[1] if best else ","


def _number(cell: str, decimal_comma: bool) -> float | None:
    """float of a cell, NaN if missing, None if not a (finite) number."""
    s = cell.strip()
    if s.lower() in MISSING_TOKENS:
        return math.nan
    try:
        v = float(s)
    except ValueError:
        if decimal_comma and s.count(",") == 1 and "." not in s:
            try:
                v = float(s.replace(",", "."))
            except ValueError:
                return None
        else:
            return None
    if math.isnan(v):
        return math.nan
    return v if math.isfinite(v) else None


def _convert(col: _Column, cells, lines, decimal_comma: bool) -> None:
    """Parse one block of one column into col (fast path: all plain numbers)."""
    try:
        arr = np.array(cells, dtype=np.float64)
        if np.isinf(arr).any():
            raise ValueError
    except (ValueError, TypeError, OverflowError):
        arr = np.empty(len(cells), dtype=np.float64)
        for i, cell in enumerate(cells):
            v = _number(cell, decimal_comma)
            if v is None:
                col.numeric = False
                col.bad = (int(lines[i]), cell.strip())
                col.chunks = []
                return
            arr[i] = v
    nan = np.isnan(arr)
    k = int(nan.sum())
    col.n_missing += k
    col.n_values += len(arr) - k
    col.chunks.append(arr)


def _looks_numeric(cell: str) -> bool:
    v = _number(cell, False)
    return v is not None and not math.isnan(v)


def read_table_text(text: str, name: str = "table", encoding: str = "utf-8",
                    warnings: list[str] | None = None) -> Table:
    """Parse CSV text already decoded (see module docstring)."""
    warnings = list(warnings or [])
    if not text.strip():
        raise FileFormatError(f"cannot read {name}: the file is empty")
    delimiter = _sniff(text)
    decimal_comma = delimiter != ","
    try:
        return _parse(text, name, encoding, warnings, delimiter, decimal_comma)
    except csv.Error as exc:
        raise FileFormatError(f"cannot read {name}: not valid CSV ({exc})") from None


def _parse(text, name, encoding, warnings, delimiter, decimal_comma) -> Table:
    records = _records(text, delimiter)
    try:
        _, header = next(records)
    except StopIteration:
        raise FileFormatError(f"cannot read {name}: the file is empty") from None
    ncols = len(header)
    if ncols > MAX_COLUMNS:
        raise FileFormatError(f"cannot read {name}: it has {ncols:,} columns; the limit is {MAX_COLUMNS:,}")
    names = [h.strip() for h in header]
    if all(_looks_numeric(h) for h in names):
        raise FileFormatError(f"cannot read {name}: the first line looks like data (only numbers); "
                              "somdesk needs a header line with the column names")
    unnamed = [i for i, h in enumerate(names) if not h]
    for i in unnamed:
        names[i] = f"column {i + 1}"
    if unnamed:
        warnings.append(f"{len(unnamed)} column(s) had no name and were called "
                        f"{', '.join(repr(names[i]) for i in unnamed[:3])}{' ...' if len(unnamed) > 3 else ''}")
    seen: dict[str, int] = {}
    dups = []
    for h in names:
        seen[h] = seen.get(h, 0) + 1
        if seen[h] == 2:
            dups.append(h)
    if dups:
        raise FileFormatError(f"cannot read {name}: duplicate column name(s) "
                              f"{', '.join(repr(d) for d in dups[:5])}; every column needs its own name")

    cols = [_Column() for _ in range(ncols)]
    block_rows = max(1, _BLOCK_CELLS // ncols)
    max_rows = min(MAX_ROWS, MAX_CELLS // ncols)
    lines_chunks = []
    block: list[list[str]] = []
    block_lines: list[int] = []
    n_rows = 0

    def flush():
        if not block:
            return
        lines = np.asarray(block_lines, dtype=np.int64)
        for j, cells in enumerate(zip(*block)):
            if cols[j].numeric:
                _convert(cols[j], cells, lines, decimal_comma)
        lines_chunks.append(lines)
        block.clear()
        block_lines.clear()

    for line, fields in records:
        if len(fields) != ncols:
            raise FileFormatError(f"cannot read {name}: line {line} has {len(fields)} field(s) but the "
                                  f"header has {ncols} (the delimiter is {_delim_name(delimiter)})")
        n_rows += 1
        if n_rows > max_rows:
            if max_rows == MAX_ROWS:
                raise FileFormatError(f"cannot read {name}: it has more than {MAX_ROWS:,} data rows")
            raise FileFormatError(f"cannot read {name}: more than {MAX_CELLS:,} cells "
                                  f"({ncols:,} columns x {n_rows:,}+ rows)")
        block.append(fields)
        block_lines.append(line)
        if len(block) >= block_rows:
            flush()
    flush()
    if n_rows == 0:
        raise FileFormatError(f"cannot read {name}: the file has a header line but no data rows")
    if n_rows == 1:
        warnings.append(f"{name} has a single data row")
    lines = np.concatenate(lines_chunks)
    return Table(name, text, delimiter, encoding, names, cols, lines, warnings)
