"""The event's outbox at the hub: emails sent once, from one place, whichever machine sends.

Any kiosk's sending worker, or ``hub send`` on any machine, drains it through the same
``OutboxQueue`` shape as a kiosk's own outbox (``kiosk.delivery.outbox``). A claim takes one row
with ``FOR UPDATE SKIP LOCKED`` (two senders never take the same email) under a lease timed by
the hub's clock, ``now()``: a sender whose clock is two days off changes nothing. A lease that
runs out (a sender gone mid-send) gives the row back, marked "maybe delivered", with the same
Message-ID, so a duplicate is recognisable as one. Every update checks the lease is still the
sender's.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from kiosk.store.hub.link import HubAway, connect, deadline, talking
from kiosk.store.hub.schema import check
from kiosk.store.outbox import STATES, ActionRefused, OutboxItem

if TYPE_CHECKING:
    import psycopg

_WAITING = ("queued", "retry", "unknown")

# An email as the sender needs it: the outbox row (``o``) and what it sends of the letter (``l``).
_ITEM_COLUMNS = """
o.id, l.local_id AS letter_id, o.message_id, o.to_addr, o.subject, o.state, o.attempts,
o.next_attempt_at::text, o.created_at::text, o.sent_at::text, o.last_code, o.last_error,
o.maybe_delivered, o.note, l.language, l.full_text, l.short_name,
l.email AS visitor_email, l.send_copy, l.recipient_id
"""
_ITEMS_FROM = "FROM outbox o JOIN letters l ON l.uuid = o.letter_uuid"


class HubQueue:
    """The hub's outbox for one sender (one thread at a time: the worker's, or a command's).

    The connection is opened when first needed and opened again after the link failed; every
    call has a deadline. A failure raises ``HubAway`` (try later) or ``HubRefused``.
    """

    def __init__(self, url: str, *, timeout: float, name: str):
        self.url = url
        self.timeout = timeout
        self.name = name
        self._conn: psycopg.Connection[tuple[Any, ...]] | None = None
        self._lock = threading.Lock()

    # --- the connection ----------------------------------------------------------------------

    @contextlib.contextmanager
    def session(self) -> Iterator[object]:
        """One round of the worker: a live connection (a hub restarted since the last round
        left a dead one: it is replaced here, by itself); dropped if the round failed."""
        try:
            yield self._live_connection()
        except HubAway:
            self.close()
            raise

    def _live_connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        import psycopg

        conn = self._connection()
        try:
            with deadline(conn, self.timeout + 5):
                conn.execute("SELECT 1")
            return conn
        except psycopg.Error:
            self.close()  # gone while we were not looking: one new try
            return self._connection()

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def _connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        with self._lock:
            if self._conn is not None and not self._conn.closed:
                return self._conn
        conn = connect(self.url, timeout=self.timeout, name=self.name)
        try:
            with talking(self.url), deadline(conn, self.timeout + 5):
                conn.autocommit = True
                check(conn, self.url)
        except BaseException:
            conn.close()
            raise
        with self._lock:
            self._conn = conn
        return conn

    @contextlib.contextmanager
    def _call(self) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
        conn = self._connection()
        try:
            with talking(self.url), deadline(conn, self.timeout + 5):
                yield conn
        except HubAway:
            self.close()
            raise

    def _one(self, sql: str, args: tuple[object, ...] = ()) -> tuple[Any, ...] | None:
        with self._call() as conn:
            return conn.execute(sql, args).fetchone()

    # --- the queue -----------------------------------------------------------------------------

    def now(self) -> datetime:
        row = self._one("SELECT now()")
        assert row is not None
        return cast(datetime, row[0])

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATES, 0)
        with self._call() as conn:
            for state, n in conn.execute("SELECT state, count(*) FROM outbox GROUP BY state"):
                out[str(state)] = int(n)
        return out

    def next_due(self) -> datetime | None:
        row = self._one(
            """SELECT least(
                   (SELECT min(next_attempt_at) FROM outbox WHERE state = ANY(%s)),
                   (SELECT min(lease_until) FROM outbox WHERE state = 'sending'))""",
            (list(_WAITING),))
        return cast(datetime, row[0]) if row and row[0] is not None else None

    def make_due_now(self) -> int:
        with self._call() as conn:
            cur = conn.execute(
                "UPDATE outbox SET next_attempt_at = now() "
                "WHERE state = ANY(%s) AND next_attempt_at > now()", (list(_WAITING),))
            return cur.rowcount

    def claim(self, owner: str, lease_seconds: float, *,
              due_before: datetime | None = None) -> OutboxItem | None:
        """The next email to send, leased to ``owner``, or None. Interrupted sends (a lease run
        out) come first, then the oldest due; a row another sender holds is skipped."""
        # One statement (its own transaction): the row is picked, leased and read back with
        # its letter in one round trip to the hub, not four (BEGIN, UPDATE, SELECT, COMMIT).
        row = self._one(
            f"""WITH pick AS (
                    SELECT id, state = 'sending' AS interrupted FROM outbox
                    WHERE (state = 'sending' AND lease_until < now())
                       OR (state = ANY(%s) AND next_attempt_at <= least(now(),
                                               coalesce(%s::timestamptz, now())))
                    ORDER BY (state = 'sending') DESC, next_attempt_at, id
                    LIMIT 1 FOR UPDATE SKIP LOCKED),
                leased AS (
                    UPDATE outbox o SET state = 'sending', lease_owner = %s,
                        lease_until = now() + %s * interval '1 second',
                        attempts = o.attempts + 1, updated_at = now(),
                        maybe_delivered = o.maybe_delivered OR pick.interrupted
                    FROM pick WHERE o.id = pick.id RETURNING o.*)
                SELECT {_ITEM_COLUMNS} FROM leased o JOIN letters l ON l.uuid = o.letter_uuid""",
            (list(_WAITING), due_before, owner, lease_seconds))
        return None if row is None else _item(row)

    def _finish(self, outbox_id: int, owner: str, sets: str, values: tuple[object, ...]) -> bool:
        """Update a row this sender holds; False if its lease was lost to another sender."""
        with self._call() as conn:
            cur = conn.execute(
                f"""UPDATE outbox SET {sets}, lease_owner = NULL, lease_until = NULL,
                        updated_at = now()
                    WHERE id = %s AND state = 'sending' AND lease_owner = %s""",
                (*values, outbox_id, owner))
            return cur.rowcount == 1

    def mark_sent(self, outbox_id: int, owner: str, *, code: int | None,
                  note: str | None = None) -> bool:
        return self._finish(outbox_id, owner, "state = 'sent', sent_at = now(), last_code = %s, "
                            "last_error = NULL, note = coalesce(%s, note)", (code, note))

    def mark_failed(self, outbox_id: int, owner: str, *, error: str, code: int | None) -> bool:
        return self._finish(outbox_id, owner, "state = 'failed', last_code = %s, last_error = %s",
                            (code, error))

    def mark_retry(self, outbox_id: int, owner: str, *, delay: float, error: str,
                   code: int | None = None, unknown: bool = False) -> bool:
        return self._finish(
            outbox_id, owner,
            "state = %s, next_attempt_at = now() + %s * interval '1 second', last_code = %s, "
            "last_error = %s, maybe_delivered = maybe_delivered OR %s",
            ("unknown" if unknown else "retry", delay, code, error, unknown))

    # --- staff actions (the panel's and `outbox` commands', on the event's outbox) ---------------

    def items(self, states: list[str] | None = None) -> list[OutboxItem]:
        with self._call() as conn:
            if states:
                rows = conn.execute(f"SELECT {_ITEM_COLUMNS} {_ITEMS_FROM} "
                                    "WHERE o.state = ANY(%s) ORDER BY o.id",
                                    (list(states),)).fetchall()
            else:
                rows = conn.execute(f"SELECT {_ITEM_COLUMNS} {_ITEMS_FROM} ORDER BY o.id"
                                    ).fetchall()
        return [_item(r) for r in rows]

    def retry(self, outbox_id: int, *, actor: str) -> None:
        """Send this email again now; refused once sent (that would be a deliberate duplicate)
        or while being sent."""
        self._staff_update(outbox_id, ("failed", "cancelled", "retry", "unknown", "queued"),
                           "state = CASE WHEN state = 'unknown' THEN state ELSE 'queued' END, "
                           "next_attempt_at = now()", actor, "outbox.retry")

    def retry_failed(self, *, actor: str) -> int:
        ids = [int(r[0]) for r in self._rows("SELECT id FROM outbox WHERE state = 'failed'")]
        for outbox_id in ids:
            self.retry(outbox_id, actor=actor)
        return len(ids)

    def cancel(self, outbox_id: int, *, actor: str) -> None:
        """Never send this email; refused while it is being sent or once sent."""
        self._staff_update(outbox_id, ("held", "queued", "retry", "unknown", "failed"),
                           "state = 'cancelled'", actor, "outbox.cancel")

    def release(self, ids: list[int] | None = None, *, actor: str) -> int:
        """Let held emails go: all of them, or those ``ids``; returns how many."""
        if ids is None:
            ids = [int(r[0]) for r in self._rows("SELECT id FROM outbox WHERE state = 'held'")]
        for outbox_id in ids:
            self._staff_update(outbox_id, ("held",),
                               "state = 'queued', next_attempt_at = now()", actor,
                               "outbox.release")
        return len(ids)

    def _rows(self, sql: str) -> list[tuple[Any, ...]]:
        with self._call() as conn:
            return conn.execute(sql).fetchall()

    def _staff_update(self, outbox_id: int, allowed: tuple[str, ...], sets: str, actor: str,
                      action: str) -> None:
        with self._call() as conn, conn.transaction():
            row = conn.execute("SELECT state FROM outbox WHERE id = %s FOR UPDATE",
                               (outbox_id,)).fetchone()
            if row is None:
                raise ActionRefused(outbox_id, "not_found")
            if row[0] not in allowed:
                raise ActionRefused(outbox_id, str(row[0]))
            conn.execute(f"UPDATE outbox SET {sets}, updated_at = now() WHERE id = %s",
                         (outbox_id,))
            # The audit names the row, never an address or letter text.
            conn.execute("INSERT INTO audit (actor, action, detail) VALUES (%s, %s, %s)",
                         (actor, action, f"outbox {outbox_id} (was {row[0]})"))


def _item(row: tuple[Any, ...]) -> OutboxItem:
    (id_, letter_id, message_id, to_addr, subject, state, attempts, next_at, created, sent,
     code, error, maybe, note, language, full_text, short_name, visitor_email, send_copy,
     recipient_id) = row
    return OutboxItem(
        id=int(id_), letter_id=int(letter_id), message_id=message_id, to_addr=to_addr,
        subject=subject, state=state, attempts=int(attempts), next_attempt_at=next_at,
        created_at=created, sent_at=sent, last_code=code, last_error=error,
        maybe_delivered=bool(maybe), note=note, language=language, full_text=full_text,
        short_name=short_name, visitor_email=visitor_email, send_copy=bool(send_copy),
        recipient_id=recipient_id)
