"""The SOM's options: named choices, ranges, and the one place they are checked.

Every option with a fixed set of values is chosen by name; an unknown name is an
`OptionError` that lists the valid ones (MiniSom's pattern).  `SOMConfig` is
immutable and validated on construction, so the trainer never sees a bad value.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from somdesk.errors import OptionError

NEIGHBOURHOODS = ("gaussian", "bubble", "mexican-hat", "triangle")
DECAYS = ("classic", "linear", "inverse")
TOPOLOGIES = ("rectangular", "hexagonal")
INITS = ("random-uniform", "random-samples", "pca")
ORDERS = ("sequential", "shuffled")
MODES = ("classic", "batch")

# Aliases people type; the canonical name is what is stored and saved.
_ALIASES = {
    "mexican_hat": "mexican-hat", "mexicanhat": "mexican-hat", "mexican": "mexican-hat",
    "classic-exponential": "classic", "exponential": "classic", "exp": "classic",
    "rect": "rectangular", "hex": "hexagonal",
    "random": "random-uniform", "uniform": "random-uniform", "samples": "random-samples",
    "sequential": "sequential", "seq": "sequential", "shuffle": "shuffled", "online": "classic",
}

MAX_SIDE = 2000            # a 2000x2000 map already holds 4e6 nodes
MAX_NODES = 1_000_000
MAX_ITERATIONS = 10_000_000


def choose(value: str, valid: tuple[str, ...], what: str) -> str:
    """Return the canonical name for `value`, or raise naming the valid choices."""
    key = str(value).strip().lower().replace("_", "-").replace(" ", "-")
    key = _ALIASES.get(key, _ALIASES.get(key.replace("-", "_"), key))
    if key not in valid:
        raise OptionError(f"unknown {what} {value!r}; choose one of: {', '.join(valid)}")
    return key


@dataclass(frozen=True)
class SOMConfig:
    """Everything that defines a training run. Defaults are the seed's classic job."""

    width: int = 100
    height: int = 100
    iterations: int = 1000
    learning_rate: float = 0.1          # alpha0
    sigma: float | None = None          # sigma0; None means max(width, height) / 2
    neighbourhood: str = "gaussian"
    decay: str = "classic"
    topology: str = "rectangular"
    toroidal: bool = False
    init: str = "random-uniform"
    order: str = "sequential"
    mode: str = "classic"
    seed: int | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name, valid in (("neighbourhood", NEIGHBOURHOODS), ("decay", DECAYS),
                            ("topology", TOPOLOGIES), ("init", INITS),
                            ("order", ORDERS), ("mode", MODES)):
            set_(self, name, choose(getattr(self, name), valid, name))
        for name in ("width", "height", "iterations"):
            value = getattr(self, name)
            if isinstance(value, bool) or not float(value).is_integer():
                raise OptionError(f"{name} must be a whole number, got {value!r}")
            set_(self, name, int(value))
        if not 1 <= self.width <= MAX_SIDE or not 1 <= self.height <= MAX_SIDE:
            raise OptionError(f"grid size {self.width}x{self.height} is out of range: "
                              f"width and height must be between 1 and {MAX_SIDE}")
        if self.width * self.height > MAX_NODES:
            raise OptionError(f"grid {self.width}x{self.height} has {self.width * self.height:,} "
                              f"nodes; the limit is {MAX_NODES:,}")
        if not 1 <= self.iterations <= MAX_ITERATIONS:
            raise OptionError(f"iterations must be between 1 and {MAX_ITERATIONS:,}, got {self.iterations}")
        lr = float(self.learning_rate)
        if not math.isfinite(lr) or not 0 < lr <= 1:
            raise OptionError(f"learning rate must be in (0, 1], got {self.learning_rate!r}")
        set_(self, "learning_rate", lr)
        if self.sigma is not None:
            s = float(self.sigma)
            if not math.isfinite(s) or s <= 0 or s > 10 * MAX_SIDE:
                raise OptionError(f"sigma must be a positive number, got {self.sigma!r}")
            set_(self, "sigma", s)
        set_(self, "toroidal", bool(self.toroidal))
        if self.seed is not None:
            if isinstance(self.seed, bool) or int(self.seed) != self.seed or not 0 <= int(self.seed) < 2**63:
                raise OptionError(f"seed must be a whole number between 0 and 2**63-1, got {self.seed!r}")
            set_(self, "seed", int(self.seed))
        if self.topology == "hexagonal" and self.toroidal and self.height % 2:
            raise OptionError("a hexagonal toroidal map needs an even height: with an odd "
                              "height the offset rows do not line up when they wrap")

    @property
    def sigma0(self) -> float:
        return self.sigma if self.sigma is not None else max(self.width, self.height) / 2.0

    def replace(self, **changes) -> "SOMConfig":
        return replace(self, **changes)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "SOMConfig":
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise OptionError(f"unknown option(s): {', '.join(sorted(unknown))}")
        return cls(**data)
