"""Email address syntax: the kiosk's one rule for what an address is, for the campaign's
addresses (sender, recipients) and the visitor's alike."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

EMAIL_MAX = 254

# An address the kiosk can write into a header and an SMTP envelope as it is: a dot-atom local
# part in ASCII, and a domain in ASCII (an international domain is converted to punycode). A
# non-ASCII local part (jöhn@…) would need SMTPUTF8 from every server on the way, which the
# kiosk does not rely on: such addresses are refused, with their own reason, everywhere.
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
# Top-level names reserved for no mail on the internet (RFC 2606, 6761, 6762, 7686).
_NO_MAIL_TLDS = frozenset({"invalid", "local", "localhost", "test", "onion", "internal"})


class EmailFault(StrEnum):
    """Why ``check_email`` refuses an address."""

    INVALID = "invalid"  # not an address at all, or one no server would take
    NON_ASCII_LOCAL = "non_ascii_local"  # accents or other letters before the @


def _examine(text: str) -> tuple[str | None, EmailFault | None]:
    text = unicodedata.normalize("NFC", (text or "").strip())
    if not text or len(text) > EMAIL_MAX or text.count("@") != 1:
        return None, EmailFault.INVALID
    local, domain = text.split("@")
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None, EmailFault.INVALID
    labels = domain.split(".")
    if (len(labels) < 2 or not all(_LABEL.match(label) for label in labels)
            or labels[-1].isdigit() or labels[-1] in _NO_MAIL_TLDS or len(domain) > 253):
        return None, EmailFault.INVALID
    if not local.isascii() and local.isprintable() and not any(ch.isspace() for ch in local):
        return None, EmailFault.NON_ASCII_LOCAL
    if len(local) > 64 or not _LOCAL.match(local):
        return None, EmailFault.INVALID
    return f"{local}@{domain}", None


def check_email(text: str) -> str | None:
    """The address as the kiosk writes it (ASCII, domain in lower case and punycode), or None
    when it is not one the kiosk can send to. The Sign step, the campaign file's checks and the
    email builder all use this one rule."""
    return _examine(text)[0]


def email_fault(text: str) -> EmailFault | None:
    """Why ``check_email(text)`` is None (None when the address is fine)."""
    return _examine(text)[1]
