"""No symmetric matrix product through `@` in the package: numpy's matmul holds the GIL through
`a.T @ a` / `a @ a.T` (its syrk path), so a worker's covariance froze the window's thread --
measured: 300,000 x 20, a waiting thread ran 31 times in 0.8 s under `@` and 643 under np.dot,
same bits.  core/preparation.py's size estimate (2.5-15 s frozen) and core/initialise.py's
linear start were such products."""
from __future__ import annotations

import pathlib
import re

import numpy as np

import somdesk

_SYMMETRIC = re.compile(r"\b([A-Za-z_][\w\[\]]*)\.T\s*@\s*\1\b(?!\.T)|\b([A-Za-z_][\w\[\]]*)\s*@\s*\2\.T\b")


def test_the_pattern_finds_what_it_should():
    assert _SYMMETRIC.search("cov = centred.T @ centred / n")
    assert _SYMMETRIC.search("g = xc @ xc.T")
    assert not _SYMMETRIC.search("d = x[rows] @ y.T") and not _SYMMETRIC.search("v = a.T @ b")


def test_no_symmetric_product_through_matmul():
    root = pathlib.Path(somdesk.__file__).parent
    found = [f"{p.relative_to(root)}:{i}: {line.strip()}"
             for p in sorted(root.rglob("*.py"))
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if _SYMMETRIC.search(line.split("#", 1)[0])]
    assert not found, "use np.dot (same bits, releases the GIL):\n" + "\n".join(found)


def test_dot_and_matmul_agree_bit_for_bit():
    rng = np.random.default_rng(0)
    for n, d in [(40, 3), (4000, 50), (10, 300)]:
        c = rng.normal(size=(n, d))
        c -= c.mean(axis=0)
        np.testing.assert_array_equal(np.dot(c.T, c), c.T @ c)
        np.testing.assert_array_equal(np.dot(c, c.T), c @ c.T)
