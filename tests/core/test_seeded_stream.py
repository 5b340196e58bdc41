"""core.seeded_stream gives numpy's Generator stream to the bit, without importing numpy.random."""
import os
import subprocess
import sys

import numpy as np
import pytest

from somdesk.core.seeded_stream import SeededStream


@pytest.mark.parametrize("entropy", [[0, 11], [1, 11], [7, 11], [2 ** 40 + 5, 11], [123456789, 13], 0, 5,
                                     [3, 4, 5, 6, 7, 8], [2 ** 70, 0]])
def test_random_and_choice_equal_numpys(entropy):
    ours = SeededStream(entropy)
    numpys = np.random.default_rng(np.random.SeedSequence(entropy))
    np.testing.assert_array_equal(ours.random(64), numpys.random(64))
    p = np.random.default_rng(1).random(997) ** 4
    p /= p.sum()
    for _ in range(50):
        assert ours.choice(len(p), p=p) == numpys.choice(len(p), p=p)
    assert ours.random() == numpys.random()


def test_the_seeding_draws_what_numpys_generator_draws():
    """kmeanspp_seeds with the stream and with numpy's Generator: the same centres."""
    from somdesk.core.weighted_kmeans import kmeanspp_seeds

    rng = np.random.default_rng(5)
    pts, w = rng.random((3000, 6)), rng.integers(1, 50, 3000).astype(np.float64)
    for k in (2, 16, 64):
        a = kmeanspp_seeds(pts, w, k, SeededStream([3, 11]))
        b = kmeanspp_seeds(pts, w, k, np.random.default_rng(np.random.SeedSequence([3, 11])))
        np.testing.assert_array_equal(a, b)


def test_bad_entropy_is_refused_as_numpy_refuses_it():
    with pytest.raises(ValueError):
        SeededStream([-1, 11])


def test_a_small_fit_does_not_import_numpy_random():
    code = ("import sys, numpy as np\n"
            "from somdesk.core.quantize import quantize_picture\n"
            "img = np.arange(40 * 50 * 3, dtype=np.uint32).reshape(40, 50, 3).astype(np.uint8)\n"
            "quantize_picture(img, 16)\n"
            "print('numpy.random' in sys.modules)\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "False"
