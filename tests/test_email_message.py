"""The email built for an outbox row: headers, body, and visitor text kept out of headers."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.utils import getaddresses, parsedate_to_datetime

import pytest

from kiosk.delivery.message import (
    Envelope,
    MessageError,
    build_message,
    copy_note,
    header_text,
    message_bytes,
)
from kiosk.domain.letter import Signer, SignMode, make_letter
from kiosk.domain.text_rules import check_email
from kiosk.store import outbox as q
from tests.support.letters import BODY_FR, queue_letters


def _parse(msg):
    raw = message_bytes(msg)
    # As a mailbox stores it: CRLF on the wire, LF on disk.
    return raw, message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=policy.default)


def _raw_item(store, campaign, **signer):
    """A kept letter whose signer fields bypass the journey's cleaning: the message builder
    must stay safe even if bad text reaches the store some other way."""
    s = Signer(**{"mode": SignMode.FULL, **signer})
    letter = make_letter(campaign, "pm", "en", "A body long enough to be a letter.", s)
    kept = store.keep(session_id="s", campaign_id="c", letters=[letter], by_print=False,
                      by_email=True, emails=[{"to_addr": "pm@pm.gc.ca", "subject": "Hello",
                                              "message_id": "<1.2@example.org>"}])
    return q.get(store, kept[0].outbox_id)


def test_every_header_and_the_exact_utf8_body(campaign, store):
    [oid] = queue_letters(store, campaign, send_copy=True)
    item = q.get(store, oid)
    msg, env = build_message(item, campaign.email)
    raw, got = _parse(msg)

    assert env == Envelope("letters@example.org", "pm@pm.gc.ca", "zoe@example.com")
    [(name, addr)] = getaddresses([str(got["From"])])
    assert (name, addr) == ("Zoë Ç. via Write for Safe Haven", "letters@example.org")
    assert str(got["To"]) == "pm@pm.gc.ca"
    assert got["Reply-To"].addresses[0].addr_spec == "zoe@example.com"
    assert got["Cc"].addresses[0].addr_spec == "zoe@example.com"
    assert str(got["Subject"]) == item.subject and item.subject.startswith("Protégez")
    # A long Message-ID is folded onto its own line; the value is the same.
    assert got["Message-ID"].strip() == item.message_id
    assert parsedate_to_datetime(got["Date"]) == q.parse_iso(item.created_at).replace(
        microsecond=0)
    assert got["Content-Language"] == "fr"
    assert got.get_content_type() == "text/plain"
    assert got.get_content_charset() == "utf-8"
    # The body decodes to exactly the reviewed letter (plus the final line end MIME requires),
    # under one line saying that a copy goes to its writer.
    note = copy_note("Write for Safe Haven", "fr")
    assert got.get_content() == f"{note}\n\n{item.full_text}\n"
    assert note.startswith("Écrite à un kiosque")
    assert BODY_FR in got.get_content()
    # 7-bit on the wire: passes servers without 8BITMIME; no line over the SMTP limit.
    assert raw.isascii()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    assert b"Bcc" not in raw


def test_no_reply_to_or_copy_without_a_visitor_email(campaign, store):
    [oid] = queue_letters(store, campaign, email="", send_copy=True)
    msg, env = build_message(q.get(store, oid), campaign.email)
    assert msg["Reply-To"] is None and msg["Cc"] is None and env.copy_to is None


def test_reply_to_without_copy_when_not_asked(campaign, store):
    [oid] = queue_letters(store, campaign, send_copy=False)
    msg, env = build_message(q.get(store, oid), campaign.email)
    assert msg["Reply-To"] is not None and msg["Cc"] is None and env.copy_to is None


def test_the_same_row_always_makes_the_same_bytes(campaign, store):
    [oid] = queue_letters(store, campaign, send_copy=True)
    item = q.get(store, oid)
    assert message_bytes(build_message(item, campaign.email)[0]) == message_bytes(
        build_message(item, campaign.email)[0])


@pytest.mark.parametrize("evil", [
    "Eve\r\nBcc: victim@example.com",
    "Eve\nX-Injected: yes",
    "Eve\rSubject: spam",
    "Eve\u2028Bcc: victim@example.com",
    "Eve\x85Bcc: victim@example.com",
])
def test_line_breaks_in_a_name_cannot_add_headers(campaign, store, evil):
    item = _raw_item(store, campaign, first_name=evil, last_name="\r\nBcc: x@y.org")
    raw, got = _parse(build_message(item, campaign.email)[0])
    names = [k.lower() for k in got]
    assert "bcc" not in names and "x-injected" not in names
    assert names.count("subject") == 1 and names.count("from") == 1
    assert [a.addr_spec for a in got["From"].addresses] == ["letters@example.org"]
    for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n"):
        # Every header line is a header or a folded continuation, nothing else.
        assert re.match(rb"^([A-Za-z-]+:( |$)|[ \t])", line), line


@pytest.mark.parametrize("evil", [
    "zoe@example.com\r\nBcc: victim@example.com",
    "zoe@example.com\nBcc: victim@example.com",
    "zoe@example.com, victim@example.com",
    "zoe@example.com(comment)",
    "Zoe <zoe@example.com>",
    "zoé@example.com",  # would need SMTPUTF8
    "zoe@@example.com",
    "x" * 65 + "@example.com",
])
def test_a_bad_visitor_email_is_left_out_not_passed_on(campaign, store, evil):
    item = _raw_item(store, campaign, first_name="Zoë", email=evil, send_copy=True)
    msg, env = build_message(item, campaign.email)
    raw, got = _parse(msg)
    assert got["Reply-To"] is None and got["Cc"] is None and env.copy_to is None
    assert b"victim" not in raw


def test_non_ascii_names_are_encoded_and_idn_domains_punycoded(campaign, store):
    item = _raw_item(store, campaign, first_name="Zoë", last_name="Œuvrard",
                     email="zoe@exämple.ca", send_copy=True)
    msg, env = build_message(item, campaign.email)
    raw, got = _parse(msg)
    assert b"=?utf-8?" in raw  # RFC 2047 encoded words, not raw 8-bit header bytes
    assert str(got["From"].addresses[0].display_name) == "Zoë Œ. via Write for Safe Haven"
    assert env.copy_to == "zoe@xn--exmple-cua.ca"
    assert got["Reply-To"].addresses[0].display_name == "Zoë Œ."


def test_long_names_are_capped_and_long_subjects_folded(campaign, store):
    item = _raw_item(store, campaign, first_name="Z" * 500, mode=SignMode.FIRST)
    item = q.OutboxItem(**{**item.__dict__, "subject": "Protégez " + "très " * 200})
    raw, got = _parse(build_message(item, campaign.email)[0])
    display = got["From"].addresses[0].display_name
    assert len(display) < 40 + len(" via Write for Safe Haven") + 2
    assert display.endswith("via Write for Safe Haven")
    assert len(str(got["Subject"])) <= 200
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78


def test_a_name_cannot_pose_as_an_address(campaign, store):
    item = _raw_item(store, campaign, first_name='ceo@bank.example "<boss@bank.example>"',
                     mode=SignMode.FIRST)
    _, got = _parse(build_message(item, campaign.email)[0])
    [addr] = got["From"].addresses
    assert addr.addr_spec == "letters@example.org"
    assert "@" not in addr.display_name and "<" not in addr.display_name


def test_a_bad_recipient_address_or_message_id_is_refused(campaign, store):
    item = _raw_item(store, campaign, first_name="Zoë")
    with pytest.raises(MessageError):
        build_message(q.OutboxItem(**{**item.__dict__, "to_addr": "pm@x.org\r\nBcc: v@x.org"}),
                      campaign.email)
    with pytest.raises(MessageError):
        build_message(q.OutboxItem(**{**item.__dict__, "message_id": "<a\r\nb@x>"}),
                      campaign.email)


def test_header_text_and_check_email_helpers():
    assert header_text("a\r\nb\tc\u2029d\x00e\u200bf", 100) == "a b c d ef"
    assert header_text("x" * 10, 5) == "xxxx…"
    assert header_text("ééé", 10, max_bytes=5) == "é…"  # bytes too: "éé…" would be 7
    assert check_email(" Zoe@Example.COM ") == "Zoe@example.com"
    assert check_email("a@localhost") is None
    assert check_email("a@-bad-.org") is None
