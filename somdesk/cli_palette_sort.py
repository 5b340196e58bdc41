"""`somdesk palette sort` and `somdesk palette info --duplicates` (issue 15).

    somdesk palette sort IN OUT [--space oklab] [--layout strip|grid] [--seed N]
    somdesk palette info FILE --duplicates [--threshold 2.3] [--json]

`sort` reorders the palette's own swatches (names and every other field kept, nothing
added or lost) along a trained map, see somdesk.core.colour_sort; OUT's extension
picks the format. `--duplicates` lists groups of colours closer than a CIEDE2000
threshold, see somdesk.core.colour_duplicates. No Qt here.
"""
from __future__ import annotations

import argparse
import json
import sys

from somdesk.cli_outputs import print_warning
from somdesk.core.colour_space import SPACES
from somdesk.io.names import display_name


def register(sub, info: argparse.ArgumentParser) -> None:
    """Add `sort` to the palette subparsers and --duplicates/--threshold to `info`."""
    p = sub.add_parser("sort", help="reorder a palette's own colours along a trained map",
                       description="Reorder IN's colours so neighbours look alike (a ring SOM, then "
                                   "2-opt on CIEDE2000; docs/colour.md) and write OUT; OUT's "
                                   "extension picks the format. Names are kept; nothing is added or lost.")
    p.add_argument("input", metavar="IN", help="palette to read")
    p.add_argument("output", metavar="OUT", help="file to write (replaced atomically; IN only with --force)")
    p.add_argument("--space", default="oklab", help=f"space the map trains in: {' | '.join(SPACES)} "
                   "(default %(default)s)")
    p.add_argument("--layout", default="strip", choices=("strip", "grid"),
                   help="strip: one row, neighbours alike; grid: rows of ~sqrt(N) colours, "
                   "alike across and down (default %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="seed of the map (default %(default)s)")
    p.add_argument("--index", type=int, default=0, metavar="K",
                   help="which palette of a collection file (0 = the first)")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    p.add_argument("--force", action="store_true",
                   help="allow OUT to be IN: the palette is replaced by its sorted copy")
    from somdesk.cli_palette import add_format_option
    add_format_option(p)
    p.set_defaults(func=cmd_sort)
    info.add_argument("--duplicates", action="store_true",
                      help="list groups of near-duplicate colours (CIEDE2000 below --threshold)")
    info.add_argument("--threshold", type=float, default=None, metavar="DE",
                      help="CIEDE2000 below which colours count as duplicates (default 2.3)")
    plain = info.get_default("func")

    def info_or_duplicates(ns: argparse.Namespace) -> int:
        if ns.duplicates:
            return cmd_duplicates(ns)
        if ns.threshold is not None:
            from somdesk.errors import OptionError
            raise OptionError("--threshold goes with --duplicates")
        return plain(ns)

    info.set_defaults(func=info_or_duplicates)


def _read(path: str, index: int):
    """The palette at `index` of `path` (collections where the reader supports them)."""
    from somdesk.io import palettes as io

    if hasattr(io, "read_palettes") and hasattr(io, "pick_palette"):
        return io.pick_palette(io.read_palettes(path), index, path)
    if index != 0:
        from somdesk.errors import OptionError
        raise OptionError("--index needs a collection file")
    return io.read_palette(path)


def cmd_sort(ns: argparse.Namespace) -> int:
    from somdesk.io.names import display_name
    from somdesk.core.options import count_text
    from somdesk.core.colour_sort import sort_palette
    from somdesk.cli_palette import output_format
    from somdesk.io.palettes import FORMAT_LABELS, write_losses, write_palette

    from somdesk.cli_outputs import check_writable, output_name, wrote_text

    fmt = output_format(ns)          # fail before any work (OUT's extension or --format)
    # the file order and what OUT's format does not keep (groups, names) would be gone: forced only
    check_writable(ns.output, inputs=() if ns.force else [ns.input], force_flag="--force")
    from somdesk.cli_interrupt import token
    from somdesk.cli_progress import RunProgress
    with RunProgress(ns.quiet) as say:       # a phase line if it runs long (cli_progress); -q none
        say.phase(f"reading {display_name(ns.input)}")
        palette = _read(ns.input, ns.index)
        say.phase(f"sorting {count_text(len(palette.swatches), 'colour')} along a map trained in {ns.space}")
        out, res = sort_palette(palette, space=ns.space, layout=ns.layout, seed=ns.seed, cancel=token())
    losses = write_losses(out, fmt)   # what OUT's format drops (names, alpha, the grid): said, as convert does
    from somdesk.cli_outputs import Written
    with Written().writing(ns.output):      # a Ctrl+C after it names it (cli_outputs.interrupted_line)
        write_palette(out, ns.output, fmt)
    if not ns.quiet:                # after writing (a refused target is one error line); -q: errors only
        for w in palette.warnings:
            print_warning(f"{display_name(ns.input)}: {w}")
        for w in losses:
            print_warning(f"{output_name(ns.output)}: {w}")
    if not ns.quiet:
        shape = (f"a grid {count_text(res.columns, 'colour')} wide (row by row)" if res.layout == "grid"
                 else "a strip")
        from somdesk.cli_outputs import output_name, print_summary
        print_summary(ns, f"sorted {count_text(len(out.swatches), 'colour')} into {shape} along a map trained in {res.space}; "
                      f"sum of CIEDE2000 between neighbours{' across and down' if res.layout == 'grid' else ''} "
                      f"(file order -> sorted) {res.cost_before:.1f} -> {res.cost:.1f}; "
                      f"{wrote_text(ns.output)} ({FORMAT_LABELS[fmt]})")
    return 0


def duplicates_json(palette, groups, threshold: float) -> dict:
    """`info --duplicates --json`: {"threshold", "colours", "groups": [{"keep", "members",
    "max_delta_e", "colors": [{"index", "hex", "name"}]}]} (indices 0-based, file order)."""
    sw = palette.swatches
    return {
        "threshold": threshold,
        "colours": len(sw),
        "groups": [{"keep": g.keep, "members": list(g.members), "max_delta_e": round(g.max_delta_e, 4),
                    "colors": [{"index": i, "hex": sw[i].hex, "name": sw[i].name} for i in g.members]}
                   for g in groups],
    }


def cmd_duplicates(ns: argparse.Namespace) -> int:
    from somdesk.io.names import display_name
    from somdesk.core.options import count_text
    from somdesk.core.colour_duplicates import DEFAULT_THRESHOLD, find_duplicates
    from somdesk.core.colour_sort import palette_rgb

    threshold = DEFAULT_THRESHOLD if ns.threshold is None else ns.threshold
    palette = _read(ns.file, getattr(ns, "index", 0))
    groups = find_duplicates(palette_rgb(palette), threshold)
    if ns.json:
        print(json.dumps(duplicates_json(palette, groups, threshold), indent=2, ensure_ascii=False))
        return 0
    sw = palette.swatches
    removable = sum(len(g.members) - 1 for g in groups)
    lines = [f"File:     {display_name(ns.file)}", f"Colours:  {len(sw):,}",
             f"Near-duplicates (CIEDE2000 < {threshold:g}): {count_text(len(groups), 'group')}; merging keeps "
             f"{count_text(len(sw) - removable, 'colour')}"]

    def label(i: int) -> str:
        return f"#{i + 1} {sw[i].hex}" + (f" {sw[i].name!r}" if sw[i].name else "")

    for g in groups:
        rest = ", ".join(label(i) for i in g.removed)
        lines.append(f"  keep {label(g.keep)}  <- {rest}  (max {g.max_delta_e:.2f})")
    print("\n".join(lines))
    return 0
