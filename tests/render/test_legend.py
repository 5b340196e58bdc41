"""Legends: nice ticks, labels that tell ticks apart, bars coloured by the same table (no Qt)."""
from __future__ import annotations

import numpy as np

from somdesk.render import category_colours, category_legend, colour_bar, lut, nice_ticks
from somdesk.render.legend import MAX_LEGEND_ROWS, tick_labels


def test_ticks_are_nice_and_inside_the_levels():
    assert nice_ticks(0.13, 0.87) == [0.2, 0.4, 0.6, 0.8]
    assert nice_ticks(0, 10) == [0, 2, 4, 6, 8, 10]
    assert nice_ticks(0, 137, 4) == [0, 50, 100]
    assert nice_ticks(3, 3) == [3]
    for lo, hi in [(-1.7, 2.2), (1e-4, 3e-4), (0, 1), (12345, 98765)]:
        t = nice_ticks(lo, hi)
        assert 2 <= len(t) <= 11 and all(lo - 1e-12 <= v <= hi + 1e-12 for v in t)


def test_labels_are_short_and_distinct():
    assert tick_labels([0.0, 0.5, 1.0]) == ["0.0", "0.5", "1.0"]
    assert tick_labels([0, 50, 100]) == ["0", "50", "100"]
    assert tick_labels([-1.0, 0.0]) == ["-1", "0"]     # ASCII: the built-in font has no U+2212


def test_colour_bar_uses_the_table_and_is_deterministic():
    a = colour_bar("inferno", (0.0, 42.0), length=256, thickness=10, title="inputs per node")
    b = colour_bar("inferno", (0.0, 42.0), length=256, thickness=10, title="inputs per node")
    np.testing.assert_array_equal(a, b)
    # some row of the picture is the 256 colours of the table, in order
    table = lut("inferno")
    found = any((a[y, x0:x0 + 256] == table).all() for y in range(a.shape[0]) for x0 in range(a.shape[1] - 255))
    assert found
    assert (a != 255).any(axis=2).sum() > 256 * 10       # and text besides the bar


def test_category_legend_lists_names():
    img = category_legend(["a", "b", "c"], category_colours(3))
    assert img.ndim == 3 and img.shape[0] >= 3 * 12
    assert any((img.reshape(-1, 3) == category_colours(3)[k]).all(axis=1).any() for k in range(3))
    many = category_legend([str(i) for i in range(100)], category_colours(100), max_rows=10)
    assert many.shape[0] < img.shape[0] * 5


def test_planes_sheet_wraps_every_plane_with_its_own_bar():
    from somdesk.render import node_colours, picture, planes_sheet

    rng = np.random.default_rng(1)
    w = rng.random((5, 6, 7))
    sheet = planes_sheet(w, [f"col{k}" for k in range(7)], hexagonal=True, scale=6, per_row=3)
    one = picture(node_colours("component", w, component=0)[0], True, 6)
    assert sheet.shape[1] < 4 * max(one.shape[1], 120) + 3 * 12          # wrapped after three planes
    # each plane appears in the sheet pixel for pixel
    for k in range(7):
        plane = picture(node_colours("component", w, component=k)[0], True, 6)
        py, px = plane.shape[0] // 2, plane.shape[1] // 2
        candidates = np.argwhere((sheet == plane[py, px]).all(axis=2)) - (py, px)
        hits = [(y, x) for y, x in candidates if y >= 0 and x >= 0 and y + plane.shape[0] <= sheet.shape[0]
                and x + plane.shape[1] <= sheet.shape[1]
                and (sheet[y:y + plane.shape[0], x:x + plane.shape[1]] == plane).all()]
        assert hits, k


def test_with_legend_adds_the_bar_below():
    from somdesk.render import node_colours, picture, with_legend

    w = np.random.default_rng(2).random((4, 4, 3))
    from somdesk.core.metrics import u_matrix
    nodes, legend = node_colours("umatrix", w, umatrix=u_matrix(w))
    img = picture(nodes, False, 10)
    both = with_legend(img, legend)
    assert both.shape[0] > img.shape[0] and (both[: img.shape[0], : img.shape[1]] == img).all()
    assert with_legend(img, None) is img


def test_count_ticks_are_whole_numbers():
    # a hit map of 0..2 inputs per node: 0, 1, 2 — never 0.5 or 1.5
    from somdesk.render.legend import nice_ticks, tick_labels
    assert 0.5 in nice_ticks(0.0, 2.0, 5)          # what a plain scalar bar would show
    ticks = nice_ticks(0.0, 2.0, 5, integer=True)
    assert ticks == [0.0, 1.0, 2.0]
    assert tick_labels(ticks) == ["0", "1", "2"]
    assert nice_ticks(0.0, 1.0, 5, integer=True) == [0.0, 1.0]
    assert all(t == int(t) for t in nice_ticks(0.0, 1234.0, 5, integer=True))


def test_hit_legend_is_marked_as_counts():
    import numpy as np
    from somdesk.render.views import hit_nodes, scalar_nodes
    _, legend = hit_nodes(np.array([[0, 1], [2, 3]]))
    assert legend.integer
    _, legend = scalar_nodes(np.array([[0.0, 1.0]]), "viridis")
    assert not legend.integer


# tester6 F30: a column name is any string a CSV header may hold; a line break in it crashed
# Pillow ("raqm_layout() failed") inside the map views' signal, or drew over the next line
AWKWARD_NAMES = ["line\nbreak", "tab\there", "cr\r\nlf", "nul\x00byte", "sep\u2028line", "x" * 300]


def test_one_line_makes_any_label_drawable_on_one_line():
    from somdesk.render.legend import MAX_LABEL_CHARS, one_line

    assert one_line("line\nbreak") == "line break"
    assert one_line("cr\r\nlf\t") == "cr lf"
    assert one_line("a\u2028b\x7fc\x85d") == "a b c d"
    assert one_line("Größe (cm) 東京 😀") == "Größe (cm) 東京 😀"       # printable text is kept
    long = one_line("x" * 300)
    assert len(long) == MAX_LABEL_CHARS and long.endswith("...")
    for name in AWKWARD_NAMES:
        assert one_line(name).isprintable()


def test_legends_draw_names_with_line_breaks_and_control_characters():
    from somdesk.render.sheets import planes_sheet

    for name in AWKWARD_NAMES:
        bar = colour_bar("viridis", (0.0, 1.0), title=name)
        # drawn as its one-line form: the same pixels
        np.testing.assert_array_equal(bar, colour_bar("viridis", (0.0, 1.0), title=name.replace("\n", " ")
                                                      .replace("\t", " ").replace("\r ", " ").replace("\x00", " ")
                                                      .replace("\u2028", " ").replace("x" * 300, "x" * 77 + "...")))
    img = category_legend(AWKWARD_NAMES, category_colours(len(AWKWARD_NAMES)))
    assert img.shape[1] < 800                       # the 300-character name is clipped
    sheet = planes_sheet(np.random.default_rng(0).random((4, 5, len(AWKWARD_NAMES))), AWKWARD_NAMES)
    assert sheet.ndim == 3


def test_a_long_category_list_is_capped_with_and_n_more():
    # tester6 F22: 150 labels made a legend taller than the screen
    from somdesk.render.legend import MAX_LEGEND_ROWS

    few = category_legend([f"n{k}" for k in range(MAX_LEGEND_ROWS)], category_colours(MAX_LEGEND_ROWS))
    many = category_legend([f"n{k}" for k in range(150)], category_colours(150))
    assert many.shape[0] == few.shape[0]                      # 16 rows either way
    # the last row is text only ("... and 135 more"), no swatch of the 16th colour
    assert not (many.reshape(-1, 3) == category_colours(150)[MAX_LEGEND_ROWS - 1]).all(axis=1).any()
    assert (few.reshape(-1, 3) == category_colours(150)[MAX_LEGEND_ROWS - 1]).all(axis=1).any()


def legend_swatches(pic: np.ndarray, swatch: int = 12) -> int:
    """How many outlined swatches (category_legend's entries but "... and N more") `pic` holds."""
    black = (np.asarray(pic) == 0).all(axis=2)
    found = 0
    for y, x in zip(*np.nonzero(black)):
        if y + swatch > black.shape[0] or x + swatch > black.shape[1]:
            continue
        box = black[y:y + swatch, x:x + swatch]
        if box[0].all() and box[-1].all() and box[:, 0].all() and box[:, -1].all() and not box[1:-1, 1:-1].any():
            found += 1
    return found


def test_a_legend_in_columns_shows_every_entry_in_short_columns():
    # tester F #8: a table map's segment list runs down columns of 6 rows, seen whole under the map
    names = [f"segment {k}" for k in range(12)]
    one = category_legend(names, category_colours(12))
    two = category_legend(names, category_colours(12), rows_per_column=6, max_width=360)
    assert legend_swatches(one) == legend_swatches(two) == 12
    assert one.shape[0] == 12 * 16 + 2 and two.shape[0] == 6 * 16 + 2
    assert one.shape[1] < two.shape[1] <= 360
    # 6 entries or fewer stay one column; a column-major order: entry 6 heads the second column
    assert category_legend(names[:6], category_colours(6), rows_per_column=6).shape == \
        category_legend(names[:6], category_colours(6)).shape
    c6 = tuple(category_colours(12)[6])
    ys, xs = np.nonzero((two == c6).all(axis=2))
    assert ys.min() < 16 and xs.min() > one.shape[1] - 20
    # columns that do not fit the width fold back into taller ones (one column at least)
    long = [f"a long segment name number {k}" for k in range(12)]
    narrow = category_legend(long, category_colours(12), rows_per_column=6, max_width=200)
    assert narrow.shape[0] == 12 * 16 + 2 and legend_swatches(narrow) == 12
    # the cap still holds: 16 entries in all, the last "... and N more"
    many = category_legend([f"n{k}" for k in range(150)], category_colours(150), rows_per_column=6)
    assert legend_swatches(many) == MAX_LEGEND_ROWS - 1 and many.shape[0] == 6 * 16 + 2
