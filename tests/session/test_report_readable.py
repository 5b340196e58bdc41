"""The HTML report's labels and profiles read apart from the segments (testerW #9)."""
from __future__ import annotations

import numpy as np

from somdesk.render.colour_tables import category_colours
from somdesk.session.report import label_picture
from somdesk.session.segments import profiles_png


def test_label_colours_are_not_the_segment_colours():
    majority = np.array([["a", "b", None], ["c", "a", "b"]], dtype=object)
    rgb, legend = label_picture(majority, segments=3)
    segment = {tuple(c) for c in category_colours(3)}
    assert legend.names == ("a", "b", "c")
    assert not segment & {tuple(c) for c in legend.colours}
    assert tuple(rgb[0, 0]) == tuple(legend.colours[0]) and tuple(rgb[1, 2]) == tuple(legend.colours[1])
    assert len({tuple(c) for c in legend.colours}) == 3


def test_profile_names_stay_readable_on_a_page():
    rng = np.random.default_rng(0)
    cols = ["alcohol", "malic_acid", "od280/od315_of_diluted_wines", "proline"]
    prof = {"columns": cols, "segments": [0, 1, 2], "size": [68, 50, 60], "share": [0.38, 0.28, 0.34],
            "z": rng.normal(0, 1, (3, len(cols)))}
    img = profiles_png(prof)
    assert img.width <= 1100                           # shown at its size on a page, not shrunk
    ink = np.asarray(img.convert("L"))[:, :60] < 128   # the names' column of the first panel
    rows = np.flatnonzero(ink.any(axis=1))
    tallest = max(len(run) for run in np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1))
    assert tallest >= 9                                # letters ~10 px high, not ~7
