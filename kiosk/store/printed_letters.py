"""Letters printed on a given day, for the envelopes and labels staff make at its end
(``letter-kiosk envelopes``, kiosk/app/envelopes.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.store.db import Store


@dataclass(frozen=True)
class PrintedLetter:
    """A letter with a print job that printed within the day asked for."""

    letter_id: int
    recipient_id: str
    language: str
    address_lines: tuple[str, ...]
    postage_free: bool
    printed_at: str  # UTC, ISO 8601: its first print that day
    full_page: bool  # also printed on the office printer (any day): it has its window envelope


def printed_between(store: Store, start: str, end: str) -> list[PrintedLetter]:
    """Letters with a print job in state 'printed' whose printed_at is in [start, end) (UTC,
    as stored), oldest letter first; each once, however many of its jobs printed."""
    rows = store.conn.execute(
        """SELECT l.id, l.recipient_id, l.language, l.address_lines, l.postage_free,
                  MIN(j.printed_at) AS printed_at,
                  EXISTS (SELECT 1 FROM print_jobs o WHERE o.letter_id = l.id
                          AND o.device = 'office' AND o.state = 'printed') AS full_page
           FROM letters l JOIN print_jobs j ON j.letter_id = l.id
           WHERE j.state = 'printed' AND j.printed_at >= ? AND j.printed_at < ?
           GROUP BY l.id ORDER BY l.id""",
        (start, end),
    ).fetchall()
    return [
        PrintedLetter(letter_id=r["id"], recipient_id=r["recipient_id"], language=r["language"],
                      address_lines=tuple(json.loads(r["address_lines"])),
                      postage_free=bool(r["postage_free"]), printed_at=r["printed_at"],
                      full_page=bool(r["full_page"]))
        for r in rows
    ]
