"""Addresses the kiosk cannot send to are refused where they are typed (issue 10, point 3): in the
campaign file by check-config (exit 2, the key named), on the Sign step with a message in the
visitor's language. One rule everywhere (``text_rules.check_email``), the email builder's own."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kiosk.app.preflight import load_campaign
from kiosk.config import ConfigError
from kiosk.delivery.message import build_message
from kiosk.delivery.outbox import OutboxService
from kiosk.domain.journey import Journey, Problem, Step
from kiosk.domain.letter import Signer, SignMode, make_letter
from kiosk.domain.text_rules import check_email
from kiosk.i18n import tr
from kiosk.store import outbox as q
from tests.support.campaigns import TEST_EMAIL, sample_text
from tests.support.campaigns import write_campaign as write_campaign_text
from tests.support.letters import queue_letters

# (typed, what the kiosk writes, or None when it refuses it)
ADDRESSES = [
    ("jane@example.com", "jane@example.com"),
    (" Jane@Example.COM ", "Jane@example.com"),
    ("zoe@exämple.ca", "zoe@xn--exmple-cua.ca"),  # an international domain, in punycode
    ("o'brien+kiosk@example.org", "o'brien+kiosk@example.org"),
    ("jöhn@example.org", None),
    ("prémier@pm.gc.ca", None),
    ("😀@example.org", None),
    ("jane", None), ("jane@", None), ("@example.com", None), ("jane@example", None),
    ("jane doe@example.com", None), ("jane@example.com\r\nBcc: x@y.z", None),
    ("a@b@c.org", None), ("a@localhost", None), ("a@printer.local", None), ("a@1.2.3.4", None),
    ("x" * 65 + "@example.com", None), ("a..b@example.com", None), (".a@example.com", None),
    ("a@-x.org", None), ("a@example.com(c)", None), ("Zoe <zoe@example.com>", None),
    ("zoe@example.com, v@x.org", None), ('"zoe"@example.com', None),
]


def _sign(campaign, email: str) -> Journey:
    j = Journey(campaign)
    j.start()
    j.toggle_recipient("pm")
    assert j.next()
    j.update(body="Please offer these men a safe haven in Canada.")
    assert j.next()
    j.update(first_name="Jane", last_name="Doe", email=email, send_copy=True)
    assert j.step is Step.SIGN
    return j


@pytest.mark.parametrize(("typed", "written"), ADDRESSES)
def test_one_rule_for_the_sign_step_and_the_email(campaign, store, typed, written):
    assert check_email(typed) == written
    j = _sign(campaign, typed)
    assert (j.problems() == []) is (written is not None)
    # The builder, handed the address as typed (as if it reached the store some other way),
    # decides exactly as the Sign step did.
    signer = Signer(mode=SignMode.FULL, first_name="Jane", last_name="Doe", email=typed,
                    send_copy=True)
    letter = make_letter(campaign, "pm", "en", "A body long enough to be a letter.", signer)
    kept = store.keep(session_id="s", campaign_id="c", letters=[letter], by_print=False,
                      by_email=True, emails=[{"to_addr": "pm@pm.gc.ca", "subject": "S",
                                              "message_id": "<1.2@example.org>"}])
    msg, envelope = build_message(q.get(store, kept[0].outbox_id), campaign.email)
    if written is None:
        assert msg["Reply-To"] is None and msg["Cc"] is None and envelope.copy_to is None
    else:
        assert str(msg["Reply-To"]).endswith(f"<{written}>") and envelope.copy_to == written


@pytest.mark.parametrize("typed", ["jöhn@example.org", "prémier@pm.gc.ca", "ÉLISE@exemple.ca"])
def test_accents_before_the_at_have_their_own_message(campaign, typed):
    assert _sign(campaign, typed).problems() == [Problem.EMAIL_NOT_ASCII]
    assert _sign(campaign, "jöhn@").problems() == [Problem.EMAIL_INVALID]
    for lang in ("en", "fr"):
        text = tr("problem.email_not_ascii", lang)
        assert "@" in text and text != tr("problem.email_invalid", lang)


def test_the_sign_step_tells_the_visitor_in_their_language(qtbot, tap, visitor, open_window):
    window = open_window()
    j = window.journey
    v = visitor(window)
    v.start()
    v.choose("pm")
    v.next()
    v.blank_page()
    v.write("Please offer these men a safe haven in Canada now.")
    v.next()
    v.sign(first="Jöhn", last="Müller", email="jöhn@example.org")
    tap(window.primary)
    assert j.step is Step.SIGN  # the visitor stays, and is told why
    assert window.problem.isVisible()
    assert window.problem.text() == tr("problem.email_not_ascii", "en")
    tap(window.lang_button)
    qtbot.waitUntil(lambda: j.language == "fr")
    qtbot.waitUntil(lambda: window.problem.text() == tr("problem.email_not_ascii", "fr"))
    # With a plain address (or none) the visitor goes on.
    v.sign(email="john@example.org")
    v.review()
    assert j.step is Step.REVIEW


# --- the campaign file --------------------------------------------------------------------------


def _campaign_with(tmp_path, recipient: str = "pm@pm.gc.ca",
                   sender: str = "letters@example.org"):
    text = sample_text().replace('email = "pm@pm.gc.ca"', f'email = "{recipient}"')
    return write_campaign_text(tmp_path / "c", text, email={**TEST_EMAIL,
                                                            "sender_address": sender})


def test_check_config_refuses_addresses_it_could_never_send_to(tmp_path):
    path = _campaign_with(tmp_path, recipient="prémier@pm.gc.ca", sender="lettrés@example.org")
    with pytest.raises(ConfigError) as e:
        load_campaign(path)
    messages = "\n".join(e.value.messages)
    assert "recipients[0].email: \"prémier@pm.gc.ca\" has accents" in messages
    assert "email.sender_address: \"lettrés@example.org\" has accents" in messages
    assert "SMTPUTF8" in messages

    done = subprocess.run([sys.executable, "-m", "kiosk", "check-config", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "recipients[0].email" in done.stderr and "email.sender_address" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("bad", ["pm@pm", "pm at pm.gc.ca", "pm@pm.gc.ca\nBcc: x@y.z",
                                 "pm@localhost"])
def test_check_config_refuses_what_is_no_address(tmp_path, bad):
    with pytest.raises(ConfigError) as e:
        load_campaign(_campaign_with(tmp_path, recipient=bad.replace("\n", "\\n")))
    assert any(m.startswith("recipients[0].email: ") for m in e.value.messages), e.value.messages


def test_check_config_keeps_international_domains_in_punycode(tmp_path):
    c = load_campaign(_campaign_with(tmp_path, recipient="Premier@Exämple.CA",
                                     sender="lettres@exämple.org"))
    assert c.recipient("pm").email == "Premier@xn--exmple-cua.ca"
    assert c.email.sender_address == "lettres@xn--exmple-cua.org"


def test_an_old_row_to_an_unusable_address_fails_with_a_reason_staff_can_act_on(
    mail_campaign, store, smtp_server, data_dir
):
    """A letter queued by an older kiosk, before check-config refused such addresses."""
    [oid] = queue_letters(store, mail_campaign)
    store.conn.execute("UPDATE outbox SET to_addr = 'prémier@pm.gc.ca' WHERE id = ?", (oid,))
    result = OutboxService(mail_campaign, store).drain()
    assert result.failed == 1 and smtp_server.messages == []
    error = q.get(store, oid).last_error
    assert "prémier@pm.gc.ca" in error and "recipients[].email" in error
    assert "SMTPUTF8" in error
