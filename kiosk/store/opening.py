"""Opening the store: refuse storage the kiosk cannot use before writing a byte to it.

The order matters:

1. The folder is a folder, the store (if there) an ordinary file, and a missing store is only
   taken as a first start when no marker says a store was made here (kiosk/store/marker.py).
2. A look through a read-only connection: is it a database, does it pass SQLite's
   ``quick_check`` (every page of every table and index read and its structure checked), are
   its tables the ones this kiosk's migrations make, is it empty although a store was made
   here, is it from a newer kiosk. A read-only connection never copies the WAL into the main
   file when it closes, so a damaged store is left exactly as it was found. The thorough look
   runs once per process (the workers open the store again and again); later opens look
   quickly again only if the file changed.
3. Only then the connection the caller asked for: read-write (WAL, migrations, the marker for
   next time) or read-only, for commands that only read, on a folder that cannot be written.

Every failure is a ``StorageError``: a plain message, exit 2, and nothing changed.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
from functools import cache
from pathlib import Path

from kiosk.store.marker import has_marker, marker_date, write_marker
from kiosk.store.refusals import StorageError, problem_of, read_only_reason, storage_refusals
from kiosk.store.schema import MIGRATIONS, VERSION

DB_NAME = "kiosk.sqlite3"
log = logging.getLogger(__name__)
_BUSY_MS = 10_000
# Below this, the kiosk does not start: each letter takes a few pages in the WAL, which grows
# to some megabytes between checkpoints, and a visitor told "not saved" is worse than a refusal.
MIN_FREE_BYTES = 16 * 1024 * 1024
# Path -> (device, inode, size, mtime) of the file when it last passed the look.
_looked: dict[str, tuple[int, int, int, int]] = {}
_looked_lock = threading.Lock()
_said_unreadable = threading.Event()


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def folder_is_writable(folder: Path) -> bool:
    # access(2) answers EROFS for a read-only mount even to root, unlike the permission bits.
    return os.access(folder, os.W_OK)


def open_connection(path: Path, *, writable: bool = True) -> sqlite3.Connection:
    """A checked connection to the store at ``path`` (created if new and ``writable``).

    Raises StorageError for anything staff must fix. ``writable=False`` opens read-only: it
    works on a read-only folder, and never creates or changes anything in the store.
    """
    path = Path(path)
    folder = path.parent
    try:
        first_start = _check_files(path, writable)
        if not first_start:
            _look_once(path)
        conn = _read_write(path) if writable else _read_only(path)
    except (sqlite3.Error, OSError) as e:
        problem = problem_of(e, folder)
        if problem is None:
            raise
        raise problem from e
    return conn


# --- 1. files -----------------------------------------------------------------------------------


def _check_files(path: Path, writable: bool) -> bool:
    """True when this is a first start: no store yet and no marker saying there was one."""
    folder = path.parent
    if writable and not os.path.lexists(folder):
        try:
            folder.mkdir(mode=0o700, parents=True)
        except OSError as e:
            raise StorageError("cannot_create", folder, error=e.strerror or str(e)) from e
    if not folder.is_dir():
        raise StorageError("not_a_folder", folder)
    if writable and not (folder_is_writable(folder)
                         and (not path.exists() or os.access(path, os.W_OK))):
        raise StorageError("read_only", folder, reason=read_only_reason(folder))
    try:
        st = os.stat(path)  # follows a symlink: what SQLite would open
    except FileNotFoundError:
        if os.path.lexists(path):  # a symlink to nothing
            raise StorageError("not_a_file", folder) from None
        if has_marker(folder):
            raise StorageError("missing", folder, when=marker_date(folder)) from None
        if not writable:
            # Nothing to read, and a reader makes nothing.
            raise StorageError("no_store", folder) from None
        return True
    if not stat.S_ISREG(st.st_mode):
        # A FIFO would hang the open, a device would be read as letters.
        raise StorageError("not_a_file", folder)
    return False


def check_for_kiosk(folder: Path, lang: str = "en") -> None:
    """What ``run`` needs, checked before a window opens: the store opens read-write and passes
    its check, and the disk has room for a day of letters. Raises StorageError in ``lang``."""
    with storage_refusals(folder, lang):
        open_connection(Path(folder) / DB_NAME).close()
        st = os.statvfs(folder)
        if st.f_bavail * st.f_frsize < MIN_FREE_BYTES:
            raise StorageError("full", folder, lang=lang)


# --- 2. the read-only look ----------------------------------------------------------------------


def forget_looks() -> None:
    """Look thoroughly again at the next open (after salvage has put a new file in place)."""
    with _looked_lock:
        _looked.clear()


def _look_once(path: Path) -> None:
    """The thorough look once per process; after that, a quick one whenever the file changed
    (a checkpoint grows it, but so would a file emptied or replaced behind the kiosk's back):
    workers open the store again and again, and must not read the whole of it each time."""
    key = str(path.resolve())
    st = os.stat(path)
    identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    with _looked_lock:
        seen = _looked.get(key)
    if seen == identity:
        return
    conn = _read_only(path)
    try:
        look(conn, path.parent, thorough=seen is None)
    finally:
        conn.close()
    with _looked_lock:
        _looked[key] = identity


def look(conn: sqlite3.Connection, folder: Path, *, thorough: bool = True) -> None:
    """Refuse a store that is damaged, foreign, from a newer kiosk, or empty after use.

    ``thorough``: also SQLite's quick_check (the first open in a process). It reads every page
    and checks their structure, in about 5 ms per 1,000 letters; it does not look inside the
    words, which is why text is read with ``_tolerant_text``.
    """
    try:
        problems = ([r[0] for r in conn.execute("PRAGMA quick_check(20)").fetchall()]
                    if thorough else ["ok"])
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = _tables(conn)
    except sqlite3.DatabaseError as e:
        raise problem_of(e, folder) or StorageError(
            "damaged", folder, reason="malformed", detail=str(e)) from e
    if problems != ["ok"]:
        raise StorageError("damaged", folder, reason="integrity", detail="; ".join(problems[:3]))
    if version > VERSION:
        raise StorageError("newer", folder, detail=f"schema {version} > {VERSION}")
    if version == 0:
        if tables:  # a kiosk store gets its version in the transaction that makes its tables
            raise StorageError("damaged", folder, reason="tables", detail=", ".join(tables))
        if has_marker(folder):
            raise StorageError("empty", folder, when=marker_date(folder))
        return  # a first start that stopped before its tables were made: made again
    missing = _missing(expected_tables(version), tables)
    if missing:
        raise StorageError("damaged", folder, reason="tables", detail=", ".join(missing))
    if "kiosk" in tables and conn.execute("SELECT 1 FROM kiosk WHERE id = 1").fetchone() is None:
        # Its letters could no longer say which kiosk wrote them; salvage gives it an id again.
        raise StorageError("damaged", folder, reason="tables", detail="kiosk id missing")


def _tables(conn: sqlite3.Connection) -> dict[str, set[str]]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {n: {r[1] for r in conn.execute(f'PRAGMA table_info("{n}")')} for n in names}


def _missing(expected: dict[str, set[str]], found: dict[str, set[str]]) -> list[str]:
    out = []
    for table, columns in expected.items():
        if table not in found:
            out.append(f"table {table}")
        else:
            out += [f"{table}.{c}" for c in sorted(columns - found[table])]
    return out


@cache
def expected_tables(version: int) -> dict[str, set[str]]:
    """The tables and columns the migrations make up to ``version`` (0 = none)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for script in MIGRATIONS[:version]:
            conn.executescript(script)
        return _tables(conn)
    finally:
        conn.close()


# --- 3. the connection asked for ---------------------------------------------------------------


def _tolerant_text(raw: bytes) -> str:
    """Text as stored; broken bytes (a damaged sector inside a letter's words, which
    quick_check does not see) shown as U+FFFD instead of an error that would stop the export or
    hold up the print queue for ever behind one letter."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        if not _said_unreadable.is_set():  # once: the print worker reads the same letter often
            _said_unreadable.set()
            log.warning("the store holds text with unreadable bytes, shown as \ufffd: the "
                        "disk may be failing (docs/deployment.md, 'When storage is damaged')")
        return raw.decode("utf-8", "replace")


def _settings(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.text_factory = _tolerant_text
    conn.execute(f"PRAGMA busy_timeout={_BUSY_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    # Erased visitor details are overwritten with zeros, not left in free space. Many builds
    # default to this; it is set here so that no build is trusted to.
    conn.execute("PRAGMA secure_delete=ON")
    if conn.execute("PRAGMA secure_delete").fetchone()[0] != 1:
        raise RuntimeError("this SQLite cannot overwrite deleted data (secure_delete)")


def _read_only(path: Path) -> sqlite3.Connection:
    """Read-only, even on a read-only disk. ``immutable`` only when there is no WAL to read."""
    uri = path.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=_BUSY_MS / 1000,
                               isolation_level=None)
        conn.execute("SELECT 1 FROM sqlite_schema LIMIT 1").fetchall()
    except sqlite3.OperationalError as e:
        # A WAL store cannot be opened plainly read-only where its -shm cannot be made.
        if getattr(e, "sqlite_errorname", "") != "SQLITE_CANTOPEN" or folder_is_writable(
                path.parent):
            raise
        wal = wal_path(path)
        if wal.exists() and wal.stat().st_size > 0:
            raise StorageError("read_only_wal", path.parent) from e
        conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
    _settings(conn)
    conn.execute("PRAGMA query_only=ON")
    return conn


def _read_write(path: Path) -> sqlite3.Connection:
    new = not path.exists()
    if new:
        # Owner-only before SQLite writes a byte of visitor data into it.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if stat.S_IMODE(path.stat().st_mode) != 0o600:
        os.chmod(path, 0o600)
    conn = sqlite3.connect(path, timeout=_BUSY_MS / 1000, isolation_level=None)
    try:
        _settings(conn)
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a letter is on disk when commit returns, even if the power goes a second later.
        conn.execute("PRAGMA synchronous=FULL")
        migrate(conn, path.parent)
    except BaseException:
        conn.close()
        raise
    write_marker(path.parent, VERSION)
    return conn


def migrate(conn: sqlite3.Connection, folder: Path) -> None:
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > VERSION:
        raise StorageError("newer", folder, detail=f"schema {current} > {VERSION}")
    for version in range(current, VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
