"""The window's door to the application core (``kiosk.app``).

The core is Qt-free and synchronous. This object owns it for the window and runs the staff's
actions off the GUI thread through ``kiosk.ui.ops``, each result coming back on the GUI thread
to the callback the caller gave. The workers' news arrives the same way, as ``printer_changed``
and ``outbox_changed``. Widgets never see a worker or a store connection.

What stays on the GUI thread, on purpose: keeping a visitor's letters (the thank-you screen
must not show before they are on disk, and that is one short transaction), and the quick reads
the staff screens show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from kiosk.app.context import STAFF
from kiosk.app.core import Kiosk, open_kiosk
from kiosk.app.outbox import HELD
from kiosk.export_targets import DriveFinder
from kiosk.ui.ops import CoreOps

if TYPE_CHECKING:
    from kiosk.app.hub import EventView, HubStatus
    from kiosk.config import Campaign
    from kiosk.delivery.office_queue import OfficeStatus
    from kiosk.delivery.outbox import OutboxStatus
    from kiosk.delivery.paper.geometry import Sheet
    from kiosk.delivery.print_queue import QueueStatus
    from kiosk.domain.journey import Delivery, VisitorSession
    from kiosk.domain.letter import Letter
    from kiosk.export_targets import ExportTarget
    from kiosk.pin_gate import PinGate
    from kiosk.store import Store
    from kiosk.store.db import KeptLetter
    from kiosk.store.outbox import OutboxItem
    from kiosk.store.print_jobs import PrintJob
    from kiosk.store.stats import Counts

log = logging.getLogger(__name__)

T = TypeVar("T")
Failed = Callable[[BaseException], None]


class Services(QObject):
    printer_changed = Signal(object)  # QueueStatus, from the print worker's thread
    office_changed = Signal(object)  # OfficeStatus, from the office printer's worker
    outbox_changed = Signal(object)  # OutboxStatus, from the outbox worker's thread
    hub_changed = Signal(object)  # HubStatus: this kiosk's link to the event's hub
    event_changed = Signal()  # something changed at the hub: ask event() again
    event_total = Signal(int)  # letters today at the whole event (hub.show_total)

    def __init__(self, campaign: Campaign, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.campaign = campaign
        self.data_dir = data_dir
        # Opened once for the process; every other thread gets its own connection from it.
        self.core: Kiosk = open_kiosk(campaign, data_dir, actor=STAFF)
        self.ops = CoreOps(self.core, self)
        self._gate: PinGate | None = None
        # The event's open emails at the hub, as last read; None without a hub (or not yet).
        self._hub_emails: list[OutboxItem] | None = [] if campaign.hub.enabled else None
        self._reading_outbox = self._asking_total = False
        self._default_language: str = campaign.campaign.default_language
        self.drives = DriveFinder()  # the mounted USB drives; tests point it at a temp tree
        # The office printer as the window was last told (what the panel shows beside it).
        self._office_seen: OfficeStatus | None = None
        self.office_changed.connect(self._saw_office)

    @property
    def store(self) -> Store:
        return self.core.store

    # --- the visitor's letters -----------------------------------------------------------------

    def commit(self, session: VisitorSession, letters: list[Letter],
               delivery: Delivery) -> list[KeptLetter]:
        kept = self.core.letters.keep(session, letters, delivery)
        log.info("kept %d letter(s) of session %s", len(kept), session.id[:8])
        return kept

    def letters_kept(self, delivery: Delivery) -> None:
        """New work for the workers: wake them now rather than at their next round."""
        self.core.letters_kept(printed=delivery.print or delivery.full_letter,
                               emailed=delivery.email)

    # --- status (never blocks) -----------------------------------------------------------------

    def printer_status(self) -> QueueStatus | None:
        return self.core.printing.status()

    def office_status(self) -> OfficeStatus | None:
        return self._office_seen or self.core.printing.office_status()

    def _saw_office(self, status: OfficeStatus) -> None:
        self._office_seen = status

    def outbox_status(self) -> OutboxStatus | None:
        return self.core.outbox.status() if self.core.outbox.worker else None

    def printer_ready(self) -> bool:
        return self.core.printing.ready()

    def hub_status(self) -> HubStatus:
        return self.core.hub.status()

    def event_view(self, today: bool, on_done: Callable[[EventView | None], None]) -> None:
        """The whole event from the hub, off the GUI thread; ``on_done(None)`` when the hub
        cannot be asked now (the panel then says so, from ``hub_status``)."""
        self.ops.run(lambda core: core.hub.event(today=today), on_done,
                     lambda error: on_done(None))

    # --- what staff see (quick reads) ----------------------------------------------------------

    def pin_gate(self) -> PinGate:
        """The PIN pad's guard, made once: its tries and lockout live in the store."""
        if self._gate is None:
            self._gate = self.core.pin_gate()
        return self._gate

    def default_language(self) -> str:
        return self._default_language

    def counts(self, *, today: bool) -> Counts:
        return self.core.records.counts(today=today)

    def print_jobs(self, states: list[str]) -> list[PrintJob]:
        return self.core.printing.jobs(states)

    def emails(self, states: list[str]) -> list[OutboxItem]:
        if self._hub_emails is not None:  # the event's, as last read (never a wait on the hub)
            return [e for e in self._hub_emails if e.state in states]
        return self.core.outbox.items(states)

    def held_emails(self) -> list[OutboxItem]:
        return self.emails([HELD])

    def _read_hub_outbox(self) -> None:
        """With a hub, the emails staff look after are the event's, at the hub: read off the
        GUI thread whenever the hub says something changed, then the panel shows them (a hub
        away keeps the last list)."""
        from kiosk.app.outbox import OPEN

        def read(core: Kiosk) -> list[OutboxItem]:
            return core.outbox.items(list(OPEN))

        if self._reading_outbox:
            return  # one read at a time: a burst of news is one read, not a queue of them
        self._reading_outbox = True

        def got(items: list[OutboxItem] | None) -> None:
            self._reading_outbox = False
            if items is not None:
                self._hub_emails = items
                self.outbox_changed.emit(self.outbox_status())  # the staff screens refresh

        self.ops.run(read, got, lambda error: got(None))

    def export_targets(self) -> list[ExportTarget]:
        return self.core.records.export_targets(self.drives)

    def envelope_count(self) -> tuple[int, int]:
        """Today's letters to address, and those left for window envelopes (a quick read)."""
        from datetime import date

        return self.core.envelopes.count(date.today())

    # --- what staff do (off the GUI thread, each written to the audit log) ---------------------

    def audit(self, action: str, detail: str = "") -> None:
        self.ops.run(lambda core: core.audit(action, detail))

    def try_pin(self, pin: str, answer: Callable[[bool | None], None]) -> None:
        """Check a PIN off the GUI thread (Argon2, and the try written to the store)."""
        gate = self.pin_gate()

        def failed(error: BaseException) -> None:
            log.error("the PIN try could not be recorded: %s", type(error).__name__)
            answer(None)

        self.ops.run(lambda _core: gate.try_pin(pin), answer, failed)

    def set_default_language(self, lang: str) -> None:
        self._default_language = lang
        self.audit("kiosk.default_language", lang)

    def retry_print_jobs(self, on_done: Callable[[int], None]) -> None:
        self.ops.run(lambda core: core.printing.retry_failed(), on_done)

    def retry_failed_emails(self, on_done: Callable[[int], None]) -> None:
        self.ops.run(lambda core: core.outbox.retry_failed(), on_done)

    def retry_print_job(self, job_id: int, on_done: Callable[[object], None]) -> None:
        self.ops.run(lambda core: core.printing.retry(job_id), on_done)

    def cancel_print_job(self, job_id: int, on_done: Callable[[object], None]) -> None:
        def failed(error: BaseException) -> None:
            # CUPS did not answer: the full letter may still print, so it stays as it was.
            log.warning("print job %s not cancelled: %s", job_id, error)
            on_done(False)

        self.ops.run(lambda core: core.printing.cancel(job_id), on_done, failed)

    def retry_email(self, outbox_id: int, on_done: Callable[[object], None]) -> None:
        self._email_action(lambda core: core.outbox.retry(outbox_id), on_done)

    def cancel_email(self, outbox_id: int, on_done: Callable[[object], None]) -> None:
        self._email_action(lambda core: core.outbox.cancel(outbox_id), on_done)

    def release_email(self, outbox_id: int, on_done: Callable[[object], None]) -> None:
        self._email_action(lambda core: core.outbox.release([outbox_id]), on_done)

    def _email_action(self, call: Callable[[Kiosk], object],
                      on_done: Callable[[object], None]) -> None:
        if self._hub_emails is not None:
            # The list staff see is read again once the hub has the change (it says so).
            done = on_done

            def on_done(result: object) -> None:
                self._read_hub_outbox()
                done(result)

        from kiosk.app.outbox import ActionRefused

        def refused(error: BaseException) -> None:
            # The email moved on (sent, say) between the panel's view and the tap: the panel
            # shows it as it is now, which says enough.
            if not isinstance(error, ActionRefused):
                log.error("staff action on the outbox failed: %s", type(error).__name__)
            on_done(None)

        self.ops.run(call, on_done, refused)

    def test_print(self, on_done: Callable[[bool, str], None], lang: str) -> None:
        """Print the test page; ``on_done(ok, message)`` on the GUI thread."""
        self.ops.run_slow("test-print", lambda core: core.printing.test_page(lang),
                      lambda result: on_done(result.ok, result.message),
                      lambda error: on_done(False, str(error)))

    def export(self, target: ExportTarget, folder: str, on_done: Callable[[bool, str], None],
               lang: str) -> None:
        """Write the day's exports into the new ``folder`` on the ``target`` staff chose and
        confirmed, and nowhere else; ``on_done(ok, message)`` on the GUI thread."""
        from kiosk.export_targets import DriveGone
        from kiosk.i18n import tr

        def done(result: tuple[Path, Any]) -> None:
            out_dir, written = result
            on_done(True, "\n".join([
                tr("exports.wrote", lang, path=out_dir),
                tr("exports.summary", lang, letters=written.letters, free=written.postage_free,
                   postage=written.needs_postage, opt_ins=written.opt_ins)]))

        def failed(error: BaseException) -> None:
            if isinstance(error, DriveGone):
                on_done(False, tr("staff.export_drive_gone", lang, name=target.name(lang)))
            else:
                reason = error.strerror if isinstance(error, OSError) else error
                on_done(False, tr("exports.cannot_write", lang, path=target.path / folder,
                                  error=reason or error))

        self.ops.run_slow("export", lambda core: core.records.export_to(
            target, folder, self.drives, lang=lang), done, failed)

    def print_addresses(self, labels: Sheet | None, on_done: Callable[[bool, str], None],
                        lang: str) -> None:
        """Today's envelopes (or ``labels``) to the office printer; ``on_done(ok, message)``
        on the GUI thread, the message saying what happened and what to do."""
        from datetime import date

        from kiosk.app.envelopes import Addresses
        from kiosk.i18n import tr

        def call(core: Kiosk) -> tuple[Addresses, int]:
            made = core.envelopes.addresses(date.today(), lang=lang, labels=labels)
            return made, (core.envelopes.print(made, lang=lang) if made.letters else 0)

        def done(result: tuple[Addresses, int]) -> None:
            made, job = result
            if not made.letters:
                on_done(False, tr("staff.envelopes_nothing", lang))
                return
            on_done(True, tr("staff.envelopes_printed", lang, job=job, n=made.letters,
                             kind=tr(f"paper.kind_{made.kind}", lang)))

        self.ops.run_slow("envelopes-print", call, done,
                          lambda error: on_done(False, self._envelopes_failed(error, lang)))

    def save_addresses(self, labels: Sheet | None, target: ExportTarget, folder: str,
                       on_done: Callable[[bool, str], None], lang: str) -> None:
        """Today's envelopes (or ``labels``) as a PDF in the new ``folder`` on the ``target``
        staff chose and confirmed, and nowhere else; ``on_done(ok, message)``."""
        from datetime import date

        from kiosk.app.envelopes import Addresses
        from kiosk.export_targets import DriveGone
        from kiosk.i18n import tr

        def call(core: Kiosk) -> tuple[Addresses, Path | None]:
            made = core.envelopes.addresses(date.today(), lang=lang, labels=labels)
            if not made.letters:
                return made, None
            return made, core.envelopes.save(made, target, folder, self.drives)

        def done(result: tuple[Addresses, Path | None]) -> None:
            made, path = result
            if path is None:
                on_done(False, tr("staff.envelopes_nothing", lang))
                return
            on_done(True, tr("staff.envelopes_saved", lang, path=path, n=made.letters,
                             kind=tr(f"paper.kind_{made.kind}", lang)))

        def failed(error: BaseException) -> None:
            if isinstance(error, DriveGone):
                on_done(False, tr("staff.export_drive_gone", lang, name=target.name(lang)))
            elif isinstance(error, OSError):
                on_done(False, tr("exports.cannot_write", lang, path=target.path / folder,
                                  error=error.strerror or error))
            else:
                on_done(False, self._envelopes_failed(error, lang))

        self.ops.run_slow("envelopes-save", call, done, failed)

    @staticmethod
    def _envelopes_failed(error: BaseException, lang: str) -> str:
        from kiosk.delivery.cups_link import CupsRefused, CupsUnavailable
        from kiosk.delivery.paper.fonts import FontMissing
        from kiosk.i18n import tr

        if isinstance(error, CupsUnavailable):
            return tr("staff.envelopes_no_cups", lang, error=error)
        if isinstance(error, CupsRefused):
            return tr("staff.envelopes_refused", lang, error=error)
        if isinstance(error, FontMissing):
            return str(error)
        log.error("envelopes or labels failed: %s", type(error).__name__)
        return tr("staff.envelopes_failed", lang, error=type(error).__name__)

    # --- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """After the attract screen is up: escpos and smtplib load off that path."""
        self.core.start_workers(on_printer=self.printer_changed.emit,
                                on_office=self.office_changed.emit,
                                on_outbox=self.outbox_changed.emit,
                                on_hub=self.hub_changed.emit)
        # Off the GUI thread: emails to where the campaign now sends them (hub or not), and
        # personal details past the retention period.
        self.ops.run(lambda core: core.hub.follow())
        self.ops.run(lambda core: core.records.purge_due())
        self.core.hub.watch(self.event_changed.emit)
        if self.campaign.hub.enabled:
            self.event_changed.connect(self._read_hub_outbox)
        if self.campaign.hub.show_total:
            self.event_changed.connect(self._ask_total)

    def _ask_total(self) -> None:
        if self._asking_total:
            return  # one read at a time: a burst of news is one read, not a queue of them
        self._asking_total = True

        def got(letters: int | None) -> None:
            self._asking_total = False
            if letters is not None:  # a hub away keeps the last total: a cheer, not a count
                self.event_total.emit(letters)

        self.ops.run(lambda core: core.hub.event(today=True).counts.letters, got,
                     lambda error: got(None))

    def stop(self) -> None:
        self.ops.stop()  # staff actions already accepted are done first
        self.core.close()
