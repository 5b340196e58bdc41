"""The rows view numbers rows by the table's `row` column only (tester10 #23)."""
import numpy as np

from somdesk.gui.table_rows import RowsModel, RowsView


def test_no_second_row_numbering_beside_the_row_column(qtbot):
    view = RowsView()
    qtbot.addWidget(view)
    model = RowsModel()
    model.set_columns({"row": np.array([59, 60, 61]), "x": np.array([1.0, 2.0, 3.0])})
    model.set_rows([2, 0, 1])
    view.setModel(model)
    view.show()
    assert view.verticalHeader().isHidden()
    assert view.rowHeight(0) == view.verticalHeader().defaultSectionSize()
