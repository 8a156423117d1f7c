"""The campaign: what visitors see and who they write to."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from kiosk.config.base import (
    PLACEHOLDER_DONATION_MARK,
    EmailAddress,
    LanguageCode,
    Localized,
    LocalizedLines,
    _Model,
)
from kiosk.config.devices import EmailSettings, PrinterSettings
from kiosk.config.hub import HubSettings
from kiosk.config.office_printer import OfficePrinterSettings


class CampaignInfo(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="Short id, a-z 0-9 and -")
    languages: list[LanguageCode] = Field(min_length=1)
    default_language: LanguageCode = "en"
    title: Localized
    pitch: Localized
    urgency: Localized
    touchscreen: bool = True
    french_keyboard: Literal["fr_CA", "fr_FR"] = Field(
        "fr_CA", description="On-screen keyboard for French: Canadian French or AZERTY (fr_FR)")
    templates_dir: str = "templates"

    @field_validator("templates_dir")
    @classmethod
    def _folder_name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError('must not be empty; use "." for the campaign file\'s own folder')
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in v):
            raise ValueError("must be a folder name, without control characters")
        return v

    @model_validator(mode="after")
    def _default_in_languages(self) -> CampaignInfo:
        if self.default_language not in self.languages:
            raise ValueError(
                f"default_language {self.default_language!r} must be one of languages "
                f"{self.languages}"
            )
        if len(set(self.languages)) != len(self.languages):
            raise ValueError("languages lists a language twice")
        return self


class Recipient(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: Localized = Field(description="Display name shown on the card, e.g. the office")
    office: Localized
    salutation: Localized
    address: LocalizedLines
    email: EmailAddress | None = None
    postage_free: bool = False


class StartingText(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    title: Localized
    template: str = Field(pattern=r"^[A-Za-z0-9_-]+$", description="File stem in letters/<lang>/")


class Donation(_Model):
    url: str = Field(pattern=r"^https?://\S+$")
    caption: Localized


class SessionSettings(_Model):
    idle_timeout_seconds: int = Field(90, ge=15, le=3600)
    idle_countdown_seconds: int = Field(20, ge=5, le=120)
    thanks_seconds: int = Field(30, ge=5, le=600)
    body_min_chars: int = Field(20, ge=1, le=10_000)
    body_max_chars: int = Field(4000, ge=100, le=20_000)

    @model_validator(mode="after")
    def _bounds(self) -> SessionSettings:
        if self.body_min_chars >= self.body_max_chars:
            raise ValueError("body_min_chars must be smaller than body_max_chars")
        return self


class LetterSettings(_Model):
    closing: Localized
    email_subject: Localized = Field(description="Jinja2 template; may use {{ recipient.office }}")
    drawn_signature: bool = Field(True, description="offer the signing pad on the Sign step")


class StaffSettings(_Model):
    pin_hash: str | None = Field(None, description="Argon2 hash made by `python -m kiosk hash-pin`")
    retention_days: int = Field(30, ge=0, le=3650)

    @field_validator("pin_hash")
    @classmethod
    def _usable_hash(cls, v: str | None) -> str | None:
        # A hash the PIN pad cannot check (the PIN itself, a damaged paste) would lock every
        # member of staff out of the panel on the day.
        from kiosk.pin_rules import pin_hash_problem

        if v and (problem := pin_hash_problem(v)):
            raise ValueError(problem)
        return v


class Campaign(_Model):
    campaign: CampaignInfo
    donation: Donation
    session: SessionSettings = SessionSettings()
    letter: LetterSettings
    # More cards than these would not fit a screen a visitor can take in.
    recipients: list[Recipient] = Field(min_length=1, max_length=100)
    starting_texts: list[StartingText] = Field(min_length=1, max_length=50)
    talking_points: LocalizedLines
    printer: PrinterSettings = PrinterSettings(path="printer-output.bin")
    office_printer: OfficePrinterSettings = OfficePrinterSettings()
    email: EmailSettings
    staff: StaffSettings = StaffSettings()
    hub: HubSettings = HubSettings()

    # Set by load_campaign: where the file lives, so relative paths resolve against it.
    source: Path | None = Field(None, exclude=True)
    # The compiled templates, kept by kiosk.compose once checked (not part of the file).
    _templates: Any = PrivateAttr(default=None)

    @property
    def languages(self) -> list[str]:
        return list(self.campaign.languages)

    @property
    def templates_path(self) -> Path:
        base = self.source.parent if self.source else Path.cwd()
        return (base / self.campaign.templates_dir).resolve()

    def recipient(self, recipient_id: str) -> Recipient:
        for r in self.recipients:
            if r.id == recipient_id:
                return r
        raise KeyError(recipient_id)

    def starting_text(self, text_id: str) -> StartingText:
        for t in self.starting_texts:
            if t.id == text_id:
                return t
        raise KeyError(text_id)

    def donation_warnings(self) -> list[str]:
        if PLACEHOLDER_DONATION_MARK in self.donation.url:
            return [
                f"donation.url: still the sample placeholder ({self.donation.url}); "
                "set your organisation's real donation page"
            ]
        return []

    def email_warnings(self) -> list[str]:
        out = []
        if self.email.enabled and not self.email.host:
            out.append("email.host: not set; emails will stay queued until a server is configured")
        out += self.email.warnings(self.source.parent if self.source else None)
        return out
