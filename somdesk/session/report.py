"""The table map report: one self-contained HTML file (no external resources).

    prof = table_profiles(tm, table)                 # segment profiles over the table's rows
    write_report("report.html", tm, prof, title="customers.csv")

Pictures are PNGs inlined as data: URIs, drawn by somdesk.render (the same colour
tables and hexagon geometry as the window and `somdesk train --out`): the segments,
U-matrix and hit map, the validity curve with the suggested k, the segment profiles,
one component plane per feature (passive columns included, in the file's units), and with a
label column its majority label per node and segment (session.table_labels).
Styles are inline; there are no scripts, fonts or links, so the file opens the same
in any browser, offline.

A map shown without its table (reopened, its file gone: `prof` None) still reports:
segments, U-matrix, planes, and hits and segment sizes counted over the training rows
the map keeps (`tm.inputs`); there is no profiles section, since profiles need the
file's columns in its units (the kept rows are normalised, filled, active columns only).
"""
from __future__ import annotations

import base64
import html
import io
import math
from dataclasses import replace

import numpy as np

from somdesk.core.masked_som import masked_bmus
from somdesk.core.options import count_text
from somdesk.io.names import display_name

__all__ = ["table_profiles", "table_top_items", "ratings_scale_problem", "map_picture", "plane_picture", "curve_picture", "report_html", "write_report"]

MAX_PLANES = 60


def table_profiles(tm, table, cancel=None, segments: np.ndarray | None = None, cells: dict | None = None) -> dict:
    """Segment profiles (session.segments.segment_profiles) of the map's features in the file's
    units over the rows in memory of `table` (one-hot features give each category's share).
    `segments` (N,) int: each row's segment (-1: none) when the rows are assigned already
    (assign_cells' "segment"); None: assigned here.  `cells`: the rows' cells already made
    (session.table_assign.row_cells, every recipe column); None: made here.  ValueError for
    `segments` of another length."""
    from somdesk.session.segments import segment_profiles
    from somdesk.session.table_assign import row_cells

    r = tm.recipe
    cells = cells if cells is not None else row_cells(tm, table)
    seg = _segments_of(tm, table, cells, cancel, segments)
    x = r.transform(cells)
    units = r.offset + x * np.where(r.scale > 0, r.scale, 0.0)
    units = np.where(r.scale > 0, units, np.where(np.isnan(x), np.nan, r.offset))
    return segment_profiles(units, r.features, seg)


def _segments_of(tm, table, cells, cancel, segments) -> np.ndarray:
    """(N,) the segment of each row in memory of `table`: `segments` checked, or assigned from
    `cells` (row_cells; None: read here, the placing columns only)."""
    from somdesk.session.table_assign import assign_cells, row_cells

    if segments is None:
        cells = cells if cells is not None else row_cells(tm, table, placing_only=True)
        return assign_cells(tm, cells, cancel)["segment"]
    seg = np.asarray(segments)
    if seg.shape != (table.n_rows,):
        raise ValueError(f"segments {seg.shape} for {count_text(table.n_rows, 'row')}")
    return seg


def _png(rgb: np.ndarray) -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8)).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _scale_for(h: int, w: int, target: int = 320) -> int:
    return int(max(3, min(24, target // max(h, w, 1))))


def map_picture(nodes_rgb: np.ndarray, hexagonal: bool, target: int = 320) -> np.ndarray:
    """(Hpx, Wpx, 3) uint8 picture of per-node colours (H, W, 3)."""
    from somdesk.render.geometry import layout
    h, w = nodes_rgb.shape[:2]
    return layout(nodes_rgb, hexagonal, _scale_for(h, w, target))


def _stack(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    w = max(top.shape[1], bottom.shape[1])
    pad = lambda a: np.pad(a, ((0, 0), (0, w - a.shape[1]), (0, 0)), constant_values=255)  # noqa: E731
    return np.concatenate([pad(top), np.full((4, w, 3), 255, np.uint8), pad(bottom)], axis=0)


def plane_picture(values: np.ndarray, hexagonal: bool, cmap: str = "viridis", title: str | None = None,
                  target: int = 220, integer: bool = False) -> np.ndarray:
    """A scalar field (H, W) on the map with its colour bar below (NaN nodes light grey);
    `integer` for counts (whole-number ticks)."""
    from somdesk.render.colour_tables import levels_of, scalar_rgb
    from somdesk.render.legend import colour_bar
    v = np.asarray(values, dtype=np.float64)
    levels = levels_of(v)
    rgb = scalar_rgb(v, cmap, levels)
    rgb[~np.isfinite(v)] = (220, 220, 220)
    pic = map_picture(rgb, hexagonal, target)
    return _stack(pic, colour_bar(cmap, levels, length=max(120, pic.shape[1] - 10), title=title, integer=integer))


def curve_picture(curve: dict, width: int = 360, height: int = 220) -> np.ndarray:
    """(height, width, 3) uint8: the validity curve -- Davies-Bouldin (blue, low = good) and
    silhouette (orange, high = good) against k, each scaled to its own range (the legend gives
    both ranges), the suggested k marked with its label above the plot, never over a curve."""
    from PIL import Image, ImageDraw, ImageFont
    img = Image.new("RGB", (width, height), "white")
    if not curve or not curve.get("k"):
        return np.asarray(img)
    dr = ImageDraw.Draw(img)
    font = ImageFont.load_default()
    ks = list(curve["k"])
    left, right, top, bottom = 20, width - 30, 20, height - 48
    x = lambda k: left + (k - ks[0]) / max(1, ks[-1] - ks[0]) * (right - left)  # noqa: E731
    dr.rectangle([left, top, right, bottom], outline=(160, 160, 160))
    legend = []
    for name, colour, what in (("davies_bouldin", (40, 90, 200), "Davies-Bouldin, low = good"),
                               ("silhouette", (230, 120, 20), "silhouette, high = good")):
        vals = [v if v is not None and math.isfinite(v) else math.nan for v in curve.get(name, [])]
        fin = [v for v in vals if math.isfinite(v)]
        if len(fin) < 1:
            continue
        lo, hi = min(fin), max(fin)
        y = lambda v: bottom - (v - lo) / (hi - lo if hi > lo else 1.0) * (bottom - top)  # noqa: E731
        pts = [(x(k), y(v)) for k, v in zip(ks, vals) if math.isfinite(v)]
        if len(pts) > 1:
            dr.line(pts, fill=colour, width=2)
        for p in pts:
            dr.ellipse([p[0] - 2, p[1] - 2, p[0] + 2, p[1] + 2], fill=colour)
        legend.append((f"{what} ({lo:.2f} to {hi:.2f})", colour))
    s = curve.get("suggested")
    if s in ks:
        dr.line([(x(s), top), (x(s), bottom)], fill=(200, 30, 30), width=1)
        label = f"suggested k = {s}"
        tw = dr.textlength(label, font=font)
        dr.text((min(max(left, x(s) - tw / 2), right - tw), 3), label, fill=(200, 30, 30), font=font)
    for k in ks:
        dr.text((x(k) - 3, bottom + 4), str(k), fill="black", font=font)
    dr.text((right + 14, bottom + 4), "k", fill="black", font=font)
    for row, (text, colour) in enumerate(legend):
        yy = bottom + 20 + 13 * row
        dr.rectangle([left, yy + 3, left + 10, yy + 7], fill=colour)
        dr.text((left + 15, yy), text, fill=(60, 60, 60), font=font)
    return np.asarray(img)


def _img(rgb: np.ndarray, alt: str) -> str:
    data = base64.b64encode(_png(rgb)).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def label_picture(majority: np.ndarray, segments: int):
    """((H, W, 3) uint8 node colours, render.Legend) of each node's majority label (H, W)
    object, None = no labelled row (render.EMPTY_NODE), in the category colours that come
    after the first `segments`: the segments above use those, and the labels drawn in them
    too read as the segments they are not ("segment 0 blue is mostly class_1 orange", testerW #9)."""
    from somdesk import render
    from somdesk.render.colour_tables import category_colours

    _rgb, legend = render.node_colours("labels", np.zeros(majority.shape + (1,)), node_labels=majority)
    n = len(legend.names)
    colours = category_colours(segments + n)[segments:]
    index = {name: c for c, name in enumerate(legend.names)}
    codes = np.array([-1 if v is None or str(v) == "" else index.get(str(v), -1) for v in majority.ravel()],
                     dtype=np.int64).reshape(majority.shape)
    rgb = np.empty(majority.shape + (3,), dtype=np.uint8)
    rgb[...] = render.EMPTY_NODE
    rgb[codes >= 0] = colours[codes[codes >= 0]]
    return rgb, replace(legend, colours=colours)


def _labels_section(lc, clusters, hexagonal: bool) -> str:
    """The "Labels" section of a map with label counts `lc` (session.table_labels.LabelCounts):
    the purity sentence, the map of each node's majority label with its legend, and the table of
    segment -> top label, purity, next labels."""
    from somdesk import render
    from somdesk.render.colour_tables import category_colours
    from somdesk.session.table_labels import node_majority, node_purity, segment_labels

    def esc(text) -> str:
        return html.escape(display_name(text))

    majority = node_majority(lc)
    k = int(np.max(clusters)) + 1 if np.size(clusters) else 0
    rgb, legend = label_picture(majority, k)
    parts = [f"<h2>Labels ({esc(lc.column)})</h2>",
             f"<p>The label column is not trained on. Each node's majority label is the row's own label for "
             f"{node_purity(lc):.1%} of the {int(lc.counts.sum()):,} labelled training rows.</p>",
             '<div class="row">',
             f"<figure>{_img(map_picture(rgb, hexagonal), 'majority labels')}<figcaption>Majority label of each "
             "node (dark grey: no labelled row)</figcaption></figure>"]
    if legend.names:
        names = [display_name(n) for n in legend.names]
        parts.append(f"<figure>{_img(render.category_legend(names, legend.colours), 'labels')}</figure>")
    parts.append("</div>")
    colours = category_colours(max(1, k))
    rows = ["<table><tr><th>segment</th><th>colour</th><th>labelled rows</th><th>top label</th><th>rows</th>"
            "<th>purity</th><th style=\"text-align:left\">next labels</th></tr>"]
    for s in segment_labels(lc, clusters):
        c = "#%02x%02x%02x" % tuple(int(v) for v in colours[s["segment"]])
        top = esc(s["top"]) if s["top"] is not None else "-"
        purity = f"{s['purity']:.1%}" if s["rows"] else "-"
        after = ", ".join(f"{esc(n)} ({v:,})" for n, v in s["next"])
        rows.append(f'<tr><td>{s["segment"]}</td><td><span class="sw" style="background:{c}"></span></td>'
                    f'<td>{s["rows"]:,}</td><td style="text-align:left">{top}</td><td>{s["count"]:,}</td>'
                    f'<td title="the top label\'s share of the labelled rows">{purity}</td>'
                    f'<td style="text-align:left">{after}</td></tr>')
    parts.append("\n".join(rows) + "</table>")
    return "\n".join(parts)


def table_top_items(tm, table, n: int = 10, cancel=None, segments: np.ndarray | None = None) -> dict:
    """Per segment, the `n` items its rows rate highest (session.segments.top_items) over the
    rows in memory of a ratings-style `table` (users x items, a missing cell = not rated): the
    items are the map's numeric placing columns, in the file's units.  Issue 13's recommender
    use case (tester8 #6).  `segments` (N,) int: each row's segment (-1: none) when the rows
    are assigned already; None: assigned here.  {segment: [(item, mean, count, lift)]}."""
    from somdesk.session.segments import top_items

    seg = _segments_of(tm, table, None, cancel, segments)
    items = _rating_items(tm.recipe)
    ratings = np.column_stack([table.cells(c) for c in items]) if items else np.zeros((len(seg), 0))
    return top_items(ratings, items, seg, n=n)


def _rating_items(recipe) -> list[str]:
    """The items of a ratings table: the recipe's numeric placing columns, in order."""
    from somdesk.session.table_assign import placing_columns

    placing = placing_columns(recipe)
    return [c for c in recipe.numeric_columns if c in placing]


def ratings_scale_problem(recipe, table) -> str | None:
    """Why the items of `table_top_items` -- the numeric placing columns of `recipe` (a trained
    map's, or a preparation's before training), over the rows in memory of `table` -- are not
    ratings on one scale, else None (tester9 #3: penguins' body_mass_g, mean 3402 g, came out as
    "item" 1; tester13 #4: income ranked above visits).  The rule ("one rating scale"): the items'
    means differ by at most three times the median item's range (max - min); on a ratings table
    every mean lies within the scale, which any item's range nearly spans.  The text ("these
    columns are on different scales: ...") names the lowest and highest mean and the rule, for
    the CLI's refusal."""
    stats = []
    for c in _rating_items(recipe):
        v = table.cells(c)
        v = v[np.isfinite(v)]
        if v.size:
            stats.append((c, float(v.mean()), float(v.max() - v.min())))
    if len(stats) < 2:
        return None
    spread = float(np.median([t[2] for t in stats]))
    lo, hi = min(stats, key=lambda t: t[1]), max(stats, key=lambda t: t[1])
    if hi[1] - lo[1] <= 3 * spread:
        return None
    def num(x: float) -> str:           # 49,340 rather than 4.934e+04
        return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"
    return (f"these columns are on different scales: {lo[0]!r} averages {num(lo[1])} and {hi[0]!r} "
            f"{num(hi[1])}, means further apart than three times a column's usual range ({num(spread)})")


def _top_table(top: dict) -> str:
    """The top items of `top` ({segment: [(item, mean, count, lift), ...]}) as one HTML table."""
    rows = ["<table><tr><th>segment</th><th>rank</th><th style=\"text-align:left\">item</th><th>mean rating</th>"
            "<th>ratings</th><th>lift</th></tr>"]
    for s, entries in sorted(top.items()):
        for k, (item, mean, count, lift) in enumerate(entries, 1):
            rows.append(f"<tr><td>{s}</td><td>{k}</td><td style=\"text-align:left\">{html.escape(display_name(item))}</td>"
                        f"<td>{mean:.3g}</td><td>{count:,}</td><td>{lift:+.3g}</td></tr>")
    return "\n".join(rows) + "</table>"


def report_html(tm, prof: dict | None, title: str = "table", top: dict | None = None,
                top_note: str | None = None) -> str:
    """The report as one HTML string (see module docstring).  `prof` None: the map's table is
    not open (a reopened map whose file is gone) -- segments, U-matrix, planes and the hits
    and segment sizes of the training rows the map keeps (`tm.inputs`), no profiles section.
    `top_note`: a warning above the top items (session.unrated.map_zero_warning)."""
    from somdesk.core.metrics import u_matrix
    from somdesk.render.colour_tables import category_colours
    from somdesk.session.segments import profiles_png

    hexagonal = tm.config.topology == "hexagonal"
    h, w = tm.codebook.shape[:2]
    seg = tm.clusters if tm.clusters is not None else np.zeros((h, w), np.int64)
    kept = tm.inputs is not None and len(tm.inputs) > 0
    if kept:     # the training rows the map keeps: its hits whether or not its table is open
        idx, _ = masked_bmus(tm.codebook, tm.inputs)
        hits = np.bincount(idx, minlength=h * w).reshape(h, w).astype(np.float64)
    else:
        idx, hits = np.zeros(0, np.int64), np.full((h, w), np.nan)
    seg_rgb = category_colours(int(seg.max()) + 1)[seg]
    n_rows = "an unknown number of"
    if kept:        # an in-memory map's epochs trained on at most TRAIN_ROWS of its rows (table_size)
        from somdesk.session.table_size import trained_rows
        trained = trained_rows(len(tm.inputs))
        n_rows = f"{len(tm.inputs):,}" if trained == len(tm.inputs) else f"{trained:,} of {len(tm.inputs):,}"
    parts = [f"<h1>{html.escape(title)}: table map</h1>",
             f"<p>{h} x {w} {'hexagonal' if hexagonal else 'rectangular'} map, {count_text(tm.config.iterations, 'epoch')} on "
             f"{count_text(n_rows, 'row')}; quantization error {tm.quantization_error:.4g}, topographic error "
             f"{tm.topographic_error:.3f}; {count_text(tm.k, 'segment')} ({html.escape(tm.cluster_method)}), suggested k "
             f"{tm.curve.get('suggested', '-')}.</p>",
             '<div class="row">',
             f"<figure>{_img(map_picture(seg_rgb, hexagonal), 'segments')}<figcaption>Segments</figcaption></figure>",
             f"<figure>{_img(plane_picture(u_matrix(tm.codebook, hexagonal), hexagonal, 'inferno', None, 320), 'U-matrix')}"
             "<figcaption>U-matrix (distance to neighbours)</figcaption></figure>",
             f"<figure>{_img(plane_picture(hits, hexagonal, 'viridis', None, 320, integer=True), 'hits')}"
             f"<figcaption>Hits ({'training ' if prof is None else ''}rows per node)</figcaption></figure>",
             f"<figure>{_img(curve_picture(tm.curve), 'validity curve')}<figcaption>Choosing k</figcaption></figure>",
             "</div>", "<h2>Segment sizes</h2>"]
    if prof is None:
        # the map's table is not open (a reopened map whose file is gone): sizes count the
        # training rows the map keeps; profiles need the file's columns in its units, which
        # the kept rows (normalised, missing cells filled, no passive columns) cannot give
        sizes = np.bincount(seg.reshape(-1)[idx], minlength=max(1, tm.k)) if kept else None
        sizes_prof = None if sizes is None else {"segments": list(range(len(sizes))), "size": sizes,
                                                 "share": sizes / max(1, sizes.sum())}
        parts.append("<p>The map's table is not open: " + (
            "sizes count the training rows the map keeps." if kept else "the map keeps no training rows to count.")
            + "</p>")
        if sizes_prof is not None:
            parts.append(_sizes_table(sizes_prof))
        parts.append("<h2>Segment profiles</h2><p>Segment profiles need the map's table: open it and export "
                     "the report again.</p>")
    else:
        parts.append(_sizes_table(prof))
        parts.append("<h2>Segment profiles</h2><p>Bars: the segment's mean minus the whole table's mean, "
                     "in standard deviations of the table (red above, blue below).</p>")
        parts.append(_img(np.asarray(profiles_png(prof)), "segment profiles"))
        parts.append(_profile_table(prof))
    if top is not None:
        parts.append("<h2>Top items per segment</h2><p>The items each segment's rows rate highest among those it "
                     "rates above the table (at least 3 ratings in the segment, lift above 0); lift: the segment's "
                     "mean minus the item's mean over every row.</p>")
        if top_note:       # zeros that may mean "not rated" (testerG #4), for a reader of the file
            from somdesk.core.choice_words import both_words
            parts.append(f'<p class="warning"><b>Warning:</b> {html.escape(both_words(top_note))}</p>')
        parts.append(_top_table(top))
    lc = getattr(tm, "label_counts", None)
    if lc is not None and lc.column == tm.label_column:     # --label: majority labels (tester11)
        parts.append(_labels_section(lc, seg, hexagonal))
    names, planes = tm.planes_in_units()
    parts.append("<h2>Component planes</h2><div class=\"row\">")
    for j, name in enumerate(names[:MAX_PLANES]):
        passive = "" if tm.recipe.active[j] else " (passive)"
        parts.append(f"<figure>{_img(plane_picture(planes[:, :, j], hexagonal), display_name(name))}"
                     f"<figcaption>{html.escape(display_name(name))}{passive}</figcaption></figure>")
    if len(names) > MAX_PLANES:
        parts.append(f"<p>... and {len(names) - MAX_PLANES} more planes.</p>")
    parts.append("</div>")
    style = ("body{font-family:sans-serif;margin:24px;color:#222}img{max-width:100%;height:auto}figure{display:inline-block;margin:8px;"
             "vertical-align:top}figcaption{font-size:13px;text-align:center}.row{display:flex;flex-wrap:wrap}"
             "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:2px 8px;"
             "text-align:right}.sw{display:inline-block;width:14px;height:14px}")
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + html.escape(title) +
            f" - somdesk report</title><style>{style}</style></head><body>" + "\n".join(parts) + "</body></html>\n")


def _sizes_table(prof: dict) -> str:
    """The segment sizes table of `prof` ({"segments", "size", "share"})."""
    from somdesk.render.colour_tables import category_colours

    rows = ["<table><tr><th>segment</th><th>colour</th><th>rows</th><th>share</th></tr>"]
    colours = category_colours(max(1, len(prof["segments"]) and max(prof["segments"]) + 1))
    for i, s in enumerate(prof["segments"]):
        c = "#%02x%02x%02x" % tuple(int(v) for v in colours[s])
        rows.append(f'<tr><td>{s}</td><td><span class="sw" style="background:{c}"></span></td>'
                    f"<td>{int(prof['size'][i]):,}</td><td>{prof['share'][i]:.1%}</td></tr>")
    return "\n".join(rows) + "</table>"


def _profile_table(prof: dict) -> str:
    rows = ["<table><tr><th>column</th><th>table mean</th>" +
            "".join(f"<th>seg {s} mean</th>" for s in prof["segments"]) + "</tr>"]
    for j, c in enumerate(prof["columns"]):
        values = [prof["all_mean"][j]] + [prof["mean"][i, j] for i in range(len(prof["segments"]))]
        d = _decimals(values)
        cells = "".join(f"<td>{_fmt(v, d)}</td>" for v in values[1:])
        rows.append(f"<tr><td style=\"text-align:left\">{html.escape(display_name(c))}</td>"
                    f"<td>{_fmt(values[0], d)}</td>{cells}</tr>")
    return "\n".join(rows) + "</table>"


MAX_DECIMALS = 12


def _decimals(values) -> int:
    """Decimals for one column's means: 4 significant digits of the largest, and at least 2 of
    the spread between them, so means that differ show differently (tester8 #15: a passive
    `year` of 2007.8 ... 2008.4 read 2008 in every segment at 4 significant digits)."""
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=np.float64)
    if not v.size:
        return 0
    big = float(np.abs(v).max())
    d = 3 - math.floor(math.log10(big)) if big > 0 else 0
    spread = float(v.max() - v.min())
    if spread > big * 1e-9:             # beyond float noise
        d = max(d, 1 - math.floor(math.log10(spread)))
    return int(min(max(d, 0), MAX_DECIMALS))


def _fmt(x, decimals: int) -> str:
    return "" if not np.isfinite(x) else f"{float(x):.{decimals}f}"


def write_report(path, tm, prof: dict | None, title: str = "table", top: dict | None = None,
                 top_note: str | None = None) -> None:
    """Write the report atomically (SomdeskError on an unwritable path); `top` (table_top_items)
    adds the top items per segment, `top_note` a warning above them (report_html)."""
    from somdesk.io.atomic import atomic_open
    with atomic_open(path, "w", encoding="utf-8") as f:
        f.write(report_html(tm, prof, title, top, top_note))
