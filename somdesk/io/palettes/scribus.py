"""Scribus colour sets (``SCRIBUSCOLORS`` XML, Scribus' swatches/*.xml).

Layout (element and attribute names as Scribus writes them; we match them
case-insensitively, as Krita does)::

    <SCRIBUSCOLORS Name="Palette name">
      <COLOR NAME="Red"  RGB="#ff0000" Spot="0" Register="0"/>
      <COLOR NAME="Blue" CMYK="#ffff0000"/>                 c m y k, 00..ff each
      <COLOR NAME="K"    SPACE="CMYK" C="0" M="0" Y="0" K="100"/>   percent
      <COLOR NAME="Sky"  SPACE="RGB" R="0" G="128" B="255"/>        0..255
      <COLOR NAME="Lab"  SPACE="Lab" L="50" A="10" B="-20"/>        D50
    </SCRIBUSCOLORS>

Scribus 1.5 reads ``SPACE`` with component attributes first and falls back
to the ``RGB``/``CMYK`` hex strings; so do we.  CMYK goes through the same
naive conversion as ASE/ACO (colorspaces.cmyk_to_rgb).  ``Spot`` and
``Register`` are print attributes (a spot ink; the registration colour that
prints on every plate): the colour is kept, the attribute is not carried.
A colour with no value we can read is an error naming it -- never dropped
silently.  Read-only.
"""
from __future__ import annotations

import math

from . import colorspaces as cs
from .colorspaces import parse_hex
from .context import ReadContext
from .model import Palette, Swatch
from .xmlsafe import local_attrs, local_name, parse

FORMAT = "scribus"
ROOT = "scribuscolors"


def _attrs(el) -> dict[str, str]:
    return {k.lower(): v for k, v in local_attrs(el).items()}


def _number(attrs: dict, key: str, ctx: ReadContext, label: str, line: int) -> float:
    text = attrs.get(key.lower(), "0")
    try:
        value = float(text)
    except ValueError:
        raise ctx.error(f"{label}: attribute {key} is {text[:40]!r}, expected a number",
                        line) from None
    if not math.isfinite(value):
        raise ctx.error(f"{label}: attribute {key} is not finite", line)
    return value


def _from_space(attrs: dict, ctx: ReadContext, label: str, line: int):
    space = attrs.get("space", "").strip().lower()
    if space == "cmyk" and any(k in attrs for k in "cmyk"):
        c, m, y, k = (_number(attrs, ch, ctx, label, line) / 100.0 for ch in "CMYK")
        if not cs.in_unit_range(c, m, y, k):
            ctx.warn(f"{label}: CMYK percentages outside 0..100 clamped", line)
        return cs.cmyk_to_rgb(c, m, y, k)
    if space == "rgb" and any(k in attrs for k in "rgb"):
        r, g, b = (_number(attrs, ch, ctx, label, line) / 255.0 for ch in "RGB")
        if not cs.in_unit_range(r, g, b):
            ctx.warn(f"{label}: RGB values outside 0..255 clamped", line)
        return cs.rgb_unit_to_bytes(r, g, b)
    if space == "lab" and any(k in attrs for k in ("l", "a", "b")):
        L, a, b = (_number(attrs, ch, ctx, label, line) for ch in "LAB")
        if not cs.lab_in_gamut(L, a, b):
            ctx.warn(f"{label}: Lab colour is outside the sRGB gamut; clipped", line)
        return cs.lab_to_rgb(L, a, b, "D50")
    return None


def _from_hex(attrs: dict, ctx: ReadContext, label: str, line: int):
    if "rgb" in attrs:
        text = attrs["rgb"].strip()
        parsed = parse_hex(text) if text.startswith("#") and len(text) == 7 else None
        if parsed is None:
            raise ctx.error(f"{label}: RGB={text[:40]!r} is not a colour like '#rrggbb'", line)
        return parsed[0]
    if "cmyk" in attrs:
        text = attrs["cmyk"].strip()
        digits = text[1:]
        if not (text.startswith("#") and len(digits) == 8 and parse_hex(digits) is not None):
            raise ctx.error(f"{label}: CMYK={text[:40]!r} is not a colour like '#ccmmyykk'", line)
        c, m, y, k = (int(digits[i:i + 2], 16) / 255.0 for i in range(0, 8, 2))
        return cs.cmyk_to_rgb(c, m, y, k)
    return None


def read(data: bytes, ctx: ReadContext) -> Palette:
    """The palette in Scribus SCRIBUSCOLORS XML bytes `data` (module docstring for the layout).

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    root, lines = parse(data, ctx, "Scribus colour set")
    if local_name(root.tag).lower() != ROOT:
        raise ctx.error(f"this XML is not a Scribus colour set (root element is "
                        f"<{local_name(root.tag)[:40]}>, expected <SCRIBUSCOLORS>)")
    swatches: list[Swatch] = []
    index = 0
    for el, line in zip(root.iter(), lines):
        if local_name(el.tag).lower() != "color":
            continue
        index += 1
        attrs = _attrs(el)
        name = attrs.get("name")
        label = f"colour {index}" + (f" ({name[:40]!r})" if name else "")
        rgb = _from_space(attrs, ctx, label, line) or _from_hex(attrs, ctx, label, line)
        if rgb is None:
            found = ", ".join(sorted(attrs)) or "none"
            raise ctx.error(f"{label} has no RGB, CMYK or SPACE value (attributes: {found[:80]})",
                            line)
        swatches.append(Swatch(rgb, name))
        ctx.check_count(len(swatches), line)
    return ctx.finish(swatches, _attrs(root).get("name"))
