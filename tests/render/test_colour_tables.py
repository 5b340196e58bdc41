"""Colour tables: the exact matplotlib data, indexed as pyqtgraph indexes it (no Qt)."""
from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

from somdesk.errors import SomdeskError
from somdesk.render import category_colours, index_of, lut, scalar_rgb


def _pyqtgraph_csv(name):
    spec = importlib.util.find_spec("pyqtgraph")     # locates the package without importing Qt
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("pyqtgraph is not installed")
    path = os.path.join(list(spec.submodule_search_locations)[0], "colors", "maps", f"{name}.csv")
    rows = [l for l in open(path, encoding="utf-8") if l.strip() and not l.startswith(";")]
    return np.array([[float(v) for v in l.split(",")] for l in rows])


@pytest.mark.parametrize("name", ["viridis", "inferno"])
def test_tables_are_pyqtgraphs_data_byte_for_byte(name):
    floats = _pyqtgraph_csv(name)
    assert floats.shape == (256, 3)
    expected = np.array([[int(255 * c + 0.5) for c in row] for row in floats], dtype=np.uint8)  # pyqtgraph's rounding
    np.testing.assert_array_equal(lut(name), expected)
    assert not lut(name).flags.writeable


def test_index_is_pyqtgraphs_rescale():
    v = np.array([0.0, 0.25, 0.5, 0.999, 1.0, -3.0, 9.0, np.nan])
    assert index_of(v, (0.0, 1.0)).tolist() == [0, 64, 128, 255, 255, 0, 255, 0]
    assert (index_of(v, (1.0, 1.0)) == 0).all()
    rgb = scalar_rgb(np.array([[2.0, 4.0]]), "viridis")
    np.testing.assert_array_equal(rgb[0], lut("viridis")[[0, 255]])


def test_categories_are_distinct_and_stable():
    c = category_colours(40)
    assert c.shape == (40, 3) and len({tuple(x) for x in c}) == 40
    np.testing.assert_array_equal(category_colours(5), c[:5])
    with pytest.raises(SomdeskError, match="viridis"):
        lut("jet")
