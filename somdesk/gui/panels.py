"""The left panel of the one window: the map's settings, then the panel of the dataset's kind.

    colours   the input swatches (gui/swatches.py: a virtualised list)
    image     what the picture is, how it is sampled; Quantise full picture, and whether it
              dithers (`dither`: Floyd-Steinberg error diffusion, `somdesk quantize --dither`)

A table never reaches the session of the window: it goes to the Segments dock
(gui/table_workflow.py), which has its own setup panel (gui/table_setup.py).

Above the kind's box, `notes` lists what the reader said about the file (the dataset's
`warnings`: clamped values, CSS colours skipped or gamut-mapped, frames of an animation
left out), in the words `somdesk palette info` and `somdesk quantize` print; hidden when
there is nothing to say.

The panel only shows the session's state and emits requests; the window applies them.
The name of the palette or picture is elided in the middle to the panel's width (the full
name is the tooltip): a long name never widens the panel's content (tester11 #4).
"""
from __future__ import annotations

import html
import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel, QScrollArea, QStackedWidget, QVBoxLayout, QWidget

from somdesk.core.options import count_text
from somdesk.gui.controls import ParameterPanel
from somdesk.gui.fit_text import elide_middle
from somdesk.gui.swatches import SwatchPanel
from somdesk.gui.warning_notes import list_notes, notes_label
from somdesk.io.names import display_name


def _box(title: str, widget: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    lay = QVBoxLayout(box)
    lay.addWidget(widget)
    return box


class ImagePanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.info)
        # the CLI's --dither in the window (testerG #5): read when Quantise full picture starts
        self.dither = QCheckBox("Dither (error diffusion)")
        self.dither.setObjectName("quantise-dither")
        self.dither.setToolTip("Quantise full picture spreads each pixel's colour error to its neighbours "
                               "(Floyd-Steinberg, as somdesk quantize --dither): smoother gradients, grainier "
                               "flat areas. Takes effect at the next Quantise full picture.")
        lay.addWidget(self.dither)
        lay.addStretch(1)

    def show_dataset(self, d, name_px: int = 10_000) -> None:
        """What picture `d` is; its name elided to `name_px` pixels of bold text."""
        h, w = d.pixels.shape[:2]
        st = d.settings
        bold = QFont(self.info.font())
        bold.setBold(True)
        full = display_name(d.title)
        name = elide_middle(full, bold, name_px)
        self.info.setToolTip(full if name != full else "")
        self.info.setText(
            f"<b>{html.escape(name)}</b><br>{w:,} × {h:,} pixels"
            f"{'' if d.full_size else ' (downscaled copy)'}<br>"
            f"{count_text(len(d.sample), 'pixel')} sampled to train the palette map<br>"
            # the run is Epochs + these: Epochs 20 showed "epoch 0 of 40" without a word why (tester10 #23)
            + (f"then {st.fine_tune} fine-tuning epochs (a run is Epochs + {st.fine_tune}), " if st.fine_tune
               else "no fine-tuning, ") +
            f"unused colours {'recovered' if st.revive else 'kept'}<br><br>"
            "Train, then <i>Training › Quantise full picture</i> (Ctrl+Shift+Q), dithered when "
            "the box below is ticked; <i>View › Quantised picture</i> shows the result, <i>View › "
            "Original | quantised side by side</i> both at once.")


class LeftPanel(QScrollArea):
    """Settings + the kind's panel, in a scroll area (nothing is ever cut off)."""

    config_edited = Signal()
    def __init__(self, parent=None):
        super().__init__(parent)
        # the container is no tab stop, its fields are (testerH #8: Tab stopped on it first);
        # QScrollArea still scrolls a field that takes the focus into view
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.params = ParameterPanel()
        self.swatches = SwatchPanel()
        self.image_panel = ImagePanel()
        self.stack = QStackedWidget()
        self.kind_boxes = {"colours": _box("Input colours", self.swatches),
                           "image": _box("Picture", self.image_panel)}
        self.stack.addWidget(QLabel("Open a palette, a picture, a table or a saved map."))
        for box in self.kind_boxes.values():
            self.stack.addWidget(box)
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(_box("Map settings", self.params))
        self.notes = notes_label("open-warnings")     # the reader's warnings (what the CLI prints)
        lay.addWidget(self.notes)
        lay.addWidget(self.stack, 1)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(inner.sizeHint().width() + 24)
        self.params.config_changed.connect(self.config_edited)

    def show_dataset(self, dataset, session) -> None:
        kind = None if dataset is None else dataset.kind
        self._shown = dataset
        self._show_notes(dataset)
        if kind is None:
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentWidget(self.kind_boxes[kind])
        if kind == "colours":
            self.swatches.set_colours(dataset.with_alpha, dataset.names)
        self._fit_name()

    def _show_notes(self, dataset) -> None:
        """The dataset's `warnings` under a line naming the file (gui.warning_notes.list_notes)."""
        said = tuple(getattr(dataset, "warnings", ()) or ())
        source = getattr(dataset, "source", None)
        name = display_name(os.path.basename(source)) if source else display_name(getattr(dataset, "title", ""))
        list_notes(self.notes, f"{count_text(len(said), 'warning')} reading {name}:", said)

    def _name_room(self) -> int:
        """Pixels the inside of a box has for text: the panel's width less its margins and the
        box's frame (the panel's minimum before it is first laid out)."""
        width = self.viewport().width() if self.isVisible() else 0
        return max(width, self.minimumWidth() - 24) - 12 - 40

    def _fit_name(self) -> None:
        """The dataset's name in its box, elided to the room there is (its tooltip: the name)."""
        d = getattr(self, "_shown", None)
        if d is None:
            return
        if d.kind == "colours":
            box, caption = self.kind_boxes["colours"], "Input colours — "
            full = display_name(d.title)
            room = self._name_room() - box.fontMetrics().horizontalAdvance(caption)
            name = elide_middle(full, box.font(), room)
            box.setTitle(caption + name)
            box.setToolTip(full if name != full else "")
        else:
            self.image_panel.show_dataset(d, self._name_room())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_name()           # a wider panel shows more of the name

    def set_locked(self, locked: bool) -> None:
        self.params.setEnabled(not locked)
        self.swatches.set_locked(locked)


def basename(path) -> str:
    return os.path.basename(path) if path else ""
