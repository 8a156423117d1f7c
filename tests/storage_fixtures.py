"""Stores with letters in them, ways to damage them, and real disks that are read-only or full.

The disks are real: a tmpfs mounted for the test (read-only by remounting it, full by filling
it), which needs root and the right to mount; tests that need one are skipped otherwise, with
the reason. Damage is done to the bytes on disk, the way a failing SD card or a pulled plug
would, never through SQLite.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kiosk.domain.letter import Letter, Signer
from kiosk.store import Store, print_jobs
from kiosk.store import outbox as q

ROOT = Path(__file__).resolve().parent.parent
DB = "kiosk.sqlite3"


def visitor(i: int) -> Signer:
    """Visitor ``i``: every personal detail unique, so a scan of raw bytes finds each one."""
    return Signer(first_name=f"Prenom{i:04d}", last_name=f"Zyxlast{i:04d}",
                  city=f"Villeprivee{i:04d}", postal_code=f"Q{i:04d}Z",
                  email=f"zyx.private{i:04d}@example.org", opt_in=True, send_copy=True)


def add_letters(store: Store, count: int, *, start: int = 0, body_words: int = 40) -> None:
    """``count`` visitors, one letter each, with a print job and an email."""
    for i in range(start, start + count):
        letter = Letter("pm", "fr", "Monsieur le Premier ministre,",
                        " ".join(f"mot{i}-{w} é" for w in range(body_words + i % 50)),
                        "Veuillez agréer mes salutations.", visitor(i),
                        ("Premier ministre", "Ottawa ON K1A 0A2"), True, "pm@pm.gc.ca")
        store.keep(session_id=f"session-{i}", campaign_id="test", letters=[letter],
                   by_print=True, by_email=True,
                   emails=[{"to_addr": "pm@pm.gc.ca", "subject": "Protégez-les",
                            "message_id": f"<letter-{i}@example.org>"}])


def deliver_all(store: Store) -> None:
    """Every job printed, every email sent: all of it old enough to purge with --days 0."""
    for (job_id,) in store.conn.execute("SELECT id FROM print_jobs").fetchall():
        print_jobs.mark_printed(store, job_id, "online")
    while (item := q.claim(store, "test:1:w", 60)) is not None:
        q.mark_sent(store, item.id, "test:1:w", code=250,
                    note=f"copy refused: 550 <{item.visitor_email}> unknown")


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


# --- the command line ----------------------------------------------------------------------------


def kiosk(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m kiosk ARGS`` as staff would type it; a hang fails the test at ``timeout``."""
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def assert_refused(done: subprocess.CompletedProcess[str], *said: str) -> None:
    """Exit 2 (the service does not restart), a plain message saying ``said``, no traceback."""
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, (done.returncode, done.stderr)
    for text in said:
        assert text in done.stderr, (text, done.stderr)


# --- real disks ---------------------------------------------------------------------------------


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, timeout=30)


@contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A real, private filesystem of ``size`` at ``where`` (skips the test if it cannot mount)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    where.mkdir(parents=True, exist_ok=True)
    try:
        _mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where))
    except subprocess.CalledProcessError as e:
        pytest.skip(f"cannot mount a tmpfs here: {e.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=30)


def remount_read_only(where: Path) -> None:
    _mount("-o", "remount,ro", str(where))


def fill_up(where: Path) -> Path:
    """Fill the filesystem at ``where`` to the last byte; returns the filler to delete later."""
    filler = where / "filler.bin"
    fd = os.open(filler, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        for size in (1 << 20, 4096, 1):  # big blocks, then the last partial ones
            try:
                while os.write(fd, b"\0" * size):
                    pass
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler
