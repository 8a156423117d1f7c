"""Every staff panel sees the whole event: counts from the hub (a real PostgreSQL), news of a
change by LISTEN/NOTIFY (then a query, never a count in the payload), a listening connection that
drops and comes back by itself."""

from __future__ import annotations

import threading
import time

import pytest

from kiosk.app.context import STAFF
from kiosk.app.core import Kiosk
from kiosk.app.letters import keep_letters
from kiosk.domain.journey import Delivery, Journey
from kiosk.store import open_store
from tests.support.waiting import wait_until


def hub_campaign(campaign, url: str, name: str):
    return campaign.model_copy(update={"hub": campaign.hub.model_copy(update={
        "enabled": True, "url": url, "kiosk_name": name, "timeout_seconds": 3.0})})


def visit(core: Kiosk, recipients: tuple[str, ...], lang: str = "en") -> None:
    j = Journey(core.campaign)
    j.set_language(lang)
    for r in recipients:
        j.toggle_recipient(r)
    j.update(body="Please protect these men now.", first_name="A", last_name="B")
    keep_letters(core.store, core.campaign, j.session, j.letters(), Delivery(True, False))


@pytest.fixture
def two_kiosks(campaign, tmp_path, pg_database):
    cores = []
    for name in ("Hall A", "Hall B"):
        store = open_store(tmp_path / name)
        cores.append(Kiosk(hub_campaign(campaign, pg_database.url, name), tmp_path / name,
                           store, actor=STAFF))
    cores[0].hub.init()
    yield cores
    for core in cores:
        core.close()


def test_the_event_counts_every_kiosks_letters(two_kiosks):
    a, b = two_kiosks
    visit(a, ("pm", "ircc"))
    visit(b, ("pm",), lang="fr")
    a.hub.upload_now()
    b.hub.upload_now()
    seen_from_b = b.hub.event(today=True)
    c = seen_from_b.counts
    assert (c.letters, c.visitors) == (3, 2)
    assert c.by_recipient == {"ircc": 1, "pm": 2}
    assert c.by_channel == {"print": 3, "email": 0}
    assert c.by_language == {"en": 2, "fr": 1}
    assert [(k.name, k.letters, k.not_uploaded) for k in seen_from_b.kiosks] == [
        ("Hall A", 2, 0), ("Hall B", 1, 0)]
    assert all(0 <= k.seconds_ago < 60 for k in seen_from_b.kiosks)
    assert b.hub.event(today=False).counts.letters == 3


def test_a_panel_hears_another_kiosks_letter_and_its_dropped_listener_comes_back(
        two_kiosks, pg_cluster):
    a, b = two_kiosks
    heard = threading.Event()
    calls: list[float] = []

    def changed() -> None:
        calls.append(time.monotonic())
        heard.set()

    b.hub.watch(changed)
    wait_until(lambda: calls)  # once on connecting: whatever happened before
    heard.clear()
    visit(a, ("pm",))
    a.hub.upload_now()
    assert heard.wait(10), "kiosk B heard of kiosk A's letter"
    assert b.hub.event(today=True).counts.letters == 1

    # The listening connection is cut by the hub: it comes back by itself, and says "changed"
    # again (what happened meanwhile is read then).
    heard.clear()
    n = len(calls)
    with pg_cluster.connect() as admin:
        (cut,) = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name LIKE '%(listening)'").fetchone()
    assert cut == 1
    visit(a, ("ircc",))
    a.hub.upload_now()
    wait_until(lambda: len(calls) > n)
    assert b.hub.event(today=True).counts.letters == 2
