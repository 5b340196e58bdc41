"""`somdesk palette ...`: inspect and convert palette files from the shell.

    somdesk palette info FILE [--json]
    somdesk palette convert IN OUT        (OUT's extension picks the format)
    somdesk palette sort IN OUT / info FILE --duplicates   (cli_palette_sort.py)

No Qt here.  User errors are raised as `SomdeskError` subclasses; the main
CLI prints them as ``error: ...`` and exits with status 2.
"""
from __future__ import annotations

import argparse
import json
import sys

from somdesk.io.palettes import (FORMAT_LABELS, Palette, format_for_path, read_palette,
                                 write_palette)

_PREVIEW = 8   # colours listed by plain `info`


def register(subparsers) -> argparse.ArgumentParser:
    """Add the `palette` command to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "palette", help="inspect or convert colour palette files",
        description="Inspect or convert colour palette files (GIMP, Adobe ASE/ACO, "
                    "JASC/RIFF .pal, Paint.NET, Lospec hex, Krita, LibreOffice, CSS, "
                    "JSON, CSV, PNG/GIF).")
    sub = parser.add_subparsers(dest="palette_command", metavar="{info,convert,sort}")
    sub.required = True

    info = sub.add_parser("info", help="show a palette's format, name and colours",
                          description="Show a palette's format, name, colour count and warnings.")
    info.add_argument("file", metavar="FILE", help="palette file (format detected from content)")
    info.add_argument("--json", action="store_true",
                      help='print {"format", "name", "colors": [{"hex", "name"}]} as JSON')
    info.set_defaults(func=cmd_info)

    convert = sub.add_parser("convert", help="convert a palette to another format",
                             description="Read IN (any supported format) and write OUT; "
                                         "OUT's extension picks the format "
                                         "(.gpl .hex .ase .aco .pal .css .json).")
    convert.add_argument("input", metavar="IN", help="palette to read")
    convert.add_argument("output", metavar="OUT", help="file to write (replaced atomically)")
    convert.set_defaults(func=cmd_convert)
    from somdesk import cli_palette_sort   # `sort` and `info --duplicates` (issue 15)
    cli_palette_sort.register(sub, info)
    return parser


def _summary(path: str, palette: Palette) -> str:
    fmt = palette.format or "?"
    lines = [
        f"File:     {path}",
        f"Format:   {fmt} ({FORMAT_LABELS.get(fmt, 'unknown')})",
        f"Name:     {palette.name if palette.name is not None else '(none)'}",
        f"Colours:  {len(palette.swatches)}",
    ]
    shown = palette.swatches[:_PREVIEW]
    for i, s in enumerate(shown):
        label = "First:" if i == 0 else ""
        lines.append(f"{label:<10}{s.hex}" + (f"  {s.name}" if s.name else ""))
    if len(palette.swatches) > len(shown):
        lines.append(f"{'':<10}... and {len(palette.swatches) - len(shown)} more")
    if palette.warnings:
        lines.append(f"Warnings: {len(palette.warnings)}")
        lines += [f"  - {w}" for w in palette.warnings]
    else:
        lines.append("Warnings: none")
    return "\n".join(lines)


def cmd_info(ns: argparse.Namespace) -> int:
    palette = read_palette(ns.file)
    if ns.json:
        print(json.dumps(palette.to_json_dict(), indent=2, ensure_ascii=False))
    else:
        print(_summary(ns.file, palette))
    return 0


def cmd_convert(ns: argparse.Namespace) -> int:
    fmt = format_for_path(ns.output)          # fail before reading anything
    palette = read_palette(ns.input)
    for w in palette.warnings:
        print(f"warning: {ns.input}: {w}", file=sys.stderr)
    write_palette(palette, ns.output, fmt)
    print(f"wrote {len(palette.swatches)} colours to {ns.output} ({FORMAT_LABELS[fmt]})")
    return 0
