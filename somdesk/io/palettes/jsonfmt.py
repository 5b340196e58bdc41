"""JSON palettes and palette collections.

Single palettes (``hex`` may also be spelled ``color``/``colour``; hex
strings may omit the ``#``, which is how lospec.com's JSON looks)::

    ["#ff0000", "#00ff00"]
    [{"hex": "#ff0000", "name": "Red", "alpha": 128}, {"color": "#00ff00"}]
    {"name": "My palette", "colors": [ ...either list shape... ]}
    {"name": "My palette", "colors": {"Red": "#ff0000", "Green": "#00ff00"}}
    {"Red": "#ff0000", "Green": "#00ff00"}              (name -> colour)
    [{"r": 255, "g": 0, "b": 0, "name": "Red"}, ...]    (channel objects; also red/green/blue)
    [[255, 0, 0], [0, 255, 0, 128]]                     (channel lists: r, g, b[, alpha])

Collections (one file, many palettes)::

    [["#69d2e7", "#a7dbd8"], ["#fe4365", "#fc9d9a"]]    ("nice color palettes")
    [{"name": "A", "colors": [...]}, {"name": "B", "colors": [...]}]
    {"Sunset": ["#ff0000", ...], "Ocean": [...]}        (name -> list of colours)

Hex strings have 3, 4, 6 or 8 digits; 4 and 8 carry alpha (CSS order,
``#rrggbbaa``), and so does an ``"alpha": 0..255`` key; alpha is kept.

Channel objects and lists are how web palette tools export colours (tinycolor's
``toRgb()``, chroma.js ``rgb()``, Figma/Sketch plugins).  Their channels follow the
CSV reader's rule for ``r,g,b`` columns, decided once per palette: numbers 0..255,
unless every channel lies in 0..1 and some is written with a decimal point (a
JSON float): then 0..1 fractions.  Their alpha (``a``/``alpha`` key, or a list's
4th number) is a fraction when it is at most 1 -- CSS and tinycolor write
``"a": 1`` for opaque -- and 0..255 otherwise.  Channels outside the range are
clamped with a warning; a channel that is not a finite number is an error.
Messages name the place in the document as a JSON path (``colors[3]``,
``['Sunset'][2]``, ``[4][0]``) and, when the top-level shape is not one of
the above, say which keys or types were found.

The writer emits exactly `Palette.to_json_dict()`, which the reader accepts
back (``somdesk palette info --json`` prints the same document plus the
collection fields ``palettes`` and ``palette_names``).
"""
from __future__ import annotations

import json
import math

from somdesk.core.options import count_text

from .colorspaces import parse_hex, unit_to_byte
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


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_CHANNEL_KEYS = (("r", "g", "b"), ("red", "green", "blue"))
_CHANNEL_ALPHA = ("a", "alpha")


def _channel_keys(item: dict) -> tuple | None:
    """The item's own (r, g, b) keys, any letter case, when it is a channel object; else None."""
    lower = {str(k).lower(): k for k in item}
    for keys in _CHANNEL_KEYS:
        if all(k in lower for k in keys):
            return tuple(lower[k] for k in keys)
    return None


def _is_channel_list(value) -> bool:
    return isinstance(value, list) and len(value) in (3, 4) and all(_is_number(v) for v in value)


def is_channel_record(item) -> bool:
    """Is `item` a colour as a channel object -- r, g, b numbers (or red, green, blue), and no
    other number than an alpha -- rather than a table's record with r, g, b among its fields?
    (session.opening: a JSON array of such objects is a palette, as a CSV with r,g,b columns is.)"""
    if not isinstance(item, dict) or _channel_keys(item) is None or any(k in item for k in _COLOUR_KEYS):
        return False
    keys = {str(k).lower(): v for k, v in item.items()}
    if not all(_is_number(keys[k]) for k in next(c for c in _CHANNEL_KEYS if all(x in keys for x in c))):
        return False
    channel_names = {"r", "g", "b", "red", "green", "blue"} | set(_CHANNEL_ALPHA)
    return not any(_is_number(v) for k, v in keys.items() if k not in channel_names)


class _Channels:
    """A colour given as numbers, scaled once its palette's scale is known (`_scaled`)."""

    __slots__ = ("values", "floats", "alpha", "name", "where")

    def __init__(self, values, alpha, name, where):
        # a channel written with a decimal point (a JSON float) marks a palette of fractions
        self.floats = any(isinstance(v, float) for v in values)
        self.values = [float(v) for v in values]
        self.alpha, self.name, self.where = alpha, name, where


def _is_hex(value) -> bool:
    return isinstance(value, str) and parse_hex(value.strip()) is not None


def _alpha(item: dict, where: str, ctx: ReadContext) -> int | None:
    value = item.get("alpha")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 255:
        raise ctx.error(f"{where}: 'alpha' must be a number 0..255, found {str(value)[:40]!r}")
    return int(round(value))


def _name_of(item: dict, where: str, ctx: ReadContext):
    name = item.get("name")
    if name is not None and not isinstance(name, str):
        ctx.warn(f"{where}: name is not a string; ignored")
        name = None
    return name


def _channels(item, where: str, ctx: ReadContext, name=None) -> _Channels:
    """A channel object or list -> its numbers (checked finite), alpha and name, unscaled."""
    if isinstance(item, list):
        values, alpha = item[:3], (item[3] if len(item) == 4 else None)
    else:
        keys = _channel_keys(item)
        values = [item[k] for k in keys]
        alpha = next((v for k, v in item.items() if str(k).lower() in _CHANNEL_ALPHA), None)
        name = _name_of(item, where, ctx) or name      # {"Blue": {"r": 0, ...}}: the key names it
    for label, v in zip(("r", "g", "b", "alpha"), values + [alpha]):
        if (v is not None or label != "alpha") and not (_is_number(v) and math.isfinite(v)):
            raise ctx.error(f"{where}: channel {label!r} must be a number, found {str(v)[:40]!r}")
    return _Channels(values, alpha, name, where)


def _byte(v: float, label: str, where: str, ctx: ReadContext) -> int:
    if not 0 <= v <= 255:
        clamped = int(min(max(v, 0), 255))
        ctx.warn(f"{where}: {label} {v:g} is outside 0..255; clamped to {clamped}")
        return clamped
    return int(math.floor(v + 0.5))


def _scaled(c: _Channels, fractions: bool, ctx: ReadContext) -> Swatch:
    if fractions:
        rgb = tuple(unit_to_byte(v) for v in c.values)
    else:
        rgb = tuple(_byte(v, label, c.where, ctx) for label, v in zip(("r", "g", "b"), c.values))
    alpha = 255
    if c.alpha is not None:
        a = float(c.alpha)
        alpha = unit_to_byte(a) if 0.0 <= a <= 1.0 else _byte(a, "alpha", c.where, ctx)
    return Swatch(rgb, c.name, alpha)


def _swatch(item, where: str, ctx: ReadContext, name=None):
    """One colour item -> a Swatch, or _Channels for numbers still to scale (`_colours`)."""
    if _is_channel_list(item) or (isinstance(item, dict) and not any(k in item for k in _COLOUR_KEYS)
                                  and _channel_keys(item) is not None):
        return _channels(item, where, ctx, name)
    value = item
    alpha = None
    if isinstance(item, dict):
        value = next((item[k] for k in _COLOUR_KEYS if k in item), None)
        if value is None:
            raise ctx.error(f"{where} has no 'hex' (or 'color') key, nor 'r', 'g', 'b' channels "
                            f"(keys: {_keys(item)})")
        name = _name_of(item, where, ctx)
        alpha = _alpha(item, where, ctx)
    if not isinstance(value, str):
        raise ctx.error(f"{where}: expected a hex colour string like \"#rrggbb\" or channels "
                        f"[r, g, b], found a {_kind(value)}")
    parsed = parse_hex(value.strip())
    if parsed is None:
        raise ctx.error(f"{where}: {value[:40]!r} is not a hex colour like \"#rrggbb\"")
    rgb, hex_alpha = parsed
    return Swatch(rgb, name, hex_alpha if alpha is None else alpha)


def _colours(value, where: str, ctx: ReadContext) -> list[Swatch]:
    """A list of colour items, or an object mapping names to colours; channel numbers are
    scaled once for the whole palette (0..255, or 0..1 fractions: module docstring)."""
    if isinstance(value, dict):
        items = [_swatch(v, f"{where}[{k[:30]!r}]", ctx, name=k) for k, v in value.items()]
    else:
        ctx.check_count(len(value))
        items = [_swatch(item, f"{where}[{i}]", ctx) for i, item in enumerate(value)]
    chans = [c for c in items if isinstance(c, _Channels)]
    if not chans:
        return items
    fractions = all(0.0 <= v <= 1.0 for c in chans for v in c.values) and any(c.floats for c in chans)
    return [_scaled(c, fractions, ctx) if isinstance(c, _Channels) else c for c in items]


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
    if _is_channel_list(item):
        return False                      # [255, 0, 0]: one colour, not a palette of three
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
    if doc and all(_is_hex(v) or _is_channel_list(v) or is_channel_record(v) for v in doc.values()):
        return [(_colours(doc, "", ctx), None)]       # {"Red": "#ff0000", "Blue": [0, 0, 255], ...}
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
    """The palettes in JSON bytes `data` (module docstring for the layout) -- every one: a single palette or a collection.

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    text = decode_text(data, ctx)
    if text.count(",") > _MAX_COMMAS:
        # Checked before parsing: a 64 MiB list of numbers would otherwise
        # build tens of millions of Python objects first.
        raise ctx.error(f"the JSON has more than {count_text(_MAX_COMMAS, 'item')}; too large for a palette")
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
    """The first palette of `read_all`; raises its PaletteError."""
    return read_all(data, ctx)[0]


def write(palette: Palette) -> bytes:
    """UTF-8 JSON of `Palette.to_json_dict` (names and alpha kept), indented, newline-terminated."""
    return (json.dumps(palette.to_json_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
