"""The window's lists of warnings -- what the CLI prints as `warning:` lines: a reader's under the
left panel (gui/panels.py), a Score new data's in the table dock (gui/table_runs.py).

    label = notes_label("open-warnings")          # hidden until there is something to list
    list_notes(label, "2 warnings reading x.gpl:", warnings)
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

NOTES_SHOWN = 6      # warnings listed in the label; its tooltip has every one


def notes_label(name: str) -> QLabel:
    """A hidden, selectable plain-text label in the warnings' colour, object name `name`."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet("color: #a04000;")      # the table dock's warnings colour
    label.hide()
    return label


def list_notes(label: QLabel, head: str, said) -> None:
    """`said` (warnings) under the line `head` in `label`, at most NOTES_SHOWN of them (a palette
    reader keeps up to 100): the rest are counted and the tooltip has them all.  Nothing said:
    the label is cleared and hidden."""
    said = tuple(said or ())
    if not said:
        label.clear()
        label.setToolTip("")
        label.hide()
        return
    lines = [f"• {w}" for w in said[:NOTES_SHOWN]]
    if len(said) > NOTES_SHOWN:
        lines.append(f"… and {len(said) - NOTES_SHOWN:,} more (hover for all)")
    label.setText("\n".join([head, *lines]))
    label.setToolTip("\n".join(said) if len(said) > NOTES_SHOWN else "")
    label.show()
