"""Parse untrusted XML (Krita colorset.xml, LibreOffice .soc) safely.

ElementTree itself is fine for well-formed data, but a DOCTYPE with entity
declarations allows "billion laughs" expansion and external entities.  No
palette format needs one, so we refuse any DOCTYPE with an internal subset
and any ENTITY declaration outright (a bare ``<!DOCTYPE name>`` is harmless) -- and files with absurd element counts or nesting --
found by a quick expat pre-pass (expat also handles the
declared encoding for us), and only then build the tree.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.parsers import expat

from somdesk.core.options import count_text

from .context import ReadContext


#: A Krita entry is ~3 elements, a .soc colour 1: this allows MAX_COLORS with
#: room to spare while keeping the tree (~100 bytes/element) small.
MAX_XML_ELEMENTS = 1_000_000
#: Palettes are 3-4 levels deep; deep nesting only stresses the parser.
MAX_XML_DEPTH = 64


class _Refused(Exception):
    pass


def local_name(tag: str) -> str:
    """``{namespace}name`` -> ``name``: match elements regardless of prefix."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def local_attrs(element: ET.Element) -> dict[str, str]:
    """An element's attributes keyed by local name (first one wins)."""
    out: dict[str, str] = {}
    for key, value in element.attrib.items():
        out.setdefault(local_name(key), value)
    return out


def parse(data: bytes, ctx: ReadContext, what: str = "XML") -> tuple[ET.Element, list[int]]:
    """Parse `data`; return the root and the line number of every element.

    The line list is in document order, which is also the order of
    ``root.iter()``, so ``zip(root.iter(), lines)`` pairs each element with
    its line for error messages (ElementTree does not keep line numbers).
    Raises PaletteError (`ctx.error`, naming `what` and the line) for XML that is not
    well-formed, declares a DOCTYPE internal subset or ENTITY, names an unknown encoding,
    or has more than MAX_XML_ELEMENTS elements or MAX_XML_DEPTH levels.
    """
    state = {"elements": 0, "depth": 0}
    lines: list[int] = []

    def refuse(*_args):
        raise _Refused("it contains a DOCTYPE or ENTITY declaration, which palette files "
                       "never need; refused for safety")

    def doctype(_name, _system_id, _public_id, has_internal_subset):
        # A bare <!DOCTYPE scribus> (Qt's QDomDocument("scribus") writes one)
        # declares nothing; only an internal subset can declare entities.
        # External DTDs are never fetched (param entity parsing is off).
        if has_internal_subset:
            refuse()

    def start(_name, _attrs):
        lines.append(parser.CurrentLineNumber)
        state["elements"] += 1
        state["depth"] += 1
        if state["elements"] > MAX_XML_ELEMENTS:
            raise _Refused(f"it has more than {count_text(MAX_XML_ELEMENTS, 'element')}; too large for a palette")
        if state["depth"] > MAX_XML_DEPTH:
            raise _Refused(f"it is nested more than {count_text(MAX_XML_DEPTH, 'level')} deep; not a palette")

    def end(_name):
        state["depth"] -= 1

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise ctx.error(f"the {what} was refused: {exc}", parser.CurrentLineNumber) from None
    except expat.ExpatError as exc:
        raise ctx.error(f"the {what} is not well-formed ({expat.ErrorString(exc.code)})",
                        exc.lineno) from None
    except LookupError as exc:   # <?xml encoding="..."?> names an unknown codec
        raise ctx.error(f"the {what} declares an unknown text encoding ({exc})") from None
    except (ValueError, RecursionError) as exc:
        raise ctx.error(f"the {what} cannot be parsed ({exc})") from None
    try:
        root = ET.fromstring(data)
    except (ET.ParseError, ValueError, LookupError, RecursionError) as exc:
        raise ctx.error(f"the {what} cannot be parsed ({exc})") from None
    return root, lines
