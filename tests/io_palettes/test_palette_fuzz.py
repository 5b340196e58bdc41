"""Property tests: any bytes give a Palette or a clean PaletteError, fast.

Each reader is called directly (bypassing detection and the safety net in
read_palette_bytes) so a stray exception type fails here instead of being
papered over, and read_palette_bytes is exercised end to end as well.
"""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from somdesk.io.palettes import read_palette_bytes, read_palettes_bytes

from _palette_testutil import EXT, SEED_FIXTURES, check_outcome, fixture_bytes, read_direct

FORMATS = sorted(SEED_FIXTURES)
FUZZ = settings(max_examples=150, deadline=None, derandomize=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def mutated(draw, fmt):
    """A valid fixture for `fmt`, then a few truncations, bit flips, inserts,
    deletions and duplicated spans."""
    data = bytearray(fixture_bytes(draw(st.sampled_from(SEED_FIXTURES[fmt]))))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "duplicate", "byte"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if kind == "truncate":
            del data[i:]
        elif kind == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "byte":
            data[i] = draw(st.sampled_from([0x00, 0xFF, 0x7F, 0x80, ord("\n"), ord("#"), ord("<")]))
        elif kind == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[i:i + draw(st.integers(1, 16))]
        else:
            j = draw(st.integers(i, min(len(data), i + 64)))
            data[i:i] = data[i:j] * draw(st.integers(1, 3))
    return bytes(data)


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(data=st.binary(max_size=512))
def test_arbitrary_bytes(fmt, data):
    read_direct(fmt, data)
    check_outcome(read_palette_bytes, data, "fuzz" + EXT[fmt])
    check_outcome(read_palettes_bytes, data, "fuzz" + EXT[fmt])


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(st.data())
def test_mutated_fixtures(fmt, data):
    blob = data.draw(mutated(fmt))
    read_direct(fmt, blob)
    check_outcome(read_palette_bytes, blob, "fuzz" + EXT[fmt])
    check_outcome(read_palettes_bytes, blob, "fuzz" + EXT[fmt])


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("0123456789abcdefABCDEF#;,{}():-%./ \t\r\nrgbhslaxGIMPJASC")),
                    max_size=300))
def test_palette_flavoured_text(text):
    data = text.encode("utf-8")
    for fmt in ("gpl", "css", "csv", "paintnet", "hex", "jasc-pal", "json", "act", "raw-pal"):
        read_direct(fmt, data)
    check_outcome(read_palette_bytes, data, "fuzz")


@FUZZ
@given(prefix=st.sampled_from([b"GIMP Palette\n", b"JASC-PAL\n0100\n3\n", b"hex,name\n",
                               b":root {\n", b"[", b"<color-table>", b"ASEF\x00\x01\x00\x00",
                               b"\x00\x01\x00\x03", b"\x00\x02\x00\x02", b"RIFF\x00\x00\x00\x00PAL ",
                               b"<SCRIBUSCOLORS>", b'[["#fff", ', b'{"A": ["#000", ',
                               b"name,palette\nA,\"['#000', ", b"#F9DCDD, #F3B2B6, ",
                               b"ASEF\x00\x00\x00\x01", b'<ColorSet version="1.0">']),
       body=st.binary(max_size=400))
def test_valid_headers_with_garbage_bodies(prefix, body):
    check_outcome(read_palette_bytes, prefix + body, "fuzz")
    for ext in (".csv", ".txt", ".act", ".pal"):
        check_outcome(read_palettes_bytes, prefix + body, "fuzz" + ext)
