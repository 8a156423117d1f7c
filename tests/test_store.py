"""The store keeps confirmed letters on disk, owner-only, all-or-nothing."""

from __future__ import annotations

import stat

import pytest

from kiosk.app.letters import keep_letters
from kiosk.domain.journey import Delivery, Journey, Step
from kiosk.store import StorageError, Store
from kiosk.store.schema import VERSION


def _journey_at_deliver(campaign, **fields) -> Journey:
    j = Journey(campaign)
    j.start()
    j.toggle_recipient("pm")
    j.toggle_recipient("un-ohchr")
    j.next()
    j.update(body="Veuillez protéger ces hommes. « Maintenant » — œuvre ! 🏳️‍🌈", **fields)
    j.next()
    j.update(first_name="Zoë", last_name="Çelik", email="zoe@example.com", opt_in=True)
    j.next()
    j.next()
    assert j.step is Step.DELIVER
    return j


def test_keep_writes_letters_jobs_and_outbox(campaign, store, data_dir):
    j = _journey_at_deliver(campaign)
    j.set_language("fr")
    kept = keep_letters(store, campaign, j.session, j.letters(), Delivery(print=True, email=True))
    assert [k.recipient_id for k in kept] == ["pm", "un-ohchr"]
    # Reopen from disk: what was kept survives the process.
    again = Store(data_dir)
    rows = again.letters()
    assert len(rows) == 2
    assert rows[0].first_name == "Zoë" and rows[0].language == "fr"
    assert "« Maintenant » — œuvre ! 🏳️‍🌈" in rows[0].full_text
    assert rows[0].opt_in == 1 and "peut m’écrire" in rows[0].opt_in_wording
    assert rows[1].postage_free == 0
    jobs = again.conn.execute("SELECT letter_id, state FROM print_jobs ORDER BY id").fetchall()
    assert [tuple(r) for r in jobs] == [(rows[0].id, "queued"), (rows[1].id, "queued")]
    out = again.conn.execute("SELECT to_addr, subject, message_id FROM outbox").fetchall()
    assert [r["to_addr"] for r in out] == ["pm@pm.gc.ca", "ohchr-registry@un.org"]
    assert out[0]["subject"].startswith("Protégez")
    assert out[0]["message_id"] != out[1]["message_id"]
    assert out[0]["message_id"].endswith("@example.org>")
    again.close()


def test_store_file_is_owner_only_and_wal(store):
    mode = stat.S_IMODE(store.path.stat().st_mode)
    assert mode == 0o600
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == VERSION


def test_keep_is_all_or_nothing(campaign, store):
    j = _journey_at_deliver(campaign)
    letters = j.letters()
    bad_emails = [{"to_addr": "a@b.org", "subject": "s", "message_id": "<same@x>"}] * 2
    with pytest.raises(Exception, match="UNIQUE"):
        store.keep(session_id="s", campaign_id="c", letters=letters, by_print=True,
                   by_email=True, emails=bad_emails)
    assert store.letters() == []
    assert store.conn.execute("SELECT COUNT(*) FROM print_jobs").fetchone()[0] == 0


def test_newer_schema_is_refused(data_dir):
    s = Store(data_dir)
    s.conn.execute(f"PRAGMA user_version = {VERSION + 1}")
    s.close()
    with pytest.raises(StorageError, match="newer version of Letter Kiosk") as refused:
        Store(data_dir)
    assert refused.value.kind == "newer"
