"""Shared pieces of the campaign models: languages, texts per language, email addresses."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
)

from kiosk.i18n import language_file

# The model_validate context key listing the languages a campaign may offer: the kiosk's and
# those its own catalogs bring (kiosk.config.languages). Without it, kiosk.i18n.languages().
LANGUAGES_CONTEXT = "languages"


def _choices(values: Collection[str]) -> str:
    items = [f"'{v}'" for v in values]
    return ", ".join(items[:-1]) + f" or {items[-1]}" if len(items) > 1 else "".join(items)


def known_languages(info: ValidationInfo | None = None) -> tuple[str, ...]:
    context = info.context if info is not None else None
    if isinstance(context, dict) and LANGUAGES_CONTEXT in context:
        return tuple(context[LANGUAGES_CONTEXT])
    from kiosk.i18n import languages

    return languages()


def _language_with_catalogs(code: str, info: ValidationInfo) -> str:
    known = known_languages(info)
    if code not in known:
        where = (f"i18n/{code}/" if language_file.CODE.match(code)
                 else "i18n/<code>/, named by a code of 2 or 3 lower-case letters")
        raise ValueError(
            f'must be one of {_choices(known)} (the languages the kiosk has catalogs for), '
            f'not "{code}"; a campaign can bring a language\'s catalogs in {where} in its '
            'templates folder (docs/campaign.md, "Adding a language")')
    return code


# A language the campaign offers: one the kiosk has catalogs for, its own or the campaign's.
LanguageCode = Annotated[str, AfterValidator(_language_with_catalogs)]

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


class _PerLanguage(_Model):
    # Keyed by language code (title.en, title.es), so a language added with catalogs needs no
    # field here. Which keys are languages, and that every offered language has its text, is
    # checked against the campaign's languages once the whole file is read
    # (kiosk.config.loading), where each problem can name its key.
    model_config = ConfigDict(extra="allow")

    def texts(self) -> dict[str, object]:
        """Language code → value, as the file gives them."""
        return dict(self.__pydantic_extra__ or {})

    def has(self, lang: str) -> bool:
        return (self.__pydantic_extra__ or {}).get(lang) not in (None, "", [])


class Localized(_PerLanguage):
    """One text per language: ``title.en = "…"``, ``title.fr = "…"``."""

    __pydantic_extra__: dict[str, _Text] = Field(init=False)

    def get(self, lang: str) -> str:
        """The text in ``lang``; in the first language given when it has none (only an
        optional text left out for every language, printer.footer, has none: "")."""
        extra = self.__pydantic_extra__
        if lang in extra:
            return extra[lang]
        return next(iter(extra.values()), "")


class LocalizedLines(_PerLanguage):
    """One list of lines per language: ``address.en = ["…", "…"]``."""

    __pydantic_extra__: dict[str, Annotated[list[_Text], Field(max_length=MAX_LINES)]] = Field(
        init=False)

    def get(self, lang: str) -> list[str]:
        extra = self.__pydantic_extra__
        if lang in extra:
            return list(extra[lang])
        return list(next(iter(extra.values()), []))
