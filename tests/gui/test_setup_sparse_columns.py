"""The Setup tab ticks sparse columns when Missing = train, as `train --table --missing train`
(tester13 #2; session.table_columns.missing_share_reason), and unticks them for drop/mean/median."""
from somdesk.io.tables.table import read_table


def test_the_setup_tab_ticks_sparse_items_when_missing_is_train(tmp_path, qtbot):
    from somdesk.gui.table_setup import TableSetup

    setup = TableSetup()
    qtbot.addWidget(setup)
    setup.missing.setCurrentText("drop")
    path = tmp_path / "w.csv"                      # full columns beside sparse ones
    path.write_text("age,s,t\n" + "".join(f"{20 + i % 50},{'' if i % 5 else 3},{'' if i % 60 else 2}\n"
                                          for i in range(200)))
    tab = read_table(path)
    try:
        setup.set_table(tab)
        assert [setup.column(c).use for c in ("age", "s", "t")] == [True, False, False]
        with qtbot.waitSignal(setup.spec_edited):
            setup.missing.setCurrentText("train")
        assert [setup.column(c).use for c in ("age", "s", "t")] == [True, True, False]   # t: 4 values
        assert setup.spec().columns == ("age", "s")
        setup.missing.setCurrentText("mean")
        assert [setup.column(c).use for c in ("age", "s", "t")] == [True, False, False]
        setup.missing.setCurrentText("train")
        setup.set_table(tab)                       # a table opened under train: ticked at once
        assert [setup.column(c).use for c in ("age", "s", "t")] == [True, True, False]
    finally:
        tab.close()


def test_the_setup_tab_proposes_a_scikit_learn_target_as_the_label(qtbot):
    # tester13 #9: iris's column4 (setosa, versicolor, virginica) was left out and no label proposed
    import os

    import sklearn

    from somdesk.gui.table_setup import TableSetup

    setup = TableSetup()
    qtbot.addWidget(setup)
    tab = read_table(os.path.join(os.path.dirname(sklearn.__file__), "datasets", "data", "iris.csv"))
    try:
        setup.set_table(tab)
        spec = setup.spec()
        assert spec.label == "column4" and "column4" not in spec.columns
    finally:
        tab.close()
