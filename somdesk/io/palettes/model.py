"""The palette data model: `Swatch`, `Palette` and `PaletteError`.

Everything here is plain Python + numpy (no Qt) so the CLI, the GUI and the
tests share it.  Both dataclasses are frozen: a palette read from disk is a
value, and the GUI may hand it to worker threads.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from somdesk.core.options import count_text
from somdesk.errors import FileFormatError

from .limits import MAX_NAME_CHARS

#: Format ids a reader sets on `Palette.format`.  Other code matches on these
#: exact strings, so never rename one.
FORMATS = (
    "gpl", "ase", "aco", "jasc-pal", "riff-pal", "paintnet", "hex",
    "kpl", "soc", "css", "json", "csv", "image", "act", "raw-pal", "scribus", "sbz",
)


class PaletteError(FileFormatError):
    """A palette file could not be read or written.

    The message is one sentence meant for a person: it names the file, says
    what is wrong and, for text formats, the line number.
    """


def clean_name(name: object) -> str | None:
    """Normalise a colour or palette name.

    Names come from every kind of file, so we make them safe to show and to
    write back into any format: control characters (tabs, newlines, NUL)
    become spaces, lone surrogates become U+FFFD, outer whitespace is
    stripped, the result is cut at `MAX_NAME_CHARS`, and "" becomes None.
    Raises TypeError for anything but a str or None.
    """
    if name is None:
        return None
    if not isinstance(name, str):
        raise TypeError(f"a name must be a str or None, not {type(name).__name__}")
    if not name.isprintable():
        chars = []
        for ch in name:
            cat = unicodedata.category(ch)
            if cat == "Cs":
                chars.append("\ufffd")
            elif cat in ("Cc", "Zl", "Zp"):
                chars.append(" ")
            else:
                chars.append(ch)
        name = "".join(chars)
    name = name.strip()[:MAX_NAME_CHARS].strip()
    return name or None


def _check_channel(v: object) -> int:
    # Accept numpy integers too, but never floats or bools: a float here is
    # almost always a 0..1 value passed by mistake.
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"colour channels must be ints 0..255, got {v!r}")
    iv = int(v)
    if not 0 <= iv <= 255:
        raise ValueError(f"colour channel {iv} is outside 0..255")
    return iv


@dataclass(frozen=True)
class Swatch:
    """One colour: 8-bit sRGB, an optional name (normalised by `clean_name`)
    and an 8-bit alpha.

    Alpha is *straight* (not premultiplied): 255 = opaque (the default),
    0 = fully transparent, and `rgb` keeps the colour even when alpha is 0
    (an ACT or PNG transparent entry still has one).  Readers set it from
    GPL ``Channels: RGBA``, 8-digit hex, JASC/Paint.NET alpha columns, CSS
    alpha, the ACT transparent index and PNG ``tRNS``.
    """

    rgb: tuple[int, int, int]
    name: str | None = None
    alpha: int = 255

    def __post_init__(self) -> None:
        rgb = tuple(self.rgb)
        if len(rgb) != 3:
            raise ValueError(f"rgb needs 3 channels, got {len(rgb)}")
        r, g, b = rgb
        a = self.alpha
        # Fast path for plain ints in range (readers build 65,536 of these);
        # anything else goes through the checking (and converting) path.
        if not (type(r) is int and type(g) is int and type(b) is int and type(a) is int
                and 0 <= r <= 255 and 0 <= g <= 255 and 0 <= b <= 255 and 0 <= a <= 255):
            rgb = (_check_channel(r), _check_channel(g), _check_channel(b))
            object.__setattr__(self, "alpha", _check_channel(a))
        object.__setattr__(self, "rgb", rgb)
        name = self.name
        if name is not None and not (type(name) is str and name.isprintable()
                                     and len(name) <= MAX_NAME_CHARS and name == name.strip()
                                     and name):
            name = clean_name(name)
        object.__setattr__(self, "name", name)

    @property
    def hex(self) -> str:
        """The colour as ``#rrggbb`` (lower case, alpha not included)."""
        r, g, b = self.rgb
        return f"#{r:02x}{g:02x}{b:02x}"

    @property
    def rgba(self) -> tuple[int, int, int, int]:
        """``(r, g, b, alpha)``, each 0..255."""
        return (*self.rgb, self.alpha)

    @property
    def hex8(self) -> str:
        """``#rrggbbaa`` (CSS order, lower case); ``aa`` is always present."""
        return f"{self.hex}{self.alpha:02x}"


@dataclass(frozen=True)
class Palette:
    """An ordered list of swatches, as read from (or to be written to) a file."""

    swatches: tuple[Swatch, ...]
    name: str | None = None
    format: str | None = None
    warnings: tuple[str, ...] = field(default=())
    columns: int | None = None          # display hint: swatches per row (GIMP's Columns), None = any

    def __post_init__(self) -> None:
        swatches = tuple(self.swatches)
        for s in swatches:
            if not isinstance(s, Swatch):
                raise TypeError(f"swatches must be Swatch objects, got {type(s).__name__}")
        object.__setattr__(self, "swatches", swatches)
        object.__setattr__(self, "name", clean_name(self.name))
        if self.format is not None and self.format not in FORMATS:
            raise ValueError(f"unknown palette format id {self.format!r}")
        object.__setattr__(self, "warnings", tuple(str(w) for w in self.warnings))
        if self.columns is not None and not (isinstance(self.columns, int) and self.columns > 0):
            raise ValueError(f"columns must be a positive int or None, not {self.columns!r}")

    def __len__(self) -> int:
        return len(self.swatches)

    @property
    def has_alpha(self) -> bool:
        """True when any swatch is not fully opaque (alpha < 255)."""
        return any(s.alpha != 255 for s in self.swatches)

    def to_array(self) -> np.ndarray:
        """The colours as an (N, 3) float64 array in [0, 1] (alpha dropped)."""
        if not self.swatches:
            return np.zeros((0, 3), dtype=np.float64)
        return np.array([s.rgb for s in self.swatches], dtype=np.float64) / 255.0

    def to_rgba_array(self) -> np.ndarray:
        """The colours as an (N, 4) float64 array in [0, 1]; column 3 is alpha
        (1 = opaque), straight, not premultiplied."""
        if not self.swatches:
            return np.zeros((0, 4), dtype=np.float64)
        return np.array([s.rgba for s in self.swatches], dtype=np.float64) / 255.0

    @classmethod
    def from_array(cls, arr, name: str | None = None,
                   names: Sequence[str | None] | None = None) -> "Palette":
        """Build a palette from an (N, 3) or (N, 4) array of floats in [0, 1].

        A fourth column is straight alpha (1 = opaque).  Values are clipped
        to [0, 1] and rounded to the nearest 8-bit level, so SOM weights
        (which wander slightly outside the unit cube) can be saved directly.
        NaN is refused: it has no sensible colour.  Raises ValueError for
        another shape or a names list of the wrong length.
        """
        a = np.asarray(arr, dtype=np.float64)
        if a.ndim != 2 or a.shape[1] not in (3, 4):
            raise ValueError(f"expected an (N, 3) or (N, 4) array, got shape {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError("the array contains NaN or infinite values")
        if names is not None:
            names = list(names)
            if len(names) != a.shape[0]:
                raise ValueError(f"{count_text(len(names), 'name')} for {count_text(a.shape[0], 'colour')}")
        q = np.rint(np.clip(a, 0.0, 1.0) * 255.0).astype(np.int64)
        swatches = tuple(
            Swatch((int(row[0]), int(row[1]), int(row[2])),
                   names[i] if names is not None else None,
                   int(row[3]) if len(row) == 4 else 255)
            for i, row in enumerate(q)
        )
        return cls(swatches, name=name)

    def to_json_dict(self) -> dict:
        """``{"format", "name", "colors": [{"hex", "name"[, "alpha"]}, ...]}`` in
        file order; ``"alpha"`` (0..255) is present only when it is not 255."""
        colours = []
        for s in self.swatches:
            item = {"hex": s.hex, "name": s.name}
            if s.alpha != 255:
                item["alpha"] = s.alpha
            colours.append(item)
        return {"format": self.format, "name": self.name, "colors": colours}

