"""The QE/TE measures of an image map continue one epoch axis across its phases
(ordering, fine-tuning, recovery): never back to an earlier x (tester2 B9)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from somdesk.session import Session
from somdesk.session.runs import planned_epochs


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
