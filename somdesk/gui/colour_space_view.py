"""Maps trained in another colour space (issue 15): shown in sRGB, out-of-gamut nodes marked.

A colour map trained in linear sRGB, CIELAB or OKLab has its codebook in that
space (`ColourData.space`, `somdesk train --space`).  The colours and strip
views show `core.colour_space.fit_gamut(weights, space)` (exact when in gamut,
OKLCh chroma reduction otherwise; docs/colour.md) and put a small square mark
on every node sRGB cannot show (`out_of_gamut`), black or white, whichever
stands out on the node.  The marks are part of the picture, so the screen,
PNG export and clipboard agree.  U-matrix and hit map stay in the training
space.

    ColourSpaceBox(window)     the "Colour space" row of the parameter panel
"""
from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QComboBox, QLabel

from somdesk import render
from somdesk.core.options import count_text
from somdesk.gui.window_unsaved import discard_training

COLOUR_VIEWS = ("colours", "strip")
MIN_MARK_SCALE = 4          # nodes smaller than this many pixels get no mark (it would hide them)

SPACE_TIPS = {
    "srgb": "Train on sRGB values (the classic job)",
    "linear": "Train on linear-light sRGB",
    "cielab": "Train in CIELAB (D65): distances closer to what people see",
    "oklab": "Train in OKLab: perceptually even, hue-linear",
}


def mark_out_of_gamut(pic: np.ndarray, weights: np.ndarray, space: str, hexagonal: bool, scale: int,
                      y_offset: int = 0) -> int:
    """Draw the out-of-gamut marks into `pic` (H, W, 3) uint8 in place; returns how many nodes."""
    if space == "srgb":
        return 0
    from somdesk.core.colour_space import fit_gamut, out_of_gamut

    mask = out_of_gamut(weights, space)
    n = int(np.count_nonzero(mask))
    if n == 0 or scale < MIN_MARK_SCALE:
        return n
    rows, cols = mask.shape
    centres = render.node_centres(rows, cols, hexagonal, scale)          # (rows, cols, 2) x, y
    side = max(2, int(round(scale * 0.28)))
    shown = fit_gamut(weights[mask], space)
    lum = shown @ np.array([0.2126, 0.7152, 0.0722])
    h, w = pic.shape[:2]
    for (x, y), light in zip(centres[mask], lum > 0.45):
        x0 = int(round(x + scale * 0.12))
        y0 = int(round(y - scale * 0.12 - side)) + y_offset
        x0, y0 = max(0, min(w - side, x0)), max(0, min(h - side, y0))
        pic[y0:y0 + side, x0:x0 + side] = 0 if light else 255
    return n


def run_summary(session, state) -> str:
    """" Mean CIEDE2000 input -> shown BMU colour 1.23 (oklab; 4 nodes out of gamut)." for a
    finished colour run (any space: comparable across spaces, unlike the QE), else ""."""
    d = session.dataset
    if d is None or d.kind != "colours" or state is None:
        return ""
    from somdesk.core.colour_space import mean_delta_e00, out_of_gamut

    # a measured map's BMUs are those of d.data: not searched again on the GUI thread at
    # the end of every run (~5 ms for 336 colours on 100 x 100, after the task has ended)
    known = getattr(state, "bmus", None)
    known = known if known is not None and len(known) == len(d.data) else None
    de = mean_delta_e00(state.weights, d.data, d.colours, d.space, bmus=known)
    text = f"  Mean CIEDE2000 input → shown node {de:.2f} ({d.space}"
    if d.space != "srgb":
        text += f"; {count_text(int(out_of_gamut(state.weights, d.space).sum()), 'node')} out of gamut"
    return text + ")."


class ColourSpaceBox:
    """The "Colour space" row added to the parameter panel (colour datasets only)."""

    def __init__(self, window):
        from somdesk.core.colour_space import SPACES

        self.window = window
        self.combo = QComboBox()
        self.combo.setObjectName("colour-space")
        for i, space in enumerate(SPACES):
            self.combo.addItem(space, space)
            self.combo.setItemData(i, SPACE_TIPS.get(space, ""), 3)   # 3 = ToolTipRole
        self.combo.setToolTip("The colour space the map trains in; shown and exported in sRGB, "
                              "nodes sRGB cannot show are marked")
        self.label = QLabel("Colour space")
        self.label.setToolTip(self.combo.toolTip())
        form = window.left.params.layout().itemAt(0).layout()
        form.addRow(self.label, self.combo)
        self.combo.currentIndexChanged.connect(self._chosen)
        window.session.events.dataset_changed.connect(self.show_dataset)
        self.show_dataset(window.session.dataset)

    def show_dataset(self, dataset) -> None:
        colours = dataset is not None and dataset.kind == "colours"
        self.combo.setVisible(colours)
        self.label.setVisible(colours)
        if colours:
            self.combo.blockSignals(True)
            self.combo.setCurrentIndex(max(0, self.combo.findData(dataset.space)))
            self.combo.blockSignals(False)

    def _chosen(self, _i) -> None:
        w, s = self.window, self.window.session
        space = self.combo.currentData()
        if s.kind != "colours" or space == s.dataset.space:
            return
        if s.running or w.runner.busy:
            self.show_dataset(s.dataset)
            return
        if s.would_discard_training and s.dirty and w.interactive:
            if not discard_training(w, "Another colour space starts a fresh map."):
                self.show_dataset(s.dataset)
                return
        from somdesk.gui.window_tasks import same_document

        with same_document(w):         # the same colours in another space: edits stay unsaved
            w._guard(lambda: s.set_colour_space(space))
