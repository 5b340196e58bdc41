"""`somdesk train`: the seed service's job (and every option) from the command line."""
from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from pathlib import Path

import numpy as np

from somdesk.cli_outputs import check_writable, print_warning
from somdesk.core.options import DECAYS, INITS, MODES, NEIGHBOURHOODS, ORDERS, TOPOLOGIES, SOMConfig, count_text
from somdesk.errors import OptionError, SomdeskError

MAX_RANDOM = 1_000_000


class TypedFlag(argparse.Action):
    """Stores the value and, as `<dest>_flag`, the option string the user typed, so a message
    names `--epochs` when that is what was typed for `--iterations` (tester10 #8)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        setattr(namespace, f"{self.dest}_flag", option_string)


def flag_words(exc: OptionError, args, epochs_dest: str = "iterations") -> OptionError:
    """`exc` (an OptionError of core.options: check_grid, SOMConfig) in the words of the flags the
    user typed: its field's words swapped for the flag ("--width (the map's columns) must be
    between 1 and 2000, got 0", "--epochs must be ..."), the node count prefixed with both sizes;
    `exc` itself when it names no field."""
    field = getattr(exc, "field", None)
    if field == "size":
        return OptionError(f"--height {args.height} --width {args.width}: {exc}", field)
    flags = {"width": "--width (the map's columns)", "height": "--height (the map's rows)",
             "iterations": getattr(args, f"{epochs_dest}_flag", None) or f"--{epochs_dest.replace('_', '-')}",
             "learning_rate": "--learning-rate", "sigma": "--sigma", "seed": "--seed",
             "clusters": "--clusters (the number of segments)"}
    if field not in flags:
        return exc
    return OptionError(exc.worded(flags[field]), field, flags[field])


@contextlib.contextmanager
def in_flag_words(args, epochs_dest: str = "iterations"):
    """Around building a SOMConfig (or a table spec holding one) from `args`: its OptionError
    re-raised in the flags' words (flag_words)."""
    try:
        yield
    except OptionError as exc:
        raise flag_words(exc, args, epochs_dest) from None


def check_grid_options(args, epochs_dest: str) -> None:
    """OptionError, in the words of the flags typed, for a --width, --height or epochs count
    outside core.options' limits: core.options.check_grid, the one range check (SOMConfig and
    the window check through it), called before any file is read; --seed too (SOMConfig's check:
    a table's map is configured only after its file is read)."""
    from somdesk.core.options import check_grid

    with in_flag_words(args, epochs_dest):
        check_grid(getattr(args, "width", None), getattr(args, "height", None), getattr(args, epochs_dest, None))
        if getattr(args, "seed", None) is not None:
            SOMConfig(seed=args.seed)


def register(sub) -> None:
    p = sub.add_parser("train", help="train a map headless and write a PNG, metrics, weights",
                       description="Train a SOM on a palette (or random colours) with the classic "
                       "algorithm by default, and write what you ask for.  A table (CSV, TSV, Parquet, "
                       "JSON, spreadsheets) trains with --table FILE instead: its options are listed by "
                       "'somdesk train --table FILE --help'.")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--palette", metavar="FILE", help="palette file to train on (any supported format)")
    p.add_argument("--index", type=int, default=0, metavar="K",
                   help="which palette of a file holding several (a collection) to train on (default 0)")
    src.add_argument("--random", metavar="N", type=int, help="train on N random colours (default 20)")
    d = SOMConfig()
    p.add_argument("--width", type=int, default=d.width, help="map columns (default %(default)s)")
    p.add_argument("--height", type=int, default=d.height, help="map rows (default %(default)s)")
    p.add_argument("--iterations", "--epochs", dest="iterations", type=int, default=d.iterations, action=TypedFlag,
                   help="epochs: passes over the inputs (default %(default)s)")
    p.add_argument("--learning-rate", type=float, default=d.learning_rate, help="alpha0 (default %(default)s)")
    p.add_argument("--sigma", type=float, default=None, help="sigma0 (default max(width, height)/2)")
    p.add_argument("--seed", type=int, default=None, help="seed for a bit-for-bit repeatable run")
    p.add_argument("--topology", default=d.topology, help=f"{' | '.join(TOPOLOGIES)}")
    p.add_argument("--toroidal", action=argparse.BooleanOptionalAction, default=False, help="wrap the map's edges")
    p.add_argument("--neighbourhood", "--neighborhood", default=d.neighbourhood, help=f"{' | '.join(NEIGHBOURHOODS)}")
    p.add_argument("--decay", default=d.decay, help=f"{' | '.join(DECAYS)}")
    p.add_argument("--init", default=d.init, help=f"{' | '.join(INITS)}")
    p.add_argument("--order", default=d.order, help=f"{' | '.join(ORDERS)}")
    p.add_argument("--mode", default=d.mode, choices=MODES, help="classic (online) or batch")
    p.add_argument("--space", default="srgb", help="colour space to train in: srgb (default) | linear | "
                   "cielab | oklab; pictures are sRGB (docs/colour.md)")
    p.add_argument("--init-weights", metavar="FILE.npy", help="start from these weights: float array (H, W, D)")
    p.add_argument("--save-weights", metavar="FILE.npy", help="write the trained weights, float64 (H, W, D)")
    p.add_argument("--save-map", metavar="FILE.somz", help="write the trained map (resumable, opens in the window)")
    p.add_argument("--out", metavar="FILE.png", help="the seed's picture: input colours above the trained map")
    p.add_argument("--scale", type=int, default=4, help="pixels per node in --out and --timelapse "
                   "(default %(default)s)")
    p.add_argument("--view", choices=("map", "strip", "seed", "umatrix", "hits"), default="seed",
                   help="what --out shows: the map alone, the strip + map picture (input colours above "
                   "the map, the default; 'seed' is its older name), the U-matrix or the hit map")
    p.add_argument("--markers", action="store_true", help="ring each input's best-matching node in --out")
    p.add_argument("--timelapse", metavar="FILE.gif", help="an animation of the map organising itself: "
                   ".gif, or .png/.apng for an animated PNG")
    p.add_argument("--timelapse-frames", type=int, default=120, metavar="N",
                   help="at most N evenly spaced frames, the last one the trained map (default %(default)s)")
    p.add_argument("--timelapse-fps", type=float, default=20, metavar="FPS",
                   help="frames per second of --timelapse, 1 to 50 (default %(default)s)")
    p.add_argument("--metrics-json", metavar="FILE", help="write quality measures and timing as JSON ('-' for stdout)")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    p.set_defaults(func=run)


def _load_inputs(args, seed: int | None) -> tuple[np.ndarray, list | None]:
    if args.palette:
        from somdesk.io.names import display_basename
        from somdesk.io.palettes import pick_palette, read_palettes

        palettes = read_palettes(args.palette)
        pal = pick_palette(palettes, args.index, args.palette)
        warnings = list(pal.warnings)
        if len(palettes) > 1:       # a collection trained on its first palette without a word (tester7 #28)
            title = f" ({pal.name})" if getattr(pal, "name", None) else ""
            warnings.append(f"{display_basename(args.palette)} holds {count_text(len(palettes), 'palette')}; training on index "
                            f"{args.index}{title} (choose another with --index K)")
        if not args.quiet:          # -q: "print nothing but errors"
            for w in warnings:
                print_warning(w)
        return pal.to_array(), [s.name for s in pal.swatches]
    if args.index:
        raise OptionError("--index picks a palette of a collection file: it goes with --palette")
    n = 20 if args.random is None else args.random
    if not 1 <= n <= MAX_RANDOM:
        raise OptionError(f"--random must be between 1 and {MAX_RANDOM:,}, got {n}")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]) if seed is not None else None)
    return rng.random((n, 3)), None


INIT_WEIGHT_DTYPES = ("float64", "float32", "float16", "int64", "int32", "int16", "int8",
                      "uint64", "uint32", "uint16", "uint8")


def _load_weights(path: str, height: int, width: int, dim: int) -> np.ndarray:
    """--init-weights: a numeric .npy of shape (height, width, dim), header checked before loading."""
    from somdesk.errors import FileFormatError
    from somdesk.io.somz import ArraySpec, read_npy

    try:
        arr = read_npy(path, ArraySpec((height, width, dim), INIT_WEIGHT_DTYPES))
    except FileFormatError as exc:
        raise SomdeskError(f"--init-weights: {exc}") from None
    return arr.astype(np.float64)


def check_suffix(path, suffix: str, flag: str, what: str) -> None:
    """OptionError unless `path` ends in `suffix` (any case) or is a device/FIFO: the content is
    always `what`, and a file named for another format misleads every program that opens it
    (the window opens a .somz as a map only by its name)."""
    from pathlib import Path

    if path and path != "-" and Path(path).suffix.lower() != suffix and not _is_special(path):
        from somdesk.io.names import output_name

        raise OptionError(f"{flag} writes {what}: give it a {suffix} file name, not {output_name(path)}")


def _is_special(path: str) -> bool:
    """True when `path` names an existing device or FIFO (written through, see somdesk.io.atomic),
    or this process's standard output redirected to a file (`--out /dev/stdout > t.png` was
    refused as "not a .png name" while a pipe worked: tester7 #22)."""
    import os
    import stat

    from somdesk.cli_outputs import is_stdout

    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or (path != "-" and is_stdout(path))


def check_output_sizes(args, config: SOMConfig) -> None:
    """--out and --timelapse pictures fit their limits: checked before training, not after."""
    from somdesk.io.images import MAX_IMAGE_PIXELS
    from somdesk.render.geometry import picture_size
    from somdesk.render.views import view_size

    hexagonal = config.topology == "hexagonal"
    if args.out:
        width, height = picture_size(config.height, config.width, hexagonal, args.scale)
        if width * height > MAX_IMAGE_PIXELS:
            total = view_size(args.view, config.height, config.width, hexagonal, args.scale)
            raise OptionError(f"--out: a {total[0]:,} x {total[1]:,} px picture is over the limit of "
                              f"{count_text(MAX_IMAGE_PIXELS, 'pixel')}; choose a smaller --scale")
    if args.timelapse:
        from somdesk.io.timelapse import animation_format, check_animation_size

        # at most one frame per iteration (0..T) and never more than asked for
        frames = min(args.timelapse_frames, config.iterations + 1)
        try:
            check_animation_size(config.height, config.width, frames, args.scale, hexagonal,
                                 animation_format(args.timelapse))
        except SomdeskError as exc:
            raise OptionError(f"--timelapse: {exc}") from None


def _timelapse_recorder(args):
    """A FrameRecorder for --timelapse (options checked before training), or None."""
    if not args.timelapse:
        for flag, value, default in (("--timelapse-frames", args.timelapse_frames, 120),
                                     ("--timelapse-fps", args.timelapse_fps, 20)):
            if value != default:
                raise OptionError(f"{flag} needs --timelapse FILE")
        return None
    from somdesk.io.timelapse import MAX_FPS, FrameRecorder, animation_format

    animation_format(args.timelapse)
    if not 1 <= args.timelapse_fps <= MAX_FPS:
        raise OptionError(f"--timelapse-fps must be between 1 and {MAX_FPS}, got {args.timelapse_fps:g}")
    try:
        return FrameRecorder(args.timelapse_frames)
    except SomdeskError as exc:
        raise OptionError(f"--timelapse-frames: {exc}") from None


def run(args) -> int:
    from somdesk.core import SOM, kernels
    from somdesk.io.images import map_rgb

    check_grid_options(args, "iterations")
    with in_flag_words(args):
        config = SOMConfig(width=args.width, height=args.height, iterations=args.iterations,
                           learning_rate=args.learning_rate, sigma=args.sigma, neighbourhood=args.neighbourhood,
                           decay=args.decay, topology=args.topology, toroidal=args.toroidal, init=args.init,
                           order=args.order, mode=args.mode, seed=args.seed)
    from somdesk.render.geometry import MAX_SCALE

    if not 1 <= args.scale <= MAX_SCALE:
        raise OptionError(f"--scale must be between 1 and {MAX_SCALE}, got {args.scale}")
    if args.view == "strip":     # the new name of the original service's "seed" layout
        args.view = "seed"
    if not args.out and (args.markers or args.view != "seed"):
        raise OptionError("--view and --markers choose what --out draws: give --out FILE.png too")
    recorder = _timelapse_recorder(args)
    check_suffix(args.out, ".png", "--out", "PNG")
    check_suffix(args.save_map, ".somz", "--save-map", "a somdesk map")
    check_suffix(args.save_weights, ".npy", "--save-weights", "a numpy array")
    check_writable(args.out, args.save_weights, args.save_map, args.metrics_json, args.timelapse,
                   inputs=[args.palette])     # --init-weights = --save-weights: trained further in place
    check_output_sizes(args, config)
    from somdesk.core.colour_space import choose_space, fit_gamut, to_space

    space = choose_space(args.space)
    rgb, names = _load_inputs(args, config.seed)
    data = to_space(rgb, space)   # the SOM trains on these; "srgb" leaves them as they are
    weights = None
    if args.init_weights:
        weights = _load_weights(args.init_weights, config.height, config.width, data.shape[1])
    som = SOM(data, config, weights=weights)
    needs_rgb = recorder is not None or (args.out and args.view in ("map", "seed"))
    if needs_rgb and data.shape[1] != 3:
        raise SomdeskError("--out and --timelapse draw colours and need 3-dimensional (RGB) inputs")
    def record(_info) -> None:   # --timelapse: a frame whenever the recorder wants one
        if recorder.wants(som.iteration):
            recorder.offer(som.iteration, map_rgb(fit_gamut(som.weights, space)))

    from somdesk.cli_progress import RunProgress

    with RunProgress(args.quiet) as say:      # phase lines for a long run (cli_progress); -q none
        # compiled on the first run after an install (about two minutes of CPU: testerC #6)
        say.phase("loading the compiled kernels (the first run after an install compiles them: minutes)")
        kernels.warm_up()  # compile/load kernels before the clock starts
        if recorder is not None:
            recorder.offer(som.iteration, map_rgb(fit_gamut(som.weights, space)))
        return _train_and_write(args, som, config, space, rgb, data, names, recorder, record, say)


def _train_and_write(args, som, config, space, rgb, data, names, recorder, record, say) -> int:
    """`run`'s training, measures and outputs, saying each phase to `say` (cli_progress.RunProgress)."""
    from somdesk.core import kernels, metrics
    from somdesk.core.colour_space import fit_gamut
    from somdesk.io.images import map_rgb, save_png
    from somdesk.io.mapfile import check_saveable_weights, save_map
    from somdesk.render.views import render_view

    hexagonal = config.topology == "hexagonal"

    def step(info) -> None:
        if info.iteration + 1 < info.total:
            say.phase(f"training, epoch {info.iteration + 2} of {info.total}")
        if recorder is not None:
            record(info)

    say.phase(f"training, epoch 1 of {config.iterations}")
    t0 = time.perf_counter()
    som.train(step)
    seconds = time.perf_counter() - t0
    # a diverged run (NaN/inf weights) is an error, and nothing is written from it
    check_saveable_weights(som.weights)
    say.phase("measuring the map")
    report = {
        "quantization_error": metrics.quantization_error(som.weights, som.data),
        "topographic_error": metrics.topographic_error(som.weights, som.data, hexagonal, config.toroidal),
        "train_seconds": seconds,
        "iterations": config.iterations,
        "width": config.width,
        "height": config.height,
        "inputs": int(len(data)),
        "dims": int(data.shape[1]),
        "mode": config.mode,
        "seed": int(som.seed),
        "backend": kernels.BACKEND,
        **_colour_report(som, rgb, space),
    }
    from somdesk.cli_outputs import Written

    written = Written()     # an output that fails names those written before it (testerC #8)
    say.phase("writing")
    if args.save_weights:
        from somdesk.io.atomic import atomic_open

        with written.writing(args.save_weights), atomic_open(args.save_weights, "wb") as fh:
            # through bytes: np.save's tofile() on a full disk raises numpy's own words ("problem
            # writing element 2560 to file") with no errno; a plain write says "No space left on
            # device" like every other writer (tester7 #6)
            buf = io.BytesIO()
            np.save(buf, som.weights.astype(np.float64), allow_pickle=False)
            fh.write(buf.getbuffer())
    if args.save_map:
        with written.writing(args.save_map):
            from somdesk.cli_interrupt import token
            save_map(som, args.save_map, names, **_space_meta(space), cancel=token())
    if args.out:
        colours = args.view in ("map", "seed")   # U-matrix and hits stay in the training space
        with written.writing(args.out):
            save_png(render_view(args.view, fit_gamut(som.weights, space) if colours else som.weights,
                                 rgb if colours else som.data, hexagonal, config.toroidal, args.scale,
                                 args.markers), args.out)
    timelapse_frames = None
    if recorder is not None:
        from somdesk.io.timelapse import write_animation

        recorder.offer(som.iteration, map_rgb(fit_gamut(som.weights, space)))
        with written.writing(args.timelapse):
            timelapse_frames = write_animation(args.timelapse, recorder.frames, args.timelapse_fps, args.scale,
                                               hexagonal=hexagonal, epochs=recorder.iterations)
    if args.metrics_json:
        from somdesk.io.atomic import write_json

        with written.writing(args.metrics_json):
            write_json(args.metrics_json, report, indent=2)
    from somdesk.cli_outputs import print_summary
    from somdesk.core.options import size_text

    # an output written to stdout (a PNG piped on, --metrics-json -) must not get the summary in its bytes
    print_summary(args, f"trained a map of {size_text(config.height, config.width)} on {count_text(len(data), 'input')}, {count_text(config.iterations, 'iteration')} "
                  f"in {seconds:.3f} s; quantisation error {report['quantization_error']:.5f}"
                  f"{'' if space == 'srgb' else f' ({space})'}, topographic error {report['topographic_error']:.4f}, "
                  f"mean CIEDE2000 {report['mean_delta_e00']:.2f}")
    if timelapse_frames is not None:     # the frames in the file, as the window's status line says (testerG #9)
        from somdesk.cli_outputs import wrote_text
        from somdesk.io.timelapse import frames_written_text

        print_summary(args, f"time-lapse: {frames_written_text(timelapse_frames, len(recorder), args.timelapse_fps)}; "
                      f"{wrote_text(args.timelapse)}")
    return 0


def _colour_report(som, rgb: np.ndarray, space: str) -> dict:
    """The training space, mean CIEDE2000 input -> BMU colour, nodes sRGB cannot show."""
    from somdesk.core.colour_space import mean_delta_e00, out_of_gamut

    return {"space": space, "mean_delta_e00": mean_delta_e00(som.weights, som.data, rgb, space),
            "out_of_gamut_nodes": int(np.count_nonzero(out_of_gamut(som.weights, space)))
            if space != "srgb" else 0}


def _space_meta(space: str) -> dict:
    """save_map keywords that record the training space in meta.json (none for srgb, so the
    classic job's file is unchanged)."""
    return {} if space == "srgb" else {"extra_meta": {"colour_space": space}}
