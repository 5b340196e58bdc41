"""SwatchBooker swatch books (.sbz): a zip holding ``swatchbook.xml``.

SwatchBooker (Olivier Berten, selapa.net/swatchbooker; Scribus ships its RAL
book in this format) writes, in ``swatchbook.xml`` version 0.7::

    <SwatchBook version="0.7" xmlns:dc="http://purl.org/dc/elements/1.1/" ...>
      <metadata> <dc:format>application/swatchbook</dc:format>
                 <dc:title>Book name</dc:title> ... </metadata>
      <materials>
        <color usage="spot">
          <metadata> <dc:identifier>id</dc:identifier> <dc:title>Name</dc:title> </metadata>
          <values model="Lab">75.04 4.64 61.31</values>
          <values model="RGB" space="profile.icc">0.9 0.8 0.1</values>
        </color>
        <pattern> ... </pattern>
      </materials>
      <book columns="10">
        <swatch material="id"/>
        <group> <metadata>...</metadata> <swatch material="id"/> </group>
        <spacer/> <break/>
      </book>
    </SwatchBook>

What we read, following SwatchBooker's own reader (codecs/sbz.py) and colour
model (swatchbook/__init__.py Color.toRGB, color.py toRGB):

* The palette is the **book**: its ``swatch`` references in document order,
  groups flattened, spacers and breaks ignored (they are layout).  A colour
  material the book never places is left out, as SwatchBooker's converters
  leave it out, with a warning giving the count.  A file without a book gives
  every colour material in order.  A reference to an undefined material is an
  error naming it (SwatchBooker fails on it too).
* A colour's name is its ``dc:title`` (the one without ``xml:lang`` first),
  else its ``dc:identifier`` (RAL books carry only that), spaces trimmed.
* The colour: the unprofiled ``sRGB`` value when there is one, else the first
  ``values`` element whose model we convert, in file order -- SwatchBooker's
  order.  Models and their scales, as SwatchBooker defines them:
  ``sRGB``/``RGB``/``HSV``/``HLS``/``CMY``/``CMYK`` 0..1 (HSV/HLS hue in
  turns), ``YIQ`` Y 0..1 and I/Q -0.5..0.5, ``Lab`` L 0..100 and a/b
  -128..127 (D50, the ICC PCS, as lcms' Lab profile), ``LCH`` L/C 0..100 and
  H in degrees, ``XYZ`` 0..~100 (D50), ``xyY`` x/y 0..1 and Y 0..100, and
  ``GRAY`` 0..1 *ink* (0 = white).  CMYK goes through the naive conversion of
  every reader here (colorspaces.cmyk_to_rgb) where SwatchBooker applies a
  press profile; ``RGB`` tagged with an ICC profile (``space=``) is read as
  sRGB with a warning, since we do not colour-manage.  ``nCLR`` (n inks) and
  unknown models are skipped; a colour with nothing convertible is skipped
  with a warning naming its models.
* Other materials (patterns, gradients) are not colours: skipped with a
  warning.  A ``version`` other than 0.7 is read with a warning (SwatchBooker
  itself reads only 0.7).  A bare ``swatchbook.xml`` is read too.

Zip safety as for Krita's .kpl (limits.MAX_ZIP_MEMBERS, MAX_ZIP_MEMBER_BYTES,
the read itself bounded).

Writing (`write`): what SwatchBooker 1.x writes -- swatchbook.xml version 0.7
in a zip, each colour a ``<color>`` with a unique ``dc:identifier``, its name
as ``dc:title`` and its value as unprofiled ``sRGB`` fractions (enough digits
that every 8-bit value reads back exactly), and a ``<book>`` placing them in
palette order.  Alpha cannot be stored (SwatchBooker has none).
"""
from __future__ import annotations

import io
import math
import zipfile
from xml.sax.saxutils import escape, quoteattr

from somdesk.core.options import count_text

from . import colorspaces as cs
from .context import ReadContext
from .limits import MAX_ZIP_MEMBERS
from .model import Palette, Swatch
from .xmlsafe import local_attrs, local_name, parse
from .zipmember import read_member, shown_names

FORMAT = "sbz"
MEMBER = "swatchbook.xml"
ROOT = "SwatchBook"
VERSION = "0.7"

#: model -> number of values SwatchBooker stores for it.
CHANNELS = {"sRGB": 3, "RGB": 3, "HSV": 3, "HLS": 3, "CMY": 3, "YIQ": 3, "Lab": 3, "LCH": 3,
            "XYZ": 3, "xyY": 3, "CMYK": 4, "GRAY": 1}


def holds_swatchbook(data: bytes) -> bool:
    """Is `data` a zip with a swatchbook.xml member? (False for anything unreadable.)"""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return any(n == MEMBER for n in zf.namelist()[:MAX_ZIP_MEMBERS])
    except Exception:  # zipfile raises many types on hostile input; "no" is the answer
        return False


def read(data: bytes, ctx: ReadContext) -> Palette:
    """The palette in SwatchBooker .sbz bytes `data` (module docstring for the layout) (a zip, or a bare swatchbook.xml).

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    if not data.startswith(b"PK"):
        if data.lstrip().startswith(b"<") or data.startswith(b"\xef\xbb\xbf"):
            return parse_swatchbook(data, ctx, zipped=False)
        raise ctx.error("not a SwatchBooker book (an .sbz file is a zip archive)")
    return parse_swatchbook(_extract(data, ctx), ctx)


def _extract(data: bytes, ctx: ReadContext) -> bytes:
    return read_member(data, ctx, MEMBER, "a SwatchBooker book", ".sbz", _not_sbz)


def _not_sbz(names: list[str]) -> str:
    hint = " (colorset.xml: a Krita palette, named .kpl)" if "colorset.xml" in names else ""
    return (f"the archive has no swatchbook.xml, so it is not a SwatchBooker book "
            f"(it holds {shown_names(names)}){hint}")


def _child(el, name: str):
    return next((c for c in el if local_name(c.tag) == name), None)


def _meta_texts(el, field: str) -> list[tuple[str | None, str]]:
    """[(xml:lang or None, text)] of the dc:`field` elements in `el`'s <metadata>."""
    meta = _child(el, "metadata")
    if meta is None:
        return []
    return [(local_attrs(m).get("lang"), m.text or "") for m in meta if local_name(m.tag) == field]


def _title(el) -> str | None:
    titles = _meta_texts(el, "title")
    plain = [t for lang, t in titles if lang is None and t.strip()]
    any_title = [t for _lang, t in titles if t.strip()]
    return (plain or any_title or [None])[0]


def _lab_from_xyz(x: float, y: float, z: float) -> tuple[float, float, float]:
    """XYZ (D50, Y of white = 1) -> CIE Lab (D50)."""
    def f(t):
        return t ** (1.0 / 3.0) if t > 216.0 / 24389.0 else (24389.0 / 27.0 * t + 16.0) / 116.0
    fx, fy, fz = f(x / cs.WHITE_D50[0]), f(y / cs.WHITE_D50[1]), f(z / cs.WHITE_D50[2])
    return 116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)


def _unit_rgb(r, g, b, ctx, label, model):
    if not cs.in_unit_range(r, g, b):
        ctx.warn(f"{label}: {model} values outside 0..1 clamped")
    return cs.rgb_unit_to_bytes(r, g, b)


def _lab_rgb(L, a, b, ctx, label):
    if not cs.lab_in_gamut(L, a, b):
        ctx.warn(f"{label}: colour is outside the sRGB gamut; clipped")
    return cs.lab_to_rgb(L, a, b, "D50")


def convert(model: str, v: list[float], ctx: ReadContext, label: str) -> tuple[int, int, int]:
    """8-bit sRGB of SwatchBooker values `v` in `model` (module docstring has the scales)."""
    if model in ("sRGB", "RGB"):
        return _unit_rgb(*v, ctx, label, model)
    if model == "HSV":
        return cs.hsb_to_rgb(v[0] * 360.0, v[1], v[2])
    if model == "HLS":
        return cs.hsl_to_rgb(v[0] * 360.0, v[2], v[1])
    if model == "CMY":
        return _unit_rgb(1.0 - v[0], 1.0 - v[1], 1.0 - v[2], ctx, label, model)
    if model == "YIQ":
        y, i, q = v
        return _unit_rgb(y + 0.9563 * i + 0.6210 * q, y - 0.2721 * i - 0.6474 * q,
                         y - 1.1070 * i + 1.7046 * q, ctx, label, model)
    if model == "CMYK":
        if not cs.in_unit_range(*v):
            ctx.warn(f"{label}: CMYK values outside 0..1 clamped")
        return cs.cmyk_to_rgb(*v)
    if model == "GRAY":
        if not cs.in_unit_range(v[0]):
            ctx.warn(f"{label}: GRAY value outside 0..1 clamped")
        return cs.gray_to_rgb(1.0 - v[0])          # SwatchBooker's GRAY is ink: 0 = white
    if model == "Lab":
        return _lab_rgb(*v, ctx, label)
    if model == "LCH":
        L, c, h = v
        return _lab_rgb(L, c * math.cos(math.radians(h)), c * math.sin(math.radians(h)), ctx, label)
    if model == "xyY":
        x, y, big_y = v
        xyz = (0.0, 0.0, 0.0) if y == 0 else (x * big_y / y, big_y, (1.0 - x - y) * big_y / y)
        return _lab_rgb(*_lab_from_xyz(*(c / 100.0 for c in xyz)), ctx, label)
    # XYZ, 0..100
    return _lab_rgb(*_lab_from_xyz(*(c / 100.0 for c in v)), ctx, label)


def _values(el, ctx: ReadContext, label: str):
    """[(model, profile or None, floats)] of a colour's <values>, in file order; bad numbers are errors."""
    out = []
    for child in el:
        if local_name(child.tag) != "values":
            continue
        attrs = local_attrs(child)
        model = (attrs.get("model") or "").strip()
        words = (child.text or "").split()
        try:
            numbers = [float(w) for w in words]
        except ValueError:
            raise ctx.error(f"{label}: <values model={model[:20]!r}> holds {' '.join(words)[:60]!r}, "
                            "expected numbers") from None
        if not all(math.isfinite(x) for x in numbers):
            raise ctx.error(f"{label}: <values model={model[:20]!r}> holds a value that is not finite")
        out.append((model, attrs.get("space"), numbers))
    return out


def _colour(el, ctx: ReadContext, label: str, noted: set):
    values = _values(el, ctx, label)
    unprofiled = [v for v in values if v[0] == "sRGB" and not v[1]]
    for model, space, numbers in unprofiled + values:      # SwatchBooker's order
        if model not in CHANNELS:
            continue
        if len(numbers) != CHANNELS[model]:
            raise ctx.error(f"{label}: <values model={model!r}> has {count_text(len(numbers), 'number')}, "
                            f"expected {CHANNELS[model]}")
        if space and model in ("RGB", "CMYK") and (model, space) not in noted:
            noted.add((model, space))     # once per profile: a book tags every colour with it
            ctx.warn(f"{label}: {model} values in ICC profile {space[:40]!r} read without colour "
                     "management" + (" (as sRGB)" if model == "RGB" else "") + "; so are the others")
        return convert(model, numbers, ctx, label)
    models = ", ".join(sorted({m or "?" for m, _s, _n in values})) or "none"
    ctx.warn(f"{label}: no colour model this program converts (found: {models}); skipped")
    return None


def parse_swatchbook(xml: bytes, ctx: ReadContext, zipped: bool = True) -> Palette:
    """The palette in a swatchbook.xml (`zipped`: it came out of an .sbz zip).

    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    root, lines = parse(xml, ctx, MEMBER)
    line_of = dict(zip(map(id, root.iter()), lines))
    if local_name(root.tag) != ROOT:
        raise ctx.error(f"{MEMBER} has root <{local_name(root.tag)[:40]}>, expected <{ROOT}>")
    version = (local_attrs(root).get("version") or "").strip()
    if version != VERSION:
        ctx.warn(f"swatchbook.xml version {version[:20] or 'missing'!r}; SwatchBooker writes "
                 f"{VERSION}, read as that")
    where = f"{MEMBER} line " if zipped else "line "
    materials: dict[str, tuple[int, int] | None] = {}   # identifier -> rgb (None: skipped)
    names: dict[str, str | None] = {}
    order: list[str | None] = []                       # colour materials in file order
    skipped_kinds: dict[str, int] = {}
    noted: set = set()                                 # (model, ICC profile) already warned about
    other_ids: set[str] = set()                        # patterns, gradients: not colours
    for block in (c for c in root if local_name(c.tag) == "materials"):
        for n, mat in enumerate(block, 1):
            kind = local_name(mat.tag)
            if kind != "color":
                skipped_kinds[kind] = skipped_kinds.get(kind, 0) + 1
                other_ids.update(t.strip() for _lang, t in _meta_texts(mat, "identifier"))
                continue
            ident = next((t for _lang, t in _meta_texts(mat, "identifier")), None)
            name = _title(mat) or ident
            label = (f"{where}{line_of.get(id(mat), '?')}, colour {n}"
                     + (f" ({name.strip()[:40]!r})" if name and name.strip() else ""))
            rgb = _colour(mat, ctx, label, noted)
            key = ident if ident is not None else f"\0{n}"      # unnamed: reachable only without a book
            if key in materials:
                ctx.warn(f"{label}: identifier {ident.strip()[:40]!r} is defined twice; the last one is used")
            else:
                order.append(key)
            materials[key] = rgb
            names[key] = name.strip() if name else None
    for kind, count in skipped_kinds.items():
        ctx.warn(f"{count_text(count, f'<{kind[:20]}> material')} {'is' if count == 1 else 'are'} not colours; skipped")
    book = _child(root, "book")
    swatches: list[Swatch] = []
    if book is None:
        keys = order
    else:
        keys = []
        for el in book.iter():
            if local_name(el.tag) != "swatch":
                continue
            ref = local_attrs(el).get("material")
            key = ref if ref in materials else next((k for k in materials if ref is not None
                                                     and k.strip() == ref.strip()), None)
            if key is None:
                if ref is not None and ref.strip() in other_ids:
                    continue                      # a pattern or gradient placed in the book
                raise ctx.error(f"{where}{line_of.get(id(el), '?')}: the book places material "
                                f"{(ref or '')[:60]!r}, which <materials> does not define")
            keys.append(key)
        unplaced = len(set(order) - set(keys))
        if unplaced:
            ctx.warn(f"{count_text(unplaced, 'colour')} defined in <materials> {'is' if unplaced == 1 else 'are'} not placed in the book; "
                     "left out, as SwatchBooker leaves them out")
    for key in keys:
        rgb = materials[key]
        if rgb is not None:
            swatches.append(Swatch(rgb, names[key]))
            ctx.check_count(len(swatches))
    return ctx.finish(swatches, _title(root))


_NS = ('xmlns:dc="http://purl.org/dc/elements/1.1/"\n    xmlns:dcterms="http://purl.org/dc/terms/"\n'
       '    xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"')


def _meta(fields: list[tuple[str, str]], indent: str) -> str:
    body = "".join(f"{indent}  <dc:{k}>{escape(v)}</dc:{k}>\n" for k, v in fields)
    return f"{indent}<metadata>\n{body}{indent}</metadata>\n"


def write(palette: Palette) -> bytes:
    """The palette as an .sbz (module docstring): a zip holding swatchbook.xml version 0.7."""
    head = [("format", "application/swatchbook")] + ([("title", palette.name)] if palette.name else [])
    xml = [f'<?xml version="1.0" encoding="UTF-8"?>\n<SwatchBook version="{VERSION}"\n    {_NS}>\n',
           _meta(head, "  ").replace("  </metadata>", '    <dc:type rdf:resource="http://purl.org/dc/dcmitype/Dataset" />\n'
                                      "  </metadata>"),
           "  <materials>\n"]
    for k, sw in enumerate(palette.swatches, 1):
        fields = [("identifier", f"c{k}")] + ([("title", sw.name)] if sw.name else [])
        values = " ".join(format(v / 255.0, ".9g") for v in sw.rgb)
        xml.append(f"    <color>\n{_meta(fields, '      ')}      <values model=\"sRGB\">{values}</values>\n"
                   "    </color>\n")
    xml.append("  </materials>\n  <book>\n")
    xml += [f"    <swatch material={quoteattr(f'c{k}')} />\n" for k in range(1, len(palette.swatches) + 1)]
    xml.append("  </book>\n</SwatchBook>\n")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo(MEMBER, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, "".join(xml).encode("utf-8"))
    return buf.getvalue()
