"""Opening a connection to the hub, and what its failures mean.

A kiosk talks to the hub over Wi-Fi that may drop, stall or lose an answer. So every connection
has a connect timeout, TCP keepalives and a server-side statement timeout, and every call a
client-side deadline (``deadline``): when the link stalls with the peer's kernel still
acknowledging (a black hole), nothing but the client can notice. A failure is one of two kinds:
``HubAway`` (try again later, nothing lost) or ``HubRefused`` (the URL, the database, the
credentials or the schema are wrong: staff must act; a command exits 2).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from kiosk.config.hub import masked
from kiosk.errors import Refusal

if TYPE_CHECKING:
    import psycopg

# Phrases of libpq and the server that mean staff must change something, not wait.
_REFUSED = {
    "credentials": ("password authentication failed", "no password supplied",
                    "role \"", "peer authentication failed", "no pg_hba.conf entry"),
    "database": ("database \"",),
    "url": ("invalid connection option", "invalid URI", "missing \"=\"", "invalid sslmode",
            "failed to resolve host", "could not translate host name"),
    "tls": ("certificate", "SSL", "ssl"),
    "privilege": ("permission denied", "must be owner"),
}


class HubAway(Exception):
    """The hub cannot be reached now (down, the link cut or stalled): letters wait here."""


class HubRefused(Refusal):
    """The hub answers but will not do: a wrong URL, a missing database, refused credentials,
    or a schema this kiosk does not know. Said plainly; a command exits 2."""

    def __init__(self, kind: str, url: str, detail: str):
        self.kind = kind
        self.url = url
        what = {
            "credentials": "the hub refused this kiosk's login: check the user in [hub] url and "
                           "its password in the passfile (~/.pgpass) or PGPASSWORD",
            "database": "the hub's database does not exist: check dbname in [hub] url, or "
                        "create it (docs/hub.md)",
            "url": "the hub's address cannot be used: check [hub] url",
            "tls": "the hub's TLS could not be checked: see sslmode and sslrootcert in "
                   "docs/hub.md",
            "schema": "the hub's tables do not suit this kiosk",
            "privilege": "this login may not do that: hub init, export and purge need the "
                         "hub's owner, not a kiosk's login (docs/hub.md)",
        }.get(kind, "the hub cannot be used")
        super().__init__(f"The hub cannot be used: {what} ({masked(url)}).", [detail])


def classify(error: BaseException, url: str) -> HubAway | HubRefused:
    """What a failure to connect or to talk means for staff."""
    text = str(error)
    for kind, phrases in _REFUSED.items():
        if any(p in text for p in phrases):
            if kind == "tls" and "SSL connection has been closed" in text:
                break  # a dropped link over TLS, not a certificate problem
            return HubRefused(kind, url, text.strip())
    return HubAway(text.strip() or type(error).__name__)


def connect(url: str, *, timeout: float, name: str) -> psycopg.Connection[tuple[object, ...]]:
    """A connection to the hub, or ``HubAway``/``HubRefused``. ``name`` is how the hub's
    administrators see this kiosk (``application_name``)."""
    import psycopg

    seconds = max(2, round(timeout))  # libpq's connect_timeout counts whole seconds, 2 at least
    try:
        return psycopg.connect(
            url, connect_timeout=seconds, application_name=f"letter-kiosk {name}"[:63],
            keepalives=1, keepalives_idle=max(1, seconds // 2), keepalives_interval=2,
            keepalives_count=3, tcp_user_timeout=int(timeout * 1000),
            options=f"-c statement_timeout={int(timeout * 1000)}",
        )
    except psycopg.Error as e:
        raise classify(e, url) from e


@contextlib.contextmanager
def talking(url: str) -> Iterator[None]:
    """Any database failure inside becomes ``HubAway`` or ``HubRefused`` (see ``classify``)."""
    import psycopg

    try:
        yield
    except psycopg.Error as e:
        raise classify(e, url) from e


@contextlib.contextmanager
def deadline(conn: psycopg.Connection[tuple[object, ...]], seconds: float) -> Iterator[None]:
    """Whatever ``conn`` does inside must be done in ``seconds``; after that its socket is shut
    down under it and the blocked call fails (as ``HubAway``, through ``classify``)."""

    def expire() -> None:
        # shutdown() acts on the socket itself, so a duplicate of its descriptor will do.
        with contextlib.suppress(OSError), socket.socket(fileno=os.dup(conn.fileno())) as sock:
            sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
