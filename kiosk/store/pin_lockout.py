"""The PIN pad's lockout on disk: wrong PINs so far, and the lockout running, if any.

One row, written in the same transaction as its audit entries, so the log and the lockout
never disagree. The rule that reads it is ``kiosk.pin_gate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.store.db import Store

@dataclass(frozen=True)
class LockoutRow:
    failures: int = 0
    lockouts: int = 0
    locked_at: datetime | None = None  # aware UTC; None if not locked or if unreadable
    lock_seconds: int = 0


def load(store: Store) -> LockoutRow:
    row = store.conn.execute(
        "SELECT failures, lockouts, locked_at, lock_seconds FROM pin_lockout WHERE id = 1"
    ).fetchone()
    if row is None:
        return LockoutRow()
    return LockoutRow(int(row["failures"] or 0), int(row["lockouts"] or 0),
                      _parse(row["locked_at"]), int(row["lock_seconds"] or 0))


def save(store: Store, row: LockoutRow, audit: list[tuple[str, str]], actor: str) -> None:
    """Write ``row`` and the ``(action, detail)`` audit entries, all or nothing."""
    locked_at = row.locked_at.isoformat(timespec="milliseconds") if row.locked_at else None
    with store.transaction() as c:
        c.execute(
            """INSERT INTO pin_lockout (id, failures, lockouts, locked_at, lock_seconds)
               VALUES (1, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET failures = excluded.failures,
                   lockouts = excluded.lockouts, locked_at = excluded.locked_at,
                   lock_seconds = excluded.lock_seconds""",
            (row.failures, row.lockouts, locked_at, row.lock_seconds),
        )
        for action, detail in audit:
            store.audit(actor, action, detail)


def _parse(text: str | None) -> datetime | None:
    try:
        at = datetime.fromisoformat(text or "")
    except (TypeError, ValueError):
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
