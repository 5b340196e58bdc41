"""The shortcuts of the palette fit give what the plain computations give (docs/quantisation.md):
Hamerly's bound in the Lloyd passes, the remembered CIEDE2000 values of the refinement."""
import numpy as np
import pytest

from somdesk.core import palette_mix
from somdesk.core import weighted_kmeans
from somdesk.core.colour import delta_e_2000
from somdesk.core.palette_fit import colour_features


def plain_lloyd(points, w, centres, passes):
    """Weighted Lloyd with a float64 brute-force search and the same stopping rules; the labels
    are the last assignment made (the partition the centres are the means of, or the one under
    them when the error stopped falling)."""
    k = len(centres)
    last = np.inf
    idx = None
    for _ in range(passes):
        d = ((points[:, None, :] - centres[None]) ** 2).sum(-1)
        idx = np.argmin(d, axis=1)
        sse = float(w @ d[np.arange(len(points)), idx])
        if sse >= last * (1.0 - weighted_kmeans._REL_GAIN):
            break
        last = sse
        cnt = np.bincount(idx, weights=w, minlength=k)
        new = centres.copy()
        for c in range(k):
            if cnt[c] > 0:
                new[c] = (w[idx == c][:, None] * points[idx == c]).sum(0) / cnt[c]
        moved = float(np.max(((new - centres) ** 2).sum(1)))
        centres = new
        if moved <= weighted_kmeans._TOL:
            break
    return centres, idx


@pytest.mark.parametrize("k,dims", [(2, 3), (16, 6), (64, 6), (100, 4)])
def test_bounded_lloyd_equals_plain_lloyd(k, dims):
    rng = np.random.default_rng(k)
    # clustered points, like colours: many points near a few centres, some far
    anchors = rng.uniform(0, 1, (max(3, k // 2), dims))
    points = anchors[rng.integers(0, len(anchors), 4000)] + rng.normal(0, 0.05, (4000, dims))
    w = rng.integers(1, 50, 4000).astype(float)
    start = points[rng.choice(4000, k, replace=False)]
    c1, l1 = weighted_kmeans.lloyd_passes(points, w, start.copy(), 30, None)
    c2, l2 = plain_lloyd(points, w, start.copy(), 30)
    assert np.array_equal(l1, l2)
    assert np.allclose(c1, c2, atol=1e-9)


def test_bounded_lloyd_revives_an_empty_cluster():
    """A centre nobody picks is moved to the worst-served point and the bounds start again."""
    rng = np.random.default_rng(1)
    points = np.vstack([rng.normal(0, 0.01, (500, 3)), rng.normal(1, 0.01, (500, 3))])
    w = np.ones(len(points))
    start = np.array([[0.0, 0, 0], [0.01, 0, 0], [50.0, 50, 50]])   # the third is nobody's
    c, lab = weighted_kmeans.lloyd_passes(points, w, start, 20, None)
    assert np.bincount(lab, minlength=3).min() > 0
    assert np.allclose(sorted(c[:, 0])[-1], 1.0, atol=0.05)


def test_remembered_ciede2000_changes_nothing():
    """assign_mixed with the candidates and the memo of earlier palettes equals it without."""
    rng = np.random.default_rng(2)
    rgb = rng.integers(0, 256, (4000, 3)).astype(np.uint8)
    lab = palette_mix.srgb8_to_lab(rgb)
    feats = colour_features(rgb, "blend", False)
    memo = palette_mix._DeMemo(len(rgb))
    pal = rng.integers(0, 256, (32, 3)).astype(np.uint8)
    for step in range(4):
        pf = colour_features(pal, "blend", False)
        plab = palette_mix.srgb8_to_lab(pal)
        mix = palette_mix.Mix(1 / 300.0, 0.5 / 4.0, 2)
        cand = palette_mix._candidates(pf, feats, 2, None)
        a = palette_mix.assign_mixed(rgb, lab, feats, pal.astype(float), plab, pf, mix, cand=cand, memo=memo)
        b = palette_mix.assign_mixed(rgb, lab, feats, pal.astype(float), plab, pf, mix)
        for x, y in zip(a, b):
            assert np.array_equal(x, y)
        assert np.allclose(a[2], delta_e_2000(lab, plab[a[0]]))
        # the next palette: half the entries kept, half moved (as an update step does)
        moved = rng.random(len(pal)) < 0.5
        pal = pal.copy()
        pal[moved] = np.clip(pal[moved].astype(int) + rng.integers(-6, 7, (int(moved.sum()), 3)), 0, 255)


def test_bounded_lloyd_with_the_distance_term_equals_the_plain_computation():
    """linear > 0 (the blend fit's full passes): the update is the weighted mean with weights
    w (1 + linear/2 (m2/m1) / max(d, m1/10)) from exact distances, as written out here."""
    rng = np.random.default_rng(7)
    anchors = rng.uniform(0, 1, (12, 6))
    points = anchors[rng.integers(0, 12, 3000)] + rng.normal(0, 0.05, (3000, 6))
    w = rng.integers(1, 30, 3000).astype(float)
    start = anchors[:10] + 0.02      # near the clusters: no centre is left empty
    lin = 1.0
    centres, last, idx = start.copy(), np.inf, None
    for _ in range(15):
        dd = ((points[:, None, :] - centres[None]) ** 2).sum(-1)
        idx = np.argmin(dd, axis=1)
        d2 = dd[np.arange(len(points)), idx]
        sse = float(w @ d2)
        if sse >= last * (1.0 - weighted_kmeans._REL_GAIN):
            break
        last = sse
        d = np.sqrt(d2)
        m1, m2 = float(w @ d) / w.sum(), sse / w.sum()
        u = w * (1.0 + 0.5 * lin * (m2 / m1) / np.maximum(d, 0.1 * m1))
        new = centres.copy()
        for c in range(len(centres)):
            if np.any(idx == c):
                new[c] = (u[idx == c][:, None] * points[idx == c]).sum(0) / u[idx == c].sum()
        moved = float(np.max(((new - centres) ** 2).sum(1)))
        centres = new
        if moved <= weighted_kmeans._TOL:
            break
    c1, l1 = weighted_kmeans.lloyd_passes(points, w, start.copy(), 15, None, linear=lin)
    assert np.array_equal(l1, idx)
    assert np.allclose(c1, centres, atol=1e-9)
