"""The parameter panel: one widget per core option, validated in place.

The panel never decides what is valid: it builds a `SOMConfig` (and asks the
`SOM` constructor about the combinations only it checks) and shows the core's
own message in a red label under the form; `validity_changed(False)` lets the
window disable Train.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from somdesk.core import SOM, SOMConfig
from somdesk.core.options import (DECAYS, INITS, MAX_SIDE, MODES, NEIGHBOURHOODS, ORDERS,
                                  TOPOLOGIES)
from somdesk.errors import SomdeskError
from somdesk.gui.count_spin import CountSpinBox

MAX_ITERATIONS_UI = 1_000_000
SEED_RANDOM = -1

# (label, tooltip) per option; combos also get a tooltip per choice.
TIPS = {
    "width": "Number of node columns of the map.",
    "height": "Number of node rows of the map.",
    "iterations": "Epochs: passes over the inputs; each one presents every input once "
                  "(classic) or averages over all of them (batch).",
    "learning_rate": "alpha0: how far a winning node (and its neighbours) moves towards an "
                     "input at the start; it decays with the schedule.",
    "sigma": "sigma0: the neighbourhood radius at the start, in nodes. "
             "'auto' uses max(width, height) / 2, the seed's choice.",
    "neighbourhood": "How strongly nodes near the winner are pulled along.",
    "decay": "How sigma and alpha shrink over the iterations.",
    "topology": "Rectangular: 8 neighbours per node. Hexagonal: 6, odd rows offset by half a cell.",
    "toroidal": "Wrap the map around both edges (a doughnut), so no node is on a border.",
    "init": "Starting weights of the nodes.",
    "order": "Order in which the input colours are presented within an iteration.",
    "seed": "Random seed: the same seed and options give the same map. 'random' draws a new one per run.",
    "mode": "Classic: the online update after every input. Batch: Kohonen's batch map, "
            "each node becomes the neighbourhood-weighted mean of the inputs.",
}
CHOICE_TIPS = {
    "gaussian": "Smooth bell curve exp(-d²/2σ²) (the seed's choice).",
    "bubble": "Every node within σ moves equally, the others not at all.",
    "mexican-hat": "Pulls close nodes, pushes a ring of farther ones away (classic mode only).",
    "triangle": "Falls linearly to zero at distance σ.",
    "classic": "Exponential decay, sigma reaching 1 at the last iteration (the seed's schedule).",
    "linear": "Sigma falls in a straight line to 1, alpha to zero.",
    "inverse": "Hyperbolic (inverse-time) decay: fast at first, then slowly; sigma reaches 1 at the end.",
    "rectangular": "Square grid, 8 neighbours.",
    "hexagonal": "Hexagonal grid, 6 neighbours (odd rows offset by half a cell).",
    "random-uniform": "Uniform random colours in the inputs' range (the seed's start).",
    "random-samples": "Each node starts as a randomly chosen input colour.",
    "pca": "A plane spanned by the inputs' two principal components: starts almost ordered.",
    "sequential": "Inputs in file order every iteration (the seed's choice).",
    "shuffled": "A new random order every iteration.",
}
MODE_TIPS = {"classic": "Online update after every input (the seed's algorithm).",
             "batch": "Kohonen's batch map: one averaged update per iteration."}


def check_combination(cfg: SOMConfig) -> None:
    """Raise the core's SomdeskError for combinations only `SOM()` checks
    (e.g. batch + mexican hat), on a throw-away 2x2 map with one input."""
    SOM(np.zeros((1, 3)), cfg.replace(width=2, height=2, init="random-samples", seed=0))


MAX_SEED = 2**63 - 1


class SeedEdit(QLineEdit):
    """The random seed: empty = a new random seed per run, else 0 .. 2**63-1 (every seed
    the app shows).  Spin-box-like API: `value()` is SEED_RANDOM when empty."""

    valueChanged = Signal(object)     # a Python int: seeds go up to 2**63-1, beyond a C int

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setPlaceholderText("random (a new seed each run)")
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,19}"), self))
        self.textChanged.connect(self._changed)
        self.setClearButtonEnabled(True)

    def value(self) -> int:
        text = self.text().strip()
        if not text:
            return SEED_RANDOM
        # the number typed, also past 2**63-1: SOMConfig refuses it and the panel's red line
        # says why (clamping it to 2**63-1 trained with another seed than the one shown: tester7 #21)
        return int(text)

    def setValue(self, value) -> None:  # noqa: N802 - spin-box API
        self.setText("" if value is None or int(value) < 0 else str(min(int(value), MAX_SEED)))

    def _changed(self, _text) -> None:
        fixed = self.value() != SEED_RANDOM
        self.setToolTip(f"Fixed random seed {self.value()}: every run starts from the same weights"
                        if fixed else TIPS["seed"])
        self.valueChanged.emit(self.value())


class ParameterPanel(QWidget):
    config_changed = Signal()
    validity_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._valid = True
        self.error = ""
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # "1 node", "2 nodes": the unit agrees with the number however the value was set (tester7 #26)
        self.width_spin = CountSpinBox("node", "nodes", 1, MAX_SIDE)
        self.height_spin = CountSpinBox("node", "nodes", 1, MAX_SIDE)
        self.iterations_spin = self._spin(1, MAX_ITERATIONS_UI)
        self.iterations_spin.setSingleStep(100)
        self.lr_spin = QDoubleSpinBox(decimals=3, minimum=0.001, maximum=1.0, singleStep=0.01)
        self.sigma_spin = QDoubleSpinBox(decimals=1, minimum=0.0, maximum=10.0 * MAX_SIDE, singleStep=1.0)
        self.neighbourhood_combo = self._combo(NEIGHBOURHOODS)
        self.decay_combo = self._combo(DECAYS)
        self.topology_combo = self._combo(TOPOLOGIES)
        self.toroidal_check = QCheckBox("wrap around the edges")
        self.init_combo = self._combo(INITS)
        self.order_combo = self._combo(ORDERS)
        self.seed_spin = SeedEdit()
        self.mode_combo = self._combo(MODES, MODE_TIPS)
        rows = [("Width", self.width_spin, "width"), ("Height", self.height_spin, "height"),
                ("Epochs", self.iterations_spin, "iterations"),
                ("Learning rate α₀", self.lr_spin, "learning_rate"),
                ("Radius σ₀", self.sigma_spin, "sigma"),
                ("Neighbourhood", self.neighbourhood_combo, "neighbourhood"),
                ("Decay", self.decay_combo, "decay"), ("Topology", self.topology_combo, "topology"),
                ("Toroidal", self.toroidal_check, "toroidal"), ("Initialisation", self.init_combo, "init"),
                ("Input order", self.order_combo, "order"), ("Training mode", self.mode_combo, "mode"),
                ("Random seed", self.seed_spin, "seed")]
        for label, widget, key in rows:
            widget.setToolTip(TIPS[key])
            lab = QLabel(label)
            lab.setToolTip(TIPS[key])
            form.addRow(lab, widget)
        # issue 12: a typed seed is used for this window only, unless the user asks to keep it
        self.keep_seed = QCheckBox("Keep this seed for later launches")
        self.keep_seed.setObjectName("keep-seed")
        self.keep_seed.setToolTip("Ticked: new windows and the next launch start with this fixed seed. "
                                  "Unticked: they draw a new random seed.")
        self.keep_seed.setEnabled(False)
        form.addRow("", self.keep_seed)
        self.seed_spin.valueChanged.connect(self._seed_typed)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828; font-weight: 600;")
        self.error_label.setVisible(False)
        self.defaults_button = QPushButton("Reset to defaults")
        self.defaults_button.setToolTip("Put every option back to the seed's classic job.")
        self.defaults_button.clicked.connect(self.reset_defaults)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.defaults_button, 0, Qt.AlignmentFlag.AlignRight)
        self._extra_error = ""
        self._emit_timer = QTimer(self, singleShot=True, interval=0)
        self._emit_timer.timeout.connect(self._validate)
        self.set_config(SOMConfig())
        for w in (self.width_spin, self.height_spin, self.iterations_spin, self.seed_spin):
            w.valueChanged.connect(self._changed)
        for w in (self.lr_spin, self.sigma_spin):
            w.valueChanged.connect(self._changed)
        for w in (self.neighbourhood_combo, self.decay_combo, self.topology_combo,
                  self.init_combo, self.order_combo, self.mode_combo):
            w.currentIndexChanged.connect(self._changed)
        self.toroidal_check.toggled.connect(self._changed)
        self._validate()

    # -- building ----------------------------------------------------------------
    @staticmethod
    def _spin(lo: int, hi: int) -> QSpinBox:
        s = QSpinBox(minimum=lo, maximum=hi)
        s.setGroupSeparatorShown(True)
        return s

    @staticmethod
    def _combo(choices, tips=None) -> QComboBox:
        c = QComboBox()
        for i, name in enumerate(choices):
            c.addItem(name, name)
            tip = (tips or CHOICE_TIPS).get(name)
            if tip:
                c.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
        return c

    # -- values ------------------------------------------------------------------
    def values(self) -> dict:
        """The widgets' values as SOMConfig keyword arguments (may be invalid)."""
        sigma = self.sigma_spin.value()
        seed = self.seed_spin.value()
        return dict(width=self.width_spin.value(), height=self.height_spin.value(),
                    iterations=self.iterations_spin.value(), learning_rate=self.lr_spin.value(),
                    sigma=None if sigma <= 0 else sigma,
                    neighbourhood=self.neighbourhood_combo.currentData(),
                    decay=self.decay_combo.currentData(), topology=self.topology_combo.currentData(),
                    toroidal=self.toroidal_check.isChecked(), init=self.init_combo.currentData(),
                    order=self.order_combo.currentData(), mode=self.mode_combo.currentData(),
                    seed=None if seed == SEED_RANDOM else seed)

    def config(self) -> SOMConfig:
        """The SOMConfig the panel describes; raises SomdeskError if it is invalid."""
        cfg = SOMConfig(**self.values())
        check_combination(cfg)
        return cfg

    def set_config(self, cfg: SOMConfig) -> None:
        widgets = [self.width_spin, self.height_spin, self.iterations_spin, self.lr_spin,
                   self.sigma_spin, self.seed_spin, self.toroidal_check]
        combos = {"neighbourhood": self.neighbourhood_combo, "decay": self.decay_combo,
                  "topology": self.topology_combo, "init": self.init_combo,
                  "order": self.order_combo, "mode": self.mode_combo}
        for w in widgets + list(combos.values()):
            w.blockSignals(True)
        try:
            self.width_spin.setValue(cfg.width)
            self.height_spin.setValue(cfg.height)
            self.iterations_spin.setValue(min(cfg.iterations, MAX_ITERATIONS_UI))
            self.lr_spin.setValue(cfg.learning_rate)
            self.sigma_spin.setValue(0.0 if cfg.sigma is None else cfg.sigma)
            self.seed_spin.setValue(SEED_RANDOM if cfg.seed is None else cfg.seed)
            self.toroidal_check.setChecked(cfg.toroidal)
            for key, combo in combos.items():
                combo.setCurrentIndex(max(0, combo.findData(getattr(cfg, key))))
        finally:
            for w in widgets + list(combos.values()):
                w.blockSignals(False)
        self._seed_typed(self.seed_spin.value())
        self._changed()

    def _seed_typed(self, value: int) -> None:
        fixed = value != SEED_RANDOM
        self.keep_seed.setEnabled(fixed)
        if not fixed:
            self.keep_seed.setChecked(False)

    def reset_defaults(self) -> None:
        self.set_config(SOMConfig())

    # -- validation ----------------------------------------------------------------
    def set_extra_error(self, message: str) -> None:
        """A problem outside the options (e.g. no input colours), shown the same way."""
        if message != self._extra_error:
            self._extra_error = message
            self._validate()

    @property
    def valid(self) -> bool:
        return self._valid

    def _changed(self) -> None:
        w, h = self.width_spin.value(), self.height_spin.value()
        self.sigma_spin.setSpecialValueText(f"auto ({max(w, h) / 2:g})")
        self._emit_timer.start()

    def _validate(self) -> None:
        try:
            self.config()
            message = self._extra_error
        except SomdeskError as exc:
            message = str(exc)
        self.error = message
        if message:
            message = message[0].upper() + message[1:]
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        valid = not message
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)
        self.config_changed.emit()
