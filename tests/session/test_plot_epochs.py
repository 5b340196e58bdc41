"""The QE/TE measures of an image map continue one epoch axis across its phases
(ordering, fine-tuning, recovery): never back to an earlier x (tester2 B9)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from somdesk.session import Session
from somdesk.session.runs import epoch_position, planned_epochs


def test_image_phases_continue_the_epoch_axis(picture_file):
    s = Session()
    s.open(picture_file)
    s.dataset = replace(s.dataset, settings=replace(s.dataset.settings, fine_tune=4))
    s.set_config(s.config.replace(iterations=6))
    phases_seen = set()
    for p in s.train_task(snapshot_when=lambda _i: True):
        phases_seen.add(p.phase)
    assert {"ordering", "fine-tuning"} <= phases_seen
    x = np.array([m[0] for m in s.measures])
    assert len(x) > 6 and (np.diff(x) > 0).all(), x
    assert x[-1] <= planned_epochs(s) and planned_epochs(s) >= 6 + 4


def test_colours_plan_their_iterations(palette_file):
    s = Session()
    s.open(palette_file)
    s.set_config(s.config.replace(width=5, height=4, iterations=7))
    s.train()
    assert planned_epochs(s) == 7 and [m[0] for m in s.measures][-1] == 7


def test_progress_and_position_count_every_phase_of_an_image_map(picture_file):
    """Tester2 leftover: an image map said "epoch 4 of 4" of the fine-tuning phase while the plot
    ran over every phase; the progress and the map's position count over all phases."""
    s = Session()
    s.open(picture_file)
    s.dataset = replace(s.dataset, settings=replace(s.dataset.settings, fine_tune=4))
    s.set_config(s.config.replace(iterations=6))
    seen = [(p.phase, p.iteration, p.overall, p.planned) for p in s.train_task()]
    overall = [o for _ph, _i, o, _p in seen]
    assert overall == list(range(1, len(seen) + 1)), seen      # one count, never back
    assert [o for ph, i, o, _p in seen if ph == "fine-tuning"][0] == 7
    plans = [p for *_r, p in seen]
    assert plans[0] == 6 + 4 and plans == sorted(plans) and plans[-1] <= planned_epochs(s)   # grows by rounds
    assert all(o <= p for _ph, _i, o, p in seen)
    assert all(p == 10 for ph, _i, _o, p in seen if ph in ("ordering", "fine-tuning"))
    assert s.image_phase == "done"
    assert epoch_position(s, s.map.iteration) == (len(seen), len(seen))   # done: what was trained


def test_position_of_colours_is_the_iteration(palette_file):
    s = Session()
    s.open(palette_file)
    s.set_config(s.config.replace(width=5, height=4, iterations=7))
    for p in s.train_task():
        assert (p.overall, p.planned) == (p.iteration, 7)
    assert epoch_position(s, s.map.iteration) == (7, 7)
