"""Every subcommand's output names checked once, right after parsing, before anything is read
(somdesk/cli.py `main`):

  * an empty name (`--out ""`, a script's unset `$OUT`) is an error, not "no output" (tester7 #4:
    the command trained, printed its summary and exited 0 with nothing written);
  * two outputs of one command naming the same file are refused: one would silently
    replace the other (tester7 #5: `--out same.png --timelapse same.png`); devices and FIFOs
    (`/dev/null` twice) are written through, so they may repeat;
  * two outputs to standard output ("-", /dev/stdout) would mix their bytes: refused;
  * per-row scores (`assign --out`, `train --table --assignments`) are written as CSV or
    Parquet by the name's extension: any other name is refused rather than given CSV text
    under `x.xlsx` (tester7 #10, tester3 F10);
  * `--profiles` and `--top-items` are always CSV: a name not ending in .csv is refused, and
    the profiles picture `<stem>.png` written beside `--profiles` (profiles_picture) takes part
    in the same-file check (tester10 #6: `--profiles p.png` wrote the CSV and then replaced it
    by the picture; `--profiles a.csv --top-items a.png` lost one of them without a word).

    check_outputs(args)     # UsageError-like SomdeskError naming the flag
    print_summary(args, line)   # the one-line summary: stderr when an output takes stdout
"""
from __future__ import annotations

import contextlib
import os
import stat

from somdesk.errors import OptionError, SomdeskError
from somdesk.io.names import one_line

__all__ = ["INPUT_DESTS", "OUTPUT_FLAGS", "Written", "check_outputs", "check_writable", "count", "interrupted_line",
           "is_stdout", "output_name", "wrote_text", "print_summary", "print_warning", "profiles_picture",
           "summary_stream"]

# argparse dest -> the flag the user typed (the file-writing options of every subcommand)
OUTPUT_FLAGS = {"out": "--out", "save_map": "--save-map", "save_weights": "--save-weights",
                "metrics_json": "--metrics-json", "timelapse": "--timelapse", "assignments": "--assignments",
                "profiles": "--profiles", "top_items": "--top-items", "report": "--report", "output": "OUT",
                "side_by_side": "--side-by-side"}
# argparse dest of every file a command reads (train, train --table, assign, quantize, palette
# convert/sort, the window's FILEs): no output may name one of them
INPUT_DESTS = ("palette", "init_weights", "table", "data", "map", "input", "files")
_SCORES = {"run_assign": "out", "run_train": "assignments"}      # the command's scores flag
_CSV_ONLY = ("profiles", "top_items")                            # written as CSV whatever the name


class Written:
    """The files a command has written so far, named in the one error line of a later output
    that fails (testerC #8: `--report` refused by `ulimit -f` said "the map itself was saved"
    but not that --assignments was written too; `train --out a.png --timelapse t.gif` kept
    a.png unsaid).  `saved_map`: the map saved first (train --table), said as "the map itself
    was saved to M"; the others are "also written" / "written before it".

        written = Written(args.save_map)
        with written.writing(args.report):
            write_report(...)       # SomdeskError: "<its message> (the map itself ...; also written: a.csv)"
    """

    # the command's record, for a Ctrl+C's `error: interrupted (...)` line (interrupted_line)
    current: "Written | None" = None

    def __init__(self, saved_map: str | None = None) -> None:
        self.saved_map = saved_map
        self.paths: list[str] = []
        Written.current = self

    @contextlib.contextmanager
    def writing(self, path: str, is_map: bool = False):
        """Run the write of `path`; a SomdeskError from it gets note() added; afterwards `path`
        counts as written (standard output excepted: nothing is left in a file) -- as the saved
        map with `is_map`.  A Ctrl+C that stops the writer after its file was put in place
        (io.atomic renames it at the end) still counts it: the file is there."""
        import time

        start = time.time()
        try:
            yield
        except SomdeskError as exc:
            note = self.note()
            if not note:
                raise
            raise SomdeskError(f"{exc} ({note})") from None
        except KeyboardInterrupt:
            if _written_since(path, start):
                self._add(path, is_map)
            raise
        self._add(path, is_map)

    def _add(self, path: str, is_map: bool) -> None:
        if not path or is_stdout(path):
            return
        if is_map:
            self.saved_map = path
        else:
            self.paths.append(path)

    def note(self) -> str:
        """"the map itself was saved to M; also written: a, b", "written before it: a, b", or ""."""
        from somdesk.io.names import display_name

        names = ", ".join(display_name(p) for p in self.paths)
        if self.saved_map:
            return f"the map itself was saved to {display_name(self.saved_map)}" + (f"; also written: {names}"
                                                                                   if names else "")
        return f"written before it: {names}" if names else ""


def _written_since(path: str, start: float) -> bool:
    """Is `path` a regular file last changed at or after `start` (time.time(); a file system's
    clock lags the process's by up to a tick, hence the margin)?"""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return False
    return stat.S_ISREG(st.st_mode) and st.st_mtime >= start - 0.05


def interrupted_line() -> str:
    """The line a Ctrl+C ends a command with: `error: interrupted`, and what the command had
    written by then and keeps ("error: interrupted (the map itself was saved to m.somz; also
    written: a.csv)"), from the command's Written record.  A Ctrl+C after the map was saved said
    only "interrupted" (status.md thirteenth)."""
    note = Written.current.note() if Written.current is not None else ""
    return one_line(f"error: interrupted ({note})" if note else "error: interrupted")


def count(n: int, noun: str) -> str:
    """"1 row", "1,000 rows": a number and its noun in the CLI's messages (tester10 #4: "1 rows");
    core.options.count_text, the one rendering (kept for callers of this name)."""
    from somdesk.core.options import count_text

    return count_text(n, noun)


def profiles_picture(path: str) -> str:
    """The segment-profiles picture written beside `--profiles` PATH: PATH with .png for its
    extension (`prof.csv` -> `prof.png`)."""
    return os.path.splitext(path)[0] + ".png"


def _special(path: str) -> bool:
    """A device or FIFO: written through (io.atomic), so two outputs may share it."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def is_stdout(path) -> bool:
    """Does `path` name this process's standard output ("-", /dev/stdout, or the file or pipe
    stdout is redirected to)?  Such an output is written where the summary line would go: the
    summary then goes to stderr (tester7 #22: a PNG piped through `cat` ended with text)."""
    if path is None:
        return False
    if path == "-":
        return True
    try:
        a, b = os.stat(path), os.fstat(1)
    except (OSError, ValueError):
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def output_name(path) -> str:
    """An output as a summary line names it: "standard output" for "-" (testerC #11: "wrote 24
    colours to -"), else io.names.display_name of the name as given."""
    from somdesk.io.names import display_name

    return "standard output" if path == "-" else display_name(path)


def wrote_text(path) -> str:
    """"wrote NAME", or "wrote to standard output" for "-": the end of a summary line."""
    return "wrote to standard output" if path == "-" else f"wrote {output_name(path)}"


def summary_stream(args):
    """sys.stderr when any output of `args` (every flag of OUTPUT_FLAGS) takes standard output
    ("-", /dev/stdout, or the file stdout is redirected to), else sys.stdout: one rule for every
    subcommand (tester10 #2: `--metrics-json -` dropped the line; `--assignments /dev/stdout`
    mixed it into the scores)."""
    import sys

    piped = any(isinstance(getattr(args, dest, None), str) and is_stdout(getattr(args, dest))
                for dest in OUTPUT_FLAGS)
    return sys.stderr if piped else sys.stdout


def print_summary(args, line: str) -> None:
    """Print a subcommand's one-line summary where summary_stream(args) says (nothing with -q),
    its control characters escaped (io.names.one_line: a file named with a newline keeps it one
    line)."""
    if not getattr(args, "quiet", False):
        print(one_line(line), file=summary_stream(args))


def print_label_summary(args, default: str | None, counts, clusters) -> None:
    """After `train --table`'s summary: the default label's line (`default`: the column the rule
    chose, None when --label named one or there is none) and the label's per-segment lines
    (`counts`: session.table_labels.LabelCounts or None; `clusters` (H, W) segment of each node),
    in memory and out of core alike."""
    if default is not None:
        from somdesk.io.names import display_name
        print_summary(args, f"label: {display_name(default)} (the default; --label none to train without one)")
    if counts is not None:
        from somdesk.session.table_labels import label_lines
        for line in label_lines(counts, clusters):
            print_summary(args, line)


def print_warning(text: str) -> None:
    """Print `warning: text` on stderr as one line (io.names.one_line), a window choice it names
    in the CLI's flag (core.choice_words.cli_words)."""
    import sys

    from somdesk.core.choice_words import cli_words

    print(one_line(f"warning: {cli_words(text)}"), file=sys.stderr)


def check_writable(*paths, inputs=(), force_flag: str | None = None) -> None:
    """Fail before reading and training, not after, when an output cannot be saved: its folder
    does not exist, or it is a folder, socket, block device or link loop
    (`somdesk.io.atomic.check_target`); or it is one of the command's `inputs` (the same file by
    any name: a link, another spelling), which writing would replace while it is the data --
    OptionError, whose message names `force_flag` when the command has one (a command the user
    forced passes no inputs)."""
    from somdesk.io.atomic import check_target
    from somdesk.io.names import display_name, same_file

    for p in paths:
        if p and p != "-":
            check_target(p)
            for i in inputs:
                if i and same_file(p, i):
                    hint = f", or pass {force_flag} to replace it" if force_flag else ""
                    raise OptionError(f"{display_name(p)} is the input file {display_name(os.fspath(i))}: writing it "
                                      "would replace the data "
                                      f"being read; choose another name{hint}")


def _command(args) -> str:
    """The name of the function running the command of `args` ("run_assign"), or ""."""
    return getattr(getattr(args, "func", None), "__name__", "")


def _inputs(args, dest: str) -> list[str]:
    """The files the command of `args` reads that output `dest` may not replace: every
    INPUT_DESTS value (a quoted glob of --table / DATA expanded), none when the command was
    given --force (quantize, palette convert/sort: "allow OUT to be IN"), and not
    --init-weights for --save-weights (a map trained further in place)."""
    import glob

    if getattr(args, "force", False):
        return []
    found = []
    for src in INPUT_DESTS:
        value = getattr(args, src, None)
        if not value or (src, dest) == ("init_weights", "save_weights"):
            continue
        for v in value if isinstance(value, list) else [value]:
            found += (glob.glob(v) or [v]) if src in ("table", "data") else [v]
    return found


def _glob_matches(pattern: str, path: str) -> bool:
    """Would glob.glob(`pattern`, recursive=True) -- how a glob of --table / DATA is expanded
    (io.chunked_sql.expand) -- list `path` once it exists?  Per path component: fnmatch (a
    leading "." matched only by a "." in the pattern, as glob does), "**" any number of folders.
    Both are made absolute first, so `in/*.csv` matches `./in/s.csv`; the folder part without
    wildcards is also compared with its links resolved."""
    import fnmatch

    def parts(p: str) -> list[str]:
        return [c for c in os.path.normcase(os.path.abspath(p)).split(os.sep) if c]

    def fixed(p: str) -> str:           # the folders before the first wildcard, links resolved
        comps = os.path.abspath(p).split(os.sep)
        i = next((k for k, c in enumerate(comps) if any(ch in c for ch in "*?[")), len(comps))
        return os.sep.join([os.path.realpath(os.sep.join(comps[:i]) or os.sep)] + comps[i:])

    def match(pat: list[str], name: list[str]) -> bool:
        if not pat:
            return not name
        if pat[0] == "**":
            return any(match(pat[1:], name[k:]) for k in range(len(name) + 1)
                       if not any(c.startswith(".") for c in name[:k]))
        if not name:
            return False
        if name[0].startswith(".") and not pat[0].startswith(".") and any(ch in pat[0] for ch in "*?["):
            return False
        return fnmatch.fnmatchcase(name[0], pat[0]) and match(pat[1:], name[1:])

    target = os.path.join(os.path.realpath(os.path.dirname(os.path.abspath(path))), os.path.basename(path))
    return match(parts(pattern), parts(path)) or match(parts(fixed(pattern)), parts(target))


def _check_glob_outputs(args, dest: str, value: str) -> None:
    """OptionError when output `value` is a file the command's data glob (--table or DATA with
    *, ? or [) names, now or once written: the next run of the same command would read it as data
    (testerC #3: `assign m.somz 'in/*.csv' --out in/scores.csv` succeeded, and the next night's
    run failed on scores.csv).  `assign --dask --out FOLDER` is checked for its part files."""
    from somdesk.io.names import display_name

    names = [value]
    if dest == "out" and getattr(args, "dask", None) and _command(args) == "run_assign":
        names = [os.path.join(value, "part-00000.parquet")]
    elif dest == "profiles":
        names.append(profiles_picture(value))
    for src in ("table", "data"):
        pattern = getattr(args, src, None)
        if not isinstance(pattern, str) or not any(ch in pattern for ch in "*?["):
            continue
        for name in names:
            if _glob_matches(pattern, name):
                raise OptionError(f"{OUTPUT_FLAGS[dest]} {display_name(value)} is matched by the data pattern "
                                  f"{display_name(pattern)}: the next run would read it as data; write it "
                                  "outside that pattern")


def _check_targets(args, outputs: dict) -> None:
    """Every output of `outputs` (dest -> name) can be written -- its folder exists, it is not a
    folder or a socket (io.atomic.check_target) -- and is none of the command's inputs by any
    name: checked here, once for every subcommand, before anything is read (testerC #1:
    `train --table X --metrics-json X` replaced the table and exited 0; #2: a missing folder
    of --metrics-json was found only after training).  `assign --dask --out` is a folder of
    Parquet parts: it may not be the folder of the data it scores (its old parts are removed)."""
    from somdesk.io.names import display_name

    force = "--force" if hasattr(args, "force") else None
    for dest, value in outputs.items():
        if value != "-" and not _special(value):
            _check_glob_outputs(args, dest, value)
        if dest == "out" and getattr(args, "dask", None) and _command(args) == "run_assign":
            here = os.path.realpath(value)
            for i in _inputs(args, dest):
                real = os.path.realpath(i)
                if here in (real, os.path.dirname(real)):
                    raise OptionError(f"--out {display_name(value)} holds the data being scored "
                                      f"({display_name(i)}): its part files would be replaced; choose another "
                                      "folder")
            continue
        check_writable(value, inputs=_inputs(args, dest), force_flag=force)
        if dest == "profiles" and value != "-":
            check_writable(profiles_picture(value), inputs=_inputs(args, dest), force_flag=force)


def check_outputs(args) -> None:
    """OptionError for an empty output name, an output that would replace one of the command's
    inputs or whose folder does not exist (_check_targets), two outputs naming one file, or a
    scores file whose name asks for a format other than CSV/Parquet (see module docstring)."""
    outputs = {dest: getattr(args, dest) for dest in OUTPUT_FLAGS if isinstance(getattr(args, dest, None), str)}
    for dest, value in outputs.items():
        if not value.strip():
            raise OptionError(f"{OUTPUT_FLAGS[dest]}: no file name given")
    _check_targets(args, outputs)
    given = {}
    for dest, value in outputs.items():
        flag = OUTPUT_FLAGS[dest]
        if dest in _CSV_ONLY and os.path.splitext(value)[1].lower() != ".csv":
            if dest == "profiles" and (value == "-" or _special(value) or is_stdout(value)):
                raise OptionError(f"--profiles {value}: the profiles picture is written beside the CSV as "
                                  "<name>.png, which cannot sit beside a device or standard output; give a "
                                  "file name ending in .csv")
            if not (value == "-" or _special(value) or is_stdout(value)):   # a pipe or device: CSV through
                raise OptionError(f"{flag} writes CSV: give a name ending in .csv, not "
                                  f"{os.path.basename(value)!r}"
                                  + (" (the profiles picture is written beside it as <name>.png)"
                                     if dest == "profiles" else ""))
        if value != "-":
            given[flag] = value
        if dest == "profiles":
            given[f"the {flag} picture"] = profiles_picture(value)
    to_stdout = [flag for dest, flag in OUTPUT_FLAGS.items()
                 if isinstance(getattr(args, dest, None), str) and is_stdout(getattr(args, dest))]
    if len(to_stdout) > 1:
        raise OptionError(f"{' and '.join(to_stdout)} both write to standard output: their bytes would be "
                          "mixed; send one of them to a file")
    seen: dict[str, str] = {}
    for flag, value in given.items():
        if _special(value):
            continue
        key = os.path.normcase(os.path.realpath(value))
        if key in seen:
            raise OptionError(f"{seen[key]} and {flag} name the same file {value}: one would replace the "
                              "other; give each output its own name")
        seen[key] = flag
    dest = _SCORES.get(_command(args))
    path = getattr(args, dest, None) if dest else None
    # "-", a pipe, a device, or the file standard output is redirected to (`--out /dev/stdout > as.csv`:
    # testerC #4, refused as "not .csv" while a pipe worked): CSV written through
    if isinstance(path, str) and not getattr(args, "dask", None) and not (_special(path) or is_stdout(path)):
        from somdesk.io.tables.assignments import SCORE_SUFFIXES   # one rule with the window; late: start-up

        if os.path.splitext(path)[1].lower() not in SCORE_SUFFIXES:
            raise OptionError(f"{OUTPUT_FLAGS[dest]} writes the scores as CSV or Parquet: give a name ending in "
                              f".csv or .parquet, not {os.path.basename(path)!r}")
