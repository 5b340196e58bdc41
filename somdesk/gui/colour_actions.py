"""The colour-science parts of the one window (issue 15), wired in one place.

    window.colour = ColourActions(window)     # after the window's own menus exist

- **Palette** menu (and buttons under the input swatches): *Sort by map…*
  (gui/sort_preview.py) and *Near-duplicates…* (gui/duplicates_dialog.py); both
  end in one undoable edit of the input colours.
- **View > Colour-vision preview**: off / protanopia / deuteranopia / tritanopia
  and a severity (Machado, Oliveira & Fernandes 2009, `core.colour_cvd`).  It is
  a filter on the canvas, so the map, the strip + map view and the quantised
  (and original) picture are all shown as simulated; the legend is not.  A table's
  segments map (the Segments dock's Map & rows tab) goes through the same filter, and
  its legend too (there the swatches must merge where the segments do), and so do the
  Planes sheet and the Profiles picture with its segment colours (their PNG exports follow
  *Export with colour-vision preview* as Export image does).
- **File > Export with colour-vision preview** (on by default): exports and
  Copy image carry the same simulation as the screen, so the screen still equals
  the export; off, they are written in true colours.
- **Contrast**: with exactly two input swatches selected, the status bar shows
  their WCAG 2 contrast ratio and which WCAG levels it passes.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton

SEVERITIES = (1.0, 0.75, 0.5, 0.25)


def contrast_text(rgb_a, rgb_b) -> str:
    """"#aaaaaa on #bbbbbb: 4.54:1 (AA text)" for two colours (3,) in [0, 1]."""
    from somdesk.core.colour import wcag_contrast

    ratio = float(wcag_contrast(np.asarray(rgb_a, dtype=np.float64), np.asarray(rgb_b, dtype=np.float64)))
    levels = [name for name, need in (("AAA text", 7.0), ("AA text", 4.5), ("AA large text", 3.0)) if ratio >= need]
    verdict = levels[0] if levels else "fails WCAG AA"
    hexes = ["#" + "".join(f"{int(round(v * 255)):02x}" for v in c) for c in (rgb_a, rgb_b)]
    return f"contrast {hexes[0]} : {hexes[1]} = {ratio:.2f}:1 ({verdict})"


class ColourActions:
    """Menus, actions, the CVD filter and the contrast read-out of one window."""

    def __init__(self, window):
        self.window = window
        self.cvd: str | None = None          # None = true colours
        self.severity = 1.0
        self.dialog = None                   # the sort preview or duplicates dialog open now
        acts = window.actions
        self._build_palette_menu(acts)
        self._build_view_menu(acts)
        self._build_panel_buttons()
        self.contrast_label = QLabel()
        self.contrast_label.setObjectName("contrast-readout")
        window.statusBar().addPermanentWidget(self.contrast_label)
        window.left.swatches.view.selectionModel().selectionChanged.connect(self._selection_changed)
        window.left.swatches.model.modelReset.connect(self._selection_changed)
        window.canvas.pixel_filter = self.screen_filter
        # a table's segments map, Planes sheet and Profiles picture too (one filter, one simulation)
        for view in (window.tables.map_view, window.tables.planes, window.tables.profiles_view):
            view.pixel_filter = self.screen_filter

    # -- construction ------------------------------------------------------------------------
    def _action(self, key: str, text: str, tip: str, checkable: bool = False) -> QAction:
        a = QAction(text, self.window)
        a.setStatusTip(tip)
        a.setToolTip(tip)
        a.setCheckable(checkable)
        a.setObjectName(f"action-{key}")
        self.window.actions[key] = a
        return a

    def _menu(self, title: str):
        for act in self.window.menuBar().actions():
            if act.menu() is not None and act.text().replace("&", "") == title:
                return act.menu()
        return None

    def _build_palette_menu(self, acts) -> None:
        sort = self._action("sort_by_map", "&Sort by map…",
                            "Reorder your own colours along a trained map (preview, undoable)")
        dups = self._action("near_duplicates", "&Near-duplicates…",
                            "Find colours closer than a CIEDE2000 threshold and merge them (undoable)")
        sort.triggered.connect(self.sort_by_map)
        dups.triggered.connect(self.near_duplicates)
        bar = self.window.menuBar()
        menu = self._menu("View")
        palette = bar.addMenu("&Palette") if menu is None else None
        if palette is None:
            from PySide6.QtWidgets import QMenu

            palette = QMenu("&Palette", self.window)
            bar.insertMenu(menu.menuAction(), palette)
        palette.addAction(sort)
        palette.addAction(dups)
        self.palette_menu = palette
        export = self._action("export_cvd", "Export with colour-&vision preview",
                              "Exports and Copy image show the colour-vision preview too, as on screen",
                              checkable=True)
        export.setChecked(True)
        file_menu = self._menu("File")
        if file_menu is not None:
            file_menu.insertAction(acts["close"], export) if "close" in acts else file_menu.addAction(export)

    def _build_view_menu(self, acts) -> None:
        from somdesk.core.colour_cvd import CVD_KINDS

        view = self._menu("View")
        sub = (view.addMenu if view is not None else self.window.menuBar().addMenu)("Colour-&vision preview")
        self.cvd_group = QActionGroup(self.window)
        for key, label in ((None, "&True colours"),) + tuple((k, "&" + k.capitalize()) for k in CVD_KINDS):
            a = self._action(f"cvd_{key or 'off'}", label,
                             "Show the map, strip and pictures as seen with this colour-vision deficiency"
                             if key else "Show true colours", checkable=True)
            a.setData(key)
            self.cvd_group.addAction(a)
            sub.addAction(a)
        acts["cvd_off"].setChecked(True)
        sub.addSeparator()
        self.severity_group = QActionGroup(self.window)
        for s in SEVERITIES:
            a = self._action(f"cvd_severity_{int(s * 100)}", f"Severity {int(s * 100)}%",
                             "100% = dichromacy (-anopia); less = anomalous trichromacy", checkable=True)
            a.setData(s)
            self.severity_group.addAction(a)
            sub.addAction(a)
        acts["cvd_severity_100"].setChecked(True)
        self.cvd_group.triggered.connect(lambda a: self.set_cvd(a.data(), self.severity))
        self.severity_group.triggered.connect(lambda a: self.set_cvd(self.cvd, a.data()))
        self.cvd_menu = sub

    def _build_panel_buttons(self) -> None:
        panel = self.window.left.swatches
        self.sort_button = QPushButton("Sort by map…")
        self.sort_button.setToolTip(self.window.actions["sort_by_map"].toolTip())
        self.sort_button.clicked.connect(self.sort_by_map)
        self.dups_button = QPushButton("Near-duplicates…")
        self.dups_button.setToolTip(self.window.actions["near_duplicates"].toolTip())
        self.dups_button.clicked.connect(self.near_duplicates)
        row = QHBoxLayout()
        row.addWidget(self.sort_button)
        row.addWidget(self.dups_button)
        row.addStretch(1)
        panel.layout().addLayout(row)

    # -- state -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Enabled states (called from the window's one refresh)."""
        w = self.window
        ok = w.session.kind == "colours" and not w.runner.busy and self.dialog is None
        for key in ("sort_by_map", "near_duplicates"):
            w.actions[key].setEnabled(ok)
        self.sort_button.setEnabled(ok)
        self.dups_button.setEnabled(ok)

    # -- palette tools -----------------------------------------------------------------------------
    def _open_dialog(self, make) -> None:
        w = self.window
        if w.session.kind != "colours" or w.runner.busy or self.dialog is not None:
            return
        dialog = make(w)
        self.dialog = dialog
        dialog.finished.connect(lambda _r: self._dialog_closed())
        dialog.show()
        self.refresh()
        return dialog

    def _dialog_closed(self) -> None:
        self.dialog = None
        self.window.refresh()

    def sort_by_map(self):
        """Palette > Sort by map…: the preview dialog (the sort starts at once)."""
        from somdesk.gui.sort_preview import SortPreview

        dialog = self._open_dialog(SortPreview)
        if dialog is not None:
            dialog.start()
        return dialog

    def near_duplicates(self):
        """Palette > Near-duplicates…: the groups at the default threshold, to merge."""
        from somdesk.gui.duplicates_dialog import DuplicatesDialog

        return self._open_dialog(DuplicatesDialog)

    # -- colour-vision preview ----------------------------------------------------------------------
    def set_cvd(self, kind: str | None, severity: float = 1.0) -> None:
        """Show the canvas as seen with `kind` (None: true colours) at `severity` (0..1]."""
        from somdesk.core.colour_cvd import cvd_kind

        self.cvd = None if kind is None else cvd_kind(kind)
        self.severity = float(severity)
        self.window.actions[f"cvd_{self.cvd or 'off'}"].setChecked(True)
        key = f"cvd_severity_{int(round(self.severity * 100))}"
        if key in self.window.actions:
            self.window.actions[key].setChecked(True)
        self.window.canvas.refilter()
        self.window.tables.refilter()
        self.window.refresh()

    def simulate(self, pic: np.ndarray) -> np.ndarray:
        from somdesk.core.colour_cvd import simulate_cvd

        return simulate_cvd(pic, self.cvd, self.severity)

    def screen_filter(self, pic: np.ndarray) -> np.ndarray:
        return pic if self.cvd is None else self.simulate(pic)

    def simulates_exports(self) -> bool:
        """Do exports show the colour-vision preview now (it is on and exports follow it)?"""
        return self.cvd is not None and self.window.actions["export_cvd"].isChecked()

    def for_export(self, pic: np.ndarray | None) -> np.ndarray | None:
        """The pixels an export writes: simulated when the preview is on and exports follow it."""
        if pic is None or not self.simulates_exports():
            return pic
        return self.simulate(pic)

    def describe(self) -> str:
        """" · protanopia 100%" for the map title while the preview is on, else ""."""
        return "" if self.cvd is None else f" · seen with {self.cvd} {int(round(self.severity * 100))}%"

    # -- contrast of two picked swatches ---------------------------------------------------------------
    def _selection_changed(self, *_):
        panel = self.window.left.swatches
        rows = panel.selected_rows()
        if len(rows) != 2:
            self.contrast_label.clear()
            return
        colours = panel.colours()
        self.contrast_label.setText(contrast_text(colours[rows[0]], colours[rows[1]]))
