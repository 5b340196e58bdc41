"""somdesk.core.colour against published reference values and coloraide as an oracle."""
import numpy as np
import pytest
from coloraide import Color

from somdesk.core import colour as C

# Sharma, Wu & Dalal (2005), Table 1: all 34 pairs (L1, a1, b1, L2, a2, b2, dE00).
SHARMA_2005 = [
    (50.0000, 2.6772, -79.7751, 50.0000, 0.0000, -82.7485, 2.0425),
    (50.0000, 3.1571, -77.2803, 50.0000, 0.0000, -82.7485, 2.8615),
    (50.0000, 2.8361, -74.0200, 50.0000, 0.0000, -82.7485, 3.4412),
    (50.0000, -1.3802, -84.2814, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, -1.1848, -84.8006, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, -0.9009, -85.5211, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, 0.0000, 0.0000, 50.0000, -1.0000, 2.0000, 2.3669),
    (50.0000, -1.0000, 2.0000, 50.0000, 0.0000, 0.0000, 2.3669),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0009, 7.1792),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0010, 7.1792),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0011, 7.2195),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0012, 7.2195),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0009, -2.4900, 4.8045),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0010, -2.4900, 4.8045),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0011, -2.4900, 4.7461),
    (50.0000, 2.5000, 0.0000, 50.0000, 0.0000, -2.5000, 4.3065),
    (50.0000, 2.5000, 0.0000, 73.0000, 25.0000, -18.0000, 27.1492),
    (50.0000, 2.5000, 0.0000, 61.0000, -5.0000, 29.0000, 22.8977),
    (50.0000, 2.5000, 0.0000, 56.0000, -27.0000, -3.0000, 31.9030),
    (50.0000, 2.5000, 0.0000, 58.0000, 24.0000, 15.0000, 19.4535),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.1736, 0.5854, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.2972, 0.0000, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 1.8634, 0.5757, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.2592, 0.3350, 1.0000),
    (60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644),
    (63.0109, -31.0961, -5.8663, 62.8187, -29.7946, -4.0864, 1.2630),
    (61.2901, 3.7196, -5.3901, 61.4292, 2.2480, -4.9620, 1.8731),
    (35.0831, -44.1164, 3.7933, 35.0232, -40.0716, 1.5901, 1.8645),
    (22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373),
    (36.4612, 47.8580, 18.3852, 36.2715, 50.5065, 21.2231, 1.4146),
    (90.8027, -2.0831, 1.4410, 91.1528, -1.6435, 0.0447, 1.4441),
    (90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381),
    (6.7747, -0.2908, -2.4247, 5.8714, -0.0985, -2.2286, 0.6377),
    (2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082),
]


def test_ciede2000_all_34_sharma_pairs_vectorised():
    t = np.array(SHARMA_2005)
    assert t.shape == (34, 7)
    got = C.delta_e_2000(t[:, 0:3], t[:, 3:6])
    np.testing.assert_allclose(got, t[:, 6], atol=5e-5)


def test_ciede2000_is_symmetric_and_zero_on_identity():
    t = np.array(SHARMA_2005)
    np.testing.assert_allclose(C.delta_e_2000(t[:, 3:6], t[:, 0:3]), t[:, 6], atol=5e-5)
    assert np.all(C.delta_e_2000(t[:, 0:3], t[:, 0:3]) == 0)


def test_ciede2000_matches_coloraide_on_random_lab():
    rng = np.random.default_rng(1)
    lab1 = rng.uniform([0, -100, -100], [100, 100, 100], (300, 3))
    lab2 = lab1 + rng.normal(0, 8, (300, 3))
    ours = C.delta_e_2000(lab1, lab2)
    ref = [Color("lab-d65", list(p)).delta_e(Color("lab-d65", list(q)), method="2000") for p, q in zip(lab1, lab2)]
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-9)


def test_delta_e_matrix_is_pairwise():
    lab = C.srgb_to_lab(np.random.default_rng(2).random((7, 3)))
    m = C.delta_e_2000_matrix(lab)
    assert m.shape == (7, 7) and np.all(m == m.T) and np.all(np.diag(m) == 0)
    assert m[2, 5] == pytest.approx(float(C.delta_e_2000(lab[2], lab[5])), abs=1e-12)


# Ottosson 2020, "Table of example XYZ and corresponding OKLab values" (3 decimals)
OTTOSSON_XYZ = [
    ((0.950, 1.000, 1.089), (1.000, 0.000, 0.000)),
    ((1.000, 0.000, 0.000), (0.450, 1.236, -0.019)),
    ((0.000, 1.000, 0.000), (0.922, -0.671, 0.263)),
    ((0.000, 0.000, 1.000), (0.153, -1.415, -0.449)),
]


@pytest.mark.parametrize("xyz,lab", OTTOSSON_XYZ)
def test_oklab_matches_ottossons_table(xyz, lab):
    np.testing.assert_allclose(C.xyz_to_oklab(xyz), lab, atol=6e-4)


def test_oklab_srgb_path_agrees_with_xyz_path():
    rgb = np.random.default_rng(3).random((200, 3))
    via_xyz = C.xyz_to_oklab(C.linear_to_xyz(C.srgb_to_linear(rgb)))
    np.testing.assert_allclose(C.srgb_to_oklab(rgb), via_xyz, atol=2e-4)


def test_oklab_of_srgb_primaries_css_color_4_values():
    # CSS Color 4 sample values (oklab of sRGB red / white / black)
    np.testing.assert_allclose(C.srgb_to_oklab([1, 0, 0]), [0.62796, 0.22486, 0.12585], atol=5e-5)
    np.testing.assert_allclose(C.srgb_to_oklab([1, 1, 1]), [1.0, 0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(C.srgb_to_oklab([0, 0, 0]), [0.0, 0.0, 0.0], atol=1e-12)


def test_lab_white_and_d65_matrix_match_published_values():
    np.testing.assert_allclose(C.srgb_to_lab([1, 1, 1]), [100, 0, 0], atol=1e-9)
    # IEC 61966-2-1 rounds its matrix to 4 decimals
    np.testing.assert_allclose(C.RGB_TO_XYZ, [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                                              [0.0193, 0.1192, 0.9505]], atol=6e-5)
    # Lindbloom's calculator: sRGB (106, 81, 67) -> Lab D65 (36.657, 8.250, 12.270), rounded
    np.testing.assert_allclose(C.srgb_to_lab(np.array([106, 81, 67]) / 255), [36.657, 8.250, 12.270], atol=0.06)


def test_conversions_match_coloraide_on_random_colours():
    rng = np.random.default_rng(4)
    rgb = rng.random((200, 3))
    lin = C.srgb_to_linear(rgb)
    ok = C.srgb_to_oklab(rgb)
    lab = C.srgb_to_lab(rgb)
    xyz = C.linear_to_xyz(lin)
    for i in range(len(rgb)):
        c = Color("srgb", list(rgb[i]))
        np.testing.assert_allclose(lin[i], c.convert("srgb-linear").coords(), atol=1e-12)
        np.testing.assert_allclose(xyz[i], c.convert("xyz-d65").coords(), atol=1e-9)
        np.testing.assert_allclose(lab[i], c.convert("lab-d65").coords(), atol=1e-6)
        # coloraide derives OKLab's matrices at higher precision than the post prints
        np.testing.assert_allclose(ok[i], c.convert("oklab").coords(), atol=2e-6)


@pytest.mark.parametrize("fwd,back", [
    (C.srgb_to_linear, C.linear_to_srgb),
    (C.srgb_to_lab, C.lab_to_srgb),
    (C.srgb_to_oklab, C.oklab_to_srgb),
    (C.lab_to_lch, C.lch_to_lab),
])
def test_round_trips_including_out_of_gamut(fwd, back):
    x = np.random.default_rng(5).uniform(-0.2, 1.2, (500, 3))
    np.testing.assert_allclose(back(fwd(x)), x, atol=1e-9)


def test_shapes_are_kept():
    img = np.random.default_rng(6).random((4, 5, 3))
    assert C.srgb_to_oklab(img).shape == (4, 5, 3)
    assert C.delta_e_2000(C.srgb_to_lab(img), C.srgb_to_lab(img[0, 0])).shape == (4, 5)
    with pytest.raises(ValueError):
        C.srgb_to_lab(np.zeros((4, 2)))


def test_wcag_contrast_published_examples():
    assert C.wcag_contrast([0, 0, 0], [1, 1, 1]) == pytest.approx(21.0)
    assert C.wcag_contrast([1, 1, 1], [1, 1, 1]) == pytest.approx(1.0)
    # #767676 on white is the classic "just passes AA" grey: 4.54:1
    assert C.wcag_contrast(np.array([0x76] * 3) / 255, [1, 1, 1]) == pytest.approx(4.54, abs=0.005)
    assert C.wcag_contrast(np.array([0x77] * 3) / 255, [1, 1, 1]) < 4.5


def test_wcag_contrast_matches_coloraide_and_is_order_free():
    rng = np.random.default_rng(7)
    a, b = rng.random((100, 3)), rng.random((100, 3))
    ours = C.wcag_contrast(a, b)
    np.testing.assert_allclose(ours, C.wcag_contrast(b, a))
    ref = [Color("srgb", list(p)).contrast(Color("srgb", list(q)), method="wcag21") for p, q in zip(a, b)]
    # coloraide takes Y from its exact XYZ matrix; WCAG prints the weights to 4 decimals
    np.testing.assert_allclose(ours, ref, rtol=5e-4)
