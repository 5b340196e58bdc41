"""One XML member out of a palette ZIP (Krita .kpl, SwatchBooker .sbz), read safely.

Hostile archives are the norm for files from the web: too many members, a member
that would unpack to gigabytes (zip bomb), or damaged data on which zipfile can
raise almost anything (BadZipFile, struct.error, ValueError, OverflowError,
zlib.error, NotImplementedError for exotic compression, RuntimeError when
encrypted, EOFError, ...).  Each becomes one PaletteError naming the problem.
"""
from __future__ import annotations

import io
import zipfile
from typing import Callable

from somdesk.core.options import count_text
from somdesk.io.file_kinds import file_kind, with_article

from .context import ReadContext
from .limits import MAX_ZIP_MEMBER_BYTES, MAX_ZIP_MEMBERS
from .model import PaletteError

__all__ = ["read_member", "shown_names"]

_MIB = 1024 * 1024


def shown_names(names: list[str]) -> str:
    """The first few member names for a message ("nothing" for an empty archive)."""
    return (", ".join(repr(n[:40]) for n in names[:5]) + (", ..." if len(names) > 5 else "")) or "nothing"


def read_member(data: bytes, ctx: ReadContext, member: str, what: str, ext: str,
                missing: Callable[[list[str]], str], any_folder: bool = False) -> bytes:
    """The bytes of `member` in the ZIP `data` (at most MAX_ZIP_MEMBER_BYTES).

    `what` names the format in messages ("a Krita palette"), `ext` its extension;
    `missing(names)` gives the message when the member is absent; `any_folder` also
    accepts the member inside a folder of the archive.  Raises PaletteError.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise ctx.error(f"the archive has {count_text(len(infos), 'member')}; {what} has a few")
            info = next((i for i in infos if i.filename == member), None)
            if info is None and any_folder:
                info = next((i for i in infos if i.filename.lower().endswith(member)), None)
            if info is None:
                foreign = _foreign(ctx, data)
                if foreign is not None:
                    raise ctx.error(f"this is {with_article(foreign)}, not a palette{_foreign_hint(foreign)}")
                raise ctx.error(missing([i.filename for i in infos]))
            if info.file_size > MAX_ZIP_MEMBER_BYTES:
                raise ctx.error(f"{member} would unpack to {count_text(info.file_size, 'byte')}; the limit is "
                                f"{MAX_ZIP_MEMBER_BYTES // _MIB} MiB (possible zip bomb)")
            with zf.open(info) as fh:
                raw = fh.read(MAX_ZIP_MEMBER_BYTES + 1)
            if len(raw) > MAX_ZIP_MEMBER_BYTES:
                raise ctx.error(f"{member} unpacks to more than {MAX_ZIP_MEMBER_BYTES // _MIB} MiB "
                                "(possible zip bomb)")
            return raw
    except PaletteError:
        raise
    except Exception as exc:  # zipfile's many error types on damaged data (module docstring)
        # named as the user's file is (its extension, then "ZIP archive"), not as the reader that
        # guessed it from the zip bytes: a damaged .somz is a damaged saved map (tester11 #3)
        why = f"({type(exc).__name__}: {exc})"
        foreign = _foreign(ctx, data)
        if foreign is not None:
            raise ctx.error(f"this is {with_article(foreign)}, not a palette, and it is damaged or "
                            f"truncated {why}") from None
        own = file_kind(ctx.filename, data) or f"{ext} archive"
        raise ctx.error(f"the {own} is damaged or truncated {why}") from None


# what a ZIP named otherwise than a palette is, and where the user reads it instead
_PALETTE_ZIPS = ("Krita palette (.kpl)", "SwatchBooker book (.sbz)", "ZIP archive")


def _foreign_hint(kind: str) -> str:
    if kind.startswith("saved map"):
        return "; open it in the window or use the map commands (somdesk assign)"
    if "workbook" in kind or "spreadsheet" in kind:
        return "; read it as a table (somdesk table info, somdesk train --table)"
    return ""


def _foreign(ctx: ReadContext, data: bytes) -> str | None:
    """What the file is by its name when that is not a palette ZIP ("saved map (.somz)", "Excel
    workbook (.xlsx)"), else None."""
    kind = file_kind(ctx.filename, data[:16])
    return None if kind is None or kind in _PALETTE_ZIPS else kind
