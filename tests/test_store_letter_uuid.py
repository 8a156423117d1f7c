"""Every letter has a UUID, its name wherever it goes (the event's hub, issue 12): made when it
is kept, given to letters from before, and never shared by two letters."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta

from kiosk.app.letters import keep_letters
from kiosk.domain.journey import Delivery, Journey
from kiosk.store import Store
from kiosk.store.opening import DB_NAME
from kiosk.store.retention import purge_personal_details
from kiosk.store.schema import MIGRATIONS, VERSION

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _visit(store, campaign, *, email: bool = True):
    j = Journey(campaign)
    j.toggle_recipient("pm")
    j.toggle_recipient("ircc")
    j.update(body="Please help these men reach safety.", first_name="Ana", last_name="Roy",
             email="ana@example.org")
    return keep_letters(store, campaign, j.session, j.letters(),
                        Delivery(print=True, email=email))


def test_each_kept_letter_gets_its_own_uuid(store, campaign):
    kept = _visit(store, campaign) + _visit(store, campaign)
    names = [k.uuid for k in kept]
    assert all(UUID.match(n) for n in names) and len(set(names)) == 4
    stored = [r[0] for r in store.conn.execute("SELECT uuid FROM letters ORDER BY id")]
    assert stored == names


def test_letters_from_before_get_uuids_when_the_store_moves_on(data_dir):
    conn = sqlite3.connect(data_dir / DB_NAME, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    for version, script in enumerate(MIGRATIONS[:3]):
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {version + 1}")
    at = "2026-11-01T12:00:00.000+00:00"
    for i in range(1, 51):
        conn.execute(
            """INSERT INTO letters (id, session_id, created_at, campaign_id, recipient_id,
                   language, salutation, body, closing, signature, full_text, address_lines,
                   postage_free, sign_mode, by_print, by_email)
               VALUES (?, 's', ?, 'test', 'pm', 'en', 'Dear', 'Body', 'Yours', 'Me', 'All',
                       '[]', 1, 'full', 1, 0)""", (i, at))
    conn.close()
    store = Store(data_dir)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == VERSION
        names = [r[0] for r in store.conn.execute("SELECT uuid FROM letters")]
        assert len(names) == 50 and all(UUID.match(n) for n in names)
        assert len(set(names)) == 50, "one UUID per letter, not one for all"
        assert store.conn.execute(
            "SELECT COUNT(*) FROM letters WHERE uploaded_at IS NULL").fetchone()[0] == 50
    finally:
        store.close()


def test_with_a_hub_emails_wait_for_the_hub_and_personal_details_wait_for_the_upload(
        store, campaign):
    hub_campaign = campaign.model_copy(update={"hub": campaign.hub.model_copy(
        update={"enabled": True, "url": "postgresql://kiosk@hub.invalid/letters"})})
    kept = _visit(store, hub_campaign)
    states = {r[0] for r in store.conn.execute("SELECT state FROM outbox")}
    assert states == {"hub"}, "sent by the hub, never by this kiosk's own worker"
    store.conn.execute("UPDATE print_jobs SET state = 'printed'")
    later = datetime.now(UTC) + timedelta(days=1)
    assert purge_personal_details(store, 0, now=later, hub=True) == 0, "not at the hub yet"
    store.conn.execute("UPDATE letters SET uploaded_at = ? WHERE id = ?",
                       (later.isoformat(), kept[0].letter_id))
    assert purge_personal_details(store, 0, now=later, hub=True) == 1
    purged = store.conn.execute(
        "SELECT id FROM letters WHERE personal_purged_at IS NOT NULL").fetchall()
    assert [r[0] for r in purged] == [kept[0].letter_id]


def test_emails_follow_the_hub_switched_on_and_off_between_two_runs(store, campaign):
    from kiosk.store.uploads import follow_the_hub

    kept = _visit(store, campaign)  # no hub: queued here
    states = lambda: [r[0] for r in store.conn.execute(  # noqa: E731
        "SELECT state FROM outbox ORDER BY id")]
    assert states() == ["queued", "queued"]
    assert follow_the_hub(store, campaign.campaign.id, hub=True, held=False) == 2
    assert states() == ["hub", "hub"], "they go with their letters to the hub"
    # One letter reached the hub; then the hub is switched off.
    store.conn.execute("UPDATE letters SET uploaded_at = '2026-11-30T10:00:00.000+00:00' "
                       "WHERE id = ?", (kept[0].letter_id,))
    assert follow_the_hub(store, campaign.campaign.id, hub=False, held=True) == 1
    assert states() == ["hub", "held"], "the hub's stays the hub's; the other comes back"
    assert follow_the_hub(store, campaign.campaign.id, hub=False, held=True) == 0
