"""The profiles picture is drawn by somdesk.render (fixW item 3), pixel for pixel as
session.segments drew it before the move.

The digests below are of the pictures the old session.segments.profiles_png drew (commit
4f27638) for these inputs, with DejaVu Sans (the font render.legend.text_font finds here);
on a machine with another font the pictures differ by design, so the test is skipped there.
"""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from somdesk.session.segments import segment_profiles

BEFORE = {
    "two": "(148, 540, 3):b99e6cf38184b85c50cc0c4f2a24585c",
    "wide": "(855, 879, 3):5be7b71448b924237a8ee4156d3ede9c",
    "five": "(549, 962, 3):eb7931c433f991ce4133859fdfe1220f",
    "options": "(712, 448, 3):d6f33e55e7525fee2a67b086dae4a892",
}


def _cases():
    rng = np.random.default_rng(0)
    out = {}
    values = np.array([[1.0, 10.0], [3.0, 10.0], [10.0, 0.0], [12.0, np.nan]])
    out["two"] = (segment_profiles(values, ["a", "b"], np.array([0, 0, 1, 1])), {})
    seg = np.repeat([0, 1, 2], 50)
    v = rng.normal(0, 1, (150, 300))
    v[seg == 1, 7] += 4                                   # 300 columns: the 40 that differ most, and the line
    out["wide"] = (segment_profiles(v, [f"c{j}" for j in range(300)], seg), {})
    seg5 = np.repeat(np.arange(5), 20)
    v5 = rng.normal(0, 1, (100, 6))
    v5[seg5 == 2, 0] += 3
    v5[seg5 == 4, 5] -= 3
    names = ["income", "line\nbreak", "tab\tname", "größe µg", "x" * 60, "a\xa0b"]
    out["five"] = (segment_profiles(v5, names, seg5), {})           # two rows of panels, odd names
    out["options"] = (segment_profiles(v5, names, seg5),
                      {"bar_px": 12, "max_z": 3.0, "font_px": 11, "max_width": 700})
    return out


def _digest(arr) -> str:
    arr = np.ascontiguousarray(arr)
    return f"{arr.shape}:" + hashlib.sha256(arr.tobytes()).hexdigest()[:32]


def _dejavu() -> bool:
    from somdesk.render.legend import text_font

    return "DejaVuSans" in str(getattr(text_font(13), "path", ""))


@pytest.mark.skipif(not _dejavu(), reason="the recorded pictures were drawn with DejaVu Sans")
def test_the_profiles_picture_drawn_by_render_has_the_old_pixels():
    from somdesk.render.profiles import profiles_picture
    from somdesk.session.segments import profiles_png

    for name, (prof, kw) in _cases().items():
        from somdesk.io.names import display_name

        shown = dict(prof, columns=[display_name(c) for c in prof["columns"]])
        assert _digest(profiles_picture(shown, **kw)) == BEFORE[name], name
        # the session's entry point (Profiles tab, report, CLI) is the render call
        assert _digest(np.asarray(profiles_png(prof, **kw).convert("RGB"))) == BEFORE[name], name


def test_the_session_no_longer_draws_the_profiles():
    import inspect

    import somdesk.session.segments as seg

    source = inspect.getsource(seg)
    assert "ImageDraw" not in source and "dr.text" not in source
    from somdesk import render

    assert render.profiles_picture is not None
