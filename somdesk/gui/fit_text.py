"""No text widens the window (tester6 #51, tester8 #15 b).

A QLabel's minimum width is the width of its longest line (of its longest word when it wraps),
and a top-level window grows to its layout's minimum width: one long status text, file path or
message in any label of the window made it wider than the screen (a 2,000-character path:
15,000 px).  An explicit minimum width replaces the minimum size hint in every Qt layout
(qSmartMinSize), so each label of the window gets one, fixed when the window is built:

    hold_label_widths(window)        # once, after every label of the window exists

Labels inside a scroll area (the profiles picture, legends, the Setup page) are left alone:
the scroll area's minimum does not depend on its content, and their pictures must scroll.

A label's explicit minimum is its caption's width then (a static caption keeps its room),
at most MAX_MIN_WIDTH px, and 1 px for an empty label (text set later: status, hover,
progress); a word-wrapped label's is WRAP_MIN_WIDTH px.  Text longer than the room given wraps (word-wrapped labels) or is cut at
the label's edge, and the full text is the label's tooltip.  The status bar's temporary
message is painted, not laid out: it never widened the window (tested).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QWidget

__all__ = ["MAX_MIN_WIDTH", "elide_middle", "hold_label_widths"]

MAX_MIN_WIDTH = 240         # px: no caption of the window is wider; a longer text is a message
WRAP_MIN_WIDTH = 300        # px: a word-wrapped label's minimum (its lines are measured at it)


class _FullTextTip(QObject):
    """Shows a label's whole text as its tooltip when the label is narrower than its text."""

    def eventFilter(self, obj, event):  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.ToolTip and isinstance(obj, QLabel) and not obj.toolTip():
            text = obj.text()
            if text and obj.sizeHint().width() > obj.width():
                from PySide6.QtWidgets import QToolTip
                QToolTip.showText(event.globalPos(), text, obj)
                return True
        return False


def _in_scroll_area(widget: QWidget, root: QWidget) -> bool:
    w = widget.parentWidget()
    while w is not None and w is not root:
        if isinstance(w, QAbstractScrollArea):
            return True
        w = w.parentWidget()
    return False


def hold_label_widths(root: QWidget) -> int:
    """Give every QLabel under `root` an explicit minimum width (module docstring); returns
    how many.  Labels made later are not covered: call it again for them."""
    tip = getattr(root, "_full_text_tip", None)
    if tip is None:
        tip = root._full_text_tip = _FullTextTip(root)
    # pictures keep their minimum, and so does anything in a scroll area (review9 #6: a 1 px
    # minimum let the profiles picture's scroll area squeeze it, its right part cut off with no
    # scroll bar); a scroll area's content never widens the window anyway
    labels = [lab for lab in root.findChildren(QLabel) if lab.pixmap().isNull() and not _in_scroll_area(lab, root)]
    for label in labels:
        if label.wordWrap():
            # a wrapping label's height is measured at its minimum width: 1 px made a row of
            # one character per line (the Setup tab's "auto" line stood 270 px tall)
            label.setMinimumWidth(WRAP_MIN_WIDTH)
        else:
            hint = label.minimumSizeHint().width() if label.text() else 1
            label.setMinimumWidth(max(1, min(hint, MAX_MIN_WIDTH)))
        label.installEventFilter(tip)
    return len(labels)


def elide_middle(text: str, font: QFont, px: int) -> str:
    """`text` cut in the middle with "…" to at most `px` pixels (at least 1) of `font`, or
    `text` itself when it fits.  For file and palette names in captions that are laid out
    (group box titles, labels in a scroll area), whose whole width would otherwise become the
    panel's minimum: a 300-character palette name pushed the left panel's controls out of
    view (tester11).  Show the full name in a tooltip where it was cut."""
    return QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideMiddle, max(1, int(px)))
