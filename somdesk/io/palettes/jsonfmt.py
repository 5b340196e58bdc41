"""JSON palettes and palette collections.

Single palettes (``hex`` may also be spelled ``color``/``colour``; hex
strings may omit the ``#``, which is how lospec.com's JSON looks)::

    ["#ff0000", "#00ff00"]
    [{"hex": "#ff0000", "name": "Red", "alpha": 128}, {"color": "#00ff00"}]
    {"name": "My palette", "colors": [ ...either list shape... ]}
    {"name": "My palette", "colors": {"Red": "#ff0000", "Green": "#00ff00"}}
    {"Red": "#ff0000", "Green": "#00ff00"}              (name -> colour)

Collections (one file, many palettes)::

    [["#69d2e7", "#a7dbd8"], ["#fe4365", "#fc9d9a"]]    ("nice color palettes")
    [{"name": "A", "colors": [...]}, {"name": "B", "colors": [...]}]
    {"Sunset": ["#ff0000", ...], "Ocean": [...]}        (name -> list of colours)

Hex strings have 3, 4, 6 or 8 digits; 4 and 8 carry alpha (CSS order,
``#rrggbbaa``), and so does an ``"alpha": 0..255`` key; alpha is kept.
Messages name the place in the document as a JSON path (``colors[3]``,
``['Sunset'][2]``, ``[4][0]``) and, when the top-level shape is not one of
the above, say which keys or types were found.

The writer emits exactly `Palette.to_json_dict()`, which the reader accepts
back (``somdesk palette info --json`` prints the same document plus the
collection fields ``palettes`` and ``palette_names``).
"""
from __future__ import annotations

import json

from .colorspaces import parse_hex
from .context import ReadContext, decode_text
from .limits import MAX_COLORS
from .model import Palette, Swatch

FORMAT = "json"
_COLOUR_KEYS = ("hex", "color", "colour")
_LIST_KEYS = ("colors", "colours")
PALETTE_KEYS = _COLOUR_KEYS + _LIST_KEYS   # an object with none of these is not a palette's (session.opening)
_MAX_COMMAS = 16 * MAX_COLORS   # generous: a named colour object needs ~2


def _kind(value) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean", int: "number",
            float: "number", type(None): "null"}.get(type(value), type(value).__name__)


def _keys(doc: dict) -> str:
    keys = [repr(k[:30]) for k in list(doc)[:5]]
    return ", ".join(keys) + (", ..." if len(doc) > 5 else "")


def _is_hex(value) -> bool:
    return isinstance(value, str) and parse_hex(value.strip()) is not None


def _alpha(item: dict, where: str, ctx: ReadContext) -> int | None:
    value = item.get("alpha")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 255:
        raise ctx.error(f"{where}: 'alpha' must be a number 0..255, found {str(value)[:40]!r}")
    return int(round(value))


def _swatch(item, where: str, ctx: ReadContext, name=None) -> Swatch:
    value = item
    alpha = None
    if isinstance(item, dict):
        value = next((item[k] for k in _COLOUR_KEYS if k in item), None)
        if value is None:
            raise ctx.error(f"{where} has no 'hex' (or 'color') key (keys: {_keys(item)})")
        name = item.get("name")
        if name is not None and not isinstance(name, str):
            ctx.warn(f"{where}: name is not a string; ignored")
            name = None
        alpha = _alpha(item, where, ctx)
    if not isinstance(value, str):
        raise ctx.error(f"{where}: expected a hex colour string like \"#rrggbb\", "
                        f"found a {_kind(value)}")
    parsed = parse_hex(value.strip())
    if parsed is None:
        raise ctx.error(f"{where}: {value[:40]!r} is not a hex colour like \"#rrggbb\"")
    rgb, hex_alpha = parsed
    return Swatch(rgb, name, hex_alpha if alpha is None else alpha)


def _colours(value, where: str, ctx: ReadContext) -> list[Swatch]:
    """A list of colour items, or an object mapping names to hex strings."""
    if isinstance(value, dict):
        return [_swatch(v, f"{where}[{k[:30]!r}]", ctx, name=k) for k, v in value.items()]
    ctx.check_count(len(value))
    return [_swatch(item, f"{where}[{i}]", ctx) for i, item in enumerate(value)]


def _palette_object(doc: dict, where: str, ctx: ReadContext):
    """``{"name", "colors"}`` -> (swatches, name), or None if there is no colours key."""
    key = next((k for k in _LIST_KEYS if k in doc), None)
    if key is None:
        return None
    colours = doc[key]
    if not isinstance(colours, (list, dict)):
        raise ctx.error(f"{where}{key!r} must be a list of colours, found a {_kind(colours)}")
    name = doc.get("name")
    if name is not None and not isinstance(name, str):
        ctx.warn(f"{where}the palette name is not a string; ignored")
        name = None
    return _colours(colours, f"{where}{key}" if where else key, ctx), name


def _is_collection_item(item) -> bool:
    return isinstance(item, list) or (isinstance(item, dict) and any(k in item for k in _LIST_KEYS))


def _from_list(doc: list, ctx: ReadContext, prefix: str = "") -> list[tuple[list[Swatch], str | None]]:
    if doc and _is_collection_item(doc[0]):
        out = []
        for i, item in enumerate(doc):
            where = f"{prefix}[{i}]"
            if isinstance(item, list):
                out.append((_colours(item, where, ctx), None))
            elif isinstance(item, dict) and (pal := _palette_object(item, where, ctx)) is not None:
                out.append(pal)
            else:
                raise ctx.error(f"{where}: expected a list of colours or a palette object with "
                                f"'colors' (like the items before it), found a {_kind(item)}")
        return out
    return [(_colours(doc, prefix, ctx), None)]


def _from_object(doc: dict, ctx: ReadContext) -> list[tuple[list[Swatch], str | None]]:
    single = _palette_object(doc, "", ctx)
    if single is not None:
        return [single]
    if doc and all(_is_hex(v) for v in doc.values()):
        return [(_colours(doc, "", ctx), None)]       # {"Red": "#ff0000", ...}
    lists = {k: v for k, v in doc.items() if isinstance(v, list)}
    if not lists:
        found = f"keys {_keys(doc)}" if doc else "no keys"
        raise ctx.error(f"a JSON object with {found} holds no colours: expected a 'colors' "
                        "list, an object of name -> \"#rrggbb\", or an object whose values "
                        "are lists of colours (one palette per key)")
    for k, v in doc.items():
        if k not in lists:
            ctx.warn(f"key {k[:40]!r} (a {_kind(v)}) is not a list of colours; ignored")
    out = []
    for k, v in lists.items():
        where = f"[{k[:30]!r}]"
        if v and _is_collection_item(v[0]):
            # {"palettes": [[...], {"name":..., "colors": [...]}]}: a nested collection
            out += [(sw, name if name is not None else f"{k} {i + 1}")
                    for i, (sw, name) in enumerate(_from_list(v, ctx, where))]
        else:
            out.append((_colours(v, where, ctx), k))
    return out


def read_all(data: bytes, ctx: ReadContext) -> list[Palette]:
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

    if isinstance(doc, dict):
        palettes = _from_object(doc, ctx)
    elif isinstance(doc, list):
        palettes = _from_list(doc, ctx)
    else:
        raise ctx.error(f"expected a JSON list of colours or an object with 'colors', "
                        f"found a {_kind(doc)}")
    return ctx.finish_many(palettes)


def read(data: bytes, ctx: ReadContext) -> Palette:
    return read_all(data, ctx)[0]


def write(palette: Palette) -> bytes:
    return (json.dumps(palette.to_json_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
