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
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from kiosk.config.office_printer import OfficePrinterSettings

log = logging.getLogger(__name__)
T = TypeVar("T")

# IPP's job-state values (RFC 8011, 5.3.7) and printer-state values (5.4.11).
_PENDING, _HELD, _PROCESSING, _STOPPED, _CANCELED, _ABORTED, _COMPLETED = range(3, 10)
_PRINTER_STOPPED = 5
# IPP status codes the worker tells apart (RFC 8011, 13.1.5): client errors are 0x04xx (the
# scheduler answered no), server errors 0x05xx (libcups reports a lost connection as 0x0502).
_NOT_FOUND, _NOT_POSSIBLE, _NOT_ACCEPTING = 0x0406, 0x0404, 0x0506


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


def _connect(cups: Any, settings: OfficePrinterSettings) -> Any:
    # Host and port given to the connection itself, never set process-wide (cupsSetServer):
    # calls on other threads are not affected.
    if settings.server:
        host, _, port = settings.server.rpartition(":")
        if host and port.isdigit() and not settings.server.startswith("/"):
            return cups.Connection(host=host, port=int(port))
        return cups.Connection(host=settings.server)
    return cups.Connection()


def call(settings: OfficePrinterSettings, what: Callable[[Any], T]) -> T:
    """``what(connection)`` on a fresh connection to the settings' scheduler, within
    ``timeout_seconds``: libcups waits for a scheduler that accepted the connection and then
    went silent as long as it takes, and a print worker, a staff action or Quit must not.

    The call runs on a thread of its own; one that outlives its deadline is left to end by
    itself (a daemon thread, holding nothing the kiosk needs) and CupsUnavailable is raised.
    """
    cups = _pycups()
    done: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            conn = _connect(cups, settings)
            done.append(what(conn))
        except BaseException as e:  # handed to the caller's thread
            failed.append(e)

    worker = threading.Thread(target=run, name="cups-call", daemon=True)
    worker.start()
    worker.join(settings.timeout_seconds)
    if worker.is_alive():
        raise CupsUnavailable(f"{where(settings)}: no answer within "
                              f"{settings.timeout_seconds:g} s")
    if failed:
        raise _plain(settings, cups, failed[0]) from None
    return done[0]


def _plain(settings: OfficePrinterSettings, cups: Any, e: BaseException) -> BaseException:
    """pycups's errors as the two the kiosk tells apart; others as they are (bugs)."""
    if isinstance(e, cups.IPPError):
        status, message = e.args if len(e.args) == 2 else (0, str(e))
        if 0x0400 <= status < 0x0500:
            reason = {_NOT_FOUND: "not_found", _NOT_POSSIBLE: "not_possible",
                      _NOT_ACCEPTING: "not_accepting"}.get(status, "refused")
            return CupsRefused(reason, str(message))
        # A lost connection comes back as a server error with libcups's message.
        return CupsUnavailable(f"{where(settings)}: {message or status}")
    if isinstance(e, RuntimeError):  # pycups: "failed to connect to server"
        return CupsUnavailable(f"{where(settings)}: {e}")
    return e


def where(settings: OfficePrinterSettings) -> str:
    """The scheduler, as staff would look for it."""
    return f"CUPS at {settings.server}" if settings.server else "this computer's CUPS"


def queue_state(settings: OfficePrinterSettings) -> QueueState:
    """The queue as CUPS sees it now; CupsUnavailable if CUPS does not answer."""
    assert settings.queue is not None  # enabled settings have one (validated)
    queue = settings.queue
    try:
        attrs = call(settings, lambda conn: conn.getPrinterAttributes(queue, requested_attributes=[
            "printer-state", "printer-state-message", "printer-state-reasons",
            "printer-is-accepting-jobs"]))
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
    queue = settings.queue
    assert queue is not None
    options = {"media": MEDIA[media or settings.paper], "print-scaling": "none",
               "fit-to-page": "false", "sides": "one-sided"}
    folder = tempfile.mkdtemp(prefix=".office-", dir=spool)  # private to the kiosk's user
    name = os.path.join(folder, _document_name(title))
    try:
        fd = os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return int(call(settings, lambda conn: conn.printFile(queue, name, title, options)))
    finally:
        # Also when CUPS did not answer in time: a late answer then finds no file to print
        # rather than the letter staying on the disk.
        with contextlib.suppress(OSError):
            os.unlink(name)
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def job_state(settings: OfficePrinterSettings, job: int, title: str | None = None) -> JobState:
    """Where one job is; CupsUnavailable if CUPS does not answer. With ``title``, a job under
    that number that is not the one handed over with that title (CUPS reset its numbers, or
    this is another scheduler) counts as GONE, never as the kiosk's."""
    try:
        attrs = call(settings, lambda conn: conn.getJobAttributes(job, requested_attributes=[
            "job-state", "job-state-reasons", "job-printer-state-message", "job-name",
            "document-name-supplied"]))
    except CupsRefused as e:
        if e.reason == "not_found":
            return JobState(JobPhase.GONE)
        raise
    if title is not None and not _is_ours(attrs, title):
        return JobState(JobPhase.GONE, f"CUPS job {job} is another job")
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
    jobs = call(settings, lambda conn: conn.getJobs(which_jobs="all", requested_attributes=[
        "job-id", "job-name", "document-name-supplied"]))
    found = [n for n, attrs in jobs.items() if _is_ours(attrs, title, strict=True)]
    return max(found) if found else None


def _is_ours(attrs: dict[str, Any], title: str, *, strict: bool = False) -> bool:
    """Whether a job's attributes name the job handed over as ``title``. CUPS shows a title
    only to its owner (JobPrivateValues), the document's name to anyone; ``strict``: one of
    them must be there and match, else one that is there must not differ."""
    names = (attrs.get("job-name"), attrs.get("document-name-supplied"))
    wanted = (title, _document_name(title))
    shown = [(got, want) for got, want in zip(names, wanted, strict=True) if got]
    if not shown:
        return not strict
    return any(got == want for got, want in shown)


def cancel_job(settings: OfficePrinterSettings, job: int) -> None:
    """Cancel a job in CUPS (CupsRefused "not_possible" if it already completed or ended)."""
    call(settings, lambda conn: conn.cancelJob(job))


def purge_job(settings: OfficePrinterSettings, job: int) -> None:
    """Remove a finished job from CUPS, its copy of the letter with it: CUPS keeps a job's
    file for a day by default (PreserveJobFiles), beyond the kiosk's retention. Best effort:
    a scheduler that cannot do it now keeps the file until its own limit."""
    try:
        call(settings, lambda conn: conn.cancelJob(job, purge_job=True))
    except (CupsRefused, CupsUnavailable) as e:
        log.info("CUPS job %s not purged: %s", job, e)


def sweep_spool(folder: Path) -> None:
    """Remove letter files a kiosk stopped mid-hand-over left in its data dir."""
    import shutil

    for left in folder.glob(".office-*"):
        if left.is_dir() and not left.is_symlink():
            shutil.rmtree(left, ignore_errors=True)
