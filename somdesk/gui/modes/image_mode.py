"""Image quantisation mode: a picture's colours become the nodes of a small map.

Open a picture (button, Modes menu or drop), pick the number of colours
(a 4 x 4 to 16 x 16 map), and the map trains at once in a worker thread while
the quantised preview beside the original updates.  When training ends the
full-size picture is quantised in the background (progress bar, Cancel), which
gives the colour count, the PSNR and the size of the indexed PNG; then the PNG
and the map's colours as a palette can be saved.  Nothing heavy runs in the
GUI thread: loading, training, previews and the full-size pass are jobs
(`image_jobs`) run by a `JobRunner`.
"""
from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QMainWindow, QProgressBar,
                               QPushButton, QSizePolicy, QSpinBox, QSplitter, QVBoxLayout, QWidget)

from somdesk.core import SOMConfig
from somdesk.core.quantize import DEFAULT_SAMPLE
from somdesk.errors import SomdeskError
from somdesk.gui.canvas import MapCanvas
from somdesk.gui.modes import common
from somdesk.gui.modes.image_jobs import (PHASES, SIDES, EXPECTED_EPOCHS, LoadedImage, QuantPreview,
                                          QuantResult, load_job, result_job, train_job)
from somdesk.gui.modes.image_views import ImagePair
from somdesk.gui.modes.jobs import JobRunner
from somdesk.gui.training import Snapshot

PACES = (("Watch (20 epochs/s)", 20.0), ("Max speed", None))
DEFAULT_SIDE = 8
CLOSE_WAIT_MS = 0         # closing never waits: cancellable work ends at once, PNG encoding unheard


class ImageModeWindow(common.OpensDroppedFiles, QMainWindow):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("somdesk — image quantisation")
        self.setAcceptDrops(True)
        self.image: LoadedImage | None = None
        self.preview: QuantPreview | None = None
        self.result: QuantResult | None = None
        self.last_error: str | None = None
        self.last_saved: str | None = None
        self._pending_save: str | None = None
        self.runner = JobRunner(self)
        self._build()
        self._retrain_timer = QTimer(self, singleShot=True, interval=250)
        self._retrain_timer.timeout.connect(self.train)
        self._connect()
        self._update_enabled()
        self.resize(1320, 860)

    # -- construction ------------------------------------------------------------------
    def _build(self) -> None:
        self.open_button = QPushButton("Open picture…")
        self.file_info = common.note("No picture yet. PNG, JPEG, BMP, GIF and WebP can be opened "
                                     "or dropped on this window.")
        self.size_combo = QComboBox()
        for side in SIDES:
            self.size_combo.addItem(f"{side * side} ({side} × {side} map)", side)
        self.size_combo.setCurrentIndex(SIDES.index(DEFAULT_SIDE))
        self.size_combo.setToolTip("One colour per node of the map: the quantised picture uses at most this many.")
        self.sample_spin = QSpinBox()
        self.sample_spin.setRange(1_000, 1_000_000)
        self.sample_spin.setSingleStep(16_384)
        self.sample_spin.setGroupSeparatorShown(True)
        self.sample_spin.setValue(DEFAULT_SAMPLE)
        self.sample_spin.setSuffix(" pixels")
        self.sample_spin.setToolTip("The map trains on this many pixels drawn at random from the picture "
                                    "(all of them when it is smaller): training time does not grow with the picture.")
        self.sample_note = common.note()
        self.pace_combo = QComboBox()
        for label, pace in PACES:
            self.pace_combo.addItem(label, pace)
        self.train_button = QPushButton("Train")
        self.stop_button = QPushButton("Stop")
        self.train_status = common.note("")
        self.train_progress = QProgressBar()
        self.train_progress.setRange(0, EXPECTED_EPOCHS)
        self.train_progress.setValue(0)
        form = QFormLayout()
        form.addRow("Colours", self.size_combo)
        form.addRow("Train on", self.sample_spin)
        form.addRow("", self.sample_note)
        form.addRow("Speed", self.pace_combo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.stop_button)
        self.canvas = MapCanvas()
        self.canvas.setMinimumSize(160, 160)
        self.canvas.vb.sigResized.connect(lambda *_: self.canvas.fit())   # the whole map stays in view
        self.map_title = common.note("The map's colours", wrap=False)
        self.map_title.setStyleSheet("font-weight: 600; padding: 2px 4px;")
        self.hover_label = common.note("", wrap=False)
        self.hover_label.setStyleSheet("font-family: monospace; padding: 2px 4px;")
        self.colours_label = common.note("–", selectable=True)
        self.psnr_label = common.note("–", selectable=True)
        self.png_label = common.note("–", selectable=True)
        self.result_progress = QProgressBar()
        self.result_progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.save_png_button = QPushButton("Save PNG…")
        self.save_png_button.setToolTip("The quantised picture as an indexed PNG (a palette of the used colours)")
        self.save_palette_button = QPushButton("Save palette…")
        self.save_palette_button.setToolTip("The map's colours in a palette format (GIMP, Adobe, JASC, CSS, JSON, hex)")
        stats = QFormLayout()
        stats.addRow("Colours", self.colours_label)
        stats.addRow("PSNR", self.psnr_label)
        stats.addRow("Indexed PNG", self.png_label)
        prog = QHBoxLayout()
        prog.addWidget(self.result_progress, 1)
        prog.addWidget(self.cancel_button)
        saves = QHBoxLayout()
        saves.addWidget(self.save_png_button)
        saves.addWidget(self.save_palette_button)
        controls = QWidget()
        lay = QVBoxLayout(controls)
        lay.setContentsMargins(6, 6, 6, 0)
        lay.addWidget(common.group("Picture", self.open_button, self.file_info))
        lay.addWidget(common.group("Map", form, buttons, self.train_progress, self.train_status))
        lay.addWidget(common.group("Result (full size)", stats, prog, saves))
        scroll = common.ControlsScroll(controls)   # scrolls in a short window; the map takes the rest
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.setSpacing(2)
        ll.addWidget(scroll)
        ll.addWidget(self.map_title)
        ll.addWidget(self.canvas, 1)
        ll.addWidget(self.hover_label)
        left.setMinimumWidth(340)
        self.pair = ImagePair()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.pair)
        split.setStretchFactor(1, 1)
        split.setSizes([340, 980])
        self.setCentralWidget(split)
        self._reset_result("")

    def _connect(self) -> None:
        r = self.runner
        r.finished.connect(self._on_finished)
        r.failed.connect(self._on_failed)
        r.preview.connect(lambda _kind, p: self._show_preview(p))
        r.progress.connect(self._on_progress)
        r.busy_changed.connect(lambda _b: self._update_enabled())
        self.open_button.clicked.connect(lambda: self.open_image())
        self.train_button.clicked.connect(self.train)
        self.stop_button.clicked.connect(self.stop)
        self.cancel_button.clicked.connect(self.stop)
        self.save_png_button.clicked.connect(lambda: self.save_png())
        self.save_palette_button.clicked.connect(lambda: self.save_palette())
        self.size_combo.currentIndexChanged.connect(self._settings_changed)
        self.sample_spin.valueChanged.connect(self._settings_changed)
        self.canvas.hovered.connect(self.hover_label.setText)

    # -- public ---------------------------------------------------------------------------
    @property
    def side(self) -> int:
        return int(self.size_combo.currentData())

    def set_side(self, side: int) -> None:
        self.size_combo.setCurrentIndex(SIDES.index(side))

    def set_fast(self, fast: bool = True) -> None:
        self.pace_combo.setCurrentIndex(1 if fast else 0)

    def open_image(self, path: str | None = None) -> bool:
        """Load a picture in the background (a dialog if `path` is None); it trains once loaded."""
        if path is None:
            from somdesk.io.image_input import image_file_filter
            path = common.ask_open_path(self, "Open picture", image_file_filter() + ";;All files (*)")
            if not path:
                return False
        self._retrain_timer.stop()
        self.runner.start("load", load_job(path))
        self.statusBar().showMessage(f"Opening {common.stem(path)}…")
        return True

    def train(self) -> None:
        """Train a new map on the open picture (stops a run in progress)."""
        self._retrain_timer.stop()
        if self.image is None:
            return
        self._reset_result("Training…")
        self.train_progress.setRange(0, EXPECTED_EPOCHS)
        self.train_progress.setValue(0)
        self.runner.start("train", train_job(self.image, self.side, self.sample_spin.value(),
                                             self.pace_combo.currentData()))

    def stop(self) -> None:
        """Training: keep the map as it is now.  Full-size pass: cancel it."""
        self.runner.stop()

    def save_png(self, path: str | None = None) -> bool:
        """Write the quantised picture as an indexed PNG (waits for the full-size pass)."""
        if self.image is None or self.preview is None or self.runner.kind == "train":
            self.show_error("Open a picture and let the map finish training first.")
            return False
        if path is None:
            path = common.ask_save_path(self, "Save quantised picture",
                                        f"{common.stem(self.image.path)}-{self.side * self.side}.png",
                                        [("PNG image", ["*.png"])])
            if not path:
                return False
        if self.result is not None:
            return self._write_png(path)
        self._pending_save = path
        if self.runner.kind != "result":
            self.runner.start("result", result_job(self.image, self.preview.weights))
        self.statusBar().showMessage("The PNG is written once the full-size picture is ready…")
        return True

    def save_palette(self, path: str | None = None) -> bool:
        """Write the map's colours (node order) in any palette format somdesk writes."""
        from somdesk.io.palettes import WRITE_FILTERS, Palette, write_palette
        if self.preview is None or self.runner.kind == "train":
            self.show_error("Open a picture and let the map finish training first.")
            return False
        n = self.preview.weights.shape[0] * self.preview.weights.shape[1]
        name = f"{common.stem(self.image.path)} {n} colours"
        if path is None:
            path = common.ask_save_path(self, "Save palette", f"{name.replace(' ', '-')}.gpl", WRITE_FILTERS)
            if not path:
                return False
        try:
            write_palette(Palette.from_array(self.preview.weights.reshape(-1, 3), name=name), path)
        except SomdeskError as exc:
            self.show_error(str(exc))
            return False
        self.last_saved = path
        self.statusBar().showMessage(f"Saved {n} colours to {path}.", 8000)
        return True

    def show_error(self, message: str, details: str = "") -> None:
        self.last_error = message
        common.show_error(self, message, details)

    # -- jobs -------------------------------------------------------------------------------
    def _on_finished(self, kind: str, result) -> None:
        if kind == "load" and result is not None:
            self._loaded(result)
        elif kind == "train":
            self._show_preview(result)
            self.runner.start("result", result_job(self.image, result.weights))
        elif kind == "result":
            self._show_result(result)
        self._update_enabled()

    def _on_failed(self, kind: str, message: str, details: str) -> None:
        self._pending_save = None
        if kind == "load":
            self.statusBar().showMessage("The picture could not be opened.", 8000)
        self._update_enabled()
        self.show_error(message, details)

    def _on_progress(self, kind: str, done: int, total: int, text: str) -> None:
        if kind == "result":
            self.result_progress.setRange(0, max(total, 0))
            self.result_progress.setValue(done)
            self.result_progress.setFormat(f"{text} %p%" if total else text)
        elif kind == "load" and text:
            self.statusBar().showMessage(f"{text}…")

    def _loaded(self, image: LoadedImage) -> None:
        self.image = image
        self.preview = None
        h, w = image.pixels.shape[:2]
        self.file_info.setText(f"{image.name}\n{w:,} × {h:,} pixels ({image.n_pixels / 1e6:.1f} MP)\n"
                               f"{image.n_colours:,} distinct colours\n{common.human_bytes(image.file_bytes)} on disk")
        self.pair.set_picture_shape(image.pixels.shape)
        self.pair.original.show_pixels(image.display, self.pair.full_rect(image.pixels.shape))
        self.pair.set_titles(f"Original · {w:,} × {h:,}", "Quantised")
        self.pair.clear_quantised("training…")
        self.setWindowTitle(f"somdesk — image quantisation — {image.name}")
        self._update_sample_note()
        self.statusBar().showMessage(f"Opened {image.name}.", 5000)
        self.train()

    def _show_preview(self, p: QuantPreview) -> None:
        self.preview = p
        shape = self.image.pixels.shape
        self.pair.quantised.show_pixels(p.quantised, self.pair.full_rect(shape))
        k = p.weights.shape[0] * p.weights.shape[1]
        self.pair.set_titles(f"Original · {shape[1]:,} × {shape[0]:,}", f"Quantised · {k} colours")
        side = p.weights.shape[0]
        cfg = SOMConfig(width=side, height=side, iterations=max(1, p.epoch))
        self.canvas.show_snapshot(Snapshot(weights=p.weights, config=cfg, iteration=p.epoch,
                                           total=max(1, p.epoch), sigma=0.0, alpha=0.0))
        self.map_title.setText(f"The map: {side} × {side} colours")
        self.train_progress.setMaximum(max(self.train_progress.maximum(), p.epoch))
        self.train_progress.setValue(self.train_progress.maximum() if p.final else p.epoch)
        state = ("Stopped" if p.stopped else "Finished") if p.final else f"Epoch {p.epoch}"
        self.train_status.setText(f"{state} · {PHASES[p.phase]} {p.phase_step}/{p.phase_total} · "
                                  f"{p.elapsed:.1f} s\nPreview ({p.quantised.shape[1]} × {p.quantised.shape[0]}): "
                                  f"{p.used} colours, {_db(p.psnr)}")
        if p.final:
            self.statusBar().showMessage(f"{state} after {p.epoch} epochs in {p.elapsed:.1f} s; "
                                         "quantising the full-size picture…", 8000)

    def _show_result(self, res: QuantResult | None) -> None:
        if res is None:
            self._reset_result("Cancelled: the full-size picture was not quantised. "
                               "Save quantised PNG… starts it again.")
            self._pending_save = None
            return
        self.result = res
        shape = self.image.pixels.shape
        self.pair.quantised.show_pixels(res.display, self.pair.full_rect(shape))
        self.pair.set_titles(f"Original · {shape[1]:,} × {shape[0]:,}",
                             f"Quantised · {len(res.palette)} colours · full-size result")
        self.result_progress.setRange(0, 1)
        self.result_progress.setValue(1)
        self.result_progress.setFormat("Full-size picture ready")
        self.colours_label.setText(f"{res.used} used of the map's {len(res.palette)} "
                                   f"(the original has {self.image.n_colours:,})")
        self.psnr_label.setText(f"{_db(res.psnr)}" + ("  (identical to the original)" if math.isinf(res.psnr) else ""))
        self.png_label.setText(f"{common.human_bytes(len(res.png))}  "
                               f"(original file: {common.human_bytes(self.image.file_bytes)})")
        self.statusBar().showMessage(f"Quantised the full-size picture: {res.used} colours, PSNR {_db(res.psnr)}, "
                                     f"indexed PNG {common.human_bytes(len(res.png))}.", 15000)
        if self._pending_save:
            path, self._pending_save = self._pending_save, None
            self._write_png(path)

    def _write_png(self, path: str) -> bool:
        from somdesk.io.atomic import atomic_write_bytes
        try:
            atomic_write_bytes(path, self.result.png)
        except (SomdeskError, OSError) as exc:
            self.show_error(str(exc))
            return False
        self.last_saved = path
        self.statusBar().showMessage(f"Saved {path} ({common.human_bytes(len(self.result.png))}).", 8000)
        return True

    # -- state ------------------------------------------------------------------------------
    def _reset_result(self, text: str) -> None:
        self.result = None
        for label in (self.colours_label, self.psnr_label, self.png_label):
            label.setText("–")
        self.result_progress.setRange(0, 1)
        self.result_progress.setValue(0)
        self.result_progress.setFormat(text or " ")

    def _settings_changed(self) -> None:
        self._update_sample_note()
        if self.image is not None:
            self._retrain_timer.start()

    def _update_sample_note(self) -> None:
        if self.image is None:
            self.sample_note.setText("")
            return
        n, total = self.sample_spin.value(), self.image.n_pixels
        self.sample_note.setText(f"all {total:,} pixels" if n >= total else
                                 f"{n:,} of {total:,} pixels ({100 * n / total:.2g} %)")

    def _update_enabled(self) -> None:
        kind = self.runner.kind
        trained = self.preview is not None and self.preview.final and kind != "train"
        self.train_button.setEnabled(self.image is not None and kind != "load")
        self.stop_button.setEnabled(kind == "train")
        self.cancel_button.setEnabled(kind == "result")
        self.save_png_button.setEnabled(trained)
        self.save_palette_button.setEnabled(trained)

    # -- window -----------------------------------------------------------------------------
    def open_dropped(self, path: str) -> None:
        self.open_image(path)

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Stop the tasks (close: without waiting; quit: joins them)."""
        self._retrain_timer.stop()
        self.runner.shutdown(timeout_ms)

    def closeEvent(self, event) -> None:
        self.shutdown(CLOSE_WAIT_MS)
        super().closeEvent(event)


def _db(value: float) -> str:
    return "∞ dB" if math.isinf(value) else f"{value:.2f} dB"
