"""A table map arrives without holding the window (testerW #3): its profiles picture, planes
sheet and the rows view's number formats are made by the task (session.table_pictures), the
GUI thread only shows them.  A 5 ms tick timer on the GUI thread measures the longest stall."""
from __future__ import annotations

import os

import numpy as np

from tests.gui.helpers import GapMeter, open_table_now
from tests.timing import load_scaled

TIMEOUT = 180_000


def _csv(path, rows: int, cols: int, seed: int = 3) -> str:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, cols)) + (np.arange(rows) % 3)[:, None]
    header = ",".join(f"measurement_number_{j:03d}" for j in range(cols))
    np.savetxt(path, x, delimiter=",", header=header, comments="", fmt="%.4f")
    return str(path)


def _train_and_time(qtbot, win, path, opened: bool = False, cpu: bool = False):
    """Train the table at `path` (opened first unless `opened`): the longest GUI-thread stall in
    seconds, or (stall, most GUI-thread CPU time between two ticks) when `cpu`."""
    wf = win.tables
    assert opened or open_table_now(qtbot, wf, path)
    wf.setup.height.setValue(8)
    wf.setup.width.setValue(8)
    wf.setup.epochs.setValue(5)
    qtbot.wait(50)
    gaps = GapMeter(5, from_start=False)
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    qtbot.wait(100)
    gaps.timer.stop()
    assert win.last_error is None, win.last_error
    assert wf.tm is not None and wf.profiles_view._png is not None and wf.planes.image is not None
    return (gaps.longest, gaps.cpu_longest) if cpu else gaps.longest


def test_a_wide_table_map_arrives_without_a_stall(qtbot, win, tmp_path):
    """200 numeric columns: the profiles picture (200 names) and 60 planes were drawn on the
    GUI thread when the map arrived."""
    longest = _train_and_time(qtbot, win, _csv(tmp_path / "wide.csv", 300, 200))
    assert longest < load_scaled(0.3), f"longest GUI-thread stall {longest:.2f} s"


def test_the_rows_views_formats_come_with_the_map(qtbot, win, tmp_path):
    """The number formats of every column are made by the task: the rows view's first draw
    judges none of them (300,000-row columns took 0.3-0.5 s each there)."""
    from somdesk.gui import table_rows

    _train_and_time(qtbot, win, _csv(tmp_path / "long.csv", 3000, 6))
    model = win.tables.rows_model
    assert set(model._formats) == set(range(model.columnCount()))
    judged = []
    real = table_rows.number_format_of
    table_rows.number_format_of = lambda col: judged.append(1) or real(col)
    try:
        for j in range(model.columnCount()):
            model.number_format(j)
    finally:
        table_rows.number_format_of = real
    assert not judged


def test_cached_outlines_are_the_outlines():
    """render.outlines.outlined finds a shape's outline pixels once (outline_pixels, cached); the
    picture is the one the per-draw search made."""
    from somdesk.render.geometry import index_image, layout
    from somdesk.render.outlines import EDGE_SHADE, outline_pixels, outline_width, outlined

    rng = np.random.default_rng(1)
    for h, w, hexagonal, scale, shown in ((5, 7, True, 24, None), (4, 3, False, 48, 20), (6, 6, True, 30, 14)):
        rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        idx = index_image(h, w, hexagonal, scale)
        edge = np.zeros(idx.shape, dtype=bool)
        width = outline_width(scale, shown)
        for k in range(1, width + 1):
            edge[:, :-k] |= idx[:, :-k] != idx[:, k:]
            edge[:-k, :] |= idx[:-k, :] != idx[k:, :]
        edge &= idx >= 0
        want = layout(rgb, hexagonal, scale).copy()
        want[edge] = (want[edge].astype(np.float32) * EDGE_SHADE).astype(np.uint8)
        np.testing.assert_array_equal(outlined(rgb, hexagonal, scale, shown), want)
        assert outline_pixels(h, w, hexagonal, scale, width) is outline_pixels(h, w, hexagonal, scale, width)


def test_a_500_column_table_opens_and_trains_without_a_stall(qtbot, win, tmp_path):
    """fixC: 500 numeric columns held the window ~1.1 s in 0.15-0.45 s steps (the validity plot,
    the map, the planes sheet's picture, the 500-entry views list, all in the map's one slot;
    the planes are now drawn when their tab shows, the list measured on its longest names).
    A short table of as many columns first, so the modules a first table imports and the
    training kernels the worker loads (holding the GIL) are not what is measured."""
    wf = win.tables
    assert open_table_now(qtbot, wf, _csv(tmp_path / "short.csv", 40, 500))
    wf.setup.height.setValue(4)
    wf.setup.width.setValue(4)
    wf.setup.epochs.setValue(2)
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    qtbot.wait(100)
    path = _csv(tmp_path / "wide.csv", 300, 500)
    gaps = GapMeter(5)
    assert open_table_now(qtbot, wf, path)
    qtbot.wait(100)
    gaps.timer.stop()
    opened = (gaps.longest, gaps.cpu_longest)
    trained = _train_and_time(qtbot, win, path, opened=True, cpu=True)
    assert wf.map_choice.count() >= 500
    print(f"500 columns: open {opened[0]:.3f} s ({opened[1]:.3f} s CPU), train {trained[0]:.3f} s "
          f"({trained[1]:.3f} s CPU); load {os.getloadavg()[0]:.1f}")
    # the GUI thread's CPU time between two ticks: the work of its longest slot (the map's
    # arrival); at load 10-12 on 2 cores it was 0.14-0.19 s before fixC, 0.10-0.15 s after, and
    # 0.121 s in a quiet full suite: the map's arrival (validity curve, map drawing) is bounded at
    # 0.25 s, which catches the 1.1 s hold this test was written for, not the last 0.1 s
    assert opened[1] < load_scaled(0.1) and trained[1] < load_scaled(0.25), (opened, trained)
    assert opened[0] < load_scaled(0.3) and trained[0] < load_scaled(0.3), (opened, trained)
