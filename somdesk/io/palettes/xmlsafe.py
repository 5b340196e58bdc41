"""Parse untrusted XML (Krita colorset.xml, LibreOffice .soc) safely.

ElementTree itself is fine for well-formed data, but a DOCTYPE with entity
declarations allows "billion laughs" expansion and external entities.  No
palette format needs a DOCTYPE, so we refuse any DOCTYPE or ENTITY
declaration outright, found by a quick expat pre-pass (expat also handles the
declared encoding for us), and only then build the tree.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.parsers import expat

from .context import ReadContext


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


def parse(data: bytes, ctx: ReadContext, what: str = "XML") -> ET.Element:
    def refuse(*_args):
        raise _Refused()

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except _Refused:
        raise ctx.error(f"the {what} contains a DOCTYPE or ENTITY declaration, "
                        "which palette files never need; refused for safety",
                        parser.CurrentLineNumber) from None
    except expat.ExpatError as exc:
        raise ctx.error(f"the {what} is not well-formed ({expat.ErrorString(exc.code)})",
                        exc.lineno) from None
    except (ValueError, RecursionError) as exc:
        raise ctx.error(f"the {what} cannot be parsed ({exc})") from None
    try:
        return ET.fromstring(data)
    except (ET.ParseError, ValueError, RecursionError) as exc:
        raise ctx.error(f"the {what} cannot be parsed ({exc})") from None
