"""Table files made on the fly, in every format the reader takes."""
from __future__ import annotations

import glob
import gzip
import os
import zipfile

SKLEARN_DATA = (glob.glob(os.path.join(os.path.dirname(__import__("sklearn").__file__), "datasets", "data"))
                or [""])[0]


def sklearn_csv(name: str) -> str:
    """Path of one of scikit-learn's bundled CSVs (iris.csv, wine_data.csv, breast_cancer.csv)."""
    return os.path.join(SKLEARN_DATA, name)


def write_text(tmp_path, name, text, encoding="utf-8", gz=False) -> str:
    p = tmp_path / name
    data = text.encode(encoding)
    p.write_bytes(gzip.compress(data) if gz else data)
    return str(p)


def write_parquet(tmp_path, name, sql_select) -> str:
    import duckdb
    p = str(tmp_path / name)
    con = duckdb.connect()
    con.execute(f"COPY ({sql_select}) TO '{p}' (FORMAT parquet)")
    con.close()
    return p


def write_xlsx(tmp_path, name, sheets: dict) -> str:
    import openpyxl
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(list(r))
    p = str(tmp_path / name)
    wb.save(p)
    return p


def _ods_cell(v) -> str:
    if v is None:
        return "<table:table-cell/>"
    if isinstance(v, (int, float)):
        return (f'<table:table-cell office:value-type="float" office:value="{v!r}">'
                f"<text:p>{v!r}</text:p></table:table-cell>")
    return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'


def write_ods(tmp_path, name, rows) -> str:
    """A minimal OpenDocument spreadsheet (one sheet "Sheet1"), written by hand."""
    body = "".join("<table:table-row>" + "".join(_ods_cell(v) for v in r) + "</table:table-row>" for r in rows)
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
               f"{body}</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    p = str(tmp_path / name)
    with zipfile.ZipFile(p, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return p
