"""`somdesk palette ...`: inspect and convert palette files from the shell.

    somdesk palette info FILE [--json] [--index K] [--duplicates [--threshold X]]
    somdesk palette convert IN OUT [--index K] [--format EXT]   (OUT's extension, or EXT, picks the format)
    somdesk palette sort IN OUT [--space ...] [--layout strip|grid]   (cli_palette_sort.py)
    OUT "-" is standard output; its format is given with --format (testerC #6)

A collection file holds several palettes; K (0-based, default 0) picks one.

No Qt here.  User errors are raised as `SomdeskError` subclasses; the main
CLI prints them as ``error: ...`` and exits with status 2.
"""
from __future__ import annotations

import argparse
import json
import sys

from somdesk.io.names import display_name
from somdesk.io.palettes import (FORMAT_LABELS, WRITE_FILTERS, Palette, format_for_path, pick_palette,
                                 read_palettes, write_losses, write_palette)

#: the extensions a palette is written as ("gpl", "hex", ...): --format's choices
WRITE_EXTENSIONS = tuple(sorted({g[2:] for _, globs in WRITE_FILTERS for g in globs}))

_PREVIEW = 8   # colours listed by plain `info`


def register(subparsers) -> argparse.ArgumentParser:
    """Add the `palette` command to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "palette", help="inspect or convert colour palette files",
        description="Inspect or convert colour palette files (GIMP, Adobe ASE/ACO, "
                    "JASC/RIFF/raw .pal, Photoshop .act, Paint.NET, Lospec hex, Krita, "
                    "LibreOffice, Scribus, CSS, JSON, CSV, PNG/GIF).")
    sub = parser.add_subparsers(dest="palette_command", metavar="{info,convert,sort}")
    sub.required = True

    info = sub.add_parser("info", help="show a palette's format, name and colours",
                          description="Show a palette's format, name, colour count and warnings.")
    info.add_argument("file", metavar="FILE", help="palette file (format detected from content)")
    info.add_argument("--json", action="store_true",
                      help='print {"format", "name", "colors": [{"hex", "name"[, "alpha"]}], '
                           '"palettes", "palette_names", "index"} as JSON')
    info.add_argument("--index", type=int, default=0, metavar="K",
                      help="which palette of a collection file (0 = the first)")
    info.set_defaults(func=cmd_info)

    convert = sub.add_parser("convert", help="convert a palette to another format",
                             description="Read IN (any supported format) and write OUT; "
                                         "OUT's extension picks the format "
                                         "(.gpl .hex .ase .aco .pal .act .css .json .sbz).")
    convert.add_argument("input", metavar="IN", help="palette to read")
    convert.add_argument("output", metavar="OUT", help="file to write (replaced atomically)")
    convert.add_argument("--index", type=int, default=0, metavar="K",
                         help="which palette of a collection file (0 = the first)")
    convert.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    convert.add_argument("--force", action="store_true",
                         help="allow OUT to be IN: the palette is replaced by its converted copy")
    add_format_option(convert)
    convert.set_defaults(func=cmd_convert)
    from somdesk import cli_palette_sort   # `sort` and `info --duplicates` (issue 15)
    cli_palette_sort.register(sub, info)
    return parser


def _summary(path: str, palette: Palette, palettes: list[Palette], index: int) -> str:
    """`palette info`'s text; every name through io.names.display_name (NBSP shown as \\xa0)."""
    from somdesk.core.options import count_text

    fmt = palette.format or "?"
    lines = [
        f"File:     {display_name(path)}",
        f"Format:   {fmt} ({FORMAT_LABELS.get(fmt, 'unknown')})",
    ]
    if len(palettes) > 1:
        lines.append(f"Palettes: {len(palettes)} (showing index {index}; pick one with --index K)")
        for k, p in enumerate(palettes[:_PREVIEW]):
            lines.append(f"{'':<10}{k}: {display_name(p.name) if p.name is not None else '(no name)'} "
                         f"({count_text(len(p.swatches), 'colour')})")
        if len(palettes) > _PREVIEW:
            lines.append(f"{'':<10}... and {len(palettes) - _PREVIEW} more")
    lines += [
        f"Name:     {display_name(palette.name) if palette.name is not None else '(none)'}",
        f"Colours:  {len(palette.swatches)}",
    ]
    shown = palette.swatches[:_PREVIEW]
    for i, s in enumerate(shown):
        label = "First:" if i == 0 else ""
        alpha = f"  alpha {s.alpha}" if s.alpha != 255 else ""
        lines.append(f"{label:<10}{s.hex}{alpha}" + (f"  {display_name(s.name)}" if s.name else ""))
    if len(palette.swatches) > len(shown):
        lines.append(f"{'':<10}... and {len(palette.swatches) - len(shown)} more")
    if palette.warnings:
        lines.append(f"Warnings: {len(palette.warnings)}")
        lines += [f"  - {w}" for w in palette.warnings]
    else:
        lines.append("Warnings: none")
    return "\n".join(lines)


def info_json(palettes: list[Palette], index: int) -> dict:
    """`palette info --json`: the chosen palette's `to_json_dict()` plus
    ``"palettes"`` (how many the file holds), ``"palette_names"`` (each one's
    name or null, in file order), ``"index"`` (which one is shown) and
    ``"warnings"`` when the reader left something out or changed it (as the text mode lists)."""
    doc = palettes[index].to_json_dict()
    doc["palettes"] = len(palettes)
    doc["palette_names"] = [p.name for p in palettes]
    doc["index"] = index
    if palettes[index].warnings and "warnings" not in doc:
        doc["warnings"] = list(palettes[index].warnings)
    return doc


def cmd_info(ns: argparse.Namespace) -> int:
    palettes = read_palettes(ns.file)
    palette = pick_palette(palettes, ns.index, ns.file)
    if ns.json:
        print(json.dumps(info_json(palettes, ns.index), indent=2, ensure_ascii=False))
    else:
        print(_summary(ns.file, palette, palettes, ns.index))
    return 0


def add_format_option(parser) -> None:
    """--format EXT on a palette writer (convert, sort): the format when OUT's name does not say."""
    parser.add_argument("--format", metavar="EXT", help="the format to write when OUT's name has no palette "
                        f"extension, as with OUT - (standard output): {', '.join(WRITE_EXTENSIONS)}")


def output_format(ns: argparse.Namespace) -> str:
    """The writer format id of `ns.output`: its extension's, or --format's (`ns.format`, an
    extension with or without the dot, any case).  OptionError when neither says one, when
    --format is not a palette extension, or when the two disagree (`o.gpl --format hex`)."""
    from somdesk.errors import OptionError
    from somdesk.io.palettes import PaletteError

    given = None
    if ns.format is not None:
        ext = ns.format.strip().lstrip(".").lower()
        if ext not in WRITE_EXTENSIONS:
            raise OptionError(f"--format {ns.format}: not a palette format; use one of {', '.join(WRITE_EXTENSIONS)}")
        given = format_for_path("x." + ext)
    try:
        named = format_for_path(ns.output)
    except PaletteError:
        if given is None:
            where = "standard output (-)" if ns.output == "-" else display_name(ns.output)
            raise OptionError(f"{where}: the name does not say which palette format to write; give a name "
                              f"ending in {', '.join('.' + e for e in WRITE_EXTENSIONS)}, or --format EXT") from None
        return given
    if given is not None and given != named:
        raise OptionError(f"{display_name(ns.output)} is named as {FORMAT_LABELS[named]} but --format {ns.format} "
                          f"asks for {FORMAT_LABELS[given]}: give one of them")
    return named


def cmd_convert(ns: argparse.Namespace) -> int:
    from somdesk.core.options import count_text
    from somdesk.cli_outputs import check_writable

    fmt = output_format(ns)          # fail before reading anything
    # no output replaces an input unless forced (quantize's rule; tester10 #15): a rewrite keeps only
    # what OUT's format holds, and the original is gone
    check_writable(ns.output, inputs=() if ns.force else [ns.input], force_flag="--force")
    palettes = read_palettes(ns.input)
    palette = pick_palette(palettes, ns.index, ns.input)
    warnings = [f"{display_name(ns.input)}: {w}" for w in palette.warnings]
    if len(palettes) > 1:
        warnings.append(f"{display_name(ns.input)}: holds {count_text(len(palettes), 'palette')}; converting index "
                        f"{ns.index} (choose another with --index K)")
    from somdesk.cli_outputs import Written, output_name
    warnings += [f"{output_name(ns.output)}: {w}" for w in write_losses(palette, fmt)]
    with Written().writing(ns.output):      # a Ctrl+C after it names it (cli_outputs.interrupted_line)
        write_palette(palette, ns.output, fmt)
    # after writing: a refused target ("at most 256 colours", /dev/full) is then one error line
    if ns.quiet:        # -q: errors only, as every command that writes files (tester9 #12)
        return 0
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    from somdesk.cli_outputs import output_name, print_summary
    print_summary(ns, f"wrote {count_text(len(palette.swatches), 'colour')} to {output_name(ns.output)} ({FORMAT_LABELS[fmt]})")
    return 0
