"""The print queue: one background worker that prints kept letters, one at a time, losing none.

Each step of the worker (kiosk.background.Worker, on its own thread):

1. takes the oldest queued job from the store (jobs were saved with their letters before the
   visitor saw "thank you");
2. asks the printer for its status. No answer is UNKNOWN, which is not ready: nothing is sent;
3. sends the whole receipt, made beforehand as bytes, in one go;
4. asks again. Only "online" (or "paper low") after sending marks the job printed. Anything else
   (paper out, cover open, silence) leaves it queued, and it is sent again once the printer says
   it is ready: a printer that ran out mid-job may print some of it twice, but never lose it.

Connections without a status channel (``file``, ``cups``, or ``answers_status = false``) cannot
say "online with paper". For them, the job counts as printed once it was handed over in full:
written, flushed and fsync'd to the file, or accepted by the CUPS spooler (which keeps and retries
it itself). Waiting for a confirmation that can never come would print every letter forever.

The UI is told through ``on_change(QueueStatus)``, called on the worker thread whenever the status
or the counts change; the UI turns it into a Qt signal. ``status()`` never blocks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

from kiosk.delivery.device_service import DeviceService
from kiosk.delivery.printer import PrinterLink, PrinterState, PrinterUnreachable, StatusKind
from kiosk.i18n import tr
from kiosk.store import print_jobs as pj

if TYPE_CHECKING:
    from kiosk.config import Campaign
    from kiosk.store.db import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueStatus:
    """A snapshot for the UI: the printer's state and the queue's counts."""

    printer: PrinterState
    queued: int = 0
    printed: int = 0
    failed: int = 0
    cancelled: int = 0
    queued_ids: tuple[int, ...] = ()
    printing_id: int | None = None

    def staff_alert(self, lang: str) -> str | None:
        """The attract screen's staff alert, or None when all is well."""
        if self.printer.needs_staff:
            msg = self.printer.staff_message(lang)
            if self.queued:
                msg = f"{msg} {tr('printing.staff.waiting', lang, count=self.queued)}"
            return msg
        if self.failed:
            return tr("printing.staff.failed_jobs", lang, count=self.failed)
        return None

    def is_queued(self, job_id: int) -> bool:
        return job_id in self.queued_ids


NOT_CHECKED = PrinterState(StatusKind.UNKNOWN, "not checked yet")


class PrintService(DeviceService[QueueStatus]):
    """Prints queued letters in the background. ``start()`` once; ``wake()`` after new jobs."""

    def __init__(
        self,
        campaign: Campaign,
        store: Store,
        on_change: Callable[[QueueStatus], None] | None = None,
    ):
        self.campaign = campaign
        self.settings = s = campaign.printer
        self.store = store  # the process's store; the worker's thread gets its own connection
        self.data_dir = store.data_dir
        first = NOT_CHECKED if s.enabled else PrinterState(StatusKind.DISABLED)
        self._link = PrinterLink(s, self.data_dir)
        self._cache: tuple[int, bytes] | None = None
        # stop: long enough for one bounded connect + send + status.
        super().__init__("printer", QueueStatus(first), enabled=s.enabled,
                         idle_seconds=max(s.poll_seconds, s.retry_seconds),
                         stop_seconds=4 * s.timeout_seconds + 2, on_change=on_change)

    # --- the worker's step -------------------------------------------------------------------

    def _step(self) -> float | None:
        # A store connection per step, on this thread: stop() never has to reach into it.
        try:
            with self.store.thread_connection():
                return self._print_next(self.store)
        finally:
            self._link.close()  # one connection per step: a stuck one never outlives it

    def _print_next(self, store: Store) -> float | None:
        job = pj.next_queued(store)
        before = self._link.status()
        if job is None:
            self._publish(store, before)
            return self.settings.poll_seconds
        if not before.ready:
            pj.note_status(store, job.id, before.kind, before.detail)
            self._publish(store, before)
            return self.settings.retry_seconds
        try:
            data = self._job_bytes(store, job.id)
        except Exception as e:  # a layout bug must not block every letter behind this one
            log.exception("print job %s could not be laid out", job.id)
            pj.mark_failed(store, job.id, f"receipt could not be laid out: {e}")
            self._publish(store, before)
            return 0.0
        self._publish(store, before, printing=job.id)
        pj.note_sent(store, job.id)
        try:
            self._link.send(data)
        except PrinterUnreachable as e:
            log.warning("print job %s: %s", job.id, e)
            state = PrinterState(StatusKind.UNKNOWN, str(e))
            pj.note_status(store, job.id, state.kind, state.detail)
            self._publish(store, state)
            return self.settings.retry_seconds
        after = self._link.status() if self._link.monitored else before
        if not after.ready:
            log.warning("print job %s sent but not confirmed: %s", job.id, after.detail)
            pj.note_status(store, job.id, after.kind, f"sent, not confirmed: {after.detail}")
            self._publish(store, after)
            return self.settings.retry_seconds
        pj.mark_printed(store, job.id, after.kind)
        self._cache = None
        log.info("print job %s printed (%s)", job.id, after.kind)
        self._publish(store, after)
        return 0.0  # straight on to the next job, if any

    def _job_bytes(self, store: Store, job_id: int) -> bytes:
        if self._cache and self._cache[0] == job_id:
            return self._cache[1]
        from kiosk.delivery.receipt import letter_bytes

        letter, created = pj.letter_for_job(store, job_id)
        when = created.replace(tzinfo=created.tzinfo or UTC).astimezone()  # the kiosk's day
        data = letter_bytes(letter, self.campaign, when)
        self._cache = (job_id, data)
        return data

    def _publish(self, store: Store, printer: PrinterState, printing: int | None = None) -> None:
        c = pj.counts(store)
        new = QueueStatus(
            printer=printer, queued=c["queued"], printed=c["printed"], failed=c["failed"],
            cancelled=c["cancelled"], queued_ids=tuple(pj.queued_ids(store)), printing_id=printing,
        )
        self._publish_status(new)

    def _error_status(self, last: QueueStatus, e: BaseException) -> QueueStatus:
        state = PrinterState(StatusKind.UNKNOWN, f"print worker error: {e}")
        return QueueStatus(state, **_counts_of(last))


def _counts_of(s: QueueStatus) -> dict[str, Any]:
    return {"queued": s.queued, "printed": s.printed, "failed": s.failed,
            "cancelled": s.cancelled, "queued_ids": s.queued_ids}
