"""A letter: what one visitor sends to one recipient, exactly as printed and emailed."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from kiosk.i18n import tr

if TYPE_CHECKING:
    from kiosk.config import Campaign


class SignMode(StrEnum):
    FULL = "full"
    FIRST = "first"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Signer:
    """Who signed, as they chose. Contact details are kept only for what the visitor asked."""

    mode: SignMode = SignMode.FULL
    first_name: str = ""
    last_name: str = ""
    city: str = ""
    postal_code: str = ""
    email: str = ""
    opt_in: bool = False
    send_copy: bool = False
    # A signature drawn on the Sign step, as PNG bytes; None when the visitor only typed a name
    # (the default). Printed on paper only: no email carries it.
    drawing: bytes | None = field(default=None, repr=False)

    def name(self) -> str:
        """The name as the visitor chose to sign: none when anonymous, the first name alone
        when they chose that. The one rule every output follows (letters, exports, opt-ins)."""
        if self.mode is SignMode.ANONYMOUS:
            return ""
        if self.mode is SignMode.FIRST:
            return self.first_name
        return f"{self.first_name} {self.last_name}".strip()

    def display_name(self, lang: str) -> str:
        """The name under the letter."""
        if self.mode is SignMode.ANONYMOUS:
            return tr("letter.anonymous_signature", lang)
        return self.name()

    def signature_lines(self, lang: str) -> list[str]:
        """What stands under the closing: the name, then the town and postal code if given."""
        lines = [self.display_name(lang)]
        if place := self.place():
            lines.append(place)
        return lines

    def short_name(self, lang: str) -> str:
        """A short, less identifying form for the email's From line, e.g. "Jane D."."""
        if self.mode is SignMode.ANONYMOUS:
            return tr("letter.anonymous_short", lang)
        if self.mode is SignMode.FIRST or not self.last_name:
            return self.first_name
        return f"{self.first_name} {self.last_name[0]}."

    def place(self) -> str:
        return ", ".join(p for p in (self.city, self.postal_code) if p)


@dataclass(frozen=True)
class Letter:
    recipient_id: str
    language: str
    salutation: str
    body: str
    closing: str
    signer: Signer
    address_lines: tuple[str, ...] = field(default=())
    postage_free: bool = False
    recipient_email: str | None = None

    @property
    def signature_lines(self) -> list[str]:
        return self.signer.signature_lines(self.language)

    def text(self) -> str:
        """The letter as the recipient reads it: the email body and the printed letter."""
        sig = "\n".join(self.signature_lines)
        return f"{self.salutation}\n\n{self.body}\n\n{self.closing}\n{sig}"


def make_letter(
    campaign: Campaign, recipient_id: str, lang: str, body: str, signer: Signer
) -> Letter:
    r = campaign.recipient(recipient_id)
    return Letter(
        recipient_id=r.id,
        language=lang,
        salutation=r.salutation.get(lang),
        body=body,
        closing=campaign.letter.closing.get(lang),
        signer=signer,
        address_lines=tuple(r.address.get(lang)),
        postage_free=r.postage_free,
        recipient_email=r.email,
    )
