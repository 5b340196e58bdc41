"""testerW #3: opening a saved colour map measured it (BMUs, hits, U-matrix, QE, TE) in
Session.install, on the window's thread (1.4-4.7 s frozen for a 200 x 200 map).  The reading
thread measures it now (`opening.read`); installing shows that measure without a search."""
from __future__ import annotations

import numpy as np

from somdesk.core.options import SOMConfig
from somdesk.core.som import SOM
from somdesk.io.mapfile import save_map
from somdesk.session import Session, mapstate, opening


def test_a_saved_map_is_measured_by_the_reader_and_installed_without_a_search(tmp_path, monkeypatch):
    path = tmp_path / "m.somz"
    som = SOM(np.random.default_rng(0).random((40, 3)), SOMConfig(width=7, height=6, iterations=40, seed=5))
    som.train(lambda info: info.iteration < 19)
    save_map(som, path)
    loaded = opening.read(path, "map")
    shown = loaded.payload.shown
    assert shown is not None and shown.measured and shown.qe > 0
    expected = mapstate.map_state(loaded.payload.som, measure_it=True)

    def no_search(*args, **kw):
        raise AssertionError("measured again on the installing (window's) thread")
    monkeypatch.setattr(mapstate, "measure", no_search)
    s = Session()
    loaded.install_into(s)
    state = s.map
    assert state.generation == s.generation and state.iteration == som.iteration
    assert state.qe == expected.qe and state.te == expected.te
    assert np.array_equal(state.bmus, expected.bmus) and np.array_equal(state.hits, expected.hits)
    assert np.array_equal(state.umatrix, expected.umatrix)
