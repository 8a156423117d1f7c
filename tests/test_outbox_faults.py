"""One test per way a mail server lets us down. Each ends with the right state, nothing lost,
and no duplicate except a resend carrying the same Message-ID."""

from __future__ import annotations

from collections import Counter

import pytest

from kiosk.delivery.mailer import Mailer
from kiosk.delivery.message import build_message
from kiosk.delivery.outbox import OutboxService, ServerState
from kiosk.store import outbox as q
from tests.support.letters import queue_letters, states
from tests.support.peers.smtp_server import PASSWORD, USERNAME, FaultySMTPServer, free_port
from tests.support.waiting import wait_until


def drain(campaign, store):
    return OutboxService(campaign, store).drain()


def assert_each_delivered(store, server, *, maybe_twice=()):
    """Every email arrived; only those in ``maybe_twice`` twice, as byte-identical copies."""
    assert set(states(store).values()) == {"sent"}
    by_id = Counter(m.message_id for m in server.messages)
    expected = {r[0] for r in store.conn.execute("SELECT message_id FROM outbox")}
    assert set(by_id) == expected
    for mid, n in by_id.items():
        assert n == (2 if mid in maybe_twice else 1), (mid, n)
        copies = {m.data for m in server.messages if m.message_id == mid}
        assert len(copies) == 1  # a resend is the very same email


@pytest.mark.parametrize("fault, code", [("421", 421), ("451", 451), ("452", 452)])
def test_temporary_replies_are_retried_then_delivered_once(
    fault, code, mail_campaign, store, data_dir, smtp_server
):
    [oid] = queue_letters(store, mail_campaign)
    smtp_server.set_fault(fault, times=1)
    result = drain(mail_campaign, store)
    assert (result.sent, result.failed, result.later) == (0, 0, 1) and not result.ok
    item = q.get(store, oid)
    assert item.state == "retry" and item.last_code == code and str(code) in item.last_error
    assert item.next_attempt_at > item.created_at and not item.maybe_delivered
    assert smtp_server.messages == []

    assert drain(mail_campaign, store).ok
    assert_each_delivered(store, smtp_server)
    assert q.get(store, oid).attempts == 2


def test_the_worker_backs_off_and_retries_by_itself(mail_campaign, store, data_dir, smtp_server):
    [oid] = queue_letters(store, mail_campaign)
    smtp_server.set_fault("451", times=3)
    service = OutboxService(mail_campaign, store)
    service.start()
    try:
        wait_until(lambda: states(store)[oid] == "sent", what="delivered after three 451s")
    finally:
        service.stop()
    assert q.get(store, oid).attempts == 4
    assert_each_delivered(store, smtp_server)


@pytest.mark.parametrize("fault, code, answer", [
    ("550", 550, "550 5.1.1 No such user here"),
    ("554", 554, "554 5.7.1 Message rejected: looks like spam"),
])
def test_permanent_refusals_fail_with_the_servers_answer_kept(
    fault, code, answer, mail_campaign, store, data_dir, smtp_server
):
    [oid] = queue_letters(store, mail_campaign)
    smtp_server.set_fault(fault)
    service = OutboxService(mail_campaign, store)
    result = service.drain()
    assert (result.sent, result.failed) == (0, 1) and not result.ok
    item = q.get(store, oid)
    assert item.state == "failed" and item.last_code == code and answer in item.last_error
    assert service.status().counts.failed == 1 and answer in service.status().last_error
    assert smtp_server.messages == []
    # A failed email is not retried by itself...
    assert drain(mail_campaign, store).sent == 0 and states(store)[oid] == "failed"
    # ...only when staff ask, once the cause is fixed.
    smtp_server.set_fault(None)
    q.retry(store, oid)
    assert drain(mail_campaign, store).ok
    assert_each_delivered(store, smtp_server)


def test_connection_refused_is_retried(make_campaign, store, data_dir):
    port = free_port()  # nothing listens here
    campaign = make_campaign(host="127.0.0.1", port=port)
    [oid] = queue_letters(store, campaign)
    service = OutboxService(campaign, store)
    result = service.drain()
    assert result.later == 1 and not result.ok
    item = q.get(store, oid)
    assert item.state == "retry" and "Cannot reach the mail server" in item.last_error
    assert service.status().server is ServerState.UNREACHABLE
    with FaultySMTPServer(port=port) as server:
        assert drain(campaign, store).ok
        assert_each_delivered(store, server)


def test_offline_emails_go_out_when_the_server_comes_up_without_restart(
    make_campaign, store, data_dir
):
    port = free_port()
    campaign = make_campaign(host="127.0.0.1", port=port)
    reports = []
    service = OutboxService(campaign, store, on_change=reports.append)
    service.start()
    try:
        queue_letters(store, campaign, visitors=3)
        service.wake()
        wait_until(lambda: service.status().server is ServerState.UNREACHABLE, what="offline")
        wait_until(lambda: q.get(store, 1).attempts >= 2, what="a second attempt (backoff)")
        assert service.status().counts.queued == 3
        with FaultySMTPServer(port=port) as server:
            server.wait_for_messages(3)
            wait_until(lambda: set(states(store).values()) == {"sent"}, what="all sent")
            assert_each_delivered(store, server)
        wait_until(lambda: reports[-1].server is ServerState.REACHABLE)
        assert reports[-1].counts.sent == 3
        assert any(r.server is ServerState.UNREACHABLE for r in reports)
    finally:
        service.stop()


def test_rejected_login_blocks_sending_without_failing_the_emails(
    make_campaign, store, data_dir, smtp_server, monkeypatch
):
    monkeypatch.setenv("KIOSK_TEST_SMTP_PASSWORD", PASSWORD)
    campaign = make_campaign(host=smtp_server.host, port=smtp_server.port, username=USERNAME,
                             password_env="KIOSK_TEST_SMTP_PASSWORD")
    queue_letters(store, campaign, visitors=3)
    smtp_server.set_fault("535")
    service = OutboxService(campaign, store)
    result = service.drain()
    assert result.blocked and "535" in result.blocked
    assert "refused the username or password" in result.blocked
    assert service.status().server is ServerState.BLOCKED
    # One login attempt, not one per email: repeated bad logins get accounts locked.
    assert result.sent == 0 and result.later == 3 and result.failed == 0
    assert sorted(states(store).values()) == ["queued", "queued", "retry"]
    assert smtp_server.handler.logins == [] and smtp_server.messages == []
    smtp_server.set_fault(None)  # staff fixed the password
    assert drain(campaign, store).ok
    assert_each_delivered(store, smtp_server)


def test_starttls_required_but_not_offered_sends_nothing(make_campaign, store, data_dir,
                                                         smtp_server, monkeypatch):
    monkeypatch.setenv("KIOSK_TEST_SMTP_PASSWORD", PASSWORD)
    campaign = make_campaign(host=smtp_server.host, port=smtp_server.port, security="starttls",
                             username=USERNAME, password_env="KIOSK_TEST_SMTP_PASSWORD")
    [oid] = queue_letters(store, campaign)
    service = OutboxService(campaign, store)
    result = service.drain()
    assert result.blocked and "does not offer STARTTLS" in result.blocked
    assert service.status().server is ServerState.BLOCKED
    item = q.get(store, oid)
    assert item.state == "retry" and "STARTTLS" in item.last_error
    assert smtp_server.handler.logins == [] and smtp_server.messages == []  # nothing in clear


def test_a_drop_during_data_is_unknown_and_resent_with_the_same_message_id(
    mail_campaign, store, data_dir, smtp_server, capsys
):
    [oid] = queue_letters(store, mail_campaign)
    smtp_server.set_fault("drop_data", times=1)
    result = drain(mail_campaign, store)
    assert result.later == 1
    item = q.get(store, oid)
    assert item.state == "unknown" and item.maybe_delivered
    assert "may have arrived" in item.last_error
    assert len(smtp_server.messages) == 1  # the server did get it: the client cannot know
    assert drain(mail_campaign, store).ok
    assert_each_delivered(store, smtp_server, maybe_twice={item.message_id})
    assert q.get(store, oid).maybe_delivered  # staff can still see it may have gone twice


def test_a_server_that_stops_answering_before_data_is_retried(mail_campaign, store, data_dir,
                                                              smtp_server):
    [oid] = queue_letters(store, mail_campaign)
    smtp_server.set_fault("hang_mail", times=1)
    result = drain(mail_campaign, store)
    assert result.later == 1
    item = q.get(store, oid)
    assert item.state == "retry" and "stopped answering" in item.last_error
    smtp_server.release()
    assert drain(mail_campaign, store).ok
    assert_each_delivered(store, smtp_server)


def test_a_server_that_stops_answering_after_data_is_unknown(mail_campaign, store, data_dir,
                                                             smtp_server):
    [oid] = queue_letters(store, mail_campaign)
    smtp_server.set_fault("hang_data", times=1)
    assert drain(mail_campaign, store).later == 1
    item = q.get(store, oid)
    assert item.state == "unknown" and "stopped answering" in item.last_error
    smtp_server.release()
    assert drain(mail_campaign, store).ok
    assert_each_delivered(store, smtp_server, maybe_twice={item.message_id})


def test_a_refused_copy_to_the_visitor_does_not_cost_the_letter(mail_campaign, store, data_dir,
                                                                smtp_server):
    [oid] = queue_letters(store, mail_campaign, send_copy=True)
    smtp_server.handler.refuse_rcpt["zoe@example.com"] = "550 5.1.1 Mailbox unavailable"
    assert drain(mail_campaign, store).ok
    assert_each_delivered(store, smtp_server)
    assert smtp_server.messages[0].rcpt_tos == ["pm@pm.gc.ca"]
    assert "copy was refused" in q.get(store, oid).note


def test_an_unexpected_error_never_stops_the_worker(mail_campaign, store, data_dir, smtp_server,
                                                    monkeypatch):
    real_send, calls = Mailer.send, []

    def flaky(self, msg, envelope):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug")
        return real_send(self, msg, envelope)

    monkeypatch.setattr(Mailer, "send", flaky)
    [oid] = queue_letters(store, mail_campaign)
    service = OutboxService(mail_campaign, store)
    service.start()
    try:
        wait_until(lambda: states(store)[oid] == "sent", what="sent after the bug")
    finally:
        service.stop()
    assert len(calls) == 2 and q.get(store, oid).maybe_delivered


def test_a_connection_that_died_between_two_emails_is_opened_again_at_once(
        make_campaign, store, data_dir, smtp_server):
    """Two emails a moment apart go down one connection with no NOOP between them (a round
    trip less); if the server dropped it meanwhile, the second opens a new one at once and is
    sent, with no retry pause."""
    from tests.support.tcp_proxy import TcpProxy

    with TcpProxy((smtp_server.host, smtp_server.port)) as proxy:
        campaign = make_campaign(host=proxy.host, port=proxy.port, security="none")
        queue_letters(store, campaign, 2)
        ids = [item.id for item in q.list_items(store)]
        with store.thread_connection():
            item = q.claim(store, "test:1:a", 60)
            assert item is not None
        mailer = Mailer(campaign.email, lang="en")
        msg, env = build_message(item, campaign.email)
        assert mailer.send(msg, env).outcome == "sent"
        assert proxy.cut() == 1  # the server side goes away between the two
        item2 = q.get(store, ids[1])
        assert item2 is not None
        msg2, env2 = build_message(item2, campaign.email)
        result = mailer.send(msg2, env2)
        mailer.close()
        assert result.outcome == "sent", result.detail
        assert proxy.accepted == 2, "a new connection, at once"
    assert len(smtp_server.messages) == 2
