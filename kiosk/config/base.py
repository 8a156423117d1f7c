"""Shared pieces of the campaign models: languages, texts per language, email addresses."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
)

LanguageCode = Literal["en", "fr"]
LANGUAGE_NAMES = {"en": "English", "fr": "French"}

# The sample campaign ships this placeholder; `check-config` warns until an organiser replaces it.
PLACEHOLDER_DONATION_MARK = "REPLACE-ME"


def _check_email(value: str) -> str:
    # email-validator is what pydantic's EmailStr uses; called directly so the message is ours.
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError("not an email address") from None


EmailAddress = Annotated[str, AfterValidator(_check_email)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Localized(_Model):
    """One text per language. Which languages must be present is checked against
    ``campaign.languages`` once the whole file is read."""

    en: str | None = None
    fr: str | None = None

    def get(self, lang: str) -> str:
        value = getattr(self, lang, None)
        return value if value is not None else (self.en or self.fr or "")


class LocalizedLines(_Model):
    en: list[str] | None = None
    fr: list[str] | None = None

    def get(self, lang: str) -> list[str]:
        value = getattr(self, lang, None)
        return list(value if value is not None else (self.en or self.fr or []))
