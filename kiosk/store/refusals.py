"""Storage the kiosk cannot use, said plainly: what is wrong, that nothing was changed, what next.

Every problem with the data folder or the letter store ends as a ``StorageError``, a
``kiosk.errors.Refusal``: the command line turns it into its lines on stderr and exit 2, which
the deployment service reads as "do not restart" (restarting on a damaged or full disk would
only fail again, for ever). Errors that are not about storage (a bug, a constraint the code
broke) are left alone: they stay tracebacks, because they are defects to fix in the kiosk.
"""

from __future__ import annotations

import errno
import os
import shlex
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.errors import Refusal
from kiosk.i18n import tr

# SQLite result codes (by name prefix, so extended codes such as SQLITE_IOERR_WRITE match).
_FULL = ("SQLITE_FULL",)
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_READ_ONLY = ("SQLITE_READONLY",)
_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")  # after the 10 s busy timeout
_UNREADABLE = ("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_PERM", "SQLITE_AUTH")
_OS_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_OS_UNREADABLE = {errno.EIO, errno.ENXIO, errno.ENODEV, errno.ESTALE}
_OS_NOT_ALLOWED = {errno.EACCES, errno.EPERM}


class StorageError(Refusal):
    """A refusal about the data folder or the store, in the staff's language.

    ``kind`` is the message (``storage.<kind>`` in the catalogs); ``reason`` names a
    ``storage.reason.<reason>`` phrase; ``detail`` is the technical text, shown last, untranslated.
    """

    def __init__(self, kind: str, folder: Path | str, *, reason: str = "", error: str = "",
                 detail: str = "", when: str = "", lang: str = "en"):
        self.kind, self.folder, self.reason = kind, Path(folder), reason
        self.error, self.detail, self.when, self.lang = error, detail, when, lang
        values = {"path": shlex.quote(str(folder)), "error": error, "when": when,
                  "reason": tr(f"storage.reason.{reason}", lang) if reason else ""}
        lines = tr(f"storage.{kind}", lang, **values).split("\n")
        if detail:
            lines.append(tr("storage.detail", lang, detail=detail))
        super().__init__(lines[0], lines[1:])

    def in_language(self, lang: str) -> StorageError:
        """The same refusal, said in ``lang``."""
        return StorageError(self.kind, self.folder, reason=self.reason, error=self.error,
                            detail=self.detail, when=self.when, lang=lang)


def read_only_reason(folder: Path) -> str:
    """Why a folder cannot be written: the disk is mounted read-only, or permissions."""
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "mounted_read_only"
    except OSError:
        pass
    return "no_permission"


def _no_room(folder: Path) -> bool:
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024


def problem_of(e: BaseException, folder: Path) -> StorageError | None:
    """The refusal for a storage failure, or None when ``e`` is not about storage."""
    if isinstance(e, StorageError):
        return e
    if isinstance(e, sqlite3.Error):
        name = getattr(e, "sqlite_errorname", "") or ""
        if name.startswith(_FULL):
            return StorageError("full", folder, detail=str(e))
        if name.startswith("SQLITE_NOTADB"):
            return StorageError("damaged", folder, reason="not_a_database", detail=str(e))
        if name.startswith(_DAMAGED):
            return StorageError("damaged", folder, reason="malformed", detail=str(e))
        if name.startswith(_BUSY):
            return StorageError("busy", folder)
        if name.startswith(_READ_ONLY):
            return StorageError("read_only", folder, reason=read_only_reason(folder))
        if name.startswith(_UNREADABLE):
            if _no_room(folder):
                # SQLite reports a full disk as an I/O error when it is making its files.
                return StorageError("full", folder, detail=f"{name}: {e}")
            return StorageError("unreadable", folder, error=str(e))
        return None
    if isinstance(e, OSError):
        if e.errno in _OS_FULL:
            return StorageError("full", folder, detail=e.strerror or str(e))
        if e.errno == errno.EROFS:
            return StorageError("read_only", folder, reason="mounted_read_only")
        if e.errno in _OS_NOT_ALLOWED:
            return StorageError("read_only", folder, reason="no_permission")
        if e.errno in _OS_UNREADABLE:
            return StorageError("unreadable", folder, error=e.strerror or str(e))
    return None


@contextmanager
def storage_refusals(folder: Path, lang: str = "en", *, os_errors: bool = True
                     ) -> Iterator[None]:
    """Turn storage failures inside the block into a ``StorageError`` in ``lang``.

    ``os_errors=False`` leaves OSError alone: for blocks that also write elsewhere (an export
    to a USB stick), whose failures are not the data folder's.
    """
    try:
        yield
    except (sqlite3.Error, OSError, StorageError) as e:
        if isinstance(e, OSError) and not os_errors:
            raise
        problem = problem_of(e, Path(folder))
        if problem is None:
            raise
        if problem is e and problem.lang == lang:
            raise
        raise problem.in_language(lang) from e
