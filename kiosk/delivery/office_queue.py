"""The office printer's worker: full-page letters handed to CUPS once each, and followed there.

A full letter is a print job (``device = 'office'``) saved with its letter before the visitor
saw "thank you". Each round of the worker (kiosk.background.Worker, on its own thread):

1. asks CUPS for the queue. No answer: nothing moves; staff see "CUPS not answering";
2. follows every job CUPS already has: "completed" marks it printed (the only state that does);
   cancelled or aborted in CUPS marks it failed, for staff to retry or cancel; a job CUPS no
   longer knows is failed too ("unknown" is never "printed");
3. hands the next job over, if the queue exists and accepts jobs. The try is counted and
   committed first, under a title naming the letter and the try, and CUPS's job number is
   written down after. A kiosk stopped between the two finds its job again by that title
   rather than handing it over twice.

A stopped queue (``cupsdisable``, or CUPS stopping it after a printer error) still takes jobs
and keeps them: they print, once, when staff start it again. A queue that rejects jobs
(``cupsreject``) or does not exist takes none: the kiosk keeps the letter and tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC
from enum import StrEnum
from typing import TYPE_CHECKING

from kiosk.delivery import cups_link
from kiosk.delivery.cups_link import CupsRefused, CupsUnavailable, JobPhase, QueueState
from kiosk.delivery.device_service import DeviceService
from kiosk.i18n import tr
from kiosk.store import print_jobs as pj

if TYPE_CHECKING:
    from kiosk.config import Campaign
    from kiosk.store.db import Store
    from kiosk.store.print_jobs import PrintJob

log = logging.getLogger(__name__)

IDLE_SECONDS = 30.0  # how often an idle queue is looked at, for the staff panel
# A letter with CUPS this long and not printed: staff are told, though CUPS sees no fault (a
# printer switched off or unplugged while its queue stays enabled, retrying the job).
STUCK_SECONDS = 180.0


class OfficeKind(StrEnum):
    NOT_CHECKED = "not_checked"
    READY = "ready"
    PRINTING = "printing"
    STOPPED = "stopped"
    NOT_ACCEPTING = "not_accepting"
    NOT_PRINTING = "not_printing"
    NO_QUEUE = "no_queue"
    NO_CUPS = "no_cups"
    DISABLED = "disabled"


_TROUBLE = (OfficeKind.STOPPED, OfficeKind.NOT_ACCEPTING, OfficeKind.NOT_PRINTING,
            OfficeKind.NO_QUEUE, OfficeKind.NO_CUPS)


@dataclass(frozen=True)
class OfficeStatus:
    """A snapshot for the UI: the queue as CUPS last said, and the office jobs' counts."""

    kind: OfficeKind
    detail: str = ""
    queue: str = ""
    queued: int = 0
    printed: int = 0
    failed: int = 0
    cancelled: int = 0
    queued_ids: tuple[int, ...] = ()

    @property
    def needs_staff(self) -> bool:
        return self.kind in _TROUBLE

    @property
    def ready(self) -> bool:
        return self.kind in (OfficeKind.READY, OfficeKind.PRINTING)

    def label(self, lang: str) -> str:
        return tr(f"office.status.{self.kind}", lang)

    def staff_message(self, lang: str) -> str:
        if self.kind in (OfficeKind.NOT_CHECKED, OfficeKind.DISABLED):
            return self.label(lang)
        return tr(f"office.staff.{self.kind}", lang, detail=self.detail or "-", queue=self.queue)

    def staff_alert(self, lang: str) -> str | None:
        """The attract screen's staff alert, or None when all is well."""
        if self.needs_staff:
            msg = self.staff_message(lang)
            if self.queued:
                msg = f"{msg} {tr('office.staff.waiting', lang, count=self.queued)}"
            return msg
        if self.failed:
            return tr("office.staff.failed_jobs", lang, count=self.failed)
        return None


class OfficeService(DeviceService[OfficeStatus]):
    """Prints full letters through CUPS in the background. ``start()`` once; ``wake()`` after
    new jobs or a staff action."""

    def __init__(self, campaign: Campaign, store: Store,
                 on_change: Callable[[OfficeStatus], None] | None = None):
        self.campaign = campaign
        self.settings = s = campaign.office_printer
        self.store = store
        first = OfficeKind.NOT_CHECKED if s.enabled else OfficeKind.DISABLED
        super().__init__("office-printer", OfficeStatus(first, queue=s.queue or ""),
                         enabled=s.enabled, idle_seconds=IDLE_SECONDS,
                         stop_seconds=4 * s.timeout_seconds + 2, on_change=on_change)

    def start(self) -> None:
        if self.enabled:
            cups_link.sweep_spool(self.store.data_dir)
        super().start()

    # --- the worker's round ------------------------------------------------------------------

    def _step(self) -> float | None:
        with self.store.thread_connection():
            return self._round(self.store)

    def _round(self, store: Store) -> float:
        s = self.settings
        try:
            queue = cups_link.queue_state(s)
            self._follow(store)
            handed = self._hand_over(store, queue)
        except CupsUnavailable as e:
            log.warning("office printer: %s", e)
            self._publish(store, OfficeKind.NO_CUPS, str(e))
            return s.retry_seconds
        except CupsRefused as e:  # answered, but would not say (not authorised, say)
            log.warning("office printer: CUPS refused: %s", e)
            self._publish(store, OfficeKind.NO_CUPS, f"CUPS refused: {e}")
            return s.retry_seconds
        if handed is None:  # nothing to hand over
            kind, detail = _kind_of(queue)
            with_cups = pj.with_cups(store)
            if kind is OfficeKind.READY and with_cups:
                kind = OfficeKind.PRINTING
                if _waited(with_cups[0]) > STUCK_SECONDS:
                    kind = OfficeKind.NOT_PRINTING
                    detail = queue.message or with_cups[0].last_error or ""
            self._publish(store, kind, detail)
            return s.poll_seconds if with_cups else IDLE_SECONDS
        if not handed:  # the queue cannot take it now
            return s.retry_seconds
        return 0.0  # at once to the next letter

    def _follow(self, store: Store) -> None:
        for job in pj.with_cups(store):
            assert job.cups_job is not None
            state = cups_link.job_state(self.settings, job.cups_job, self._title(job))
            if state.phase is JobPhase.PRINTED:
                pj.mark_printed(store, job.id, "completed")
                log.info("office job %s printed (CUPS job %s)", job.id, job.cups_job)
                cups_link.purge_job(self.settings, job.cups_job)
            elif state.phase is JobPhase.ENDED:
                if pj.ended_in_cups(store, job.id, job.cups_job, state.detail):
                    log.warning("office job %s: %s", job.id, state.detail)
                cups_link.purge_job(self.settings, job.cups_job)
            elif state.phase is JobPhase.GONE:
                if pj.ended_in_cups(store, job.id, job.cups_job, tr("office.staff.gone", "en")):
                    log.warning("office job %s: CUPS job %s unknown to CUPS", job.id,
                                job.cups_job)
            else:
                pj.note_status(store, job.id, str(state.phase), state.detail or None)

    def _hand_over(self, store: Store, queue: QueueState) -> bool | None:
        """None: nothing to hand over; False: the queue cannot take it now; True: handed."""
        job = pj.next_to_hand_over(store)
        if job is None:
            return None
        if not (queue.exists and queue.accepting):
            kind, detail = _kind_of(queue)
            pj.note_status(store, job.id, str(kind), detail or None)
            self._publish(store, kind, detail)
            return False
        if job.sent_at is not None:
            # A try counted whose outcome was never written down (the kiosk stopped between
            # handing it over and noting CUPS's number): CUPS may have it; look first.
            found = cups_link.find_job(self.settings, self._title(job))
            if found is not None:
                log.info("office job %s: found as CUPS job %s", job.id, found)
                pj.note_cups_job(store, job.id, found)
                return True
        try:
            data = self._pdf(store, job)
        except Exception as e:  # a layout bug must not hold every letter behind this one
            log.exception("office job %s could not be laid out", job.id)
            pj.mark_failed(store, job.id, f"the page could not be laid out: {e}")
            return True
        pj.note_sent(store, job.id)
        job = replace(job, attempts=job.attempts + 1)
        try:
            number = cups_link.print_pdf(self.settings, data, self._title(job),
                                         spool=store.data_dir)
        except CupsRefused as e:
            log.warning("office job %s refused by CUPS: %s", job.id, e)
            kind = OfficeKind.NOT_ACCEPTING if e.reason == "not_accepting" else OfficeKind.NO_QUEUE
            pj.not_handed_over(store, job.id, str(kind), str(e))
            self._publish(store, kind, str(e))
            return False
        pj.note_cups_job(store, job.id, number)
        log.info("office job %s handed to CUPS as job %s", job.id, number)
        after = pj.get_job(store, job.id)
        if after is not None and after.state == "cancelled":
            # Staff cancelled it while it was being handed over: CUPS must not print it.
            try:
                cups_link.cancel_job(self.settings, number)
            except CupsRefused as e:
                log.warning("office job %s, cancelled by staff, not cancelled in CUPS: %s",
                            job.id, e)
        self._publish(store, OfficeKind.PRINTING, "")
        return True

    def _title(self, job: PrintJob) -> str:
        return cups_link.job_title(job.id, job.letter_uuid, job.attempts)

    def _pdf(self, store: Store, job: PrintJob) -> bytes:
        from kiosk.delivery.paper.letter_pdf import full_letter_pdf

        letter, created = pj.letter_for_job(store, job.id)
        when = created.replace(tzinfo=created.tzinfo or UTC).astimezone()
        title = self.campaign.campaign.title.get(letter.language)
        return full_letter_pdf([(letter, when)], paper=self.settings.paper, title=title)

    def _publish(self, store: Store, kind: OfficeKind, detail: str) -> None:
        c = pj.counts(store, "office")
        new = OfficeStatus(kind, detail, self.settings.queue or "", c["queued"], c["printed"],
                           c["failed"], c["cancelled"], tuple(pj.queued_ids(store, "office")))
        self._publish_status(new)

    def _error_status(self, last: OfficeStatus, e: BaseException) -> OfficeStatus:
        return replace(last, kind=OfficeKind.NO_CUPS, detail=f"office printer worker error: {e}")


def _waited(job: PrintJob) -> float:
    """Seconds since the job was handed to CUPS."""
    from datetime import datetime

    if job.sent_at is None:
        return 0.0
    sent = datetime.fromisoformat(job.sent_at)
    return (datetime.now(UTC) - sent.replace(tzinfo=sent.tzinfo or UTC)).total_seconds()


def _kind_of(queue: QueueState) -> tuple[OfficeKind, str]:
    if not queue.exists:
        return OfficeKind.NO_QUEUE, ""
    if not queue.accepting:
        return OfficeKind.NOT_ACCEPTING, queue.message
    if queue.stopped:
        return OfficeKind.STOPPED, queue.message
    return OfficeKind.READY, ""
