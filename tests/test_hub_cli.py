"""``python -m kiosk hub init|status`` against a real PostgreSQL, and what they say when the
hub cannot be used: a wrong database, refused credentials, a hub not there, a password where it
does not belong. Never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from kiosk.app.context import STAFF
from kiosk.app.core import Kiosk
from kiosk.app.letters import keep_letters
from kiosk.domain.journey import Delivery, Journey
from kiosk.store.hub.schema import VERSION

ROOT = Path(__file__).resolve().parent.parent


def kiosk_cli(*args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if password is not None:
        env["PGPASSWORD"] = password  # as the service's environment file gives it
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def hub(pg_cluster, pg_database):
    """The hub's URL as staff write it (no password), and the password libpq will find."""
    return pg_cluster.url(pg_database.name, user=pg_cluster.superuser), pg_cluster.password


def test_init_then_status_shows_the_kiosks_and_their_letters(hub, campaign, data_dir, store):
    url, password = hub
    made = kiosk_cli("hub", "init", "--hub", url, password=password)
    assert made.returncode == 0, made.stderr
    assert f"tables are made (version {VERSION})" in made.stdout
    again = kiosk_cli("hub", "init", "--hub", url, password=password)
    assert again.returncode == 0 and "up to date" in again.stdout
    assert password not in made.stdout + made.stderr + again.stdout + again.stderr

    os.environ["PGPASSWORD"] = password
    try:
        hub_settings = campaign.hub.model_copy(update={"enabled": True, "url": url,
                                                       "kiosk_name": "Front desk"})
        core = Kiosk(campaign.model_copy(update={"hub": hub_settings}), data_dir, store,
                     actor=STAFF)
        j = Journey(core.campaign)
        j.toggle_recipient("pm")
        j.update(body="Please act now for these men.", first_name="A", last_name="B")
        keep_letters(store, core.campaign, j.session, j.letters(), Delivery(True, True))
        core.hub.upload_now()
        core.hub.stop()
    finally:
        del os.environ["PGPASSWORD"]
    status = kiosk_cli("hub", "status", "--hub", url, password=password)
    assert status.returncode == 0, status.stderr
    assert "1 letters" in status.stdout
    (row,) = [line for line in status.stdout.splitlines() if line.startswith("Front desk")]
    assert row.split()[-2:] == ["1", "0"] and "s ago" in row
    assert "emails: queued 1" in status.stdout


@pytest.mark.parametrize("case", ["no_database", "wrong_password", "password_in_url", "no_hub"])
def test_a_hub_that_cannot_be_used_is_said_plainly_with_exit_2(case, pg_cluster, hub):
    url, password = hub
    if case == "no_database":
        done = kiosk_cli("hub", "init", "--hub", pg_cluster.url("nosuch", user="postgres"),
                         password=password)
        expect = "database does not exist"
    elif case == "wrong_password":
        done = kiosk_cli("hub", "status", "--hub", url, password="not-the-password")
        expect = "refused this kiosk's login"
    elif case == "password_in_url":
        done = kiosk_cli("hub", "init", "--hub", url.replace("@", ":hunter2@", 1))
        expect = "the password does not belong in the campaign file"
    else:
        done = kiosk_cli("hub", "status")  # the sample campaign has no hub
        expect = "This campaign has no hub"
    assert done.returncode == 2, done.stdout + done.stderr
    assert expect in done.stderr
    assert "Traceback" not in done.stderr and "hunter2" not in done.stderr
    assert password not in done.stderr


def test_a_hub_that_is_not_there_now_is_exit_1_try_again(pg_cluster, hub):
    from tests.support.postgres import free_port

    url = pg_cluster.url("postgres", user="postgres", port=free_port())
    done = kiosk_cli("hub", "status", "--hub", url, password="x")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "cannot be reached now" in done.stderr and "Traceback" not in done.stderr


def test_hub_export_is_the_whole_event_and_purge_removes_names_at_the_hub(
        hub, pg_cluster, pg_database, campaign, tmp_path):
    from pypdf import PdfReader

    from kiosk.store import open_store

    url, password = hub
    assert kiosk_cli("hub", "init", "--hub", url, password=password).returncode == 0
    os.environ["PGPASSWORD"] = password
    try:
        for name, first, email in (("Hall A", "Zoë", "zoe@example.org"),
                                   ("Hall B", "Amara", "amara@example.org")):
            store = open_store(tmp_path / name)
            settings = campaign.hub.model_copy(update={"enabled": True, "url": url,
                                                       "kiosk_name": name})
            core = Kiosk(campaign.model_copy(update={"hub": settings}), tmp_path / name, store,
                         actor=STAFF)
            j = Journey(core.campaign)
            j.toggle_recipient("pm")
            j.update(body=f"Please act now, from {name}.", first_name=first, last_name="Roy",
                     email=email, opt_in=True)
            keep_letters(store, core.campaign, j.session, j.letters(), Delivery(True, False))
            core.hub.upload_now()
            core.close()
    finally:
        del os.environ["PGPASSWORD"]
    out = tmp_path / "usb"
    done = kiosk_cli("hub", "export", "--hub", url, "--out", str(out), password=password)
    assert done.returncode == 0, done.stderr
    text = "\n".join(page.extract_text() for page in PdfReader(out / "letters.pdf").pages)
    assert "from Hall A" in text and "from Hall B" in text
    counts = (out / "counts.csv").read_text(encoding="utf-8")
    assert "campaign,total,letters,2" in counts
    assert "campaign,not_yet_at_hub,Hall A,0" in counts
    opt_ins = (out / "opt-ins.csv").read_text(encoding="utf-8")
    assert "Zoë Roy,zoe@example.org" in opt_ins and "Amara Roy,amara@example.org" in opt_ins

    # A kiosk's own login may not export: it cannot read names.
    login = f"hall_c_{pg_database.name}"  # roles are the cluster's: one of this test's own
    pg_cluster.create_role(login, "kiosk-pw", login=True)
    with psycopg.connect(pg_database.url, autocommit=True) as admin:
        admin.execute(f"GRANT letter_kiosk TO {login}")
    kiosk_url = pg_cluster.url(pg_database.name, user=login)
    refused = kiosk_cli("hub", "export", "--hub", kiosk_url, "--out", str(tmp_path / "x"),
                        password="kiosk-pw")
    assert refused.returncode == 2 and "need the hub's owner" in refused.stderr

    purged = kiosk_cli("hub", "purge", "--hub", url, "--days", "0", password=password)
    assert purged.returncode == 0, purged.stderr
    with psycopg.connect(pg_database.url) as conn:
        rows = conn.execute("SELECT first_name, email, full_text FROM letters").fetchall()
    assert all(first == "" and email == "" for first, email, _ in rows)
    assert not any("Zoë" in t or "Amara" in t for *_, t in rows)
