"""indexed_delta_e refuses bad arguments with SomdeskError, as its docstring says (review12 item 10:
it raised ValueError for flat indices and IndexError for an index past the palette, and silently
measured a negative index against the palette's last entry)."""
import numpy as np
import pytest

from somdesk.core.map_quantise import indexed_delta_e
from somdesk.errors import SomdeskError

PIC = np.zeros((4, 5, 3), np.uint8)
PAL = np.array([[0, 0, 0], [255, 255, 255]], np.uint8)


def test_a_good_call_measures():
    assert indexed_delta_e(PIC, np.zeros((4, 5), np.uint8), PAL) == 0.0
    assert indexed_delta_e(PIC, np.ones((4, 5), np.int64), PAL) > 50


@pytest.mark.parametrize("indices, words", [
    (np.zeros(20, np.uint8), "indices must be an"),                 # flat
    (np.zeros((4, 5), np.float64), "indices must be an"),           # not integers
    (np.zeros((5, 4), np.uint8), "cannot compare pictures"),        # another size
    (np.full((4, 5), 2, np.uint8), "outside the 2-colour palette"),
    (np.full((4, 5), -1, np.int16), "outside the 2-colour palette"),
])
def test_bad_indices_are_one_somdesk_error(indices, words):
    with pytest.raises(SomdeskError, match=words):
        indexed_delta_e(PIC, indices, PAL)


@pytest.mark.parametrize("palette", [np.zeros((0, 3), np.uint8), np.zeros((2, 2), np.uint8), np.zeros(6, np.uint8)])
def test_a_bad_palette_is_one_somdesk_error(palette):
    with pytest.raises(SomdeskError, match="palette must be"):
        indexed_delta_e(PIC, np.zeros((4, 5), np.uint8), palette)
