"""The segment profiles picture: a panel per segment, a bar per column.

    img = profiles_picture(prof)          # (H, W, 3) uint8, white ground
    keep = shown_profile_columns(prof)    # the columns it draws (indices, file order)

`prof` is session.segments.segment_profiles' dict ("columns", "segments", "size", "share",
"z"); the column names are drawn as given (the session passes them through
io.names.display_name first, so 'line\\nbreak' reads as such).  The Profiles tab, its PNG
export, the HTML report and `somdesk train --profiles-png` all draw through here.
"""
from __future__ import annotations

import math

import numpy as np

from somdesk.core.options import count_text
from somdesk.render.legend import one_line, text_font

__all__ = ["profiles_picture", "shown_profile_columns", "wrapped", "MAX_PROFILE_COLUMNS", "PROFILES_CAPTION"]

MAX_PROFILE_COLUMNS = 40     # bars per panel of the profiles picture (the CSV has every column)

PROFILES_CAPTION = ("Bars: each segment's mean minus the whole table's mean, in standard deviations of the "
                    "table (red above, blue below; clipped at ±{max_z:g}).")

ABOVE, BELOW = (200, 60, 50), (50, 90, 200)      # a bar's colour: segment mean above / below the table's


def shown_profile_columns(prof: dict) -> np.ndarray:
    """Indices (file order) of the columns the profiles picture draws: all of them, or the
    MAX_PROFILE_COLUMNS whose segments differ most (largest |z| in any segment).  A
    5,000-column table drew a 70,000-pixel-tall picture for 4 s on the GUI thread (tester6 F12)."""
    z = np.nan_to_num(np.abs(np.asarray(prof["z"], dtype=np.float64)), nan=0.0)
    n = z.shape[1] if z.ndim == 2 else len(prof["columns"])
    if n <= MAX_PROFILE_COLUMNS:
        return np.arange(n)
    score = z.max(axis=0) if z.shape[0] else np.zeros(n)
    return np.sort(np.argsort(-score, kind="stable")[:MAX_PROFILE_COLUMNS])


def wrapped(text: str, font, width: float) -> list[str]:
    """`text` in lines of at most `width` px of `font` (a Pillow font), broken at spaces (a
    longer word keeps its own line)."""
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if line and font.getlength(trial) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + [line] if line else lines


def profiles_picture(prof: dict, bar_px: int = 18, max_z: float = 2.5, font_px: int = 13,
                     max_width: int = 1100) -> np.ndarray:
    """(H, W, 3) uint8 picture of the profiles `prof` (module docstring): one panel per segment,
    a bar per column for its standardised difference z (clipped to +-max_z standard deviations;
    blue below the table, red above); at most MAX_PROFILE_COLUMNS columns (shown_profile_columns),
    with a line saying so.

    Under each panel's bars a scale: the zero line with ticks at -max_z, -1, 0, +1, +max_z
    and labels "-2.5 SD", "0", "+2.5 SD"; at the foot the caption PROFILES_CAPTION (what a
    bar measures), so the exported file reads without the window (testerG #11: the scale was
    written only in the window's tab).  `bar_px` is each bar's row height and `font_px` the
    text size, in pixels; up to three panels share a row only while the picture stays within
    `max_width` px: three panels 1,380 px wide were shrunk to a page's width, their 10 px
    names to ~7 px (testerW #9).  A `prof` without the keys above raises KeyError."""
    from PIL import Image, ImageDraw

    font = text_font(font_px)
    keep = shown_profile_columns(prof)
    cols, segs = [str(prof["columns"][j]) for j in keep], prof["segments"]
    label_w = int(min(20 * font_px, 12 + max((font.getlength(one_line(c, 30)) for c in cols), default=4 * font_px)))
    half = 110
    margin = 30                       # right of the bars: room for the "+2.5 SD" label
    panel_w = label_w + 2 * half + margin
    head = font_px + 16
    bars_h = bar_px * len(cols)
    scale_h = font_px + 14            # the scale line, its ticks and their labels
    panel_h = head + 4 + bars_h + scale_h + 6
    per_row = max(1, min(3, len(segs), max_width // panel_w))
    nrow = math.ceil(len(segs) / per_row) if segs else 1
    width = panel_w * per_row
    cut = len(keep) < len(prof["columns"])
    caption = wrapped(PROFILES_CAPTION.format(max_z=max_z), font, width - 12)
    line_h = font_px + 6
    foot = (font_px + 10 if cut else 0) + len(caption) * line_h + 8
    img = Image.new("RGB", (width, panel_h * nrow + foot), "white")
    dr = ImageDraw.Draw(img)
    y = panel_h * nrow + 4
    if cut:
        dr.text((6, y), f"{len(keep)} of {count_text(len(prof['columns']), 'column')}: those whose segments "
                f"differ most (the CSV export has every column)", fill=(40, 40, 40), font=font)
        y += font_px + 10
    for line in caption:
        dr.text((6, y), line, fill=(40, 40, 40), font=font)
        y += line_h
    grey = (120, 120, 120)
    for i, s in enumerate(segs):
        ox, oy = (i % per_row) * panel_w, (i // per_row) * panel_h
        head_text = f"segment {s}: {count_text(int(prof['size'][i]), 'row')} ({prof['share'][i]:.0%})"
        dr.text((ox + 6, oy + 6), one_line(head_text), fill="black", font=font)
        cx = ox + label_w + half
        axis = oy + head + 2 + bars_h + 4
        dr.line([(cx, oy + head), (cx, axis)], fill=grey)           # zero: the table's mean
        dr.line([(cx - half, axis), (cx + half, axis)], fill=grey)
        for v in (-max_z, -1.0, 0.0, 1.0, max_z):
            x = cx + v / max_z * half
            dr.line([(x, axis), (x, axis + 4)], fill=grey)
        for v in (-max_z, 0.0, max_z):
            text = "0" if v == 0 else f"{v:+g} SD"     # ASCII: Pillow's fallback font has no U+2212
            # centred by measure, not anchor=: the fallback bitmap font takes no anchor
            dr.text((cx + v / max_z * half - font.getlength(text) / 2, axis + 6), text, fill=(40, 40, 40), font=font)
        for j, c in enumerate(cols):
            yb = oy + head + 2 + j * bar_px
            # one line: a column name may hold a line break (tester6 F30)
            dr.text((ox + 6, yb), one_line(c, 30), fill=(40, 40, 40), font=font)
            z = float(np.clip(prof["z"][i, keep[j]], -max_z, max_z))
            x1 = cx + z / max_z * half
            dr.rectangle([min(cx, x1), yb + 2, max(cx, x1), yb + bar_px - 3], fill=ABOVE if z > 0 else BELOW)
    return np.asarray(img).copy()
