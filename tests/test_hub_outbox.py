"""The event's outbox at the hub (a real PostgreSQL): every email sent once, from one place,
whoever sends it. Several senders at once against a mail server that answers 451 and drops the
line; a lease that runs out during a slow send; the hub restarted between rounds."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from kiosk.app.context import STAFF
from kiosk.app.core import Kiosk
from kiosk.app.letters import keep_letters
from kiosk.app.outbox import hub_queue
from kiosk.delivery.outbox import OutboxService
from kiosk.domain.journey import Delivery, Journey
from tests.support.campaigns import TEST_EMAIL, write_campaign
from tests.support.peers.flaky_smtp import FlakyServer

ROOT = Path(__file__).resolve().parent.parent


def mail_settings(campaign, port: int, **email):
    settings = campaign.email.model_validate({
        **campaign.email.model_dump(), "enabled": True, "host": "127.0.0.1", "port": port,
        "security": "none", "username": None, "password_env": None, "password_file": None,
        "timeout_seconds": 2.0, "retry_initial_seconds": 0.05, "retry_max_seconds": 0.2,
        "max_per_minute": 1000, **email})
    return settings


def event_campaign(campaign, hub_url: str, smtp_port: int, **email):
    return campaign.model_copy(update={
        "hub": campaign.hub.model_copy(update={"enabled": True, "url": hub_url,
                                               "kiosk_name": "Hall A", "timeout_seconds": 5.0}),
        "email": mail_settings(campaign, smtp_port, **email)})


def fill_hub(campaign, data_dir, store, visitors: int) -> list[str]:
    """``visitors`` visitors writing to two recipients each, uploaded; their Message-IDs."""
    core = Kiosk(campaign, data_dir, store, actor=STAFF)
    core.hub.init()
    for i in range(visitors):
        j = Journey(campaign)
        j.toggle_recipient("pm")
        j.toggle_recipient("ircc")
        j.update(body=f"Letter {i}: please help them reach safety.", first_name="A",
                 last_name="B")
        keep_letters(store, campaign, j.session, j.letters(), Delivery(print=False, email=True))
    core.hub.upload_now()
    core.hub.stop()
    return [r[0] for r in store.conn.execute("SELECT message_id FROM outbox ORDER BY id")]


def hub_rows(url: str, sql: str):
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_the_hub_sends_each_email_once_with_the_kiosks_message_id(
        campaign, data_dir, store, hub_url):
    with FlakyServer() as smtp:
        c = event_campaign(campaign, hub_url, smtp.port)
        ids = fill_hub(c, data_dir, store, 10)
        queue = hub_queue(c, name="test sender")
        result = OutboxService(c, queue).drain()
        queue.close()
        assert (result.sent, result.failed, result.later) == (20, 0, 0)
        assert sorted(smtp.received) == sorted(ids)
    assert hub_rows(hub_url, "SELECT state, count(*) FROM outbox GROUP BY state") == [("sent", 20)]
    # The kiosk's own rows were never the kiosk's to send.
    assert {r[0] for r in store.conn.execute("SELECT state FROM outbox")} == {"hub"}


def test_three_senders_share_one_outbox_and_send_nothing_twice_but_the_unknown(
        campaign, data_dir, store, hub_url, tmp_path):
    """Three `hub send` processes at once, over and over until the outbox is empty, against a
    server that answers 451 to one recipient in ten and drops the line after one message in
    thirty. An email arrives twice only after a dropped line (the sender could not know), and
    then with the same Message-ID."""
    with FlakyServer(temp_fail=0.1, drop=1 / 30) as smtp:
        c = event_campaign(campaign, hub_url, smtp.port)
        ids = fill_hub(c, data_dir, store, 500)
        assert len(ids) == 1000
        config = event_campaign_file(tmp_path / "event", c)
        for _ in range(40):
            senders = [subprocess.Popen(
                [sys.executable, "-m", "kiosk", "hub", "send", "--config", str(config)],
                cwd=ROOT, env=os.environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True) for _ in range(3)]
            for s in senders:
                _, err = s.communicate(timeout=300)
                assert "Traceback" not in err, err
            left = hub_rows(hub_url, "SELECT count(*) FROM outbox WHERE state <> 'sent'")[0][0]
            if left == 0:
                break
        assert left == 0, "the outbox never emptied"
        got = Counter(smtp.received)
    assert set(got) == set(ids), "every email arrived"
    twice = {mid for mid, n in got.items() if n > 1}
    unknown = {r[0] for r in hub_rows(
        hub_url, "SELECT message_id FROM outbox WHERE maybe_delivered")}
    assert twice <= unknown, "a duplicate only after an unknown verdict"
    assert twice and len(twice) < 100, "the dropped lines did happen, and only they doubled"


def event_campaign_file(folder: Path, campaign) -> Path:
    """The campaign as a file, for `hub send` in processes of their own."""
    e, h = campaign.email, campaign.hub
    return write_campaign(folder, email={**TEST_EMAIL, "host": "127.0.0.1", "port": e.port,
                                         "timeout_seconds": e.timeout_seconds,
                                         "retry_max_seconds": e.retry_max_seconds},
                          hub={"enabled": True, "url": h.url, "timeout_seconds": 5})


def test_a_lease_that_runs_out_during_a_slow_send_gives_the_same_message_id_again(
        campaign, data_dir, store, hub_url):
    with FlakyServer() as smtp:
        c = event_campaign(campaign, hub_url, smtp.port, timeout_seconds=10.0)
        (first, second) = fill_hub(c, data_dir, store, 1)
        smtp.slow[first] = 3.0
        slow_queue, other_queue = hub_queue(c, name="slow"), hub_queue(c, name="other")
        slow = OutboxService(c, slow_queue)
        slow.lease_seconds = 1.0  # runs out while the server takes 3 s over the first DATA
        thread = threading.Thread(target=slow.drain)
        thread.start()
        try:
            # The slow sender has the first email (the oldest) before the other starts.
            deadline = time.monotonic() + 30
            while dict(hub_rows(hub_url, "SELECT message_id, state FROM outbox")).get(
                    first) != "sending" and time.monotonic() < deadline:
                time.sleep(0.01)
            other = OutboxService(c, other_queue)
            # The other sender drains until both are sent: the second at once, the first once
            # the slow sender's lease has run out (by the hub's clock).
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                other.drain()
                rows = dict(hub_rows(hub_url, "SELECT message_id, state FROM outbox"))
                if rows.get(first) == "sent" and rows.get(second) == "sent":
                    break
                time.sleep(0.05)
            thread.join(30)
        finally:
            slow_queue.close()
            other_queue.close()
        assert not thread.is_alive()
    rows = hub_rows(hub_url, "SELECT message_id, state, maybe_delivered FROM outbox ORDER BY id")
    assert [r[1] for r in rows] == ["sent", "sent"]
    got = Counter(smtp.received)
    # The first went twice, under one name: the slow send arrived, and so did the takeover's.
    assert got == Counter({first: 2, second: 1})
    assert rows[0][2] is True and rows[1][2] is False


def test_the_hub_restarted_between_rounds_is_found_again(
        campaign, data_dir, store, hub_url, pg_cluster):
    with FlakyServer() as smtp:
        c = event_campaign(campaign, hub_url, smtp.port)
        ids = fill_hub(c, data_dir, store, 3)
        queue = hub_queue(c, name="sender")
        service = OutboxService(c, queue)
        service.drain()
        pg_cluster.restart()
        j_ids = fill_hub(c, data_dir, store, 2)[len(ids):]
        result = service.drain()  # the old connection is gone: a new one, by itself
        queue.close()
        assert result.sent == len(j_ids) == 4
        assert sorted(smtp.received) == sorted(ids + j_ids)


def test_emails_held_for_review_wait_at_the_hub_for_staff_at_any_kiosk(
        campaign, data_dir, store, hub_url, tmp_path):
    from kiosk.store import open_store

    with FlakyServer() as smtp:
        c = event_campaign(campaign, hub_url, smtp.port, hold_for_review=True)
        ids = fill_hub(c, data_dir, store, 1)
        # Staff at another kiosk of the event see them, and release one, reject the other.
        other = Kiosk(c, tmp_path / "other", open_store(tmp_path / "other"), actor=STAFF)
        held = other.outbox.held()
        assert sorted(h.message_id for h in held) == sorted(ids)
        assert all("help them reach safety" in h.full_text for h in held)
        other.outbox.release([held[0].id])
        other.outbox.cancel(held[1].id)
        queue = hub_queue(c, name="sender")
        result = OutboxService(c, queue).drain()
        queue.close()
        other.close()
        assert result.sent == 1 and smtp.received == [held[0].message_id]
    states = dict(hub_rows(hub_url, "SELECT message_id, state FROM outbox"))
    assert states == {held[0].message_id: "sent", held[1].message_id: "cancelled"}
    audit = hub_rows(hub_url, "SELECT actor, action FROM audit ORDER BY id")
    assert audit == [("staff", "outbox.release"), ("staff", "outbox.cancel")]


def test_a_verdict_the_hub_did_not_get_is_kept_and_settled_not_sent_again(
        campaign, data_dir, store, pg_cluster, pg_database, pg_proxy, monkeypatch):
    """The mail server took the email, then the link to the hub dropped before the hub heard
    'sent': the sender keeps the verdict and settles it next round (its lease still holds),
    instead of the email going out again once the lease runs out."""
    from kiosk.store.hub.link import HubAway

    monkeypatch.setenv("PGPASSWORD", pg_cluster.password)
    direct = pg_cluster.url(pg_database.name, user=pg_cluster.superuser)
    proxied = pg_cluster.url(pg_database.name, user=pg_cluster.superuser,
                             host=pg_proxy.host, port=pg_proxy.port)
    with FlakyServer() as smtp:
        ids = fill_hub(event_campaign(campaign, direct, smtp.port), data_dir, store, 1)
        c = event_campaign(campaign, proxied, smtp.port)
        queue = hub_queue(c, name="sender")
        service = OutboxService(c, queue)
        pg_proxy.drop_at(b"state = 'sent'", "client_to_server")  # the first 'sent' is lost
        with pytest.raises(HubAway):
            service.drain()
        assert pg_proxy.dropped.is_set() and len(smtp.received) == 1
        pg_proxy.pass_through()
        result = service.drain()
        queue.close()
        assert result.sent == 1  # the other email
        assert sorted(smtp.received) == sorted(ids), "each email once"
    assert {s for (s,) in hub_rows(direct, "SELECT state FROM outbox")} == {"sent"}
