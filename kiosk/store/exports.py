"""What the end-of-day export reads: the letters to post and the visitors who opted in.

Typed rows, so that the export (kiosk/exports.py) lays out pages and writes CSV files without
knowing a table or a column. ``snapshot`` makes the export's three files describe one moment.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiosk.domain.letter import Signer, SignMode

if TYPE_CHECKING:
    from kiosk.store.db import Store


@dataclass(frozen=True)
class PostalLetter:
    """A kept letter as it is printed for the post."""

    id: int
    created_at: str  # UTC, ISO 8601
    recipient_id: str
    language: str
    salutation: str
    body: str
    closing: str
    signature: str  # the lines under the closing, newline-separated
    address_lines: tuple[str, ...]
    postage_free: bool
    sign_mode: str
    first_name: str
    last_name: str
    city: str
    postal_code: str
    # The visitor's drawn signature (PNG), kept on this kiosk only: a hub's letters have none.
    drawing: bytes | None = field(default=None, repr=False)

    @property
    def signer(self) -> Signer:
        return _signer(self.sign_mode, self.first_name, self.last_name, self.city,
                       self.postal_code)


@dataclass(frozen=True)
class OptIn:
    """A visitor who asked to hear from the organisers (their first letter's details)."""

    sign_mode: str
    first_name: str
    last_name: str
    email: str
    language: str
    opt_in_wording: str | None
    opt_in_at: str | None
    created_at: str

    @property
    def signer(self) -> Signer:
        return _signer(self.sign_mode, self.first_name, self.last_name)


def _signer(mode: str, first: str, last: str, city: str = "", postal: str = "") -> Signer:
    # An unknown mode (a damaged row) shows no name rather than one the visitor may not have
    # chosen to show.
    known = mode in {m.value for m in SignMode}
    return Signer(SignMode(mode) if known else SignMode.ANONYMOUS, first, last, city, postal)


def _postal(row: Any) -> PostalLetter:
    return PostalLetter(
        id=row["id"], created_at=row["created_at"], recipient_id=row["recipient_id"],
        language=row["language"], salutation=row["salutation"], body=row["body"],
        closing=row["closing"], signature=row["signature"],
        address_lines=tuple(json.loads(row["address_lines"])),
        postage_free=bool(row["postage_free"]), sign_mode=row["sign_mode"],
        first_name=row["first_name"], last_name=row["last_name"], city=row["city"],
        postal_code=row["postal_code"],
        drawing=bytes(row["drawing"]) if row["drawing"] is not None else None,
    )


@contextmanager
def snapshot(store: Store) -> Iterator[Store]:
    """One read transaction on this thread's connection: what is read inside it is one moment,
    even while the kiosk keeps taking letters."""
    conn = store.conn
    conn.execute("BEGIN")
    try:
        yield store
    finally:
        conn.execute("COMMIT")


def postable_letters(store: Store) -> tuple[list[PostalLetter], int]:
    """Letters to post, and how many were left out because staff cancelled all their deliveries."""
    rows = store.conn.execute(
        """SELECT l.*,
             (SELECT COUNT(*) FROM print_jobs WHERE letter_id = l.id) +
             (SELECT COUNT(*) FROM outbox WHERE letter_id = l.id) AS deliveries,
             (SELECT COUNT(*) FROM print_jobs WHERE letter_id = l.id AND state = 'cancelled') +
             (SELECT COUNT(*) FROM outbox WHERE letter_id = l.id AND state = 'cancelled')
               AS cancelled,
             (SELECT png FROM letter_drawings WHERE letter_id = l.id) AS drawing
           FROM letters l ORDER BY l.id"""
    ).fetchall()
    keep = [_postal(r) for r in rows if not (r["deliveries"] and r["cancelled"] == r["deliveries"])]
    return keep, len(rows) - len(keep)


def opt_ins(store: Store) -> list[OptIn]:
    """One per visitor who opted in (their first letter), unless retention purged them."""
    rows = store.conn.execute(
        """SELECT * FROM letters WHERE id IN (
               SELECT MIN(id) FROM letters
               WHERE opt_in = 1 AND personal_purged_at IS NULL AND email != ''
               GROUP BY session_id)
           ORDER BY id"""
    ).fetchall()
    return [
        OptIn(sign_mode=r["sign_mode"], first_name=r["first_name"], last_name=r["last_name"],
              email=r["email"], language=r["language"], opt_in_wording=r["opt_in_wording"],
              opt_in_at=r["opt_in_at"], created_at=r["created_at"])
        for r in rows
    ]
