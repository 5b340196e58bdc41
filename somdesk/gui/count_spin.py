"""A spin box that counts things: "1 node", "2 nodes", "1,000 nodes".

QSpinBox's suffix is one fixed string, so a map 2000 x 1 read "1 nodes" (tester7 #26).
Swapping the suffix on valueChanged misses values set with signals blocked (the
parameter panel's set_config does that), so the unit word is part of the text
Qt asks for: `textFromValue` writes it for every value however it was set, and
`valueFromText` / `validate` accept the number with the unit, a part of it or none.
"""
from __future__ import annotations

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QSpinBox

__all__ = ["CountSpinBox"]


class CountSpinBox(QSpinBox):
    """A QSpinBox whose text is the value and its unit in agreement: `one` for 1, else `many`.

    The number keeps the locale's group separator (as `setGroupSeparatorShown(True)`)."""

    def __init__(self, one: str, many: str, minimum: int = 0, maximum: int = 99, parent=None):
        super().__init__(parent)
        self.one, self.many = one, many
        self.setGroupSeparatorShown(True)
        self.setRange(minimum, maximum)

    def unit(self, value: int) -> str:
        return self.one if abs(int(value)) == 1 else self.many

    def textFromValue(self, value: int) -> str:
        return f"{super().textFromValue(value)} {self.unit(value)}"

    def _number(self, text: str) -> str:
        """`text` without a trailing unit word, whole or typed part way ("12 no", "1 node")."""
        t = text.rstrip()
        for word in sorted({self.one, self.many}, key=len, reverse=True):
            for n in range(len(word), 0, -1):
                if t.endswith(word[:n]) and (n == len(word) or t[:-n].endswith(" ") or not t[:-n].strip()):
                    return t[:-n].rstrip()
        return t

    def valueFromText(self, text: str) -> int:
        return super().valueFromText(self._number(text))

    def validate(self, text: str, pos: int):
        number = self._number(text)
        state = super().validate(number, min(pos, len(number)))
        state = state[0] if isinstance(state, tuple) else state
        if state == QValidator.State.Acceptable and number != text.rstrip() and \
                text.rstrip()[len(number):].strip() not in (self.one, self.many):
            state = QValidator.State.Intermediate          # the unit only part typed
        return state, text, pos

    def fixup(self, text: str) -> str:
        number = self._number(text)
        try:
            return self.textFromValue(super().valueFromText(number))
        except (TypeError, ValueError):
            return text
