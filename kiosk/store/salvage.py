"""Salvage: every row that can still be read from a damaged store, copied into a new store.

Staff run it (``python -m kiosk salvage``) after the kiosk refused a damaged, empty or missing
store. Nothing is ever deleted or written over:

1. The damaged files are copied into a scratch folder, and SQLite reads the copy table by table,
   row by row in rowid order. Where a damaged page stops the reading, it steps over the stretch
   one rowid at a time and carries on, then reads back from the end. (SQLite's own ``.recover``
   is not used: the Debian 12 sqlite3 shell, 3.40.1, fails on every file with "SQL logic error".)
2. Rows SQLite cannot reach at all (their page is whole but the page pointing to it is not, or
   the file's first page is gone) are read straight from the pages of the original file and its
   WAL (kiosk/store/page_reader.py), and given to the table whose columns they fit exactly.
3. They go into a new store, made by the same migrations as any store, row by row, each checked
   by the new store's constraints (a print job whose letter was lost is left out and counted).
4. Only then are the damaged files moved, unchanged, into ``damaged-<UTC time>/`` beside it, and
   the new store takes their place.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.store.marker import write_marker
from kiosk.store.opening import DB_NAME, forget_looks, open_connection, wal_path
from kiosk.store.page_reader import Pages, RawRow
from kiosk.store.refusals import StorageError
from kiosk.store.schema import RANDOM_UUID_SQL, VERSION

# A row by column name, as read back from the damaged store or its raw pages.
_Row = dict[str, object]

SALVAGEABLE = ("damaged", "empty", "missing")  # StorageError kinds salvage is for
PROBE = 2000  # rowids tried one by one past a damaged stretch before reading from the end
KEPT_PREFIX, SCRATCH_PREFIX = "damaged-", ".salvage-"
MAIN_TABLES = {"letters": "letters", "print_jobs": "print_jobs", "outbox": "emails",
               "audit": "audit"}  # table -> the report's line for it; others count as "other"


@dataclass
class SalvageReport:
    healthy: bool = False
    recovered: dict[str, int] = field(default_factory=dict)  # table -> rows in the new store
    from_pages: int = 0  # of those, read from the raw pages (SQLite could not reach them)
    lost_letters: int = 0  # letter numbers known to have existed, not recovered
    dropped: int = 0  # rows read but refused by the new store (e.g. a job without its letter)
    kept_in: Path | None = None


# What a raw value must be, by declared type. A drawn signature is a BLOB: without its kind, any
# two-value record would fit letter_drawings, and a record that fits two tables is given to none.
_KINDS: dict[str, type] = {"INTEGER": int, "TEXT": str, "BLOB": bytes}


@dataclass(frozen=True)
class _Column:
    name: str
    kind: str  # declared type, upper case
    not_null: bool
    alias: bool  # INTEGER PRIMARY KEY: the rowid itself, stored as NULL in the record


def salvage(data_dir: Path, *, now: datetime | None = None) -> SalvageReport:
    """Rebuild the store in ``data_dir`` from what can be read. The caller holds the kiosk lock.

    A healthy store is left alone (``healthy``). A problem salvage cannot help with (a read-only
    or full disk, a store from a newer kiosk) is raised as the StorageError it is.
    """
    folder = Path(data_dir)
    if _is_healthy(folder):
        return SalvageReport(healthy=True)
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    for old in folder.glob(f"{SCRATCH_PREFIX}*"):  # left by a salvage that was interrupted
        shutil.rmtree(old, ignore_errors=True)
    scratch = folder / f"{SCRATCH_PREFIX}{stamp}"
    scratch.mkdir(mode=0o700)
    try:
        report = _rebuild(folder, scratch)
        report.kept_in = _swap(folder, scratch, f"{KEPT_PREFIX}{stamp}")
    finally:
        # The scratch copies hold visitors' details: they never outlive the salvage.
        shutil.rmtree(scratch, ignore_errors=True)
        forget_looks()
    write_marker(folder, VERSION)
    return report


def _is_healthy(folder: Path) -> bool:
    forget_looks()
    try:
        open_connection(folder / DB_NAME, writable=False).close()
    except StorageError as e:
        if e.kind not in SALVAGEABLE:
            raise
        return False
    return True


def _rebuild(folder: Path, scratch: Path) -> SalvageReport:
    main, wal = folder / DB_NAME, wal_path(folder / DB_NAME)
    source = scratch / "source"
    source.mkdir()
    for path in (main, wal):
        if path.is_file():
            shutil.copyfile(path, source / path.name)
    new_dir = scratch / "new"
    new_dir.mkdir()
    new = open_connection(new_dir / DB_NAME)
    try:
        shapes = {t: _columns(new, t) for t in _table_names(new)}
        readable = _sqlite_rows(source / DB_NAME, shapes)
        raw = Pages.load(main, wal if wal.is_file() else None) if main.is_file() else None
        report = _fill(new, shapes, readable, raw)
        new.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        new.close()
    return report


def _swap(folder: Path, scratch: Path, kept_name: str) -> Path:
    """The new store in, the damaged files aside: renames only, nothing rewritten or deleted."""
    staged = folder / f".{DB_NAME}.salvaged"
    os.replace(scratch / "new" / DB_NAME, staged)
    kept = folder / kept_name
    kept.mkdir(mode=0o700)
    main = folder / DB_NAME
    for path in (main, wal_path(main), main.with_name(main.name + "-shm")):
        if os.path.lexists(path):
            os.rename(path, kept / path.name)
    os.rename(staged, main)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)  # the renames survive a power cut
    finally:
        os.close(fd)
    return kept


# --- the schema ----------------------------------------------------------------------------------


def _table_names(conn: sqlite3.Connection) -> list[str]:
    """In the order the migrations made them: a table before the tables that refer to it."""
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY rowid")]


def _columns(conn: sqlite3.Connection, table: str) -> list[_Column]:
    info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
    keys = [r[1] for r in info if r[5]]
    return [_Column(r[1], (r[2] or "").upper(), bool(r[3]),
                    r[1] in keys and len(keys) == 1 and (r[2] or "").upper() == "INTEGER")
            for r in info]


def _fits(values: tuple[object, ...], columns: list[_Column]) -> bool:
    """Whether a raw record can only be a row of this table: every column's kind and rule."""
    if len(values) != len(columns):
        return False
    for value, col in zip(values, columns, strict=True):
        if col.alias:
            if value is not None:
                return False
        elif value is None:
            if col.not_null:
                return False
        elif not isinstance(value, _KINDS.get(col.kind, object)):
            return False
    return True


# --- reading -------------------------------------------------------------------------------------


def _sqlite_rows(copy: Path, shapes: dict[str, list[_Column]]) -> dict[str, dict[int, _Row]]:
    """Every row SQLite can still reach in the copy, by table and rowid."""
    out: dict[str, dict[int, _Row]] = {t: {} for t in shapes}
    if not copy.is_file():
        return out
    conn = sqlite3.connect(copy, isolation_level=None)
    # A letter with a few garbled characters is kept, marked with U+FFFD, rather than lost.
    conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
    try:
        for table in shapes:
            try:
                names = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            except sqlite3.DatabaseError:
                continue  # the schema itself cannot be read: the raw pages will tell
            if names:
                out[table] = _reachable(conn, table, names)
    finally:
        conn.close()
    return out


def _reachable(conn: sqlite3.Connection, table: str, names: list[str]) -> dict[int, _Row]:
    rows: dict[int, _Row] = {}
    quoted = ", ".join(f'"{n}"' for n in names)
    select = f'SELECT rowid, {quoted} FROM "{table}"'

    def keep(row: tuple[Any, ...]) -> int:
        rows[row[0]] = dict(zip(names, row[1:], strict=True))
        return int(row[0])

    after: int | None = None
    while True:
        try:
            where = "" if after is None else f" WHERE rowid > {after}"
            for row in conn.execute(f"{select}{where} ORDER BY rowid"):
                after = keep(row)
            break
        except sqlite3.DatabaseError:
            after = _step_over(conn, select, after or 0, keep)
            if after is None:
                break
    try:  # past a stretch too long to step over: from the end, back to what was read
        for row in conn.execute(f"{select} ORDER BY rowid DESC"):
            if row[0] in rows:
                break
            keep(row)
    except sqlite3.DatabaseError:
        pass
    return rows


def _step_over(conn: sqlite3.Connection, select: str, after: int,
               keep: Callable[[tuple[Any, ...]], int]) -> int | None:
    for rowid in range(after + 1, after + 1 + PROBE):
        try:
            row = conn.execute(f"{select} WHERE rowid = ?", (rowid,)).fetchone()
        except sqlite3.DatabaseError:
            continue
        if row is not None:
            return keep(row)
    return None


def _raw_rows(raw: Pages | None, shapes: dict[str, list[_Column]]) -> dict[str, dict[int, _Row]]:
    """Rows from the raw pages, by table and rowid; the newest copy where there are several,
    and for a letter, the copy whose details were already removed (never bring a name back)."""
    found: dict[str, dict[int, list[RawRow]]] = defaultdict(lambda: defaultdict(list))
    if raw is not None:
        for row in raw.rows():
            tables = [t for t, cols in shapes.items() if _fits(row.values, cols)]
            if len(tables) == 1:
                found[tables[0]][row.rowid].append(row)
    out: dict[str, dict[int, _Row]] = {}
    for table, by_id in found.items():
        cols = shapes[table]
        purged = next((i for i, c in enumerate(cols) if c.name == "personal_purged_at"), None)

        def rank(row: RawRow, purged: int | None = purged) -> tuple[bool, int]:
            return (purged is not None and row.values[purged] is not None, row.fresh)

        out[table] = {}
        for rowid, versions in by_id.items():
            best = max(versions, key=rank)
            out[table][rowid] = {c.name: (rowid if c.alias else v)
                                 for c, v in zip(cols, best.values, strict=True)}
    return out


# --- writing -------------------------------------------------------------------------------------


def _fill(new: sqlite3.Connection, shapes: dict[str, list[_Column]],
          readable: dict[str, dict[int, _Row]], raw: Pages | None) -> SalvageReport:
    report = SalvageReport()
    from_pages = _raw_rows(raw, shapes)
    referenced: set[int] = set()
    new.execute("BEGIN IMMEDIATE")
    try:
        for table, cols in shapes.items():
            rows = readable.get(table, {})
            extra = {k: v for k, v in from_pages.get(table, {}).items() if k not in rows}
            kept = 0
            for rowid in sorted({*rows, *extra}):
                row = rows[rowid] if rowid in rows else extra[rowid]
                letter_id = row.get("letter_id")
                if table != "letters" and isinstance(letter_id, int):
                    referenced.add(letter_id)
                # Columns the damaged store did not have (an older schema) take their defaults.
                present = [c for c in cols if c.alias or c.name in row]
                quoted = ", ".join(f'"{c.name}"' for c in present)
                # The new store made an id of its own: the damaged one's, when read, wins, so
                # that the kiosk stays the kiosk it was.
                verb = "INSERT OR REPLACE" if table == "kiosk" else "INSERT"
                try:
                    new.execute(f'{verb} INTO "{table}" ({quoted}) '
                                f'VALUES ({", ".join("?" * len(present))})',
                                [rowid if c.alias else row[c.name] for c in present])
                except sqlite3.IntegrityError:
                    report.dropped += 1
                    continue
                kept += 1
                report.from_pages += rowid not in rows
            report.recovered[table] = kept
        for table in ("letters", "print_jobs"):  # rows from a store older than the kiosk id
            new.execute(f"UPDATE {table} SET kiosk_id = (SELECT kiosk_id FROM kiosk WHERE id = 1)"
                        " WHERE kiosk_id = ''")
        # Letters from a store older than letter UUIDs get theirs now, as the migration gives.
        new.execute(f"UPDATE letters SET uuid = {RANDOM_UUID_SQL} WHERE uuid IS NULL")
        # A drawing read from an old page of a letter whose details were removed since: the
        # purge removed it too, and salvage never brings a visitor's details back.
        gone = new.execute("DELETE FROM letter_drawings WHERE letter_id IN (SELECT id FROM "
                           "letters WHERE personal_purged_at IS NOT NULL)").rowcount
        if gone:
            report.recovered["letter_drawings"] = report.recovered.get("letter_drawings", 0) - gone
        new.execute("COMMIT")
    except BaseException:
        if new.in_transaction:
            new.execute("ROLLBACK")
        raise
    letter_ids = [r[0] for r in new.execute("SELECT id FROM letters")]
    highest = max([*letter_ids, *referenced], default=0)
    report.lost_letters = highest - len(letter_ids)
    return report

