"""A copy of a saved table map with one entry of its meta.json's "table_map" left out: the map as
an older somdesk wrote it (tests of maps saved before a field existed)."""
from __future__ import annotations

import json
import zipfile


def without_table_map_field(somz, out, field: str):
    """Write `somz` to `out` without meta.json's table_map[`field`]; returns `out`."""
    with zipfile.ZipFile(somz) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "meta.json":
                meta = json.loads(data)
                del meta["table_map"][field]
                data = json.dumps(meta).encode()
            dst.writestr(item, data)
    return out
