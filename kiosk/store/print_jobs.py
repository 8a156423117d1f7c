"""Print job queries. A job is created with its letter (``Store.keep``) before anything is sent.

States:
  queued     waiting, being tried, or sent but not yet confirmed by the printer
  printed    the printer said online with paper after it was sent (or, for connections without
             a status channel, it was handed over in full: see kiosk/delivery/print_queue.py)
  failed     the receipt could not even be laid out (a bug): kept for staff to retry
  cancelled  staff chose not to print it

Each job is for one device: ``receipt`` (the ESC/POS receipt printer) or ``office`` (a full page
through CUPS, kiosk/delivery/office_queue.py). An office job handed to CUPS keeps CUPS's job
number (``cups_job``) while it is queued: it is followed there, never handed over again.

Only one print worker runs per device and data dir, so a job is never claimed twice; every
function here takes the store (and uses the calling thread's connection from it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.store.db import now_iso

if TYPE_CHECKING:
    from kiosk.domain.letter import Letter
    from kiosk.store.db import Store

STATES = ("queued", "printed", "failed", "cancelled")
OPEN = ("queued", "failed")  # not over yet: what staff look after
DEVICES = ("receipt", "office")


@dataclass(frozen=True)
class PrintJob:
    id: int
    letter_id: int
    state: str
    attempts: int
    created_at: str
    updated_at: str
    sent_at: str | None
    printed_at: str | None
    last_status: str | None
    last_error: str | None
    recipient_id: str
    language: str
    device: str = "receipt"
    cups_job: int | None = None
    letter_uuid: str = ""


_SELECT = """SELECT j.id, j.letter_id, j.state, j.attempts, j.created_at, j.updated_at,
                    j.sent_at, j.printed_at, j.last_status, j.last_error,
                    l.recipient_id, l.language, j.device, j.cups_job, l.uuid
             FROM print_jobs j JOIN letters l ON l.id = j.letter_id"""


def _job(row: sqlite3.Row) -> PrintJob:
    return PrintJob(*tuple(row))


def get_job(store: Store, job_id: int) -> PrintJob | None:
    row = store.conn.execute(f"{_SELECT} WHERE j.id = ?", (job_id,)).fetchone()
    return _job(row) if row else None


def next_queued(store: Store, device: str = "receipt") -> PrintJob | None:
    """The oldest queued job: letters print in the order visitors confirmed them."""
    row = store.conn.execute(
        f"{_SELECT} WHERE j.device = ? AND j.state = 'queued' ORDER BY j.id LIMIT 1", (device,)
    ).fetchone()
    return _job(row) if row else None


def next_to_hand_over(store: Store) -> PrintJob | None:
    """The oldest queued office job CUPS does not have yet."""
    row = store.conn.execute(
        f"{_SELECT} WHERE j.device = 'office' AND j.state = 'queued' AND j.cups_job IS NULL"
        " ORDER BY j.id LIMIT 1").fetchone()
    return _job(row) if row else None


def with_cups(store: Store) -> list[PrintJob]:
    """Office jobs CUPS has and has not finished yet, oldest first."""
    rows = store.conn.execute(
        f"{_SELECT} WHERE j.device = 'office' AND j.state = 'queued' AND j.cups_job IS NOT NULL"
        " ORDER BY j.id").fetchall()
    return [_job(r) for r in rows]


def list_jobs(
    store: Store, states: Iterable[str] | None = None, limit: int = 200,
    devices: Iterable[str] | None = None,
) -> list[PrintJob]:
    """Newest first."""
    wanted, kinds = list(states or STATES), list(devices or DEVICES)
    marks, kind_marks = ",".join("?" * len(wanted)), ",".join("?" * len(kinds))
    rows = store.conn.execute(
        f"{_SELECT} WHERE j.state IN ({marks}) AND j.device IN ({kind_marks})"
        " ORDER BY j.id DESC LIMIT ?", (*wanted, *kinds, limit)
    ).fetchall()
    return [_job(r) for r in rows]


def counts(store: Store, device: str = "receipt") -> dict[str, int]:
    out = dict.fromkeys(STATES, 0)
    for state, n in store.conn.execute(
            "SELECT state, COUNT(*) FROM print_jobs WHERE device = ? GROUP BY state", (device,)):
        out[state] = n
    return out


def queued_ids(store: Store, device: str = "receipt") -> list[int]:
    return [r[0] for r in store.conn.execute(
        "SELECT id FROM print_jobs WHERE device = ? AND state = 'queued' ORDER BY id", (device,))]


def note_status(store: Store, job_id: int, status: str, error: str | None) -> None:
    """The job stays queued; remember why, for staff."""
    store.conn.execute(
        "UPDATE print_jobs SET last_status = ?, last_error = ?, updated_at = ? WHERE id = ?",
        (status, error, now_iso(), job_id),
    )


def note_sent(store: Store, job_id: int) -> None:
    """Counted before the bytes go out, so a crash mid-send still shows the attempt."""
    at = now_iso()
    store.conn.execute(
        "UPDATE print_jobs SET attempts = attempts + 1, sent_at = ?, updated_at = ? WHERE id = ?",
        (at, at, job_id),
    )


def note_cups_job(store: Store, job_id: int, cups_job: int | None) -> None:
    """CUPS took the job under this number (None: forget it, CUPS no longer has it)."""
    store.conn.execute("UPDATE print_jobs SET cups_job = ?, updated_at = ? WHERE id = ?",
                       (cups_job, now_iso(), job_id))


def mark_printed(store: Store, job_id: int, status: str) -> None:
    # Unconditional: if staff cancelled it while it was printing, it still printed.
    at = now_iso()
    store.conn.execute(
        """UPDATE print_jobs SET state = 'printed', printed_at = ?, updated_at = ?,
               last_status = ?, last_error = NULL, cups_job = NULL, sent_at = NULL
           WHERE id = ?""",
        (at, at, status, job_id),
    )


def mark_failed(store: Store, job_id: int, error: str) -> None:
    # The try is over, its outcome known: a retry is a new try, handed over anew (sent_at set
    # with no CUPS job number means a try whose outcome the kiosk never learnt).
    store.conn.execute(
        "UPDATE print_jobs SET state = 'failed', last_error = ?, updated_at = ?, cups_job = NULL,"
        " sent_at = NULL WHERE id = ?",
        (error, now_iso(), job_id),
    )


def ended_in_cups(store: Store, job_id: int, cups_job: int, error: str) -> bool:
    """CUPS ended this job without printing it: failed, for staff, unless staff acted on the
    job meanwhile (a cancel, which also ended it in CUPS, stays a cancel)."""
    cur = store.conn.execute(
        "UPDATE print_jobs SET state = 'failed', last_error = ?, updated_at = ?, cups_job = NULL,"
        " sent_at = NULL WHERE id = ? AND state = 'queued' AND cups_job = ?",
        (error, now_iso(), job_id, cups_job))
    return cur.rowcount == 1


def not_handed_over(store: Store, job_id: int, status: str, error: str) -> None:
    """CUPS said no to this try: it has nothing of it; the job waits for the next try."""
    store.conn.execute(
        "UPDATE print_jobs SET last_status = ?, last_error = ?, sent_at = NULL, updated_at = ?"
        " WHERE id = ?", (status, error, now_iso(), job_id))


def retry(store: Store, job_id: int, *, reprint: bool = False, actor: str = "staff") -> bool:
    """Queue a failed or cancelled job again (a printed one only with ``reprint``), and record
    who did it in the same transaction."""
    allowed = ("failed", "cancelled", "queued", *(("printed",) if reprint else ()))
    marks = ",".join("?" * len(allowed))
    with store.transaction() as c:
        cur = c.execute(
            # A job CUPS still holds (queued) keeps its number: it is not handed over again.
            f"""UPDATE print_jobs SET state = 'queued', last_error = NULL, updated_at = ?,
                       cups_job = CASE state WHEN 'queued' THEN cups_job END,
                       sent_at = CASE state WHEN 'queued' THEN sent_at END
                WHERE id = ? AND state IN ({marks})""",
            (now_iso(), job_id, *allowed),
        )
        if cur.rowcount == 1:
            store.audit(actor, "print.retry", f"job {job_id}")
    return cur.rowcount == 1


def retry_failed(store: Store, *, actor: str = "staff", device: str | None = None) -> int:
    """Queue every failed job again (of one device, or all), in one transaction; returns how
    many."""
    with store.transaction() as c:
        cur = c.execute("UPDATE print_jobs SET state = 'queued', last_error = NULL, "
                        "updated_at = ? WHERE state = 'failed' AND device = coalesce(?, device)",
                        (now_iso(), device))
        store.audit(actor, "print.retry_all", f"{cur.rowcount} jobs")
    return cur.rowcount


def cancel(store: Store, job_id: int, *, actor: str = "staff") -> bool:
    with store.transaction() as c:
        cur = c.execute(
            """UPDATE print_jobs SET state = 'cancelled', updated_at = ?, cups_job = NULL,
                      sent_at = NULL
               WHERE id = ? AND state IN ('queued', 'failed')""",
            (now_iso(), job_id),
        )
        if cur.rowcount == 1:
            store.audit(actor, "print.cancel", f"job {job_id}")
    return cur.rowcount == 1


def letter_for_job(store: Store, job_id: int) -> tuple[Letter, datetime]:
    """The kept letter, rebuilt as it was reviewed, and when it was written (for the date)."""
    import json

    from kiosk.domain.letter import Letter, Signer, SignMode

    row = store.conn.execute(
        "SELECT l.* FROM print_jobs j JOIN letters l ON l.id = j.letter_id WHERE j.id = ?",
        (job_id,),
    ).fetchone()
    if row is None:
        raise KeyError(job_id)
    signer = Signer(
        mode=SignMode(row["sign_mode"]), first_name=row["first_name"],
        last_name=row["last_name"], city=row["city"], postal_code=row["postal_code"],
    )
    drawn = store.conn.execute(
        "SELECT d.png FROM print_jobs j JOIN letter_drawings d ON d.letter_id = j.letter_id"
        " WHERE j.id = ?", (job_id,)).fetchone()
    signer = replace(signer, drawing=bytes(drawn[0]) if drawn else None)
    letter = Letter(
        recipient_id=row["recipient_id"], language=row["language"],
        salutation=row["salutation"], body=row["body"], closing=row["closing"], signer=signer,
        address_lines=tuple(json.loads(row["address_lines"])),
        postage_free=bool(row["postage_free"]), recipient_email=row["recipient_email"],
    )
    return letter, datetime.fromisoformat(row["created_at"])
