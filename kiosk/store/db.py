"""Opening the store: one SQLite file in the data dir, WAL, owner-only permissions."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.store.schema import MIGRATIONS, VERSION

if TYPE_CHECKING:
    from kiosk.domain.letter import Letter

DB_NAME = "kiosk.sqlite3"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def connect(path: Path) -> sqlite3.Connection:
    """A connection for the calling thread. Each worker opens its own."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Create it owner-only before SQLite writes a byte of visitor data into it.
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(path, 0o600)
    conn = sqlite3.connect(path, timeout=10.0, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    # FULL: a letter is on disk when commit returns, even if the power goes a second later.
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    _migrate(conn)
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > VERSION:
        raise RuntimeError(
            f"this store was written by a newer Letter Kiosk (schema {current} > {VERSION}); "
            "upgrade the kiosk rather than lose data"
        )
    for version in range(current, VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


@dataclass(frozen=True)
class KeptLetter:
    letter_id: int
    recipient_id: str
    print_job_id: int | None
    outbox_id: int | None


class Store:
    """The kiosk's store. Not shared between threads: every thread makes its own ``Store``."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_NAME
        self.conn = connect(self.path)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

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
        email_state: str = "queued",
        opt_in_wording: str | None = None,
    ) -> list[KeptLetter]:
        """Write the visitor's letters with their print jobs and outbox rows, all or nothing.

        ``emails[i]`` gives the ``to_addr``, ``subject`` and ``message_id`` for letter ``i``
        (None when that recipient has no address).
        """
        at = now_iso()
        kept: list[KeptLetter] = []
        with self.transaction() as c:
            for letter, email in zip(letters, emails, strict=True):
                s = letter.signer
                cur = c.execute(
                    """INSERT INTO letters (session_id, created_at, campaign_id, recipient_id,
                        language, salutation, body, closing, signature, full_text, address_lines,
                        postage_free, recipient_email, sign_mode, first_name, last_name, city,
                        postal_code, email, short_name, send_copy, opt_in, opt_in_wording,
                        opt_in_at, by_print, by_email)
                       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                    (
                        session_id, at, campaign_id, letter.recipient_id, letter.language,
                        letter.salutation, letter.body, letter.closing,
                        "\n".join(letter.signature_lines), letter.text(),
                        json.dumps(list(letter.address_lines), ensure_ascii=False),
                        int(letter.postage_free), letter.recipient_email, str(s.mode),
                        s.first_name, s.last_name, s.city, s.postal_code, s.email,
                        s.short_name(letter.language), int(s.send_copy), int(s.opt_in),
                        opt_in_wording if s.opt_in else None, at if s.opt_in else None,
                        int(by_print), int(by_email and email is not None),
                    ),
                )
                letter_id = int(cur.lastrowid or 0)
                job_id = outbox_id = None
                if by_print:
                    cur = c.execute(
                        "INSERT INTO print_jobs (letter_id, created_at, updated_at) VALUES (?,?,?)",
                        (letter_id, at, at),
                    )
                    job_id = int(cur.lastrowid or 0)
                if by_email and email is not None:
                    cur = c.execute(
                        """INSERT INTO outbox (letter_id, message_id, to_addr, subject, state,
                               next_attempt_at, created_at, updated_at)
                           VALUES (?,?,?,?,?,?,?,?)""",
                        (letter_id, email["message_id"], email["to_addr"], email["subject"],
                         email_state, at, at, at),
                    )
                    outbox_id = int(cur.lastrowid or 0)
                kept.append(KeptLetter(letter_id, letter.recipient_id, job_id, outbox_id))
        return kept

    def letter(self, letter_id: int) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM letters WHERE id = ?", (letter_id,)).fetchone()
        if row is None:
            return None
        out = dict(row)
        out["address_lines"] = json.loads(out["address_lines"])
        return out

    def letters(self) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT * FROM letters ORDER BY id").fetchall()
        out = [dict(r) for r in rows]
        for r in out:
            r["address_lines"] = json.loads(r["address_lines"])
        return out

    def audit(self, actor: str, action: str, detail: str = "") -> None:
        self.conn.execute(
            "INSERT INTO audit (at, actor, action, detail) VALUES (?,?,?,?)",
            (now_iso(), actor, action, detail),
        )
