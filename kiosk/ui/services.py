"""The bridge between the window and the kiosk's back office: the store and the two workers.

Workers report from their own threads; this object re-emits their news as Qt signals, which
Qt delivers on the GUI thread. Widgets never see a worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from kiosk.export_targets import DriveFinder
from kiosk.keep import keep_letters
from kiosk.store import open_store

if TYPE_CHECKING:
    from kiosk.config import Campaign
    from kiosk.delivery.outbox import OutboxService, OutboxStatus
    from kiosk.delivery.print_queue import PrintService, QueueStatus
    from kiosk.domain.journey import Delivery, VisitorSession
    from kiosk.domain.letter import Letter
    from kiosk.export_targets import ExportTarget
    from kiosk.pin_gate import PinGate

log = logging.getLogger(__name__)


class Services(QObject):
    printer_changed = Signal(object)  # QueueStatus, from the print worker's thread
    outbox_changed = Signal(object)  # OutboxStatus, from the outbox worker's thread
    _task_done = Signal(object, object, object)  # callback, result, error

    def __init__(self, campaign: Campaign, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.campaign = campaign
        self.data_dir = data_dir
        # Opened once for the process; the workers and background jobs get their connections
        # from it, each on its own thread.
        self.store = open_store(data_dir)
        # Made in start(), after the attract screen is up: escpos and smtplib load off that path.
        self.printer: PrintService | None = None
        self.outbox: OutboxService | None = None
        self._task_done.connect(lambda callback, result, error: callback(result, error))
        self._default_language: str = campaign.campaign.default_language
        self.drives = DriveFinder()  # the mounted USB drives; tests point it at a temp tree

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

    # --- staff actions (each written to the audit log) ------------------------------------------

    def audit(self, action: str, detail: str = "") -> None:
        self.store.audit("staff", action, detail)

    def pin_gate(self) -> PinGate:
        """The PIN pad's guard, its tries and lockout read from the store and written back."""
        from kiosk.pin_gate import PinGate

        return PinGate(self.campaign.staff.pin_hash, self.store)

    def default_language(self) -> str:
        return self._default_language

    def set_default_language(self, lang: str) -> None:
        self._default_language = lang
        self.audit("kiosk.default_language", lang)

    def retry_print_jobs(self) -> int:
        if self.printer is None:
            return 0
        ids = [j.id for j in self.printer.jobs(["failed"])]
        for job_id in ids:
            self.printer.retry(job_id)
        self.audit("print.retry_all", f"{len(ids)} jobs")
        self.printer.wake()
        return len(ids)

    def retry_failed_emails(self) -> int:
        from kiosk.store import outbox as ob

        n = ob.retry_failed(self.store)
        if self.outbox:
            self.outbox.wake()
        return n

    def print_jobs(self, states: list[str]) -> list:
        from kiosk.delivery.print_queue import list_jobs

        return list_jobs(self.store, states)

    def retry_print_job(self, job_id: int) -> bool:
        from kiosk.delivery.print_queue import retry_job

        done = retry_job(self.store, job_id)
        if self.printer:
            self.printer.wake()
        return done

    def cancel_print_job(self, job_id: int) -> bool:
        from kiosk.delivery.print_queue import cancel_job

        return cancel_job(self.store, job_id)

    def emails(self, states: list[str]) -> list:
        from kiosk.store import outbox as ob

        return ob.list_items(self.store, states)

    def retry_email(self, outbox_id: int) -> None:
        from kiosk.store import outbox as ob

        try:
            ob.retry(self.store, outbox_id)
        except ob.ActionRefused:
            log.info("email %s changed before staff retried it", outbox_id)
        if self.outbox:
            self.outbox.wake()

    def cancel_email(self, outbox_id: int) -> None:
        self.reject_email(outbox_id)

    def held_emails(self) -> list:
        from kiosk.store import outbox as ob

        return ob.list_items(self.store, ["held"])

    def release_email(self, outbox_id: int) -> None:
        from kiosk.store import outbox as ob

        try:
            ob.release_held(self.store, [outbox_id])
        except ob.ActionRefused:
            log.info("email %s changed before staff released it", outbox_id)
        if self.outbox:
            self.outbox.wake()

    def reject_email(self, outbox_id: int) -> None:
        from kiosk.store import outbox as ob

        try:
            ob.cancel(self.store, outbox_id)
        except ob.ActionRefused:
            log.info("email %s changed before staff rejected it", outbox_id)

    def test_print(self, on_done: Callable[[bool, str], None], lang: str) -> None:
        """Print the test page in the background; ``on_done(ok, message)`` on the GUI thread."""
        from kiosk.background import run_once
        from kiosk.delivery.sample_receipt import print_test_page

        self.audit("print.test_page")

        def finished(result: Any, error: BaseException | None) -> None:
            if error is not None:
                on_done(False, str(error))
            else:
                on_done(result.ok, result.message)

        run_once("test-print", lambda: print_test_page(self.campaign, self.data_dir, lang),
                 lambda result, error: self._task_done.emit(finished, result, error))

    def export_targets(self) -> list[ExportTarget]:
        """Every USB drive mounted now, then the data dir: staff choose one each time."""
        from kiosk.export_targets import data_dir_target

        return [*self.drives.drives(), data_dir_target(self.data_dir)]

    def export(self, target: ExportTarget, folder: str, on_done: Callable[[bool, str], None],
               lang: str) -> None:
        """Write the day's exports in the background into the new ``folder`` on the ``target``
        staff chose and confirmed, and nowhere else; ``on_done(ok, message)`` on the GUI thread.
        """
        from kiosk.background import run_once
        from kiosk.export_targets import DriveGone, make_export_folder
        from kiosk.exports import export_all
        from kiosk.i18n import tr

        where = target.describe("en")  # the audit log's language; a drive by label and size

        def job():
            out_dir = make_export_folder(target, folder, self.drives)
            with self.store.thread_connection():
                return out_dir, export_all(self.campaign, self.store, out_dir, lang=lang,
                                           actor="staff", target=where)

        def finished(result: Any, error: BaseException | None) -> None:
            if error is not None:
                # The kind of failure only: a message could quote a path on a visitor's stick.
                self.audit("export.failed", f"to {where}: {type(error).__name__}")
                if isinstance(error, DriveGone):
                    on_done(False, tr("staff.export_drive_gone", lang, name=target.name(lang)))
                else:
                    reason = error.strerror if isinstance(error, OSError) else error
                    on_done(False, tr("exports.cannot_write", lang, path=target.path / folder,
                                      error=reason or error))
                return
            out_dir, done = result
            on_done(True, "\n".join([
                tr("exports.wrote", lang, path=out_dir),
                tr("exports.summary", lang, letters=done.letters, free=done.postage_free,
                   postage=done.needs_postage, opt_ins=done.opt_ins)]))

        run_once("export", job, lambda result, error: self._task_done.emit(finished, result, error))

    def purge_due(self) -> None:
        """Remove personal details past the retention period (at start-up, off the GUI thread)."""
        from kiosk.background import run_once

        def job() -> int:
            from kiosk.store.retention import purge_personal_details

            with self.store.thread_connection():
                return purge_personal_details(self.store, self.campaign.staff.retention_days)

        run_once("purge", job, lambda result, error: None)

    # --- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        from kiosk.delivery.outbox import OutboxService
        from kiosk.delivery.print_queue import PrintService

        self.printer = PrintService(self.campaign, self.store, on_change=self._printer_news)
        self.outbox = OutboxService(self.campaign, self.store, on_change=self._outbox_news)
        self.printer.start()
        self.outbox.start()
        self.purge_due()

    def stop(self) -> None:
        for worker in (self.printer, self.outbox):
            if worker is not None:
                worker.stop()
        self.store.close()

    def _printer_news(self, status: Any) -> None:
        self.printer_changed.emit(status)

    def _outbox_news(self, status: Any) -> None:
        self.outbox_changed.emit(status)
