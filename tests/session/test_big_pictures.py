"""Big pictures: full-size quantisation stops within a few token checks after the remap,
what the window draws is made at most DISPLAY_MAX_SIDE a side off the GUI thread, no
full-size copies are made, and Reset weights builds no SOM (tester7 #8, #13, #14).

Cancellation is counted, not timed: a token whose flag reads "stop" from the k-th look on.
"""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from somdesk.core.cancel import CancelToken
from somdesk.core.map_quantise import (DISPLAY_MAX_SIDE, indexed_measures, on_checkerboard, picture_psnr,
                                       shown_small)
from somdesk.errors import Cancelled
from somdesk.session import Session


class CountingFlag:
    """A CancelToken flag that reads 0 until `after` looks, then 1; counts every look."""

    def __init__(self, after: int):
        self.after, self.looks = after, 0

    def __getitem__(self, _i):
        self.looks += 1
        return 1 if self.looks > self.after else 0

    def __setitem__(self, _i, _v):
        pass


def _picture(h: int, w: int, alpha: bool) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([x * 255 // w, y * 255 // h, (x // 7 + y // 5) % 256], axis=2).astype(np.uint8)
    if not alpha:
        return rgb
    a = np.where((x // 50 + y // 50) % 3 == 0, 0, np.where((x // 50) % 2, 128, 255)).astype(np.uint8)
    return np.dstack([rgb, a])


def _trained(tmp_path, pixels) -> Session:
    path = tmp_path / "pic.png"
    Image.fromarray(pixels).save(path)
    s = Session()
    s.open(path)
    s.update_config(width=3, height=3, iterations=3, seed=1)
    s.train()
    return s


@pytest.mark.parametrize("alpha", [False, True])
def test_quantise_stops_within_a_few_checks_after_the_remap(tmp_path, alpha):
    """A stop in the measuring stage (PSNR, used entries, the picture shown) ends the task at
    the next check: no more than one slice of work after the stop, nothing installed."""
    h, w = 2500, 2400                     # 6 Mpx: shown shrunk, ~20 measuring slices
    s = _trained(tmp_path, _picture(h, w, alpha))
    token = CancelToken()
    task = s.quantise_task(cancel=token)
    phases = []
    for p in task:
        phases.append(p.phase)
        if p.phase == "measuring":
            break
    assert phases[-1] == "measuring" and len(phases) >= 3          # the remap reported slice by slice
    flag = CountingFlag(after=2)                                   # stop at the 3rd look from here on
    token.flag = flag
    with pytest.raises(Cancelled):
        next(task)
    assert flag.looks == 3                                         # the stop was seen at once
    assert s.quantised is None


def test_measures_and_shown_picture_check_the_token_every_slice():
    """indexed_measures and shown_small look at the token every slice: a stop after the k-th
    look raises at look k+1, for several k (no stage runs unchecked to the end)."""
    h, w = 3000, 2200
    px = _picture(h, w, True)
    pal = np.array([[0, 0, 0, 0], [200, 10, 10, 255], [10, 200, 10, 128], [10, 10, 200, 255]], np.uint8)
    idx = (np.arange(h * w) % 4).astype(np.uint8).reshape(h, w)
    for work in (lambda t: indexed_measures(px, idx, pal, t),
                 lambda t: shown_small(h, w, lambda a, b: pal[idx[a:b]], cancel=t)):
        for k in (0, 1):                       # shown_small: two bands of ~4 Mpx here
            token = CancelToken()
            token.flag = CountingFlag(after=k)
            with pytest.raises(Cancelled):
                work(token)
            assert token.flag.looks == k + 1


def test_indexed_measures_equal_the_full_size_ones():
    rng = np.random.default_rng(3)
    for shape in [(31, 47, 4), (900, 1300, 4), (700, 1100, 3)]:
        px = rng.integers(0, 256, shape, dtype=np.uint8)
        pal = rng.integers(0, 256, (40, shape[2]), dtype=np.uint8)
        idx = rng.integers(0, 30, shape[:2]).astype(np.uint8)
        value, used = indexed_measures(px, idx, pal)
        assert value == picture_psnr(px, pal[idx])
        assert used.shape == (40,) and np.array_equal(np.flatnonzero(used), np.unique(idx))


def test_the_picture_shown_is_small_and_exact_when_it_fits():
    px = _picture(300, 500, True)
    assert (shown_small(300, 500, lambda a, b: px[a:b]) == on_checkerboard(px)).all()
    h, w = 4100, 900                                   # 1:3
    big = np.zeros((h, w, 4), np.uint8)
    big[..., :3] = (40, 90, 200)
    big[..., 3] = 255
    big[:, :450, 3] = 0                                # the left half clear: the board shows
    small = shown_small(h, w, lambda a, b: big[a:b])
    assert small.shape == (1367, 300, 3) and max(small.shape) <= DISPLAY_MAX_SIDE
    assert (small[:, 151:] == (40, 90, 200)).all()     # opaque blocks keep their colour
    assert set(np.unique(small[:, :150])) == {204, 255}   # clear blocks: only the board's shades


def test_an_opened_picture_is_ready_to_draw_and_not_copied(tmp_path):
    h, w = 2100, 3000
    s = _trained(tmp_path, _picture(h, w, True))
    d = s.dataset
    assert d.small.shape == (1050, 1500, 3) and not d.small.flags.writeable
    assert not d.pixels.flags.writeable and d.pixels.flags.owndata          # the reader's array itself
    list(s.quantise_task())
    q = s.quantised
    assert q.small is not None and q.small.shape == (1050, 1500, 3)
    assert q.psnr == picture_psnr(d.pixels, q.palette[q.indices])
    assert q.used == len(np.unique(q.indices))
    assert (q.rgb() == on_checkerboard(q.pixels())).all()


def test_reset_builds_no_som_and_undo_redo_stay_exact(monkeypatch):
    s = Session()
    s.new_colours(np.random.default_rng(0).random((50, 3)))
    s.update_config(width=30, height=20, iterations=5, seed=7)
    initial = s.map.weights.copy()
    s.train()
    trained = s.map.weights.copy()
    import somdesk.session.session as session_mod

    built = []
    real = session_mod.SOM

    class Counting(real):
        def __init__(self, *a, **k):
            built.append(1)
            super().__init__(*a, **k)

    monkeypatch.setattr(session_mod, "SOM", Counting)
    s.reset_weights()
    assert not built                                   # the kept initial map, no SOM built
    assert (s.map.weights == initial).all() and s.map.iteration == 0 and not s.would_discard_training
    s.undo()
    assert (s.map.weights == trained).all()
    s.redo()
    assert (s.map.weights == initial).all() and not built
    s.train()                                          # the SOM is made when training starts
    assert built and (s.map.weights == trained).all()  # the same run again
