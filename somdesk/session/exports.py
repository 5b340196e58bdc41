"""What the workspace writes out: pictures of the shown map, assignments, the quantised
picture, the organised palette.  Pictures come from `somdesk.render` using the shown
MapState's own U-matrix and hits, so an export is the screen's picture pixel for pixel.

    img, legend = view_picture(session, "umatrix", scale=8)    # (H, W, 3) uint8, render.Legend
    export_view(session, "out.png", "hits", scale=4, markers=True)
    export_quantised(session, "out.png")                       # image maps, indexed PNG
    img = compare_picture(session)                             # original | quantised, full size

The quantised picture is always written as `somdesk quantize` writes it (io.quantized_png:
an indexed PNG of the used colours, tRNS when the picture has transparency), whichever
export asks for it; on screen it is drawn over a checkerboard (QuantisedPicture.rgb).
"""
from __future__ import annotations

import numpy as np

from somdesk import render
from somdesk.errors import SomdeskError


def available_views(session) -> tuple[str, ...]:
    """The views that apply to the workspace now (render.VIEWS plus "quantised" and "compare",
    the original and the quantised picture side by side, for a quantised picture)."""
    kind, state = session.kind, session.map
    if kind is None or state is None:
        return ()
    views = ["colours", "strip"] if kind == "colours" else ["colours"] if kind == "image" else []
    if state.measured:
        views += ["umatrix", "hits"]
    if session.clusters is not None:
        views.append("clusters")
    if kind == "image" and session.quantised is not None:
        views += ["quantised", "compare"]
    return tuple(views)


def compare_captions(picture, nodes: int | None = None, title: str = "Quantised") -> tuple[str, str]:
    """The two captions of the side-by-side view of the QuantisedPicture `picture`: ("Original:
    61,211 colours", "Quantised: 16 colours, PSNR 27.50 dB, mean CIEDE2000 5.9") -- the words of
    `somdesk quantize` and the window's caption; the original's count only when it was counted
    (`source_colours`), the CIEDE2000 only when measured (not for the live preview).  `nodes`:
    the map's size (QuantisedPicture.colours_text), None for the palette's own count; `title`
    names the right-hand picture ("Live preview" while the map trains)."""
    from somdesk.core.options import count_text

    left = "Original" + (f": {count_text(picture.source_colours, 'colour')}"
                         if picture.source_colours is not None else "")
    colours = picture.colours_text(nodes) if nodes else count_text(picture.used, "colour")
    dithered = "dithered, " if picture.dithered else ""
    return left, f"{title}: {colours}, {dithered}{picture.quality_text()}"


def compare_picture(session, picture=None, *, shown: bool = False, nodes: int | None = None,
                    title: str = "Quantised", cancel=None) -> np.ndarray:
    """(H', W', 3) uint8: the original picture and `picture` (a QuantisedPicture; default the
    session's quantised picture) side by side with their captions (render.side_by_side,
    compare_captions).  Full size by default (what Export image writes); `shown`: the display
    copies the window draws (ImageData.small and QuantisedPicture.shown(), at most
    DISPLAY_MAX_SIDE a side, shrunk alike; a narrow one scaled up by `display_factor`).  A picture the size of the preview copy (the live
    preview) is set beside the preview copy.  SomdeskError without a quantised picture or over
    render's pixel limit; `Cancelled` when `cancel` is set."""
    return compare_drawing(session, picture, shown=shown, nodes=nodes, title=title)(cancel)


def compare_drawing(session, picture=None, *, shown: bool = False, nodes: int | None = None,
                    title: str = "Quantised"):
    """`compare_picture` as a function of a CancelToken (or None) that draws it: what it needs is
    taken now, so a task may draw it on its own thread.  SomdeskError now without a quantised
    picture."""
    data = session._require("image")
    q = session.quantised if picture is None else picture
    if q is None:
        raise SomdeskError("quantise the picture first")
    captions = compare_captions(q, nodes, title)
    full = q.indices.shape == data.pixels.shape[:2]
    if not full and q.indices.shape != data.preview.shape[:2]:
        raise SomdeskError("the quantised picture is not of the picture open")

    def draw(cancel=None) -> np.ndarray:
        if shown and full:
            left, right = data.small, q.shown()
        else:
            left, right = (data.pixels if full else data.preview), (q.palette, q.indices)
        k = display_factor(left.shape[1]) if shown else 1
        if k > 1:
            left = np.repeat(np.repeat(left, k, axis=0), k, axis=1)
            right = (np.repeat(np.repeat(right, k, axis=0), k, axis=1) if isinstance(right, np.ndarray)
                     else (right[0], np.repeat(np.repeat(right[1], k, axis=0), k, axis=1)))
        return render.side_by_side(left, right, captions, cancel=cancel)
    return draw


#: px: the window draws a narrower picture's side by side scaled up by a whole factor to about
#: this width a column.  An 80 px picture's (a 160 px column, 12 px captions) was magnified ~2.5x
#: to fit the map area, its captions big and blurry (testerI 8f); scaled up by whole pixels first
#: (nearest: still the picture's own pixels), the captions are drawn at the size they are seen
DISPLAY_COLUMN = 400


def display_factor(width: int) -> int:
    """The whole factor (>= 1) the window scales a `width` px picture's side by side by (DISPLAY_COLUMN)."""
    return max(1, DISPLAY_COLUMN // max(1, int(width)))


def map_space(session) -> str:
    """The colour space the workspace's map weights are in: a colour list's training space
    ("srgb", "lab", ... of its dataset), "srgb" for a picture's map and any other kind.  A map
    trained in another space is gamut-fitted to sRGB wherever it is shown as colours
    (`shown_weights`): the window's views, the palette export, the time-lapse frames."""
    if session.kind != "colours":
        return "srgb"
    return getattr(session.dataset, "space", None) or "srgb"


def shown_weights(weights: np.ndarray, space: str) -> np.ndarray:
    """(..., 3) weights in `space` as sRGB colours in [0, 1] to show (core.colour_space.fit_gamut:
    exact in gamut, else the OKLab chroma reduced), unchanged when `space` is "srgb"."""
    if space == "srgb":
        return weights
    from somdesk.core.colour_space import fit_gamut

    return fit_gamut(weights, space)


def node_colours(session, view: str, component: int = 0):
    """((rows, cols, 3) uint8, render.Legend) of `view` of the shown map."""
    state = session.map
    if state is None:
        raise SomdeskError("there is no map to show yet")
    weights = state.weights
    if render.view_name(view) in ("colours", "strip"):
        weights = shown_weights(weights, map_space(session))
    return render.node_colours(
        view, weights, umatrix=state.umatrix, hits=state.hits, component=component,
        clusters=None if session.clusters is None else session.clusters.labels, node_labels=state.node_labels)


def view_picture(session, view: str, scale: int = 4, markers: bool = False, component: int = 0,
                 legend: bool = False):
    """((H, W, 3) uint8 picture, render.Legend | None) of `view` at `scale` px per node;
    "quantised" is the quantised picture as the screen shows it (full size, no legend; a picture
    with alpha over a checkerboard -- export_view writes the indexed PNG instead); "compare" the
    original and the quantised picture side by side, full size (compare_picture).  With `legend`
    the picture has its colour bar (or category list) below it (render.with_legend)."""
    if view == "quantised":
        if session.quantised is None:
            raise SomdeskError("quantise the picture first")
        return session.quantised.rgb(), None
    if view == "compare":
        return compare_picture(session), None
    state = session.map
    nodes, how = node_colours(session, view, component)
    if markers and not state.measured:
        raise SomdeskError("markers need a trained map")
    inputs = session.dataset.colours if render.view_name(view) == "strip" else None   # sRGB
    img = render.picture(nodes, state.hexagonal, scale, state.bmus if markers else None, inputs)
    return (render.with_legend(img, how) if legend else img), how


def export_view(session, path, view: str, scale: int = 4, markers: bool = False, component: int = 0,
                legend: bool = False) -> None:
    """Write `view_picture(...)` as a PNG to `path` (atomically); the "quantised" view is written
    by `export_quantised` (indexed PNG, transparency kept)."""
    from somdesk.io.images import save_png

    if view == "quantised":
        export_quantised(session, path)
        return
    img, _legend = view_picture(session, view, scale, markers, component, legend)
    save_png(img, path)


def export_quantised(session, path) -> int:
    """Write the quantised picture as an indexed PNG (io.quantized_png.save_indexed_png, as the
    CLI: PLTE of the used entries, tRNS when any is translucent); returns its size in bytes."""
    from somdesk.io.quantized_png import save_indexed_png

    session._require("image")
    q = session.quantised
    if q is None:
        raise SomdeskError("quantise the picture first")
    return save_indexed_png(path, q.indices, q.palette)


def export_palette(session, path, n: int | None = None) -> int:
    """Write the map's colours in map order (render.organised_colours, `n` of them or all)
    as a palette file whose format follows the extension; returns the number of colours."""
    return export_palette_writer(session, path, n)()


def export_palette_writer(session, path, n: int | None = None):
    """`export_palette` in two parts: the map shown taken NOW (SomdeskError without a colour
    map), and the returned `write()` -- callable from another thread -- that orders its colours,
    writes the file atomically and returns their number."""
    from somdesk.io.palettes import Palette, write_palette

    state = session.map
    if state is None or session.kind not in ("colours", "image"):
        raise SomdeskError("only a colour map can be written as a palette")
    weights, space = np.array(state.weights, copy=True), map_space(session)
    title = f"{session.dataset.title} (organised)"

    def write() -> int:
        colours, _nodes = render.organised_colours(shown_weights(weights, space), n)
        write_palette(Palette.from_array(colours[:, :3], name=title), path)
        return len(colours)
    return write
