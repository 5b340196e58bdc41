"""CSS: any colours found in a style sheet, named by custom properties.

We read every ``#rgb``, ``#rgba``, ``#rrggbb``, ``#rrggbbaa``, ``rgb()``,
``rgba()``, ``hsl()`` and ``hsla()`` in the file (comma or space syntax,
numbers or percentages, ``/ alpha``), in file order.  When a colour is the
first one in the value of a custom property (``--brand-red: #c00;``) the
property name without ``--`` becomes its name (CSS escapes are decoded).

If the sheet has rule blocks (``{ ... }``), only colours inside blocks count,
so an id selector such as ``#add { ... }`` is not taken for a colour.  Colour
functions we cannot evaluate (``rgb(var(--r) ...)``) are skipped with a
warning; alpha is ignored with a summary warning.

The writer emits::

    /* Palette: <name> */
    :root {
      --<name>: #rrggbb;
    }

Names are written as CSS-escaped identifiers so they round-trip exactly;
unnamed colours become ``--color-<n>`` (1-based position).
"""
from __future__ import annotations

import bisect
import math
import re

from . import colorspaces as cs
from .context import ReadContext, decode_text
from .model import Palette, Swatch

FORMAT = "css"

_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.S)
_PALETTE_NAME = re.compile(r"\A\s*/\*\s*palette:\s*(.*?)\s*\*/", re.I | re.S)
_TOKEN = re.compile(
    r"(?P<hex>#[0-9A-Fa-f]+)(?![\w-])"
    r"|(?<![\w-])(?P<fn>rgba?|hsla?)\(",
    re.I,
)
_FN_ARGS = re.compile(r"([^()]*)\)")
_IDENT_CHAR = r"(?:[\w\-\u0080-\U0010FFFF]|\\[0-9A-Fa-f]{1,6}+[ \t\n]?|\\[^\n\r\f0-9A-Fa-f])"
# Possessive "++": CSS identifiers are maximal munch anyway, and it keeps the
# escape alternatives from backtracking exponentially on hostile input.
_CUSTOM_PROP = re.compile(r"(?<![\w-])--(" + _IDENT_CHAR + r"++)\s*:([^;{}]*)")
_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{1,6})[ \t\n]?|\\(.)", re.S)
# Unambiguous alternatives only: an ambiguous "\d+\.?\d*" backtracks
# quadratically on a long digit run.
_NUMBER = re.compile(r"^([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)(%|deg|rad|grad|turn)?$", re.I)


class _Bad(Exception):
    """A colour function we cannot evaluate (reason in args[0])."""


def _unescape(ident: str) -> str:
    def repl(m: re.Match) -> str:
        if m.group(1) is not None:
            cp = int(m.group(1), 16)
            if cp == 0 or cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
                return "\ufffd"
            return chr(cp)
        return m.group(2)
    return _ESCAPE.sub(repl, ident)


def _escape(name: str) -> str:
    # Identifier code points stay; everything else gets a backslash.  Names
    # never contain control characters (clean_name removed them).
    return "".join(ch if (ch.isalnum() or ch in "-_" or ord(ch) >= 0x80) else "\\" + ch
                   for ch in name)


def _num(token: str, what: str) -> tuple[float, str]:
    if token.lower() == "none":
        return 0.0, ""
    m = _NUMBER.match(token)
    if not m:
        raise _Bad(f"{what} {token[:20]!r} is not a number")
    value = float(m.group(1))
    if not math.isfinite(value):
        raise _Bad(f"{what} {token[:20]!r} is not finite")
    return value, (m.group(2) or "").lower()


def _split_args(args: str) -> tuple[list[str], str | None]:
    """Split 'a, b, c, d' or 'a b c / d' into ([a, b, c], d)."""
    alpha = None
    if "/" in args:
        args, alpha = args.split("/", 1)
        alpha = alpha.strip()
    if "," in args:
        parts = [p.strip() for p in args.split(",")]
        if len(parts) == 4 and alpha is None:
            alpha = parts.pop()
    else:
        parts = args.split()
    if len(parts) != 3 or not all(parts):
        raise _Bad(f"expected 3 components, found {len(parts)}")
    return parts, alpha


def _alpha(token: str | None) -> float:
    if token is None:
        return 1.0
    value, unit = _num(token, "alpha")
    return value / 100.0 if unit == "%" else value


def _eval_function(fn: str, args: str, ctx: ReadContext, line: int) -> tuple[tuple[int, int, int], float]:
    parts, alpha_token = _split_args(args)
    alpha = _alpha(alpha_token)
    if fn.startswith("rgb"):
        channels = []
        for p in parts:
            value, unit = _num(p, "channel")
            if unit not in ("", "%"):
                raise _Bad(f"channel {p!r} has a unit")
            v = value * 255.0 / 100.0 if unit == "%" else value
            if not -0.5 <= v < 255.5:
                ctx.warn(f"{fn}() channel {p} is outside 0..255; clamped", line)
            channels.append(min(max(int(math.floor(v + 0.5)), 0), 255))
        return (channels[0], channels[1], channels[2]), alpha
    hue, unit = _num(parts[0], "hue")
    hue = {"rad": math.degrees(hue), "grad": hue * 0.9, "turn": hue * 360.0}.get(unit, hue)
    if unit == "%":
        raise _Bad("hue cannot be a percentage")
    (s, _), (l, _) = _num(parts[1], "saturation"), _num(parts[2], "lightness")
    return cs.hsl_to_rgb(hue, s / 100.0, l / 100.0), alpha


def read(data: bytes, ctx: ReadContext) -> Palette:
    raw = decode_text(data, ctx)
    # Only look at the start: the pattern is not meant for megabytes of text.
    m = _PALETTE_NAME.match(raw[:2048])
    palette_name = m.group(1) if m else None
    # Blank out comments but keep their newlines, so line numbers stay right.
    text = _COMMENT.sub(lambda c: re.sub(r"[^\n]", " ", c.group()), raw)

    newlines = [nl.start() for nl in re.finditer("\n", text)]

    def line_of(pos: int) -> int:
        return bisect.bisect_right(newlines, pos - 1) + 1

    # Brace depth at any position, for the "inside a rule block" test.
    braces = [(b.start(), 1 if b.group() == "{" else -1) for b in re.finditer(r"[{}]", text)]
    brace_pos, depth_after, depth = [], [], 0
    for pos, delta in braces:
        depth = max(depth + delta, 0)
        brace_pos.append(pos)
        depth_after.append(depth)

    def inside_block(pos: int) -> bool:
        if not braces:
            return True
        i = bisect.bisect_right(brace_pos, pos) - 1
        return i >= 0 and depth_after[i] > 0

    decls = [(d.start(2), d.end(2), _unescape(d.group(1))) for d in _CUSTOM_PROP.finditer(text)]
    decl_starts = [d[0] for d in decls]
    named: set[int] = set()

    def name_for(pos: int) -> str | None:
        i = bisect.bisect_right(decl_starts, pos) - 1
        if i >= 0 and decls[i][0] <= pos < decls[i][1] and i not in named:
            named.add(i)
            return decls[i][2]
        return None

    swatches: list[Swatch] = []
    low_alpha = 0
    for tok in _TOKEN.finditer(text):
        pos = tok.start()
        if not inside_block(pos):
            continue
        line = line_of(pos)
        if tok.group("hex") is not None:
            parsed = cs.parse_hex(tok.group("hex"))
            if parsed is None:
                ctx.warn(f"{tok.group('hex')[:20]!r} is not a valid hex colour; skipped", line)
                continue
            rgb, a = parsed
            alpha = a / 255.0
        else:
            fn = tok.group("fn").lower()
            args = _FN_ARGS.match(text, tok.end())
            if args is None:
                ctx.warn(f"{fn}() with nested or unclosed parentheses skipped", line)
                continue
            try:
                rgb, alpha = _eval_function(fn, args.group(1), ctx, line)
            except _Bad as exc:
                ctx.warn(f"{fn}() skipped: {exc}", line)
                continue
        if alpha < 1.0:
            low_alpha += 1
        swatches.append(Swatch(rgb, name_for(pos)))
        ctx.check_count(len(swatches), line)
    if low_alpha:
        ctx.warn(f"{low_alpha} colour(s) have alpha below 1; alpha was ignored")
    if not swatches:
        raise ctx.error("no colours found in the CSS (expected #rrggbb, rgb(), hsl() ...)")
    return ctx.finish(swatches, palette_name)


def write(palette: Palette) -> bytes:
    out = []
    if palette.name:
        out.append(f"/* Palette: {palette.name.replace('*/', '* /')} */")
    out.append(":root {")
    for i, s in enumerate(palette.swatches, 1):
        out.append(f"  --{_escape(s.name) if s.name else f'color-{i}'}: {s.hex};")
    out.append("}")
    return ("\n".join(out) + "\n").encode("utf-8")
