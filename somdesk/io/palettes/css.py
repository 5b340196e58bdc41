"""CSS: any colours found in a style sheet, named by custom properties.

We read every colour of CSS Color 4 in the file, in file order: ``#rgb``,
``#rgba``, ``#rrggbb``, ``#rrggbbaa``, ``rgb()``, ``rgba()``, ``hsl()`` and
``hsla()`` (comma or space syntax, numbers or percentages, ``/ alpha``) by our
own parser; ``hwb()``, ``lab()``, ``lch()``, ``oklab()``, ``oklch()`` and
``color()`` (display-p3, a98-rgb, rec2020, xyz ...) through coloraide, with
colours outside sRGB gamut-mapped as CSS Color 4 says (OKLCh chroma
reduction; a warning names each); and the 148 named colours and
``transparent`` when one is the whole value of a custom property or a colour
property (``--brand: rebeccapurple;``, ``color: navy``; not ``font-family:
Tan``, not a selector such as ``.red``, not inside ``1px solid black``: see
`_token_regex`).  When a colour is the
first one in the value of a custom property (``--brand-red: #c00;``) the
property name without ``--`` becomes its name (CSS escapes are decoded).

If the sheet has rule blocks (``{ ... }``), only colours inside blocks count,
so an id selector such as ``#add { ... }`` is not taken for a colour.  Colour
functions we cannot evaluate (``rgb(var(--r) ...)``) are skipped with a
warning.  Alpha (``#rgba``, ``#rrggbbaa``, ``rgba()``, ``/ a``) is kept as
`Swatch.alpha`, 0..1 (or 0..100 %) scaled to 0..255 and clamped.

The writer emits::

    /* Palette: <name> */
    :root {
      --<name>: #rrggbb;
    }

Names are written as CSS-escaped identifiers so they round-trip exactly;
unnamed colours become ``--color-<n>`` (1-based position).
"""
from __future__ import annotations

import math
import re

from somdesk.core.options import count_text

from . import colorspaces as cs
from .context import ReadContext, decode_text
from .model import Palette, Swatch

FORMAT = "css"

# What is blanked before colours are looked for (line breaks kept, so line numbers stay right):
# /* comments */, // line comments (SCSS, Less: tester F #11, `// #ffffff` gave a swatch), and
# url(...) (`url("x.png#fff")` gave #ffffff) and strings: a quoted "#fff" is text (content:,
# font names, Sass map keys), and a `//` or `/*` inside one ("http://...") starts no comment.
# A string ends at its line's end at the latest.  Each alternative is linear (possessive).
_UNSEEN = re.compile(r"""(?=[/uU"'])(?:/\*.*?(?:\*/|\Z)"""
                     r"""|//[^\n]*+"""
                     r"""|(?<![\w-])url\((?:\s*+"(?:[^"\\\n]|\\.)*+"?|\s*+'(?:[^'\\\n]|\\.)*+'?|[^)\n]*+)\)?"""
                     r"""|"(?:[^"\\\n]|\\.)*+"?|'(?:[^'\\\n]|\\.)*+'?)""", re.S | re.I)
_PALETTE_NAME = re.compile(r"\A\s*+/\*\s*+palette:", re.I)
# The parts of a colour token.  A token regex is a look-ahead on the characters its
# alternatives can start with, then the alternation: the look-ahead lets the regex engine
# skip non-candidate characters quickly (4x faster on a 64 MiB file than the bare alternation).
_FUNCTION_NAMES = ("rgba?", "hsla?", "hwb", "lab", "lch", "oklab", "oklch", "color")   # regexes
_HEX = r"(?P<hex>#[0-9A-Fa-f]++)(?![\w-])"
_FUNCTION = rf"(?<![\w-])(?P<fn>{'|'.join(_FUNCTION_NAMES)})\("
# '#' and the first letters of the function names, both cases (the pattern ignores case)
_TOKEN_STARTS = "#" + "".join(c + c.upper() for c in dict.fromkeys(n[0] for n in _FUNCTION_NAMES))


def _token_pattern(alternatives: list[str], starts: str) -> str:
    """A token regex: a look-ahead on `starts` (the first characters of the alternatives), then
    the alternatives in order."""
    return f"(?=[{starts}])(?:{'|'.join(alternatives)})"


_TOKEN = re.compile(_token_pattern([_HEX, _FUNCTION], _TOKEN_STARTS), re.I)
#: Functions evaluated by coloraide (the rest by `_eval_function`).
_COLORAIDE_FUNCTIONS = ("hwb", "lab", "lch", "oklab", "oklch", "color")
_FN_ARGS = re.compile(r"([^()]*)\)")
_IDENT_CHAR = r"(?:[\w\-\u0080-\U0010FFFF]|\\[0-9A-Fa-f]{1,6}+[ \t\n]?|\\[^\n\r\f0-9A-Fa-f])"
# Possessive "++": CSS identifiers are maximal munch anyway, and it keeps the
# escape alternatives from backtracking exponentially on hostile input.
# Starting with the literal "--" (the look-behind comes after it) lets the
# engine jump between candidates instead of trying every position.
_CUSTOM_PROP = re.compile(r"--(?<![\w-]--)(" + _IDENT_CHAR + r"++)\s*:([^;{}]*)")
_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{1,6})[ \t\n]?|\\(.)", re.S)
# Unambiguous alternatives only: an ambiguous "\d+\.?\d*" backtracks
# quadratically on a long digit run.
_NUMBER = re.compile(r"^([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)(%|deg|rad|grad|turn)?$", re.I)


#: Colour-like tokens examined before giving up.  A real style sheet has a
#: few thousand; this bounds the work on a hostile one (skipped tokens do not
#: count towards MAX_COLORS).
_MAX_TOKENS = 1_000_000
#: Comments allowed (each costs a Python call to blank out while keeping
#: line numbers); big frameworks have a few thousand.
_MAX_COMMENTS = 100_000


_WORD_TOKEN: re.Pattern | None = None


def _token_regex() -> re.Pattern:
    """`_TOKEN` plus a named colour that is a declaration's whole value (`color: navy;`,
    `--brand: rebeccapurple`), from coloraide's table of CSS's names, imported on first use.

    Only whole values: looking for the names everywhere (`border: 1px solid black`)
    costs ~25x the whole read on a 40 MiB framework sheet (a 149-way alternation tried
    at every letter); after a ':' it costs ~30%.  The names are grouped by first letter
    so the alternation is short."""
    global _WORD_TOKEN
    if _WORD_TOKEN is None:
        from collections import defaultdict

        from coloraide.css.color_names import name2val_map

        by_first = defaultdict(list)
        for name in name2val_map:
            by_first[name[0]].append(re.escape(name[1:]))
        names = "|".join(f"{first}(?:{'|'.join(sorted(rest, key=len, reverse=True))})"
                         for first, rest in sorted(by_first.items()))
        word = rf":\s*+(?P<word>{names})\s*+(?:!\s*+important\s*+)?(?=[;}}]|\Z)"
        _WORD_TOKEN = re.compile(_token_pattern([word, _HEX, _FUNCTION], _TOKEN_STARTS + ":"), re.I)
    return _WORD_TOKEN


# Properties whose values take colours; a named colour elsewhere (`font-family: Tan`,
# `animation-name: gold`) is a name, not a colour.
_COLOUR_PROPERTY = re.compile(r"--|.*(?:color|background|border|outline|shadow|fill|stroke|caret|accent|"
                              r"column-rule|text-decoration|text-emphasis)", re.I)


def _colour_property(text: str, colon: int) -> bool:
    """True when the declaration whose ':' is at `colon` takes colours (a custom property
    or a colour property), not a font's or an animation's name, nor a selector's pseudo-class."""
    start = max(0, colon - 4096)
    begin = max(text.rfind(c, start, colon) for c in "{};") + 1
    return _COLOUR_PROPERTY.match(text[begin:colon].strip()) is not None


def _named(word: str) -> tuple[tuple[int, int, int], float]:
    from coloraide.css.color_names import name2val_map

    r, g, b, a = name2val_map[word.lower()]
    return (int(r), int(g), int(b)), a / 255.0


def _eval_coloraide(fn: str, args: str) -> tuple[tuple[int, int, int], float, bool]:
    """A CSS Color 4 function coloraide parses: (sRGB bytes, alpha 0..1, gamut-mapped?).
    Outside sRGB it is mapped by CSS Color 4's algorithm (chroma reduced in OKLCh)."""
    from coloraide import Color

    try:
        colour = Color(f"{fn}({args})").convert("srgb")
    except (ValueError, TypeError):
        raise _Bad("not a valid CSS colour") from None
    mapped = not colour.in_gamut()
    if mapped:
        colour.fit("srgb", method="oklch-chroma")
    coords = [0.0 if math.isnan(v) else v for v in colour.coords()]
    rgb = tuple(min(max(int(math.floor(v * 255.0 + 0.5)), 0), 255) for v in coords)
    alpha = colour.alpha()
    return rgb, (1.0 if math.isnan(alpha) else alpha), mapped


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
    # Identifier code points stay; everything else becomes a hex escape ("\\23 "
    # for "#"), never a raw "#", "{", "}" or "(" that a reader could take for a
    # colour or a block.  Names never contain control characters (clean_name).
    return "".join(ch if (ch.isalnum() or ch in "-_" or ord(ch) >= 0x80) else f"\\{ord(ch):x} "
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


def _blank(m: re.Match) -> str:
    """A comment, url(...) or string (`_UNSEEN`) as spaces, its line breaks kept."""
    found = m.group()
    return " " * len(found) if "\n" not in found else re.sub(r"[^\n]", " ", found)


def _palette_name(raw: str) -> str | None:
    """The name from a leading ``/* Palette: name */`` comment, if any.

    Plain string operations on a bounded prefix: a regex with a lazy group
    between two whitespace runs backtracks cubically on hostile input.
    """
    head = raw[:2048]
    m = _PALETTE_NAME.match(head)
    if not m:
        return None
    end = head.find("*/", m.end())
    return head[m.end():end].strip() if end >= 0 else None


def read(data: bytes, ctx: ReadContext) -> Palette:
    """The palette in CSS bytes `data` (module docstring for the layout); every CSS Color 4 colour in file order.

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    raw = decode_text(data, ctx)
    if raw.count("/*") > _MAX_COMMENTS:
        raise ctx.error(f"more than {count_text(_MAX_COMMENTS, 'comment')}; not a palette")
    palette_name = _palette_name(raw)
    # Blank out comments, url(...) and strings but keep their newlines, so line numbers stay right.
    text = _UNSEEN.sub(_blank, raw)
    has_blocks = "{" in text

    # One forward pass.  Line number and brace depth are advanced with
    # str.count between consecutive tokens, and custom-property declarations
    # are walked in step, so nothing proportional to the file size is stored.
    line, depth, last = 1, 0, 0
    decls = _CUSTOM_PROP.finditer(text)
    decl = next(decls, None)
    decl_used = False
    spans = _unread_spans(text)        # color-mix(...), var(...): nothing inside is a colour of its own
    span_at, hidden = 0, set()
    swatches: list[Swatch] = []
    for examined, tok in enumerate(_token_regex().finditer(text), 1):
        if examined > _MAX_TOKENS:
            raise ctx.error(f"more than {_MAX_TOKENS:,} colour-like tokens; not a palette", line)
        pos = tok.start() if tok.group("word") is None else tok.start("word")
        line += text.count("\n", last, pos)
        depth += text.count("{", last, pos) - text.count("}", last, pos)
        last = pos
        if has_blocks and depth <= 0:
            continue   # outside any rule block: a selector such as #add, not a colour
        while decl is not None and decl.end(2) <= pos:
            decl, decl_used = next(decls, None), False
        if decl is not None and decl.start(1) <= pos < decl.end(1):
            continue   # inside a custom property's name (--\#ff0000: ...), not a colour
        while span_at < len(spans) and spans[span_at][1] <= pos:
            span_at += 1
        if span_at < len(spans) and spans[span_at][0] <= pos:
            hidden.add(span_at)      # an ingredient or a fallback, not the colour shown (tester9 #4)
            continue
        if tok.group("word") is not None:
            if not _colour_property(text, tok.start()):
                continue          # `font-family: Tan`, `a:link` ...
            rgb, alpha = _named(tok.group("word"))
        elif tok.group("hex") is not None:
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
                if _RELATIVE.match(args.group(1)):
                    raise _Bad("relative colour syntax (`from`) is not supported")
                if fn in _COLORAIDE_FUNCTIONS:
                    rgb, alpha, mapped = _eval_coloraide(fn, args.group(1))
                    if mapped:
                        ctx.warn(f"{fn}({args.group(1).strip()[:40]}) is outside sRGB; gamut-mapped to "
                                 f"#{rgb[0]:02x}{rgb[1]:02x}{rgb[2]:02x}", line)
                else:
                    rgb, alpha = _eval_function(fn, args.group(1), ctx, line)
            except _Bad as exc:
                ctx.warn(f"{fn}() skipped: {exc}", line)
                continue
        name = None
        if decl is not None and decl.start(2) <= pos and not decl_used:
            name, decl_used = _unescape(decl.group(1)), True
        swatches.append(Swatch(rgb, name, cs.unit_to_byte(alpha)))
        ctx.check_count(len(swatches), line)
    _warn_unread_values(text, ctx)
    _warn_unread_spans(text, spans, hidden, ctx)
    if not swatches:
        raise ctx.error("no colours found in the CSS (expected #rrggbb, rgb(), hsl(), oklch(), a colour name ...)")
    return ctx.finish(swatches, palette_name)


_RELATIVE = re.compile(r"\s*from\s", re.I)
# colour values a custom property may hold that are not one fixed colour, so not read; each
# gets a warning naming its line (tester8 #2: "A reader never drops colours silently")
_UNREAD_FUNCTION = re.compile(r"\s*(color-mix|light-dark|device-cmyk|contrast-color|color-contrast|var|calc|env|attr|"
                              r"(?:color\.[a-z-]+|lighten|darken|saturate|desaturate|adjust-hue|spin|mix|tint|shade|fade|"
                              r"fadein|fadeout|fade-in|fade-out|transparentize|opacify|complement|invert|grayscale|"
                              r"greyscale|adjust-color|scale-color|change-color|contrast))\(", re.I)
_SYSTEM_COLOURS = frozenset(("currentcolor", "canvas", "canvastext", "linktext", "visitedtext", "activetext",
                             "buttonface", "buttontext", "buttonborder", "field", "fieldtext", "highlight",
                             "highlighttext", "selecteditem", "selecteditemtext", "mark", "marktext",
                             "graytext", "accentcolor", "accentcolortext"))


# Sass and Less colour functions (and Sass's module ones, color.adjust() ...): worked out by the
# style sheet's compiler, which somdesk does not run, so what they give is unknown; the colour
# inside (`lighten(#000, 50%)`) is an ingredient, not the result (tester F #11: #000000 was read
# for it, and darken($primary, 10%) was dropped without a word).  invert(), grayscale(),
# saturate() and contrast() are CSS filter functions too: those are said only when they hold a
# colour or a Sass/Less variable (`filter: invert(100%)` is no colour).
_PREPROCESSOR = (r"color\.[a-z-]+|lighten|darken|saturate|desaturate|adjust-hue|spin|mix|tint|shade|fade|fadein|"
                 r"fadeout|fade-in|fade-out|transparentize|opacify|complement|invert|grayscale|greyscale|"
                 r"adjust-color|scale-color|change-color|contrast")
_PREPROCESSOR_NAME = re.compile(rf"(?:{_PREPROCESSOR})\Z", re.I)
_SASS_VARIABLE = re.compile(r"\(\s*[$@]")
# functions whose arguments are not colours shown as they are: each is skipped whole.  Any call
# is found (`_CALL`: a name, then "(") and its name checked apart: one regex alternating ~30
# names, tried at every letter, took 11 s on a 21 MB sheet where this takes 2 s.
_CALL = re.compile(r"(?<![\w.$@-])([A-Za-z][\w.-]*+)\(")
_SPAN_NAME = re.compile(rf"(?:color-mix|light-dark|device-cmyk|contrast-color|color-contrast|var|calc|env|attr|"
                        rf"{_PREPROCESSOR})\Z", re.I)
_MIXING = frozenset(("color-mix", "light-dark", "device-cmyk", "contrast-color", "color-contrast"))


def _unread_spans(text: str) -> list[tuple[int, int, str]]:
    """[(start, end, function)] of the outermost color-mix(), light-dark(), var(), calc() ...
    calls in `text`, in order, each to its closing parenthesis (or the end of its declaration
    when unclosed).  The colours inside are ingredients (`color-mix(in srgb, #123 30%, #abc)`)
    or fallbacks (`var(--k, #fedcba)`), not colours the page shows (tester9 #4: they were read
    as palette colours).  Linear in the text: a call's inside is not searched again."""
    spans, at = [], 0
    while (m := _CALL.search(text, at)) is not None:
        if _SPAN_NAME.match(m.group(1)) is None:
            at = m.end()                    # rgb(), url() ...: looked into by the token pass
            continue
        depth, i, n = 1, m.end(), len(text)
        while i < n and depth:
            c = text[i]
            depth += (c == "(") - (c == ")")
            if c in ";{}" and depth:
                break                       # unclosed: the declaration ends it
            i += 1
        spans.append((m.start(), i, m.group(1).lower()))
        at = max(i, m.end())
    return spans


def _warn_unread_spans(text: str, spans, hidden: set, ctx: ReadContext) -> None:
    """One warning per skipped call of any property that mixes colours (color-mix() ...) or
    held colours (`var(--k, #fedcba)`); a custom property's whole value is said by
    `_warn_unread_values` (tester9 #4: `color: color-mix(...)` vanished without a word)."""
    values = {d.start(2) + len(d.group(2)) - len(d.group(2).lstrip()) for d in _CUSTOM_PROP.finditer(text)}
    line, last = 1, 0
    for k, (start, end, fn) in enumerate(spans):
        compiled = _PREPROCESSOR_NAME.match(fn) is not None
        if compiled and k not in hidden and not _SASS_VARIABLE.match(text, start + len(fn)):
            continue                        # `filter: invert(100%)`: no colour in it
        if start in values or (fn not in _MIXING and not compiled and k not in hidden):
            continue
        line += text.count("\n", last, start)
        last = start
        ctx.warn(f"{text[start:end].strip()[:60]!r}: {_unread_words(fn)}; skipped", line)


def _unread_words(fn: str) -> str:
    """Why a call of `fn` (lower case) gives no colour: mixed on the page, computed on the page,
    or worked out by a Sass/Less compiler."""
    if _PREPROCESSOR_NAME.match(fn):
        return f"{fn}() is worked out by the Sass or Less compiler, which somdesk does not run"
    return f"{fn}() {'mixes or chooses colours' if fn in _MIXING else 'is computed'} when the page is shown"


def _warn_unread_values(text: str, ctx: ReadContext) -> None:
    """A warning naming the line of each custom property whose value is colour syntax that is
    not one fixed colour: color-mix(), light-dark(), currentcolor, system colours (Canvas ...),
    and a value computed on the page: var() (`--accent: var(--brand)`), calc(), env(), attr()
    (review8).  A custom property holding a length or a font is no colour and gets no word."""
    line, last = 1, 0
    for decl in _CUSTOM_PROP.finditer(text):
        value = decl.group(2).strip()
        fn = _UNREAD_FUNCTION.match(value)
        word = value.split("!")[0].strip().lower()
        if fn is None and word not in _SYSTEM_COLOURS:
            continue
        line += text.count("\n", last, decl.start(2))
        last = decl.start(2)
        kind = fn.group(1).lower() if fn else None
        what = (f"{value.split('!')[0].strip()[:60]!r} is computed when the page is shown"
                if kind in ("var", "calc", "env", "attr") else
                _unread_words(kind) if fn else
                f"{value.split('!')[0].strip()!r} is the page's colour, not a fixed one")
        ctx.warn(f"--{_unescape(decl.group(1))}: {what}; skipped", line)


def write(palette: Palette) -> bytes:
    """The palette as CSS custom properties (UTF-8 bytes), alpha as 8-digit hex where not 255."""
    out = []
    if palette.name:
        out.append(f"/* Palette: {palette.name.replace('*/', '* /')} */")
    out.append(":root {")
    for i, s in enumerate(palette.swatches, 1):
        value = s.hex if s.alpha == 255 else s.hex8   # CSS Color 4 #rrggbbaa
        out.append(f"  --{_escape(s.name) if s.name else f'color-{i}'}: {value};")
    out.append("}")
    return ("\n".join(out) + "\n").encode("utf-8")
