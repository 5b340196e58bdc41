"""Names as shown in one-line text: file names, table columns, palette colours, labels.

`display_name` is the ONE rendering of a name in a message, status line, warning, summary,
table header or list of the window and the CLI.  A name with odd characters -- a line break,
a tab, another control character, NBSP (U+00A0) or any other space but " ", a zero-width
character -- is shown as its repr(), so it cannot break the `error: ...` line, a status line
or a dialog's first line, and two names that only such a character tells apart ('a b' and
'a\xa0b') look different.  The data keeps the name unchanged; only what is shown changes.
"""
from __future__ import annotations

import errno
import os
import stat

from somdesk.errors import FileFormatError


def display_name(text: object) -> str:
    """`text` as is when printable (str.isprintable: letters, marks, digits, punctuation, symbols
    and the ASCII space), else its repr(): "a\nb" -> "'a\\nb'", "a\xa0b" -> "'a\\xa0b'"; "" -> "''".
    A file name's bytes that are not UTF-8 (os.fsdecode gives them as U+DC80-U+DCFF) are shown
    as backslash-x escapes, as `ls -b` does: the name b"bad<0xff>.csv" is shown bad\\xff.csv."""
    text = str(text)
    if any("\udc80" <= c <= "\udcff" for c in text):
        # a name that is not UTF-8 (os.fsdecode's surrogates): its bytes as \xNN, as `ls -b` shows
        # them, not Python's '\udcff' (testerC #11)
        try:
            text = utf8_name(text)
        except UnicodeEncodeError:
            return repr(text)
    return text if text.isprintable() and text else repr(text)


def utf8_name(name: object) -> str:
    """A file name as UTF-8 text (the scores' `file` column, a message): its bytes that are not
    UTF-8 (os.fsdecode's surrogates U+DC80-U+DCFF) as \\xNN escapes, as `ls -b` shows them.
    UnicodeEncodeError for a surrogate no file name can hold."""
    return os.fsencode(str(name)).decode("utf-8", "backslashreplace")


# Characters that break or restyle a terminal line: C0 and C1 controls, DEL, and the Unicode line
# and paragraph separators.  `one_line` shows each as its escape, as repr() would.
_LINE_BREAKERS = {c: repr(chr(c))[1:-1] for c in (*range(0x20), *range(0x7f, 0xa0), 0x2028, 0x2029)}


def one_line(text: object) -> str:
    """`text` with every control character shown escaped ("\\n", "\\t", "\\x1b", "\\u2028"),
    so a line the CLI prints (an `error:`/`warning:` line, a summary naming the files it wrote)
    stays one line and cannot restyle the terminal whatever file names it carries (tester11 #4:
    an output named with a newline or ESC was printed raw).  Printable text is unchanged; names
    shown through `display_name` are already escaped (and quoted)."""
    return str(text).translate(_LINE_BREAKERS)


def display_basename(path: str | os.PathLike) -> str:
    """The last part of `path`, for messages that name a file the user picked."""
    return display_name(os.path.basename(os.fspath(path)))


# the operating system's reasons in somdesk's words (lower case, as the rest of the line):
# "cannot read x.gpl: No such file or directory" put the OS's own text mid-line (testerW #7)
_OS_WORDS = {
    errno.ENOENT: "no such file", errno.EACCES: "permission denied", errno.EPERM: "permission denied",
    errno.EISDIR: "it is a folder", errno.ENOTDIR: "a part of its path is not a folder",
    errno.ENOSPC: "the disk is full", errno.EROFS: "the disk is read-only",
    errno.ENAMETOOLONG: "the name is too long", errno.EIO: "the disk reported a read or write error",
    errno.ELOOP: "its links go round in a loop", errno.EBUSY: "the file is in use",
    errno.EDQUOT: "the disk quota is used up", errno.EFBIG: "the file is larger than the system allows",
}


def os_reason(exc: BaseException) -> str:
    """Why an OSError happened, in somdesk's words: "no such file", "permission denied",
    "the disk is full", ...; another error's text with its first letter in lower case."""
    words = _OS_WORDS.get(getattr(exc, "errno", None))
    if words:
        return words
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


# How stat_input names a device, FIFO or socket: by its last part (the window, which names every
# file so: tester13 #10), or as given (the command line, where the user typed it: "cannot read
# zero" said nothing of /dev/zero, testerC #11).  somdesk.cli sets it for its commands.
SPECIAL_FILES_AS_GIVEN = False


def special_file_name(path: str, mode: int | None = None) -> str:
    """A device, FIFO or socket named in a message: a device (`mode` a character or block
    device's st_mode) always by its path as given -- "null" or "full" alone says nothing
    (testerW #8, testerC #11); anything else as given on the command line and by its last part
    in the window (SPECIAL_FILES_AS_GIVEN)."""
    device = mode is not None and (stat.S_ISCHR(mode) or stat.S_ISBLK(mode))
    return display_name(path) if SPECIAL_FILES_AS_GIVEN or device else display_basename(path)


def stat_input(path) -> tuple[str, str, int]:
    """(path as str, name for messages, size in bytes) of a file about to be read.

    Not a path, a folder, missing or unreadable: FileFormatError naming the file.  So is
    anything but a regular file (a FIFO, a device, a socket): opening a FIFO blocks until
    some process writes to it (a window would hang), a device may never end, and every
    reader needs a file it can read twice (sniff, then parse).
    """
    try:
        fspath = os.fspath(path)
    except TypeError:
        raise FileFormatError(f"cannot read {path!r}: not a file path") from None
    name = display_basename(fspath)
    try:
        if os.path.isdir(fspath):
            raise FileFormatError(f"cannot read {name}: it is a folder")
        st = os.stat(fspath)
    except (OSError, ValueError) as exc:
        raise FileFormatError(f"cannot read {name}: {os_reason(exc)}") from None
    if not stat.S_ISREG(st.st_mode):
        # named as every other file is, by display_basename (tester13 #10: the window showed the whole
        # path, raw, for /dev/zero and FIFOs only); what the file is says the rest
        raise FileFormatError(f"cannot read {special_file_name(fspath, st.st_mode)}: it is {special_kind(st.st_mode)}, not a regular file; "
                              "save it to a file first")
    return fspath, name, st.st_size


def special_kind(mode: int) -> str:
    """"a pipe (FIFO)", "a device", "a socket" for a `st_mode` that is not a regular file's."""
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file"


def refuse_fifo(path) -> None:
    """SomdeskError when `path` (links followed) is a FIFO, else nothing (a new name, a file, a
    device, a folder: the writer's own checks say what is wrong with those).

    The window's ONE check of a file it is asked to write (every export, save and task output):
    io.atomic writes through a FIFO only once a reader opens it, waiting up to 10 s for one --
    on the window's thread a frozen window, in a task an export that hangs -- so the window
    refuses it at once, before any task starts, in these words.  The command line still writes
    through a FIFO (`somdesk train --out fifo.png` with a reader on the other end); devices
    (/dev/null) are written through as before."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError, TypeError):
        return
    if stat.S_ISFIFO(mode):
        from somdesk.errors import SomdeskError

        raise SomdeskError(f"cannot write {special_file_name(os.fsdecode(os.fspath(path)), mode)}: it is a pipe (FIFO), "
                           "not a regular file, and the window does not wait for a reader; choose a file")


def same_file(a, b) -> bool:
    """Are `a` and `b` one existing regular file, by any name (a link, another spelling)?
    Devices and FIFOs (/dev/null) never are: writing through them replaces nothing."""
    import stat

    try:
        sa, sb = os.stat(a), os.stat(b)
    except (OSError, ValueError, TypeError):
        return False
    return stat.S_ISREG(sa.st_mode) and (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def output_name(path) -> str:
    """An output the user named, for "give a .png file name, not ...": its last part, or for a
    folder (existing, or written with a trailing separator) "the folder NAME" -- "not ''" was
    all a folder got (testerW #7)."""
    fspath = os.fsdecode(os.fspath(path))
    trimmed = fspath.rstrip("/" + os.sep) or fspath
    last = os.path.basename(trimmed) or trimmed
    if trimmed != fspath or os.path.isdir(fspath):
        return f"the folder {display_name(last)}"
    return repr(last) if display_name(last) == last else display_name(last)


def require_suffix(path, suffixes: tuple[str, ...], what: str) -> None:
    """SomdeskError unless `path` ends in one of `suffixes` (lower case, with the dot): a
    writer whose format does not follow the name refuses another name, rather than putting
    CSV text in rows.parquet or a zip in map.png (tester6 F55).  `what`: "a map is saved as
    .somz" -- the start of the message."""
    from somdesk.errors import SomdeskError

    if os.path.splitext(os.fspath(path))[1].lower() not in suffixes:
        raise SomdeskError(f"{what}: give a name ending in {' or '.join(suffixes)}, "
                           f"not {output_name(path)}")


def check_not_in_use(path, in_use) -> None:
    """OptionError when `path` is one of `in_use`, (what, path) pairs such as ("the table in
    use", path), by any name (same_file): writing it would replace a file the program works on
    (tester3 F11, tester6 F33).  Pairs whose path is None are skipped."""
    from somdesk.errors import OptionError

    for what, src in in_use:
        if src and same_file(path, src):
            raise OptionError(f"{os.path.basename(os.fspath(path))} is {what}: writing it would replace it; "
                              "choose another name")
