"""The event's hub: several kiosks sharing one PostgreSQL database (docs/hub.md).

Optional. A campaign without ``[hub]`` (or with ``enabled = false``) runs as a kiosk on its own.
The hub is named by a libpq connection string, as every PostgreSQL tool names a database:
``postgresql://kiosk@hub.local/letters?sslmode=verify-full`` or ``host=hub.local dbname=letters
user=kiosk``; an empty one means "as the PG* environment variables say". The password never
sits in the campaign file: libpq reads it from the passfile (~/.pgpass) or PGPASSWORD in the
service's environment file, so a connection string that carries one is refused here.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from pydantic import Field, field_validator

from kiosk.config.base import _Model

_URI = re.compile(r"^postgres(?:ql)?://", re.IGNORECASE)
# A ``password`` key of a key=value connection string, however it is spaced.
_PASSWORD_KEY = re.compile(r"(?:^|\s)password\s*=", re.IGNORECASE)
_NO_PASSWORD = ("the password does not belong in the campaign file: put it in the passfile "
                "(~/.pgpass) or in PGPASSWORD in the service's environment file (docs/hub.md)")


def conninfo_problem(text: str) -> str | None:
    """Why ``text`` cannot name the hub, or None. Only what can be told without libpq: the
    form, one line, and no password in it."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return "must be one line, without control characters"
    if not text.strip():
        return None  # the PG* environment variables say it all
    if _URI.match(text):
        try:
            parts = urlsplit(text)
            password = parts.password
        except ValueError as e:
            return f"not a connection URI libpq can read ({e})"
        if password is not None or "password" in {k.lower() for k in parse_qs(parts.query)}:
            return _NO_PASSWORD
        return None
    if "=" not in text:
        return ('a libpq connection string, e.g. "postgresql://kiosk@hub.local/letters" or '
                '"host=hub.local dbname=letters user=kiosk"')
    if _PASSWORD_KEY.search(text):
        return _NO_PASSWORD
    return None


def masked(text: str) -> str:
    """The connection string as it may be shown or logged: host, port, database and user only
    (a password given by mistake never reaches a screen or a log)."""
    if _URI.match(text):
        try:
            parts = urlsplit(text)
            host = parts.hostname or ""
            host = f"[{host}]" if ":" in host else host
            port = f":{parts.port}" if parts.port else ""
        except ValueError:
            return "(a connection string libpq cannot read)"
        user = f"{parts.username}@" if parts.username else ""
        return f"postgresql://{user}{host}{port}{parts.path}"
    if not text.strip():
        return "(from the PG* environment variables)"
    keep = ("host", "hostaddr", "port", "dbname", "user", "sslmode")
    pairs = re.findall(r"(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", text)
    shown = " ".join(f"{k}={v}" for k, v in pairs if k.lower() in keep)
    return shown or "(a connection string naming no host, database or user)"


class HubSettings(_Model):
    """Where this kiosk's letters meet the others' (docs/hub.md)."""

    enabled: bool = Field(False, description="true: letters are also kept at the hub")
    url: str = Field("", max_length=2000,
                     description="libpq connection string without password; empty: PG* env")
    kiosk_name: str | None = Field(None, min_length=1, max_length=40,
                                   description="how staff see this kiosk (default: host name)")
    upload_seconds: float = Field(10.0, ge=1, le=3600,
                                  description="longest wait before letters are sent to the hub")
    timeout_seconds: float = Field(10.0, ge=1, le=120,
                                   description="longest wait for the hub's answer")
    show_total: bool = Field(False, description="the attract screen shows the event's total")

    @field_validator("url")
    @classmethod
    def _usable_url(cls, v: str) -> str:
        if problem := conninfo_problem(v):
            raise ValueError(problem)
        return v

    @field_validator("kiosk_name")
    @classmethod
    def _one_line(cls, v: str | None) -> str | None:
        if v is not None and any(ord(ch) < 32 or ord(ch) == 127 for ch in v):
            raise ValueError("must be one line, without control characters")
        return v
