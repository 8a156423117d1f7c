"""Outbox queries: claiming emails under a lease, recording what the server said, staff actions.

Every email is one row of ``outbox``; its state says where it is:

``held``       waiting for staff to release it (``email.hold_for_review``)
``queued``     waiting to be sent
``sending``    claimed by one worker, under a lease; nobody else may touch it
``retry``      a temporary failure (server unreachable, 4xx); due again at ``next_attempt_at``
``unknown``    the connection broke while the email was being handed over: it may have arrived.
               Sent again with the same Message-ID, so a duplicate is recognisable as one.
``sent``       the server accepted it (250 after DATA)
``failed``     the server refused it for good (5xx); ``last_error`` keeps its answer
``cancelled``  staff cancelled it

Two workers never send the same row: a claim is one ``BEGIN IMMEDIATE`` transaction that moves the
row to ``sending`` with the worker's name in ``lease_owner``, and every later update checks that
name. A worker that dies mid-send (crash, SIGKILL, power cut) leaves its row in ``sending``; the
row is claimed again when its lease runs out, or at once when the owner was a process on this
machine that no longer exists.
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kiosk.logs import redact

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from kiosk.store.db import Store

HELD, QUEUED, SENDING, RETRY, UNKNOWN = "held", "queued", "sending", "retry", "unknown"
SENT, FAILED, CANCELLED = "sent", "failed", "cancelled"
HUB = "hub"  # sent by the event's hub once its letter is there, never by this kiosk
STATES = (HELD, QUEUED, SENDING, RETRY, UNKNOWN, SENT, FAILED, CANCELLED, HUB)
WAITING = (QUEUED, RETRY, UNKNOWN)  # sent by a worker once next_attempt_at has come
PENDING = (*WAITING, SENDING)  # on its way: not yet delivered, nothing for staff to do
OPEN = (*PENDING, HELD, FAILED)  # not over yet: what staff look after
_WAITING_SQL = "(" + ", ".join(f"'{state}'" for state in WAITING) + ")"

_ITEM_SQL = """SELECT o.*, l.language, l.full_text, l.short_name, l.email AS visitor_email,
                      l.send_copy, l.recipient_id
               FROM outbox o JOIN letters l ON l.id = o.letter_id"""


def iso(dt: datetime) -> str:
    """Timestamps as the store writes them (``now_iso``), so text order is time order."""
    return dt.astimezone(UTC).isoformat(timespec="milliseconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


@dataclass(frozen=True)
class OutboxItem:
    """One outbox row joined with what the email needs from its letter."""

    id: int
    letter_id: int
    message_id: str
    to_addr: str
    subject: str
    state: str
    attempts: int
    next_attempt_at: str
    created_at: str
    sent_at: str | None
    last_code: int | None
    last_error: str | None
    maybe_delivered: bool
    note: str | None
    language: str
    full_text: str
    short_name: str
    visitor_email: str
    send_copy: bool
    recipient_id: str

    @classmethod
    def from_row(cls, row: Any) -> OutboxItem:
        return cls(
            id=row["id"], letter_id=row["letter_id"], message_id=row["message_id"],
            to_addr=row["to_addr"], subject=row["subject"], state=row["state"],
            attempts=row["attempts"], next_attempt_at=row["next_attempt_at"],
            created_at=row["created_at"], sent_at=row["sent_at"], last_code=row["last_code"],
            last_error=row["last_error"], maybe_delivered=bool(row["maybe_delivered"]),
            note=row["note"], language=row["language"], full_text=row["full_text"],
            short_name=row["short_name"], visitor_email=row["visitor_email"],
            send_copy=bool(row["send_copy"]), recipient_id=row["recipient_id"],
        )


class ActionRefused(Exception):
    """A staff action that does not apply to this row. ``reason`` is a catalog key suffix."""

    def __init__(self, outbox_id: int, reason: str):
        self.outbox_id = outbox_id
        self.reason = reason
        super().__init__(f"outbox {outbox_id}: {reason}")


# --- leases --------------------------------------------------------------------------------------


def make_owner(token: str) -> str:
    """A lease owner name: ``host:pid:token``. The pid lets a restarted kiosk see a dead owner."""
    return f"{socket.gethostname()}:{os.getpid()}:{token}"


def owner_is_dead(owner: str | None) -> bool:
    """True only when certain: the owner was a process on this machine that has exited.

    Anything unsure (another host, no permission to ask, not POSIX) counts as alive, so the row
    waits for its lease to run out instead of risking a second, parallel send. A zombie (killed
    but not yet reaped by its parent) still counts as alive.
    """
    if not owner or os.name != "posix":
        return False
    host, _, rest = owner.partition(":")
    if host != socket.gethostname():
        return False
    try:
        pid = int(rest.split(":", 1)[0])
        if pid == os.getpid():
            return False
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except (ValueError, OverflowError, PermissionError, OSError):
        return False
    return False


def claim(
    store: Store,
    owner: str,
    lease_seconds: float,
    *,
    now: datetime | None = None,
    due_before: datetime | None = None,
) -> OutboxItem | None:
    """Take the next email to send, or None. Interrupted sends come first, then the oldest due.

    ``due_before`` limits the claim to emails due by then (a foreground drain uses it so that a
    retry scheduled during the drain waits for the kiosk instead of being hammered).
    """
    now = _now(now)
    due = iso(min(now, due_before) if due_before else now)
    with store.transaction() as c:
        chosen = None
        interrupted = False
        for row in c.execute(
            "SELECT id, lease_owner, lease_until FROM outbox WHERE state = 'sending' ORDER BY id"
        ).fetchall():
            if (row["lease_until"] or "") < iso(now) or owner_is_dead(row["lease_owner"]):
                chosen, interrupted = row["id"], True
                break
        if chosen is None:
            row = c.execute(
                f"SELECT id FROM outbox WHERE state IN {_WAITING_SQL} AND next_attempt_at <= ? "
                "ORDER BY next_attempt_at, id LIMIT 1",
                (due,),
            ).fetchone()
            if row is None:
                return None
            chosen = row["id"]
        c.execute(
            """UPDATE outbox SET state = 'sending', lease_owner = ?, lease_until = ?,
                   attempts = attempts + 1, updated_at = ?,
                   maybe_delivered = maybe_delivered OR ?
               WHERE id = ?""",
            (owner, iso(now + timedelta(seconds=lease_seconds)), iso(now), int(interrupted),
             chosen),
        )
        item = OutboxItem.from_row(c.execute(f"{_ITEM_SQL} WHERE o.id = ?", (chosen,)).fetchone())
    return item


def _finish(store: Store, outbox_id: int, owner: str, sets: str,
            values: tuple[object, ...]) -> bool:
    """Update a row this worker holds. False if the lease was lost (the row is someone else's)."""
    with store.transaction() as c:
        cur = c.execute(
            f"""UPDATE outbox SET {sets}, lease_owner = NULL, lease_until = NULL, updated_at = ?
                WHERE id = ? AND state = 'sending' AND lease_owner = ?""",
            (*values, iso(_now(None)), outbox_id, owner),
        )
        return cur.rowcount == 1


def mark_sent(
    store: Store, outbox_id: int, owner: str, *, code: int | None, note: str | None = None
) -> bool:
    at = iso(_now(None))
    return _finish(
        store, outbox_id, owner,
        "state = 'sent', sent_at = ?, last_code = ?, last_error = NULL, note = COALESCE(?, note)",
        (at, code, note),
    )


def mark_failed(
    store: Store, outbox_id: int, owner: str, *, error: str, code: int | None
) -> bool:
    return _finish(
        store, outbox_id, owner, "state = 'failed', last_code = ?, last_error = ?", (code, error)
    )


def mark_retry(
    store: Store,
    outbox_id: int,
    owner: str,
    *,
    next_at: datetime,
    error: str,
    code: int | None = None,
    unknown: bool = False,
) -> bool:
    """Back to waiting. ``unknown``: the email may have arrived; remember that for staff."""
    return _finish(
        store, outbox_id, owner,
        "state = ?, next_attempt_at = ?, last_code = ?, last_error = ?, "
        "maybe_delivered = maybe_delivered OR ?",
        (UNKNOWN if unknown else RETRY, iso(next_at), code, error, int(unknown)),
    )


# --- reading -------------------------------------------------------------------------------------


def counts(store: Store) -> dict[str, int]:
    """How many rows are in each state (every state present, zero when empty)."""
    out = dict.fromkeys(STATES, 0)
    for row in store.conn.execute("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state"):
        out[row["state"]] = row["n"]
    return out


def next_due(store: Store) -> datetime | None:
    """When the next email becomes claimable (a waiting row, or a lease running out)."""
    row = store.conn.execute(
        f"""SELECT MIN(t) FROM (
               SELECT MIN(next_attempt_at) AS t FROM outbox WHERE state IN {_WAITING_SQL}
               UNION ALL SELECT MIN(lease_until) FROM outbox WHERE state = 'sending')"""
    ).fetchone()
    return parse_iso(row[0]) if row and row[0] else None


def get(store: Store, outbox_id: int) -> OutboxItem | None:
    row = store.conn.execute(f"{_ITEM_SQL} WHERE o.id = ?", (outbox_id,)).fetchone()
    return OutboxItem.from_row(row) if row else None


def list_items(store: Store, states: list[str] | None = None) -> list[OutboxItem]:
    if states:
        marks = ",".join("?" * len(states))
        rows = store.conn.execute(f"{_ITEM_SQL} WHERE o.state IN ({marks}) ORDER BY o.id", states)
    else:
        rows = store.conn.execute(f"{_ITEM_SQL} ORDER BY o.id")
    return [OutboxItem.from_row(r) for r in rows]


def copies_granted_since(store: Store, address: str, since: datetime) -> int:
    """How many visitor copies go to ``address`` (in any letter case) from letters kept since
    ``since``, not counting emails staff cancelled (``kiosk.delivery.visitor_copy``)."""
    row = store.conn.execute(
        """SELECT COUNT(*) FROM letters l JOIN outbox o ON o.letter_id = l.id
           WHERE l.send_copy = 1 AND l.by_email = 1 AND lower(l.email) = lower(?)
             AND l.created_at >= ? AND o.state != 'cancelled'""",
        (address, iso(since)),
    ).fetchone()
    return int(row[0])


# --- forgetting the visitor --------------------------------------------------------------------

REMOVED = "[removed]"


def scrub_addresses(text: str | None, address: str, mark: str = REMOVED) -> str | None:
    """``text`` without ``address`` in any letter case, nor anything else shaped like an address.

    Mail servers quote addresses as they please (``<ZOE@EXAMPLE.ORG>``, the domain in Unicode
    where the kiosk sent punycode): matching only the stored spelling let them through.
    """
    if not text:
        return text
    if address:
        text = re.sub(re.escape(address), mark, text, flags=re.IGNORECASE)
    return redact(text, mark)


def forget_addresses(store: Store, letter_id: int, address: str) -> None:
    """Scrub the server answers kept on ``letter_id``'s emails (note, last_error), e.g. a refused
    copy quoting the visitor's address; inside the caller's transaction."""
    conn = store.conn
    rows = conn.execute(
        "SELECT id, note, last_error FROM outbox WHERE letter_id = ?", (letter_id,)).fetchall()
    for outbox_id, note, error in rows:
        conn.execute("UPDATE outbox SET note = ?, last_error = ? WHERE id = ?",
                     (scrub_addresses(note, address), scrub_addresses(error, address), outbox_id))


# --- staff actions -------------------------------------------------------------------------------


def _staff_update(
    store: Store, outbox_id: int, allowed: tuple[str, ...], sets: str, actor: str, action: str
) -> None:
    with store.transaction() as c:
        row = c.execute("SELECT state FROM outbox WHERE id = ?", (outbox_id,)).fetchone()
        if row is None:
            raise ActionRefused(outbox_id, "not_found")
        if row["state"] not in allowed:
            raise ActionRefused(outbox_id, row["state"])
        c.execute(f"UPDATE outbox SET {sets}, updated_at = ? WHERE id = ?",
                  (iso(_now(None)), outbox_id))
        # The audit names the row, never an address or letter text.
        store.audit(actor, action, f"outbox {outbox_id} (was {row['state']})")


def retry(store: Store, outbox_id: int, *, actor: str = "staff") -> None:
    """Send this email again now. A sent email is refused: that would be a deliberate duplicate."""
    _staff_update(
        store, outbox_id, (FAILED, CANCELLED, RETRY, UNKNOWN, QUEUED),
        f"state = CASE WHEN state = '{UNKNOWN}' THEN state ELSE '{QUEUED}' END, "
        f"next_attempt_at = '{iso(_now(None))}'",
        actor, "outbox.retry",
    )


def retry_failed(store: Store, *, actor: str = "staff") -> int:
    """Queue every failed email again; returns how many."""
    ids = [r["id"] for r in store.conn.execute("SELECT id FROM outbox WHERE state = 'failed'")]
    for outbox_id in ids:
        retry(store, outbox_id, actor=actor)
    return len(ids)


def cancel(store: Store, outbox_id: int, *, actor: str = "staff") -> None:
    """Never send this email. Refused while it is being sent (it may already be on its way)."""
    _staff_update(store, outbox_id, (HELD, QUEUED, RETRY, UNKNOWN, FAILED),
                  "state = 'cancelled'", actor, "outbox.cancel")


def release_held(store: Store, ids: list[int] | None = None, *, actor: str = "staff") -> int:
    """Let held emails go (all of them, or those ``ids``); returns how many were released."""
    if ids is None:
        ids = [r["id"] for r in store.conn.execute("SELECT id FROM outbox WHERE state = 'held'")]
    for outbox_id in ids:
        _staff_update(store, outbox_id, (HELD,),
                      f"state = 'queued', next_attempt_at = '{iso(_now(None))}'",
                      actor, "outbox.release")
    return len(ids)


def make_due_now(store: Store, *, now: datetime | None = None) -> int:
    """Bring every waiting email forward to now (staff asked to send now)."""
    with store.transaction() as c:
        cur = c.execute(
            f"UPDATE outbox SET next_attempt_at = ? WHERE state IN {_WAITING_SQL} "
            "AND next_attempt_at > ?",
            (iso(_now(now)), iso(_now(now))),
        )
        return cur.rowcount


# --- the queue the sending worker drains -------------------------------------------------------


class LocalQueue:
    """This kiosk's own outbox, as the sending worker sees it (``kiosk.delivery.outbox``'s
    ``OutboxQueue``; the event's hub has the same shape, ``kiosk.store.hub.outbox``). Times are
    this kiosk's clock; a retry is given as a delay, so that no caller's clock enters a row."""

    def __init__(self, store: Store):
        self.store = store

    def session(self) -> AbstractContextManager[object]:
        """A connection for the calling thread, for one round of the worker."""
        return self.store.thread_connection()

    def now(self) -> datetime:
        return _now(None)

    def counts(self) -> dict[str, int]:
        return counts(self.store)

    def next_due(self) -> datetime | None:
        return next_due(self.store)

    def make_due_now(self) -> int:
        return make_due_now(self.store)

    def claim(self, owner: str, lease_seconds: float, *,
              due_before: datetime | None = None) -> OutboxItem | None:
        return claim(self.store, owner, lease_seconds, due_before=due_before)

    def mark_sent(self, outbox_id: int, owner: str, *, code: int | None,
                  note: str | None = None) -> bool:
        return mark_sent(self.store, outbox_id, owner, code=code, note=note)

    def mark_failed(self, outbox_id: int, owner: str, *, error: str, code: int | None) -> bool:
        return mark_failed(self.store, outbox_id, owner, error=error, code=code)

    def mark_retry(self, outbox_id: int, owner: str, *, delay: float, error: str,
                   code: int | None = None, unknown: bool = False) -> bool:
        return mark_retry(self.store, outbox_id, owner, error=error, code=code, unknown=unknown,
                          next_at=_now(None) + timedelta(seconds=delay))

    # --- staff actions, the same as the hub's ------------------------------------------------

    def items(self, states: list[str] | None = None) -> list[OutboxItem]:
        return list_items(self.store, states)

    def retry(self, outbox_id: int, *, actor: str) -> None:
        retry(self.store, outbox_id, actor=actor)

    def retry_failed(self, *, actor: str) -> int:
        return retry_failed(self.store, actor=actor)

    def cancel(self, outbox_id: int, *, actor: str) -> None:
        cancel(self.store, outbox_id, actor=actor)

    def release(self, ids: list[int] | None = None, *, actor: str) -> int:
        return release_held(self.store, ids, actor=actor)

    def close(self) -> None:
        """Nothing to let go: the store is the process's."""
