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
    french_keyboard: Literal["fr_CA", "fr_FR"] = Field(
        "fr_CA", description="On-screen keyboard for French: Canadian French or AZERTY (fr_FR)")
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
    """Where and how letters print. See docs/printing.md for choosing each value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    connection: Literal["network", "usb", "serial", "file", "cups"] = "file"
    host: str | None = Field(None, description="network: the printer's IP address or host name")
    port: int = Field(9100, ge=1, le=65535, description="network: raw printing port")
    timeout_seconds: float = Field(
        5.0, gt=0, le=30, description="connect, send and status-reply timeout, in seconds"
    )
    usb_vendor_id: int | None = Field(None, description="usb: vendor id in hex, e.g. \"0x04b8\"")
    usb_product_id: int | None = Field(None, description="usb: product id in hex")
    serial_device: str | None = Field(None, description="serial: e.g. /dev/ttyUSB0")
    serial_baudrate: Literal[1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] = 9600
    path: str | None = Field(None, description="file connection: path, relative to the data dir")
    cups_queue: str | None = Field(None, description="cups: the queue name (lpstat -p)")
    profile: str = Field("default", description="python-escpos profile name, e.g. TM-T20II")
    paper_width_mm: Literal[58, 80] = 80
    columns: int | None = Field(
        None, ge=16, le=80, description="characters per line; default: from profile and paper"
    )
    codepage: str = Field("CP858", description="the one code page locked for this printer")
    codepage_table: int | None = Field(
        None, ge=0, le=255, description="ESC t table number, if the self-test page differs"
    )
    cut: bool = True
    print_qr: bool = True
    qr_size: int = Field(4, ge=1, le=16, description="dots per QR module")
    qr_native: bool = Field(False, description="let the printer draw the QR (GS ( k)")
    answers_status: bool = Field(
        True, description="false only for printers that never answer status requests"
    )
    retry_seconds: float = Field(5.0, ge=0.05, le=600, description="retry while not ready")
    poll_seconds: float = Field(30.0, ge=0.05, le=3600, description="status check when idle")
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

    @model_validator(mode="after")
    def _printer_can_do_it(self) -> PrinterSettings:
        # Profiles and code pages come from python-escpos's printer database, read as data.
        from kiosk.delivery.codepage import known_codepages, profile_info, profile_names

        try:
            info = profile_info(self.profile)
        except KeyError:
            raise ValueError(
                f"profile {self.profile!r} is not a python-escpos profile; use one of "
                f"{', '.join(profile_names())} (\"default\" suits most Epson-compatible printers)"
            ) from None
        name = self.codepage.upper()
        if name not in known_codepages():
            raise ValueError(
                f"codepage {self.codepage!r} is unknown; CP1252 or CP858 suit French"
            )
        if self.codepage_table is None and name not in info.code_pages:
            raise ValueError(
                f"profile {self.profile!r} has no code page {name}; use one of "
                f"{', '.join(sorted(info.code_pages))}, or set codepage_table to the number "
                "your printer's self-test page shows for it"
            )
        if info.width_mm is not None and info.width_mm < 60 and self.paper_width_mm == 80:
            raise ValueError(
                f"profile {self.profile!r} is for 58 mm paper but paper_width_mm = 80"
            )
        if self.qr_native and self.print_qr and not info.native_qr:
            raise ValueError(
                f"qr_native = true but profile {self.profile!r} cannot draw QR codes itself; "
                "set qr_native = false to send the QR as an image"
            )
        return self

    def qr_problems(self, content: str) -> list[str]:
        """Why the donation QR would not fit this paper (empty if it fits). ``load_campaign``
        calls this with the donation URL, which this model cannot see on its own."""
        if not self.print_qr or not content:
            return []
        from kiosk.delivery.receipt import ReceiptFormat, qr_width_dots

        dots = ReceiptFormat.from_settings(self).dots
        width = qr_width_dots(content, self.qr_size, self.qr_native)
        if width <= dots:
            return []
        best = max((s for s in range(1, 17) if qr_width_dots(content, s, self.qr_native) <= dots),
                   default=None)
        hint = f"use qr_size = {best} or less" if best else "shorten the donation URL"
        return [
            f"printer.qr_size: the donation QR code would be {width} dots wide but "
            f"{self.paper_width_mm} mm paper prints {dots}; {hint}, or set print_qr = false"
        ]


class EmailSettings(_Model):
    """Outbox and SMTP (docs/email.md). With no ``host`` emails are kept queued until one is set.

    The password never lives in the campaign file: it is read, at each login, from the
    environment variable named by ``password_env`` or the file named by ``password_file``.
    """

    enabled: bool = Field(True, description="false: emails are kept in the outbox, not sent")
    sender_address: EmailAddress = Field(description="From address, in the campaign's domain")
    sender_name: str = Field(min_length=1, max_length=80, description="From: \"Jane D. via …\"")
    host: str | None = Field(None, description="SMTP server, e.g. smtp.gmail.com; none: wait")
    port: int = Field(587, ge=1, le=65535, description="587 with starttls, 465 with ssl")
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = Field(None, description="NAME of the variable holding it")
    password_file: str | None = Field(None, description="relative to the campaign file")
    timeout_seconds: float = Field(20.0, gt=0, le=120, description="per SMTP step")
    max_per_minute: int = Field(30, ge=1, le=1000)
    hold_for_review: bool = Field(False, description="emails wait for `outbox release`")
    retry_initial_seconds: float = Field(30.0, gt=0, le=3600, description="first retry delay")
    retry_max_seconds: float = Field(1800.0, gt=0, le=86400, description="longest retry delay")

    @field_validator("sender_name")
    @classmethod
    def _one_line(cls, v: str) -> str:
        # It goes into the From header: a line break there could forge other headers.
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in v):
            raise ValueError("must be one line, without control characters")
        return v

    @field_validator("host")
    @classmethod
    def _host_only(cls, v: str | None) -> str | None:
        if not v:
            return None
        if "://" in v or "/" in v or any(ch.isspace() for ch in v) or v.count(":") == 1:
            raise ValueError(
                'a host name only, e.g. "smtp.example.org" (no smtp://, no :port; '
                "the port goes in email.port)"
            )
        return v

    @field_validator("password_env")
    @classmethod
    def _variable_name(cls, v: str | None) -> str | None:
        if v and not (v.isascii() and v.isidentifier()):
            raise ValueError(
                "the NAME of an environment variable (e.g. KIOSK_SMTP_PASSWORD), "
                "not the password itself"
            )
        return v

    @model_validator(mode="after")
    def _password_source(self) -> EmailSettings:
        if self.password_env and self.password_file:
            raise ValueError("give password_env or password_file, not both")
        if (self.password_env or self.password_file) and not self.username:
            raise ValueError("a password is set but username is missing")
        if self.username and not (self.password_env or self.password_file):
            raise ValueError(
                "username is set but there is no password source: set password_env (the name "
                "of an environment variable) or password_file"
            )
        if self.retry_initial_seconds > self.retry_max_seconds:
            raise ValueError("retry_initial_seconds must not be larger than retry_max_seconds")
        return self

    def warnings(self, base_dir: Path | None = None) -> list[str]:
        """Settings that load but will probably not work on the day. ``base_dir``: the campaign
        file's folder, against which ``password_file`` is resolved."""
        import os

        out: list[str] = []
        if not (self.enabled and self.host):
            return out
        if self.security == "ssl" and self.port in (25, 587):
            out.append(f'email.security: "ssl" on port {self.port}, which expects STARTTLS; '
                       'use security = "starttls", or port 465')
        if self.security == "starttls" and self.port == 465:
            out.append('email.security: "starttls" on port 465, which expects SSL at once; '
                       'use security = "ssl", or port 587')
        local = self.host in ("localhost", "127.0.0.1", "::1")
        if self.security == "none" and self.username and not local:
            out.append('email.security: "none" with a username sends the password and every '
                       'letter unencrypted; use "starttls" or "ssl"')
        if self.password_env and not os.environ.get(self.password_env):
            out.append(f"email.password_env: the environment variable {self.password_env} is "
                       "not set here; the kiosk needs it wherever it runs")
        if self.password_file:
            path = ((base_dir or Path.cwd()) / Path(self.password_file).expanduser()).resolve()
            if not path.is_file():
                out.append(f"email.password_file: {path} does not exist")
            elif os.name == "posix" and path.stat().st_mode & 0o077:
                out.append(f"email.password_file: {path} can be read by other users; "
                           f"run: chmod 600 {path}")
        return out


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
            out.append("staff.pin_hash: not set, so nobody can open the staff panel; "
                       "make one with `python -m kiosk hash-pin`")
        else:
            from kiosk.staff import SAMPLE_PIN, verify_pin

            if verify_pin(self.staff.pin_hash, SAMPLE_PIN):
                out.append(f"staff.pin_hash: still the sample PIN ({SAMPLE_PIN}); "
                           "make your own with `python -m kiosk hash-pin`")
        if self.email.enabled and not self.email.host:
            out.append("email.host: not set; emails will stay queued until a server is configured")
        out += self.email.warnings(self.source.parent if self.source else None)
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


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``X``, ``X | None`` or ``list[X]``, if there is one."""
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if (found := _model_in(arg)) is not None:
            return found
    return None


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model that the keys at ``loc`` belong to (``("session",)`` → SessionSettings)."""
    model: type[BaseModel] | None = Campaign
    for part in loc:
        if isinstance(part, int) or str(part).startswith(("function-", "model-")):
            continue
        info = model.model_fields.get(str(part)) if model else None
        model = _model_in(info.annotation) if info else None
        if model is None:
            return None
    return model


def _file_keys(model: type[BaseModel]) -> list[str]:
    return [name for name in model.model_fields if name != "source"]


def _all_field_names() -> set[str]:
    names: set[str] = set()
    todo: list[type] = [_Model]
    while todo:
        cls = todo.pop()
        names.update(getattr(cls, "model_fields", {}))
        todo.extend(cls.__subclasses__())
    return names


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


# The id and file-name patterns of the models above, in words.
_PATTERN_WORDS = {
    r"^[a-z0-9][a-z0-9_-]{0,63}$": "lower-case letters a-z, digits, - and _ (at most 64)",
    r"^[a-z0-9][a-z0-9-]{0,63}$": "lower-case letters a-z, digits and - (at most 64)",
    r"^https?://\S+$": "a web address starting with https:// and without spaces",
    r"^[A-Za-z0-9_-]+$": "a template name without .txt.j2: letters, digits, - and _",
}


def _friendly(err: dict[str, Any]) -> str:
    """Pydantic's message, reworded for someone editing TOML: what is wrong, what is allowed."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    got = f", not {_shown(err['input'])}" if "input" in err else ""
    if kind == "missing":
        return "missing; this key is required"
    if kind == "extra_forbidden":
        import difflib

        model = _model_at(tuple(err["loc"][:-1]))
        if model is None:
            return "unknown key; check the spelling against docs/campaign.md"
        allowed = _file_keys(model)
        close = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        return f"unknown key; {hint}allowed here: {', '.join(allowed)}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}{got}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        allowed = _PATTERN_WORDS.get(pattern, f"text matching {pattern}")
        return f"{_shown(err.get('input'))} is not allowed here; use {allowed}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"must be a whole number{got}"
    if kind in ("float_parsing", "float_type"):
        return f"must be a number{got}"
    if kind in ("bool_parsing", "bool_type"):
        return f"must be true or false{got}"
    if kind == "string_type":
        return f"must be text in quotes{got}"
    if kind == "list_type":
        return f"must be a list, e.g. [\"a\", \"b\"]{got}"
    if kind == "model_type" and _model_at(tuple(err["loc"])) in (Localized, LocalizedLines):
        key = str(err["loc"][-1])
        return f'needs one text per language, e.g. {key}.en = "..." and {key}.fr = "..."{got}'
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a table of keys (a [section] or {{ key = value }}){got}"
    if kind == "too_short":
        return "must not be empty"
    if kind == "too_long":
        return f"too long; at most {ctx.get('max_length')}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {
            "greater_than_equal": ("at least", "ge"),
            "greater_than": ("more than", "gt"),
            "less_than_equal": ("at most", "le"),
            "less_than": ("less than", "lt"),
        }[kind]
        return f"must be {words[0]} {ctx.get(words[1])}{got}"
    return str(err["msg"]).removeprefix("Value error, ")


def _error_line(err: dict[str, Any]) -> str:
    loc = tuple(err["loc"])
    message = _friendly(err)
    # A check across several keys (a model validator) reports against the section; when its
    # message starts with a key name, point at that key instead: campaign.default_language.
    first = message.split(" ", 1)[0]
    names_a_key = first in _all_field_names() and (not loc or loc[-1] != first)
    if err["type"] == "value_error" and names_a_key:
        model = _model_at(loc)
        if model is not None and first in model.model_fields:
            rest = message.split(" ", 1)[1] if " " in message else ""
            loc = (*loc, first)
            if rest and not rest.startswith("="):
                message = rest
    return f"{_key_path(loc)}: {message}"


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
                        f"{key}.{lang}: missing {LANGUAGE_NAMES[lang]} ({lang}) text; every "
                        f"language in campaign.languages ({', '.join(c.campaign.languages)}) "
                        "needs one"
                    )
        elif isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                walk(getattr(obj, name), f"{key}.{name}" if key else name)
        elif isinstance(obj, list):
            for i, item in enumerate(obj):
                walk(item, f"{key}[{i}]")

    walk(c, "")
    return problems


def _template_stems(c: Campaign, lang: str) -> list[str]:
    folder = c.templates_path / "letters" / lang
    return sorted(p.name.removesuffix(".txt.j2") for p in folder.glob("*.txt.j2"))


def _check_ids_and_templates(c: Campaign) -> list[str]:
    problems: list[str] = []
    for field, items in (("recipients", c.recipients), ("starting_texts", c.starting_texts)):
        first_use: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in first_use:
                earlier = f"{field}[{first_use[item.id]}]"
                problems.append(
                    f"{field}[{i}].id: \"{item.id}\" is already used by {earlier}; "
                    "every id must be different"
                )
            first_use.setdefault(item.id, i)
    from kiosk.compose import TemplateProblem, check_template

    if not c.templates_path.is_dir():
        return [
            *problems,
            f"campaign.templates_dir: no folder {c.templates_path} (the path is relative to "
            "the campaign file); it must hold letters/<language>/<template>.txt.j2",
        ]
    for i, t in enumerate(c.starting_texts):
        for lang in c.campaign.languages:
            try:
                check_template(c, lang, t.template)
            except TemplateProblem as e:
                stems = _template_stems(c, lang)
                available = ", ".join(stems) if stems else "none"
                problems.append(
                    f"starting_texts[{i}].template: {e}; templates available in {lang}: "
                    f"{available}"
                )
    for lang in c.campaign.languages:
        try:
            check_template(c, lang, None, source=c.letter.email_subject.get(lang))
        except TemplateProblem as e:
            problems.append(
                f"letter.email_subject.{lang}: {e}; a subject may use {{{{ recipient.name }}}}, "
                "{{ recipient.office }}, {{ campaign.title }}, {{ campaign.pitch }} and "
                "{{ language }}"
            )
    return problems


def load_campaign(path: str | Path) -> Campaign:
    """Read and validate a campaign file; raise ConfigError listing every problem found."""
    path = Path(path).expanduser().resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, ["file not found"]) from None
    except IsADirectoryError:
        raise ConfigError(path, ["this is a folder; give the campaign's .toml file"]) from None
    except UnicodeDecodeError:
        raise ConfigError(path, ["not UTF-8 text; save the file as UTF-8"]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        import re

        message = f"not valid TOML: {e}"
        if m := re.search(r"\(at line (\d+), column \d+\)", str(e)):
            lines = text.splitlines()
            n = int(m.group(1))
            if 0 < n <= len(lines):
                message = (
                    f"line {n}: not valid TOML: {e}; the line reads: {lines[n - 1].strip()}; "
                    "check its quotes, brackets and = sign"
                )
        raise ConfigError(path, [message]) from None
    try:
        campaign = Campaign.model_validate(raw).model_copy(update={"source": path})
    except ValidationError as e:
        raise ConfigError(path, [_error_line(err) for err in e.errors()]) from None
    problems = _check_languages(campaign) + _check_ids_and_templates(campaign)
    # The printer settings cannot see the donation URL on their own: will its QR code fit?
    problems += campaign.printer.qr_problems(campaign.donation.url)
    if problems:
        raise ConfigError(path, problems)
    return campaign
