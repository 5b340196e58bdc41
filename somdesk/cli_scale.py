"""Out-of-core and Dask options of `somdesk train --table` and `somdesk assign` (docs/scale.md).

    somdesk train --table "events/*.parquet" --mode batch --save-map m.somz     # streams when large
    somdesk train --table big.csv.gz --mode batch --out-of-core --chunk-rows 200000 --save-map m.somz
    somdesk train --table "/shared/*.parquet" --mode batch --dask local:2 --save-map m.somz
    somdesk assign m.somz "events/*.parquet" --out scores.csv                  # chunked
    somdesk assign m.somz "/shared/*.parquet" --dask tcp://host:8786 --out scores/   # partitioned Parquet

Training streams (every epoch reads the rows in chunks; memory bounded by the
chunk) when `--out-of-core` or `--dask` is given, or with `--mode batch` when
the table is a glob or has more rows than `--max-rows`; otherwise the table is
trained in memory as before (session.table_data).
"""
from __future__ import annotations

import glob
import os
import time

import numpy as np

from somdesk.cli_outputs import output_name, print_summary, print_warning, wrote_text
from somdesk.errors import OptionError, SomdeskError
from somdesk.io.names import display_name


def add_train_options(parser) -> None:
    g = parser.add_argument_group("tables larger than memory (docs/scale.md)")
    g.add_argument("--mode", default=None, help="batch (table maps always train with the batch map)")
    g.add_argument("--out-of-core", action="store_true",
                   help="read the rows in chunks every epoch instead of holding them in memory")
    g.add_argument("--chunk-rows", type=int, default=None, metavar="N", help="rows per chunk (default 262,144)")
    g.add_argument("--dask", metavar="ADDRESS",
                   help="run each epoch's chunks on Dask: local, local:N or tcp://HOST:PORT "
                        "(needs pip install \"somdesk[cluster]\")")


def add_assign_options(parser) -> None:
    g = parser.add_argument_group("tables larger than memory (docs/scale.md)")
    g.add_argument("--out-of-core", action="store_true", help="read DATA in chunks (also for globs)")
    g.add_argument("--chunk-rows", type=int, default=None, metavar="N", help="rows per chunk (default 262,144)")
    g.add_argument("--dask", metavar="ADDRESS",
                   help="score the chunks on Dask and write partitioned Parquet into --out (a folder)")


def _is_glob(path: str) -> bool:
    return any(ch in str(path) for ch in "*?[")


def _row_count(path: str) -> int:
    """Rows of a table by the engine, as the chunked reader counts them (io.chunked.count_rows:
    mixed line ends read as the in-memory reader reads them); 0 when it cannot be read (the
    in-memory reader then gives the real message)."""
    from somdesk.io.chunked import count_rows

    try:
        return count_rows(path)
    except SomdeskError:
        return 0


def _check_mode(args) -> str:
    """--mode of `train --table` in lower case ("" when not given); OptionError for any mode but batch."""
    mode = (args.mode or "").lower()
    if mode and mode != "batch":
        raise OptionError(f"table maps train with the batch map; --mode {args.mode} is not available for tables")
    return mode


def streams_by_flags(args) -> bool:
    """Does `train --table` run in chunks whatever the table holds: --out-of-core, --dask, or
    --mode batch on a glob?  (--mode batch on one file streams only past --max-rows rows, which
    takes counting them: `wants_streaming`.)"""
    return bool(args.dask or args.out_of_core or (_check_mode(args) == "batch" and _is_glob(args.table)))


def _refuse_in_memory_outputs(args) -> None:
    """OptionError when `train --table` in chunks is given an output that needs the whole table
    in memory (--profiles, --report, --assignments, --top-items)."""
    if args.profiles or args.report or args.assignments or getattr(args, "top_items", None):
        raise OptionError("--profiles, --report, --assignments and --top-items read the whole table in memory; "
                          f"{_why_in_chunks(args)}: score it with `somdesk assign MAP DATA --out-of-core` instead")


def check_train_flags(args) -> None:
    """The flag checks of `train --table` that need no file: OptionError for a --mode other than
    batch and, when the flags alone make the run stream (streams_by_flags), for an output that
    needs the table in memory, a reading option the chunked reader does not take, or a bad
    --chunk-rows.  Called before the table is read or counted (testerC #19: `--out-of-core
    --assignments a.csv` was refused after 4.3 s of work); --dask's address and extra are checked
    by check_dask."""
    _check_mode(args)
    if streams_by_flags(args):
        _refuse_in_memory_outputs(args)
        _refuse_read_options(args, _TRAIN_READ_FLAGS, _TRAIN_CHUNKED, "train on")
        _chunk_rows(args)


def check_dask(args) -> None:
    """With --dask: OptionError for an address that is not local, local:N or a scheduler URL, and
    SomdeskError when this somdesk has not the cluster extra -- both before anything is read
    (the extra's absence was said after the table was read to choose its label column).
    Nothing is started here: the cluster is, when the work begins (_executor)."""
    if not args.dask:
        return
    import importlib.util

    try:
        from somdesk.session.dask_executor import parse_address
    except ImportError as exc:
        raise _no_extra(exc) from None
    parse_address(args.dask)
    if importlib.util.find_spec("distributed") is None:
        raise _no_extra(ImportError("No module named 'distributed'"))


def _no_extra(exc: ImportError) -> SomdeskError:
    # the packaged app leaves the cluster extra out (build.spec); so may a plain install
    return SomdeskError(f"--dask needs the cluster extra, which this somdesk does not have ({exc}); "
                        "install somdesk with pip install 'somdesk[cluster]' and run it from there")


def wants_streaming(args) -> bool:
    """Does `train --table` run out of core (see module docstring)?"""
    mode = _check_mode(args)
    if args.dask or args.out_of_core:
        return True
    if mode != "batch":
        return False
    if _is_glob(args.table):
        return True
    limit = args.max_rows or 1_000_000
    return _row_count(args.table) > limit


def _why_in_chunks(args) -> str:
    """Why `train --table` runs in chunks, in the words of what the user typed (tester12 #5: a glob
    given without --out-of-core was told "with --out-of-core or --dask")."""
    if args.dask:
        return "with --dask the table is trained in chunks"
    if args.out_of_core:
        return "with --out-of-core the table is trained in chunks"
    if _is_glob(args.table):
        return "a glob (several files) is trained in chunks, out of core"
    return f"--mode batch on more rows than --max-rows ({args.max_rows or 1_000_000:,}) is trained in chunks"


def metrics_fields(tm) -> dict:
    """{"features": the trained (placing) features, "passive": the passive ones, "k_curve": the
    segment validity curve {"k": [...], "davies_bouldin": [...], "silhouette": [...]} (null where
    a measure is undefined; the three lists empty below 3 nodes, where there is no curve)} of
    table map `tm` for --metrics-json (tester12 #11: a passive date column was listed among the
    trained features; testerC #12: the help promised the k curve and there was none; testerC
    #16: `{}` on a small map, the three lists elsewhere -- one shape now)."""
    r = tm.recipe
    given = tm.curve or {}
    curve = {key: [None if v is None or not np.isfinite(v) else round(float(v), 6) for v in given.get(key, ())]
             if key != "k" else [int(k) for k in given.get(key, ())]
             for key in ("k", "davies_bouldin", "silhouette")}
    return {"features": [f for f, a in zip(r.features, r.active) if a],
            "passive": [f for f, a in zip(r.features, r.active) if not a], "k_curve": curve}


def suggested_k(tm) -> int:
    """The suggested segment count of table map `tm` (session.segments.suggested_k: 1 below 3
    nodes), for --metrics-json's "suggested_k" and the summary line: always a whole number."""
    from somdesk.session.segments import suggested_k as suggested

    return suggested(tm.curve)


def write_metrics(args, metrics: dict, written=None) -> None:
    """Write --metrics-json after the map was saved: a refused target says the map itself was
    saved (tester12 #9) and every other output already written (`written`: cli_outputs.Written,
    default the map alone; testerC #8).  Raises SomdeskError."""
    from somdesk.cli_outputs import Written
    from somdesk.io.atomic import write_json

    with (written or Written(args.save_map)).writing(args.metrics_json):
        write_json(args.metrics_json, metrics, indent=1)


def _executor(spec: str | None):
    if not spec:
        from somdesk.session.outofcore import LocalExecutor
        return LocalExecutor()
    try:
        from somdesk.session.dask_executor import DaskExecutor
    except ImportError as exc:
        raise _no_extra(exc) from None
    return DaskExecutor(spec)


def _chunk_rows(args) -> int:
    from somdesk.io.chunked_sql import DEFAULT_CHUNK_ROWS
    n = args.chunk_rows if args.chunk_rows is not None else DEFAULT_CHUNK_ROWS
    if not 1 <= n <= 100_000_000:
        raise OptionError(f"--chunk-rows must be 1 to 100,000,000, got {n}")
    return n


def run_train_streaming(args, spec, check_writable, default_label: bool = False) -> int:
    """`somdesk train --table` out of core: train, save the map, write metrics.  `default_label`
    (neither --label nor --no-label given): the label is the in-memory default's
    (session.outofcore_table.default_label_out_of_core), said as in memory."""
    from somdesk.io.names import display_name

    # again for a run that streams because of its row count (--mode batch past --max-rows): the
    # flags alone were checked before the count (check_train_flags)
    _refuse_in_memory_outputs(args)
    # the options its reader does not take were dropped without a word (as review8 found in assign)
    _refuse_read_options(args, _TRAIN_READ_FLAGS, _TRAIN_CHUNKED, "train on")
    check_writable(args.save_map, inputs=glob.glob(args.table) or [args.table])
    from somdesk.io.tables.options import ReadOptions
    from somdesk.session.outofcore_format import given_number_format
    given = ReadOptions(decimal=args.decimal, thousands=args.thousands).checked()
    chunk = _chunk_rows(args)
    start = time.perf_counter()
    from somdesk.cli_progress import RunProgress
    say = RunProgress(args.quiet)     # the in-memory run's phase lines (cli_progress)
    with say:
        default = None
        if default_label:       # never trained on: the map is the map without it, as in memory
            from dataclasses import replace
            from somdesk.session.outofcore_table import default_label_out_of_core
            say.phase(f"reading {display_name(args.table)} to choose the label column")     # a query over every row
            default = default_label_out_of_core(args.table, spec, args.where,
                                                given_number_format(given.decimal, given.thousands))
            spec = replace(spec, label=default)
        return _train_streaming(args, spec, given, chunk, start, default, say)


def _train_streaming(args, spec, given, chunk, start, default, say) -> int:
    """`run_train_streaming` from the training on, saying each phase to `say` (cli_progress)."""
    from somdesk.io.names import display_name
    from somdesk.core.options import count_text
    from somdesk.cli_interrupt import token as cli_token
    from somdesk.session.outofcore_format import given_number_format
    from somdesk.session.outofcore_table import train_table_map_streaming
    from somdesk.session.scoring import save_table_map

    executor = _executor(args.dask)
    try:
        # every epoch reads the chunks again
        say.phase(f"reading {display_name(args.table)} in chunks and training the first epoch")

        def progress(done, total):
            say.epoch(done, total)
            if done >= total:
                say.phase("measuring the map and finding segments")
        warnings: list[str] = []
        counts: dict = {}
        from somdesk.cli_train import in_flag_words
        with in_flag_words(args, "epochs"):       # --clusters larger than the map, before training
            tm = train_table_map_streaming(args.table, spec, chunk_rows=chunk, where=args.where,
                                           executor=executor, cancel=cli_token(), progress=progress,
                                           number_format=given_number_format(given.decimal, given.thousands),
                                           warnings=warnings, counts=counts)
    finally:
        executor.close()
    from somdesk.cli_outputs import Written
    written = Written()     # the map, kept: a later error or a Ctrl+C says so (cli_outputs)
    if args.save_map:       # optional: --metrics-json alone may be all that is wanted
        say.phase(f"saving the map {display_name(args.save_map)}")
        with written.writing(args.save_map, is_map=True):
            save_table_map(tm, args.save_map, cli_token())
    elapsed = time.perf_counter() - start
    # every epoch trains on every row and QE is measured over them all; TE on tm.inputs, a sample
    # of them only when there are more rows than it holds (testerC #12: "sampled": true,
    # "rows_in_file": null and "(on a sample)" of 470 rows all measured)
    rows = counts.get("rows", int(tm.inputs.shape[0]))
    sampled = int(tm.inputs.shape[0]) < rows
    metrics = {"rows": rows, "trained_rows": rows, "rows_in_file": rows, "measured_rows": int(tm.inputs.shape[0]),
               "sampled": sampled, "out_of_core": True,
               "executor": "dask" if args.dask else "out-of-core", "height": tm.config.height,
               "width": tm.config.width, "epochs": tm.config.iterations, **metrics_fields(tm),
               "quantization_error": tm.quantization_error, "topographic_error": tm.topographic_error,
               "k": tm.k, "suggested_k": suggested_k(tm), "seconds": round(elapsed, 3)}
    lc = tm.label_counts
    if lc is not None:      # the label's majority per segment, counted over every row as in memory
        from somdesk.session.table_labels import labels_json
        metrics["label"] = {**labels_json(lc, tm.clusters), "default": default is not None}
    elif spec.label:
        warnings.append(f"no row has a value in the label column {spec.label!r}: no majority labels")
    if args.metrics_json:
        write_metrics(args, metrics, written)
    from somdesk.session.table_columns import NUMERIC_LABEL
    for w in warnings if not args.quiet else ():     # columns left out, rows dropped (as in memory)
        print_warning(f"--label {w[len(NUMERIC_LABEL):]}" if default is None and w.startswith(NUMERIC_LABEL) else w)
    from somdesk.cli_outputs import print_summary
    from somdesk.cli_table import saved_text
    from somdesk.core.options import size_text
    print_summary(args, f"map of {size_text(tm.config.height, tm.config.width)}, {count_text(tm.config.iterations, 'epoch')} "
                  "out of core; "
                  f"QE {tm.quantization_error:.4g}, TE {tm.topographic_error:.3f}{' (on a sample)' if sampled else ''}; "
                  f"{count_text(tm.k, 'segment')}; {saved_text(args.save_map)}")
    from somdesk.cli_outputs import print_label_summary
    print_label_summary(args, default, lc, tm.clusters)
    return 0


def wants_streaming_assign(args) -> bool:
    return bool(args.dask or args.out_of_core or _is_glob(args.data))


def _file_suffixes() -> tuple[str, ...]:
    """Names that ask for one file: with --dask, --out is a folder of Parquet parts, and a new folder
    named x.csv was made without a word (testerC #14).  Every suffix the table reader knows
    (io.tables.detect, one list) and .zip, except Parquet's: a folder named x.parquet is Dask's and
    Spark's own way of naming a partitioned Parquet data set, so it is taken."""
    from somdesk.io.tables.detect import SUFFIX_FORMATS, TABLE_SUFFIXES

    return tuple(s for s in TABLE_SUFFIXES if SUFFIX_FORMATS.get(s) != "parquet") + (".zip",)


def check_assign_flags(args) -> None:
    """The flag checks of `assign` in chunks (--out-of-core, --dask or a glob) that need no file,
    before the map or the data is read (testerC #19): reading options the chunked reader does
    not take, --chunk-rows, and with --dask its --out (given, not standard output, not a file's
    name or an existing file: a folder), its address and the cluster extra (check_dask).
    OptionError / SomdeskError."""
    if not wants_streaming_assign(args):
        return
    # --where: a filter while staging (io.chunked); not on Dask, whose workers number rows by partition
    _refuse_read_options(args, _READ_FLAGS if args.dask else _SCORE_READ_FLAGS)
    _chunk_rows(args)
    if not args.dask:
        return
    from somdesk.cli_outputs import is_stdout

    part = "--dask writes partitioned Parquet (part-00000.parquet, ...) into a folder"
    if not args.out:
        raise OptionError(f"{part}: give --out FOLDER")
    if is_stdout(args.out):
        raise OptionError(f"{part}, not to standard output: give --out FOLDER, or leave out --dask to write "
                          "CSV to standard output")
    if os.path.isdir(args.out):
        pass
    elif os.path.lexists(args.out):
        raise OptionError(f"--out {display_name(args.out)} is a file, but {part}: give a folder name")
    elif os.path.splitext(args.out.rstrip("/" + os.sep))[1].lower() in _file_suffixes():
        raise OptionError(f"--out {display_name(args.out)} is the name of a file, but {part}: give a folder name "
                          "(such as scores/ or scores.parquet), or leave out --dask to write one file")
    check_dask(args)


def score_partition(part, tm, tally=None, valued: set | None = None, zeros=None) -> dict:
    """Scores of one partition's rows (a Dask task too): SCORE_COLUMNS arrays, `row` = partition row.
    `tally` (session.unseen.UnseenTally) counts the categories the map never saw; `valued` (a set)
    gets the placing columns with a value in some row (table_assign.valued_columns); `zeros`
    (session.unrated.ZeroTally) counts the numeric placing columns' zeros that may mean "not rated"."""
    from somdesk.io.chunked import read_partition_cells
    from somdesk.session.table_assign import assign_cells, placing_columns

    r = tm.recipe
    placing = placing_columns(r)     # passive columns are not read: new data may lack them (tester8 #1)
    # the cells the in-memory path scores (text "" where missing): the same encoding, fill and
    # unseen-category rule (all zeros) as `somdesk assign` without --out-of-core
    numeric = [c for c in r.numeric_columns if c in placing]     # session.unrated.scoring_columns
    cells = read_partition_cells(part, numeric, [c for c in placing if c not in r.numeric_columns])
    if tally is not None:
        tally.add(r, cells)
    if valued is not None:
        from somdesk.session.table_assign import valued_columns
        valued |= valued_columns(cells)
    if zeros is not None:
        zeros.add({c: cells[c] for c in numeric})
    return assign_cells(tm, cells)


def write_partition_scores(part, index: int, first_row: int, tm, folder: str,
                           file_labels: dict | None = None) -> tuple[int, dict, int, set, object]:
    """Score one partition and write it as folder/part-NNNNN.parquet (a Dask task too); (rows,
    the unseen categories' counts: session.unseen.UnseenTally.counts, the rows known in too few
    placing columns: session.table_assign.few_values, the placing columns with a value in some
    row: table_assign.valued_columns, the zeros' session.unrated.ZeroTally) -- the last two
    merged by the caller, so a column blank in every row and zeros that may mean "not rated"
    are said as in memory (a worker says nothing itself).  `file_labels` (a glob:
    ChunkedTable.file_labels) adds the `file` column (io.chunked_files)."""
    from somdesk.io.tables.assignments import FILE_COLUMN, SCORE_COLUMNS, write_parquet
    from somdesk.session.unrated import ZeroTally
    from somdesk.session.unseen import UnseenTally

    tally, valued, zeros = UnseenTally(), set(), ZeroTally()
    a = score_partition(part, tm, tally, valued, zeros)
    n = len(a["distance"])
    cols = {"row": np.arange(first_row, first_row + n, dtype=np.int64), **{k: a[k] for k in SCORE_COLUMNS[1:]}}
    if file_labels is not None:
        from somdesk.io.chunked_files import partition_files
        cols[FILE_COLUMN] = partition_files(part, file_labels).astype(str)
    # the one guarded writer of every scores file: a full disk is "cannot write ...", not a
    # worker's traceback, and a part is whole or absent (testerC #1's kind)
    write_parquet(os.path.join(folder, f"part-{index:05d}.parquet"), [cols], files=file_labels is not None)
    return n, tally.counts(), int(np.count_nonzero(a["few"])), valued, zeros


# the reading options a chunked `assign` cannot honour (--decimal, --thousands, --missing-values and
# --also-missing it does: io.chunked)
_READ_FLAGS = (("delimiter", "--delimiter"), ("header", "--header"), ("skip", "--skip"), ("sheet", "--sheet"),
               ("encoding", "--encoding"), ("where", "--where"))


def _refuse_read_options(args, flags=_READ_FLAGS, doing: str = "scoring in chunks (--out-of-core, --dask or a glob)",
                         one: str = "score") -> None:
    """OptionError naming the reading options `flags` ((args name, flag)) given to a chunked
    `assign` (or `train`: `doing` says when, `one` "train on") that its reader (io.chunked,
    DuckDB's own sniffing) does not take: ignoring them would read the file otherwise than
    asked without a word (review8).  Each is named as typed (`--no-header`: tester9 #2)."""
    def typed(name: str, flag: str) -> str:
        return "--no-header" if name == "header" and args.header is False else flag
    given = [typed(name, flag) for name, flag in flags if getattr(args, name, None) is not None]
    if given:
        raise OptionError(f"{', '.join(given)} cannot be used when {doing}: those files are read with "
                          f"DuckDB's own rules; {one} one file without --out-of-core to use them")


# training in chunks takes --where (a filter while staging), --decimal and --thousands
# (session.outofcore_format.text_number_format) and no other reading option
_TRAIN_READ_FLAGS = tuple(f for f in _READ_FLAGS if f[0] != "where") + (("missing_values", "--missing-values"),
                                                                         ("also_missing", "--also-missing"))
_TRAIN_CHUNKED = "training in chunks (--out-of-core, --dask, a glob, or --mode batch on more rows than --max-rows)"


_SCORE_READ_FLAGS = tuple(f for f in _READ_FLAGS if f[0] != "where")


def run_assign_streaming(args, check_writable) -> int:
    """`somdesk assign` in chunks (CSV/Parquet file) or on Dask (a folder of Parquet parts), with
    phase lines on stderr for a long run (cli_progress; -q none)."""
    from somdesk.cli_progress import RunProgress

    with RunProgress(args.quiet) as say:
        return _assign_streaming(args, check_writable, say)


def _assign_streaming(args, check_writable, say) -> int:
    """`run_assign_streaming`'s work, saying each phase to `say` (cli_progress.RunProgress)."""
    from somdesk.io.names import display_name
    from somdesk.core.options import count_text
    from somdesk.cli_interrupt import token as cli_token
    from somdesk.core.cancel import check
    from somdesk.io.chunked import ChunkedTable
    from somdesk.session.scoring import load_table_map

    from somdesk.session.unseen import UnseenTally

    check_assign_flags(args)            # done by run_assign already; the flags alone, before any reading
    tm = load_table_map(args.map)
    from somdesk.io.chunked_sql import expand
    from somdesk.io.tables.options import ReadOptions
    from somdesk.session.scoring import chunked_number_format, scoring_missing

    # numbers as the map's own table wrote them, unless the files show or are given otherwise
    # (tester9 #2: a decimal-comma map could not score a glob of its next months' files)
    given = ReadOptions(decimal=args.decimal, thousands=args.thousands,
                        missing=tuple(args.missing_values.split(",")) if args.missing_values is not None
                        else None,
                        also_missing=getattr(args, "also_missing", None)).checked()
    from somdesk.session.opening import chunks_named
    with chunks_named(args.data):       # a palette or picture given: said so, as in memory
        number_format, notes = chunked_number_format(tm, expand(args.data), given)
    # the missing-value texts of the map's own table, or those given, as the in-memory scoring's
    missing = scoring_missing(tm, given)
    token = cli_token()      # abandoned by Ctrl+C (cli_interrupt)
    tally = UnseenTally()
    from somdesk.session.unrated import ZeroTally
    zeros = ZeroTally()                        # zeros that may mean "not rated", over every chunk
    valued = set()              # placing columns with a value: the others are blank (warned)
    few = 0                                    # rows known in too few placing columns (flagged)
    from somdesk.session.table_assign import blank_warning, few_values_warning, placing_columns

    cols = placing_columns(tm.recipe)          # passive columns may be absent (tester8 #1)
    text = tuple(c for c, k in zip(tm.recipe.columns, tm.recipe.kinds) if k != "numeric" and c in cols)
    from somdesk.io.names import display_basename
    say.phase(f"reading {display_name(args.data)} in chunks")
    with chunks_named(args.data):
        src = ChunkedTable.open(args.data, cols, _chunk_rows(args), text_columns=text, categorical=text,
                                used_by=f"the map {display_basename(args.map)}", number_format=number_format,
                                missing=missing, where=getattr(args, "where", None))
    with src:
        starts = np.cumsum([0] + [p[2] - p[1] for p in src.partitions])[:-1]
        if args.dask:
            os.makedirs(args.out, exist_ok=True)        # --out: a folder name (check_assign_flags)
            for old in glob.glob(os.path.join(args.out, "part-*.parquet")):
                os.remove(old)   # a smaller rerun must not leave the previous run's parts
            ex = _executor(args.dask)
            say.phase(f"scoring {count_text(len(src.partitions), 'part')} on Dask")
            try:
                futures = [ex.client.submit(write_partition_scores, p, i, int(s), tm, os.path.abspath(args.out),
                                            src.file_labels, pure=False)
                           for i, (p, s) in enumerate(zip(src.partitions, starts))]
                done = ex.client.gather(futures)
                n = sum(d[0] for d in done)
                few = sum(d[2] for d in done)
                for _, counts, _, part_valued, part_zeros in done:
                    tally.merge(counts)
                    valued |= part_valued          # the workers' columns with a value (testerG #2's warning)
                    zeros.merge(part_zeros)
            finally:
                ex.close()
        else:
            from somdesk.io.tables.assignments import write_scores

            from somdesk.io.chunked import chunk_reads

            def blocks():
                nonlocal few
                with chunk_reads():      # one connection for the walk, closed when it ends or stops
                    for i, (p, s) in enumerate(zip(src.partitions, starts)):
                        check(token)
                        say.phase(f"scoring part {i + 1:,} of {len(src.partitions):,} and writing "
                                  f"{output_name(args.out or '-')}")
                        a = score_partition(p, tm, tally, valued, zeros)
                        few += int(np.count_nonzero(a["few"]))
                        files = src.files_of(p)          # a glob: the file each row came from
                        if files is not None:
                            a = {**a, "file": files}
                        yield src.row_numbers(p, int(s)), a        # filtered: the files' row numbers
            # no --out: CSV on standard output, as in memory and as `--out -` (testerC #3a: a glob
            # without --out was refused with a word about --out-of-core)
            out = args.out or "-"
            check_writable(out, inputs=[args.map] + (glob.glob(args.data) or [args.data]))
            from somdesk.cli_outputs import Written
            with Written().writing(out):       # a Ctrl+C after it names it
                n = write_scores(out, blocks(), token, files=src.file_labels is not None)
    name = os.path.basename(args.data)
    from somdesk.session.table_source import source_change_warning
    # a placing column blank in every row: scored as missing, said as in memory (testerG #2), on
    # Dask too (each worker hands back its columns with a value); zeros that may mean "not rated"
    # once for the files, as in memory (session.unrated.scoring_zero_warning)
    blank = blank_warning(name, [c for c in cols if c not in valued]) if n else None
    warned = src.warnings + [w for w in (source_change_warning(tm, args.data), blank, zeros.warning(name, _data_files(args.data)),
                                         tally.warning(name), few_values_warning(tm, name, few)) if w]
    for w in notes + warned if not args.quiet else ():
        print_warning(w)
    if args.out:        # the scores on standard output by default: no summary line, as in memory
        print_summary(args, f"{count_text(n, 'row')} scored; {wrote_text(args.out)}")   # testerC #11
    return 0


def _data_files(data) -> list[str]:
    """The files of `somdesk assign`'s DATA (a file or a glob), for the zeros' spellings; [] if none."""
    from somdesk.io.chunked_sql import expand
    try:
        return expand(data)
    except Exception:  # noqa: BLE001 - the read itself said what is wrong
        return []
