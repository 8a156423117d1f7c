"""The staff panel of a kiosk at an event with a hub (a real PostgreSQL): the whole event's
counts and kiosks, live, and what it says when the hub cannot be reached."""

from __future__ import annotations

from kiosk.app.context import STAFF
from kiosk.app.core import Kiosk
from kiosk.app.letters import keep_letters
from kiosk.domain.journey import Delivery, Journey
from kiosk.store import open_store


def with_hub(campaign, url: str, name: str, **more):
    return campaign.model_copy(update={"hub": campaign.hub.model_copy(update={
        "enabled": True, "url": url, "kiosk_name": name, "timeout_seconds": 3.0,
        "upload_seconds": 1.0, **more})})


def write(core: Kiosk, *recipients: str) -> None:
    j = Journey(core.campaign)
    for r in recipients:
        j.toggle_recipient(r)
    j.update(body="Please protect these men now.", first_name="A", last_name="B")
    keep_letters(core.store, core.campaign, j.session, j.letters(), Delivery(True, False))


def test_the_panel_shows_the_whole_event_and_hears_another_kiosk(
        qtbot, open_window, campaign, hub_url, tmp_path):
    other = Kiosk(with_hub(campaign, hub_url, "Hall B"), tmp_path / "b",
                  open_store(tmp_path / "b"), actor=STAFF)
    other.hub.init()
    write(other, "pm", "ircc")
    other.hub.upload_now()

    window = open_window(chosen=with_hub(campaign, hub_url, "Front desk"), workers=True)
    panel = window.staff.panel
    panel.open_panel()
    assert panel.whole_event.isChecked() and panel.hub_box.isVisible()
    qtbot.waitUntil(lambda: "2 letters from 1 visitor" in panel.totals.text(), timeout=20000)
    qtbot.waitUntil(lambda: "Hall B: seen" in panel.kiosks.text(), timeout=20000)
    qtbot.waitUntil(lambda: panel.hub_lines[1].text() == "Connected", timeout=20000)

    # Another kiosk's letter shows here by itself (NOTIFY, then the panel asks again).
    write(other, "un-ohchr")
    other.hub.upload_now()
    qtbot.waitUntil(lambda: "3 letters from 2 visitors" in panel.totals.text(), timeout=20000)
    assert "Front desk: seen" in panel.kiosks.text()

    # This kiosk's own numbers are one tap away.
    panel.this_kiosk.click()
    assert panel.totals.text().startswith("0 letters") and not panel.kiosks.isVisible()
    other.close()


def test_the_panel_says_so_when_the_hub_cannot_be_reached(qtbot, open_window, campaign,
                                                          pg_cluster):
    from tests.support.postgres import free_port

    gone = pg_cluster.url("postgres", user="postgres", port=free_port())
    window = open_window(chosen=with_hub(campaign, gone, "Front desk"), workers=True)
    panel = window.staff.panel
    panel.open_panel()
    qtbot.waitUntil(lambda: "cannot be reached" in panel.totals.text(), timeout=20000)
    qtbot.waitUntil(lambda: panel.hub_lines[1].text().startswith("Cannot be reached"),
                    timeout=20000)


def test_the_attract_screen_shows_the_events_total_when_the_campaign_says_so(
        qtbot, open_window, campaign, hub_url, tmp_path):
    from kiosk.domain.journey import Step

    other = Kiosk(with_hub(campaign, hub_url, "Hall B"), tmp_path / "b",
                  open_store(tmp_path / "b"), actor=STAFF)
    other.hub.init()
    for _ in range(3):
        write(other, "pm")
    other.hub.upload_now()
    window = open_window(chosen=with_hub(campaign, hub_url, "Front desk", show_total=True),
                         workers=True)
    attract = window.page(Step.ATTRACT)
    qtbot.waitUntil(lambda: attract.total.text() == "3 letters written today", timeout=20000)
    assert attract.total.isVisible() and attract.total.accessibleName() == attract.total.text()
    write(other, "pm", "ircc")
    other.hub.upload_now()
    qtbot.waitUntil(lambda: attract.total.text() == "5 letters written today", timeout=20000)
    window.journey.set_language("fr")
    assert attract.total.text() == "5 lettres écrites aujourd’hui"
    attract.event_total(1284)  # each language writes a big number its own way
    assert attract.total.text() == "1\u202f284 lettres écrites aujourd’hui"
    window.journey.set_language("en")
    assert attract.total.text() == "1,284 letters written today"
    other.close()


def test_without_show_total_the_attract_screen_says_nothing_of_the_event(
        qtbot, open_window, campaign, hub_url):
    from kiosk.app.hub import init_hub
    from kiosk.domain.journey import Step

    chosen = with_hub(campaign, hub_url, "Front desk")
    init_hub(chosen.hub)
    window = open_window(chosen=chosen, workers=True)
    window.staff.panel.open_panel()  # the hub has been asked (for the panel) by then
    qtbot.waitUntil(lambda: "Front desk: seen" in window.staff.panel.kiosks.text(),
                    timeout=20000)
    assert not window.page(Step.ATTRACT).total.isVisible()
