"""`somdesk quantize IN OUT.png --colors N [--dither] [--space ...] [--map M.somz] [--side-by-side CMP.png]`:
a picture to an indexed PNG.

Runs somdesk.core.quantize.quantize_picture (the palette fit and remapping) on the
picture as read by somdesk.io.image_input (transparency kept), and writes an
indexed PNG (somdesk.io.quantized_png: PLTE of the used colours, tRNS when any
is transparent) atomically.  With `--map M.somz` the fit starts from that saved
map's colours instead of k-means++ seeds (core.map_quantise.quantise_from_map):
the window's Quantise runs exactly this, so a map saved from the window and the
same picture give the same file both ways.  Ctrl+C stops the work through the
command's CancelToken (cli_interrupt: `error: interrupted`, exit status 130).  `--side-by-side
CMP.png` also writes the original and the quantised picture side by side with their captions
(colour counts, PSNR, mean CIEDE2000): render.side_by_side, the picture of the window's
*Original | quantised side by side* view.
"""
from __future__ import annotations

import math
import time

from somdesk.errors import OptionError


# the picture formats io.image_input reads, named here without importing it (it imports numpy):
# tests/cli/test_cli_quantize.py keeps the two lists equal
PICTURE_FORMATS = "PNG, JPEG, BMP, GIF, WebP, TIFF"


def register(sub) -> None:
    # not palette_fit: the parser is built before any work, and a usage error or --help
    # should not wait for numpy
    from somdesk.core.palette_spaces import DEFAULT_SPACE, SPACES

    p = sub.add_parser("quantize", help="reduce a picture to N colours and write an indexed PNG",
                       description=f"Reduce a picture ({PICTURE_FORMATS}) to at most N colours "
                       "and write it as an indexed PNG. Transparency is kept: fully transparent "
                       "pixels take one palette entry, marked in the PNG's tRNS chunk. Of an animation "
                       "or a multi-page TIFF the first frame or page is quantised (a warning says so).")
    p.add_argument("input", metavar="IN", help="the picture to quantise")
    p.add_argument("output", metavar="OUT.png", help="the indexed PNG to write")
    p.add_argument("--colors", "--colours", type=int, default=None, metavar="N",
                   help="palette size, 2 to 256, including the transparent entry (default 256; "
                   "with --map the map's size)")
    p.add_argument("--dither", action="store_true", help="Floyd-Steinberg error diffusion")
    p.add_argument("--space", default=DEFAULT_SPACE, choices=SPACES,
                   help="colour space the colours are grouped in (default %(default)s)")
    p.add_argument("--seed", type=int, default=None, help="seed of the palette fitting (default 0)")
    p.add_argument("--map", metavar="M.somz", default=None,
                   help="start the palette from this saved colour or picture map's colours, one entry "
                   "per node, as the window's Quantise does (the map's size, at most 256, is the number of "
                   "opaque colours; a picture with translucent pixels adds translucent entries and the "
                   "transparent one, up to 256 in all: docs/quantisation.md)")
    p.add_argument("--side-by-side", metavar="CMP.png", default=None,
                   help="also write the original and the quantised picture side by side, at full size, "
                   "with their colour counts, PSNR and mean CIEDE2000 above them (an RGB PNG, as the "
                   "window's View > Original | quantised side by side exports it)")
    p.add_argument("--force", action="store_true",
                   help="allow OUT to be IN: the picture is replaced by its quantised copy")
    p.add_argument("--json", action="store_true",
                   help="print the result's figures as JSON (psnr in dB, null when the result is identical "
                   "to the input; mean_delta_e00: mean CIEDE2000 per pixel; input_frames: frames or pages in "
                   "IN, of which only the first is quantised; warnings)")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    p.set_defaults(func=run)


def run(args) -> int:
    from somdesk.io.names import display_name
    if args.map is not None and args.colors is not None:
        raise OptionError("--colors does not go with --map: the map's nodes are the palette "
                          "(train a map of another size for another number of colours)")
    if args.colors is None:
        args.colors = 256
    if not 2 <= args.colors <= 256:
        raise OptionError(f"--colors must be between 2 and 256, got {args.colors}")
    from somdesk.cli_outputs import check_writable
    from somdesk.cli_train import check_suffix

    # the output is always PNG: a photo.jpg holding PNG bytes would mislead every other program
    check_suffix(args.output, ".png", "quantize", "PNG")
    if args.side_by_side is not None:
        check_side_by_side(args)
    from somdesk.cli_outputs import is_stdout
    if args.json and is_stdout(args.output):      # "-": the PNG goes to standard output (io.atomic)
        raise OptionError("--json prints to standard output, where the picture goes with OUT -: "
                          "write the picture to a file, or leave out --json")
    inputs = [args.input] + ([args.map] if args.map else [])
    check_writable(args.output, inputs=() if args.force else inputs, force_flag="--force")
    if args.side_by_side is not None:         # never over the picture read, --force or not
        check_writable(args.side_by_side, inputs=inputs)
    from somdesk.cli_interrupt import token as cli_token
    from somdesk.cli_progress import RunProgress
    from somdesk.io.image_input import read_picture
    from somdesk.io.quantized_png import save_indexed_png

    t0 = time.perf_counter()
    # phase lines on stderr for a long run (cli_progress: `--dither --space oklab` on a large
    # picture ran 22 s printing nothing); -q none
    with RunProgress(args.quiet) as say:
        say.phase(f"reading {display_name(args.input)}")
        codebook = map_codebook(args.map) if args.map else None
        picture = read_picture(args.input, alpha=True)
        img = picture.pixels
        if args.side_by_side is not None:     # before the long work: its size is known now (testerI #6)
            check_side_by_side_size(img.shape[0], img.shape[1], args.colors, args.dither, picture)
        if not args.quiet:       # before the long work: an animation's frames 2+ are not quantised
            from somdesk.cli_outputs import print_warning
            for w in picture.warnings:
                print_warning(w)
        token = cli_token()          # abandoned by Ctrl+C (cli_interrupt)
        say.phase(f"fitting the palette in {args.space}")
        if codebook is None:
            from somdesk.core.quantize import quantize_picture_steps
            steps = quantize_picture_steps(img, args.colors, space=args.space, dither=args.dither,
                                           seed=args.seed, cancel=token)
        else:
            from somdesk.core.map_quantise import quantise_from_map_steps
            steps = quantise_from_map_steps(img, codebook, space=args.space, dither=args.dither,
                                            seed=args.seed, cancel=token)
        what = "dithering" if args.dither else "mapping"
        from somdesk.core.cancel import drain
        idx, palette = drain(steps, lambda done, rows: say.phase(
            f"{what} the pixels in {args.space}, {percent(done, rows)} done"))
        say.phase(f"writing {display_name(args.output)}")
        from somdesk.cli_outputs import Written
        with Written().writing(args.output):    # a Ctrl+C while measuring it names it (cli_outputs.interrupted_line)
            size = save_indexed_png(args.output, idx, palette)
        elapsed = time.perf_counter() - t0
        if args.quiet and not args.json and args.side_by_side is None:
            return 0                          # -q prints nothing: nothing to measure (benchmarks time -q)
        say.phase("measuring the result")
        quality, delta_e = _measures(img, idx, palette, token)
        if args.side_by_side is not None:
            say.phase(f"writing {display_name(args.side_by_side)}")
            from somdesk.errors import Cancelled, SomdeskError
            try:
                with Written().writing(args.side_by_side):
                    write_side_by_side(args.side_by_side, img, idx, palette, quality, delta_e, picture,
                                       args.dither, token)
            except Cancelled:
                raise
            except SomdeskError as exc:
                # a target that fails only when written (/dev/full): OUT.png is complete, which
                # the line says, so that exit 2 is not read as "nothing written"
                raise SomdeskError(f"{display_name(args.output)} was written, the side-by-side picture "
                                f"was not: {exc}") from exc
            if args.quiet and not args.json:
                return 0
    if args.json:
        import json

        print(json.dumps({"input": args.input, "output": args.output, "width": int(img.shape[1]),
                          "height": int(img.shape[0]), "colors": int(len(palette)),
                          "transparent": bool((palette[:, 3] < 255).any()), "space": args.space,
                          "dither": bool(args.dither), "bytes": size, "seconds": round(elapsed, 4),
                          "psnr": None if quality == float("inf") else round(quality, 3),
                          "mean_delta_e00": round(delta_e, 3), "input_frames": picture.frames,
                          "warnings": list(picture.warnings), "side_by_side": args.side_by_side}))
    else:
        from somdesk.core.options import count_text
        from somdesk.cli_outputs import print_summary
        from somdesk.core.quantize import MAX_COLOURS

        # a map of more nodes than a PNG palette holds gives 256 colours, which the line says
        # (testerG #12: a 20x20 map's 256 colours without a word why not 400)
        nodes = 0 if codebook is None else int(math.prod(codebook.shape[:-1]))
        cap = (f" (the map has {count_text(nodes, 'node')}; a PNG palette holds at most "
               f"{count_text(MAX_COLOURS, 'colour')})"
               if nodes > MAX_COLOURS else "")
        # where every subcommand's summary goes: stdout, stderr when the picture goes to stdout (testerC #11)
        print_summary(args, f"{display_name(args.output)}: {img.shape[1]}x{img.shape[0]}, "
                      f"{count_text(len(palette), 'colour')}{cap}, {_quality_text(quality, delta_e, picture)}, "
                      f"{count_text(size, 'byte')} in {elapsed:.2f} s"
                      + (f"; side by side in {display_name(args.side_by_side)}" if args.side_by_side else ""))
    return 0


def check_side_by_side(args) -> None:
    """OptionError for a --side-by-side target that cannot be one: not a .png name, standard
    output (the quantised picture may go there), or the OUT.png being written."""
    from somdesk.cli_outputs import is_stdout
    from somdesk.cli_train import check_suffix
    from somdesk.io.names import display_name, same_file

    if not args.side_by_side.strip():       # '' passed every check and failed after OUT.png was written
        raise OptionError("--side-by-side needs a file name (a .png)")
    check_suffix(args.side_by_side, ".png", "--side-by-side", "PNG")
    if is_stdout(args.side_by_side):
        raise OptionError("--side-by-side writes a file: give it a .png name, not -")
    import os

    if same_file(args.side_by_side, args.output) or os.path.abspath(args.side_by_side) == os.path.abspath(args.output):
        raise OptionError(f"--side-by-side and OUT.png are the same file ({display_name(args.output)}): "
                          "give the side-by-side picture another name")


def check_side_by_side_size(height: int, width: int, colours: int, dither: bool, picture) -> None:
    """OptionError, before any quantising, when the side-by-side picture of a `height` x `width`
    px picture would be over render's pixel limit (render.geometry.MAX_IMAGE_PIXELS).  Measured
    with the longest captions the run could write (`colours` colours, every pixel a colour of
    its own), so the picture drawn later is never larger than the one checked."""
    from somdesk.core.options import count_text
    from somdesk.render import side_by_side_size
    from somdesk.render.geometry import MAX_IMAGE_PIXELS

    left = f"Original: {count_text(height * width, 'colour')}"
    quality = max((_quality_text(q, 99.9, picture) for q in (float("inf"), 99.99)), key=len)
    right = f"Quantised: {count_text(colours, 'colour')}, {'dithered, ' if dither else ''}{quality}"
    out_w, out_h = side_by_side_size(height, width, (left, right))
    if out_w * out_h > MAX_IMAGE_PIXELS:
        raise OptionError(f"the side-by-side picture of this {width} x {height} px picture would have "
                          f"{count_text(out_w * out_h, 'pixel')}, over the limit of {MAX_IMAGE_PIXELS:,}: "
                          "drop --side-by-side, or scale the picture down")


def write_side_by_side(path, img, idx, palette, quality: float, delta_e: float, picture, dither: bool,
                       token) -> None:
    """Write the original `img` (H, W, 3|4) uint8 and its quantised copy (`idx` (H, W) into
    `palette` (K, 3|4) uint8) side by side to `path` (render.side_by_side, atomically), captioned
    "Original: N colours" and "Quantised: K colours, PSNR ..., mean CIEDE2000 ..." (the
    summary's words; session.exports.compare_captions' in the window).  SomdeskError when the
    result is over render's pixel limit or cannot be written; Cancelled by `token`."""
    from somdesk.core.colour_histogram import distinct_colours
    from somdesk.core.options import count_text
    from somdesk.io.images import save_png
    from somdesk.render import side_by_side

    left = f"Original: {count_text(distinct_colours(img, token), 'colour')}"
    right = (f"Quantised: {count_text(len(palette), 'colour')}, {'dithered, ' if dither else ''}"
             f"{_quality_text(quality, delta_e, picture)}")
    save_png(side_by_side(img, (palette, idx), (left, right), cancel=token), path)


def percent(done: int, total: int) -> str:
    """'40%': `done` of `total` (> 0) as a whole percentage, never 100% before the end."""
    p = 100 * done // max(total, 1)
    return f"{min(p, 99) if done < total else 100}%"


def _measures(img, idx, palette, token) -> tuple[float, float]:
    """(PSNR in dB, mean CIEDE2000) of the written picture against the input, as both look on
    white: the window's figures (core.map_quantise.indexed_measures, indexed_delta_e)."""
    from somdesk.core.map_quantise import indexed_delta_e, indexed_measures

    quality, _used = indexed_measures(img, idx, palette, token)
    return quality, indexed_delta_e(img, idx, palette, cancel=token)


def _quality_text(quality: float, delta_e: float, picture=None) -> str:
    """'PSNR 27.50 dB, mean CIEDE2000 5.9' (the window's words; 'identical' for an exact copy).
    Measured against the first frame of an animation or the first page of a TIFF (`picture`:
    io.image_input.Picture, frames > 1), which the words then say: the output is not the input
    (tester F #5: "identical to the input" of a 3-frame GIF written as one frame)."""
    what = "the input"
    if picture is not None and picture.frames > 1:
        what = f"{picture.frame_word} 1 of {picture.frames} of the input"
    if quality == float("inf"):
        return f"identical to {what} (PSNR infinite, mean CIEDE2000 0)"
    against = "" if what == "the input" else f" against {what}"
    return f"PSNR {quality:.2f} dB, mean CIEDE2000 {delta_e:.1f}{against}"


def map_codebook(path):
    """The (H, W, 3) sRGB codebook in [0, 1] of a saved colour or picture map (.somz).

    FileFormatError for a file that is not a saved map; OptionError for a map whose
    nodes are not sRGB colours (a table map, a colour map trained in another space)."""
    from somdesk.io.mapfile import load_map
    from somdesk.io.names import display_basename

    saved = load_map(path)
    kind = saved.meta.get("kind", "colours")
    space = saved.meta.get("colour_space", "srgb")
    weights = saved.som.weights
    name = display_basename(path)
    if kind not in ("colours", "image") or weights.shape[-1] != 3:
        what = "a table map" if "table" in str(kind) else f"a map of kind {kind!r}"
        raise OptionError(f"{name} is {what}, not a map of colours: --map takes a colour or picture "
                          "map saved by somdesk")
    if space != "srgb":
        raise OptionError(f"{name} is a colour map trained in {space}: --map takes one trained in sRGB "
                          "(its nodes are the palette's start)")
    return weights
