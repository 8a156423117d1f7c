"""Talking to CUPS for the office printer: hand over a PDF, follow a job, read a queue's state.

Through pycups (libcups), the binding python-escpos's own CUPS connection uses. Every call opens
its own connection and closes it: a scheduler restarted between two letters is found again, and
no connection is shared between threads.

What CUPS says is turned into a few plain facts the print worker acts on:

- :class:`QueueState`: does the queue exist, is it accepting jobs, is it stopped, and why;
- :class:`JobState`: where one job is (waiting, printing, printed, stopped for good, unknown);
- :class:`CupsUnavailable`: the scheduler cannot be reached (not running, wrong server);
- :class:`CupsRefused`: the scheduler answered no (no such queue, not accepting jobs).

A job's state is CUPS's, never guessed: "completed" is the only state taken as printed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.config.office_printer import OfficePrinterSettings

log = logging.getLogger(__name__)

# IPP's job-state values (RFC 8011, 5.3.7) and printer-state values (5.4.11).
_PENDING, _HELD, _PROCESSING, _STOPPED, _CANCELED, _ABORTED, _COMPLETED = range(3, 10)
_PRINTER_STOPPED = 5
# IPP status codes the worker tells apart (RFC 8011, 13.1.5): client errors are 0x04xx (the
# scheduler answered no), server errors 0x05xx (libcups reports a lost connection as 0x0502).
_NOT_FOUND, _NOT_POSSIBLE, _NOT_ACCEPTING = 0x0406, 0x0404, 0x0506
# pycups sets the server for the whole process (cupsSetServer); one caller at a time.
_SERVER_LOCK = threading.Lock()


class CupsUnavailable(Exception):
    """The scheduler did not answer: not running, or not where the settings say."""


class CupsRefused(Exception):
    """The scheduler answered, and said no. ``reason``: ``not_found`` (no such queue or job),
    ``not_accepting`` (the queue rejects jobs: ``cupsreject``), ``not_possible`` (e.g. cancel
    a completed job), or ``refused``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class JobPhase(StrEnum):
    WAITING = "waiting"  # pending or held in CUPS: the queue is stopped, or busy with others
    PRINTING = "printing"
    PRINTED = "printed"  # CUPS completed it: the printer took every page
    ENDED = "ended"  # cancelled or aborted in CUPS: it did not print, and will not by itself
    GONE = "gone"  # CUPS does not know the job (its history was cleared): unknown, not printed


@dataclass(frozen=True)
class JobState:
    phase: JobPhase
    detail: str = ""  # CUPS's reasons and message, for staff


@dataclass(frozen=True)
class QueueState:
    exists: bool
    accepting: bool = False
    stopped: bool = False
    message: str = ""  # printer-state-message and reasons, for staff

    @property
    def ready(self) -> bool:
        return self.exists and self.accepting and not self.stopped


def job_title(job_id: int, letter_uuid: str, attempt: int) -> str:
    """The title CUPS shows (lpstat, its web page): no visitor's name, and unique to this try,
    so that a job handed over just before a crash is found again by its title, and an earlier
    try that CUPS aborted is not mistaken for it."""
    return f"Letter Kiosk letter {letter_uuid} (job {job_id}, try {attempt})"


def _document_name(title: str) -> str:
    """The file name CUPS is given with the job (its document-name-supplied). CUPS shows a
    job's title only to its owner once authenticated (JobPrivateValues), but the document's
    name to anyone who may list jobs: the job can be found again by either."""
    return "".join(ch if ch.isalnum() or ch in "-" else "-" for ch in title).strip("-") + ".pdf"


def _pycups() -> Any:
    try:
        import cups
    except ImportError as e:  # the preflight says so first; this is for the CLI on its own
        raise CupsUnavailable(
            "pycups is not installed: pip install \"letter-kiosk[office]\"") from e
    return cups


@contextlib.contextmanager
def connection(settings: OfficePrinterSettings) -> Iterator[Any]:
    """A connection to the settings' scheduler, closed afterwards."""
    cups = _pycups()
    try:
        with _SERVER_LOCK:
            if settings.server:
                host, _, port = settings.server.rpartition(":")
                if host and port.isdigit() and not settings.server.startswith("/"):
                    conn = cups.Connection(host=host, port=int(port))
                else:
                    conn = cups.Connection(host=settings.server)
            else:
                conn = cups.Connection()
    except RuntimeError as e:  # pycups: "failed to connect to server"
        raise CupsUnavailable(f"{where(settings)}: {e}") from None
    try:
        yield conn
    except cups.IPPError as e:
        status, message = e.args if len(e.args) == 2 else (0, str(e))
        if 0x0400 <= status < 0x0500:
            reason = {_NOT_FOUND: "not_found", _NOT_POSSIBLE: "not_possible",
                      _NOT_ACCEPTING: "not_accepting"}.get(status, "refused")
            raise CupsRefused(reason, str(message)) from None
        # A lost connection comes back as a server error with libcups's message.
        raise CupsUnavailable(f"{where(settings)}: {message or status}") from None
    except RuntimeError as e:
        raise CupsUnavailable(f"{where(settings)}: {e}") from None
    finally:
        # libcups closes the HTTP connection when the object goes; nothing else to release.
        del conn


def where(settings: OfficePrinterSettings) -> str:
    """The scheduler, as staff would look for it."""
    return f"CUPS at {settings.server}" if settings.server else "this computer's CUPS"


def queue_state(settings: OfficePrinterSettings) -> QueueState:
    """The queue as CUPS sees it now; CupsUnavailable if CUPS does not answer."""
    assert settings.queue is not None  # enabled settings have one (validated)
    try:
        with connection(settings) as conn:
            attrs = conn.getPrinterAttributes(settings.queue, requested_attributes=[
                "printer-state", "printer-state-message", "printer-state-reasons",
                "printer-is-accepting-jobs"])
    except CupsRefused as e:
        if e.reason == "not_found":
            return QueueState(exists=False)
        raise
    reasons = [r for r in attrs.get("printer-state-reasons", []) if r != "none"]
    message = "; ".join(x for x in (attrs.get("printer-state-message", ""), *reasons) if x)
    return QueueState(
        exists=True,
        accepting=bool(attrs.get("printer-is-accepting-jobs", True)),
        stopped=attrs.get("printer-state") == _PRINTER_STOPPED,
        message=message,
    )


# IPP media names (PWG 5101.1) for what the kiosk prints besides letters.
MEDIA = {"letter": "Letter", "a4": "A4", "us10": "na_number-10_4.125x9.5in",
         "dl": "iso_dl_110x220mm"}


def print_pdf(settings: OfficePrinterSettings, data: bytes, title: str,
              *, spool: Path | None = None, media: str | None = None) -> int:
    """Hand a PDF to the queue; returns CUPS's job number.

    ``spool``: a private folder for the file CUPS reads (the data dir: a letter never sits in
    /tmp for other users to read); removed once CUPS has it. Printed at its real size
    (``print-scaling=none``): a letter scaled to the printer's margins would move its address
    out of the envelope's window. ``media``: a key of MEDIA (default: the settings' paper), e.g.
    "us10" for envelopes, which most printers then take from their manual feed.
    """
    assert settings.queue is not None
    options = {"media": MEDIA[media or settings.paper], "print-scaling": "none",
               "fit-to-page": "false", "sides": "one-sided"}
    folder = tempfile.mkdtemp(prefix=".office-", dir=spool)  # private to the kiosk's user
    name = os.path.join(folder, _document_name(title))
    try:
        fd = os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        with connection(settings) as conn:
            return int(conn.printFile(settings.queue, name, title, options))
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def job_state(settings: OfficePrinterSettings, job: int) -> JobState:
    """Where one job is; CupsUnavailable if CUPS does not answer."""
    try:
        with connection(settings) as conn:
            attrs = conn.getJobAttributes(job, requested_attributes=[
                "job-state", "job-state-reasons", "job-printer-state-message"])
    except CupsRefused as e:
        if e.reason == "not_found":
            return JobState(JobPhase.GONE)
        raise
    state = attrs.get("job-state")
    reasons = attrs.get("job-state-reasons", [])
    reasons = [reasons] if isinstance(reasons, str) else list(reasons)
    detail = "; ".join(x for x in (attrs.get("job-printer-state-message", ""), *reasons)
                       if x and x != "none")
    phase = {
        _PENDING: JobPhase.WAITING, _HELD: JobPhase.WAITING, _STOPPED: JobPhase.WAITING,
        _PROCESSING: JobPhase.PRINTING, _COMPLETED: JobPhase.PRINTED,
        _CANCELED: JobPhase.ENDED, _ABORTED: JobPhase.ENDED,
    }.get(state, JobPhase.WAITING)
    if phase is JobPhase.ENDED:
        detail = f"{'aborted' if state == _ABORTED else 'cancelled'} in CUPS" + (
            f": {detail}" if detail else "")
    return JobState(phase, detail)


def find_job(settings: OfficePrinterSettings, title: str) -> int | None:
    """The job CUPS holds under ``title`` (any state), if any: the one handed over just before
    the kiosk stopped, whose number it never wrote down."""
    document = _document_name(title)
    with connection(settings) as conn:
        jobs = conn.getJobs(which_jobs="all", requested_attributes=[
            "job-id", "job-name", "document-name-supplied"])
    found = [n for n, attrs in jobs.items()
             if attrs.get("job-name") == title or attrs.get("document-name-supplied") == document]
    return max(found) if found else None


def cancel_job(settings: OfficePrinterSettings, job: int) -> None:
    """Cancel a job in CUPS; one that already ended is left as it is."""
    try:
        with connection(settings) as conn:
            conn.cancelJob(job)
    except CupsRefused as e:  # already completed, cancelled or gone
        log.info("CUPS job %s not cancelled: %s", job, e)
