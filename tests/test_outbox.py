"""The outbox against a real SMTP server: the happy path, leases, limits, staff commands."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.cli import main as cli_main
from kiosk.config import ConfigError
from kiosk.delivery.message import copy_note
from kiosk.delivery.outbox import OutboxService, ServerState, backoff
from kiosk.store import Store
from kiosk.store import outbox as q
from tests.support.campaigns import write_mail_campaign
from tests.support.letters import BODY_FR, message_ids, queue_letters, states
from tests.support.peers.smtp_server import PASSWORD, USERNAME, FaultySMTPServer
from tests.support.waiting import wait_until


class Recorder:
    """Collects on_change reports (called on the worker thread)."""

    def __init__(self):
        self.reports = []
        self.lock = threading.Lock()

    def __call__(self, status):
        assert threading.current_thread() is not threading.main_thread()
        with self.lock:
            self.reports.append(status)

    @property
    def last(self):
        with self.lock:
            return self.reports[-1] if self.reports else None


@pytest.fixture
def service_factory(store):
    made = []

    def make(campaign, **kw):
        s = OutboxService(campaign, store, **kw)
        made.append(s)
        return s

    yield make
    for s in made:
        s.stop()
        assert not s.running, "the outbox worker thread did not stop"


def test_the_worker_delivers_every_header_and_the_utf8_body(
    mail_campaign, store, smtp_server, service_factory
):
    recorder = Recorder()
    service = service_factory(mail_campaign, on_change=recorder)
    service.start()
    ids = queue_letters(store, mail_campaign, recipients=("pm", "un-ohchr"), send_copy=True)
    service.wake()
    got = smtp_server.wait_for_messages(2)
    wait_until(lambda: set(states(store).values()) == {"sent"}, what="rows marked sent")

    by_to = {r.rcpt_tos[0]: r for r in got}
    assert set(by_to) == {"pm@pm.gc.ca", "ohchr-registry@un.org"}
    pm = by_to["pm@pm.gc.ca"]
    item = q.get(store, ids[0])
    assert pm.mail_from == "letters@example.org"
    assert pm.rcpt_tos == ["pm@pm.gc.ca", "zoe@example.com"]  # the visitor's copy
    m = pm.message
    assert m["From"].addresses[0].display_name == "Zoë Ç. via Write for Safe Haven"
    assert m["From"].addresses[0].addr_spec == "letters@example.org"
    assert m["To"].addresses[0].addr_spec == "pm@pm.gc.ca"
    assert m["Reply-To"].addresses[0].addr_spec == "zoe@example.com"
    assert m["Cc"].addresses[0].addr_spec == "zoe@example.com"
    assert str(m["Subject"]) == item.subject
    assert m["Message-ID"].strip() == item.message_id
    assert m["Date"] is not None and m["Content-Language"] == "fr"
    # The visitor's copy rides on their first letter only, which says so in its first line.
    assert m.get_content() == f"{copy_note('Write for Safe Haven', 'fr')}\n\n{item.full_text}\n"
    assert BODY_FR in m.get_content() and "Zoë Çelik" in m.get_content()
    un = by_to["ohchr-registry@un.org"]
    assert un.rcpt_tos == ["ohchr-registry@un.org"] and un.message["Cc"] is None
    assert un.message.get_content() == q.get(store, ids[1]).full_text + "\n"
    assert item.state == "sent" and item.attempts == 1 and item.last_code == 250

    wait_until(lambda: recorder.last and recorder.last.counts.sent == 2, what="report")
    assert recorder.last.server is ServerState.REACHABLE
    assert recorder.last.counts.queued == 0 and recorder.last.last_error is None
    assert "2 sent" in service.status().describe("en")


def test_one_connection_is_reused_across_messages(mail_campaign, store, smtp_server, data_dir,
                                                  make_campaign):
    queue_letters(store, mail_campaign, visitors=3, recipients=("pm", "ircc"))
    result = OutboxService(mail_campaign, store).drain()
    assert (result.sent, result.failed, result.later) == (6, 0, 0) and result.ok
    assert len(smtp_server.wait_for_messages(6)) == 6
    assert smtp_server.handler.ehlos == 1
    assert len({r.message_id for r in smtp_server.messages}) == 6


def test_without_a_host_everything_stays_queued_and_status_says_so(campaign, store, data_dir,
                                                                    service_factory):
    recorder = Recorder()
    queue_letters(store, campaign, visitors=2)
    service = service_factory(campaign, on_change=recorder)
    service.start()
    wait_until(lambda: recorder.last is not None, what="first report")
    assert recorder.last.server is ServerState.NOT_CONFIGURED
    assert recorder.last.counts.queued == 2
    assert "email.host" in service.status().describe("en")
    result = service.drain()
    assert result.blocked and not result.ok and result.later == 2
    assert set(states(store).values()) == {"queued"}
    assert q.counts(store)["queued"] == 2 and all(
        r["attempts"] == 0 for r in store.conn.execute("SELECT attempts FROM outbox"))


def test_held_emails_wait_for_release(make_campaign, smtp_server, store, data_dir,
                                      service_factory):
    campaign = make_campaign(host=smtp_server.host, port=smtp_server.port, hold_for_review=True)
    ids = queue_letters(store, campaign, visitors=2)
    assert set(states(store).values()) == {"held"}
    assert OutboxService(campaign, store).drain().held == 2
    assert smtp_server.messages == []
    service = service_factory(campaign)
    service.start()
    assert q.release_held(store, [ids[0]]) == 1
    service.wake()
    smtp_server.wait_for_messages(1)
    wait_until(lambda: states(store)[ids[0]] == "sent")
    assert states(store)[ids[1]] == "held"


def test_max_per_minute_is_respected(make_campaign, smtp_server, store, service_factory):
    campaign = make_campaign(host=smtp_server.host, port=smtp_server.port, max_per_minute=2)
    queue_letters(store, campaign, visitors=3)
    service = service_factory(campaign)
    service.start()
    smtp_server.wait_for_messages(2)
    wait_until(lambda: list(states(store).values()).count("sent") == 2)
    assert service.rate_wait() > 50  # the third waits for the minute to turn
    assert sorted(states(store).values()) == ["queued", "sent", "sent"]
    assert len(smtp_server.messages) == 2


def test_backoff_doubles_with_jitter_and_is_capped():
    import random

    rng = random.Random(1)
    delays = [backoff(n, 30, 1800, rng) for n in range(1, 12)]
    assert 15 <= delays[0] <= 30 and 30 <= delays[1] <= 60 and 60 <= delays[2] <= 120
    assert all(900 <= d <= 1800 for d in delays[7:])
    assert len({round(d, 3) for d in delays}) == len(delays)  # jittered, never in lockstep


# --- leases ---------------------------------------------------------------------------------------


def test_a_claimed_row_is_nobody_elses(campaign, store):
    queue_letters(store, campaign, visitors=2)
    a = q.claim(store, q.make_owner("a"), 60)
    b = q.claim(store, q.make_owner("b"), 60)
    assert a and b and a.id != b.id
    assert q.claim(store, q.make_owner("c"), 60) is None
    assert not q.mark_sent(store, a.id, q.make_owner("b"), code=250)  # not b's to mark
    assert q.mark_sent(store, a.id, q.make_owner("a"), code=250)
    assert q.get(store, a.id).state == "sent"


def test_an_expired_lease_is_claimed_again_and_flagged_maybe_delivered(campaign, store):
    queue_letters(store, campaign)
    other_host = "elsewhere:123:x"  # another machine: only the lease's expiry frees the row
    t0 = datetime.now(UTC)
    first = q.claim(store, other_host, 60, now=t0)
    assert q.claim(store, "me:1:y", 60, now=t0 + timedelta(seconds=59)) is None
    again = q.claim(store, "me:1:y", 60, now=t0 + timedelta(seconds=61))
    assert again.id == first.id and again.attempts == 2 and again.maybe_delivered


def test_a_dead_local_owner_frees_the_row_at_once_a_live_one_does_not(campaign, store):
    queue_letters(store, campaign)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # reaped: the pid no longer exists
    dead_owner = q.make_owner("x").replace(f":{__import__('os').getpid()}:", f":{gone.pid}:")
    item = q.claim(store, dead_owner, 3600)
    assert q.owner_is_dead(dead_owner)
    live_parent = q.make_owner("x").replace(f":{__import__('os').getpid()}:",
                                            f":{__import__('os').getppid()}:")
    assert not q.owner_is_dead(live_parent)
    again = q.claim(store, q.make_owner("me"), 60)
    assert again is not None and again.id == item.id and again.maybe_delivered


def test_two_workers_on_one_outbox_never_send_the_same_email(mail_campaign, data_dir, store,
                                                              smtp_server, service_factory):
    queue_letters(store, mail_campaign, visitors=10, recipients=("pm", "ircc"))
    a, b = service_factory(mail_campaign), service_factory(mail_campaign)
    a.start()
    b.start()
    smtp_server.wait_for_messages(20)
    wait_until(lambda: set(states(store).values()) == {"sent"}, what="all sent")
    got = [r.message_id for r in smtp_server.messages]
    assert len(got) == 20 and set(got) == message_ids(store)  # each exactly once


# --- settings and TLS ----------------------------------------------------------------------------


def test_starttls_with_login_and_password_file(make_campaign, tls_contexts, store, data_dir,
                                               tmp_path):
    server_ctx, client_ctx = tls_contexts
    (tmp_path / "campaign").mkdir()
    pw = tmp_path / "campaign" / "smtp-password"
    pw.write_text(PASSWORD + "\n", encoding="utf-8")
    pw.chmod(0o600)
    with FaultySMTPServer(tls=server_ctx) as server:
        campaign = make_campaign(host=server.host, port=server.port, security="starttls",
                                 username=USERNAME, password_file="smtp-password")
        assert campaign.email.warnings(campaign.source.parent) == []
        queue_letters(store, campaign)
        result = OutboxService(campaign, store, ssl_context=client_ctx).drain()
        assert result.ok and result.sent == 1
        assert server.handler.logins == [USERNAME] and len(server.messages) == 1


def test_implicit_ssl_with_password_from_environment(make_campaign, tls_contexts, store,
                                                     data_dir, monkeypatch):
    server_ctx, client_ctx = tls_contexts
    monkeypatch.setenv("KIOSK_TEST_SMTP_PASSWORD", PASSWORD)
    with FaultySMTPServer(tls=server_ctx, implicit_tls=True) as server:
        campaign = make_campaign(host=server.host, port=server.port, security="ssl",
                                 username=USERNAME, password_env="KIOSK_TEST_SMTP_PASSWORD")
        queue_letters(store, campaign)
        result = OutboxService(campaign, store, ssl_context=client_ctx).drain()
        assert result.ok and server.handler.logins == [USERNAME]


def test_an_untrusted_certificate_blocks_rather_than_sending(make_campaign, tls_contexts, store,
                                                             data_dir):
    server_ctx, _ = tls_contexts
    with FaultySMTPServer(tls=server_ctx) as server:
        campaign = make_campaign(host=server.host, port=server.port, security="starttls")
        queue_letters(store, campaign)
        result = OutboxService(campaign, store).drain()  # system CAs: self-signed refused
        assert result.blocked and "secure connection" in result.blocked.lower()
        assert server.messages == [] and set(states(store).values()) == {"retry"}


@pytest.mark.parametrize("email, message", [
    ({"username": "me"}, "no password source"),
    ({"password_env": "X"}, "username is missing"),
    ({"username": "me", "password_env": "X", "password_file": "f"}, "not both"),
    ({"username": "me", "password_env": "my secret pw"}, "NAME of an environment variable"),
    ({"host": "smtp://smtp.example.org"}, "a host name only"),
    ({"host": "smtp.example.org:587"}, "a host name only"),
    ({"sender_name": "Safe\\nHaven"}, "one line"),
    ({"retry_initial_seconds": 10, "retry_max_seconds": 5}, "retry_initial_seconds"),
])
def test_check_config_names_contradictory_email_settings(tmp_path, email, message):
    path = write_mail_campaign(tmp_path, **email)
    if "sender_name" in email:  # a real newline inside the TOML string
        path.write_text(path.read_text().replace('"Safe\\\\nHaven"', '"Safe\\nHaven"'))
    from kiosk.config import load_campaign

    with pytest.raises(ConfigError) as e:
        load_campaign(path)
    assert any(m.startswith("email") and message in m for m in e.value.messages), e.value.messages


def test_email_warnings_for_settings_that_will_not_work(make_campaign, tmp_path, monkeypatch):
    monkeypatch.delenv("KIOSK_NOT_SET", raising=False)
    c = make_campaign(host="smtp.example.org", port=587, security="ssl", username="me",
                      password_file="missing.txt")
    w = c.email.warnings(c.source.parent)
    assert any('"ssl" on port 587' in x for x in w)
    assert any("missing.txt does not exist" in x for x in w)
    c = make_campaign(host="smtp.example.org", port=465, security="starttls")
    assert any('"starttls" on port 465' in x for x in c.email.warnings(c.source.parent))
    c = make_campaign(host="smtp.example.org", security="none", username="me",
                      password_env="KIOSK_NOT_SET")
    w = c.email.warnings(c.source.parent)
    assert any("unencrypted" in x for x in w) and any("KIOSK_NOT_SET" in x for x in w)


# --- staff commands ------------------------------------------------------------------------------


def _cli(capsys, *argv):
    code = cli_main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_outbox_commands(mail_campaign, store, data_dir, smtp_server, capsys):
    cfg = ["--config", str(mail_campaign.source), "--data-dir", str(data_dir), "--lang", "en"]
    ids = queue_letters(store, mail_campaign, visitors=3)
    smtp_server.set_fault("550", times=1)
    code, out, err = _cli(capsys, "outbox", "send", *cfg)
    assert code == 1 and "sent 2, failed 1" in out and "550 5.1.1 No such user" in err
    failed = next(i for i, s in states(store).items() if s == "failed")

    code, out, _ = _cli(capsys, "outbox", "list", *cfg)
    assert code == 0 and "failed" in out and "550 5.1.1 No such user here" in out
    assert "1 failed · 2 sent" in out

    sent = next(i for i, s in states(store).items() if s == "sent")
    code, _, err = _cli(capsys, "outbox", "cancel", str(sent), *cfg)
    assert code == 1 and "already sent" in err
    code, _, err = _cli(capsys, "outbox", "retry", str(sent), *cfg)
    assert code == 1 and "duplicate" in err
    code, _, err = _cli(capsys, "outbox", "retry", "999", *cfg)
    assert code == 1 and "no email number 999" in err

    code, out, _ = _cli(capsys, "outbox", "retry", "--failed", *cfg)
    assert code == 0 and states(store)[failed] == "queued"
    code, _, _ = _cli(capsys, "outbox", "cancel", str(failed), *cfg)
    assert code == 0 and states(store)[failed] == "cancelled"
    code, _, _ = _cli(capsys, "outbox", "retry", str(failed), *cfg)
    assert code == 0 and states(store)[failed] == "queued"
    code, out, _ = _cli(capsys, "outbox", "send", *cfg)
    assert code == 0 and "sent 1, failed 0" in out
    assert set(states(store).values()) == {"sent"} and len(ids) == 3
    audit = [r["action"] for r in store.conn.execute("SELECT action FROM audit")]
    assert audit.count("outbox.retry") == 2 and audit.count("outbox.cancel") == 1


def test_outbox_release_command(make_campaign, smtp_server, store, data_dir, capsys):
    campaign = make_campaign(host=smtp_server.host, port=smtp_server.port, hold_for_review=True)
    cfg = ["--config", str(campaign.source), "--data-dir", str(data_dir)]
    queue_letters(store, campaign, visitors=2)
    code, out, _ = _cli(capsys, "outbox", "release", *cfg)
    assert code == 0 and "2 held email(s) released" in out
    assert set(states(store).values()) == {"queued"}
    code, _, _ = _cli(capsys, "outbox", "release", "1", *cfg)  # no longer held
    assert code == 1


def test_the_store_reopens_with_the_outbox_schema(data_dir):
    s = Store(data_dir)
    cols = {r["name"] for r in s.conn.execute("PRAGMA table_info(outbox)")}
    s.close()
    assert {"lease_owner", "lease_until", "last_code", "last_error", "maybe_delivered",
            "note"} <= cols
