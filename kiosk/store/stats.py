"""The day's numbers for staff: letters by recipient, by channel and by language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.store.db import Store


@dataclass
class Counts:
    letters: int = 0
    visitors: int = 0
    by_recipient: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_language: dict[str, int] = field(default_factory=dict)


def local_day_start_utc(now: datetime | None = None) -> str:
    """Midnight of today, local time, as a UTC timestamp comparable with ``created_at``."""
    now = (now or datetime.now()).astimezone()
    midnight = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    return midnight.astimezone(UTC).isoformat(timespec="milliseconds")


def counts(store: Store, since: str | None = None) -> Counts:
    conn = store.conn
    where, args = ("WHERE created_at >= ?", (since,)) if since else ("", ())
    c = Counts()
    row = conn.execute(
        f"SELECT COUNT(*), COUNT(DISTINCT session_id), COALESCE(SUM(by_print), 0),"
        f" COALESCE(SUM(by_email), 0) FROM letters {where}", args
    ).fetchone()
    c.letters, c.visitors = row[0], row[1]
    c.by_channel = {"print": row[2], "email": row[3]}
    for col, target in (("recipient_id", c.by_recipient), ("language", c.by_language)):
        for key, n in conn.execute(
            f"SELECT {col}, COUNT(*) FROM letters {where} GROUP BY {col} ORDER BY {col}", args
        ):
            target[key] = n
    return c
