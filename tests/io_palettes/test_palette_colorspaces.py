"""Known values for the colour-model conversions (see colorspaces docstring)."""
import pytest

from somdesk.io.palettes import colorspaces as cs


def close(rgb, expected, tol=0):
    return all(abs(a - b) <= tol for a, b in zip(rgb, expected))


@pytest.mark.parametrize("cmyk, expected", [
    ((0, 1, 1, 0), (255, 0, 0)),
    ((1, 0, 0, 0), (0, 255, 255)),
    ((0, 0, 0, 0), (255, 255, 255)),
    ((0, 0, 0, 1), (0, 0, 0)),
    ((0, 0, 0, 0.5), (128, 128, 128)),
    ((0.5, 0, 1, 0.5), (64, 128, 0)),
    ((2, -1, 0, 0), (0, 255, 255)),      # inputs clamped
])
def test_cmyk(cmyk, expected):
    assert cs.cmyk_to_rgb(*cmyk) == expected


@pytest.mark.parametrize("hsb, expected", [
    ((0, 1, 1), (255, 0, 0)), ((120, 1, 1), (0, 255, 0)), ((240, 1, 1), (0, 0, 255)),
    ((360, 1, 1), (255, 0, 0)), ((60, 1, 1), (255, 255, 0)), ((0, 0, 0.5), (128, 128, 128)),
    ((30, 0.5, 1), (255, 191, 128)), ((-120, 1, 1), (0, 0, 255)),
])
def test_hsb(hsb, expected):
    assert cs.hsb_to_rgb(*hsb) == expected


@pytest.mark.parametrize("hsl, expected", [
    ((0, 1, 0.5), (255, 0, 0)), ((120, 1, 0.25), (0, 128, 0)), ((240, 1, 0.5), (0, 0, 255)),
    ((0, 0, 1), (255, 255, 255)), ((0, 0, 0), (0, 0, 0)),
])
def test_hsl(hsl, expected):
    assert cs.hsl_to_rgb(*hsl) == expected


def test_gray_is_linear_in_the_8bit_value():
    assert cs.gray_to_rgb(0) == (0, 0, 0)
    assert cs.gray_to_rgb(1) == (255, 255, 255)
    assert cs.gray_to_rgb(0.5) == (128, 128, 128)
    assert cs.gray_to_rgb(0.25) == (64, 64, 64)


@pytest.mark.parametrize("lab, expected", [
    ((53.24, 80.09, 67.20), (255, 0, 0)),
    ((87.73, -86.18, 83.18), (0, 255, 0)),
    ((32.30, 79.19, -107.86), (0, 0, 255)),
    ((100, 0, 0), (255, 255, 255)),
    ((0, 0, 0), (0, 0, 0)),
    ((53.39, 0, 0), (128, 128, 128)),
])
def test_lab_d65_path(lab, expected):
    assert close(cs.lab_to_rgb(*lab, white="D65"), expected, 2)


@pytest.mark.parametrize("lab, expected", [
    ((54.29, 80.80, 69.89), (255, 0, 0)),     # sRGB red in D50 Lab (ICC / Photoshop)
    ((87.82, -79.29, 80.99), (0, 255, 0)),
    ((29.57, 68.30, -112.03), (0, 0, 255)),
    ((100, 0, 0), (255, 255, 255)),           # D50 white adapts to D65 white
    ((0, 0, 0), (0, 0, 0)),
])
def test_lab_d50_bradford_path(lab, expected):
    assert close(cs.lab_to_rgb(*lab), expected, 2)


def test_lab_gamut_detection_and_clipping():
    assert cs.lab_in_gamut(50, 0, 0)
    assert not cs.lab_in_gamut(50, -128, 127)
    assert all(0 <= v <= 255 for v in cs.lab_to_rgb(50, -128, 127))
    with pytest.raises(ValueError):
        cs.lab_to_rgb(50, 0, 0, white="A")


def test_unit_to_byte_rounds_half_up_and_clamps():
    assert cs.unit_to_byte(0.5) == 128
    assert cs.unit_to_byte(127.49 / 255) == 127
    assert cs.unit_to_byte(-3) == 0 and cs.unit_to_byte(7) == 255
    assert cs.unit_to_byte(float("nan")) == 0
    assert all(cs.unit_to_byte(v / 255) == v for v in range(256))


@pytest.mark.parametrize("text, expected", [
    ("#fff", ((255, 255, 255), 255)), ("0f08", ((0, 255, 0), 136)),
    ("#C9211E", ((201, 33, 30), 255)), ("12345678", ((18, 52, 86), 120)),
    ("#12345", None), ("#ggg", None), ("", None), ("#", None), ("##fff", None),
])
def test_parse_hex(text, expected):
    assert cs.parse_hex(text) == expected
