"""JSON palettes.

Accepted shapes (``hex`` may also be spelled ``color``/``colour``; hex
strings may omit the ``#``, which is how lospec.com's JSON looks)::

    ["#ff0000", "#00ff00"]
    [{"hex": "#ff0000", "name": "Red"}, {"color": "#00ff00"}]
    {"name": "My palette", "colors": [ ...either list shape... ]}

The writer emits exactly `Palette.to_json_dict()` -- the same document
``somdesk palette info --json`` prints -- which the reader accepts back.
"""
from __future__ import annotations

import json

from .colorspaces import parse_hex
from .context import ReadContext, decode_text
from .limits import MAX_COLORS
from .model import Palette, Swatch

FORMAT = "json"
_COLOUR_KEYS = ("hex", "color", "colour")
_MAX_COMMAS = 16 * MAX_COLORS   # generous: a named colour object needs ~2


def _item(item, index: int, ctx: ReadContext) -> tuple[tuple[int, int, int], int, str | None]:
    where = f"colors[{index}]"
    name = None
    value = item
    if isinstance(item, dict):
        value = next((item[k] for k in _COLOUR_KEYS if k in item), None)
        if value is None:
            raise ctx.error(f"{where} has no 'hex' (or 'color') key")
        name = item.get("name")
        if name is not None and not isinstance(name, str):
            ctx.warn(f"{where}: name is not a string; ignored")
            name = None
    if not isinstance(value, str):
        raise ctx.error(f"{where}: expected a hex colour string like \"#rrggbb\", "
                        f"found {type(value).__name__}")
    parsed = parse_hex(value.strip())
    if parsed is None:
        raise ctx.error(f"{where}: {value[:40]!r} is not a hex colour like \"#rrggbb\"")
    return parsed[0], parsed[1], name


def read(data: bytes, ctx: ReadContext) -> Palette:
    text = decode_text(data, ctx)
    if text.count(",") > _MAX_COMMAS:
        # Checked before parsing: a 64 MiB list of numbers would otherwise
        # build tens of millions of Python objects first.
        raise ctx.error(f"the JSON has more than {_MAX_COMMAS:,} items; too large for a palette")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ctx.error(f"invalid JSON ({exc.msg})", exc.lineno) from None
    except RecursionError:
        raise ctx.error("the JSON is nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise ctx.error(f"invalid JSON ({exc})") from None

    name = None
    if isinstance(doc, dict):
        colours = next((doc[k] for k in ("colors", "colours") if k in doc), None)
        if not isinstance(colours, list):
            raise ctx.error("a JSON palette object needs a 'colors' list")
        name = doc.get("name")
        if name is not None and not isinstance(name, str):
            ctx.warn("the palette name is not a string; ignored")
            name = None
    elif isinstance(doc, list):
        colours = doc
    else:
        raise ctx.error(f"expected a JSON list of colours or an object with 'colors', "
                        f"found {type(doc).__name__}")
    ctx.check_count(len(colours))
    swatches = []
    low_alpha = 0
    for i, item in enumerate(colours):
        rgb, alpha, colour_name = _item(item, i, ctx)
        low_alpha += alpha < 255
        swatches.append(Swatch(rgb, colour_name))
    if low_alpha:
        ctx.warn(f"{low_alpha} colour(s) have alpha below ff; alpha was ignored")
    return ctx.finish(swatches, name)


def write(palette: Palette) -> bytes:
    return (json.dumps(palette.to_json_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
