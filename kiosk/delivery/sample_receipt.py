"""The test page staff print to check the printer: every French accent, the QR and the cut."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.i18n import tr

if TYPE_CHECKING:
    from kiosk.config import Campaign


@dataclass(frozen=True)
class TestPrintResult:
    ok: bool
    message: str  # for staff, in their language
    unmonitored: bool = False  # printed, but the connection cannot confirm paper


def print_test_page(campaign: Campaign, data_dir: Path, lang: str) -> TestPrintResult:
    """Print the sample receipt now, checking the printer's status before and after."""
    from kiosk.delivery.printer import PrinterLink, PrinterUnreachable
    from kiosk.delivery.receipt import letter_bytes, sample_letter

    settings = campaign.printer
    if not settings.enabled:
        return TestPrintResult(False, tr("printing.cli.disabled", lang))
    link = PrinterLink(settings, data_dir)
    try:
        state = link.status()
        if not state.ready:
            return TestPrintResult(False, " ".join([
                tr("printing.cli.not_ready", lang, status=state.label(lang), detail=state.detail),
                state.staff_message(lang)]))
        data = letter_bytes(sample_letter(campaign, lang), campaign, datetime.now().astimezone())
        try:
            link.send(data)
        except PrinterUnreachable as e:
            return TestPrintResult(False, tr("printing.cli.send_failed", lang, detail=str(e)))
        after = link.status() if link.monitored else state
    finally:
        link.close()
    if not after.ready:
        return TestPrintResult(False, tr("printing.cli.not_confirmed", lang,
                                         status=after.label(lang), detail=after.detail))
    return TestPrintResult(True, tr("printing.cli.printed", lang, status=after.label(lang)),
                           unmonitored=not after.monitored)
