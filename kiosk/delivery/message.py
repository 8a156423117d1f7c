"""The email for one outbox row, built with the standard library's ``email`` package.

From is the campaign's own address (display name "Jane D. via <campaign>"): only the campaign's
domain can pass SPF/DKIM/DMARC for mail this kiosk sends; a From in the visitor's domain would be
rejected or land in spam. The visitor's address, when they gave one, goes in Reply-To so the
recipient's answer reaches them, and in Cc when they asked for a copy.

Visitor text never reaches a header as typed: names lose control characters (CR/LF, NEL, U+2028)
and the characters that could make a name look like an address, are capped in length, and are
encoded by ``email.headerregistry`` (RFC 2047 for accents); addresses must be plain ASCII
addr-specs (an IDN domain is punycoded) or they are left out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING

from kiosk.i18n import tr

if TYPE_CHECKING:
    from kiosk.config import EmailSettings
    from kiosk.store.outbox import OutboxItem

from kiosk.store.outbox import parse_iso

NAME_MAX = 40  # the visitor's part of the From name; "Jane D." needs far less
SENDER_NAME_MAX = 80
SUBJECT_MAX = 200  # folded over several lines by the generator; capped so it stays a subject

# What an addr-spec may be here: dot-atom local part in ASCII (a non-ASCII local part would need
# SMTPUTF8, which not every server offers), and an ASCII (punycoded) domain.
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_MESSAGE_ID = re.compile(r"^<[^<>\s@]+@[^<>\s@]+>$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
# Characters that would let a display name pass for an address or break quoting in some clients.
_NAME_DROP = str.maketrans("", "", '<>@"\\')


class MessageError(ValueError):
    """This row cannot become an email (e.g. the recipient's address is not one)."""


@dataclass(frozen=True)
class Envelope:
    """What the SMTP dialogue uses: MAIL FROM, the recipient, and the visitor's copy if any."""

    mail_from: str
    recipient: str
    copy_to: str | None = None


def header_text(value: str, max_len: int) -> str:
    """One safe line of header text: no control characters, collapsed spaces, capped length."""
    value = unicodedata.normalize("NFC", value or "")
    # Cc and Cf cover CR, LF, NEL and invisible marks; Zl/Zp are U+2028/U+2029 line breaks.
    kept = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in value
        if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn") or ch in "\u200d\ufe0f"
    )
    line = " ".join(kept.split())
    if len(line) > max_len:
        line = line[: max_len - 1].rstrip() + "…"
    return line


def display_name(value: str, max_len: int) -> str:
    return header_text(header_text(value, max_len * 2).translate(_NAME_DROP), max_len)


def safe_address(value: str | None) -> str | None:
    """The address as a plain ASCII addr-spec, or None when it is not one we can put in a header.

    Stricter than ``Address(addr_spec=...)`` on purpose: that parser quietly drops comments, so
    ``a@b.org(x)`` would become ``a@b.org``; here anything unusual is refused outright.
    """
    value = (value or "").strip()
    if not value or len(value) > 254 or value.count("@") != 1:
        return None
    local, domain = value.split("@")
    if len(local) > 64 or not _LOCAL.match(local):
        return None
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return None
    return f"{local}@{domain}"


def from_display_name(short_name: str, sender_name: str, lang: str) -> str:
    sender = display_name(sender_name, SENDER_NAME_MAX)
    name = display_name(short_name, NAME_MAX)
    if not name:
        return sender
    try:
        return header_text(tr("email.from_name", lang, name=name, campaign=sender), 2 * 80)
    except KeyError:  # a language without the catalog: the English form, not a crash
        return f"{name} via {sender}"


def build_message(item: OutboxItem, settings: EmailSettings) -> tuple[EmailMessage, Envelope]:
    """The email for ``item``, identical on every retry (same Message-ID, Date and bytes)."""
    sender = safe_address(settings.sender_address)
    if sender is None:
        raise MessageError(f"email.sender_address {settings.sender_address!r} is not usable")
    recipient = safe_address(item.to_addr)
    if recipient is None:
        raise MessageError(f"recipient address {item.to_addr!r} is not a plain email address")
    if not _MESSAGE_ID.match(item.message_id or ""):
        raise MessageError(f"Message-ID {item.message_id!r} is malformed")
    lang = item.language if _LANGUAGE.match(item.language or "") else "en"
    visitor = safe_address(item.visitor_email)
    visitor_name = display_name(item.short_name, NAME_MAX)

    msg = EmailMessage(policy=policy.SMTP)
    local, domain = sender.split("@")
    msg["From"] = Address(
        display_name=from_display_name(item.short_name, settings.sender_name, lang),
        username=local, domain=domain,
    )
    local, domain = recipient.split("@")
    msg["To"] = Address(username=local, domain=domain)
    copy_to = None
    if visitor:
        local, domain = visitor.split("@")
        msg["Reply-To"] = Address(display_name=visitor_name, username=local, domain=domain)
        if item.send_copy:
            msg["Cc"] = Address(display_name=visitor_name, username=local, domain=domain)
            copy_to = visitor
    msg["Subject"] = header_text(item.subject, SUBJECT_MAX)
    # The moment the visitor confirmed, not the moment a retry got through: the letter was
    # written then, and a retry stays byte-for-byte the same email.
    msg["Date"] = format_datetime(parse_iso(item.created_at).astimezone(UTC))
    msg["Message-ID"] = item.message_id
    # Quoted-printable keeps the body 7-bit, so it passes servers without 8BITMIME unchanged;
    # readers decode it back to exactly the reviewed letter.
    msg.set_content(item.full_text, charset="utf-8", cte="quoted-printable")
    msg["Content-Language"] = lang  # after set_content, which clears every Content-* header
    return msg, Envelope(mail_from=sender, recipient=recipient, copy_to=copy_to)


def message_bytes(msg: EmailMessage) -> bytes:
    """The message as it goes on the wire: CRLF line ends."""
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
