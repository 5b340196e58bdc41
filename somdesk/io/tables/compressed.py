"""Compressed text files, known by their first bytes, never by their name.

A gzip file called `sales.csv` (or `export.txt`, or no extension at all) is gzip; a
plain file called `sales.csv.gz` is plain.  Every text path asks `codec_of` and passes
the answer on explicitly: to DuckDB as `compression=` (left to itself DuckDB goes by
the name and reads the compressed bytes of a `.csv` as text), to Arrow as the stream's
codec, and to our own head, line-end and transcoding reads through `open_stream`.

Codecs (the two DuckDB's read_csv/read_json unpack themselves):
  gzip  magic 1f 8b (RFC 1952), unpacked here by the standard library;
  zstd  magic 28 b5 2f fd (RFC 8878), unpacked here by pyarrow's codec -- without
        pyarrow (the desktop bundle) such a file gets one clear message.
"""
from __future__ import annotations

import gzip
import zlib

__all__ = ["MAGIC", "codec_of", "open_stream", "read_up_to", "duck_arg", "ERRORS"]

MAGIC = {"gzip": b"\x1f\x8b", "zstd": b"\x28\xb5\x2f\xfd"}
# what reading a damaged stream raises (zstd through pyarrow: OSError)
ERRORS = (OSError, EOFError, zlib.error)


def codec_of(first: bytes) -> str | None:
    """"gzip", "zstd" or None (not compressed) from a file's first bytes (>= 4 of them)."""
    for codec, magic in MAGIC.items():
        if first.startswith(magic):
            return codec
    return None


class CodecMissing(OSError):
    """The file is compressed with a codec nothing installed here can unpack."""


def open_stream(path: str, codec: str | None):
    """A binary file object with the file's (unpacked) bytes: read(n), close, `with`.
    Raises OSError (CodecMissing for zstd without pyarrow)."""
    if codec is None:
        return open(path, "rb")
    if codec == "gzip":
        return gzip.open(path, "rb")
    if codec == "zstd":
        try:
            import pyarrow as pa
            return pa.input_stream(path, compression="zstd")
        except ImportError:
            raise CodecMissing("it is compressed with zstd, which this build cannot unpack "
                               "(pyarrow is not installed); unpack it first, or save it with gzip") from None
    raise ValueError(f"unknown codec {codec!r}")


def read_up_to(f, n: int) -> bytes:
    """n bytes from a stream, fewer only at its end (a codec stream may return less a call)."""
    parts, got = [], 0
    while got < n:
        block = f.read(n - got)
        if not block:
            break
        parts.append(block)
        got += len(block)
    return b"".join(parts)


def duck_arg(codec: str | None) -> str:
    """DuckDB's read_csv/read_json/sniff_csv argument for the file's real codec."""
    return f"compression='{codec or 'none'}'"
