"""The office printer: full-page letters through a CUPS queue (issue 13; docs/printing.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from kiosk.config.base import LocalizedLines, _Model

# What CUPS itself refuses in a queue name (lpadmin: "printer name can only contain printable
# characters"; no space, "/", "#" or "\"), and its length limit.
_QUEUE_NAME_MAX = 127
_NOT_IN_QUEUE_NAMES = set(" /#\\\"'")


class OfficePrinterSettings(_Model):
    """An ordinary office printer beside the receipt printer, for letters worth posting."""

    enabled: bool = False
    queue: str | None = Field(None, description="the CUPS queue's name, as `lpstat -p` lists it")
    server: str | None = Field(
        None, description="the CUPS server: a host name, host:port or a socket path; "
        "default: this machine's (CUPS_SERVER, then /etc/cups/client.conf, then localhost)")
    paper: Literal["letter", "a4"] = Field(
        "letter", description="letter: a #10 window envelope; a4: a DL window envelope")
    automatic: bool = Field(
        False, description="true: every letter is printed on a full page, whatever the visitor "
        "chose; false: the visitor asks for one on the Send step")
    timeout_seconds: float = Field(10.0, ge=0.5, le=120, description="per request to CUPS")
    retry_seconds: float = Field(10.0, ge=0.05, le=600, description="while CUPS cannot take it")
    poll_seconds: float = Field(5.0, ge=0.05, le=600,
                                description="how often a job with CUPS is checked")
    # Lines printed top left on envelopes, where the post office returns undeliverable mail.
    return_address: LocalizedLines = LocalizedLines()

    @field_validator("queue")
    @classmethod
    def _queue_name(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if not v or len(v) > _QUEUE_NAME_MAX:
            raise ValueError(f"a CUPS queue name of 1 to {_QUEUE_NAME_MAX} characters, "
                             'e.g. "office" (see `lpstat -p`)')
        bad = sorted({ch for ch in v if ch in _NOT_IN_QUEUE_NAMES or not ch.isprintable()})
        if bad:
            shown = ", ".join(repr(ch) for ch in bad)
            raise ValueError(f"CUPS queue names cannot hold {shown}; use the name "
                             '`lpstat -p` lists, e.g. "office"')
        return v

    @field_validator("server")
    @classmethod
    def _server(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if not v.strip() or any(not ch.isprintable() or ch.isspace() for ch in v):
            raise ValueError('a host name, host:port or a socket path, e.g. "localhost" or '
                             '"/run/cups/cups.sock"; leave the key out for this machine\'s')
        if "://" in v:
            raise ValueError('a host name or host:port only, e.g. "printhost:631" (no ipp://)')
        return v

    @model_validator(mode="after")
    def _queue_given(self) -> OfficePrinterSettings:
        if self.enabled and self.queue is None:
            raise ValueError('enabled = true needs queue, the CUPS queue\'s name '
                             '(e.g. queue = "office"; `lpstat -p` lists them)')
        return self

    def missing_packages(self) -> list[str]:
        """pycups, which the kiosk talks to CUPS through: without it no full letter prints."""
        import importlib.util

        if not self.enabled or importlib.util.find_spec("cups") is not None:
            return []
        return ['office_printer: needs the pycups package, which is not installed here; '
                'install it with: .venv/bin/pip install "letter-kiosk[office]" (it builds '
                "against libcups: apt install libcups2-dev gcc python3-dev), then check again"]

    @property
    def envelope(self) -> Literal["us10", "dl"]:
        """The window envelope the page is laid out for: #10 with Letter, DL with A4."""
        return "us10" if self.paper == "letter" else "dl"
