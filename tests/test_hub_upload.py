"""Letters reach the event's hub (a real PostgreSQL) and none is lost or doubled on the way:
the hub down when a kiosk starts, the link cut mid-upload, the COMMIT's answer lost, the same
UUID with other content, a schema the kiosk does not know."""

from __future__ import annotations

from dataclasses import replace

import psycopg
import pytest

from kiosk.app.context import STAFF
from kiosk.app.core import Kiosk
from kiosk.app.letters import keep_letters
from kiosk.domain.journey import Delivery, Journey
from kiosk.store.hub.link import HubAway, HubRefused
from kiosk.store.hub.schema import VERSION
from tests.support.tcp_proxy import COMMIT_DONE
from tests.support.waiting import wait_until


def hub_campaign(campaign, url: str, **hub):
    settings = campaign.hub.model_copy(update={"enabled": True, "url": url, "kiosk_name": "Hall A",
                                              "timeout_seconds": 3.0, **hub})
    return campaign.model_copy(update={"hub": settings})


def visit(core: Kiosk, *, recipients=("pm", "ircc"), email: bool = True):
    j = Journey(core.campaign)
    for r in recipients:
        j.toggle_recipient(r)
    j.update(body="Please give these men a safe way out.", first_name="Zoë", last_name="Roy",
             email="zoe@example.org")
    return keep_letters(core.store, core.campaign, j.session, j.letters(),
                        Delivery(print=True, email=email))


@pytest.fixture
def kiosk(campaign, data_dir, hub_url, store):
    core = Kiosk(hub_campaign(campaign, hub_url), data_dir, store, actor=STAFF)
    core.hub.init()
    yield core
    core.hub.stop()


def at_hub(url: str, sql: str, *args):
    with psycopg.connect(url) as conn:
        return conn.execute(sql, args).fetchall()


def test_hub_init_makes_the_tables_once_and_says_so(kiosk, hub_url):
    assert kiosk.hub.init() == (VERSION, VERSION), "a second init changes nothing"
    assert at_hub(hub_url, "SELECT version FROM hub_schema") == [(VERSION,)]


def test_letters_and_their_emails_reach_the_hub_once(kiosk, hub_url):
    kept = visit(kiosk) + visit(kiosk, recipients=("un-ohchr",))
    assert kiosk.hub.upload_now() == 3
    rows = at_hub(hub_url, "SELECT uuid::text, kiosk_id, local_id, content_sha256, first_name "
                           "FROM letters ORDER BY local_id")
    local = {x.uuid: x for x in kiosk.store.letters()}
    assert [r[0] for r in rows] == [k.uuid for k in kept]
    for uuid, kiosk_id, local_id, sha, first in rows:
        assert (kiosk_id, local_id, sha, first) == (
            kiosk.store.kiosk_id, local[uuid].id, local[uuid].content_sha256(), "Zoë")
        assert local[uuid].uploaded_at is not None
    emails = at_hub(hub_url, "SELECT message_id, to_addr, state FROM outbox ORDER BY id")
    queued = kiosk.store.conn.execute(
        "SELECT message_id, to_addr, state FROM outbox ORDER BY id").fetchall()
    assert [(m, t) for m, t, _ in emails] == [(m, t) for m, t, _ in queued]
    assert {s for *_, s in emails} == {"queued"} and {s for *_, s in queued} == {"hub"}
    assert at_hub(hub_url, "SELECT name, not_uploaded FROM kiosks") == [("Hall A", 0)]
    assert kiosk.hub.upload_now() == 0, "nothing left to send"
    assert at_hub(hub_url, "SELECT count(*) FROM letters") == [(3,)]


def test_a_kiosk_that_starts_with_the_hub_down_keeps_its_letters_and_catches_up(
        campaign, data_dir, store, pg_cluster, pg_database, pg_proxy):
    url = pg_cluster.url(pg_database.name, host=pg_proxy.host, port=pg_proxy.port)
    core = Kiosk(hub_campaign(campaign, url), data_dir, store, actor=STAFF)
    core.hub.init()
    pg_proxy.refuse()
    visit(core)
    with pytest.raises(HubAway):
        core.hub.upload_now()
    assert [x.uploaded_at for x in store.letters()] == [None, None]
    pg_proxy.pass_through()
    assert core.hub.upload_now() == 2
    assert at_hub(pg_database.url, "SELECT count(*) FROM letters") == [(2,)]
    core.hub.stop()


def test_a_link_cut_mid_upload_loses_and_doubles_nothing(
        campaign, data_dir, store, pg_cluster, pg_database, pg_proxy):
    url = pg_cluster.url(pg_database.name, host=pg_proxy.host, port=pg_proxy.port)
    core = Kiosk(hub_campaign(campaign, url), data_dir, store, actor=STAFF)
    core.hub.init()
    for _ in range(5):
        visit(core)
    core.hub.upload_now()  # the connection is open and checked; then the link breaks mid-way
    for _ in range(5):
        visit(core)
    pg_proxy.drop_after(3000, "client_to_server")
    with pytest.raises(HubAway):
        core.hub.upload_now()
    assert pg_proxy.dropped.is_set()
    hub_has = at_hub(pg_database.url, "SELECT count(*) FROM letters")[0][0]
    assert hub_has == 10, "the cut batch is all or nothing: nothing of it committed"
    assert sum(x.uploaded_at is None for x in store.letters()) == 10
    assert core.hub.upload_now() == 10
    assert at_hub(pg_database.url, "SELECT count(*), count(DISTINCT uuid) FROM letters") == [
        (20, 20)]
    assert at_hub(pg_database.url, "SELECT count(*), count(DISTINCT message_id) FROM outbox") == [
        (20, 20)]
    core.hub.stop()


def test_a_lost_commit_answer_is_retried_and_adds_nothing(
        campaign, data_dir, store, pg_cluster, pg_database, pg_proxy):
    url = pg_cluster.url(pg_database.name, host=pg_proxy.host, port=pg_proxy.port)
    core = Kiosk(hub_campaign(campaign, url), data_dir, store, actor=STAFF)
    core.hub.init()
    visit(core)
    pg_proxy.drop_at(COMMIT_DONE, "server_to_client")
    with pytest.raises(HubAway):
        core.hub.upload_now()
    assert pg_proxy.dropped.is_set()
    # The hub committed; the kiosk could not know, so it still holds the letters as not sent.
    assert at_hub(pg_database.url, "SELECT count(*) FROM letters") == [(2,)]
    assert [x.uploaded_at for x in store.letters()] == [None, None]
    assert core.hub.upload_now() == 2
    assert at_hub(pg_database.url, "SELECT count(*) FROM letters") == [(2,)]
    assert at_hub(pg_database.url, "SELECT count(*) FROM outbox") == [(2,)]
    assert at_hub(pg_database.url, "SELECT count(*) FROM letter_conflicts") == [(0,)]
    assert all(x.uploaded_at for x in store.letters())
    core.hub.stop()


def test_the_same_uuid_with_other_content_is_kept_aside_never_overwritten(kiosk, hub_url):
    (first, _) = visit(kiosk)
    kiosk.hub.upload_now()
    # A second store that (wrongly) reuses the UUID with other words, e.g. a restored backup
    # edited by hand.
    kiosk.store.conn.execute("UPDATE letters SET body = 'Something else', uploaded_at = NULL "
                             "WHERE id = ?", (first.letter_id,))
    assert kiosk.hub.upload_now() == 1
    assert at_hub(hub_url, "SELECT body FROM letters WHERE uuid = %s", first.uuid) == [
        ("Please give these men a safe way out.",)]
    conflicts = at_hub(hub_url, "SELECT uuid::text, content->>'body' FROM letter_conflicts")
    assert conflicts == [(first.uuid, "Something else")]


def test_a_hub_newer_than_the_kiosk_is_refused_plainly(kiosk, hub_url):
    with psycopg.connect(hub_url, autocommit=True) as conn:
        conn.execute("UPDATE hub_schema SET version = %s", (VERSION + 1,))
    visit(kiosk)
    with pytest.raises(HubRefused) as refused:
        kiosk.hub.upload_now()
    assert "newer than this kiosk knows" in " ".join(refused.value.lines())
    assert all(x.uploaded_at is None for x in kiosk.store.letters())


def test_refused_credentials_are_said_without_the_password(campaign, data_dir, store,
                                                           pg_cluster, pg_database):
    login = f"hall_{pg_database.name}"  # roles are the cluster's: one of this test's own
    pg_cluster.create_role(login, "right-secret", login=True)
    url = pg_cluster.url(pg_database.name, user=login)
    core = Kiosk(hub_campaign(campaign, url), data_dir, store, actor=STAFF)
    import os

    os.environ["PGPASSWORD"] = "wrong-secret"
    try:
        with pytest.raises(HubRefused) as refused:
            core.hub.upload_now()
    finally:
        del os.environ["PGPASSWORD"]
    text = " ".join(refused.value.lines())
    assert refused.value.kind == "credentials" and "passfile" in text
    assert "wrong-secret" not in text and "right-secret" not in text


def test_the_uploader_works_in_the_background_and_catches_up_by_itself(
        campaign, data_dir, store, pg_cluster, pg_database, pg_proxy):
    url = pg_cluster.url(pg_database.name, host=pg_proxy.host, port=pg_proxy.port)
    core = Kiosk(hub_campaign(campaign, url, upload_seconds=1.0), data_dir, store, actor=STAFF)
    core.hub.init()
    seen: list[str] = []
    pg_proxy.refuse()
    core.hub.start(on_change=lambda s: seen.append(s.state))
    try:
        visit(core)
        core.letters_kept(printed=False, emailed=False)
        # Away, and saying how many letters wait here (the kept ones woke the uploader).
        wait_until(lambda: core.hub.status() == replace(core.hub.status(), state="away", waiting=2))
        pg_proxy.pass_through()
        core.hub.wake()
        wait_until(lambda: core.hub.status().state == "up" and core.hub.status().waiting == 0)
        assert at_hub(pg_database.url, "SELECT count(*) FROM letters") == [(2,)]
        assert seen[:1] == ["away"] and seen[-1] == "up"
    finally:
        core.hub.stop()


def test_a_link_that_goes_silent_mid_upload_gives_up_in_time_and_keeps_the_letters(
        campaign, data_dir, store, pg_cluster, pg_database, pg_proxy):
    """Wi-Fi that stops answering (packets go nowhere, nothing says so): the kiosk's own
    deadline ends the try; the letters wait for the next one."""
    import time

    url = pg_cluster.url(pg_database.name, host=pg_proxy.host, port=pg_proxy.port)
    core = Kiosk(hub_campaign(campaign, url, timeout_seconds=1.0), data_dir, store,
                 actor=STAFF)
    core.hub.init()
    core.hub.upload_now()  # connected and checked
    visit(core)
    pg_proxy.hold()
    started = time.monotonic()
    with pytest.raises(HubAway):
        core.hub.upload_now()
    assert time.monotonic() - started < 30, "given up by the kiosk's deadline, not never"
    assert [x.uploaded_at for x in store.letters()] == [None, None]
    pg_proxy.release()
    pg_proxy.pass_through()
    assert core.hub.upload_now() == 2
    core.hub.stop()


def test_only_this_campaigns_letters_go_to_its_hub(kiosk, hub_url, campaign):
    """A kiosk's store may hold an earlier campaign's letters: they never reach this one's hub."""
    earlier = campaign.model_copy(update={"campaign": campaign.campaign.model_copy(
        update={"id": "last-years-campaign"})})
    j = Journey(earlier)
    j.toggle_recipient("pm")
    j.update(body="A letter from last year.", first_name="A", last_name="B")
    keep_letters(kiosk.store, earlier, j.session, j.letters(), Delivery(True, False))
    visit(kiosk)
    assert kiosk.hub.upload_now() == 2
    assert at_hub(hub_url, "SELECT DISTINCT campaign_id FROM letters") == [
        (campaign.campaign.id,)]
    left = [x.campaign_id for x in kiosk.store.letters() if x.uploaded_at is None]
    assert left == ["last-years-campaign"]
    assert kiosk.hub.status().waiting == 0, "this campaign has nothing left to send"
