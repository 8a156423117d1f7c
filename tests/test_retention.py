"""Retention: personal details go once letters are delivered and old enough; counts stay."""

from __future__ import annotations

import subprocess
import sys
import threading
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.app.letters import keep_letters
from kiosk.domain.journey import Delivery, Journey
from kiosk.i18n import tr
from kiosk.store import outbox as q
from kiosk.store import print_jobs
from kiosk.store.letter_rows import StoredLetter
from kiosk.store.retention import purge_personal_details
from kiosk.store.stats import counts
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
PERSONAL = ("first_name", "last_name", "city", "postal_code", "email", "short_name")
VISITOR = {"first_name": "Zoé", "last_name": "Bélanger", "city": "Montréal",
           "postal_code": "H2X 1Y4", "email": "zoe@example.org", "opt_in": True}


def visit(store, campaign, recipients, *, by_print=True, by_email=False, lang="fr", **fields):
    j = Journey(campaign)
    j.set_language(lang)
    j.start()
    for r in recipients:
        j.toggle_recipient(r)
    j.update(body="Protégez ces hommes, maintenant.", **{**VISITOR, **fields})
    delivery = Delivery(print=by_print, email=by_email)
    return keep_letters(store, campaign, j.session, j.letters(), delivery)


def send_all(store, *, refuse: bool = False) -> None:
    """What the outbox worker does, through the same queries."""
    while (item := q.claim(store, "test:1:w", 60)) is not None:
        if refuse:
            q.mark_failed(store, item.id, "test:1:w", error="550 no such user", code=550)
        else:
            q.mark_sent(store, item.id, "test:1:w", code=250,
                        note=f"copy refused: 550 <{item.visitor_email}> unknown")


def row(store, letter_id: int) -> StoredLetter:
    return store.letter(letter_id)


def later(days: float) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


def test_delivered_letters_lose_personal_details_and_keep_counts(campaign, store):
    kept = visit(store, campaign, ["pm", "un-ohchr"], by_email=True)
    for k in kept:
        print_jobs.mark_printed(store, k.print_job_id, "online")
    send_all(store)
    before = asdict(counts(store))

    assert purge_personal_details(store, 30, now=later(29)) == 0, "not old enough yet"
    assert row(store, kept[0].letter_id).first_name == "Zoé"
    assert purge_personal_details(store, 30, now=later(31)) == 2

    neutral = tr("letter.anonymous_signature", "fr")
    for k in kept:
        r = row(store, k.letter_id)
        assert {f: getattr(r, f) for f in PERSONAL} == dict.fromkeys(PERSONAL, "")
        assert r.signature == neutral
        assert r.full_text == f"{r.salutation}\n\n{r.body}\n\n{r.closing}\n{neutral}"
        for gone in ("Zoé", "Bélanger", "Montréal", "H2X", "zoe@"):
            assert gone not in r.full_text
        # What the counts and the consent record need stays.
        assert (r.language, r.by_print, r.by_email, r.opt_in) == ("fr", 1, 1, 1)
        assert r.opt_in_wording and r.opt_in_at and r.personal_purged_at
    assert asdict(counts(store)) == before
    # The server's answer quoting the visitor's address is scrubbed too.
    notes = [n for (n,) in store.conn.execute("SELECT note FROM outbox")]
    assert all("zoe@example.org" not in n and "[removed]" in n for n in notes)
    # One audit row per run, with numbers and ids only.
    audit = store.conn.execute("SELECT actor, action, detail FROM audit "
                               "WHERE action = 'retention.purge' ORDER BY id").fetchall()
    assert [(a["actor"], a["detail"].split(",")[0]) for a in audit] == [
        ("kiosk", "letters 0"), ("kiosk", "letters 2")]
    assert not any(s in audit[1]["detail"] for s in ("Zoé", "Bélanger", "zoe@", "Montréal"))
    assert purge_personal_details(store, 30, now=later(31)) == 0, "already purged"


@pytest.mark.parametrize(
    "setup",
    ["print queued", "print failed", "email queued", "email held", "email retry",
     "one of two deliveries done"],
)
def test_letters_still_waiting_are_never_touched(campaign, store, setup):
    by_email = setup.startswith("email") or setup.startswith("one")
    [k] = visit(store, campaign, ["pm"], by_print=setup != "email held", by_email=by_email)
    if setup == "print failed":
        print_jobs.mark_failed(store, k.print_job_id, "layout bug")
    elif setup.startswith("email"):
        store.conn.execute("UPDATE print_jobs SET state = 'printed'")
        store.conn.execute("UPDATE outbox SET state = ?", (setup.split()[1],))
    else:
        send_all(store)  # the email went, the print job still waits
    before = row(store, k.letter_id)
    assert purge_personal_details(store, 0, now=later(3650)) == 0
    assert row(store, k.letter_id) == before


def test_retention_zero_purges_as_soon_as_delivered(campaign, store):
    done = visit(store, campaign, ["pm"], by_print=False, by_email=True)
    waiting = visit(store, campaign, ["ircc"], first_name="Autre", by_email=True)
    send_all(store, refuse=True)  # refused for good: finished; the second letter still prints
    assert purge_personal_details(store, 0) == 1
    assert row(store, done[0].letter_id).email == ""
    assert row(store, waiting[0].letter_id).first_name == "Autre"


def test_cancelled_counts_as_finished_and_age_runs_from_the_last_delivery(campaign, store):
    [k] = visit(store, campaign, ["pm"], by_email=True)
    assert print_jobs.cancel(store, k.print_job_id)
    q.cancel(store, k.outbox_id)
    # The print job was cancelled 40 days ago, the email just now: it is the email that counts.
    old = (datetime.now(UTC) - timedelta(days=40)).isoformat(timespec="milliseconds")
    store.conn.execute("UPDATE print_jobs SET updated_at = ?", (old,))
    store.conn.execute("UPDATE letters SET created_at = ?", (old,))
    assert purge_personal_details(store, 30) == 0
    assert purge_personal_details(store, 30, now=later(31)) == 1


def test_negative_retention_is_refused(store):
    with pytest.raises(ValueError):
        purge_personal_details(store, -1)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_purge_command_uses_the_campaign_setting_or_days(campaign, store, data_dir):
    [k] = visit(store, campaign, ["pm"])
    print_jobs.mark_printed(store, k.print_job_id, "online")
    visit(store, campaign, ["ircc"], first_name="Pending")

    done = _cli("purge", "--data-dir", str(data_dir))  # campaign: 30 days
    assert done.returncode == 0, done.stderr
    assert "(delivered at least 30 days ago): 0" in done.stdout
    assert row(store, k.letter_id).first_name == "Zoé"

    done = _cli("purge", "--data-dir", str(data_dir), "--days", "0", "--lang", "fr")
    assert done.returncode == 0, done.stderr
    assert "données personnelles ont été retirées (remises il y a au moins 0 jour)\u00a0: 1" \
        in done.stdout
    assert row(store, k.letter_id).first_name == ""
    names = [r.first_name for r in store.letters()]
    assert names == ["", "Pending"]
    audit = store.conn.execute("SELECT actor, action FROM audit ORDER BY id").fetchall()
    assert [tuple(a) for a in audit] == [("cli", "retention.purge")] * 2

    bad = _cli("purge", "--data-dir", str(data_dir), "--days", "-3")
    assert bad.returncode == 2 and "0 or more" in bad.stderr


# --- erased from the disk, not only from the tables ----------------------------------------------


def _traces(data_dir: Path, values: list[str]) -> dict[str, list[str]]:
    """Which purged values are still somewhere in the raw bytes of the store's three files."""
    found = {}
    for suffix in ("", "-wal", "-shm"):
        path = data_dir / f"kiosk.sqlite3{suffix}"
        raw = path.read_bytes() if path.exists() else b""
        if hits := [v for v in values if v.encode() in raw]:
            found[path.name] = hits
    return found


def _purged_values(count: int) -> list[str]:
    from tests.support.letters import visitor

    out = []
    for i in range(count):
        v = visitor(i)
        out += [v.first_name, v.last_name, v.city, v.postal_code, v.email]
    return out


def _delivered_letters_in_the_wal(store, count: int) -> None:
    """As a running kiosk has them: written and delivered recently, not yet checkpointed."""
    from tests.support.letters import add_letters, deliver_all

    store.conn.execute("PRAGMA wal_autocheckpoint=0")
    add_letters(store, count)
    deliver_all(store)


@pytest.mark.parametrize("by", ["kiosk", "cli"])
def test_a_purge_leaves_no_trace_in_the_database_wal_or_shm(store, data_dir, by):
    """The kiosk's own connection stays open throughout, as while it runs."""
    # Few enough that no automatic checkpoint happens on the way, as between a kiosk's quiet
    # moments: what the purge itself leaves behind is what is measured.
    _delivered_letters_in_the_wal(store, 25)
    values = _purged_values(25)
    assert _traces(data_dir, values), "the test must see the details before the purge"
    if by == "kiosk":
        # The purge at start-up runs on a worker thread's own connection from the kiosk's store.
        purged: list[int] = []

        def purge() -> None:
            with store.thread_connection():
                purged.append(purge_personal_details(store, 0))

        worker = threading.Thread(target=purge)
        worker.start()
        worker.join()
        assert purged == [25]
    else:
        done = _cli("purge", "--days", "0", "--data-dir", str(data_dir))
        assert done.returncode == 0, done.stderr
        assert ": 25." in done.stdout
    store.letters()  # the running kiosk carries on reading
    assert _traces(data_dir, values) == {}


def test_every_connection_overwrites_what_it_deletes(data_dir, store):
    from kiosk.store import Store, connect

    assert store.conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    reader = Store(data_dir, read_only=True)
    assert reader.conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    reader.close()
    conn = connect(data_dir / "kiosk.sqlite3")
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    conn.close()


def test_the_kiosk_purges_at_each_start(open_window, campaign, data_dir):
    """docs/staff.md: details past the retention period go at each start of the kiosk."""
    from kiosk.store import open_store

    store = open_store(data_dir)
    kept = visit(store, campaign, ["pm"])
    old = (datetime.now(UTC) - timedelta(days=campaign.staff.retention_days + 1)).isoformat()
    store.conn.execute("UPDATE print_jobs SET state = 'printed', updated_at = ?", (old,))
    store.conn.execute("UPDATE letters SET created_at = ?", (old,))
    store.close()
    window = open_window(workers=True)  # the kiosk starting, its workers with it
    wait_until(lambda: window.services.store.letter(kept[0].letter_id).personal_purged_at,
               what="the purge at start")
    assert window.services.store.letter(kept[0].letter_id).first_name == ""
