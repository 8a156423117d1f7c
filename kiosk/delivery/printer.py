"""The receipt printer behind a small interface: open, send bytes, say its status truthfully.

python-escpos speaks the protocol; this module decides what its answers mean. Two of its habits
matter here (see shared/DESIGN.md): ``paper_status()`` reports "paper OK" when the printer sends
nothing back, and after a failed ``open()`` the same object only raises AssertionError. So we read
the raw status bytes ourselves (no reply = UNKNOWN, never OK) and build a fresh python-escpos
object for every connection. Every wait is bounded by the campaign's ``timeout_seconds``.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.i18n import tr

if TYPE_CHECKING:
    from kiosk.config import PrinterSettings

log = logging.getLogger(__name__)


def import_escpos(module: str = "escpos.printer") -> Any:
    """Import a python-escpos module, with logging configured first: python-escpos calls
    ``logging.basicConfig()`` on import, which would otherwise fix the format for the app."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    return importlib.import_module(module)


class StatusKind(StrEnum):
    ONLINE = "online"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    UNKNOWN = "unknown"
    DISABLED = "disabled"


@dataclass(frozen=True)
class PrinterState:
    """What the printer said, or that it said nothing. ``detail`` is technical, for logs and the
    staff panel; ``monitored`` is False for connections that cannot report paper or cover."""

    kind: StatusKind
    detail: str = ""
    monitored: bool = True

    @property
    def ready(self) -> bool:
        """A job may be sent, and counts as printed if the printer still says this after."""
        return self.kind in (StatusKind.ONLINE, StatusKind.PAPER_LOW)

    @property
    def needs_staff(self) -> bool:
        return self.kind not in (StatusKind.ONLINE, StatusKind.DISABLED)

    def label(self, lang: str) -> str:
        return tr(f"printing.status.{self.kind}", lang)

    def staff_message(self, lang: str) -> str:
        return tr(f"printing.staff.{self.kind}", lang)

    def visitor_message(self, lang: str) -> str:
        """What a visitor who chose Print is told (kind, and what happens to their letter)."""
        key = "printing" if self.ready else ("paper_out" if self.kind in (
            StatusKind.PAPER_OUT, StatusKind.COVER_OPEN) else "problem")
        return tr(f"printing.visitor.{key}", lang)


class PrinterUnreachable(Exception):
    """The connection could not be opened, or broke while sending."""


# --- status bytes (ESC/POS DLE EOT n) ------------------------------------------------------------

DLE_EOT = b"\x10\x04"


def _valid_status(b: int) -> bool:
    # Every real-time status byte has bits 1 and 4 set and bits 0 and 7 clear.
    return b & 0x93 == 0x12


def state_from_bytes(online: int, cause: int, paper: int) -> PrinterState:
    """Interpret replies to DLE EOT 1 (printer), 2 (offline cause) and 4 (roll paper)."""
    if cause & 0x04:
        return PrinterState(StatusKind.COVER_OPEN, "cover open")
    if paper & 0x60 == 0x60 or cause & 0x20:
        return PrinterState(StatusKind.PAPER_OUT, "paper end sensor")
    if online & 0x08:
        why = "error" if cause & 0x40 else "printer reports offline"
        return PrinterState(StatusKind.OFFLINE, why)
    if paper & 0x0C == 0x0C:
        return PrinterState(StatusKind.PAPER_LOW, "paper near end")
    return PrinterState(StatusKind.ONLINE)


class PrinterLink:
    """One printer connection. Not thread-safe: the print worker owns it.

    Use ``status()``, ``send()`` and ``close()``; each opens the connection when needed and a
    failed open is retried with a new python-escpos object on the next call.
    """

    def __init__(self, settings: PrinterSettings, data_dir: Path):
        self.settings = settings
        self.data_dir = Path(data_dir)
        self._dev: Any = None

    @property
    def monitored(self) -> bool:
        """Whether this connection can report paper and cover (a status channel)."""
        return self.settings.connection in ("network", "usb", "serial") and (
            self.settings.answers_status
        )

    @property
    def file_path(self) -> Path:
        return self.data_dir / (self.settings.path or "printer-output.bin")

    def describe(self) -> str:
        s = self.settings
        return {
            "network": f"{s.host}:{s.port}",
            "usb": f"USB {s.usb_vendor_id or 0:04x}:{s.usb_product_id or 0:04x}",
            "serial": f"{s.serial_device} at {s.serial_baudrate} baud",
            "file": str(self.file_path),
            "cups": f"CUPS queue {s.cups_queue}",
        }[s.connection]

    # --- connection ----------------------------------------------------------------------------

    def open(self) -> None:
        if self._dev is not None:
            return
        s = self.settings
        if s.connection == "file":
            # Append, never truncate: the sample's file printer keeps every receipt it printed.
            self.file_path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._dev = open(self.file_path, "ab")  # noqa: SIM115 - closed in close()
            except OSError as e:
                raise PrinterUnreachable(f"cannot open {self.file_path}: {e}") from e
            return
        printers = import_escpos("escpos.printer")
        exceptions = import_escpos("escpos.exceptions")
        if s.connection == "network":
            dev = printers.Network(s.host, port=s.port, timeout=s.timeout_seconds)
        elif s.connection == "usb":
            dev = printers.Usb(s.usb_vendor_id, s.usb_product_id,
                               timeout=int(s.timeout_seconds * 1000))
        elif s.connection == "serial":
            dev = printers.Serial(s.serial_device, baudrate=s.serial_baudrate,
                                  timeout=s.timeout_seconds)
        else:
            dev = printers.CupsPrinter(s.cups_queue)
        try:
            if s.connection == "cups":
                dev.open(job_name="letter-kiosk")
            else:
                dev.open()
        except (exceptions.Error, OSError, RuntimeError, ValueError) as e:
            # Never reuse this object: python-escpos would only raise AssertionError from now on.
            raise PrinterUnreachable(f"cannot reach {self.describe()}: {_first_line(e)}") from e
        self._dev = dev

    def close(self) -> None:
        dev, self._dev = self._dev, None
        if dev is None:
            return
        try:
            dev.close()
        except Exception as e:  # closing a broken connection must not hide the real error
            log.debug("closing printer connection: %s", e)

    # --- sending -------------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        """Send a whole job. Raises PrinterUnreachable if it did not all go out."""
        self.open()
        try:
            if self.settings.connection == "file":
                self._dev.write(data)
                self._dev.flush()
                os.fsync(self._dev.fileno())  # written-and-flushed is this connection's "printed"
            elif self.settings.connection == "cups":
                self._dev._raw(data)
                self._dev.send()  # handed to the CUPS spooler, which keeps it until printed
            else:
                self._dev._raw(data)
        except (OSError, AssertionError, ValueError) as e:
            self.close()
            raise PrinterUnreachable(f"sending to {self.describe()} failed: {_why(e)}") from e
        except Exception as e:  # pyusb/pyserial/pycups raise their own types
            self.close()
            raise PrinterUnreachable(f"sending to {self.describe()} failed: {_why(e)}") from e

    # --- status --------------------------------------------------------------------------------

    def status(self) -> PrinterState:
        """The printer's state now. Never raises; anything unanswered is UNKNOWN or OFFLINE."""
        if not self.settings.enabled:
            return PrinterState(StatusKind.DISABLED)
        try:
            self.open()
        except PrinterUnreachable as e:
            return PrinterState(StatusKind.OFFLINE, str(e))
        if self.settings.connection == "cups":
            return self._cups_status()
        if not self.monitored:
            # Reachable is all such a connection can tell; staff docs say so.
            return PrinterState(StatusKind.ONLINE, "no status channel", monitored=False)
        replies: list[int] = []
        try:
            for n in (1, 2, 4):
                reply = self._query(n)
                if reply is None:
                    # Leave no half-answered query on the line: the next check starts clean.
                    self.close()
                    return PrinterState(StatusKind.UNKNOWN, "no reply to status request")
                replies.append(reply)
        except (OSError, AssertionError) as e:
            self.close()
            return PrinterState(StatusKind.UNKNOWN, f"status request failed: {_why(e)}")
        except Exception as e:  # pyusb/pyserial errors
            self.close()
            return PrinterState(StatusKind.UNKNOWN, f"status request failed: {_why(e)}")
        return state_from_bytes(*replies)

    def _query(self, n: int) -> int | None:
        """One DLE EOT n round trip: the reply byte, or None on silence or garbage."""
        self._drain()
        self._dev._raw(DLE_EOT + bytes([n]))
        try:
            reply = self._dev._read()
        except TimeoutError:
            return None
        if not reply:
            if self.settings.connection == "network":
                raise ConnectionResetError("printer closed the connection")
            return None
        b = reply[-1]
        return b if _valid_status(b) else None

    def _drain(self) -> None:
        """Drop late replies to an earlier query so they are not read as this one's answer."""
        if self.settings.connection != "network":
            return
        sock: socket.socket = self._dev.device
        sock.setblocking(False)
        try:
            while sock.recv(64):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        finally:
            sock.settimeout(self.settings.timeout_seconds)

    def _cups_status(self) -> PrinterState:
        try:
            attrs = self._dev.printers.get(self.settings.cups_queue, {})
        except Exception as e:
            self.close()
            return PrinterState(StatusKind.UNKNOWN, f"CUPS did not answer: {_why(e)}", False)
        reasons = " ".join(attrs.get("printer-state-reasons", []))
        for word, kind in (("media-empty", StatusKind.PAPER_OUT),
                           ("cover-open", StatusKind.COVER_OPEN),
                           ("door-open", StatusKind.COVER_OPEN),
                           ("offline", StatusKind.OFFLINE),
                           ("media-low", StatusKind.PAPER_LOW)):
            if word in reasons:
                return PrinterState(kind, f"CUPS: {reasons}", monitored=False)
        if attrs.get("printer-state") == 5:
            return PrinterState(StatusKind.OFFLINE, "CUPS queue stopped", monitored=False)
        return PrinterState(StatusKind.ONLINE, "CUPS queue accepting", monitored=False)


def _first_line(e: BaseException) -> str:
    text = str(e).strip().replace("\n", " ")
    return text or type(e).__name__


def _why(e: BaseException) -> str:
    if isinstance(e, TimeoutError):
        return "timed out (the printer stopped taking data)"
    return _first_line(e)
