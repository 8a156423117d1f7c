"""Store files with letters in them, what is in them, and ways to damage them.

Damage is done to the bytes on disk, the way a failing SD card or a pulled plug would, never
through SQLite. Real disks that are read-only or full: ``tests.support.peers.disks``.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from kiosk.store import Store
from tests.support.letters import add_letters, deliver_all

DB = "kiosk.sqlite3"


def make_store(data_dir: Path, count: int = 120, *, delivered: bool = False) -> Path:
    """A closed store with ``count`` letters, everything checkpointed into the main file."""
    data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(data_dir)
    try:
        add_letters(store, count)
        if delivered:
            deliver_all(store)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    return data_dir / DB


def table_rows(db: Path, table: str) -> dict[int, tuple]:
    """Every row of an intact store's table, by id (read before damaging it)."""
    conn = sqlite3.connect(db)
    try:
        return {r[0]: tuple(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY id")}
    finally:
        conn.close()


def pages_of(db: Path, table: str, pagetype: str) -> list[tuple[int, int]]:
    """(page number, cells) of a table's ``leaf`` or ``internal`` pages, from SQLite's dbstat."""
    conn = sqlite3.connect(db)
    try:
        return [(r[0], r[1]) for r in conn.execute(
            "SELECT pageno, ncell FROM dbstat WHERE name = ? AND pagetype = ? ORDER BY pageno",
            (table, pagetype))]
    finally:
        conn.close()


def overwrite_pages(db: Path, pages: list[int], filler: bytes | None = None) -> None:
    size = 4096
    data = bytearray(db.read_bytes())
    for n in pages:
        chunk = filler * (size // len(filler)) if filler else os.urandom(size)
        data[(n - 1) * size:n * size] = chunk
    db.write_bytes(bytes(data))


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


# --- damage, the way disks do it -----------------------------------------------------------------


def truncate_half(db: Path) -> None:
    os.truncate(db, db.stat().st_size // 2)


def all_garbage(db: Path) -> None:
    db.write_bytes(os.urandom(db.stat().st_size))


def garbage_header(db: Path) -> None:
    data = bytearray(db.read_bytes())
    data[:100] = os.urandom(100)
    db.write_bytes(bytes(data))


def damaged_letter_pages(db: Path) -> None:
    """Two leaf pages of letters in the middle overwritten: quiet until someone reads them."""
    leaves = pages_of(db, "letters", "leaf")
    overwrite_pages(db, [leaves[len(leaves) // 3][0], leaves[len(leaves) // 2][0]])


def emptied(db: Path) -> None:
    os.truncate(db, 0)


def deleted(db: Path) -> None:
    db.unlink()
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)


DAMAGE = {
    "truncated": truncate_half,
    "garbage": all_garbage,
    "header": garbage_header,
    "pages": damaged_letter_pages,
    "empty": emptied,
    "missing": deleted,
}
