"""Letters arriving at the hub: each batch in one transaction, idempotent by the letter's UUID.

A retry after a lost acknowledgement adds nothing (``ON CONFLICT DO NOTHING``, the same for an
email's Message-ID). The same UUID with other content is kept aside in ``letter_conflicts`` for
staff and never overwrites what the hub has.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    import psycopg

    from kiosk.store.letter_rows import StoredLetter


@dataclass(frozen=True)
class HubEmail:
    """An email the hub is to send for a letter, as this kiosk queued it."""

    letter_uuid: str
    message_id: str
    to_addr: str
    subject: str
    state: str  # "queued", or "held" for review


@dataclass(frozen=True)
class Arrived:
    added: int  # letters the hub did not have
    already: int  # letters it had, the same (an earlier try whose answer was lost)
    conflicts: list[str]  # UUIDs it had with other content: kept aside, not overwritten


_LETTER_COLUMNS = (
    "uuid", "kiosk_id", "local_id", "content_sha256", "session_id", "created_at", "campaign_id",
    "recipient_id", "language", "salutation", "body", "closing", "signature", "full_text",
    "address_lines", "postage_free", "recipient_email", "sign_mode", "first_name", "last_name",
    "city", "postal_code", "email", "short_name", "send_copy", "opt_in", "opt_in_wording",
    "opt_in_at", "by_print", "by_email",
)
_INSERT_LETTER = (
    f"INSERT INTO letters ({', '.join(_LETTER_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(_LETTER_COLUMNS))}) "
    "ON CONFLICT (uuid) DO NOTHING RETURNING uuid"
)


def _values(letter: StoredLetter, sha: str) -> tuple[object, ...]:
    # The letter's own fields, read as they are (``content()`` would copy each letter once
    # more, and its digest already made one copy).
    extra = {"local_id": letter.id, "content_sha256": sha,
             "address_lines": json.dumps(list(letter.address_lines), ensure_ascii=False)}
    return tuple(extra[c] if c in extra else getattr(letter, c) for c in _LETTER_COLUMNS)


def receive(conn: psycopg.Connection[tuple[object, ...]], *, kiosk_id: str, kiosk_name: str,
            not_uploaded: int, letters: list[StoredLetter], emails: list[HubEmail],
            printer: str = "") -> Arrived:
    """Take ``letters`` and their ``emails`` from one kiosk, all or nothing, and note the kiosk
    as seen now (the hub's clock). ``not_uploaded``: letters the kiosk still holds after these."""
    added = already = 0
    conflicts: list[str] = []
    shas = [letter.content_sha256() for letter in letters]
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            """INSERT INTO kiosks (kiosk_id, name, not_uploaded, printer) VALUES (%s, %s, %s, %s)
               ON CONFLICT (kiosk_id) DO UPDATE SET name = EXCLUDED.name, last_seen = now(),
                   not_uploaded = EXCLUDED.not_uploaded, printer = EXCLUDED.printer""",
            (kiosk_id, kiosk_name, not_uploaded, printer))
        # One INSERT a letter, all sent at once (executemany runs in pipeline mode: one round
        # trip for the batch, not one a letter); each answers its UUID if the hub took it.
        new = [True] * len(letters)
        if letters:
            cur.executemany(_INSERT_LETTER,
                            [_values(x, sha) for x, sha in zip(letters, shas, strict=True)],
                            returning=True)
            for i in range(len(letters)):
                new[i] = cur.fetchone() is not None
                cur.nextset()
        # The hub had the others: the same (an earlier try whose answer was lost) or not.
        had = [x.uuid for x, n in zip(letters, new, strict=True) if not n]
        held: dict[UUID, str] = {}
        if had:
            cur.execute("SELECT uuid, content_sha256 FROM letters WHERE uuid = ANY(%s::uuid[])",
                        (had,))
            held = {UUID(str(u)): str(sha) for u, sha in cur.fetchall()}
        for letter, sha, is_new in zip(letters, shas, new, strict=True):
            if is_new:
                added += 1
                continue
            if held.get(UUID(letter.uuid)) == sha:
                already += 1
                continue
            conflicts.append(letter.uuid)
            cur.execute(
                """INSERT INTO letter_conflicts (uuid, kiosk_id, content_sha256, content)
                   VALUES (%s, %s, %s, %s)""",
                (letter.uuid, kiosk_id, sha,
                 json.dumps(letter.content(), ensure_ascii=False, default=list)))
            cur.execute(
                "INSERT INTO audit (actor, action, detail) VALUES ('kiosk', %s, %s)",
                ("hub.letter_conflict", f"letter {letter.uuid} from kiosk {kiosk_id}"))
        stale = set(conflicts)  # the hub's own copy of those letters decides what is sent
        rows = [(e.letter_uuid, e.message_id, e.to_addr, e.subject, e.state)
                for e in emails if e.letter_uuid not in stale]
        if rows:
            cur.executemany(
                """INSERT INTO outbox (letter_uuid, message_id, to_addr, subject, state)
                   VALUES (%s, %s, %s, %s, %s) ON CONFLICT (message_id) DO NOTHING""", rows)
    return Arrived(added, already, conflicts)


def seen(conn: psycopg.Connection[tuple[object, ...]], *, kiosk_id: str, kiosk_name: str,
         not_uploaded: int, printer: str = "") -> None:
    """The kiosk is here, with nothing to upload (its heartbeat)."""
    receive(conn, kiosk_id=kiosk_id, kiosk_name=kiosk_name, not_uploaded=not_uploaded,
            letters=[], emails=[], printer=printer)
