"""`somdesk train --space`: the classic job unchanged, other spaces trained and shown in sRGB."""
import json

import numpy as np
import pytest
from PIL import Image

from somdesk.cli import main
from somdesk.core import SOM
from somdesk.core import colour_space as S
from somdesk.core.options import SOMConfig

BASE = ["train", "--random", "30", "--width", "7", "--height", "5", "--iterations", "300", "--seed", "11", "-q"]


def test_default_space_is_the_classic_job_bit_for_bit(tmp_path):
    assert main(BASE + ["--save-weights", str(tmp_path / "a.npy")]) == 0
    assert main(BASE + ["--space", "srgb", "--save-weights", str(tmp_path / "b.npy")]) == 0
    a, b = np.load(tmp_path / "a.npy"), np.load(tmp_path / "b.npy")
    np.testing.assert_array_equal(a, b)
    # and the same as the SOM trained directly on the same inputs (no transform at all)
    rng = np.random.default_rng(np.random.SeedSequence([11, 2]))
    som = SOM(rng.random((30, 3)), SOMConfig(width=7, height=5, iterations=300, seed=11)).train()
    np.testing.assert_array_equal(a, som.weights)


@pytest.mark.parametrize("space", ["linear", "cielab", "oklab"])
def test_other_spaces_train_there_and_draw_srgb(tmp_path, space):
    out, met, wts = tmp_path / "m.png", tmp_path / "m.json", tmp_path / "w.npy"
    assert main(BASE + ["--space", space, "--view", "map", "--scale", "1", "--out", str(out),
                        "--metrics-json", str(met), "--save-weights", str(wts)]) == 0
    m = json.loads(met.read_text())
    assert m["space"] == space and m["out_of_gamut_nodes"] >= 0
    assert 0 < m["mean_delta_e00"] < 15
    w = np.load(wts)                       # weights stay in the training space
    rng = np.random.default_rng(np.random.SeedSequence([11, 2]))
    x = S.to_space(rng.random((30, 3)), space)
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    assert np.all(w >= lo - 0.05 * span) and np.all(w <= hi + 0.05 * span)
    img = np.asarray(Image.open(out).convert("RGB"))
    expect = np.clip(np.rint(S.fit_gamut(w, space) * 255), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(img, expect)


def test_perceptual_space_gives_a_lower_mean_delta_e_than_linear(tmp_path):
    # linear light crowds the darks: its map represents them worse in CIEDE2000 terms
    res = {}
    for space in ("linear", "oklab"):
        assert main(BASE + ["--space", space, "--metrics-json", str(tmp_path / f"{space}.json")]) == 0
        res[space] = json.loads((tmp_path / f"{space}.json").read_text())["mean_delta_e00"]
    assert res["oklab"] < res["linear"]


def test_unknown_space_is_one_line_error(capsys):
    assert main(BASE + ["--space", "hsv"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "srgb, linear, cielab, oklab" in err


def test_save_map_records_the_space(tmp_path):
    from somdesk.io.mapfile import load_map

    path = tmp_path / "m.somz"
    assert main(BASE + ["--space", "oklab", "--save-map", str(path)]) == 0
    saved = load_map(path)
    assert saved.meta["colour_space"] == "oklab" and S.space_from_meta(saved.meta) == "oklab"
    assert np.all(saved.som.data[:, 0] <= 1.0) and np.any(saved.som.data[:, 1] < 0)   # OKLab inputs
    assert main(BASE + ["--save-map", str(tmp_path / "s.somz")]) == 0     # srgb: no key at all
    meta = load_map(tmp_path / "s.somz").meta
    assert "colour_space" not in meta and S.space_from_meta(meta) == "srgb"
