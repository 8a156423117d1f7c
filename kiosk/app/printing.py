"""Printing: the receipt printer's and the office printer's workers, their status, and what
staff do with print jobs (of either printer: a job knows its device).

Staff's retry and cancel are one transaction each, with their audit row; the workers are woken
after each so a job queued again prints at once, not at its next round. Cancelling a full letter
CUPS already holds cancels it in CUPS first: a letter staff cancelled must not come out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.store import print_jobs as pj

if TYPE_CHECKING:
    from kiosk.app.context import Context
    from kiosk.delivery.office_queue import OfficeService, OfficeStatus
    from kiosk.delivery.print_queue import PrintService, QueueStatus
    from kiosk.delivery.sample_receipt import TestPrintResult
    from kiosk.store.print_jobs import PrintJob

OPEN = list(pj.OPEN)  # not over yet: what staff look after


class Printing:
    def __init__(self, ctx: Context):
        self._ctx = ctx
        self.worker: PrintService | None = None
        self.office: OfficeService | None = None

    # --- the workers -----------------------------------------------------------------------

    def start(self, on_change: Callable[[QueueStatus], None] | None = None,
              on_office: Callable[[OfficeStatus], None] | None = None) -> None:
        """Start printing queued letters in the background (escpos loads here, not before);
        full letters too, when the campaign has an office printer."""
        from kiosk.delivery.print_queue import PrintService

        if self.worker is None:
            self.worker = PrintService(self._ctx.campaign, self._ctx.store, on_change=on_change)
            self.worker.start()
        if self.office is None and self._ctx.campaign.office_printer.enabled:
            from kiosk.delivery.office_queue import OfficeService

            self.office = OfficeService(self._ctx.campaign, self._ctx.store, on_change=on_office)
            self.office.start()

    def stop(self) -> None:
        for worker in (self.worker, self.office):
            if worker is not None:
                worker.stop()

    def wake(self) -> None:
        for worker in (self.worker, self.office):
            if worker is not None:
                worker.wake()

    def office_status(self) -> OfficeStatus | None:
        """The office printer as its worker last saw it; None without one (or before start)."""
        return self.office.status() if self.office else None

    def status(self) -> QueueStatus | None:
        """The printer and queue as the worker last saw them; None before the worker starts."""
        return self.worker.status() if self.worker else None

    def ready(self) -> bool:
        """Whether a visitor's letter is expected to come out now (unknown counts as no)."""
        status = self.status()
        if status is None:
            return False
        return status.printer.ready or not status.printer.monitored

    # --- staff actions ---------------------------------------------------------------------

    def jobs(self, states: list[str] | None = None, limit: int = 200) -> list[PrintJob]:
        """Newest first. Works on a store opened for reading."""
        return pj.list_jobs(self._ctx.store, states, limit)

    def retry(self, job_id: int, *, reprint: bool = False) -> bool:
        """Queue a failed or cancelled job again (a printed one only with ``reprint``)."""
        done = pj.retry(self._ctx.store, job_id, reprint=reprint, actor=self._ctx.actor)
        self.wake()
        return done

    def retry_failed(self) -> int:
        n = pj.retry_failed(self._ctx.store, actor=self._ctx.actor)
        self.wake()
        return n

    def cancel(self, job_id: int) -> bool:
        """Not printed, then. A full letter CUPS holds is cancelled there first; when CUPS
        cannot be reached it is not cancelled (it could still print): CupsUnavailable."""
        job = pj.get_job(self._ctx.store, job_id)
        if job is not None and job.device == "office" and job.cups_job is not None \
                and job.state == "queued" and not self._cancel_in_cups(job):
            return False
        return pj.cancel(self._ctx.store, job_id, actor=self._ctx.actor)

    def _cancel_in_cups(self, job: PrintJob) -> bool:
        """Cancel a full letter CUPS holds; False if it printed already (it is then marked
        printed: a letter that came out is never reported cancelled, nor printed again)."""
        from kiosk.delivery import cups_link

        settings = self._ctx.campaign.office_printer
        assert job.cups_job is not None
        try:
            cups_link.cancel_job(settings, job.cups_job)
            return True
        except cups_link.CupsRefused:  # it had ended already: how?
            title = cups_link.job_title(job.id, job.letter_uuid, job.attempts)
            if cups_link.job_state(settings, job.cups_job, title).phase is \
                    cups_link.JobPhase.PRINTED:
                pj.mark_printed(self._ctx.store, job.id, "completed")
                return False
            return True

    def test_page(self, lang: str) -> TestPrintResult:
        """Print the sample receipt now, checking the printer before and after. Recorded in
        the audit log where the store can be written; a read-only store does not stop it."""
        from kiosk.delivery.sample_receipt import print_test_page

        if not self._ctx.store.read_only:  # a test print changes nothing that needs keeping
            self._ctx.audit("print.test_page")
        return print_test_page(self._ctx.campaign, self._ctx.data_dir, lang)
