"""The kiosk's application core: one object per process over the campaign and the store.

Every use case is a method of one of its parts, grouped by subject: ``letters`` (keeping what a
visitor confirmed), ``printing``, ``outbox``, ``records`` (counts, exports, the retention purge),
``hub`` (uploading to the event's hub, when the campaign has one), ``envelopes`` (the day's
addresses on envelopes or labels).
The window and every command call these; nothing is done twice. Each change is written to the
audit log under the core's ``actor`` in the same transaction as the change itself.

Qt-free and synchronous: a method runs on the caller's thread. The UI runs staff actions off the
GUI thread through its bridge (``kiosk.ui.services``); a thread other than the one that opened the
core wraps its calls in ``on_this_thread()``, which gives it a store connection of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.app.context import STAFF, Context
from kiosk.app.envelopes import Envelopes
from kiosk.app.hub import Hub
from kiosk.app.letters import Letters
from kiosk.app.outbox import Outbox
from kiosk.app.printing import Printing
from kiosk.app.records import Records

if TYPE_CHECKING:
    from kiosk.app.hub import HubStatus
    from kiosk.config import Campaign
    from kiosk.delivery.office_queue import OfficeStatus
    from kiosk.delivery.outbox import OutboxStatus
    from kiosk.delivery.print_queue import QueueStatus
    from kiosk.pin_gate import PinGate
    from kiosk.store import Store


class Kiosk:
    def __init__(self, campaign: Campaign, data_dir: Path, store: Store, *, actor: str = STAFF):
        self._ctx = Context(campaign, data_dir, store, actor)
        self.letters = Letters(self._ctx)
        self.printing = Printing(self._ctx)
        self.outbox = Outbox(self._ctx)
        self.records = Records(self._ctx)
        self.envelopes = Envelopes(self._ctx)
        self.hub = Hub(self._ctx, printer_state=self._printer_state)

    @property
    def campaign(self) -> Campaign:
        return self._ctx.campaign

    @property
    def data_dir(self) -> Path:
        return self._ctx.data_dir

    @property
    def store(self) -> Store:
        return self._ctx.store

    def _printer_state(self) -> str:
        """This kiosk's printer in a word, for the other kiosks' staff panels (via the hub)."""
        status = self.printing.status()
        return "" if status is None else str(status.printer.kind)

    def audit(self, action: str, detail: str = "") -> None:
        """Record something done that changes no letter (staff opened the panel, say)."""
        self._ctx.audit(action, detail)

    def pin_gate(self) -> PinGate:
        """The PIN pad's guard, its tries and lockout read from the store and written back:
        a restart gives no fresh tries."""
        from kiosk.pin_gate import PinGate

        return PinGate(self._ctx.campaign.staff.pin_hash, self._ctx.store)

    @contextmanager
    def on_this_thread(self) -> Iterator[None]:
        """For a call from a thread of its own: a store connection for the call, closed after."""
        with self._ctx.store.thread_connection():
            yield

    # --- life cycle ------------------------------------------------------------------------

    def start_workers(self, *, on_printer: Callable[[QueueStatus], None] | None = None,
                      on_outbox: Callable[[OutboxStatus], None] | None = None,
                      on_hub: Callable[[HubStatus], None] | None = None,
                      on_office: Callable[[OfficeStatus], None] | None = None) -> None:
        """Start printing, sending and (with an event hub) uploading in the background. With a
        hub the hub sends the emails, so this kiosk's own outbox worker only watches."""
        self.printing.start(on_printer, on_office)
        self.outbox.start(on_outbox)
        self.hub.start(on_hub)

    def letters_kept(self, *, printed: bool, emailed: bool) -> None:
        """New work for the workers: wake them now rather than at their next round."""
        if printed:
            self.printing.wake()
        if emailed:
            self.outbox.wake()
        self.hub.wake()

    def close(self) -> None:
        """Stop the workers (letting a job in hand finish) and close the store."""
        self.printing.stop()
        self.outbox.stop()
        self.hub.stop()
        self._ctx.store.close()


def open_kiosk(campaign: Campaign, data_dir: Path, *, actor: str = STAFF,
               reading: bool = False) -> Kiosk:
    """The core over the store in ``data_dir``, opened once for the process. ``reading``: for
    commands that only read; a store on a read-only disk then opens read-only. Raises
    StorageError (exit 2) for a store that cannot be used."""
    from kiosk.store import open_store

    return Kiosk(campaign, data_dir, open_store(data_dir, reading=reading), actor=actor)
