"""The palette fit's compiled loops (core.kmeans_loops, core.mix_loops) against the numpy code
they replace, and the ahead-of-time build against numba's JIT."""
import numpy as np
import pytest

from somdesk.core import kmeans_backend, palette_mix
from somdesk.core import weighted_kmeans as wk
from somdesk.core.cancel import CancelToken
from somdesk.core.colour import delta_e_2000
from somdesk.errors import Cancelled

pytest.importorskip("numba")


def _rng(seed):
    return np.random.default_rng(np.random.SeedSequence([seed, 11]))


def _backend(monkeypatch, name):
    monkeypatch.setenv("SOMDESK_KERNELS", name)
    kmeans_backend._loaded.clear()
    loops = kmeans_backend.compiled_loops()
    assert (loops is None) == (name == "numpy")
    return loops


@pytest.fixture(autouse=True)
def _fresh_choice():
    kmeans_backend._loaded.clear()
    yield
    kmeans_backend._loaded.clear()


def _clusters(seed=0, n=6000, dims=6, k=40):
    rng = np.random.default_rng(seed)
    centres = rng.random((k, dims))
    pts = centres[rng.integers(0, k, n)] + rng.normal(0, 0.04, (n, dims))
    return np.ascontiguousarray(pts), rng.integers(1, 30, n).astype(np.float64)


@pytest.mark.parametrize("k", [5, 16, 48])
@pytest.mark.parametrize("linear", [0.0, 1.0])
def test_lloyd_equals_the_numpy_passes(monkeypatch, k, linear):
    pts, w = _clusters(k + int(linear))
    start = pts[np.random.default_rng(k).choice(len(pts), k, replace=False)]
    _backend(monkeypatch, "numpy")
    c_np, lab_np = wk.lloyd_passes(pts, w, start.copy(), 20, None, linear)
    _backend(monkeypatch, "numba")
    c_nb, lab_nb = wk.lloyd_passes(pts, w, start.copy(), 20, None, linear)
    np.testing.assert_array_equal(lab_nb, lab_np)
    np.testing.assert_allclose(c_nb, c_np, rtol=0, atol=1e-9)
    # a guess of the labels (here: wrong for a third of the points) changes nothing
    guess = lab_np.copy()
    guess[::3] = (guess[::3] + 1) % k
    c_g, lab_g = wk.lloyd_passes(pts, w, start.copy(), 20, None, linear, guess)
    np.testing.assert_array_equal(lab_g, lab_nb)
    np.testing.assert_allclose(c_g, c_nb, rtol=0, atol=1e-12)


def test_lloyd_walks_the_centres_in_order_and_finds_the_full_search(monkeypatch):
    """Enough points per centre for the ordered walk (kmeans_loops.SCAN_*): the same result."""
    from somdesk.core import kmeans_loops

    k = kmeans_loops.SCAN_MIN_CENTRES
    pts, w = _clusters(9, n=kmeans_loops.SCAN_POINTS_PER_CENTRE * k + 100, dims=3, k=k)
    start = pts[:k].copy()
    _backend(monkeypatch, "numpy")
    c_np, lab_np = wk.lloyd_passes(pts, w, start.copy(), 15, None, 1.0)
    _backend(monkeypatch, "numba")
    c_nb, lab_nb = wk.lloyd_passes(pts, w, start.copy(), 15, None, 1.0)
    np.testing.assert_array_equal(lab_nb, lab_np)
    np.testing.assert_allclose(c_nb, c_np, rtol=0, atol=1e-9)


def test_an_empty_cluster_is_revived_as_numpy_does(monkeypatch):
    pts, w = _clusters(3, n=800, k=6)
    start = np.vstack([pts[:5], np.full((1, 6), 50.0)])     # the last centre wins no point
    _backend(monkeypatch, "numpy")
    c_np, lab_np = wk.lloyd_passes(pts, w, start.copy(), 10, None)
    _backend(monkeypatch, "numba")
    c_nb, lab_nb = wk.lloyd_passes(pts, w, start.copy(), 10, None)
    assert np.bincount(lab_nb, minlength=6).min() > 0
    np.testing.assert_array_equal(lab_nb, lab_np)
    np.testing.assert_allclose(c_nb, c_np, rtol=0, atol=1e-9)


@pytest.mark.parametrize("k", [2, 16, 70])
def test_seeding_draws_the_same_centres(monkeypatch, k):
    pts, w = _clusters(k, n=3000)
    _backend(monkeypatch, "numpy")
    a = wk.kmeanspp_seeds(pts, w, k, _rng(1))
    _backend(monkeypatch, "numba")
    rng = _rng(1)
    b = wk.kmeanspp_seeds(pts, w, k, rng)
    np.testing.assert_array_equal(a, b)
    # the stream is left where the numpy loop leaves it
    ref = _rng(1)
    _backend(monkeypatch, "numpy")
    wk.kmeanspp_seeds(pts, w, k, ref)
    assert rng.random() == ref.random()


def test_seeding_stops_drawing_where_numpy_stops(monkeypatch):
    """Three distinct points and eight centres: both loops stop after the third and leave the
    stream at the same place."""
    pts = np.repeat(np.eye(3, 6), 5, axis=0)
    w = np.ones(len(pts))
    streams = {}
    for name in ("numpy", "numba"):
        _backend(monkeypatch, name)
        streams[name] = _rng(0)
        c = wk.kmeanspp_seeds(pts, w, 8, streams[name])
        assert len(np.unique(c, axis=0)) == 3
    assert streams["numpy"].random() == streams["numba"].random()


def test_a_stop_reaches_the_compiled_loops(monkeypatch):
    _backend(monkeypatch, "numba")
    pts, w = _clusters(1)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        wk.lloyd_passes(pts, w, pts[:8].copy(), 5, token)
    with pytest.raises(Cancelled):
        wk.kmeanspp_seeds(pts, w, 40, _rng(0), token)


@pytest.mark.parametrize("k", [1, 7, 40, 200])
def test_two_nearest_entries_equal_the_numpy_search(monkeypatch, k):
    rng = np.random.default_rng(k)
    pal = rng.random((k, 6))
    feats = np.sort(rng.random((5000, 6)), axis=0)     # sorted: like a histogram's colours
    _backend(monkeypatch, "numpy")
    a = palette_mix._candidates(pal, feats, min(2, k), None)
    _backend(monkeypatch, "numba")
    b = palette_mix._candidates(pal, feats, min(2, k), None)
    np.testing.assert_array_equal(a, b)


def test_ciede2000_for_one_pair_is_colours_formula(monkeypatch):
    from somdesk.core import mix_loops

    _backend(monkeypatch, "numba")       # compiles the helpers
    rng = np.random.default_rng(0)
    lab1 = np.column_stack([rng.uniform(0, 100, 3000), rng.uniform(-110, 110, (3000, 2))])
    lab2 = lab1 + rng.normal(0, 8, lab1.shape)
    lab2[:100, 1:] = 0.0                 # grey: the zero-chroma conventions
    lab2[100:200] = lab1[100:200]        # equal colours
    want = delta_e_2000(lab1, lab2)
    got = np.array([mix_loops._de00(*a, *b) for a, b in zip(lab1, lab2)])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_the_mixed_assignment_equals_numpys(monkeypatch):
    rng = np.random.default_rng(5)
    rgb8 = rng.integers(0, 256, (4000, 3)).astype(np.uint8)
    pal8 = rng.integers(0, 256, (24, 3)).astype(np.uint8)
    feats = rgb8 / 255.0
    lab = palette_mix.srgb8_to_lab(rgb8)
    pal_lab = palette_mix.srgb8_to_lab(pal8)
    mix = palette_mix.Mix(1 / 30.0, 0.5 / 3.0)
    out = {}
    for name in ("numpy", "numba"):
        _backend(monkeypatch, name)
        memo = palette_mix._DeMemo(len(rgb8))
        first = palette_mix.assign_mixed(rgb8, lab, feats, pal8.astype(np.float64), pal_lab, pal8 / 255.0, mix,
                                         memo=memo)
        moved = pal8.copy()
        moved[::2] += 3                  # half the entries move: the memo answers for the others
        second = palette_mix.assign_mixed(rgb8, lab, feats, moved.astype(np.float64),
                                          palette_mix.srgb8_to_lab(moved), moved / 255.0, mix, memo=memo)
        out[name] = first, second, memo
    for (i1, s1, d1), (i2, s2, d2) in zip(out["numpy"][:2], out["numba"][:2]):
        np.testing.assert_array_equal(i1, i2)
        np.testing.assert_array_equal(s1, s2)
        np.testing.assert_allclose(d1, d2, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(out["numpy"][2].key, out["numba"][2].key)
    np.testing.assert_allclose(out["numpy"][2].val, out["numba"][2].val, rtol=0, atol=1e-9)


def test_a_picture_quantises_alike_with_either_loops(monkeypatch):
    """The whole fit: the compiled loops' palette is numpy's up to rounding (the same here)."""
    from somdesk.core.quantize import psnr, quantize_picture

    rng = np.random.default_rng(2)
    y, x = np.mgrid[0:120, 0:160] / 160.0
    img = np.clip(np.dstack([x, y, 0.5 * x * y]) * 255 + rng.normal(0, 6, (120, 160, 3)), 0, 255).astype(np.uint8)
    got = {}
    for name in ("numpy", "numba"):
        _backend(monkeypatch, name)
        idx, pal = quantize_picture(img, 24)
        got[name] = pal[idx][..., :3]
    assert abs(psnr(img, got["numpy"]) - psnr(img, got["numba"])) < 0.02


def test_the_ahead_of_time_build_fits_like_the_jit(on_each_backend):
    """kmeans_backend loads the AOT module (no numba) and gets the JIT's palette to the byte."""
    script = (
        "import sys, numpy as np\n"
        "from somdesk.core import kmeans_backend\n"
        "from somdesk.core.quantize import quantize_picture\n"
        "rng = np.random.default_rng(4)\n"
        "img = rng.integers(0, 256, (90, 110, 3)).astype(np.uint8) // 3 * 3\n"
        "loops = kmeans_backend.compiled_loops()\n"
        "assert loops is not None, 'no compiled loops'\n"
        "print(loops.backend, file=sys.stderr)\n"
        "out = {}\n"
        "for k in (16, 64, 256):\n"
        "    idx, pal = quantize_picture(img, k)\n"
        "    out[f'k{k}'] = pal[idx]\n"
        "np.savez(sys.argv[1], **out)\n"
    )
    got = on_each_backend(script)
    for key in ("k16", "k64", "k256"):
        np.testing.assert_array_equal(got["aot"][key], got["numba"][key])


def test_three_candidates_take_the_numpy_rule(monkeypatch):
    """The compiled loop knows two candidates (palette_mix.CANDIDATES); a Mix of three runs the
    numpy code, with the compiled loops or without."""
    rng = np.random.default_rng(8)
    rgb8 = rng.integers(0, 256, (2000, 3)).astype(np.uint8)
    pal8 = rng.integers(0, 256, (30, 3)).astype(np.uint8)
    args = (rgb8, palette_mix.srgb8_to_lab(rgb8), rgb8 / 255.0, pal8.astype(np.float64),
            palette_mix.srgb8_to_lab(pal8), pal8 / 255.0, palette_mix.Mix(1 / 30.0, 0.5 / 3.0, 3))
    _backend(monkeypatch, "numpy")
    a = palette_mix.assign_mixed(*args)
    _backend(monkeypatch, "numba")
    b = palette_mix.assign_mixed(*args)
    np.testing.assert_array_equal(a[0], b[0])
