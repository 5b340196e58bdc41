"""issue 12 words: `--epochs` is `--iterations`, `--view strip` is `--view seed` (CLI names kept)."""
from __future__ import annotations

import json

import numpy as np
from PIL import Image

from somdesk.cli import main


def _run(tmp_path, *extra):
    out = tmp_path / f"o{len(list(tmp_path.iterdir()))}.png"
    metrics = tmp_path / f"m{len(list(tmp_path.iterdir()))}.json"
    code = main(["train", "--random", "8", "--width", "6", "--height", "5", "--seed", "3",
                 "--out", str(out), "--metrics-json", str(metrics), *extra])
    assert code == 0
    return np.asarray(Image.open(out).convert("RGB")), json.loads(metrics.read_text())


def test_epochs_is_iterations_and_strip_is_seed(tmp_path):
    a, ma = _run(tmp_path, "--iterations", "7", "--view", "seed")
    b, mb = _run(tmp_path, "--epochs", "7", "--view", "strip")
    np.testing.assert_array_equal(a, b)
    assert ma["iterations"] == mb["iterations"] == 7
