"""CVD simulation (Machado, Oliveira & Fernandes 2009) against the published table and coloraide."""
import numpy as np
import pytest
from coloraide import Color
from coloraide.filters import cvd as ca_cvd

from somdesk.core import colour_cvd as V
from somdesk.core.cancel import CancelToken
from somdesk.errors import Cancelled, OptionError

CA_TABLES = {"protanopia": ca_cvd.MACHADO_PROTAN, "deuteranopia": ca_cvd.MACHADO_DEUTAN,
             "tritanopia": ca_cvd.MACHADO_TRITAN}


@pytest.mark.parametrize("kind", V.CVD_KINDS)
def test_table_equals_coloraides_copy_of_the_published_matrices(kind):
    for i in range(11):
        np.testing.assert_array_equal(V.cvd_matrix(kind, i / 10), np.array(CA_TABLES[kind][i]))


def test_spot_values_of_the_published_dichromat_matrices():
    # Machado et al. 2009, severity 1.0 rows as printed on the authors' page
    np.testing.assert_array_equal(V.cvd_matrix("protanopia")[0], [0.152286, 1.052583, -0.204868])
    np.testing.assert_array_equal(V.cvd_matrix("deuteranopia")[1], [0.280085, 0.672501, 0.047413])
    np.testing.assert_array_equal(V.cvd_matrix("tritanopia")[2], [0.004733, 0.691367, 0.303900])


@pytest.mark.parametrize("kind", V.CVD_KINDS)
def test_every_matrix_keeps_white_and_greys(kind):
    # a physical property of the model: achromatic colours are seen unchanged
    for s in np.linspace(0, 1, 21):
        np.testing.assert_allclose(V.cvd_matrix(kind, s).sum(axis=1), 1.0, atol=2e-5)


@pytest.mark.parametrize("kind", V.CVD_KINDS)
@pytest.mark.parametrize("severity", [0.0, 0.25, 0.5, 0.73, 1.0])
def test_linear_simulation_matches_coloraide(kind, severity):
    rgb = np.random.default_rng(8).random((40, 3))
    ours = V.simulate_cvd_linear(rgb, kind, severity)
    short = kind[:6] if kind != "deuteranopia" else "deutan"
    for x, y in zip(rgb, ours):
        ref = Color("srgb-linear", list(x)).filter(short, severity, method="machado", space="srgb-linear")
        np.testing.assert_allclose(y, ref.coords(), atol=1e-12)


def test_interpolation_is_linear_between_table_rows():
    m = V.cvd_matrix("deutan", 0.35)
    np.testing.assert_allclose(m, 0.5 * V.MACHADO_2009["deuteranopia"][3] + 0.5 * V.MACHADO_2009["deuteranopia"][4])


def test_bad_kind_and_severity_are_option_errors():
    with pytest.raises(OptionError, match="protanopia"):
        V.cvd_matrix("achromat")
    for s in (-0.1, 1.01, float("nan")):
        with pytest.raises(OptionError):
            V.cvd_matrix("protan", s)


def test_simulate_cvd_image_uint8_rgb_and_rgba():
    rng = np.random.default_rng(9)
    img = rng.integers(0, 256, (13, 7, 4), dtype=np.uint8)
    out = V.simulate_cvd(img, "deuteranopia", 1.0)
    assert out.dtype == np.uint8 and out.shape == img.shape
    np.testing.assert_array_equal(out[..., 3], img[..., 3])
    expect = np.rint(V.simulate_cvd_srgb(img[..., :3] / 255.0, "deuteranopia", 1.0) * 255)
    np.testing.assert_array_equal(out[..., :3], expect.astype(np.uint8))
    # severity 0 is the identity, greys stay grey
    np.testing.assert_array_equal(V.simulate_cvd(img[..., :3], "protan", 0.0), img[..., :3])
    grey = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
    assert np.max(np.abs(V.simulate_cvd(grey, "tritan").astype(int) - grey)) <= 1


def test_red_and_green_collapse_for_deuteranopes():
    from somdesk.core.colour import delta_e_2000_srgb
    red, green = np.array([0.8, 0.2, 0.2]), np.array([0.3, 0.6, 0.2])
    before = delta_e_2000_srgb(red, green)
    after = delta_e_2000_srgb(V.simulate_cvd_srgb(red, "deuteranopia"), V.simulate_cvd_srgb(green, "deuteranopia"))
    assert after < before / 3


def test_simulate_cvd_refuses_bad_input_and_honours_cancel():
    with pytest.raises(ValueError):
        V.simulate_cvd(np.zeros((4, 4, 3)), "protan")
    with pytest.raises(ValueError):
        V.simulate_cvd(np.zeros((4, 4, 2), np.uint8), "protan")
    tok = CancelToken()
    tok.cancel()
    with pytest.raises(Cancelled):
        V.simulate_cvd(np.zeros((4, 4, 3), np.uint8), "protan", cancel=tok)
