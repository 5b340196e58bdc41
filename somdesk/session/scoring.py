"""Table maps saved and reopened, and new data scored against them.

    save_table_map(tm, "customers.somz")
    tm = load_table_map("customers.somz")
    n = score_file(tm, "next-month.parquet", "scores.csv")     # every row, in blocks

A table map is a `.somz` (somdesk.io.mapfile) whose meta.json carries
    "kind": "table-map",
    "table_map": {"recipe": {...core.preparation.Recipe...}, "label_column": ...,
                  "k": K, "cluster_method": ..., "outlier_threshold": ...,
                  "quantization_error": ..., "topographic_error": ..., "curve": {...},
                  "source": "file name", "source_path": "/its/absolute/path.csv",
                  "read_options": {"delimiter": ";", ...io.tables ReadOptions set...}, "passive": P}
(`source_path` and `read_options` since 2026-11-30, a map without them is looked for by name;
`"min_present"`, the least share of the placing weight a scored row needs to be trusted, and
`"source_fingerprint"` of the table file (io.fingerprint, + "rows") since 2026-12-01:
table_assign.few_values, session.table_source; `"label_names"` with the array `label_counts`
(H, W, L + 1) int64, the label column's rows per node and label, since 2026-12-01:
session.table_labels;
`"table_columns"`, every column of the training table (used or not: scoring it again warns only
about columns the map never saw), since 2026-12-01;
`"number_format": {"decimal": ",", "thousands": ".", "delimiter": ";"}` of a text table since
session 7: new files of that dialect are scored with it, `scoring_read_options`)
and the arrays `segments` (H, W) int64, `table_rows` (N,) int64 (file row of each
training row) and, with passive columns, `passive_planes` (H, W, P) float64 (NaN
where no row reached a node).  The core arrays are the weighted codebook and the
training rows (missing values filled).  This is our own kind rather than the
session's "table": its preparation holds weights, passive and one-hot columns,
which that one does not (see docs/tables.md).  It is the one kind new files use; files
of the older session kind "table" still open (`load_table_map` converts them:
session.workspace_file.table_map_from_workspace).
"""
from __future__ import annotations

import math

import numpy as np

from somdesk.core.options import count_text
from somdesk.core.preparation import Recipe
from somdesk.errors import FileFormatError

__all__ = ["KIND", "NotATableMap", "save_table_map", "load_table_map", "score_table", "score_file",
           "scoring_options", "scoring_read_options", "scoring_missing", "chunked_number_format"]

class NotATableMap(FileFormatError):
    """A saved map of colours or a picture where a table map is needed; `where` names the file,
    `what` says what it maps in words ("a picture", "colours") for a message of the caller's own
    (the window says how to make one there, not with the command line: tester6 F47)."""

    def __init__(self, where: str, kind: str):
        self.where = where
        self.what = {"image": "a picture", "colours": "colours"}.get(str(kind), repr(kind))
        super().__init__(f"{where} is a map of {self.what}, not of a table; "
                         "make one with: somdesk train --table FILE --save-map MAP.somz")


KIND = "table-map"
OLD_KIND = "table"          # the session's table maps before one table path: still read


def _specs(meta: dict) -> dict:
    from somdesk.core.options import SOMConfig
    from somdesk.io.somz import ArraySpec

    if meta.get("kind") == OLD_KIND:
        from somdesk.session.workspace_file import workspace_specs
        return workspace_specs(meta)
    if meta.get("kind") != KIND:
        return {}
    cfg = SOMConfig.from_dict(dict(meta["config"]))
    info = meta.get("table_map")
    if not isinstance(info, dict):
        raise FileFormatError("meta.json has no table_map section")
    specs = {"segments": ArraySpec((cfg.height, cfg.width), ("int64",)),
             "table_rows": ArraySpec((int(meta["inputs"]),), ("int64",))}
    p = info.get("passive", 0)
    if isinstance(p, int) and p > 0:
        specs["passive_planes"] = ArraySpec((cfg.height, cfg.width, p), ("float64",))
    names = info.get("label_names")
    if isinstance(names, list):             # --label's rows per node and label (session.table_labels)
        specs["label_counts"] = ArraySpec((cfg.height, cfg.width, len(names) + 1), ("int64",))
    return specs


def _guarded_specs(meta: dict) -> dict:
    try:
        return _specs(meta)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise FileFormatError(f"damaged table map description ({exc})") from None


def save_table_map(tm, path, cancel=None) -> None:
    """Write table map `tm` (session.table_data.TableMap) to `path` atomically (SomdeskError);
    `cancel` (core.cancel.CancelToken) stops the write part way (Cancelled, no file written)."""
    from somdesk.core.som import SOM
    from somdesk.io.mapfile import save_map

    # the map file's iteration: the epochs trained (fewer for a run stopped part way, which resumes)
    done = tm.config.iterations if tm.epochs_done is None else int(tm.epochs_done)
    som = SOM(tm.inputs, tm.config, weights=tm.codebook, iteration=done)
    p = 0 if tm.passive is None else int(tm.passive.shape[2])
    info = {"recipe": tm.recipe.to_dict(), "label_column": tm.label_column, "k": tm.k,
            "cluster_method": tm.cluster_method, "outlier_threshold": tm.outlier_threshold,
            "quantization_error": tm.quantization_error, "topographic_error": tm.topographic_error,
            "curve": _json_curve(tm.curve), "source": tm.source, "passive": p}
    if tm.source_path:                  # where the table was and how it was read (older maps: the name only)
        info["source_path"] = str(tm.source_path)
    if tm.read_options:
        info["read_options"] = dict(tm.read_options)
    if tm.number_format:
        info["number_format"] = dict(tm.number_format)
    if tm.source_fingerprint:           # a reopened map checks its table is the same (table_source)
        info["source_fingerprint"] = dict(tm.source_fingerprint)
    if tm.min_present is not None:      # rows known in less are flagged (table_assign.few_values)
        info["min_present"] = float(tm.min_present)
    if tm.table_columns:                # its table's columns, used or not (score_table's warning)
        info["table_columns"] = [str(c) for c in tm.table_columns]
    arrays = {"segments": np.asarray(tm.clusters if tm.clusters is not None else
                                     np.zeros(tm.codebook.shape[:2]), dtype=np.int64),
              "table_rows": np.asarray(tm.row_index, dtype=np.int64)}
    if p:
        arrays["passive_planes"] = np.asarray(tm.passive, dtype=np.float64)
    lc = tm.label_counts
    if lc is not None and lc.column == tm.label_column:    # counts of another column are not this label's
        info["label_names"] = list(lc.names)
        arrays["label_counts"] = np.asarray(lc.counts, dtype=np.int64)
    names = [f for f, a in zip(tm.recipe.features, tm.recipe.active) if a]
    save_map(som, path, names, extra_meta={"kind": KIND, "table_map": info}, extra_arrays=arrays,
             extra_specs=_specs, cancel=cancel)


def _json_curve(curve: dict) -> dict:
    out = {}
    for k, v in (curve or {}).items():
        if isinstance(v, list):
            out[k] = [None if isinstance(x, float) and not math.isfinite(x) else x for x in v]
        else:
            out[k] = v
    return out


def load_table_map(path):
    """Read a table map saved by `save_table_map`; FileFormatError naming the file otherwise."""
    from somdesk.errors import SomdeskError
    from somdesk.io.mapfile import load_map
    from somdesk.io.names import display_basename
    from somdesk.session.table_data import TableMap, options_from_dict
    from somdesk.session.table_map_checks import cluster_method_of, map_problem, recipe_problem

    where = display_basename(path)
    saved = load_map(path, extra_specs=_guarded_specs)
    meta = saved.meta
    if meta.get("kind") == OLD_KIND:
        from somdesk.session.workspace_file import table_map_from_workspace
        tm = table_map_from_workspace(saved, where)
        problem = recipe_problem(tm.recipe) or map_problem(tm, {})
        if problem:
            raise FileFormatError(f"{where}: the table map's description is damaged ({problem})")
        return tm
    if meta.get("kind") != KIND:
        raise NotATableMap(where, meta.get("kind", "colours"))
    info = meta["table_map"]
    try:
        recipe = Recipe.from_dict(info["recipe"])
        problem = recipe_problem(recipe)
        if problem:
            raise ValueError(f"its preparation: {problem}")
        threshold = float(info["outlier_threshold"])
        read_options = info.get("read_options")
        if read_options is not None:
            if not isinstance(read_options, dict):
                raise ValueError("its read options are not a set of options")
            options_from_dict(read_options)          # OptionError for a value the reader refuses
        tm = TableMap(recipe=recipe, config=saved.som.config, codebook=saved.som.weights.copy(),
                      passive=saved.arrays.get("passive_planes"), label_column=info.get("label_column"),
                      clusters=saved.arrays["segments"], cluster_method=cluster_method_of(info.get("cluster_method")),
                      outlier_threshold=threshold, quantization_error=float(info["quantization_error"]),
                      topographic_error=float(info["topographic_error"]), curve=dict(info.get("curve") or {}),
                      inputs=saved.som.data, row_index=saved.arrays["table_rows"],
                      source=info.get("source") if isinstance(info.get("source"), str) else None,
                      source_path=info.get("source_path") if isinstance(info.get("source_path"), str) else None,
                      read_options=read_options, number_format=_number_format(info.get("number_format")),
                      epochs_done=_epochs_done(saved.som), min_present=_min_present(info.get("min_present")),
                      source_fingerprint=_fingerprint(info.get("source_fingerprint")),
                      label_counts=_label_counts(info, saved.arrays.get("label_counts")),
                      table_columns=_table_columns(info.get("table_columns")))
        problem = map_problem(tm, info)
        if problem:
            raise ValueError(problem)
    except (KeyError, TypeError, ValueError, SomdeskError) as exc:
        # one message naming the file for any field that is damaged (tester9 #1)
        text, prefix = str(exc), "the map's table preparation is damaged ("
        text = f"its preparation: {text[len(prefix):-1]}" if text.startswith(prefix) else text
        raise FileFormatError(f"{where}: the table map's description is damaged ({text})") from None
    return tm


def _table_columns(value) -> tuple | None:
    """A saved `table_columns` (the training table's column names), checked; None when absent (maps
    saved before 2026-12-01).  ValueError when damaged."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise ValueError("its table's columns are not a list of names")
    return tuple(value)


def _min_present(value) -> float | None:
    """A saved `min_present` (a share 0..1 of the placing weight), checked; None when absent (maps
    saved before it: table_assign.few_values then uses MIN_PRESENT_SHARE).  ValueError when damaged."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"the least share of values a row needs, {value!r}, is not a share from 0 to 1")
    return float(value)


def _label_counts(info: dict, counts):
    """The saved `label_counts` of the label column (session.table_labels.LabelCounts), or None
    (maps saved before 2026-12-01, or without a label).  ValueError when damaged."""
    from somdesk.session.table_labels import LabelCounts

    names, column = info.get("label_names"), info.get("label_column")
    if names is None or counts is None:
        return None
    if not isinstance(column, str) or not isinstance(names, list):
        raise ValueError("its label counts belong to no label column")
    return LabelCounts(column, tuple(names), np.asarray(counts, dtype=np.int64))


# the fingerprint kept for a saved one that is not one: matches no file (io.fingerprint.valid_fingerprint)
DAMAGED_FINGERPRINT = {"damaged": True}


def _fingerprint(value) -> dict | None:
    """A saved `source_fingerprint` (io.fingerprint, + "rows"), or None when absent (maps saved
    before it: their table is taken as found).  One that is not one (wrong types, a negative or
    absurd size, not a digest: a damaged or hostile map, tester10 #21) is DAMAGED_FINGERPRINT:
    the map still opens, and no file is taken for its table (session.table_source says why)."""
    from somdesk.io.fingerprint import valid_fingerprint

    if value is None:
        return None
    if not valid_fingerprint(value):
        return dict(DAMAGED_FINGERPRINT)
    return dict(value)


def _number_format(value) -> dict | None:
    """A saved `number_format` checked ({"decimal": "." or ",", "thousands": one of io.tables'
    marks or ""}), else None (older maps, or a damaged entry: new files are sniffed as before)."""
    if not isinstance(value, dict) or value.get("decimal") not in (".", ","):
        return None
    th = value.get("thousands", "")
    if th not in ("", ",", ".", " ", "'", "_"):
        return None
    out = {"decimal": value["decimal"], "thousands": th}
    if isinstance(value.get("delimiter"), str) and len(value["delimiter"]) == 1:
        out["delimiter"] = value["delimiter"]
    return out


def scoring_options(tm, options=None):
    """The io.tables ReadOptions to read new data for `tm` with: `options` (None: detect
    everything), with the decimal and thousands separators of the map's own table where they
    are left to detection (tester8 #14: a new file whose numbers happen to show no decimal
    comma, `80.261;5`, was sniffed as decimal point and scored 1000x off without a word).
    Only text files read them; other formats' numbers are typed."""
    from dataclasses import replace

    from somdesk.io.tables.options import ReadOptions

    nf = getattr(tm, "number_format", None)
    if not nf:
        return options
    opts = options if options is not None else ReadOptions()
    return replace(opts, decimal=opts.decimal if opts.decimal is not None else nf["decimal"],
                   thousands=opts.thousands if opts.thousands is not None else nf["thousands"])


def scoring_read_options(tm, path, options=None):
    """(ReadOptions, note or None) to read new data file `path` for `tm` with: the number format
    by `_number_read_options`' rule, and the map's own table's missing-value tokens where
    `options` gives none (tester9 #14: a table trained with `--missing-values -999` had its
    new files' -999 scored as a number, 3,374 units from every node)."""
    opts, note = _number_read_options(tm, path, options)
    missing = scoring_missing(tm, opts)
    if missing is not None:
        from dataclasses import replace

        from somdesk.io.tables.options import ReadOptions
        # the words in force, --also-missing's folded in (scoring_missing)
        opts = replace(opts if opts is not None else ReadOptions(), missing=missing, also_missing=None)
    return opts, note


def scoring_missing(tm, options=None) -> tuple | None:
    """The cell texts meaning "no value" to score new data for `tm` with, in memory and in chunks
    alike: those `options` give (`missing`: they replace the defaults), else the map's own
    table's (its `--missing-values`; tester9 #14), else None (the reader's defaults) -- and then
    `options.also_missing` (`--also-missing`) added to whichever is in force, the map's own words
    kept (so `--also-missing 0` on a map trained with `--missing-values -999` reads both)."""
    from somdesk.io.tables.options import DEFAULT_MISSING, ReadOptions

    if options is not None and options.missing is not None:
        base = tuple(options.missing)
    else:
        own = (getattr(tm, "read_options", None) or {}).get("missing")
        base = tuple(own) if own else None
    also = getattr(options, "also_missing", None)
    if not also:
        return base
    return ReadOptions(missing=base if base is not None else DEFAULT_MISSING, also_missing=also).missing_texts


def _number_read_options(tm, path, options=None):
    """(ReadOptions, note or None) to read new data file `path` for `tm` with: `scoring_options`
    (the map's own table's number format, saved only when that table showed one), unless
    `path` says otherwise itself -- then it is read as it shows and the note says so:
      * it is delimited otherwise (given, or sniffed from its first lines): another dialect
        (tester8 #14: a comma-delimited US file `34.152,5.906` read with a ';' table's
        decimal comma gave qty 5906);
      * its own first lines show decimal / digit-group marks other than the map's (review8: a
        map of whole numbers pinned "." and refused a new file's `2,5`).
    A file whose numbers show nothing (`80.261;5`: a decimal point or a group?) gets the map's."""
    nf = getattr(tm, "number_format", None)
    given = options is not None and (options.decimal is not None or options.thousands is not None)
    if not nf or given:
        return scoring_options(tm, options), None
    from somdesk.io.names import display_basename

    from somdesk.session.outofcore_format import sniffed_text

    own_delim, hints = sniffed_text(path, options)
    groups = f"digit groups {nf['thousands']!r}" if nf["thousands"] else "no digit groups"
    theirs = f"the map's number format (decimal {nf['decimal']!r}, {groups})"
    if own_delim is not None and "delimiter" in nf and own_delim != nf["delimiter"]:
        return options, (f"{display_basename(path)} is delimited by {own_delim!r} where the map's own table was by "
                         f"{nf['delimiter']!r}, so its numbers are read as sniffed from it, not with {theirs}; "
                         "give the decimal and thousands separators if they are wrong")
    if hints is not None and hints.decimal is not None and \
            (hints.decimal, hints.thousands or "") != (nf["decimal"], nf["thousands"]):
        shown = f"decimal {hints.decimal!r}" + (f", digit groups {hints.thousands!r}" if hints.thousands else "")
        return options, (f"{display_basename(path)} shows numbers with {shown}, unlike {theirs}: they are read "
                         "as the file shows them; give the decimal and thousands separators if that is wrong")
    return scoring_options(tm, options), None


def chunked_number_format(tm, files: list[str], options=None) -> tuple[dict | None, list[str]]:
    """(number format for io.chunked.ChunkedTable.open, notes) to score the text files `files` of
    one glob in chunks for `tm`, by `scoring_read_options`' rule (tester9 #2: the chunked path
    read a decimal-comma table's files by DuckDB's own rules and refused them): the decimal
    and thousands separators given in `options`; else each file's own when its first lines
    show another format (a note says so), the map's when they show none.  None: DuckDB's own
    rules will do (a decimal point without digit groups, or a map that saved no format).  The
    files are read by one reader, so FileFormatError when they write numbers differently
    (session.outofcore_format.agreed_number_format, the check training in chunks makes too)."""
    from somdesk.session.outofcore_format import PLAIN, agreed_number_format, given_number_format, \
        sniffed_number_format

    given = given_number_format(options.decimal, options.thousands) if options is not None else None
    if given is not None:
        return _plain_or({"decimal": given[0], "thousands": given[1]}), []
    nf = getattr(tm, "number_format", None)
    if not nf:
        return None, []
    notes = []

    def format_of(f):
        note = scoring_read_options(tm, f, options)[1]
        if note is None:
            return nf["decimal"], nf["thousands"]
        notes.append(note)
        return sniffed_number_format(f, options) or PLAIN
    dec, th = agreed_number_format(files, format_of, "score them apart, or give --decimal and --thousands") \
        or (nf["decimal"], nf["thousands"])
    if len(notes) > 1:
        notes = [notes[0] + f" (and {count_text(len(notes) - 1, 'more file', 'more files')})"]
    return _plain_or({"decimal": dec, "thousands": th}), notes


def _plain_or(fmt: dict) -> dict | None:
    """`fmt`, or None for numbers DuckDB reads by its own rules (a decimal point, no groups)."""
    return None if fmt["decimal"] == "." and not fmt["thousands"] else fmt


def _epochs_done(som) -> int | None:
    """None for a finished map, else the epochs a stopped run had trained (its file's iteration)."""
    it, total = int(som.iteration), int(som.config.iterations)
    return None if it >= total else max(0, it)


def score_table(tm, table, cancel=None):
    """(blocks generator, warnings) for every row of `table` against `tm`.

    Columns the map needs but the table lacks: FileFormatError listing them.  Extra
    columns are a warning (they are ignored); the warnings include the reader's (read_warnings).
    When the blocks have all been taken, the list also holds the warning about categories
    the map never saw, if any (session.unseen: such rows are scored, all zeros in that
    column's one-hot features), and the count of rows known in too few placing columns to be
    trusted (table_assign.few_values: flagged as outliers): read it after scoring."""
    from somdesk.session.table_assign import assign_table, blank_columns_warning, few_values_warning
    from somdesk.session.unseen import UnseenTally

    # columns the map never saw: not its features, its label, or a column of its training table it
    # left out (an id, a text column: scoring that table again is the commonest call, tester12 #10)
    known = set(tm.recipe.columns) | {tm.label_column} | set(tm.table_columns or ())
    extra = [c for c in table.columns if c not in known]
    warnings = read_warnings(table)
    if extra:
        shown = ", ".join(map(repr, extra[:8])) + (" ..." if len(extra) > 8 else "")
        warnings.append(f"{table.name}: {count_text(len(extra), 'column')} the map does not use "
                        f"{'is' if len(extra) == 1 else 'are'} ignored: {shown}")
    warnings.extend(w for w in (blank_columns_warning(tm, table), far_columns_warning(tm, table)) if w)
    tally = UnseenTally()
    blocks = assign_table(tm, table, cancel, tally=tally)

    def scored():
        few = 0
        for rows, a in blocks:
            few += int(np.count_nonzero(a["few"]))
            yield rows, a
        warnings.extend(w for w in (tally.warning(table.name), few_values_warning(tm, table.name, few)) if w)
    return scored(), warnings


FAR_SPREADS = 20.0      # a column's median this many training spreads from its training values


def far_columns_warning(tm, table) -> str | None:
    """A warning naming the placing numeric columns of `table` whose values lie far outside the
    map's training values -- median |value - offset| / scale over FAR_SPREADS (offset and scale
    of the map's zscore or minmax preparation; none with `normalise none`) -- or None.  Such a
    column was most likely read in another number format than it was written in (tester9 #13:
    `1.475` under a map of decimal commas read as 1475, every row an outlier, no word said)."""
    r = tm.recipe
    if r.normalise == "none":
        return None
    far = []
    for j, c in enumerate(r.columns):
        if r.kinds[j] != "numeric" or not r.weights.get(c, 1.0) or c not in table.columns:
            continue
        f = np.flatnonzero(np.asarray(r.feature_column) == j)
        try:
            v = np.asarray(table.cells(c), dtype=np.float64)
        except (TypeError, ValueError):
            continue                            # not numbers: the transform says so
        v = v[np.isfinite(v)]
        if len(f) != 1 or not v.size or not r.scale[f[0]] > 0:
            continue
        spread = float(np.median(np.abs(v - r.offset[f[0]]) / r.scale[f[0]]))
        if spread > FAR_SPREADS:
            far.append(f"{c!r} ({spread:,.0f})")
    if not far:
        return None
    return (f"{table.name}: column(s) {', '.join(far[:6])}{' ...' if len(far) > 6 else ''} lie far outside the "
            "map's training values (in brackets: the median distance in training spreads); if the file writes "
            "its numbers in another format, give the decimal and thousands separators")


def read_warnings(table) -> list:
    """The reader's warnings about `table` that hold for scoring: not the sample held in memory
    for training (io.tables samples a big table, but scoring reads and scores every row)."""
    sample = f"{table.name} has {count_text(table.n_rows_total, 'row')}; a random sample of "
    return [w for w in table.warnings if not (getattr(table, "sampled", False) and w.startswith(sample))]


def score_file(tm, data_path, out_path, options=None, cancel=None) -> tuple[int, list]:
    """Read `data_path`, score every row, write `out_path` (.csv or .parquet); (rows, warnings)."""
    from somdesk.io.tables.assignments import write_scores
    from somdesk.session.opening import read_table_named as read_table   # names a palette/picture

    options, note = scoring_read_options(tm, data_path, options)
    table = read_table(data_path, options, cancel)
    try:
        blocks, warnings = score_table(tm, table, cancel)
        warnings[:0] = [note] if note else []
        n = write_scores(out_path, blocks, cancel)
    finally:
        table.close()
    return n, warnings


