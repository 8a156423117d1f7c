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

# What a failure means, by its SQLSTATE when the server gave one (after the login), else by the
# words of libpq's or the server's login failure (no SQLSTATE reaches the client then).
_REFUSED_STATES = {"28": "credentials", "3D": "database", "42501": "privilege",
                   "42P01": "schema", "3F": "schema"}
_REFUSED_WORDS = {
    "credentials": ("password authentication failed", "no password supplied",
                    "peer authentication failed", "no pg_hba.conf entry",
                    "role \"", "Kerberos", "GSSAPI"),
    "database": ("database \"",),
    "url": ("invalid connection option", "invalid URI", "missing \"=\"", "invalid sslmode",
            "Name or service not known", "nodename nor servname", "invalid integer value"),
    # A certificate that cannot be checked; not any SSL word (a dropped TLS link says "SSL").
    "tls": ("certificate verify failed", "root certificate file", "server certificate for",
            "does not match host name", "certificate", "sslmode value"),
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
    """What a failure to connect or to talk means for staff: wait (the hub away, the link
    dropped, a name not resolved for now) or act (the URL, the login, the database, the schema,
    what this login may do, the hub's certificate)."""
    text = str(error).strip()
    state = getattr(error, "sqlstate", None)
    if state:
        kind = _REFUSED_STATES.get(state) or _REFUSED_STATES.get(state[:2])
        if kind == "schema":
            return HubRefused("schema", url, f"{text}; the hub's tables are missing: run "
                                             "`python -m kiosk hub init` once (docs/hub.md)")
        return HubRefused(kind, url, text) if kind else HubAway(text)
    for kind, phrases in _REFUSED_WORDS.items():
        if any(p in text for p in phrases):
            if kind == "tls" and ("SSL SYSCALL" in text or "unexpected eof" in text
                                  or "connection has been closed" in text):
                break  # a TLS link that dropped: the hub away, not its certificate
            return HubRefused(kind, url, text)
    return HubAway(text or type(error).__name__)


def connect(url: str, *, timeout: float, name: str,
            statement_timeout: bool = True) -> psycopg.Connection[tuple[object, ...]]:
    """A connection to the hub, or ``HubAway``/``HubRefused``. ``name`` is how the hub's
    administrators see this kiosk (``application_name``). ``statement_timeout``: the server
    gives up a statement after ``timeout`` too; not for the owner's commands (an export or a
    purge of a big event takes its time)."""
    import psycopg

    seconds = max(2, round(timeout))  # libpq's connect_timeout counts whole seconds, 2 at least
    try:
        return psycopg.connect(
            url, connect_timeout=seconds, application_name=f"letter-kiosk {name}"[:63],
            keepalives=1, keepalives_idle=max(1, seconds // 2), keepalives_interval=2,
            keepalives_count=3, tcp_user_timeout=int(timeout * 1000),
            options=f"-c statement_timeout={int(timeout * 1000) if statement_timeout else 0}",
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
