"""Every component plane at once: the render layer's sheet (render.planes_sheet), wrapped to
the width of the view and scrolled when there are many.

    sheet = PlanesSheet()
    sheet.show_planes(planes, names, hexagonal)   # planes (H, W, F) in the file's units, NaN = no value
    sheet.image                                   # (h, w, 3) uint8: the sheet in true colours
    sheet.pixel_filter = f                        # rgb -> rgb shown (the colour-vision preview), or None
    sheet.export_png(path, export_filter)         # writes export_filter(image) (atomic)

Each plane has its column name and its own colour bar (ticks thinned by render.legend until
their labels do not overlap); the number of planes per row follows the view's width
(re-laid out shortly after a resize), never clipped: what does not fit scrolls.  The
picture is shown at 1:1 (a QLabel's pixmap, no scaling), so the exported PNG is the
screen's pixels.  The window's colour-vision preview (gui/colour_actions.py) is `pixel_filter`,
as on the map canvas and the segments map; the export takes the window's `for_export` (the
preview when *File > Export with colour-vision preview* is ticked, else true colours).
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from somdesk.session.report import MAX_PLANES

__all__ = ["PlanesSheet", "plane_scale"]

from somdesk.render.sheets import MAX_SCALE, MIN_SCALE, PLANE_WIDTH, plane_scale  # noqa: F401 - re-exported


class PlanesSheet(QScrollArea):
    """See module docstring."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("planes-sheet")
        self.label = QLabel("Train or open a table map to see its component planes.")
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.label.setStyleSheet("background: white;")
        # says when only the first MAX_PLANES planes are drawn (a 5,000-column table froze the
        # window for 17 s drawing every plane into a picture taller than a pixmap can be: tester6 F12)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.hide()
        page = QWidget()
        page.setStyleSheet("background: white;")
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.note)
        box.addWidget(self.label)
        box.addStretch(1)
        self.setWidget(page)
        self.setWidgetResizable(True)
        self._image: np.ndarray | None = None
        self._pending = False      # planes given while the tab was hidden: drawn when it shows
        self.per_row = 1
        self._planes = None
        self._cell_width = 0
        self._relayout = QTimer(self, singleShot=True, interval=120)
        self._relayout.timeout.connect(self._render)
        # (h, w, 3) uint8 -> the same: the colour-vision preview of the window (colour_actions),
        # or None; the Planes tab was left in true colours while the maps were simulated
        self.pixel_filter = None

    def show_planes(self, planes: np.ndarray | None, names=(), hexagonal: bool = False, cells=None) -> None:
        """Show the planes of `planes` (H, W, F) named `names`, the first MAX_PLANES of them;
        None clears the view.  `cells`: their pictures made by a task (render.plane_cells at
        plane_scale, session.table_pictures) so the GUI thread only tiles them; None: made here
        (testerW #3: 500 planes drawn here held the window 3-8 s)."""
        from somdesk.render import plane_cells

        if planes is None:
            self._planes, self._image, self._pending = None, None, False
            self.note.hide()
            self.label.clear()
            self.label.setText("Train or open a table map to see its component planes.")
            self.label.adjustSize()
            return
        total = planes.shape[2]
        self.note.setVisible(total > MAX_PLANES)
        self.note.setText(f"The first {MAX_PLANES} of {total:,} component planes (as in the report). Any "
                          "column's plane can be shown on its own in the Map & rows view.")
        planes = planes[:, :, :MAX_PLANES]
        self._planes = (np.asarray(planes, dtype=np.float64), [str(n) for n in names][:MAX_PLANES],
                        bool(hexagonal))
        if cells is None or len(cells) != planes.shape[2]:
            cells = plane_cells(self._planes[0], self._planes[1], bool(hexagonal), plane_scale(planes.shape[1]))
        self._cells = list(cells)
        # the widest cell (a plane with its bar and title) is one column of the sheet
        self._cell_width = max(c.shape[1] for c in self._cells[:64])
        # drawn when seen: the sheet's picture of 60 planes and its pixmap took 35-300 ms of the
        # window's thread while another tab was shown (fixC); `image` draws it when asked
        self._pending = True
        if self.isVisible():
            self._render()

    @property
    def has_planes(self) -> bool:
        """Are planes shown (drawn or still to draw when the tab shows)?  Cheap, unlike `image`."""
        return self._planes is not None

    @property
    def image(self) -> np.ndarray | None:
        """(h, w, 3) uint8: the sheet's picture in true colours -- the pixels on screen when no
        colour-vision preview is on (drawn now if the tab has not been shown since the planes
        came); None without planes."""
        if self._pending:
            self._render()
        return self._image

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._pending:
            self._render()

    def columns_for(self, width: int) -> int:
        from somdesk.render.sheets import GAP

        return max(1, (int(width) - 8 + GAP) // (self._cell_width + GAP)) if self._cell_width else 1

    def _render(self) -> None:
        from somdesk.gui.map_view import to_qimage
        from somdesk.render import tile_cells

        self._pending = False
        if self._planes is None:
            return
        planes = self._planes[0]
        self.per_row = min(planes.shape[2], self.columns_for(self.viewport().width()))
        pic = tile_cells(self._cells, self.per_row)
        # a margin of white so the first plane does not touch the frame (part of the exported picture)
        pad = np.full((pic.shape[0] + 16, pic.shape[1] + 16, 3), 255, dtype=np.uint8)
        pad[8:-8, 8:-8] = pic
        self._image = pad
        self._show()

    def _show(self) -> None:
        from somdesk.gui.map_view import to_qimage

        pad = self._image
        shown = pad if self.pixel_filter is None else self.pixel_filter(pad)
        self.label.setPixmap(QPixmap.fromImage(to_qimage(shown)))
        self.label.resize(pad.shape[1], pad.shape[0])

    def refilter(self) -> None:
        """Show the sheet again through `pixel_filter` (it changed); a sheet still to draw is
        drawn through it when its tab shows."""
        if self._image is not None and not self._pending:
            self._show()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self._planes is not None and self.columns_for(self.viewport().width()) != self.per_row:
            self._relayout.start()

    def screen_array(self) -> np.ndarray | None:
        """(h, w, 3) uint8 read back from the label's pixmap: what the screen shows."""
        if self._pending:
            self._render()
        pm = self.label.pixmap()
        if pm is None or pm.isNull():
            return None
        from PySide6.QtGui import QImage
        img = pm.toImage().convertToFormat(QImage.Format.Format_RGB888)
        w, h, bpl = img.width(), img.height(), img.bytesPerLine()
        return np.frombuffer(img.constBits(), np.uint8, count=h * bpl).reshape(h, bpl)[:, :w * 3] \
            .reshape(h, w, 3).copy()

    def export_png(self, path, export_filter=None) -> None:
        """Write the sheet to `path`: `export_filter(image)` ((h, w, 3) uint8 -> the same; the
        window's colour.for_export), else `image` in true colours (SomdeskError for a bad path)."""
        from somdesk.errors import SomdeskError
        from somdesk.gui.window_tasks import write_png

        if self.image is None:
            raise SomdeskError("there are no component planes to export yet")
        write_png(path, self.image if export_filter is None else export_filter(self.image))
