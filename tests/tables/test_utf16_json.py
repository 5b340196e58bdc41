"""UTF-16 JSON and NDJSON with a BOM (PowerShell 5's Out-File) are read through a UTF-8 copy, as
UTF-16 text tables are (tester10 #24: DuckDB's "UTF-16 encoding is not supported")."""
import gzip
import json

import numpy as np
import pytest

from somdesk.io.tables.table import read_table

RECORDS = [{"x": i, "y": i * i % 7, "k": "ab"[i % 2]} for i in range(10)]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be-bom"])
@pytest.mark.parametrize("shape", ["array", "lines", "key"])
def test_utf16_json_is_read(tmp_path, codec, shape):
    text = {"array": json.dumps(RECORDS), "lines": "".join(json.dumps(r) + "\n" for r in RECORDS),
            "key": json.dumps({"rows": RECORDS})}[shape]
    data = text.encode("utf-16") if codec == "utf-16" else b"\xfe\xff" + text.encode("utf-16-be")
    p = tmp_path / "u16.json"
    p.write_bytes(data)
    tab = read_table(p)
    assert tab.columns == ["x", "y", "k"] and np.array_equal(tab.values("y"), [r["y"] for r in RECORDS])
    assert tab.strings("k") == [r["k"] for r in RECORDS] and tab.dialect["encoding"] == "utf-16"


def test_gzipped_utf16_json_is_read(tmp_path):
    p = tmp_path / "u16.json.gz"
    p.write_bytes(gzip.compress(json.dumps(RECORDS).encode("utf-16")))
    assert np.array_equal(read_table(p).values("x"), np.arange(10))
