"""A kiosk whose clock is two days off changes nothing at the hub: leases, retries and "today"
go by the hub's clock. The skewed processes run under libfaketime (``faketime``), a real wrong
clock for everything in them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from kiosk.app.context import STAFF
from kiosk.app.core import Kiosk
from kiosk.app.letters import keep_letters
from kiosk.domain.journey import Delivery, Journey
from tests.support.campaigns import TEST_EMAIL, write_campaign
from tests.support.peers.flaky_smtp import FlakyServer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def faketime() -> str:
    path = shutil.which("faketime")
    if path is None:
        pytest.fail("faketime is missing: run ./scripts/setup (Debian's faketime package)")
    return path


def skewed(faketime: str, offset: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([faketime, offset, sys.executable, *args], cwd=ROOT, env=os.environ,
                          capture_output=True, text=True, timeout=120)


def at_hub(url: str, sql: str):
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_senders_two_days_ahead_and_behind_retry_and_send_by_the_hubs_clock(
        faketime, hub_url, campaign, data_dir, store, tmp_path):
    with FlakyServer(temp_fail=1.0) as smtp:  # every recipient refused for now (451)
        config = write_campaign(
            tmp_path / "event", email={**TEST_EMAIL, "host": "127.0.0.1", "port": smtp.port},
            hub={"enabled": True, "url": hub_url, "kiosk_name": "Hall A"})
        from kiosk.app.preflight import load_campaign

        c = load_campaign(config)
        core = Kiosk(c, data_dir, store, actor=STAFF)
        core.hub.init()
        j = Journey(c)
        j.toggle_recipient("pm")
        j.update(body="Please act now.", first_name="A", last_name="B")
        keep_letters(store, c, j.session, j.letters(), Delivery(False, True))
        core.hub.upload_now()
        core.close()

        ahead = skewed(faketime, "+2 days", "-m", "kiosk", "hub", "send", "--config", str(config))
        assert ahead.returncode == 1 and "still waiting 1" in ahead.stdout, ahead.stderr
        # The retry is due in a fraction of a second by the hub's clock, not in two days.
        (due_in,) = at_hub(hub_url, "SELECT extract(epoch FROM next_attempt_at - now()) "
                                    "FROM outbox WHERE state = 'retry'")[0]
        assert float(due_in) < 60

        smtp.temp_fail = 0.0
        behind = skewed(faketime, "-2 days", "-m", "kiosk", "hub", "send", "--config", str(config))
        assert behind.returncode == 0, behind.stderr
        # Sent by a machine that thinks it is two days earlier: due by the hub's clock all the
        # same (by its own, the email would not be due for two days).
        assert "sent 1" in behind.stdout
        assert len(smtp.received) == 1
    assert at_hub(hub_url, "SELECT state FROM outbox") == [("sent",)]


def test_a_kiosk_two_days_behind_still_counts_in_todays_numbers(
        faketime, hub_url, campaign, tmp_path):
    script = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from kiosk.app.core import open_kiosk
from kiosk.app.letters import keep_letters
from kiosk.app.preflight import load_campaign
from kiosk.domain.journey import Delivery, Journey
c = load_campaign(sys.argv[1])
core = open_kiosk(c, Path(sys.argv[2]))
j = Journey(c)
j.toggle_recipient("pm")
j.update(body="Please act now.", first_name="A", last_name="B")
keep_letters(core.store, c, j.session, j.letters(), Delivery(True, False))
print(core.hub.upload_now())
core.close()
"""
    config = write_campaign(tmp_path / "event", hub={"enabled": True, "url": hub_url,
                                                     "kiosk_name": "Late clock"})
    from kiosk.app.hub import init_hub
    from kiosk.app.preflight import load_campaign

    c = load_campaign(config)
    init_hub(c.hub)
    done = skewed(faketime, "-2 days", "-c", script, str(config), str(tmp_path / "data"))
    assert done.returncode == 0 and done.stdout.strip() == "1", done.stderr
    (created, received) = at_hub(hub_url, "SELECT created_at, received_at FROM letters")[0]
    assert (received - created).days >= 1, "the letter keeps the kiosk's own time..."
    with psycopg.connect(hub_url) as conn:
        from kiosk.store.hub.overview import event_counts

        assert event_counts(conn, utc_offset_seconds=0).letters == 1, "...and counts today"
    (ago,) = at_hub(hub_url, "SELECT extract(epoch FROM now() - last_seen) FROM kiosks")[0]
    assert float(ago) < 60, "seen now, by the hub's clock"
