"""Work on a trained map: clustering its nodes and quantising the full picture.

Both are generators driven like training (`Session.cluster_task`,
`Session.quantise_task`): they take the map as it is when they start (a frozen
MapState), yield `Progress`, check the CancelToken between steps, and post
their result to the session, which drops it if the dataset changed meanwhile.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np

from somdesk.core import cancel as cancel_mod
from somdesk.core.options import count_text
from somdesk.errors import SomdeskError
from somdesk.session.datasets import frozen_array
from somdesk.session.progress import ClusterResult, Progress, QuantisedPicture


def _trained_map(session):
    session._require()
    state = session.map
    if state is None or not state.measured:
        raise SomdeskError("train the map first")
    return state


def cluster_summary(labels: np.ndarray, bmus: np.ndarray, row_labels) -> tuple[str, ...]:
    """One line per cluster: "c: N rows" and, with labels, the share of its commonest label."""
    from somdesk.io.names import display_name     # one line each: a label's line break shown as \n

    of_row = labels[bmus[:, 0], bmus[:, 1]]
    lines = []
    for c in range(int(labels.max()) + 1):
        rows = np.flatnonzero(of_row == c)
        line = f"{c}: {count_text(len(rows), 'row')}"
        if row_labels is not None and len(rows):
            top = Counter(row_labels[i] for i in rows if row_labels[i]).most_common(1)
            if top:
                line += f" · {top[0][1] / len(rows):.0%} {display_name(top[0][0])}"
        lines.append(line)
    return tuple(lines)


def cluster_task(session, k: int, method: str = "ward", cancel=None):
    """Cluster the shown map's nodes into `k` segments (core.clustering.cluster_codebook:
    SOM-Ward, Murtagh 1995, or k-means); returns ClusterResult.  The clustering itself is one
    call, so the token is checked before and after it."""
    from somdesk.core.clustering import cluster_codebook

    state = _trained_map(session)
    gen = session.generation
    yield Progress("cluster", 0, 1, "maps", method)
    cancel_mod.check(cancel)
    labels = cluster_codebook(state.weights, int(k), seed=1, method=method, topology=state.config.topology,
                              toroidal=state.config.toroidal)
    cancel_mod.check(cancel)
    result = ClusterResult(frozen_array(labels, np.int64), int(labels.max()) + 1, method,
                           cluster_summary(labels, state.bmus, None))
    yield Progress("cluster", 1, 1, "maps", method)

    def apply():
        if gen == session.generation:
            session._set("clusters", result)
            session._changed()
    session._post(apply)
    return result


def quantise_task(session, cancel=None, dither: bool = False):
    """The full picture quantised by the palette fit of `somdesk quantize`, started from the
    shown map's colours (core.map_quantise.quantise_from_map: `somdesk quantize IN OUT.png
    --map M.somz [--dither]` runs the same code and writes the same file); returns
    QuantisedPicture.  `dither`: Floyd-Steinberg error diffusion, as `--dither`.

    The histogram and the palette fit are one step each (both check the token), then the
    pixels are remapped in slices of ~1 Mpx, yielding Progress in rows after each slice and
    checking the token between slices.  An opaque picture's palette is (K, 3)."""
    from somdesk.core.map_quantise import quantise_from_map_steps

    data = session._require("image")
    state = _trained_map(session)
    gen = session.generation
    pixels = data.pixels
    h = pixels.shape[0]
    yield Progress("quantise", 0, h, "rows")
    steps = quantise_from_map_steps(pixels, state.weights, dither=dither, cancel=cancel)
    while True:
        try:
            done, total = next(steps)
        except StopIteration as stop:
            indices, palette = stop.value
            break
        if done < total:
            yield Progress("quantise", done, total, "rows")
    if not data.has_alpha:
        palette = palette[:, :3]          # every entry opaque: the window's RGB palette
    indices.flags.writeable = False       # handed over: frozen_array keeps it without a copy
    # what follows the remap also goes in slices that check the token (tester7 #14: the PSNR,
    # the count of used entries and the picture shown took 4-7 s of a 100 Mpx picture unstoppably)
    yield Progress("quantise", h, h, "rows", "measuring")
    from somdesk.core.colour_histogram import distinct_colours

    # the original's colour count, for the side-by-side view's caption: counted here, off the
    # GUI thread (a 24 Mpx RGB photo: 0.84 s; RGBA ~0.2 s a Mpx)
    picture = replace(_quantised(pixels, indices, palette, cancel, shown=True), dithered=bool(dither),
                      source_colours=distinct_colours(pixels, cancel))
    yield Progress("quantise", h, h, "rows")

    def apply():
        if gen == session.generation:
            session._set("quantised", picture)
    session._post(apply)
    return picture


def _quantised(pixels, indices, palette, cancel=None, shown: bool = False) -> QuantisedPicture:
    """The QuantisedPicture of `indices` into `palette` for the picture `pixels`: PSNR and used
    entries in slices (core.map_quantise.indexed_measures), with the picture the window draws
    and the mean CIEDE2000 (`shown`: the full quantised picture; core.map_quantise.shown_small,
    indexed_delta_e) -- no full-size copy of the picture is made."""
    from somdesk.core.map_quantise import indexed_delta_e, indexed_measures, shown_small

    indices = frozen_array(indices)       # no copy when the remap's array is handed over (frozen)
    palette = frozen_array(palette)
    value, used = indexed_measures(pixels, indices, palette, cancel)
    small = delta_e = None
    if shown:
        # the full picture's CIEDE2000, as `somdesk quantize` prints it (a sample: ~0.1 s)
        delta_e = indexed_delta_e(pixels, indices, palette, cancel=cancel)
        h, w = indices.shape
        small = frozen_array(shown_small(h, w, lambda a, b: palette[indices[a:b]], cancel=cancel))
    if palette.shape[1] == 4:
        alpha = palette[:, 3]
        parts = tuple(int(np.count_nonzero(used & m)) for m in (alpha == 255, (alpha > 0) & (alpha < 255), alpha == 0))
    else:
        parts = (int(np.count_nonzero(used)), 0, 0)
    return QuantisedPicture(palette, indices, value, int(np.count_nonzero(used)), small, parts, delta_e)


def quantised_preview(pixels: np.ndarray, weights: np.ndarray, cache: dict | None = None) -> QuantisedPicture:
    """The picture `pixels` (a preview copy, (H, W, 3|4)) quantised to the colours of `weights`
    (rows, cols, 3): what the window shows while an image map trains (core.map_quantise;
    `cache`: ImageData.preview_colours, so a picture with alpha is counted and fitted once)."""
    from somdesk.core.map_quantise import quantise_with_map

    from somdesk.core.colour_histogram import distinct_colours

    indices, palette = quantise_with_map(pixels, weights, cache=cache)
    # the preview copy's colour count (side-by-side caption), counted once per picture
    count = cache.get("distinct") if cache is not None else None
    if count is None:
        count = distinct_colours(pixels)
        if cache is not None:
            cache["distinct"] = count
    return replace(_quantised(pixels, indices, palette), source_colours=count)
