"""Keeping a visitor's letters: what happens when they confirm.

The journey's committer. It returns only once every letter, print job and outbox row is
committed, so the thank-you screen never shows for a letter that could be lost.
"""

from __future__ import annotations

from email.utils import make_msgid
from typing import TYPE_CHECKING

from kiosk.compose import email_subject
from kiosk.delivery.visitor_copy import grant_copy
from kiosk.i18n import tr

if TYPE_CHECKING:
    from kiosk.app.context import Context
    from kiosk.config import Campaign
    from kiosk.domain.journey import Delivery, VisitorSession
    from kiosk.domain.letter import Letter
    from kiosk.store import Store
    from kiosk.store.db import KeptLetter


def new_message_id(campaign: Campaign) -> str:
    """A Message-ID in the campaign's own domain, fixed once and reused on every retry."""
    domain = campaign.email.sender_address.rpartition("@")[2]
    return make_msgid(idstring=campaign.campaign.id, domain=domain)


def keep_letters(
    store: Store,
    campaign: Campaign,
    session: VisitorSession,
    letters: list[Letter],
    delivery: Delivery,
) -> list[KeptLetter]:
    # One copy for the visitor at most, within a daily limit per address (see visitor_copy).
    letters = grant_copy(store, letters, delivery.email)
    emails: list[dict[str, str] | None] = []
    for letter in letters:
        if delivery.email and letter.recipient_email:
            emails.append(
                {
                    "to_addr": letter.recipient_email,
                    "subject": email_subject(campaign, letter.recipient_id, letter.language),
                    "message_id": new_message_id(campaign),
                }
            )
        else:
            emails.append(None)
    # With an event hub the hub sends every email, once the letter is there (held for review
    # there if the campaign says so); this kiosk keeps them until then.
    if campaign.hub.enabled:
        state = "hub"
    else:
        state = "held" if campaign.email.hold_for_review else "queued"
    return store.keep(
        session_id=session.id,
        campaign_id=campaign.campaign.id,
        letters=letters,
        by_print=delivery.print,
        by_office=delivery.full_letter,
        by_email=delivery.email,
        emails=emails,
        email_state=state,
        # The consent wording exactly as shown, in the visitor's language (CASL record).
        opt_in_wording=tr("sign.opt_in", session.language, organiser=campaign.email.sender_name),
    )


class Letters:
    def __init__(self, ctx: Context):
        self._ctx = ctx

    def keep(self, session: VisitorSession, letters: list[Letter],
             delivery: Delivery) -> list[KeptLetter]:
        return keep_letters(self._ctx.store, self._ctx.campaign, session, letters, delivery)
