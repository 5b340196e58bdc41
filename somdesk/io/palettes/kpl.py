"""Krita palette (.kpl): a zip holding ``colorset.xml``.

colorset.xml::

    <ColorSet name="..." columns="16" ...>
      <ColorSetEntry name="Red" id="..." spot="false" bitdepth="U8">
        <RGB space="sRGB-elle-V2-srgbtrc.icc" r="1" g="0" b="0"/>
        <Position row="0" column="0"/>
      </ColorSetEntry>
      <Group name="Hot colours" rows="2"> ...more ColorSetEntry... </Group>
    </ColorSet>

Colour children we understand (first one found per entry wins):

* ``RGB``/``sRGB`` r, g, b in 0..1.  If the profile name says it is linear
  (``g10``/``linear``) we apply the sRGB transfer curve first.
* ``CMYK`` c, m, y, k in 0..1 (naive conversion, see colorspaces).
* ``Gray`` g in 0..1.
* ``Lab`` L 0..100, a/b -128..127 (D50), as Krita 5 writes it
  (``<ColorSet version="2.0">``).  Krita 4 wrote ``version="1.0"`` and Lab
  normalised to 0..1 (the 16-bit codes / 65535, a/b zero at 0x8080); like
  Krita 5 we convert those only when the version says 1.0.

Entries are taken in document order, ungrouped ones first as Krita writes
them.  Zip safety: members over MAX_ZIP_MEMBER_BYTES uncompressed are
refused from the directory *and* the read itself is bounded, since the
directory can lie.  A bare colorset.xml (not zipped) is read too.  Read-only.
"""
from __future__ import annotations

import math

from . import colorspaces as cs
from .context import ReadContext
from .model import Palette, Swatch
from .xmlsafe import local_attrs, local_name, parse
from .zipmember import read_member, shown_names

FORMAT = "kpl"
MEMBER = "colorset.xml"


def read(data: bytes, ctx: ReadContext) -> Palette:
    """The palette in Krita .kpl bytes `data` (module docstring for the layout) (a zip, or a bare colorset.xml).

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    if not data.startswith(b"PK"):
        if data.lstrip().startswith(b"<") or data.startswith(b"\xef\xbb\xbf"):
            return parse_colorset(data, ctx, zipped=False)
        raise ctx.error("not a Krita palette (a .kpl file is a zip archive)")
    return parse_colorset(_extract(data, ctx), ctx)


def _extract(data: bytes, ctx: ReadContext) -> bytes:
    return read_member(data, ctx, MEMBER, "a Krita palette", ".kpl", _not_krita, any_folder=True)


def _not_krita(names: list[str]) -> str:
    if "swatchbook.xml" in names:
        return "this is a SwatchBooker .sbz archive (swatchbook.xml), not a Krita palette; open it as .sbz"
    if "meta.json" in names:
        return "this is a somdesk map archive (meta.json), not a palette; open it in the window or use the map commands"
    return ("this ZIP archive is not a palette somdesk reads: a Krita .kpl holds colorset.xml, a SwatchBooker "
            f".sbz swatchbook.xml, a somdesk map meta.json; it holds {shown_names(names)}")


def _floats(el, keys: str, ctx: ReadContext, label: str) -> list[float]:
    attrs = local_attrs(el)
    out = []
    for key in keys.split():
        text = attrs.get(key)
        try:
            value = float(text)
        except (TypeError, ValueError):
            shown = "missing" if text is None else repr(text[:40])
            raise ctx.error(f"{label}: <{local_name(el.tag)}> attribute {key!r} is {shown}, "
                            "expected a number") from None
        if not math.isfinite(value):
            raise ctx.error(f"{label}: <{local_name(el.tag)}> attribute {key!r} is not finite")
        out.append(value)
    return out


#: Krita's 16-bit Lab stores a*/b* = 0 at this code (KoLabColorSpaceMathsTraits
#: <quint16>::halfValueAB), with -128 at 0 and +127 at 2 * half.
_AB_HALF = 0x8080


def _krita4_ab(v: float) -> float:
    """An a*/b* value Krita 4 wrote normalised (u16 code / 65535) -> a*/b*.

    Krita 5 converts the u16 code the same way in LabU16ColorSpace::colorToXML:
    below the half code the scale is 128, above it 127.
    """
    code = v * 65535.0
    if code <= _AB_HALF:
        return -128.0 * (_AB_HALF - code) / _AB_HALF
    return 127.0 * (code - _AB_HALF) / _AB_HALF


def _entry_rgb(entry, ctx: ReadContext, label: str, normalised_lab: bool = False):
    for child in entry:
        tag = local_name(child.tag)
        if tag in ("RGB", "sRGB"):
            r, g, b = _floats(child, "r g b", ctx, label)
            space = local_attrs(child).get("space", "").lower()
            if "g10" in space or "linear" in space:
                r, g, b = (math.copysign(cs.linear_to_srgb(abs(v)), v) for v in (r, g, b))
            if not cs.in_unit_range(r, g, b):
                ctx.warn(f"{label}: RGB values outside 0..1 clamped")
            return cs.rgb_unit_to_bytes(r, g, b)
        if tag == "CMYK":
            values = _floats(child, "c m y k", ctx, label)
            if not cs.in_unit_range(*values):
                ctx.warn(f"{label}: CMYK values outside 0..1 clamped")
            return cs.cmyk_to_rgb(*values)
        if tag == "Gray":
            (g,) = _floats(child, "g", ctx, label)
            if not cs.in_unit_range(g):
                ctx.warn(f"{label}: gray value outside 0..1 clamped")
            return cs.gray_to_rgb(g)
        if tag == "Lab":
            L, a, b = _floats(child, "L a b", ctx, label)
            if normalised_lab:
                if all(0.0 <= v <= 1.0 for v in (L, a, b)):
                    L, a, b = L * 100.0, _krita4_ab(a), _krita4_ab(b)
                else:
                    ctx.warn(f"{label}: Lab values outside 0..1 in a version 1.0 palette; "
                             "read as L 0..100, a/b -128..127")
            if not cs.lab_in_gamut(L, a, b):
                ctx.warn(f"{label}: Lab colour is outside the sRGB gamut; clipped")
            return cs.lab_to_rgb(L, a, b, "D50")
    kinds = [local_name(c.tag) for c in entry if local_name(c.tag) != "Position"]
    ctx.warn(f"{label}: no supported colour ({', '.join(kinds) or 'none'}); skipped")
    return None


def parse_colorset(xml: bytes, ctx: ReadContext, zipped: bool = True) -> Palette:
    """The palette in a Krita colorset.xml (`zipped`: it came out of a .kpl zip).

    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    root, lines = parse(xml, ctx, "colorset.xml")
    if local_name(root.tag).lower() != "colorset":
        raise ctx.error(f"colorset.xml has root <{local_name(root.tag)[:40]}>, expected <ColorSet>")
    version = (local_attrs(root).get("version") or "").strip()
    # Krita's own rule (KoColorSet loadKplGroup): only palettes saved with
    # version "1.0" (Krita 4) hold Lab normalised to 0..1; version "2.0"
    # (Krita 5) and files without a version hold L 0..100, a/b -128..127.
    normalised_lab = version == "1.0"
    if version not in ("", "1.0", "2.0"):
        ctx.warn(f"unknown colorset version {version[:20]!r}; Lab read as Krita 5 writes it")
    swatches: list[Swatch] = []
    index = 0
    for entry, line in zip(root.iter(), lines):
        if local_name(entry.tag) != "ColorSetEntry":
            continue
        index += 1
        name = local_attrs(entry).get("name")
        # Inside a zip the line is colorset.xml's, not the .kpl file's: say so.
        where = f"colorset.xml line {line}, " if zipped else f"line {line}: "
        label = f"{where}entry {index}" + (f" ({name[:40]!r})" if name else "")
        rgb = _entry_rgb(entry, ctx, label, normalised_lab)
        if rgb is not None:
            swatches.append(Swatch(rgb, name))
            ctx.check_count(len(swatches))
    return ctx.finish(swatches, local_attrs(root).get("name"))
