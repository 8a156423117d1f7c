"""Fixtures for the email tests: a test SMTP server (``smtp_server``), campaigns pointing at
it (``make_campaign``, ``mail_campaign``), and a self-signed certificate for TLS
(``tls_files``, ``tls_contexts``). Registered once, in tests/conftest.py.

Letters to send: ``tests.support.letters.queue_letters``.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from kiosk.config import Campaign, load_campaign
from tests.support.campaigns import write_mail_campaign
from tests.support.peers.smtp_server import FaultySMTPServer


@pytest.fixture
def make_campaign(tmp_path):
    def make(**email: object) -> Campaign:
        folder = tmp_path / "campaign"
        folder.mkdir(exist_ok=True)
        return load_campaign(write_mail_campaign(folder, **email))

    return make


@pytest.fixture
def smtp_server():
    server = FaultySMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_campaign(make_campaign, smtp_server) -> Campaign:
    return make_campaign(host=smtp_server.host, port=smtp_server.port)


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
