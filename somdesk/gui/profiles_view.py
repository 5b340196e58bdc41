"""Segment profiles in the window: standardised bars per segment and column, sizes, CSV/PNG export.

    view = ProfilesView()
    view.show_profiles(prof, top)     # session.segments.segment_profiles / session.report.table_profiles,
                                      # top items (session.report.table_top_items), shown when `ratings` is ticked
    view.pixel_filter = f             # rgb -> rgb shown (the colour-vision preview), or None
    view.export_csv(path); view.export_png(path, export_filter)

The picture is `session.segments.profiles_png`, drawn by `render.profiles_picture` (the same
as in the HTML report), so what the window shows is what the PNG export writes.  The window's colour-vision preview
(gui/colour_actions.py) goes over the picture and the segment colours of the sizes table
(`pixel_filter`, `refilter`); the export takes the window's `for_export`.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QCheckBox, QLabel, QScrollArea, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from somdesk.gui.map_view import to_qimage

__all__ = ["ProfilesView"]


NO_PROFILES = "Train the table map to see its segments' profiles."


CLEAR_Z = 0.25     # standard deviations from the table's mean that count as "above" or "below"


def most_above(z: np.ndarray, columns) -> str:
    """The "Most above the table" cell of one segment: the (at most 3) columns whose mean is
    furthest above the table's, z (F,) in table standard deviations; a segment above nowhere
    says where it is furthest below instead of leaving the cell blank (tester6 F50)."""
    z = np.where(np.isfinite(z), np.asarray(z, dtype=float), 0.0)
    from somdesk.io.names import display_name     # 'a\xa0b' and 'a\nb' shown as such, on one line

    top = [display_name(columns[j]) for j in np.argsort(-z, kind="stable")[:3] if z[j] > CLEAR_Z]
    if top:
        return ", ".join(top)
    low = [display_name(columns[j]) for j in np.argsort(z, kind="stable")[:3] if z[j] < -CLEAR_Z]
    if not low:
        return "none: near the table's mean in every column"
    where = "below the table in every column" if (z < 0).all() else "none clearly"
    return f"{where}; most below: {', '.join(low)}"


class ProfilesView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.prof: dict | None = None
        self.note = QLabel(NO_PROFILES)
        self.note.setWordWrap(True)
        self.sizes = QTableWidget(0, 4)
        self.sizes.setHorizontalHeaderLabels(["Segment", "Rows", "Share", "Most above the table"])
        self.sizes.verticalHeader().hide()
        self.sizes.horizontalHeader().setStretchLastSection(True)
        self.sizes.setMaximumHeight(170)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidget(self.picture)
        scroll.setWidgetResizable(True)
        # the recommender use case (issue 13): a ratings table's top items per segment, shown
        # when the user says the table is one (the same figures as `train --top-items`)
        self.ratings = QCheckBox("Ratings table (users × items): show each segment's top items "
                                 "(also in the report)")
        self.top = QTableWidget(0, 6)
        self.top.setObjectName("top-items")
        self.top.setHorizontalHeaderLabels(["Segment", "Rank", "Item", "Mean rating", "Ratings", "Lift"])
        self.top.verticalHeader().hide()
        self.top.horizontalHeader().setStretchLastSection(False)
        self.top.setMaximumHeight(220)
        self.top.hide()
        # zeros that may mean "not rated" among the items (session.unrated): said above the list
        self.top_note = QLabel()
        self.top_note.setObjectName("top-items-note")
        self.top_note.setWordWrap(True)
        self.top_note.setStyleSheet("color: #a04000;")
        self.top_note.hide()
        self.ratings.toggled.connect(lambda on: self._top_shown())
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.note)
        lay.addWidget(self.sizes)
        lay.addWidget(self.ratings)
        lay.addWidget(self.top_note)
        lay.addWidget(self.top)
        lay.addWidget(scroll, 1)
        self._png = None
        self.top_items: dict | None = None
        # (h, w, 3) uint8 -> the same: the window's colour-vision preview, or None (the red and
        # blue bars and the segment colours were shown in true colours while the maps were not)
        self.pixel_filter = None

    def _top_shown(self) -> None:
        on = self.ratings.isChecked() and self.top_items is not None
        self.top.setVisible(on)
        self.top_note.setVisible(on and bool(self.top_note.text()))

    def show_top_items(self, top: dict | None, note: str | None = None) -> None:
        """{segment: [(item, mean, count, lift), ...]} (session.report.table_top_items), or None;
        `note`: a warning shown above them (zeros that may mean "not rated", testerG #4)."""
        self.top_items = top
        self.top_note.setText(note or "")
        rows = [(s, k, e) for s, entries in sorted((top or {}).items()) for k, e in enumerate(entries, 1)]
        self.top.setRowCount(len(rows))
        for i, (s, k, (item, mean, count, lift)) in enumerate(rows):
            for j, text in enumerate((str(s), str(k), str(item), f"{mean:.3g}", f"{count:,}", f"{lift:+.3g}")):
                it = QTableWidgetItem(text)
                it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if j != 2:
                    it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.top.setItem(i, j, it)
        self.top.resizeColumnsToContents()
        self.top.setColumnWidth(2, max(self.top.columnWidth(2), 160))    # the item names, not the lift, get room
        self._top_shown()

    def show_profiles(self, prof: dict | None, top: dict | None = None, picture=None,
                      top_note: str | None = None) -> None:
        """Show profiles `prof` (None: none); `picture`: its profiles_png as (h, w, 3) uint8,
        made by the map's task (session.table_pictures), else drawn here (testerW #3: 500
        columns drawn here held the window for seconds); `top_note`: show_top_items' note."""
        from somdesk.session.segments import profiles_png

        self.show_top_items(top if prof is not None else None, top_note)
        self.prof = prof
        if prof is None or not prof["segments"]:
            self.picture.clear()
            self.sizes.setRowCount(0)
            self._png = None
            self.note.setText(NO_PROFILES)     # not the old map's legend of bars
            return
        self._png = picture if picture is not None else np.asarray(profiles_png(prof).convert("RGB"))
        self._show_picture()
        # the bars' scale and caption are drawn in the picture (render.profiles_picture),
        # so the exported PNG reads alone (testerG #11); said here again it was twice on screen
        self.note.setText("Segment sizes and where each is most above the table; the bars below carry "
                          "their scale (standard deviations of the table).")
        segs = prof["segments"]
        self.sizes.setRowCount(len(segs))
        cols = prof["columns"]
        for i, s in enumerate(segs):
            cells = (str(s), f"{int(prof['size'][i]):,}", f"{prof['share'][i]:.1%}", most_above(prof["z"][i], cols))
            for j, text in enumerate(cells):
                it = QTableWidgetItem(text)
                it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if j in (1, 2):
                    it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.sizes.setItem(i, j, it)
        self._colour_segments()
        self.sizes.resizeColumnsToContents()

    def _show_picture(self) -> None:
        shown = self._png if self.pixel_filter is None else self.pixel_filter(self._png)
        self.picture.setPixmap(QPixmap.fromImage(to_qimage(shown)))

    def _colour_segments(self) -> None:
        """Each segment's map colour behind its number in the sizes table, through pixel_filter."""
        from PySide6.QtGui import QColor

        from somdesk.render.colour_tables import category_colours

        segs = self.prof["segments"]
        colours = category_colours(max(segs) + 1)[list(segs)][None]          # (1, S, 3) uint8
        if self.pixel_filter is not None:
            colours = self.pixel_filter(colours)
        for i, (r, g, b) in enumerate(colours[0].tolist()):
            it = self.sizes.item(i, 0)
            it.setBackground(QColor(r, g, b))
            it.setForeground(QColor(255, 255, 255) if r * 0.3 + g * 0.59 + b * 0.11 < 140 else QColor(0, 0, 0))

    def refilter(self) -> None:
        """Show the picture and the segment colours again through `pixel_filter` (it changed)."""
        if self._png is not None and self.prof is not None:
            self._show_picture()
            self._colour_segments()

    def shown_array(self) -> np.ndarray | None:
        """(h, w, 3) uint8: the picture as the screen shows it (through `pixel_filter`), or None."""
        if self._png is None:
            return None
        return self._png.copy() if self.pixel_filter is None else self.pixel_filter(self._png)

    def image_array(self) -> np.ndarray | None:
        """(h, w, 3) uint8: the profiles picture in true colours (a copy), or None."""
        return None if self._png is None else self._png.copy()

    def export_csv(self, path) -> None:
        """session.segments.write_profiles_csv (SomdeskError on a bad path)."""
        from somdesk.session.segments import write_profiles_csv

        write_profiles_csv(path, self.prof)

    def export_png(self, path, export_filter=None) -> None:
        """Write the picture to `path`: `export_filter(picture)` ((h, w, 3) uint8 -> the same; the
        window's colour.for_export), else in true colours (SomdeskError for a bad path)."""
        from somdesk.gui.window_tasks import write_png

        write_png(path, self._png if export_filter is None else export_filter(self._png))
