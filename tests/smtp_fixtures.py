"""Fixtures and helpers for the email tests: campaigns pointing at a test SMTP server, a queue
of real letters made through the visitor journey, and a self-signed certificate for TLS."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from kiosk.config import Campaign, load_campaign
from kiosk.domain.journey import Delivery, Journey, Step
from kiosk.keep import keep_letters
from tests.smtp_server import FaultySMTPServer

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "assets" / "sample-campaign.toml"
TEMPLATES = ROOT / "templates"

BODY_FR = "Veuillez protéger ces hommes. « Maintenant » — œuvre ! Ça presse, déjà trop tard."

# Short everything, so that a fault costs the suite a fraction of a second.
TEST_EMAIL = {
    "enabled": True,
    "sender_address": "letters@example.org",
    "sender_name": "Write for Safe Haven",
    "security": "none",
    "timeout_seconds": 0.5,
    "retry_initial_seconds": 0.05,
    "retry_max_seconds": 0.3,
    "max_per_minute": 1000,
    "hold_for_review": False,
}


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    return str(value)


def write_campaign(folder: Path, **email: object) -> Path:
    """A copy of the sample campaign with ``[email]`` replaced and templates found absolutely."""
    text = SAMPLE.read_text(encoding="utf-8")
    old = 'templates_dir = "../templates"'
    assert old in text
    text = text.replace(old, f"templates_dir = {_toml(str(TEMPLATES))}")
    start, end = text.index("\n[email]\n"), text.index("\n[staff]")
    settings = {**TEST_EMAIL, **email}
    block = "\n".join(f"{k} = {_toml(v)}" for k, v in settings.items() if v is not None)
    text = text[:start] + "\n[email]\n" + block + "\n" + text[end:]
    path = folder / "campaign.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def make_campaign(tmp_path):
    def make(**email: object) -> Campaign:
        folder = tmp_path / "campaign"
        folder.mkdir(exist_ok=True)
        return load_campaign(write_campaign(folder, **email))

    return make


@pytest.fixture
def smtp_server():
    server = FaultySMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_campaign(make_campaign, smtp_server) -> Campaign:
    return make_campaign(host=smtp_server.host, port=smtp_server.port)


def queue_letters(
    store,
    campaign: Campaign,
    visitors: int = 1,
    *,
    recipients: tuple[str, ...] = ("pm",),
    lang: str = "fr",
    body: str = BODY_FR,
    first_name: str = "Zoë",
    last_name: str = "Çelik",
    email: str = "zoe@example.com",
    send_copy: bool = False,
) -> list[int]:
    """Letters kept exactly as the kiosk keeps them; returns the new outbox ids."""
    ids: list[int] = []
    for _ in range(visitors):
        j = Journey(campaign)
        j.start()
        j.set_language(lang)
        for r in recipients:
            j.toggle_recipient(r)
        j.next()
        j.update(body=body)
        j.next()
        j.update(first_name=first_name, last_name=last_name, email=email, send_copy=send_copy)
        j.next()
        j.next()
        assert j.step is Step.DELIVER, j.problems()
        kept = keep_letters(store, campaign, j.session, j.letters(),
                            Delivery(print=False, email=True))
        ids += [k.outbox_id for k in kept if k.outbox_id is not None]
    return ids


def states(store) -> dict[int, str]:
    return {r["id"]: r["state"] for r in store.conn.execute("SELECT id, state FROM outbox")}


def message_ids(store) -> set[str]:
    return {r[0] for r in store.conn.execute("SELECT message_id FROM outbox")}


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_contexts(tls_files) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context trusting only the test certificate)."""
    cert, key = tls_files
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client
