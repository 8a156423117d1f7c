"""The event's records at the hub: what the end-of-day export reads, and the retention purge.

Both need the hub's owner (a kiosk's login may read neither names nor consent, nor change a
letter): ``hub export`` and ``hub purge`` run with the login that ran ``hub init``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kiosk.store.exports import OptIn, PostalLetter
from kiosk.store.hub.overview import counts_now

if TYPE_CHECKING:
    import psycopg

    from kiosk.store.stats import Counts

_FINISHED = ("sent", "failed", "cancelled")


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def export_rows(conn: psycopg.Connection[tuple[Any, ...]], *, utc_offset_seconds: int,
                ) -> tuple[Counts, Counts, list[PostalLetter], int, list[OptIn],
                           list[tuple[str, int]]]:
    """From one snapshot: today's and all counts, the letters to post (and how many were left
    out: letters not printed whose every email staff cancelled), the opt-ins, and each kiosk's
    letters not yet at the hub as it last said."""
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        today = counts_now(conn, utc_offset_seconds=utc_offset_seconds)
        everything = counts_now(conn)
        rows = conn.execute(
            """SELECT l.local_id, l.created_at, l.recipient_id, l.language, l.salutation, l.body,
                      l.closing, l.signature, l.address_lines, l.postage_free, l.sign_mode,
                      l.first_name, l.last_name, l.city, l.postal_code,
                      NOT l.by_print AND EXISTS (SELECT 1 FROM outbox o
                                                 WHERE o.letter_uuid = l.uuid)
                          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.letter_uuid = l.uuid
                                          AND o.state <> 'cancelled') AS cancelled
               FROM letters l ORDER BY l.received_at, l.kiosk_id, l.local_id""").fetchall()
        letters = [
            PostalLetter(
                id=int(r[0]), created_at=_iso(r[1]), recipient_id=r[2], language=r[3],
                salutation=r[4], body=r[5], closing=r[6], signature=r[7],
                address_lines=tuple(r[8] if isinstance(r[8], list) else json.loads(r[8])),
                postage_free=bool(r[9]), sign_mode=r[10], first_name=r[11], last_name=r[12],
                city=r[13], postal_code=r[14])
            for r in rows if not r[15]
        ]
        opt_ins = [
            OptIn(sign_mode=r[0], first_name=r[1], last_name=r[2], email=r[3], language=r[4],
                  opt_in_wording=r[5], opt_in_at=_iso(r[6]) if r[6] else None,
                  created_at=_iso(r[7]))
            for r in conn.execute(
                """SELECT DISTINCT ON (kiosk_id, session_id) sign_mode, first_name, last_name,
                          email, language, opt_in_wording, opt_in_at, created_at
                   FROM letters WHERE opt_in AND personal_purged_at IS NULL AND email <> ''
                   ORDER BY kiosk_id, session_id, local_id""")
        ]
        waiting = [(str(n), int(w)) for n, w in conn.execute(
            "SELECT name, not_uploaded FROM kiosks ORDER BY name, kiosk_id")]
    return today, everything, letters, len(rows) - len(letters), opt_ins, waiting


def purge_personal_details(conn: psycopg.Connection[tuple[Any, ...]], *, days: int,
                           neutral_signature: dict[str, str], actor: str) -> int:
    """Remove names, places and emails from letters that reached the hub ``days`` or more ago
    (by the hub's clock) and whose emails are all finished; their text keeps its words under
    ``neutral_signature[language]``. One transaction, with its audit row; returns how many."""
    with conn.transaction():
        due = conn.execute(
            """SELECT uuid, language, salutation, body, closing, email FROM letters l
               WHERE personal_purged_at IS NULL
                 AND received_at <= now() - %s * interval '1 day'
                 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.letter_uuid = l.uuid
                                 AND o.state <> ALL(%s))
               FOR UPDATE""", (days, list(_FINISHED))).fetchall()
        for uuid, language, salutation, body, closing, email in due:
            signature = neutral_signature.get(language) or next(iter(neutral_signature.values()))
            conn.execute(
                """UPDATE letters SET first_name = '', last_name = '', city = '',
                       postal_code = '', email = '', short_name = '', signature = %s,
                       full_text = %s, personal_purged_at = now()
                   WHERE uuid = %s""",
                (signature, f"{salutation}\n\n{body}\n\n{closing}\n{signature}", uuid))
            if email:
                # A refusal may quote the visitor's address, in any case: it goes too.
                conn.execute(
                    """UPDATE outbox SET last_error = regexp_replace(last_error, %s, '[removed]',
                                                                    'gi'),
                                         note = regexp_replace(note, %s, '[removed]', 'gi')
                       WHERE letter_uuid = %s""",
                    (_literal(email), _literal(email), uuid))
        # A letter that came back with other content is kept aside whole: it goes as its
        # twin would, after the same time.
        conn.execute("""UPDATE letter_conflicts SET content = '{}'::jsonb
                        WHERE content <> '{}'::jsonb
                          AND received_at <= now() - %s * interval '1 day'""", (days,))
        audit(conn, actor, "retention.purge", f"letters {len(due)}, retention {days} days")
    return len(due)


def audit(conn: psycopg.Connection[tuple[Any, ...]], actor: str, action: str,
          detail: str) -> None:
    """Write to the hub's audit log: numbers and places, never a name or an address."""
    conn.execute("INSERT INTO audit (actor, action, detail) VALUES (%s, %s, %s)",
                 (actor, action, detail))


def _literal(text: str) -> str:
    """``text`` as a POSIX regular expression that matches it literally."""
    import re

    return re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", text)
