"""The import preview of a workbook of several sheets says which sheet it shows and names the
others (tester F #9: "sheets Notes, Data, Other" without the one read)."""
from __future__ import annotations


def test_the_preview_names_the_sheet_shown_and_the_others(qtbot, tmp_path):
    import openpyxl

    from somdesk.gui.table_import import ImportPreview

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in {"Notes": [("exported from SAP",), ("see sheet Data",)],
                        "Data": [("a", "b")] + [(i, i * 2) for i in range(10)]}.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(list(r))
    path = str(tmp_path / "multi.xlsx")
    wb.save(path)
    dlg = ImportPreview(None, path)
    qtbot.addWidget(dlg)
    assert dlg.table is not None
    assert "sheet <b>Notes</b> of Notes, Data" in dlg.detected.text()
    assert "The workbook has 2 sheets, &#x27;Notes&#x27; (read), &#x27;Data&#x27;" in dlg.notes.text()
    assert [dlg.sheet.itemText(i) for i in range(dlg.sheet.count())][1:] == ["Notes", "Data"]
    dlg.table.close()
    dlg.done(0)
