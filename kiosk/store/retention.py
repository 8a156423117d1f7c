"""Retention: forget who wrote a letter once it has been delivered and the grace period is over.

A letter keeps what the counts need (recipient, language, channels, dates, opt-in flag and the
consent wording) and the words the visitor wrote; the visitor's name, place, email and drawn
signature are removed, and the letter's signature becomes the neutral one an anonymous visitor
gets, so a reprint or a late email still reads as a whole letter.

Erased means gone from the disk, not only from the tables: every connection overwrites deleted
content with zeros (``secure_delete``), and the WAL, which keeps the pages as they were before
the purge, is checkpointed and cut to nothing right after it (``clear_wal``).

"Delivered" means every delivery has reached a final state: each print job printed or cancelled,
each email sent, failed or cancelled. A job still queued, a held email or a failed print job (which
staff are meant to retry) keeps the letter's details, however old it is.

The visitor's own words in the body are kept as written: removing a name from free text would
also remove the same word where it means something else (a city, a minister).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from kiosk.store.db import clear_wal, now_iso
from kiosk.store.outbox import forget_addresses

if TYPE_CHECKING:
    from kiosk.store.db import Store

PRINT_FINISHED = ("printed", "cancelled")
EMAIL_FINISHED = ("sent", "failed", "cancelled")

# Letters with nothing waiting, with the time their last delivery reached its final state. With
# an event hub (:hub = 1) a letter must be at the hub first; an email the hub sends is then the
# hub's to finish (and its copy of the letter the hub's to purge).
_DUE_SQL = f"""
SELECT l.id, l.created_at, l.language, l.salutation, l.body, l.closing, l.email,
       (SELECT MAX(updated_at) FROM print_jobs WHERE letter_id = l.id) AS printed_done,
       (SELECT MAX(updated_at) FROM outbox WHERE letter_id = l.id) AS email_done
FROM letters l
WHERE l.personal_purged_at IS NULL
  AND (l.uploaded_at IS NOT NULL OR :hub = 0)
  AND NOT EXISTS (SELECT 1 FROM print_jobs j WHERE j.letter_id = l.id
                  AND j.state NOT IN {PRINT_FINISHED!r})
  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.letter_id = l.id
                  AND o.state NOT IN {EMAIL_FINISHED!r}
                  AND NOT (o.state = 'hub' AND l.uploaded_at IS NOT NULL))
ORDER BY l.id
"""


def _as_utc(text: str) -> datetime:
    dt = datetime.fromisoformat(text)
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def neutral_signature(lang: str) -> str:
    """The signature a letter keeps once its writer's details are gone."""
    from kiosk.domain.letter import Signer, SignMode

    return Signer(mode=SignMode.ANONYMOUS).display_name(lang)


def purge_personal_details(
    store: Store,
    retention_days: int,
    *,
    now: datetime | None = None,
    actor: str = "kiosk",
    hub: bool = False,
) -> int:
    """Remove visitors' personal details from letters delivered ``retention_days`` or more ago.

    ``retention_days = 0`` purges every fully delivered letter at once. ``hub``: the campaign
    has an event hub, so a letter also waits until the hub has it. Returns how many letters
    were purged; writes one audit row (counts and ids only) each time it runs.
    """
    if retention_days < 0:
        raise ValueError("retention_days must be 0 or more")
    conn = store.conn
    now = (now or datetime.now(UTC)).astimezone(UTC)
    cutoff = now - timedelta(days=retention_days)
    # Our own transaction unless the caller is already in one: all letters or none, and a
    # delivery cannot change state between the check and the rewrite.
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN IMMEDIATE")
    try:
        purged = _purge(store, cutoff, hub)
        detail = f"letters {len(purged)}, retention {retention_days} days"
        if purged:
            shown = " ".join(str(i) for i in purged[:50])
            detail += f", letter ids {shown}{' …' if len(purged) > 50 else ''}"
        conn.execute(
            "INSERT INTO audit (at, actor, action, detail) VALUES (?,?,?,?)",
            (now_iso(), actor, "retention.purge", detail),
        )
    except BaseException:
        if own and conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if own:
        conn.execute("COMMIT")
        # The WAL still holds the pages as they were before the purge, names and all, until a
        # checkpoint: cut it now, not at the kiosk's next quiet moment. (A caller with its own
        # transaction calls clear_wal after committing it.)
        clear_wal(conn)
    return len(purged)


def _purge(store: Store, cutoff: datetime, hub: bool) -> list[int]:
    conn = store.conn
    at = now_iso()
    purged: list[int] = []
    for (letter_id, created_at, lang, salutation, body, closing, email,
         printed_done, email_done) in conn.execute(_DUE_SQL, {"hub": int(hub)}).fetchall():
        finished = max(_as_utc(t) for t in (created_at, printed_done, email_done) if t)
        if finished > cutoff:
            continue
        signature = neutral_signature(lang)
        # The same layout as Letter.text(): what a reprint or a late email will show.
        full_text = f"{salutation}\n\n{body}\n\n{closing}\n{signature}"
        conn.execute(
            """UPDATE letters SET first_name = '', last_name = '', city = '', postal_code = '',
                   email = '', short_name = '', signature = ?, full_text = ?,
                   personal_purged_at = ?
               WHERE id = ?""",
            (signature, full_text, at, letter_id),
        )
        # A refused copy or a refusal keeps the server's answer, which may quote the visitor's
        # address in any case or spelling: every address goes (kiosk.store.outbox).
        forget_addresses(store, letter_id, email)
        # A drawn signature is as personal as the name under it.
        conn.execute("DELETE FROM letter_drawings WHERE letter_id = ?", (letter_id,))
        purged.append(letter_id)
    return purged
