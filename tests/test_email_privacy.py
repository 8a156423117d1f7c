"""A visitor's address leaves the outbox with the rest of their details (issue 10, point 5):
mail servers quote addresses in their answers in any letter case and spelling, and the purge
removes every form of it from what the outbox kept (notes and last errors)."""

from __future__ import annotations

import re

import pytest

from kiosk.delivery.outbox import OutboxService
from kiosk.logs import redact
from kiosk.store import outbox as q
from kiosk.store.retention import purge_personal_details
from tests.support.letters import queue_letters

PRIVATE = "zyx.private0@example.org"


def _kept_text(store) -> str:
    rows = store.conn.execute("SELECT note, last_error FROM outbox").fetchall()
    return " ".join(str(v) for r in rows for v in r if v)


@pytest.mark.parametrize("quoted", [
    "<ZYX.PRIVATE0@EXAMPLE.ORG>", "<Zyx.Private0@Example.Org>", "<zyx.private0@example.org>",
    "zyx.private0@EXAMPLE.org",
])
def test_a_refused_copy_quoting_the_address_in_any_case_is_scrubbed(
    mail_campaign, store, smtp_server, data_dir, quoted
):
    smtp_server.handler.refuse_rcpt[PRIVATE] = f"550 5.1.1 {quoted}: Recipient address rejected"
    [oid] = queue_letters(store, mail_campaign, email=PRIVATE, send_copy=True)
    assert OutboxService(mail_campaign, store).drain().sent == 1
    assert quoted in q.get(store, oid).note  # staff see the server's answer while it matters

    assert purge_personal_details(store, 0) == 1
    kept = _kept_text(store)
    assert "private0" not in kept.lower() and "@" not in kept
    assert "copy was refused" in q.get(store, oid).note  # what happened stays readable


def test_a_failed_email_quoting_the_address_is_scrubbed_in_every_spelling(
    mail_campaign, store, smtp_server, data_dir
):
    # The server answers with the domain in Unicode; the kiosk stored it in punycode.
    smtp_server.handler.refuse_rcpt["pm@pm.gc.ca"] = (
        "550 5.7.1 Sender <ZOE@EXÄMPLE.CA> (zoe@xn--exmple-cua.ca) blocked for pm@pm.gc.ca")
    [oid] = queue_letters(store, mail_campaign, email="zoe@exämple.ca")
    assert OutboxService(mail_campaign, store).drain().failed == 1
    assert "EXÄMPLE" in q.get(store, oid).last_error

    assert purge_personal_details(store, 0) == 1
    error = q.get(store, oid).last_error
    assert not re.search(r"(?i)zoe|xn--|exämple|@", error), error
    assert error.startswith("The mail server refused this email: 550")


def test_text_without_addresses_is_left_as_it_was(store):
    assert q.scrub_addresses(None, PRIVATE) is None
    assert q.scrub_addresses("421 try later", PRIVATE) == "421 try later"
    assert q.scrub_addresses("550 <A.B@C.ORG> and a.b@c.org", "a.b@c.org") == (
        "550 <[removed]> and [removed]")


def test_log_lines_lose_addresses_in_any_case():
    line = "550 5.1.1 <ZYX.PRIVATE0@EXAMPLE.ORG> and zoe@xn--exmple-cua.ca and Zoë@Exämple.ca"
    assert redact(line) == "550 5.1.1 <<email>> and <email> and <email>"
