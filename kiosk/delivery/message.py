"""The email for one outbox row, built with the standard library's ``email`` package.

From is the campaign's own address (display name "Jane D. via <campaign>"): only the campaign's
domain can pass SPF/DKIM/DMARC for mail this kiosk sends; a From in the visitor's domain would be
rejected or land in spam. The visitor's address, when they gave one, goes in Reply-To so the
recipient's answer reaches them, and in Cc when they were granted a copy (one per visitor, within
a daily limit per address: ``kiosk.delivery.visitor_copy``); an email with a copy says so in its
first line.

Visitor text never reaches a header as typed: names lose control characters (CR/LF, NEL, U+2028)
and the characters that could make a name look like an address, and are capped in length. Then
``kiosk.delivery.mail_headers`` writes every header that carries text (From, Reply-To, Cc,
Subject) itself, so that nothing a visitor types is ever decoded as an RFC 2047 encoded word or
read as header syntax. Addresses must pass ``kiosk.domain.text_rules.check_email`` (the Sign step's
own rule) or they are left out.

Only the standard library and pure kiosk modules are imported here: a test builds and parses
these emails under every CPython >= 3.11 on the machine.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING

from kiosk.delivery.mail_headers import ONE_WORD_BYTES, WrittenHeader, mailbox, unstructured
from kiosk.domain.text_rules import check_email, email_fault
from kiosk.i18n import tr

if TYPE_CHECKING:
    from kiosk.config import EmailSettings
    from kiosk.store.outbox import OutboxItem

from kiosk.store.outbox import parse_iso

NAME_MAX = 40  # the visitor's part of the From name; "Jane D." needs far less
SENDER_NAME_MAX = 80
SUBJECT_MAX = 200  # folded over several lines; capped so it stays a subject

_MESSAGE_ID = re.compile(r"^<[^<>\s@]+@[^<>\s@]+>$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
# Characters that would let a display name pass for an address or break quoting in some clients.
_NAME_DROP = str.maketrans("", "", '<>@"\\')


class MessageError(ValueError):
    """This row cannot become an email (e.g. the recipient's address is not one).

    ``key`` names the reason in the ``email.build`` catalog, so staff read it in their language.
    """

    def __init__(self, key: str, **values: str):
        self.key = key
        self.values = values
        super().__init__(f"{key}: {values}")

    def describe(self, lang: str) -> str:
        values = dict(self.values)
        if "fault" in values:
            values["why"] = tr(f"email.build.fault_{values.pop('fault')}", lang)
        return tr(f"email.build.{self.key}", lang, **values)


@dataclass(frozen=True)
class Envelope:
    """What the SMTP dialogue uses: MAIL FROM, the recipient, and the visitor's copy if any."""

    mail_from: str
    recipient: str
    copy_to: str | None = None


def header_text(value: str, max_len: int, max_bytes: int | None = None) -> str:
    """One safe line of header text: no control characters, collapsed spaces, capped length
    (in characters, and in UTF-8 bytes when ``max_bytes`` is given)."""
    value = unicodedata.normalize("NFC", value or "")
    # Cc and Cf cover CR, LF, NEL and invisible marks; Zl/Zp are U+2028/U+2029 line breaks.
    kept = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in value
        if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn") or ch in "\u200d\ufe0f"
    )
    line = " ".join(kept.split())
    limit = max_bytes if max_bytes is not None else len(line.encode("utf-8"))

    def fits(text: str) -> bool:
        return len(text) <= max_len and len(text.encode("utf-8")) <= limit

    if not fits(line):
        while line and not fits(line.rstrip() + "…"):
            line = line[:-1]
        line = line.rstrip() + "…"
    return line


def display_name(value: str, max_len: int, max_bytes: int | None = None) -> str:
    return header_text(header_text(value, max_len * 2).translate(_NAME_DROP), max_len, max_bytes)


def visitor_display_name(short_name: str) -> str:
    """The visitor's name as headers carry it: short enough in bytes to be one encoded word,
    so every mail client shows it the same (see ``kiosk.delivery.mail_headers``)."""
    return display_name(short_name, NAME_MAX, ONE_WORD_BYTES)


def from_display_name(short_name: str, sender_name: str, lang: str) -> str:
    sender = display_name(sender_name, SENDER_NAME_MAX)
    name = visitor_display_name(short_name)
    if not name:
        return sender
    try:
        return header_text(tr("email.from_name", lang, name=name, campaign=sender), 2 * 80)
    except KeyError:  # a language without the catalog: the English form, not a crash
        return f"{name} via {sender}"


def copy_note(sender_name: str, lang: str) -> str:
    """The first line of an email that also goes to its writer: says what it is, to both."""
    campaign = header_text(sender_name, SENDER_NAME_MAX)
    try:
        return tr("email.copy_note", lang, campaign=campaign)
    except KeyError:
        return tr("email.copy_note", "en", campaign=campaign)


def _address(value: str | None, key: str) -> str:
    address = check_email(value or "")
    if address is None:
        raise MessageError(key, address=repr(value), fault=str(email_fault(value or "")))
    return address


def build_message(item: OutboxItem, settings: EmailSettings) -> tuple[EmailMessage, Envelope]:
    """The email for ``item``, identical on every retry (same Message-ID, Date and bytes)."""
    sender = _address(settings.sender_address, "sender")
    recipient = _address(item.to_addr, "recipient")
    if not _MESSAGE_ID.match(item.message_id or ""):
        raise MessageError("message_id", message_id=repr(item.message_id))
    lang = item.language if _LANGUAGE.match(item.language or "") else "en"
    visitor = check_email(item.visitor_email or "")
    visitor_name = visitor_display_name(item.short_name)
    copy_to = visitor if visitor and item.send_copy else None

    msg = EmailMessage(policy=policy.SMTP)

    def put(name: str, value: str, *, structured: bool = True) -> None:
        msg[name] = WrittenHeader(name, value, structured=structured)

    put("From", mailbox(from_display_name(item.short_name, settings.sender_name, lang), sender))
    put("To", recipient)
    if visitor:
        put("Reply-To", mailbox(visitor_name, visitor))
    if copy_to:
        put("Cc", mailbox(visitor_name, copy_to))
    put("Subject", unstructured(header_text(item.subject, SUBJECT_MAX)), structured=False)
    # The moment the visitor confirmed, not the moment a retry got through: the letter was
    # written then, and a retry stays byte-for-byte the same email.
    put("Date", format_datetime(parse_iso(item.created_at).astimezone(UTC)))
    put("Message-ID", item.message_id)
    body = item.full_text
    if copy_to:
        body = f"{copy_note(settings.sender_name, lang)}\n\n{body}"
    # Quoted-printable keeps the body 7-bit, so it passes servers without 8BITMIME unchanged;
    # readers decode it back to exactly the reviewed letter.
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    put("Content-Language", lang)  # after set_content, which clears every Content-* header
    return msg, Envelope(mail_from=sender, recipient=recipient, copy_to=copy_to)


def message_bytes(msg: EmailMessage) -> bytes:
    """The message as it goes on the wire: CRLF line ends."""
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
