"""CSS Color 4 in the CSS palette reader (tester7 F1: named colours, hwb(), lab(), oklch(),
color() and `transparent` were dropped without a word).  Expected values come from the
specifications' own definitions, not from the library the reader uses."""
from __future__ import annotations

import pytest

from somdesk.io.palettes import read_palette_bytes


def _read(css: str):
    return read_palette_bytes(css.encode(), "t.css")


def _hexes(css: str) -> list[str]:
    return [s.hex for s in _read(css).swatches]


def test_named_colours_as_custom_property_and_colour_property_values():
    pal = _read(":root { --brand: RebeccaPurple; --clear: transparent; }\n"
                "a { color: navy !important; background-color: white }")
    assert [(s.name, s.hex, s.alpha) for s in pal.swatches] == [
        ("brand", "#663399", 255), ("clear", "#000000", 0), (None, "#000080", 255), (None, "#ffffff", 255)]
    assert not pal.warnings


@pytest.mark.parametrize("css", [
    ".red, #add { font-family: Tan; animation-name: gold; }",   # names of fonts and animations
    "a:link { margin: 0 } .navy { padding: 1px }",                # pseudo-classes and class names
    ":root { --red-ish: var(--red); }",                           # a reference, not a colour
])
def test_words_that_are_not_colours_are_not_read(css):
    with pytest.raises(Exception, match="no colours found"):
        _read(css)


def test_css_color_4_functions():
    css = (":root {\n"
           "  --lab-red: lab(54.29% 80.80 69.89);\n"          # sRGB red in CIELAB D50 (CSS's Lab)
           "  --ok-red: oklab(0.62796 0.22486 0.12585);\n"    # sRGB red in Ottosson's OKLab
           "  --hwb: hwb(120 20% 30%);\n"                     # spec: hsl(120 100% 50%) * (1-w-b) + w
           "  --grey: color(srgb 0.5 0.5 0.5 / 50%);\n"
           "  --oklch-grey: oklch(0.6 0 0);\n"
           "}")
    pal = _read(css)
    got = {s.name: s for s in pal.swatches}
    assert got["lab-red"].rgb == pytest.approx((255, 0, 0), abs=1)
    assert got["ok-red"].rgb == pytest.approx((255, 0, 0), abs=1)
    assert got["hwb"].rgb == (51, 179, 51)
    assert got["grey"].rgb == (128, 128, 128) and got["grey"].alpha == 128
    r, g, b = got["oklch-grey"].rgb
    assert r == g == b
    assert not pal.warnings


def test_colours_outside_srgb_are_gamut_mapped_with_a_warning():
    pal = _read(":root { --p3: color(display-p3 1 0 0); --in: color(display-p3 0.5 0.5 0.5); }")
    p3, grey = pal.swatches
    assert p3.rgb[0] == 255 and p3.rgb[1] < 40 and p3.rgb[2] < 40
    assert max(grey.rgb) - min(grey.rgb) <= 1      # a grey stays grey (D65 white in both)
    assert len(pal.warnings) == 1 and "outside sRGB; gamut-mapped" in pal.warnings[0] and "line 1" in pal.warnings[0]


def test_a_function_that_is_not_a_colour_is_skipped_with_its_line():
    pal = _read(":root {\n --a: #010203;\n --b: lab(50% nonsense 3);\n}")
    assert _hexes(":root { --a: #010203; }") == [s.hex for s in pal.swatches]
    assert any("line 3" in w and "lab() skipped" in w for w in pal.warnings)


def test_the_token_regexes_find_every_function_in_either_case():
    # the token regexes are assembled from named parts (css._token_pattern); the look-ahead
    # on the first characters must let every function through, upper or lower case
    from somdesk.io.palettes import css

    for name in ("rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color"):
        for spelt in (name, name.upper(), name.title()):
            for regex in (css._TOKEN, css._token_regex()):
                m = regex.search(f".a {{ border: 1px solid {spelt}(1 2 3) }}")
                assert m is not None and m.group("fn") == spelt
    m = css._token_regex().search(".a { color: RebeccaPurple; }")
    assert m.group("word") == "RebeccaPurple" and css._TOKEN.search(".a { color: navy }") is None
    assert css._TOKEN.search("x #0f08;").group("hex") == "#0f08"


def test_values_that_are_not_one_fixed_colour_are_named_not_dropped_silently():
    # tester8 #2: color-mix(), light-dark(), currentcolor and system colours vanished without a word
    pal = _read(":root {\n  --a: #112233;\n  --e: color-mix(in srgb, red 50%, blue);\n  --l: currentcolor;\n"
                "  --m: Canvas !important;\n  --s: light-dark(white, black);\n  --gap: 4px;\n"
                "  --f: rgb(from red r g b / 50%);\n}\n")
    assert [s.hex for s in pal.swatches] == ["#112233"]
    w = "\n".join(str(x) for x in pal.warnings)
    for line, text in ((3, "--e: color-mix()"), (4, "--l: 'currentcolor'"), (5, "--m: 'Canvas'"),
                       (6, "--s: light-dark()"), (8, "relative colour syntax")):
        assert f"line {line}" in w and text in w, (line, text, w)
    assert "gap" not in w                                 # a custom property that is no colour at all


def test_values_computed_on_the_page_are_named_too():
    # review8: `--accent: var(--brand)`, calc() and env() were still dropped without a word
    pal = _read(":root {\n  --brand: #123456;\n  --accent: var(--brand);\n  --h: calc(10deg * 2);\n"
                "  --e: env(safe-area-inset-top);\n  --w: 4px;\n}\n")
    assert [s.hex for s in pal.swatches] == ["#123456"]
    w = "\n".join(str(x) for x in pal.warnings)
    assert "line 3" in w and "--accent: 'var(--brand)' is computed when the page is shown" in w
    assert "line 4" in w and "line 5" in w and "--w" not in w


@pytest.mark.parametrize("css, colours, mixes", [
    (":root { --a: #010203; --m: color-mix(in srgb, #123456 30%, #abcdef); --n: var(--zz, #fedcba); }",
     ["#010203"], 1),
    (".x { color: color-mix(in srgb, #123456 30%, #abcdef); }\n.y { background: var(--k, #fedcba); }\n"
     ".z { color: #010203; border-color: color-mix(in oklab, red, blue); }", ["#010203"], 2),
])
def test_colours_inside_color_mix_or_var_are_not_read_as_their_own(css, colours, mixes):
    """tester9 #4: the ingredients of color-mix() and the fallbacks of var() were read as palette
    colours (while a custom property's were also said to be skipped, and an ordinary property's
    got no word); each call is now skipped whole, with one warning naming it."""
    pal = _read(css)
    assert [s.hex for s in pal.swatches] == colours
    said = " ".join(pal.warnings)
    assert len(pal.warnings) == mixes + 1 and said.count("color-mix()") == mixes and "var(" in said


def test_a_var_for_a_length_says_nothing():
    pal = _read(".x { width: var(--w, 10px); margin: calc(100% - 2px); color: #0a0b0c; }")
    assert [s.rgb for s in pal.swatches] == [(10, 11, 12)] and not pal.warnings


# tester F #11: what is not a colour of the style sheet never becomes a swatch, and what the
# Sass/Less compiler works out is named, never read as its ingredient
@pytest.mark.parametrize("css,colours", [
    ('.a { color: #abc; background: url("x.png#fff"); }', ["#aabbcc"]),
    (".a { background: url(x.png#fff) no-repeat #123456 }", ["#123456"]),
    (".a { background: url(//cdn.example/a.png#abc), #fedcba }", ["#fedcba"]),    # not a // comment
    ('.a { content: "// #ffffff"; color: #010203 }', ["#010203"]),             # a string: no comment
    ("$a: #3498db;\n// $b: #ffffff in a comment\n$c: #111111; // #eeeeee too\n", ["#3498db", "#111111"]),
    ("$a: #3498db;\n/* #123456 in a comment */\n", ["#3498db"]),
])
def test_comments_and_urls_hold_no_colours(css, colours):
    assert _hexes(css) == colours


def test_comments_keep_line_numbers():
    pal = _read("// one\n// two\n.a { color: hsl(1 2); background: #123 }\n")
    assert pal.warnings and pal.warnings[0].startswith("line 3:")


@pytest.mark.parametrize("css,fn,line", [
    ("$primary: #3498db;\n$accent: darken($primary, 10%);\n", "darken", 2),
    ("$light: lighten(#000, 50%);\n", "lighten", 1),                 # was read as #000000
    (".a { color: mix(#fff, #000, 50%) }", "mix", 1),
    (".a {\n border-color: color.adjust($c, $lightness: 5%) }", "color.adjust", 2),
    ("@x: fade(@brand, 50%);\n", "fade", 1),                        # Less
    (":root { --k: lighten(#000, 50%); }", "lighten", 1),           # as a custom property's value
])
def test_sass_and_less_functions_are_skipped_with_a_warning(css, fn, line):
    pal = _read(css + ("\n.z { color: #0a0b0c }" if "{" in css else "\n$z: #0a0b0c;\n"))
    assert "#000000" not in [s.hex for s in pal.swatches] and pal.swatches[-1].hex == "#0a0b0c"
    said = [w for w in pal.warnings if f"{fn}() is worked out by the Sass or Less compiler" in w]
    assert len(said) == 1 and said[0].startswith(f"line {line}:") and said[0].endswith("skipped")


def test_css_filter_functions_without_a_colour_say_nothing():
    pal = _read(".a { filter: invert(100%) grayscale(1) contrast(2) saturate(3); color: #010203 }")
    assert [s.hex for s in pal.swatches] == ["#010203"] and not pal.warnings
