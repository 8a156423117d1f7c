"""The bridge between the window and the kiosk's back office: the store and the two workers.

Workers report from their own threads; this object re-emits their news as Qt signals, which
Qt delivers on the GUI thread. Widgets never see a worker.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from kiosk.keep import keep_letters
from kiosk.store import Store

if TYPE_CHECKING:
    from kiosk.config import Campaign
    from kiosk.domain.journey import Delivery, VisitorSession
    from kiosk.domain.letter import Letter

log = logging.getLogger(__name__)


class Services(QObject):
    printer_changed = Signal(object)  # a printer status, from the print worker
    outbox_changed = Signal(object)  # an outbox status, from the outbox worker

    def __init__(self, campaign: Campaign, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.campaign = campaign
        self.data_dir = data_dir
        self.store = Store(data_dir)
        self.last_printer_status: object = None

    # --- the journey's committer ---------------------------------------------------------------

    def commit(self, session: VisitorSession, letters: list[Letter], delivery: Delivery):
        kept = keep_letters(self.store, self.campaign, session, letters, delivery)
        log.info("kept %d letter(s) of session %s", len(kept), session.id[:8])
        return kept

    def letters_kept(self, delivery: Delivery) -> None:
        """New work for the workers: wake them now rather than at their next round."""

    def printer_ready(self) -> bool:
        return True

    def start(self) -> None:
        pass

    def stop(self) -> None:
        self.store.close()
