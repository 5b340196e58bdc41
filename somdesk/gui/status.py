"""The status bar's permanent part: progress, iteration i / T, sigma, alpha, speed, ETA."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from somdesk.gui.training import Snapshot


def format_eta(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds == float("inf"):
        return "–"
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


class TrainingStatus(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.progress = QProgressBar()
        self.progress.setFixedWidth(160)
        self.progress.setTextVisible(True)
        self.progress.setFormat("%p%")
        self.iteration = QLabel()
        self.sigma = QLabel()
        self.alpha = QLabel()
        self.rate = QLabel()
        self.eta = QLabel()
        self.iteration.setToolTip("Iterations completed / total")
        self.sigma.setToolTip("σ: neighbourhood radius of the last iteration, in nodes")
        self.alpha.setToolTip("α: learning rate of the last iteration")
        self.rate.setToolTip("Training speed, iterations per second")
        self.eta.setToolTip("Estimated time left")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(14)
        for w, chars in ((self.iteration, 24), (self.sigma, 8), (self.alpha, 9), (self.rate, 11),
                         (self.eta, 13), (self.progress, 0)):
            if chars:  # fixed widths: the bar must not jitter while the numbers change
                w.setMinimumWidth(w.fontMetrics().horizontalAdvance("0") * chars)
            layout.addWidget(w)
        self.clear(1000)

    def clear(self, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(0)
        self.iteration.setText(f"Iteration 0 / {total:,}")
        self.sigma.setText("σ –")
        self.alpha.setText("α –")
        self.rate.setText("– it/s")
        self.eta.setText("ETA –")

    def show_snapshot(self, snap: Snapshot, running: bool = True) -> None:
        self.progress.setRange(0, max(1, snap.total))
        self.progress.setValue(snap.iteration)
        self.iteration.setText(f"Iteration {snap.iteration:,} / {snap.total:,}")
        self.sigma.setText(f"σ {snap.sigma:.3g}")
        self.alpha.setText(f"α {snap.alpha:.3g}")
        self.rate.setText(f"{snap.rate:,.0f} it/s")
        if snap.final:
            self.eta.setText("stopped" if snap.stopped else f"done in {format_eta(snap.elapsed)}")
        elif not running:
            self.eta.setText("paused")
        else:
            self.eta.setText(f"ETA {format_eta(snap.eta)}")
