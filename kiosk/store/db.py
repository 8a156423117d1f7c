"""The store: one SQLite file in the data dir, WAL, owner-only, checked before use.

Opening it (kiosk/store/opening.py) refuses storage the kiosk cannot use with a plain message
and exit 2; ``Store.transaction`` does the same for a disk that fills up or fails later.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.store.letter_rows import StoredLetter
from kiosk.store.opening import DB_NAME, open_connection
from kiosk.store.refusals import StorageError, storage_refusals

if TYPE_CHECKING:
    from kiosk.domain.letter import Letter

__all__ = ["DB_NAME", "KeptLetter", "Store", "clear_wal", "connect", "now_iso"]

log = logging.getLogger(__name__)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def connect(path: Path, *, writable: bool = True) -> sqlite3.Connection:
    """A checked connection for the calling thread. Each worker opens its own."""
    return open_connection(Path(path), writable=writable)


def clear_wal(conn: sqlite3.Connection) -> bool:
    """Copy the WAL into the main file and cut the WAL to nothing.

    Until then, the WAL keeps the old copy of every page a change rewrote: after erasing
    visitors' details, this is what makes them gone from the disk and not only from the
    tables. False if another connection's open read kept it from finishing (it waits for the
    busy timeout first); the next call finishes the job.
    """
    busy: int = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    if busy:
        log.warning("the WAL could not be cleared: another connection is reading")
    return busy == 0


@dataclass(frozen=True)
class KeptLetter:
    letter_id: int
    recipient_id: str
    print_job_id: int | None
    outbox_id: int | None
    uuid: str = ""  # the letter's name wherever it goes (the event's hub)
    office_job_id: int | None = None  # its full page on the office printer, if asked for


class Store:
    """The kiosk's store: opened once per process (``kiosk.store.open_store``) and handed to
    whoever needs it, threads included. Each thread gets its own connection from it
    (``conn``): SQLite connections are not shared between threads. Every function in
    kiosk/store takes the store and uses the calling thread's connection.
    """

    def __init__(self, data_dir: Path, *, read_only: bool = False):
        """Raises StorageError when the store cannot be used (see kiosk/store/opening.py).

        The calling thread's connection is opened (and the store checked) here, so that a store
        that cannot be used is refused when it is opened, not at a visitor's first letter.
        ``read_only``: for commands that only read; works where the folder cannot be written.
        """
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_NAME
        self.read_only = read_only
        self._kiosk_id: str | None = None
        self._local = threading.local()
        self._closed = False
        self._open_connection()

    @classmethod
    def for_reading(cls, data_dir: Path) -> Store:
        """Read-write where the folder allows it (a reading command may still record something,
        such as an export in the audit log), read-only where it does not."""
        try:
            return cls(data_dir)
        except StorageError as e:
            if e.kind != "read_only":
                raise
        return cls(data_dir, read_only=True)

    @property
    def conn(self) -> sqlite3.Connection:
        """The calling thread's connection, opened and checked on its first use."""
        conn = getattr(self._local, "conn", None)
        return conn if conn is not None else self._open_connection()

    def _open_connection(self) -> sqlite3.Connection:
        if self._closed:
            # Never opened again behind the back of whoever closed it (a timer firing late).
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        conn = connect(self.path, writable=not self.read_only)
        self._local.conn = conn
        return conn

    @contextmanager
    def thread_connection(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection for one piece of work: a worker's step, a background job.

        A thread that had none gets one for the work and lets go of it afterwards: nothing is
        left open on a thread that may end, ``stop()`` never has to reach into a worker's
        thread, and each step opens the store again, which looks at it again if the file
        changed (kiosk/store/opening.py). A thread that had one (the GUI's) keeps it.
        """
        had = getattr(self._local, "conn", None) is not None
        try:
            yield self.conn
        finally:
            if not had:
                self._close_mine()

    def _close_mine(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()

    def close(self) -> None:
        """Close the calling thread's connection, and open none from now on. Other threads'
        connections live only as long as their ``thread_connection`` blocks."""
        self._closed = True
        self._close_mine()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing. A full or failing disk ends as a StorageError, rolled back."""
        with storage_refusals(self.data_dir):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    # SQLite may have rolled back already (a full disk); the first error counts.
                    with suppress(sqlite3.Error):
                        self.conn.execute("ROLLBACK")
                raise

    @property
    def kiosk_id(self) -> str:
        """This kiosk's id: made once, when the store was made (or moved to the schema that has
        it), and never changed. It goes on every letter and print job."""
        if self._kiosk_id is None:
            row = self.conn.execute("SELECT kiosk_id FROM kiosk WHERE id = 1").fetchone()
            if row is None:  # only a salvage that lost the row and made none could do this
                raise StorageError("damaged", self.data_dir, reason="tables",
                                   detail="kiosk id missing")
            self._kiosk_id = str(row[0])
        return self._kiosk_id

    # --- keeping letters -----------------------------------------------------------------------

    def keep(
        self,
        *,
        session_id: str,
        campaign_id: str,
        letters: list[Letter],
        by_print: bool,
        by_email: bool,
        emails: list[dict[str, str] | None],
        by_office: bool = False,
        email_state: str = "queued",
        opt_in_wording: str | None = None,
    ) -> list[KeptLetter]:
        """Write the visitor's letters with their print jobs and outbox rows, all or nothing.

        ``emails[i]`` gives the ``to_addr``, ``subject`` and ``message_id`` for letter ``i``
        (None when that recipient has no address). ``by_print``: a job for the receipt printer;
        ``by_office``: one for the office printer (a full page). ``email_state``: "queued",
        "held" (for review) or "hub" (sent by the event's hub once the letter is there).
        """
        at = now_iso()
        kept: list[KeptLetter] = []
        kiosk_id = self.kiosk_id
        with self.transaction() as c:
            for letter, email in zip(letters, emails, strict=True):
                s = letter.signer
                name = str(uuid.uuid4())
                cur = c.execute(
                    """INSERT INTO letters (session_id, created_at, campaign_id, recipient_id,
                        language, salutation, body, closing, signature, full_text, address_lines,
                        postage_free, recipient_email, sign_mode, first_name, last_name, city,
                        postal_code, email, short_name, send_copy, opt_in, opt_in_wording,
                        opt_in_at, by_print, by_email, kiosk_id, uuid)
                       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                    (
                        session_id, at, campaign_id, letter.recipient_id, letter.language,
                        letter.salutation, letter.body, letter.closing,
                        "\n".join(letter.signature_lines), letter.text(),
                        json.dumps(list(letter.address_lines), ensure_ascii=False),
                        int(letter.postage_free), letter.recipient_email, str(s.mode),
                        s.first_name, s.last_name, s.city, s.postal_code, s.email,
                        s.short_name(letter.language), int(s.send_copy), int(s.opt_in),
                        opt_in_wording if s.opt_in else None, at if s.opt_in else None,
                        int(by_print or by_office), int(by_email and email is not None),
                        kiosk_id, name,
                    ),
                )
                letter_id = int(cur.lastrowid or 0)
                if s.drawing:
                    c.execute("INSERT INTO letter_drawings (letter_id, png) VALUES (?,?)",
                              (letter_id, s.drawing))
                job_id = office_job_id = outbox_id = None
                for device, wanted in (("receipt", by_print), ("office", by_office)):
                    if not wanted:
                        continue
                    cur = c.execute(
                        "INSERT INTO print_jobs (letter_id, created_at, updated_at, kiosk_id,"
                        " device) VALUES (?,?,?,?,?)",
                        (letter_id, at, at, kiosk_id, device),
                    )
                    if device == "receipt":
                        job_id = int(cur.lastrowid or 0)
                    else:
                        office_job_id = int(cur.lastrowid or 0)
                if by_email and email is not None:
                    cur = c.execute(
                        """INSERT INTO outbox (letter_id, message_id, to_addr, subject, state,
                               next_attempt_at, created_at, updated_at)
                           VALUES (?,?,?,?,?,?,?,?)""",
                        (letter_id, email["message_id"], email["to_addr"], email["subject"],
                         email_state, at, at, at),
                    )
                    outbox_id = int(cur.lastrowid or 0)
                kept.append(KeptLetter(letter_id, letter.recipient_id, job_id, outbox_id, name,
                                       office_job_id))
        return kept

    def letter(self, letter_id: int) -> StoredLetter | None:
        row = self.conn.execute("SELECT * FROM letters WHERE id = ?", (letter_id,)).fetchone()
        return None if row is None else StoredLetter.from_row(row)

    def letters(self) -> list[StoredLetter]:
        rows = self.conn.execute("SELECT * FROM letters ORDER BY id").fetchall()
        return [StoredLetter.from_row(r) for r in rows]

    def audit(self, actor: str, action: str, detail: str = "") -> None:
        self.conn.execute(
            "INSERT INTO audit (at, actor, action, detail) VALUES (?,?,?,?)",
            (now_iso(), actor, action, detail),
        )
