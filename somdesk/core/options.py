"""The SOM's options: named choices, ranges, and the one place they are checked.

Every option with a fixed set of values is chosen by name; an unknown name is an
`OptionError` that lists the valid ones (MiniSom's pattern).  `SOMConfig` is
immutable and validated on construction, so the trainer never sees a bad value.

Numbers at the edges are refused, not clamped (a clamped value would train a
different map than the one asked for): width/height 1..MAX_SIDE with at most
MAX_NODES nodes, iterations 1..MAX_ITERATIONS, learning rate MIN_LEARNING_RATE..1,
sigma MIN_SIGMA..MAX_SIGMA node spacings (see the constants for why), seed
0..2**63-1 (one drawn for a run given none: 0..2**53-1, draw_seed).  Whole-number options take ints or integral floats; NaN, infinities,
bools and text are an OptionError naming the option.
"""
from __future__ import annotations

import functools
import math
import numbers
from dataclasses import asdict, dataclass, fields, replace

import numpy as np

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
# Radii are in node spacings.  The nearest other node is 1 away (hexagonal too), so
# below MIN_SIGMA every neighbourhood is already the winner alone (gaussian
# exp(-1 / (2 * 0.01**2)) = exp(-5000) == 0.0); smaller values change nothing but
# let 2 * sigma**2 underflow to 0 (sigma < 1.5e-154) and divide by zero.
MIN_SIGMA = 0.01
MAX_SIGMA = 10.0 * MAX_SIDE
# Every schedule keeps alpha_t >= alpha0 / 1e7 (linear decay over MAX_ITERATIONS),
# so alpha0 >= 1e-9 keeps alpha_t a normal float far from underflow; a smaller rate
# moves no weight by more than 1e-9 of its distance to an input per presentation.
MIN_LEARNING_RATE = 1e-9


# plurals not made by adding "s" (or "es" after s/x/z/ch/sh, "ies" after a consonant + y); "epoch"
# ends in a hard "ch"
IRREGULAR_PLURALS = {"epoch": "epochs", "stomach": "stomachs", "child": "children", "person": "people", "index": "indices", "matrix": "matrices",
                     "datum": "data", "vertex": "vertices", "axis": "axes", "analysis": "analyses"}


def plural(noun: str) -> str:
    """The plural of the English count noun `noun`: "row" -> "rows", "entry" -> "entries",
    "pass" -> "passes", "index" -> "indices" (IRREGULAR_PLURALS); the last word of a phrase
    ("colour name" -> "colour names")."""
    head, _, last = noun.rpartition(" ")
    lead = f"{head} " if head else ""
    if last in IRREGULAR_PLURALS:
        return lead + IRREGULAR_PLURALS[last]
    if last.endswith("y") and len(last) > 1 and last[-2] not in "aeiou":
        return lead + last[:-1] + "ies"
    if last.endswith(("s", "x", "z", "ch", "sh")):
        return lead + last + "es"
    return lead + last + "s"


def count_text(n, noun: str, plural_form: str | None = None) -> str:
    """A count and its noun, as every message shows one (tester10 #23: "1 rows", "10000 colours"):
    "1 row", "2 rows", "10,000 colours", "1 entry", "3 entries", "0 files".

    `n` is a whole number (int, numpy integer, or an integral float); the digits are grouped in
    thousands.  `noun` is the singular; its plural is `plural(noun)` unless `plural_form` is
    given.  Only exactly one takes the singular.  A count that is not a whole
    number ("2.5") is shown as it is, with the plural."""
    value = n.item() if isinstance(n, np.generic) else n
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    many = plural_form if plural_form is not None else plural(noun)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,} {noun if value == 1 else many}"
    return f"{value} {many}"


def size_text(height, width) -> str:
    """A map's size in messages: "13 rows x 6 columns" (rows first, named: "13x6" was read as
    width x height in one message and height x width in the next, tester10 #8)."""
    return (f"{shown(height)} {'row' if height == 1 else 'rows'} x "
            f"{shown(width)} {'column' if width == 1 else 'columns'}")


def shown(value) -> str:
    """A number for a one-line message: an integer as typed (`--seed 99999999999999999999` is said
    back so, not as 1e+20: testerC #11) up to 40 digits, a longer one as "a N-digit number"."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** 40:
        return f"a {len(str(abs(value)))}-digit number"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def real_number(name: str, value, field: str | None = None) -> float:
    """`value` as a finite float, or an OptionError naming `name` (its subject; `field` its field)
    (bools and text refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise OptionError(f"{name} must be a number, got {shown(value)}", field, name)
    try:
        f = float(value)
    except (OverflowError, ValueError):
        f = math.nan
    if not math.isfinite(f):
        raise OptionError(f"{name} must be a finite number, got {shown(value)}", field, name)
    return f


def whole_number(name: str, value, what: str = "a whole number", field: str | None = None) -> int:
    """`value` as an int when it is integral (3, 3.0, numpy ints), else an OptionError (whose
    `field` is `field`, its subject `name`)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise OptionError(f"{name} must be {what}, got {shown(value)}", field, name)
    if isinstance(value, numbers.Integral):
        return int(value)
    f = float(value)
    if not f.is_integer():
        raise OptionError(f"{name} must be {what}, got {shown(value)}", field, name)
    return int(f)


# How the core names each checked field at the start of its message (OptionError.subject): a
# front end swaps these words for its own (the CLI for the flag typed: cli_train.flag_words).
FIELD_WORDS = {"width": "width (the map's columns)", "height": "height (the map's rows)",
               "iterations": "iterations", "learning_rate": "learning rate", "sigma": "sigma", "seed": "seed"}


def _out_of_range(field: str, rule: str) -> OptionError:
    subject = FIELD_WORDS[field]
    return OptionError(f"{subject} {rule}", field, subject)


# A seed drawn for a run given none (core.som, session.outofcore) is at most 2**53 - 1, the
# largest whole number every JSON reader reads exactly (JavaScript, jq and pandas read numbers
# as doubles: 1318976567093838115 came back as ...838000), so the seed --metrics-json and a
# saved map record reproduce the run wherever they are read (testerC #15).  A seed given may
# still be anything from 0 to 2**63 - 1.
MAX_DRAWN_SEED = 2**53 - 1


def draw_seed() -> int:
    """A fresh seed from the system's entropy (secrets), uniform over 0..MAX_DRAWN_SEED."""
    import secrets

    return secrets.randbits(53)


def check_grid(width=None, height=None, iterations=None) -> tuple[int | None, int | None, int | None]:
    """THE range check of a map's size and epochs: width and height 1..MAX_SIDE each, at most
    MAX_NODES nodes, iterations 1..MAX_ITERATIONS (None: not checked).  SOMConfig checks through
    it, and the CLI calls it before reading any file, so the limits and the words live here
    alone.  Returns the values as ints.  Raises OptionError whose `field` is "width", "height",
    "iterations" or "size" (the node count) and whose `subject` names the field
    ("width (the map's columns) must be between 1 and 2000, got 0")."""
    out = []
    for field, v in (("width", width), ("height", height), ("iterations", iterations)):
        if v is not None:
            v = whole_number(FIELD_WORDS[field], v, field=field)
            top = MAX_ITERATIONS if field == "iterations" else MAX_SIDE
            if not 1 <= v <= top:
                top_text = f"{top:,}" if field == "iterations" else str(top)     # "2000", a side; "10,000,000"
                raise _out_of_range(field, f"must be between 1 and {top_text}, got {shown(v)}")
        out.append(v)
        if field == "height" and out[0] is not None and v is not None and out[0] * v > MAX_NODES:
            raise OptionError(f"a map of {size_text(v, out[0])} has {count_text(out[0] * v, 'node')}; the limit is "
                              f"{MAX_NODES:,}", "size")
    return out[0], out[1], out[2]


def choose(value: str, valid: tuple[str, ...], what: str) -> str:
    """Return the canonical name for `value` (case, "_" and spaces ignored; aliases taken).

    Raises OptionError naming the valid choices for anything else.
    """
    key = str(value).strip().lower().replace("_", "-").replace(" ", "-")
    key = _ALIASES.get(key, _ALIASES.get(key.replace("-", "_"), key))
    if key not in valid:
        raise OptionError(f"unknown {what} {value!r}; choose one of: {', '.join(valid)}")
    return key


def check_option_names(cls, names, what: str = "option") -> None:
    """OptionError for any of `names` that is not a field of the dataclass `cls`, listing the
    valid ones (README: "an unknown name is an error listing the valid ones"), with a "did you
    mean" when one is close."""
    import difflib

    valid = [f.name for f in fields(cls)]
    unknown = [str(n) for n in names if n not in valid]
    if not unknown:
        return
    near = difflib.get_close_matches(unknown[0], valid, n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    said = ", ".join(repr(n) for n in unknown)
    raise OptionError(f"unknown {what}{'s' if len(unknown) > 1 else ''} {said}{hint}; "
                      f"the valid names are: {', '.join(valid)}")


def named_options(cls):
    """Class decorator for an options dataclass: an unknown keyword is an OptionError listing
    the valid names (check_option_names) instead of Python's bare TypeError, for the
    constructor and so for dataclasses.replace (SOMConfig.replace, Session.update_config)."""
    generated = cls.__init__

    @functools.wraps(generated)
    def __init__(self, *args, **kwargs):
        check_option_names(cls, kwargs)
        generated(self, *args, **kwargs)

    cls.__init__ = __init__
    return cls


@named_options
@dataclass(frozen=True)
class SOMConfig:
    """Everything that defines a training run. Defaults are the seed's classic job.

    width, height: nodes (1..MAX_SIDE each, at most MAX_NODES); iterations: epochs
    (passes over the data); learning_rate: alpha0 in [MIN_LEARNING_RATE, 1]; sigma:
    sigma0 in node spacings.  Names are canonicalised by `choose`.  Raises
    OptionError for any value out of range or of the wrong type.
    """

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
        for name in ("width", "height", "iterations"):     # None too: check_grid skips what it is not given
            whole_number(FIELD_WORDS[name], getattr(self, name), field=name)
        width, height, iterations = check_grid(self.width, self.height, self.iterations)
        set_(self, "width", width)
        set_(self, "height", height)
        set_(self, "iterations", iterations)
        lr = real_number("learning rate", self.learning_rate, "learning_rate")
        if not MIN_LEARNING_RATE <= lr <= 1:
            raise _out_of_range("learning_rate", f"must be between {MIN_LEARNING_RATE:g} and 1, got {lr:g}")
        set_(self, "learning_rate", lr)
        if self.sigma is not None:
            s = real_number("sigma", self.sigma, "sigma")
            if not MIN_SIGMA <= s <= MAX_SIGMA:
                raise _out_of_range("sigma", f"must be between {MIN_SIGMA:g} and {MAX_SIGMA:,g} nodes, got {s:g}"
                                    + (": below 0.01 every neighbourhood is the winning node alone"
                                       if 0 < s < MIN_SIGMA else ""))
            set_(self, "sigma", s)
        if not isinstance(self.toroidal, (bool, np.bool_)) and self.toroidal not in (0, 1):
            raise OptionError(f"toroidal must be true or false, got {self.toroidal!r}")
        set_(self, "toroidal", bool(self.toroidal))
        if self.seed is not None:
            seed = whole_number("seed", self.seed, what="a whole number between 0 and 2**63-1", field="seed")
            if not 0 <= seed < 2**63:
                raise _out_of_range("seed", f"must be a whole number between 0 and 2**63-1, got {shown(seed)}")
            set_(self, "seed", seed)
        if self.topology == "hexagonal" and self.toroidal and self.height % 2:
            raise OptionError("a hexagonal toroidal map needs an even height: with an odd "
                              "height the offset rows do not line up when they wrap")

    @property
    def sigma0(self) -> float:
        """The starting neighbourhood radius in node spacings: `sigma`, or max(width, height) / 2."""
        return self.sigma if self.sigma is not None else max(self.width, self.height) / 2.0

    def replace(self, **changes) -> "SOMConfig":
        """A copy with `changes` applied and checked again (OptionError as for the constructor)."""
        return replace(self, **changes)

    def to_dict(self) -> dict:
        """The fields as a plain dict (what a saved map's meta.json holds)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "SOMConfig":
        """The config a `to_dict` dict describes.  Raises OptionError for an unknown key or a
        bad value."""
        check_option_names(cls, data)
        return cls(**data)
