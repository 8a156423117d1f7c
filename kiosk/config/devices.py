"""Printer and email settings: where letters go, checked in depth before the doors open."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from kiosk.config.base import EmailAddress, Localized, _Model, host_name_problem

# Connections that python-escpos drives through a package of their own (its "extras").
_CONNECTION_PACKAGES = {
    "serial": ("serial", "pyserial", "serial"),
    "usb": ("usb", "pyusb", "usb"),
    "cups": ("cups", "pycups", "cups"),
}


class PrinterSettings(_Model):
    """Where and how letters print. See docs/printing.md for choosing each value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    connection: Literal["network", "usb", "serial", "file", "cups"] = "file"
    host: str | None = Field(None, description="network: the printer's IP address or host name")
    port: int = Field(9100, ge=1, le=65535, description="network: raw printing port")
    # Below a tenth of a second not even a printer on the same switch answers in time.
    timeout_seconds: float = Field(
        5.0, ge=0.1, le=30, description="connect, send and status-reply timeout, in seconds"
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

    @field_validator("host")
    @classmethod
    def _printer_host(cls, v: str | None) -> str | None:
        if v is not None and (problem := host_name_problem(v)):
            raise ValueError(
                f'{problem}; give the printer\'s IP address or host name only, e.g. '
                '"192.168.1.50" or "receipts.local"; the port goes in printer.port')
        return v

    @field_validator("serial_device", "cups_queue", "path")
    @classmethod
    def _one_plain_line(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("must not be empty; leave the key out if it is not used")
        if v is not None and any(ord(ch) < 32 or ord(ch) == 127 for ch in v):
            raise ValueError("must be one line, without control characters")
        return v

    @model_validator(mode="after")
    def _connection_fields(self) -> PrinterSettings:
        if not self.enabled:
            return self  # nothing is ever sent: `[printer]` with `enabled = false` is enough
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
        from kiosk.config.printer_profiles import known_codepages, profile_info, profile_names

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

    def missing_packages(self) -> list[str]:
        """The package this connection needs but this Python lacks: without it every print
        and every status check would fail with an ImportError, on every retry."""
        import importlib.util

        if not self.enabled or self.connection not in _CONNECTION_PACKAGES:
            return []
        module, package, extra = _CONNECTION_PACKAGES[self.connection]
        if importlib.util.find_spec(module) is not None:
            return []
        return [
            f'printer.connection: "{self.connection}" needs the {package} package, which is '
            f'not installed here; install it with: .venv/bin/pip install "python-escpos[{extra}]"'
            f" (or: pip install {package}), then check again"
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
    timeout_seconds: float = Field(20.0, ge=0.1, le=120, description="per SMTP step")
    max_per_minute: int = Field(30, ge=1, le=1000)
    hold_for_review: bool = Field(False, description="emails wait for `outbox release`")
    # A retry every few microseconds would hammer the server, not wait for it.
    retry_initial_seconds: float = Field(30.0, ge=0.05, le=3600, description="first retry delay")
    retry_max_seconds: float = Field(1800.0, ge=0.05, le=86400, description="longest retry delay")

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
        if host_name_problem(v):
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
            out += _password_file_warnings(self.password_file, base_dir)
        return out


PASSWORD_FILE_MAX_BYTES = 4096  # a password, not a document; the mailer reads no more


def _password_file_warnings(name: str, base_dir: Path | None) -> list[str]:
    import os

    from kiosk.config.reading import UnreadableFile, check_file

    given = (base_dir or Path.cwd()) / Path(name).expanduser()
    path = given.resolve()
    try:
        check_file(given, PASSWORD_FILE_MAX_BYTES)
    except UnreadableFile as e:
        if e.missing:
            return [f"email.password_file: {path} does not exist"]
        return [f"email.password_file: {given}: {e.reason}; the kiosk could not read the "
                "password"]
    if os.name == "posix" and path.stat().st_mode & 0o077:
        return [f"email.password_file: {path} can be read by other users; "
                f"run: chmod 600 {path}"]
    return []
