"""LibreOffice / OpenOffice colour table (.soc).

XML::

    <ooo:color-table xmlns:draw="..." xmlns:ooo="...">
      <draw:color draw:name="Black" draw:color="#000000"/>
    </ooo:color-table>

Old OpenOffice files use ``http://openoffice.org/2000/drawing`` style
namespaces, newer ones ``urn:oasis:names:tc:opendocument:xmlns:drawing:1.0``
(and some have no namespace at all), so we match local names only and never
depend on a prefix or namespace URI.  Read-only.
"""
from __future__ import annotations

from .colorspaces import parse_hex
from .context import ReadContext
from .model import Palette, Swatch
from .xmlsafe import local_attrs, local_name, parse

FORMAT = "soc"


def read(data: bytes, ctx: ReadContext) -> Palette:
    """The palette in LibreOffice .soc XML bytes `data` (module docstring for the layout).

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    root, lines = parse(data, ctx)
    if local_name(root.tag) != "color-table":
        raise ctx.error(f"this XML is not a LibreOffice colour table (root element is "
                        f"<{local_name(root.tag)[:40]}>, expected <color-table>)")
    swatches: list[Swatch] = []
    index = 0
    for el, line in zip(root.iter(), lines):
        if local_name(el.tag) != "color":
            continue
        index += 1
        attrs = local_attrs(el)
        name = attrs.get("name")
        label = f"colour {index}" + (f" ({name[:40]!r})" if name else "")
        value = attrs.get("color")
        if value is None:
            ctx.warn(f"{label} has no color attribute; skipped", line)
            continue
        parsed = parse_hex(value.strip())
        if parsed is None or not value.strip().startswith("#"):
            raise ctx.error(f"{label}: expected a colour like '#rrggbb', found {value[:40]!r}", line)
        swatches.append(Swatch(parsed[0], name))
        ctx.check_count(len(swatches), line)
    return ctx.finish(swatches)
