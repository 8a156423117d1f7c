"""The visitor's copy is bounded (issue 10, point 5): one per visitor, a daily cap per address,
marked as a copy in its first line, never sent while the email is held. All against a real
SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kiosk.delivery.message import copy_note
from kiosk.delivery.outbox import OutboxService
from kiosk.delivery.visitor_copy import COPIES_PER_DAY
from kiosk.store import outbox as q
from tests.support.letters import queue_letters, states

VISITOR = "zoe@example.com"


def _copies(messages) -> list:
    return [r for r in messages if VISITOR in [a.lower() for a in r.rcpt_tos]]


def test_one_copy_per_visitor_not_one_per_letter(mail_campaign, store, smtp_server, data_dir):
    ids = queue_letters(store, mail_campaign, recipients=("pm", "ircc", "un-ohchr"),
                        send_copy=True)
    assert OutboxService(mail_campaign, store).drain().sent == 3
    got = smtp_server.wait_for_messages(3)
    [copy] = _copies(got)
    assert copy.rcpt_tos == ["pm@pm.gc.ca", VISITOR]  # the first letter, in campaign order
    for r in got:
        m = r.message
        # Every letter still tells the office where to reply.
        assert m["Reply-To"].addresses[0].addr_spec == VISITOR
        assert (m["Cc"] is not None) == (r is copy)
    first = q.get(store, ids[0])
    assert first.send_copy and not any(q.get(store, i).send_copy for i in ids[1:])


def test_the_copy_says_what_it_is_in_the_letters_language(
    mail_campaign, store, smtp_server, data_dir
):
    [fr] = queue_letters(store, mail_campaign, lang="fr", send_copy=True)
    [en] = queue_letters(store, mail_campaign, lang="en", send_copy=True, email="ann@example.org")
    [plain] = queue_letters(store, mail_campaign, lang="en", send_copy=False,
                            email="bob@example.org")
    OutboxService(mail_campaign, store).drain()
    by_id = {r.message_id: r.message for r in smtp_server.wait_for_messages(3)}
    for oid, lang in ((fr, "fr"), (en, "en")):
        item = q.get(store, oid)
        body = by_id[item.message_id].get_content()
        first_line, rest = body.split("\n\n", 1)
        assert first_line == copy_note("Write for Safe Haven", lang)
        assert rest == item.full_text + "\n"  # the letter itself, untouched, below it
    assert copy_note("Write for Safe Haven", "en").startswith(
        "Written at a Write for Safe Haven letter-writing kiosk")
    assert copy_note("Write for Safe Haven", "fr").startswith("Écrite à un kiosque")
    item = q.get(store, plain)
    assert by_id[item.message_id].get_content() == item.full_text + "\n"  # no copy, no note


def test_at_most_three_copies_per_address_a_day(mail_campaign, store, smtp_server, data_dir):
    # The same address in other letter cases is the same mailbox.
    spellings = ["zoe@example.com", "Zoe@Example.com", "ZOE@EXAMPLE.COM", "zoe@example.com",
                 "zOe@example.COM"]
    for address in spellings:
        queue_letters(store, mail_campaign, recipients=("pm", "ircc"), email=address,
                      send_copy=True)
    OutboxService(mail_campaign, store).drain()
    got = smtp_server.wait_for_messages(2 * len(spellings))
    assert COPIES_PER_DAY == 3
    assert len(_copies(got)) == COPIES_PER_DAY
    audit = store.conn.execute(
        "SELECT detail FROM audit WHERE action = 'email.copy_limit'").fetchall()
    assert len(audit) == len(spellings) - COPIES_PER_DAY
    assert all("@" not in row["detail"] for row in audit)  # says it happened, not to whom

    # A day later the address may have a copy again; a cancelled email never counted.
    day_ago = (datetime.now(UTC) - timedelta(hours=25)).isoformat(timespec="milliseconds")
    store.conn.execute("UPDATE letters SET created_at = ?", (day_ago,))
    queue_letters(store, mail_campaign, email="zoe@example.com", send_copy=True)
    OutboxService(mail_campaign, store).drain()
    assert len(_copies(smtp_server.wait_for_messages(2 * len(spellings) + 1))) == 4


def test_a_cancelled_email_gives_its_copy_back(make_campaign, store, smtp_server, data_dir):
    campaign = make_campaign(host=smtp_server.host, port=smtp_server.port,
                             hold_for_review=True)
    held = [queue_letters(store, campaign, send_copy=True)[0] for _ in range(COPIES_PER_DAY)]
    [over] = queue_letters(store, campaign, send_copy=True)
    assert not q.get(store, over).send_copy
    q.cancel(store, held[0])
    [again] = queue_letters(store, campaign, send_copy=True)
    assert q.get(store, again).send_copy


def test_no_copy_goes_out_while_the_email_is_held(make_campaign, store, smtp_server, data_dir):
    campaign = make_campaign(host=smtp_server.host, port=smtp_server.port,
                             hold_for_review=True)
    [oid] = queue_letters(store, campaign, send_copy=True)
    service = OutboxService(campaign, store)
    result = service.drain()
    assert (result.sent, result.held) == (0, 1)
    assert smtp_server.messages == [] and states(store) == {oid: "held"}

    q.release_held(store, [oid])
    assert service.drain().sent == 1
    [got] = smtp_server.wait_for_messages(1)
    assert got.rcpt_tos == ["pm@pm.gc.ca", VISITOR]
    assert got.message.get_content().startswith(copy_note("Write for Safe Haven", "fr"))


def test_a_visitor_who_only_prints_uses_no_copy(mail_campaign, store):
    from kiosk.app.letters import keep_letters
    from kiosk.domain.journey import Delivery, Journey

    j = Journey(mail_campaign)
    j.start()
    j.toggle_recipient("pm")
    j.update(body="x" * 40, first_name="Zoë", last_name="Ç", email=VISITOR, send_copy=True)
    keep_letters(store, mail_campaign, j.session, j.letters(), Delivery(print=True, email=False))
    for _ in range(COPIES_PER_DAY):
        [oid] = queue_letters(store, mail_campaign, send_copy=True)
        assert q.get(store, oid).send_copy
