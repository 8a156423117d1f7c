"""The bridge between the window and the kiosk's back office: the store and the two workers.

Workers report from their own threads; this object re-emits their news as Qt signals, which
Qt delivers on the GUI thread. Widgets never see a worker.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from kiosk.keep import keep_letters
from kiosk.store import Store

if TYPE_CHECKING:
    from kiosk.config import Campaign
    from kiosk.delivery.outbox import OutboxService, OutboxStatus
    from kiosk.delivery.print_queue import PrintService, QueueStatus
    from kiosk.domain.journey import Delivery, VisitorSession
    from kiosk.domain.letter import Letter

log = logging.getLogger(__name__)


class Services(QObject):
    printer_changed = Signal(object)  # QueueStatus, from the print worker's thread
    outbox_changed = Signal(object)  # OutboxStatus, from the outbox worker's thread

    def __init__(self, campaign: Campaign, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.campaign = campaign
        self.data_dir = data_dir
        self.store = Store(data_dir)
        # Made in start(), after the attract screen is up: escpos and smtplib load off that path.
        self.printer: PrintService | None = None
        self.outbox: OutboxService | None = None

    # --- the journey's committer ---------------------------------------------------------------

    def commit(self, session: VisitorSession, letters: list[Letter], delivery: Delivery):
        kept = keep_letters(self.store, self.campaign, session, letters, delivery)
        log.info("kept %d letter(s) of session %s", len(kept), session.id[:8])
        return kept

    def letters_kept(self, delivery: Delivery) -> None:
        """New work for the workers: wake them now rather than at their next round."""
        if delivery.print and self.printer:
            self.printer.wake()
        if delivery.email and self.outbox:
            self.outbox.wake()

    # --- status --------------------------------------------------------------------------------

    def printer_status(self) -> QueueStatus | None:
        return self.printer.status() if self.printer else None

    def outbox_status(self) -> OutboxStatus | None:
        return self.outbox.status() if self.outbox else None

    def printer_ready(self) -> bool:
        """Whether a visitor's letter is expected to come out now (unknown counts as no)."""
        status = self.printer_status()
        if status is None:
            return False
        return status.printer.ready or not status.printer.monitored

    # --- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        from kiosk.delivery.outbox import OutboxService
        from kiosk.delivery.print_queue import PrintService

        self.printer = PrintService(self.campaign, self.data_dir, on_change=self._printer_news)
        self.outbox = OutboxService(self.campaign, self.data_dir, on_change=self._outbox_news)
        self.printer.start()
        self.outbox.start()

    def stop(self) -> None:
        for worker in (self.printer, self.outbox):
            if worker is not None:
                worker.stop()
        self.store.close()

    def _printer_news(self, status: Any) -> None:
        self.printer_changed.emit(status)

    def _outbox_news(self, status: Any) -> None:
        self.outbox_changed.emit(status)
