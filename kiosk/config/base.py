"""Shared pieces of the campaign models: languages, texts per language, email addresses."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
)

LanguageCode = Literal["en", "fr"]
LANGUAGE_NAMES = {"en": "English", "fr": "French"}

# The sample campaign ships this placeholder; `check-config` warns until an organiser replaces it.
PLACEHOLDER_DONATION_MARK = "REPLACE-ME"


def _check_email(value: str) -> str:
    # The kiosk's one address rule, the same the Sign step and the email builder apply: an
    # address that passes here can be sent to; one that cannot is refused before the event.
    from kiosk.addresses import EmailFault, check_email, email_fault

    address = check_email(value)
    if address is not None:
        return address
    if email_fault(value) is EmailFault.NON_ASCII_LOCAL:
        raise ValueError(
            f'"{value}" has accents or other non-ASCII letters before the @; mail servers '
            "take such addresses only with SMTPUTF8, which the kiosk does not use; use the "
            "mailbox's plain ASCII address (letters a-z, digits, . _ - before the @)")
    raise ValueError("not an email address")


EmailAddress = Annotated[str, AfterValidator(_check_email)]

_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$")


def host_name_problem(value: str) -> str | None:
    """What keeps ``value`` from being a host name or an IP address (the printer's, the SMTP
    server's), or None. A port, a scheme or a path is the usual mistake."""
    import ipaddress

    if not value.strip():
        return "empty"
    try:
        ipaddress.ip_address(value)
        return None
    except ValueError:
        pass
    if "://" in value:
        return f'"{value}" has a scheme (like tcp://)'
    if re.fullmatch(r"[^:]+:\d*", value) or re.fullmatch(r"\[[^\]]*\]:\d*", value):
        return f'"{value}" has a port in it'
    labels = value.removesuffix(".").split(".")
    if all(label.isdigit() for label in labels):
        return f'"{value}" is not a valid IP address'
    if len(value) > 253 or not all(_LABEL.match(label) for label in labels):
        return f'"{value}" is not a host name (letters a-z, digits, - and dots) or IP address'
    return None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# Generous for any one text on a screen or a receipt (the sample's longest is 190 characters);
# a megabyte of title would only stall the screens that lay it out.
MAX_TEXT_CHARS = 2000
MAX_LINES = 100
_Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]


class Localized(_Model):
    """One text per language. Which languages must be present is checked against
    ``campaign.languages`` once the whole file is read."""

    en: _Text | None = None
    fr: _Text | None = None

    def get(self, lang: str) -> str:
        value = getattr(self, lang, None)
        return value if value is not None else (self.en or self.fr or "")


class LocalizedLines(_Model):
    en: list[_Text] | None = Field(None, max_length=MAX_LINES)
    fr: list[_Text] | None = Field(None, max_length=MAX_LINES)

    def get(self, lang: str) -> list[str]:
        value = getattr(self, lang, None)
        return list(value if value is not None else (self.en or self.fr or []))
