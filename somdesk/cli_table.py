"""`somdesk table info`, `somdesk train --table`, `somdesk assign`: tables headless.

    somdesk table info FILE [--json]
    somdesk train --table FILE [--columns a,b] [--weights a=2,b=0.5] [--passive c] [--label COL|none]
                  [--normalise zscore|minmax|none] [--missing drop|mean|median|train]
                  [--clusters K] [--save-map M.somz] [--assignments A.csv] [--report R.html]
                  (at least one output: --save-map, --assignments, --profiles, --report, --top-items,
                  --metrics-json)
    somdesk assign MAP.somz DATA [--out FILE.csv|.parquet]

Read options (every command): --delimiter --decimal --thousands --header/--no-header
--skip --sheet --encoding --missing-values --also-missing --where (an SQL condition on the columns).
"""
from __future__ import annotations

import argparse
import contextlib
import json
from dataclasses import replace

from somdesk.errors import OptionError
from somdesk import cli_scale
from somdesk.cli_outputs import Written, check_writable, print_summary, print_warning, wrote_text
from somdesk.core.options import count_text
from somdesk.cli_train import TypedFlag, check_grid_options, in_flag_words
from somdesk.io.names import display_name

__all__ = ["register", "run_info", "run_train", "run_assign"]


def _read_options(p) -> None:
    g = p.add_argument_group("reading the table (when sniffing guesses wrong)")
    g.add_argument("--delimiter", help="field separator: one character, or tab / space / pipe")
    g.add_argument("--decimal", choices=(".", ","), help="decimal separator")
    g.add_argument("--thousands", help="digit group separator: , . space ' _ or none")
    g.add_argument("--header", action=argparse.BooleanOptionalAction, default=None,
                   help="the first (non-skipped) line holds column names")
    g.add_argument("--skip", type=int, help="lines to skip before the header or data")
    g.add_argument("--sheet", help="spreadsheet sheet, by name or 0-based number")
    g.add_argument("--encoding", help="text encoding, e.g. utf-8, latin-1, cp1252")
    g.add_argument("--missing-values", metavar="TOKENS", action=_AddTokens,
                   help="comma-separated cell texts meaning 'no value' (instead of NA, N/A, NaN, null, ?, -); "
                   "an empty cell is always missing; matched in any letter case, spaces around a cell ignored; "
                   "given twice, the lists add up")
    g.add_argument("--also-missing", metavar="TOKENS", action=_AddTokens,
                   help="comma-separated cell texts meaning 'no value' besides "
                   "the usual ones (or those of --missing-values), e.g. 0 for a ratings table whose 0 means 'not rated' "
                   "(0,0.0 when the file also writes 0.0); matched in any letter case, spaces around a cell ignored; "
                   "given twice, the lists add up")
    g.add_argument("--where", metavar="CONDITION", help="keep rows where this SQL condition holds, e.g. \"age >= 18\"")
    g.add_argument("--max-rows", type=int, help="rows held in memory; larger tables are sampled (default 1,000,000)")


class _AddTokens(argparse.Action):
    """--missing-values / --also-missing given again: its texts join the ones given before
    (testerI 8a: `--also-missing 0 --also-missing x` kept only x, silently).  The value stays
    one comma-separated text, as every reader of the option expects."""

    def __call__(self, parser, namespace, values, option_string=None):
        before = getattr(namespace, self.dest, None)
        setattr(namespace, self.dest, values if before is None else f"{before},{values}")


def _options(args):
    from somdesk.io.tables.options import ReadOptions

    missing = None
    if args.missing_values is not None:
        missing = tuple(args.missing_values.split(","))
    also = tuple(args.also_missing.split(",")) if args.also_missing is not None else None
    return ReadOptions(delimiter=args.delimiter, decimal=args.decimal, thousands=args.thousands,
                       header=args.header, skip=args.skip, sheet=args.sheet, encoding=args.encoding,
                       missing=missing, also_missing=also, where=args.where, max_rows=args.max_rows)


def register(sub) -> None:
    t = sub.add_parser("table", help="inspect table files (CSV, Parquet, JSON, spreadsheets)")
    tsub = t.add_subparsers(dest="table_command", required=True)
    info = tsub.add_parser("info", help="format, rows, columns (type, missing) and dialect of a table")
    info.add_argument("file", metavar="FILE")
    info.add_argument("--json", action="store_true", help="print the description as JSON")
    _read_options(info)
    info.set_defaults(func=run_info)

    tr = sub.add_parser("train-table", prog="somdesk train",
                        help="(somdesk train --table FILE ...) train a map on a table's rows")
    tr.add_argument("--table", required=True, metavar="FILE")
    tr.add_argument("--columns", help="columns to train on, comma-separated (default: every numeric column "
                    "but the label); a name holding a comma in double quotes: '\"income, net\",age'")
    tr.add_argument("--weights", help="per-column weights: a=2,b=0.5 or one number per --columns entry "
                                           "(the last '=' starts the weight: q=1=2 weights column q=1)")
    tr.add_argument("--passive", help="columns shown on the map but not used to place rows (weight 0)")
    tr.add_argument("--categorical", help="columns to one-hot encode (text columns are by default)")
    tr.add_argument("--group-weight", type=float, default=1.0, help="weight of each one-hot group (default 1)")
    tr.add_argument("--label", metavar="COL", help="column naming each row's class (counted per node and segment, "
                    "not trained on); default: the column the window proposes (a text column named species, "
                    "class, label, ... with 2 to 50 kinds, else the leftmost such column); none: no label")
    tr.add_argument("--no-label", action="store_true", help="train without a label column (the same as --label none)")
    tr.add_argument("--normalise", "--normalize", default="zscore", help="zscore | minmax | none")
    tr.add_argument("--missing", default="drop", help="drop | mean | median | train (use present values only)")
    tr.add_argument("--clusters", type=int, help="number of segments K (default: the suggested K)")
    tr.add_argument("--cluster-method", default="kmeans", help="kmeans (hit-weighted, default) | ward (SOM-Ward)")
    tr.add_argument("--width", type=int, help="map columns (default: SOM Toolbox rule)")
    tr.add_argument("--height", type=int, help="map rows (default: SOM Toolbox rule)")
    tr.add_argument("--epochs", "--iterations", dest="epochs", type=int, action=TypedFlag,
                    help="batch epochs (default: from rows and nodes); --iterations is the same")
    tr.add_argument("--topology", default="hexagonal", help="hexagonal (default) or rectangular")
    tr.add_argument("--seed", type=int, default=0)
    # optional, as the help's other outputs are (tester F #15: "required: --save-map" while the
    # help listed it among them); a run that would write nothing at all is refused (_outputs_given)
    tr.add_argument("--save-map", metavar="M.somz", help="write the table map (for `somdesk assign` and the "
                    "window); give it, or another output below, or both")
    tr.add_argument("--assignments", metavar="FILE", help="also write every row's scores (.csv or .parquet)")
    tr.add_argument("--profiles", metavar="FILE.csv", help="also write segment profiles (a .png beside it)")
    tr.add_argument("--report", metavar="FILE.html", help="also write a self-contained HTML report")
    tr.add_argument("--top-items", metavar="FILE.csv", help="a ratings table (users x items): also write each "
                    "segment's highest-rated items (and add them to --report)")
    tr.add_argument("--top-n", type=int, default=10, metavar="N", help="items per segment for --top-items (default 10)")
    tr.add_argument("--metrics-json", metavar="FILE", help="write size, rows, QE, TE, segments and their k curve as JSON ('-' = stdout)")
    tr.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    _read_options(tr)
    cli_scale.add_train_options(tr)
    tr.set_defaults(func=run_train)

    a = sub.add_parser("assign", help="score a table against a saved table map")
    a.add_argument("map", metavar="MAP.somz")
    a.add_argument("data", metavar="DATA", help="a table file, or a quoted glob such as 'dir/*.csv' "
                                                "(its scores end with a `file` column naming each row's file)")
    a.add_argument("--out", metavar="FILE", help=".csv or .parquet (default: CSV on standard output); columns "
                                                 "row, bmu_row, bmu_col, segment, distance, outlier, present[, file]")
    a.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    _read_options(a)
    cli_scale.add_assign_options(a)
    a.set_defaults(func=run_assign)


_QUOTING = "write a name holding a comma, a line break or a double quote in double quotes, each quote in it doubled"


def _split(text: str | None) -> tuple:
    """The names of a --columns/--passive/--categorical/--weights list: comma-separated, read as
    one CSV record so a name holding a comma, a line break or a double quote is written in double
    quotes ('"income, net",age', '"a ""b"" c",age'; tester10 #18); each trimmed, blanks dropped.
    OptionError naming what a name holds when the list cannot be read (a line break outside
    quotes; tester13 #6: it was told to quote "a name holding a comma")."""
    if not text:
        return ()
    import csv
    try:
        # not strict: a quoted name may be followed by "=weight" ('"income, net"=2')
        cells = next(csv.reader([text], skipinitialspace=True), [])
    except csv.Error:
        broken = next((p.strip() for p in text.split(",") if "\n" in p or "\r" in p), None)
        if broken is not None and '"' not in text:
            raise OptionError(f"cannot read the list {text!r}: {broken!r} holds a line break; "
                              f"{_QUOTING}, e.g. {chr(34) + broken + chr(34)!r}") from None
        raise OptionError(f"cannot read the list {text!r}: a name in it holds a line break or a double quote "
                          f"that the list cannot hold as it is; {_QUOTING}, e.g. " + """'"a ""b"" c",age'""") from None
    return tuple(s.strip() for s in cells if s.strip())


def _weights(text: str | None, columns) -> dict:
    if not text:
        return {}
    parts = _split(text)
    try:
        if all("=" in p for p in parts):
            # split at the LAST '=': a name may hold one ("q=1=2" weights column q=1)
            return {k.strip(): float(v) for k, v in (p.rsplit("=", 1) for p in parts)}
        nums = [float(p) for p in parts]
    except ValueError:
        raise OptionError(f"--weights must be col=number pairs or numbers, got {text!r}") from None
    if columns is None or len(nums) != len(columns):
        raise OptionError("--weights as plain numbers needs --columns with as many names")
    return dict(zip(columns, nums))


def _one_file(path: str, what: str) -> None:
    """OptionError when `path` is a glob, not a file (tester6 F44: "cannot read *.csv: No such file
    or directory", the folder dropped and no word of --out-of-core); `what` says what to do."""
    from somdesk.io.names import display_name
    import glob
    import os

    if not cli_scale._is_glob(path) or os.path.exists(path):
        return
    files = sorted(glob.glob(path, recursive=True))
    if not files:
        raise OptionError(f"no files match {display_name(path)}")
    shown = ", ".join(os.path.basename(f) for f in files[:3]) + (", ..." if len(files) > 3 else "")
    raise OptionError(f"{display_name(path)} is a pattern matching {count_text(len(files), 'file')} "
                      f"({shown}); {what}")


def _read_table(path, options, token=None):
    from somdesk.session.opening import read_table_named     # a palette or picture is named (tester10 #7)
    return read_table_named(path, options, token)


def run_info(args) -> int:
    _one_file(args.file, "table info describes one file: give one of them")
    _options(args).checked()        # a bad reading option before the file is read

    from somdesk.cli_interrupt import token
    from somdesk.cli_progress import RunProgress
    with RunProgress() as say:      # a big file's scan: a phase line if it runs long (cli_progress)
        say.phase(f"reading {display_name(args.file)}")
        tab = _read_table(args.file, _options(args), token())
        try:
            # the reader's warnings (an assumed encoding, sampling) in the JSON too, as the text form
            # says them (testerC #7); a list, empty when there are none
            say.phase(f"describing the columns of {display_name(args.file)}")
            from somdesk.core.choice_words import cli_words
            from somdesk.session.unrated import zero_unrated_warning
            zeros = zero_unrated_warning(tab)        # 0 that may mean "not rated" (testerG #4)
            info = {**tab.info(), "warnings": list(tab.warnings) + ([cli_words(zeros)] if zeros else [])}
            from somdesk.io.tables.spreadsheet import sheets_note
            sheets = sheets_note(tab, "--sheet NAME")     # the plain form named only the sheet read
        finally:
            tab.close()
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))  # as palette info --json
        return 0
    d = info["dialect"]
    # a name that is not UTF-8 (tester7 #20) as its repr: a strict stdout cannot encode it
    print(f"{display_name(args.file)}: {info['format']}, {count_text(info['rows'], 'row')}, "
          f"{count_text(len(info['columns']), 'column')}")
    # "decorated" (currency or percent signs in the numbers) is said by one warning per column
    shown = {k: v for k, v in d.items() if v not in (None, "", False) and k != "decorated"}
    if shown:
        print("  " + ", ".join(f"{k}={v!r}" for k, v in shown.items()))
    if sheets:
        print(f"  {sheets[0].upper()}{sheets[1:]}")
    for c in info["columns"]:
        print(f"  {display_name(c['name'])}: {c['type']}" + (f", {c['missing']:,} missing" if c["missing"] else "")
              + (f"; {c['problem']}" if c.get("problem") else ""))
    for w in info["warnings"]:
        print_warning(w)
    return 0


def run_train(args) -> int:
    from somdesk.io.names import display_name
    import time

    from somdesk.cli_train import check_suffix

    # every check of the flags alone comes before the table is read or counted, and the flag
    # combinations refused in chunks before the session's imports too (testerC #19)
    _outputs_given(args)
    check_suffix(args.save_map, ".somz", "--save-map", "a somdesk map")
    from somdesk.cli_outputs import profiles_picture
    check_writable(args.save_map, args.assignments, args.profiles, args.report, args.top_items,
                   profiles_picture(args.profiles) if args.profiles else None, inputs=[args.table])
    check_grid_options(args, "epochs")
    if args.top_n < 1:
        raise OptionError(f"--top-n must be at least 1, got {args.top_n}")
    if args.clusters is not None and args.clusters < 1:      # named as typed (tester12 #11), as --top-n
        raise OptionError(f"--clusters must be a whole number from 1, got {args.clusters}")
    columns = _split(args.columns) or None
    if args.columns is not None and not columns:
        raise OptionError("--columns is empty: name the columns to train on, or leave --columns out "
                          "for every numeric column")
    label, no_label = _label_option(args)
    if columns and label in columns:
        raise OptionError(f"--label {label} is also in --columns: the label names the rows and is not "
                          "trained on; leave it out of --columns, or choose another --label")
    _options(args).checked()        # --skip, --encoding, --thousands, ... (the reader checks them again)
    cli_scale.check_train_flags(args)
    weights = _weights(args.weights, columns)

    from somdesk.cli_interrupt import token as cli_token
    from somdesk.session.scoring import save_table_map
    from somdesk.core.options import size_text
    from somdesk.session.table_data import TableMapSpec, check_spec, train_table_map

    with in_flag_words(args, "epochs"):        # the core's range words, in the flags typed
        spec = TableMapSpec(columns=columns, label=label, weights=weights,
                            passive=_split(args.passive), categorical=_split(args.categorical),
                            group_weight=args.group_weight, normalise=args.normalise, missing=args.missing,
                            height=args.height, width=args.width, epochs=args.epochs, topology=args.topology,
                            seed=args.seed, clusters=args.clusters, cluster_method=args.cluster_method)
        check_spec(spec)            # --normalise, --missing, --clusters past --width x --height, ...
    cli_scale.check_dask(args)
    if cli_scale.wants_streaming(args):
        return cli_scale.run_train_streaming(args, spec, check_writable, default_label=label is None and not no_label)
    _one_file(args.table, "training on several files reads them in chunks: add --out-of-core (or --dask), "
                          "or give one file")
    from somdesk.cli_progress import RunProgress
    from somdesk.session.table_data import prepare_for

    token = cli_token()      # abandoned by Ctrl+C (cli_interrupt)
    start = time.perf_counter()
    with RunProgress(args.quiet) as say:     # phase lines on stderr for a long run (cli_progress)
        say.phase(f"reading {display_name(args.table)}")
        tab = _read_table(args.table, _options(args), token)
        try:
            warn = list(tab.warnings)
            default = None
            if label is None and not no_label:
                # the window's default label (one rule: session.table_columns.default_label_column),
                # never a column the options train on or show; it is not trained on, so the map is the
                # map without it
                default = _default_label(tab, spec)
                spec = replace(spec, label=default)
            say.phase("preparing the table")
            with _naming_sheets(tab):      # a refusal of the sheet read names the others (tester F #9)
                prepared = _top_items_prepared(args, tab, spec)
                if prepared is None:
                    check_spec(spec)            # as train_table_map does, before the preparation reads
                    prepared = prepare_for(tab, spec)
                say.phase("training, epoch 1")
                with in_flag_words(args, "epochs"):       # --clusters larger than the map, before training
                    tm, prep = train_table_map(tab, spec, token, progress=say.epoch, stage=say.stage,
                                               prepared=prepared)
            from somdesk.session.table_columns import NUMERIC_LABEL
            # the columns the default left out first (session.table_columns); a label typed is named as typed
            warn += [f"--label {w[len(NUMERIC_LABEL):]}" if default is None and w.startswith(NUMERIC_LABEL) else w
                     for w in prep.warnings]
            # the map is the result of the training: kept, and a later output's error or a Ctrl+C
            # says so, and names every other output written before it (testerC #8)
            written = Written()
            if args.save_map:
                say.phase("saving the map")
                with written.writing(args.save_map, is_map=True):
                    save_table_map(tm, args.save_map, token)
            warn += _write_extras(args, tm, tab, token, say, written)
        finally:
            tab.close()
    elapsed = time.perf_counter() - start
    from somdesk.session.table_size import trained_rows
    trained = trained_rows(len(prep.data))          # the epochs' rows (session.table_size.TRAIN_ROWS)
    metrics = {"rows": int(len(prep.data)), "trained_rows": trained, "rows_in_file": int(tab.n_rows_total),
               "sampled": bool(tab.sampled),
               "height": tm.config.height, "width": tm.config.width, "epochs": tm.config.iterations,
               **cli_scale.metrics_fields(tm), "quantization_error": tm.quantization_error,
               "topographic_error": tm.topographic_error, "k": tm.k, "suggested_k": cli_scale.suggested_k(tm),
               "seconds": round(elapsed, 3)}
    lc = tm.label_counts
    if lc is not None:      # --label: each segment's majority label and purity (tester11: shown nowhere)
        from somdesk.session.table_labels import labels_json
        metrics["label"] = labels_json(lc, tm.clusters)
        metrics["label"]["default"] = default is not None     # chosen by the default rule, not --label
    elif spec.label:
        warn.append(f"no row has a value in the label column {spec.label!r}: no majority labels")
    if args.metrics_json:
        cli_scale.write_metrics(args, metrics, written)
    from somdesk.cli_outputs import print_warning
    for w in warn if not args.quiet else ():      # -q: errors only (tester7 #28)
        print_warning(w)
    rows_text = count_text(len(prep.data), 'row')
    if trained != len(prep.data):
        rows_text = f"{trained:,} of {rows_text}"
    print_summary(args, f"map of {size_text(tm.config.height, tm.config.width)}, {count_text(tm.config.iterations, 'epoch')} on "
                  f"{rows_text}; "
                  f"QE {tm.quantization_error:.4g}, TE {tm.topographic_error:.3f}; {count_text(tm.k, 'segment')} "
                  f"(suggested {cli_scale.suggested_k(tm)}); {saved_text(args.save_map)}")
    from somdesk.cli_outputs import print_label_summary
    print_label_summary(args, default, lc, tm.clusters)
    return 0


@contextlib.contextmanager
def _naming_sheets(tab):
    """An OptionError or FileFormatError inside (no numeric column, too few rows, no column
    'x') gets the workbook's sheets added when no --sheet chose the one read: "multi.xlsx: no
    numeric column to train on; the workbook has 3 sheets, 'Notes' (read), 'Data', 'Other':
    choose one with --sheet NAME" (tester F #9: the other sheets went unnamed)."""
    from somdesk.errors import FileFormatError
    from somdesk.io.tables.spreadsheet import sheets_note

    try:
        yield
    except (OptionError, FileFormatError) as exc:
        note = sheets_note(tab, "--sheet NAME")
        if not note:
            raise
        named = type(exc)(f"{exc}; {note}")
        named.__dict__.update(exc.__dict__)         # an OptionError's field and subject kept
        raise named from None


# the outputs of `train --table`: (attribute, flag)
TRAIN_OUTPUTS = (("save_map", "--save-map"), ("assignments", "--assignments"), ("profiles", "--profiles"),
                 ("report", "--report"), ("top_items", "--top-items"), ("metrics_json", "--metrics-json"))


def _outputs_given(args) -> None:
    """OptionError when `train --table` would write nothing: a trained map no file keeps is lost
    work (--save-map is optional since --assignments and the others may be all that is wanted)."""
    if not any(getattr(args, attr, None) for attr, _flag in TRAIN_OUTPUTS):
        raise OptionError("nothing would be written: give --save-map M.somz to keep the map, and/or "
                          + ", ".join(flag for _attr, flag in TRAIN_OUTPUTS[1:]))


def saved_text(path) -> str:
    """The summary line's last words: where the map was saved, or that it was not."""
    return f"saved {display_name(path)}" if path else "the map was not saved (no --save-map)"


def _label_option(args) -> tuple:
    """(label column or None, no label wanted) of --label / --no-label: `--label none` (any case)
    is --no-label; OptionError when --no-label comes with a --label column."""
    label = args.label
    off = label is not None and label.strip().lower() == "none"
    if args.no_label and label is not None and not off:
        raise OptionError(f"--no-label and --label {label} contradict each other: give one of them")
    return (None if off else label), bool(args.no_label or off)


def _default_label(table, spec) -> str | None:
    """The label column the window and the library Session take for `table`, leaving out the
    columns `spec` trains on or shows (--columns, --passive, --categorical); None when none fits:
    the one rule, session.table_data.resolve_label."""
    from dataclasses import replace as replaced

    from somdesk.session.table_data import DEFAULT_LABEL, resolve_label

    return resolve_label(table, replaced(spec, label=DEFAULT_LABEL)).label


def _top_items_prepared(args, tab, spec):
    """With --top-items, the prepared rows for `spec` (for train_table_map), after refusing a table
    whose items are not ratings on one scale (session.report.ratings_scale_problem): a ranking of
    income against visits means nothing, and a warning was lost under -q (tester13 #4).  Refused
    before training, so nothing is written.  None without --top-items."""
    if not args.top_items:
        return None
    from somdesk.session.report import ratings_scale_problem
    from somdesk.session.table_data import check_spec, prepare_for

    check_spec(spec)
    prep = prepare_for(tab, spec)
    problem = ratings_scale_problem(prep.recipe, tab)
    if problem:
        raise OptionError(f"--top-items ranks columns of ratings on one scale (a ratings table, users x items), "
                          f"but {problem}; name the rating columns with --columns, or leave out --top-items")
    if spec.columns is None and spec.missing != "train":
        # a ratings table's empty cell is "not rated": under drop/mean/median its sparse items are
        # left out of the defaults (tester13 #2), under train they are kept
        from somdesk.session.table_columns import mostly_missing_columns
        sparse = [c for c in mostly_missing_columns(tab, spec.label, spec.missing) if c not in prep.recipe.columns]
        if sparse:
            prep.warnings.append(f"--top-items ranks only the items trained on; {count_text(len(sparse), 'item')} "
                                 f"missing in most rows {'is' if len(sparse) == 1 else 'are'} left out: for a "
                                 "ratings table, where an empty cell means not rated, --missing train keeps them")
    return prep


def _write_extras(args, tm, tab, token, say=None, written=None) -> list[str]:
    """--assignments, --profiles (+ its PNG), --top-items and --report of a trained table map;
    returns the warnings to print (none yet: the items of --top-items not being ratings on one
    scale is refused before training, `_top_items_prepared`).  `say` (cli_progress.RunProgress
    or None) hears each part as it starts; `written` (cli_outputs.Written, default the saved map
    alone) records each file, and an error names those written before it."""
    from somdesk.session.table_assign import assign_table

    written = written or Written(args.save_map)

    def phase(text: str) -> None:
        if say is not None:
            say.phase(text)

    if args.assignments:
        phase(f"assigning {count_text(tab.n_rows_total, 'row')} and writing {display_name(args.assignments)}")
        from somdesk.io.tables.assignments import write_scores
        with written.writing(args.assignments):
            write_scores(args.assignments, assign_table(tm, tab, token), token)
    top = seg = cells = None
    warnings = []
    if args.top_items or args.profiles or args.report:
        phase("profiling the segments")
    if args.top_items and (args.profiles or args.report):     # one BMU pass and one encoding for both
        from somdesk.session.table_assign import assign_cells, row_cells
        cells = row_cells(tm, tab)
        seg = assign_cells(tm, cells, token)["segment"]
    if args.top_items:
        from somdesk.session.report import table_top_items
        from somdesk.session.segments import write_top_items_csv
        top = table_top_items(tm, tab, args.top_n, token, segments=seg)
        with written.writing(args.top_items):
            write_top_items_csv(args.top_items, top)
    if args.profiles or args.report:
        from somdesk.session.report import table_profiles, write_report
        prof = table_profiles(tm, tab, token, segments=seg, cells=cells)
        if args.profiles:
            from somdesk.session.segments import profiles_png, write_profiles_csv
            with written.writing(args.profiles):
                write_profiles_csv(args.profiles, prof)
            from somdesk.cli_outputs import profiles_picture
            png = profiles_picture(args.profiles)
            from somdesk.io.atomic import atomic_open
            with written.writing(png), atomic_open(png, "wb") as f:
                profiles_png(prof).save(f, format="PNG")
        if args.report:
            phase(f"writing the report {display_name(args.report)}")
            with written.writing(args.report):
                from somdesk.session.unrated import map_zero_warning
                note = map_zero_warning(tm, tab) if top is not None else None
                write_report(args.report, tm, prof, title=tab.name, top=top, top_note=note)   # + labels
    return warnings


def run_assign(args) -> int:
    # the flags alone first: nothing is read before they are known good (testerC #19)
    _options(args).checked()
    cli_scale.check_assign_flags(args)
    from somdesk.cli_interrupt import token as cli_token
    from somdesk.errors import FileFormatError
    from somdesk.session.scoring import load_table_map, scoring_read_options
    from somdesk.session.table_assign import NotNumbers

    if cli_scale.wants_streaming_assign(args):
        return cli_scale.run_assign_streaming(args, check_writable)
    from somdesk.cli_progress import RunProgress
    with RunProgress(args.quiet) as say:     # phase lines on stderr for a long run (cli_progress)
        say.phase(f"reading {display_name(args.map)}")
        tm = load_table_map(args.map)
        token = cli_token()      # abandoned by Ctrl+C (cli_interrupt)
        # numbers as in the map's own table unless --decimal / --thousands say otherwise (tester8 #14)
        options, note = scoring_read_options(tm, args.data, _options(args))
        say.phase(f"reading {display_name(args.data)}")
        tab = _read_table(args.data, options, token)
        say.phase(f"scoring {count_text(tab.n_rows_total, 'row')}" + (f" and writing {display_name(args.out)}"
                                                                      if args.out else ""))
        try:
            return _score(args, tm, tab, token, note)
        except NotNumbers as exc:
            # the flag replaces the list in force (the map's own, or the one given): both named
            from somdesk.io.tables.table import missing_values_flag

            given = options.missing_texts if options is not None else None
            raise FileFormatError(exc.advice(f"give {missing_values_flag(given, exc.texts)}")) from None


def _score(args, tm, tab, token, note) -> int:
    """`run_assign` in memory once the map and the table are read: score, write, warn, sum up."""
    from somdesk.session.scoring import score_table
    from somdesk.session.table_source import source_change_warning

    try:
        with _naming_sheets(tab):       # the map's columns not in the sheet read: name the others
            blocks, warnings = score_table(tm, tab, token)
        # the map's own table, changed since it was trained on (tester9 #8)
        warnings[:0] = [w for w in (note, source_change_warning(tm, args.data)) if w]
        # zeros that may mean "not rated", said once for the file as train and table info say it
        # (in chunks: cli_scale's ZeroTally gives the same sentence)
        from somdesk.session.unrated import scoring_zero_warning
        zeros = scoring_zero_warning(tm, tab)
        if zeros:
            warnings.append(zeros)
        from somdesk.io.tables.assignments import write_scores
        # no --out: CSV on standard output, the bytes of `--out -` (one writer: cli_scale does the same)
        out = args.out or "-"
        check_writable(out, inputs=[args.map, args.data])
        with Written().writing(out):       # a Ctrl+C after it names it
            n = write_scores(out, blocks, token)
        # after scoring: a refusal is then one line, and the unseen categories are counted
        for w in warnings if not args.quiet else ():     # the reader's included (scoring.read_warnings)
            print_warning(w)
        if args.out:        # by default (scores on standard output) no summary line
            # stdout, or stderr when the scores go to stdout: every subcommand's rule (testerC #11)
            print_summary(args, f"{count_text(n, 'row')} scored; {wrote_text(args.out)}")
    finally:
        tab.close()
    return 0
