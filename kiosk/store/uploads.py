"""This kiosk's side of the hub: the letters not yet at the hub, and marking them there.

A letter is marked uploaded only after the hub's COMMIT; a retry of a batch whose answer was lost
is harmless (the hub goes by UUID).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.store.db import now_iso
from kiosk.store.hub.letters import HubEmail
from kiosk.store.letter_rows import StoredLetter

if TYPE_CHECKING:
    from kiosk.store.db import Store


def waiting(store: Store, campaign_id: str, limit: int, *, email_state: str = "queued",
            ) -> tuple[list[StoredLetter], list[HubEmail]]:
    """The oldest letters of this campaign not at the hub yet (at most ``limit``), with the
    emails the hub is to send for them, in ``email_state`` there ("held" when the campaign
    reviews emails first). Another campaign's letters in the same store never go to this
    campaign's hub."""
    rows = store.conn.execute(
        "SELECT * FROM letters WHERE uploaded_at IS NULL AND campaign_id = ? ORDER BY id "
        "LIMIT ?", (campaign_id, limit)).fetchall()
    letters = [StoredLetter.from_row(r) for r in rows]
    if not letters:
        return [], []
    marks = ",".join("?" * len(letters))
    emails = [
        HubEmail(r["uuid"], r["message_id"], r["to_addr"], r["subject"], email_state)
        for r in store.conn.execute(
            f"""SELECT l.uuid, o.message_id, o.to_addr, o.subject FROM outbox o
                JOIN letters l ON l.id = o.letter_id
                WHERE o.state = 'hub' AND l.id IN ({marks}) ORDER BY o.id""",
            [x.id for x in letters])
    ]
    return letters, emails


def count_waiting(store: Store, campaign_id: str) -> int:
    return int(store.conn.execute(
        "SELECT COUNT(*) FROM letters WHERE uploaded_at IS NULL AND campaign_id = ?",
        (campaign_id,)).fetchone()[0])


def mark_uploaded(store: Store, letter_ids: list[int]) -> None:
    """After the hub's COMMIT: these letters are at the hub."""
    if not letter_ids:
        return
    marks = ",".join("?" * len(letter_ids))
    with store.transaction() as c:
        c.execute(f"UPDATE letters SET uploaded_at = ? WHERE id IN ({marks})",
                  [now_iso(), *letter_ids])


def follow_the_hub(store: Store, campaign_id: str, *, hub: bool, held: bool) -> int:
    """Emails go where the campaign now says, so that none is stranded when a hub is switched
    on or off between two runs: with a hub, this campaign's emails still waiting here (on
    letters not at the hub yet) go with their letters to the hub; without one, emails left for
    a hub that never got their letter come back to this kiosk's own outbox (held for review if
    the campaign reviews emails). Returns how many moved."""
    with store.transaction() as c:
        if hub:
            cur = c.execute(
                """UPDATE outbox SET state = 'hub', lease_owner = NULL, lease_until = NULL
                   WHERE state IN ('queued', 'retry', 'unknown', 'held')
                     AND letter_id IN (SELECT id FROM letters
                                       WHERE uploaded_at IS NULL AND campaign_id = ?)""",
                (campaign_id,))
        else:
            cur = c.execute(
                """UPDATE outbox SET state = ?, next_attempt_at = ?
                   WHERE state = 'hub'
                     AND letter_id IN (SELECT id FROM letters WHERE uploaded_at IS NULL)""",
                ("held" if held else "queued", now_iso()))
        moved = cur.rowcount
        if moved:
            store.audit("kiosk", "outbox.to_hub" if hub else "outbox.from_hub",
                        f"{moved} emails")
    return moved
