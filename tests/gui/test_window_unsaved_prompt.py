"""The one Discard / Cancel question before a change starts a fresh map (gui/window_unsaved)."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from somdesk.gui.window_unsaved import discard_training


@pytest.mark.parametrize("button,expected", [(QMessageBox.StandardButton.Discard, True),
                                             (QMessageBox.StandardButton.Cancel, False)])
def test_discard_training_asks_once_with_cancel_as_default(qtbot, monkeypatch, button, expected):
    asked = []

    def question(parent, title, text, buttons, default):
        asked.append((text, default))
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    assert discard_training(None, "New settings start a fresh map.") is expected
    assert asked == [("New settings start a fresh map. Discard the unsaved training?",
                      QMessageBox.StandardButton.Cancel)]
