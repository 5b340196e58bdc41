"""Pictures of maps, no Qt and no files: node colours per view, the colour tables,
square and true-hexagon geometry, markers, legends, the input strip, the segment profiles and
original | quantised pictures side by side.

    from somdesk import render
    nodes, legend = render.node_colours("umatrix", weights, umatrix=u)
    img = render.picture(nodes, hexagonal=True, scale=8)          # (H, W, 3) uint8
    bar = render.colour_bar(legend.cmap, legend.levels)

The window, the PNG export, the clipboard, the time-lapse, `somdesk train --out`
and the smoke test all draw through here, so they agree pixel for pixel.
"""
from somdesk.render.colour_tables import (BACKGROUND, EMPTY_NODE, category_colours, index_of, levels_of, lut,
                                          scalar_rgb, to_rgb8)
from somdesk.render.compare import side_by_side, side_by_side_size
from somdesk.render.geometry import MAX_SCALE, index_image, layout, node_at, node_centres, picture_size
from somdesk.render.outlines import OUTLINE_MIN_PX, outline_width, outlined
from somdesk.render.legend import category_legend, colour_bar, nice_ticks
from somdesk.render.markers import draw_markers
from somdesk.render.organised import ORGANISED_SIZES, organised_colours, organised_sizes, sample_grid
from somdesk.render.profiles import profiles_picture, shown_profile_columns
from somdesk.render.sheets import legend_picture, plane_cells, planes_sheet, stack, tile_cells, with_legend
from somdesk.render.strip import input_strip, strip_and_map
from somdesk.render.views import (ALIASES, VIEW_LABELS, VIEWS, Legend, node_colours, picture, render_view,
                                  view_name, view_size)

__all__ = ["BACKGROUND", "EMPTY_NODE", "category_colours", "index_of", "levels_of", "lut", "scalar_rgb",
           "to_rgb8", "MAX_SCALE", "index_image", "layout", "node_at", "node_centres", "picture_size",
           "OUTLINE_MIN_PX", "outline_width", "outlined",
           "category_legend", "colour_bar", "nice_ticks", "draw_markers", "ORGANISED_SIZES", "organised_colours",
           "organised_sizes", "sample_grid", "profiles_picture", "shown_profile_columns", "side_by_side",
           "side_by_side_size", "legend_picture", "planes_sheet", "plane_cells", "tile_cells", "stack",
           "with_legend", "input_strip", "strip_and_map", "ALIASES", "VIEW_LABELS", "VIEWS", "Legend",
           "node_colours", "picture", "render_view", "view_name", "view_size"]
