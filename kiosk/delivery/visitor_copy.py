"""The visitor's copy of their letter: bounded, so the kiosk cannot be used to mail anyone.

Anyone can type any address at the kiosk and tick "send me a copy". Left unbounded, that would
let a passer-by have the campaign's domain mail their text to a stranger, once per letter and as
often as they like. So:

* **one copy per visitor**: on the first of their letters that goes by email (in the campaign's
  order), not one per recipient; the other letters still carry their address in Reply-To;
* **at most ``COPIES_PER_DAY`` copies per address in any 24 hours**, counting the copies granted
  to that address (in any letter case) on letters kept in the last 24 hours, except on emails
  staff cancelled; over the limit the letters go without a copy and the audit log says so;
* the email carrying the copy **says so in its first line** (``kiosk.delivery.message``);
* the copy is a Cc of that email, so it is **held with it** when emails are held for review and
  never goes out before staff release the letter.

The decision is made once, when the letters are kept, and stored with them (``send_copy``): every
retry of the email is then the same email.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from kiosk.store import outbox as q

if TYPE_CHECKING:
    from kiosk.domain.letter import Letter
    from kiosk.store import Store

COPIES_PER_DAY = 3
WINDOW = timedelta(hours=24)


def grant_copy(
    store: Store, letters: list[Letter], by_email: bool, *, now: datetime | None = None
) -> list[Letter]:
    """``letters`` with the visitor's copy asked for on at most one of them (or none)."""
    asked = [i for i, letter in enumerate(letters)
             if letter.signer.send_copy and letter.signer.email]
    if not asked:
        return letters
    emailed = [i for i in asked if by_email and letters[i].recipient_email]
    chosen = emailed[0] if emailed else None
    if chosen is not None:
        address = letters[chosen].signer.email
        since = (now or datetime.now(UTC)) - WINDOW
        if q.copies_granted_since(store, address, since) >= COPIES_PER_DAY:
            # The audit names no address: it says that the limit worked, not for whom.
            store.audit("kiosk", "email.copy_limit",
                        f"visitor copy not sent: {COPIES_PER_DAY} copies to that address "
                        "in the last 24 hours")
            chosen = None
    return [letter if i == chosen or i not in asked
            else replace(letter, signer=replace(letter.signer, send_copy=False))
            for i, letter in enumerate(letters)]
