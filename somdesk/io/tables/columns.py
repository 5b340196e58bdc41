"""Engine results -> numpy: one float64 matrix for the numeric columns, objects for the rest.

A read comes back either as an Arrow table (DuckDB's `to_arrow_table`, or Arrow's own
CSV/Parquet readers, when pyarrow is installed) or as DuckDB's `fetchnumpy` dict
(masked arrays where a column has NULLs).  `Fetched` hides the difference, and
`float_matrix` turns every numeric column into one column-major (rows, k) float64
block with NaN for missing cells in a single vectorised step -- no per-row Python and,
for wide tables, no per-column Python either (Arrow's `to_tensor`).
"""
from __future__ import annotations

import numpy as np

__all__ = ["Fetched", "PieceBlock", "arrow_ints", "arrow_strings", "float_matrix", "numpy_floats", "object_column",
           "ROW_COLUMN", "SLICE_ROWS"]

ROW_COLUMN = "__somdesk_row"
PARALLEL_CELLS = 1 << 20        # blocks this big are copied by several threads
# Cells made Python objects per call.  A call holds the GIL throughout, and the window's
# thread waits for it: one call over a million strings froze the window ~0.15 s, a slice
# of 65,536 takes ~10 ms (stop13 #3).
SLICE_ROWS = 1 << 16


class Fetched:
    """Columns of one result, in order.

    `cols[j]` is a pyarrow ChunkedArray (arrow=True) or a numpy (masked) array.
    `block`, `sums`: when every column is a number column already copied into one
    (rows, k) float64 block (PieceBlock), that block (cols[j] = block[:, j]) and the
    (k,) column sums; else None.
    """

    def __init__(self, names: list[str], cols: list, arrow: bool):
        self.names, self.cols, self.arrow = list(names), list(cols), arrow
        self.block = self.sums = None

    @classmethod
    def from_block(cls, names: list[str], block: np.ndarray, sums: np.ndarray | None) -> "Fetched":
        """Number columns `names` held as one (rows, k) float64 `block` (cols[j] are its
        column views) with their (k,) `sums`, or None when not summed yet."""
        got = cls(names, [block[:, k] for k in range(block.shape[1])], False)
        got.block, got.sums = block, sums
        return got

    @classmethod
    def from_numpy(cls, got: dict) -> "Fetched":
        return cls(list(got), list(got.values()), False)

    @classmethod
    def from_arrow(cls, table) -> "Fetched":
        return cls(list(table.column_names), list(table.columns), True)

    @property
    def n_rows(self) -> int:
        return len(self.cols[0]) if self.cols else 0

    def pop_rows(self) -> np.ndarray | None:
        """Remove and return the `__somdesk_row` column (first, when present) as int64."""
        if not self.names or self.names[0] != ROW_COLUMN:
            return None
        self.names.pop(0)
        col = self.cols.pop(0)
        if self.arrow:
            return arrow_ints(col)
        return np.asarray(np.ma.getdata(col), dtype=np.int64)

    def take(self, idx: np.ndarray) -> "Fetched":
        """The rows `idx` (sorted positions) of every column."""
        if self.arrow:
            import pyarrow as pa
            # from the buffer: pa.array(ndarray) imports pandas on first use (0.75 s, GIL held)
            ia = pa.Array.from_buffers(pa.int64(), len(idx), [None, pa.py_buffer(np.ascontiguousarray(idx, np.int64))])
            return Fetched(self.names, [c.take(ia) for c in self.cols], True)
        if self.block is not None:
            out = np.empty((len(idx), self.block.shape[1]), dtype=np.float64, order="F")
            return Fetched.from_block(self.names, np.take(self.block, idx, axis=0, out=out), None)
        return Fetched(self.names, [c[idx] for c in self.cols], False)


def float_matrix(got: Fetched, idx: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """((n_rows, len(idx)) float64, column-major (each column contiguous), NaN = missing,
    from the numeric columns `idx` of `got` (any integer, float or decimal type);
    (len(idx),) the sum of each column -- finite exactly when the column has neither a
    missing nor an infinite value, summed while the copy is in the cache)."""
    n = got.n_rows
    if got.arrow and idx and n:
        # from Arrow's memory pool, where the parser's pages were just freed: no fresh
        # page faults for a block the size of the table
        return _arrow_matrix(got, idx, _pool_block(n, len(idx)))
    out = np.empty((n, len(idx)), dtype=np.float64, order="F")
    if not idx or n == 0:
        return out, np.zeros(len(idx))
    for k, j in enumerate(idx):
        a = got.cols[j]
        out[:, k] = np.ma.getdata(a)
        if isinstance(a, np.ma.MaskedArray):
            m = np.ma.getmaskarray(a)
            if m.any():
                out[m, k] = np.nan
    with np.errstate(invalid="ignore", over="ignore"):
        return out, out.sum(axis=0)


def _pool_block(rows: int, k: int) -> np.ndarray:
    """(rows, k) float64, column-major, uninitialised, from Arrow's memory pool."""
    import pyarrow as pa
    buf = pa.allocate_buffer(rows * k * 8)
    return np.frombuffer(buf, dtype=np.float64).reshape(k, rows).T


class PieceBlock:
    """The float64 columns of a text file parsed in pieces, out of order, by several
    threads, copied into one column-major block as soon as each piece's first row is known.

        block = PieceBlock(names, capacity_rows, pieces)
        block.add(k, batches)          # from the thread that parsed piece k (thread-safe)
        got = block.finish()           # Fetched.from_block, rows in file order

    A piece is copied right after its parse by the thread that parsed it -- while its
    numbers are still in that core's cache, and its Arrow buffers are freed at once for
    the next piece -- if every piece before it is parsed; otherwise by the thread that
    parses the last missing one.  Each column is summed while it is copied (a finite sum:
    no missing and no infinite value).  The block holds `capacity_rows` rows (estimated
    from the file's size and its mean line length); the (n, k) result is a view of its first
    n rows (each column contiguous, columns `capacity_rows` apart).  If the rows do not
    fit, or fill under 90 % of it, the block is copied once into one of the exact size.
    """

    SHRINK = 0.9
    WIDE = 64                           # more columns than this: copied by Arrow's to_tensor

    def __init__(self, names: list[str], capacity: int, pieces: int):
        import threading
        self.names = list(names)
        self.k = len(names)
        self.cap = max(1, int(capacity))
        self.out = _pool_block(self.cap, self.k)
        self.rows: list[int | None] = [None] * pieces
        self.pending: dict[int, list] = {}
        self.sums = np.zeros((pieces, self.k))
        self.placed = 0                 # pieces 0..placed-1 are in the block
        self.next_row = 0               # first row of piece `placed`
        self.lock = threading.Lock()

    def add(self, piece: int, batches: list) -> None:
        """Piece `piece` parsed into Arrow record batches (float64 columns, `names`)."""
        todo = []
        with self.lock:
            self.rows[piece] = sum(b.num_rows for b in batches)
            self.pending[piece] = batches
            while self.placed < len(self.rows) and self.rows[self.placed] is not None:
                i, lo = self.placed, self.next_row
                if lo + self.rows[i] > self.cap:
                    break                 # does not fit: left for finish()
                todo.append((i, lo, self.pending.pop(i)))
                self.next_row += self.rows[i]
                self.placed += 1
        for i, lo, bs in sorted(todo, key=lambda t: t[0] != piece):     # its own piece first: in cache
            self._copy(self.out, i, lo, bs)

    def _copy(self, out: np.ndarray, i: int, lo: int, batches: list) -> None:
        with np.errstate(invalid="ignore", over="ignore"):
            for b in batches:
                hi = lo + b.num_rows
                if self.k > self.WIDE and hi > lo:
                    # many columns: one C++ pass (NULL -> NaN), not a Python call per column
                    dest = out[lo:hi]
                    dest[...] = np.asarray(b.to_tensor(null_to_nan=True, row_major=False))
                    self.sums[i] += dest.sum(axis=0)
                    lo = hi
                    continue
                for j in range(self.k):
                    dest = out[lo:hi, j]
                    _put_floats(b.column(j), dest)
                    self.sums[i, j] += dest.sum()
                lo = hi

    def finish(self) -> Fetched:
        """Every piece added: the block as Fetched (rows in piece order)."""
        n = sum(self.rows)
        out = self.out
        if self.placed < len(self.rows) or n < self.SHRINK * self.cap:
            out = _pool_block(n, self.k) if n else np.empty((0, self.k), order="F")
            out[:self.next_row] = self.out[:self.next_row]
            lo = self.next_row
            for i in range(self.placed, len(self.rows)):
                self._copy(out, i, lo, self.pending.pop(i))
                lo += self.rows[i]
        self.out = None
        with np.errstate(invalid="ignore", over="ignore"):
            sums = self.sums.sum(axis=0)
        return Fetched.from_block(self.names, out[:n], sums)


def numpy_floats(a) -> np.ndarray:
    """(n,) float64 of one fetchnumpy column, NaN = missing; the engine's array itself
    when it is already float64 without NULLs (it is ours alone)."""
    mask = np.ma.getmaskarray(a) if isinstance(a, np.ma.MaskedArray) else None
    data = np.ma.getdata(a)
    has_missing = mask is not None and bool(mask.any())
    vals = data.astype(np.float64, copy=has_missing and data.dtype == np.float64)
    if has_missing:
        vals[mask] = np.nan
    return vals


def _arrow_matrix(got: Fetched, idx: list[int], out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import pyarrow as pa

    cols = [got.cols[j] for j in idx]
    chunks = sum(c.num_chunks for c in cols)
    if chunks > 256 and len(cols) > 16:
        # wide: one C++ pass over every column (mixed numeric types, NULL -> NaN)
        cols = [c if _tensor_ok(c.type) else _to_float(c) for c in cols]
        batch = pa.Table.from_arrays(cols, names=[str(k) for k in range(len(cols))]).combine_chunks()
        parts = batch.to_batches()
        if len(parts) == 1:
            out[:] = np.asarray(parts[0].to_tensor(null_to_nan=True, row_major=False))
            with np.errstate(invalid="ignore", over="ignore"):
                return out, out.sum(axis=0)
    sums = np.zeros(len(cols))
    f64 = pa.float64()

    def column(k: int) -> None:
        lo = 0
        with np.errstate(invalid="ignore", over="ignore"):
            for ch in cols[k].chunks:
                if ch.type != f64:
                    ch = _to_float(ch)
                hi = lo + len(ch)
                _put_floats(ch, out[lo:hi, k])
                sums[k] += out[lo:hi, k].sum()       # while the chunk is in the cache
                lo = hi

    threads = min(len(cols), pa.cpu_count(), 8) if out.size >= PARALLEL_CELLS else 1
    if threads > 1:
        # numpy copies and sums release the GIL: the columns are split between threads
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(threads, thread_name_prefix="somdesk-block") as pool:
            list(pool.map(column, range(len(cols))))
    else:
        for k in range(len(cols)):
            column(k)
    return out, sums


def _put_floats(ch, dest: np.ndarray) -> None:
    """Copy a float64 Arrow array into `dest`, NaN where it is NULL -- straight from its
    buffers (Array.to_numpy would import pandas on first use: 0.2-0.3 s)."""
    n, off = len(ch), ch.offset
    validity, data = ch.buffers()[:2]
    if n == 0:
        return
    dest[:] = np.frombuffer(data, dtype=np.float64, count=off + n)[off:]
    if ch.null_count:
        valid = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), count=off + n, bitorder="little")[off:]
        dest[valid == 0] = np.nan


def _to_float(arr):
    """float64 of an Arrow integer/float/decimal array.  Decimals go through their text,
    so 0.57 stays 0.57 (as DuckDB converts them), not 57 * 0.01."""
    import pyarrow as pa
    import pyarrow.compute as pc
    if pa.types.is_decimal(arr.type):
        arr = pc.cast(arr, pa.string())
    return pc.cast(arr, pa.float64(), safe=False)


def _tensor_ok(t) -> bool:
    import pyarrow as pa
    return pa.types.is_integer(t) or pa.types.is_floating(t)


def arrow_ints(col) -> np.ndarray:
    """(n,) int64 of an Arrow integer ChunkedArray without NULLs, from its buffers
    (to_numpy would import pandas on first use: 0.75 s holding the GIL)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if col.type != pa.int64():
        col = pc.cast(col, pa.int64())
    parts = [np.frombuffer(ch.buffers()[1], dtype=np.int64, count=ch.offset + len(ch))[ch.offset:]
             for ch in col.chunks if len(ch)]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def arrow_strings(col) -> np.ndarray:
    """(n,) object array of str (None = NULL) of an Arrow string ChunkedArray.

    Without Arrow's to_numpy, which imports pandas on first use (0.75 s holding the GIL:
    the window froze while a table was read, stop13 #3), and in slices of SLICE_ROWS cells.
    A column whose first slice repeats its values (at most a quarter distinct: categories,
    codes, cities) is dictionary-encoded by Arrow (C++, the GIL released) and each distinct
    value made a str once, shared by its cells -- a fraction of the memory, and hashed once
    when its values are counted; the values are equal either way.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(col)
    out = np.empty(n, dtype=object)
    if n == 0:
        return out
    head = col.slice(0, SLICE_ROWS)
    if n <= SLICE_ROWS or 4 * pc.count_distinct(head).as_py() > len(head):
        for lo in range(0, n, SLICE_ROWS):
            out[lo:lo + SLICE_ROWS] = col.slice(lo, SLICE_ROWS).to_pylist()
        return out
    enc = pc.dictionary_encode(col)
    enc = enc.combine_chunks() if isinstance(enc, pa.ChunkedArray) else enc
    words = enc.dictionary
    vals = np.empty(len(words) + 1, dtype=object)            # the last one: None, for NULL
    for lo in range(0, len(words), SLICE_ROWS):
        part = words.slice(lo, SLICE_ROWS).to_pylist()
        vals[lo:lo + len(part)] = part
    codes = _codes(enc.indices, len(words))
    for lo in range(0, n, SLICE_ROWS):
        out[lo:lo + SLICE_ROWS] = vals[codes[lo:lo + SLICE_ROWS]]
    return out


def _codes(idx, null: int) -> np.ndarray:
    """(n,) int64 of a dictionary array's (signed integer) indices, `null` where NULL --
    from the buffers (pc.fill_null makes a pa.scalar, which imports pandas on first use)."""
    n, off = len(idx), idx.offset
    validity, data = idx.buffers()[:2]
    if n == 0:
        return np.empty(0, dtype=np.int64)
    codes = np.frombuffer(data, dtype=f"<i{idx.type.bit_width // 8}", count=off + n)[off:].astype(np.int64)
    if idx.null_count:
        valid = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), count=off + n, bitorder="little")[off:]
        codes[valid == 0] = null
    return codes


def _arrow_texts(col, kind: str) -> np.ndarray:
    """(n,) object array of an Arrow column that is not text -- booleans "true"/"false",
    other values str() of their Python value -- converted in slices (see SLICE_ROWS)."""
    out = np.empty(len(col), dtype=object)
    for lo in range(0, len(col), SLICE_ROWS):
        vals = col.slice(lo, SLICE_ROWS).to_pylist()
        if kind == "boolean":
            vals = [None if v is None else ("true" if v else "false") for v in vals]
        else:
            vals = [None if v is None else str(v) for v in vals]
        out[lo:lo + len(vals)] = vals
    return out


def object_column(col, kind: str, arrow: bool, duck_type: str = "") -> np.ndarray:
    """(n,) object array of str (None = missing) for a non-numeric column.

    Booleans read "true"/"false"; dates, times and nested values their Python text
    (a DATE as "2020-01-31" both ways, though fetchnumpy hands it over as a timestamp; a
    TIME as "01:30:00"; a timestamp with a time zone in UTC, "2020-01-01 12:30:00+00:00",
    both ways: fetchnumpy gives it as UTC without its zone, tester10 #10).
    """
    if arrow:
        import pyarrow as pa
        t = col.type
        if kind == "text" and (pa.types.is_string(t) or pa.types.is_large_string(t)):
            return arrow_strings(col)
        if pa.types.is_timestamp(t) and t.tz is not None:
            col = col.cast(pa.timestamp(t.unit, tz="UTC"))
        return _arrow_texts(col, kind)
    mask = np.ma.getmaskarray(col) if isinstance(col, np.ma.MaskedArray) else None
    data = np.ma.getdata(col)
    if kind == "boolean":
        obj = np.where(data.astype(bool), "true", "false").astype(object)
    elif duck_type.upper() == "DATE" and data.dtype.kind == "M":
        obj = np.array([None if v is None else str(v) for v in data.astype("datetime64[D]").tolist()], dtype=object)
    elif data.dtype == object:
        obj = np.array([v if v is None or isinstance(v, str) else str(v) for v in data.tolist()] or [],
                       dtype=object)       # a TIME comes as datetime.time
    elif "WITH TIME ZONE" in duck_type.upper() and data.dtype.kind == "M":
        obj = np.array([None if v is None else f"{v}+00:00" for v in data.astype("datetime64[us]").tolist()],
                       dtype=object)       # fetchnumpy gives the UTC instant without its zone
    else:
        obj = np.array([None if v is None else str(v) for v in data.tolist()], dtype=object)
    if mask is not None:
        obj[mask] = None
    return obj
