"""Least privilege at the hub (a real PostgreSQL): a kiosk's login can add letters, note itself
seen, read the event's counts and claim or settle emails; it cannot delete, rewrite a letter,
read a visitor's name or the audit. A machine that only sends cannot add letters."""

from __future__ import annotations

import os

import psycopg
import pytest

from kiosk.app.context import STAFF
from kiosk.app.core import Kiosk
from kiosk.app.letters import keep_letters
from kiosk.app.outbox import hub_queue
from kiosk.domain.journey import Delivery, Journey
from kiosk.store.hub.letters import receive


def _campaign(campaign, url: str):
    return campaign.model_copy(update={"hub": campaign.hub.model_copy(update={
        "enabled": True, "url": url, "kiosk_name": "Hall A", "timeout_seconds": 3.0})})


@pytest.fixture
def logins(pg_cluster, pg_database, campaign, data_dir, store):
    """The hub made by its owner; a kiosk's login and a sender's login, as docs/hub.md says."""
    Kiosk(_campaign(campaign, pg_database.url), data_dir, store, actor=STAFF).hub.init()
    # Roles are the cluster's, not the database's: names of this test's own.
    kiosk, mailer = f"hall_a_{pg_database.name}", f"mailer_{pg_database.name}"
    with psycopg.connect(pg_database.url, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {kiosk} LOGIN PASSWORD 'kiosk-pw' IN ROLE letter_kiosk")
        admin.execute(f"CREATE ROLE {mailer} LOGIN PASSWORD 'sender-pw' "
                      "IN ROLE letter_kiosk_sender")
    yield (pg_cluster.url(pg_database.name, user=kiosk, password="kiosk-pw"),
           pg_cluster.url(pg_database.name, user=mailer, password="sender-pw"))
    with psycopg.connect(pg_database.url, autocommit=True) as admin:
        admin.execute(f"DROP OWNED BY {kiosk}, {mailer}")
        admin.execute(f"DROP ROLE {kiosk}, {mailer}")


def test_a_kiosk_login_uploads_counts_and_sends_but_cannot_read_names_or_delete(
        logins, campaign, data_dir, store):
    kiosk_url, _ = logins
    core = Kiosk(_campaign(campaign, kiosk_url), data_dir, store, actor=STAFF)
    j = Journey(core.campaign)
    j.toggle_recipient("pm")
    j.update(body="Please act now.", first_name="Zoé", last_name="Roy", email="zoe@example.org")
    keep_letters(store, core.campaign, j.session, j.letters(), Delivery(True, True))
    assert core.hub.upload_now() == 1
    assert core.hub.event(today=False).counts.letters == 1
    core.hub.stop()
    queue = hub_queue(core.campaign, name="Hall A")
    with queue.session():
        item = queue.claim("hall_a:1:t", 60)
        assert item is not None and "Please act now." in item.full_text
        assert queue.mark_sent(item.id, "hall_a:1:t", code=250)
    queue.close()
    refused = [
        "DELETE FROM letters", "DELETE FROM outbox", "DELETE FROM kiosks",
        "UPDATE letters SET body = 'x'", "SELECT first_name, last_name, city FROM letters",
        "SELECT opt_in_wording FROM letters", "SELECT * FROM audit",
        "SELECT content FROM letter_conflicts", "TRUNCATE letters", "DROP TABLE outbox",
        "UPDATE hub_schema SET version = 99",
    ]
    denied = r"permission denied|must be owner"
    with psycopg.connect(kiosk_url, autocommit=True) as conn:
        for sql in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=denied):
                conn.execute(sql)


def test_a_sending_machine_cannot_add_letters(logins, campaign, store):
    _, sender_url = logins
    with psycopg.connect(sender_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            receive(conn, kiosk_id="forged", kiosk_name="forged", not_uploaded=0, letters=[],
                    emails=[])
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT email, first_name FROM letters")
        assert conn.execute("SELECT count(*) FROM outbox").fetchone() == (0,)
    assert os.environ.get("PGPASSWORD") is None
