"""The campaign file: TOML → typed, validated models.

Every error names the file, the key (``recipients[2].email``) and what is allowed, so that a
volunteer editing the file at 8 a.m. on event day can fix it without reading code.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

LanguageCode = Literal["en", "fr"]
LANGUAGE_NAMES = {"en": "English", "fr": "French"}

# The sample campaign ships this placeholder; `check-config` warns until an organiser replaces it.
PLACEHOLDER_DONATION_MARK = "REPLACE-ME"


class ConfigError(Exception):
    """A campaign file that cannot be used. ``messages`` are ready to show, one per problem."""

    def __init__(self, path: Path, messages: list[str]):
        self.path = path
        self.messages = messages
        super().__init__("\n".join(f"{path}: {m}" for m in messages))


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


class CampaignInfo(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="Short id, a-z 0-9 and -")
    languages: list[LanguageCode] = Field(min_length=1)
    default_language: LanguageCode = "en"
    title: Localized
    pitch: Localized
    urgency: Localized
    touchscreen: bool = True
    templates_dir: str = "templates"

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


class PrinterSettings(_Model):
    """Where letters print. Connection details are checked in depth by the printing module."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    connection: Literal["network", "usb", "serial", "file", "cups"] = "file"
    host: str | None = None
    port: int = Field(9100, ge=1, le=65535)
    timeout_seconds: float = Field(5.0, gt=0, le=60)
    usb_vendor_id: int | None = None
    usb_product_id: int | None = None
    serial_device: str | None = None
    serial_baudrate: int = 9600
    path: str | None = Field(None, description="file connection: path, relative to the data dir")
    cups_queue: str | None = None
    profile: str = "default"
    paper_width_mm: Literal[58, 80] = 80
    codepage: str = "CP858"
    cut: bool = True
    print_qr: bool = True
    footer: Localized = Localized()

    @field_validator("usb_vendor_id", "usb_product_id", mode="before")
    @classmethod
    def _hex_ids(cls, v: Any) -> Any:
        if isinstance(v, str):
            try:
                return int(v, 16)
            except ValueError:
                raise ValueError("a USB id in hex, e.g. \"0x04b8\"") from None
        return v

    @model_validator(mode="after")
    def _connection_fields(self) -> PrinterSettings:
        needed = {
            "network": ["host"],
            "usb": ["usb_vendor_id", "usb_product_id"],
            "serial": ["serial_device"],
            "file": ["path"],
            "cups": ["cups_queue"],
        }[self.connection]
        missing = [k for k in needed if getattr(self, k) is None]
        if missing:
            raise ValueError(
                f"connection = \"{self.connection}\" needs {', '.join(missing)}"
            )
        return self


class EmailSettings(_Model):
    """Outbox and SMTP. With no ``host`` emails are kept queued until one is set."""

    enabled: bool = True
    sender_address: EmailAddress
    sender_name: str = Field(min_length=1, max_length=80)
    host: str | None = None
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    timeout_seconds: float = Field(20.0, gt=0, le=120)
    max_per_minute: int = Field(30, ge=1, le=1000)
    hold_for_review: bool = False

    @model_validator(mode="after")
    def _password_source(self) -> EmailSettings:
        if self.password_env and self.password_file:
            raise ValueError("give password_env or password_file, not both")
        if (self.password_env or self.password_file) and not self.username:
            raise ValueError("a password is set but username is missing")
        return self


class StaffSettings(_Model):
    pin_hash: str | None = Field(None, description="Argon2 hash made by `python -m kiosk hash-pin`")
    retention_days: int = Field(30, ge=0, le=3650)


class Campaign(_Model):
    campaign: CampaignInfo
    donation: Donation
    session: SessionSettings = SessionSettings()
    letter: LetterSettings
    recipients: list[Recipient] = Field(min_length=1)
    starting_texts: list[StartingText] = Field(min_length=1)
    talking_points: LocalizedLines
    printer: PrinterSettings = PrinterSettings(path="printer-output.bin")
    email: EmailSettings
    staff: StaffSettings = StaffSettings()

    # Set by load_campaign: where the file lives, so relative paths resolve against it.
    source: Path | None = Field(None, exclude=True)

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

    def warnings(self) -> list[str]:
        """Things that work but an organiser should fix before the doors open."""
        out = []
        if PLACEHOLDER_DONATION_MARK in self.donation.url:
            out.append(
                f"donation.url: still the sample placeholder ({self.donation.url}); "
                "set your organisation's real donation page"
            )
        if not self.staff.pin_hash:
            out.append("staff.pin_hash: not set; make one with `python -m kiosk hash-pin`")
        if self.email.enabled and not self.email.host:
            out.append("email.host: not set; emails will stay queued until a server is configured")
        return out


# --- loading -----------------------------------------------------------------------------------


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-after", "function-before")):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _friendly(err: dict[str, Any]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "missing; this key is required"
    if kind == "extra_forbidden":
        return "unknown key; check the spelling against docs/campaign.md"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        return f"not allowed here (must match {ctx.get('pattern')})"
    if kind in ("int_parsing", "int_type"):
        return "must be a whole number"
    if kind in ("bool_parsing", "bool_type"):
        return "must be true or false"
    if kind in ("string_type",):
        return "must be text in quotes"
    if kind in ("list_type",):
        return "must be a list, e.g. [\"a\", \"b\"]"
    if kind == "too_short":
        return "must not be empty"
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


def _check_languages(c: Campaign) -> list[str]:
    """Every text the visitor can see must exist in every language the campaign offers."""
    problems: list[str] = []

    def walk(obj: Any, key: str) -> None:
        if isinstance(obj, Localized | LocalizedLines):
            if key.startswith("printer.footer") and obj.en is None and obj.fr is None:
                return  # an optional text left out entirely
            for lang in c.campaign.languages:
                if getattr(obj, lang) in (None, "", []):
                    problems.append(
                        f"{key}: missing {LANGUAGE_NAMES[lang]} ({lang}) text; "
                        f"every language in campaign.languages needs one"
                    )
        elif isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                walk(getattr(obj, name), f"{key}.{name}" if key else name)
        elif isinstance(obj, list):
            for i, item in enumerate(obj):
                walk(item, f"{key}[{i}]")

    walk(c, "")
    return problems


def _check_ids_and_templates(c: Campaign) -> list[str]:
    problems: list[str] = []
    for field, items in (("recipients", c.recipients), ("starting_texts", c.starting_texts)):
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                problems.append(f"{field}[{i}].id: {item.id!r} is used twice; ids must be unique")
            seen.add(item.id)
    from kiosk.compose import TemplateProblem, check_template

    for i, t in enumerate(c.starting_texts):
        for lang in c.campaign.languages:
            try:
                check_template(c, lang, t.template)
            except TemplateProblem as e:
                problems.append(f"starting_texts[{i}].template: {e}")
    for lang in c.campaign.languages:
        try:
            check_template(c, lang, None, source=c.letter.email_subject.get(lang))
        except TemplateProblem as e:
            problems.append(f"letter.email_subject.{lang}: {e}")
    return problems


def load_campaign(path: str | Path) -> Campaign:
    """Read and validate a campaign file; raise ConfigError listing every problem found."""
    path = Path(path).expanduser().resolve()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, ["file not found"]) from None
    except UnicodeDecodeError:
        raise ConfigError(path, ["not UTF-8 text; save the file as UTF-8"]) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(path, [f"not valid TOML: {e}"]) from None
    try:
        campaign = Campaign.model_validate(raw).model_copy(update={"source": path})
    except ValidationError as e:
        msgs = [f"{_key_path(err['loc'])}: {_friendly(err)}" for err in e.errors()]
        raise ConfigError(path, msgs) from None
    problems = _check_languages(campaign) + _check_ids_and_templates(campaign)
    if problems:
        raise ConfigError(path, problems)
    return campaign
