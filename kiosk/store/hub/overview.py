"""What the hub holds, for staff: its tables' version, the kiosks it has seen, the letters and
the emails. One snapshot (a repeatable-read transaction), so the numbers agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, cast

from kiosk.store.hub.schema import version

if TYPE_CHECKING:
    import psycopg

    from kiosk.store.stats import Counts


@dataclass(frozen=True)
class SeenKiosk:
    kiosk_id: str
    name: str
    last_seen: datetime  # the hub's clock
    seconds_ago: float  # by the hub's clock too: a kiosk's own clock never enters it
    not_uploaded: int
    letters: int  # at the hub
    printer: str  # the kiosk's printer, as it said last time ("" if it has none)


@dataclass(frozen=True)
class Overview:
    version: int
    kiosks: list[SeenKiosk]
    letters: int
    emails: dict[str, int]  # by state
    conflicts: int


def overview(conn: psycopg.Connection[tuple[object, ...]]) -> Overview:
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        have = version(conn)
        kiosks = [
            SeenKiosk(str(r[0]), str(r[1]), cast(datetime, r[2]), float(str(r[3])),
                      int(str(r[4])), int(str(r[5])), str(r[6]))
            for r in conn.execute(
                """SELECT k.kiosk_id, k.name, k.last_seen,
                          extract(epoch FROM now() - k.last_seen), k.not_uploaded,
                          (SELECT count(*) FROM letters l WHERE l.kiosk_id = k.kiosk_id),
                          k.printer
                   FROM kiosks k ORDER BY k.name, k.kiosk_id""")
        ]
        letters = conn.execute("SELECT count(*) FROM letters").fetchone()
        emails = {str(s): int(str(n)) for s, n in conn.execute(
            "SELECT state, count(*) FROM outbox GROUP BY state ORDER BY state")}
        conflicts = conn.execute("SELECT count(*) FROM letter_conflicts").fetchone()
    return Overview(have, kiosks, int(str(letters[0])) if letters else 0, emails,
                    int(str(conflicts[0])) if conflicts else 0)


def event_counts(conn: psycopg.Connection[tuple[object, ...]], *,
                 utc_offset_seconds: int | None = None) -> Counts:
    """The whole event's letters, as a kiosk's own are counted (``kiosk.store.stats``): by
    recipient, channel and language, from one snapshot. ``utc_offset_seconds``: today only, the
    day as the asking kiosk's time zone has it, by the hub's clock (a kiosk whose clock is off
    changes nothing); None: every letter."""
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return counts_now(conn, utc_offset_seconds=utc_offset_seconds)


def counts_now(conn: psycopg.Connection[tuple[object, ...]], *,
               utc_offset_seconds: int | None = None) -> Counts:
    """``event_counts`` inside the caller's own transaction (its snapshot)."""
    from kiosk.store.stats import Counts

    args: tuple[int, ...] = ()
    where = ""
    if utc_offset_seconds is not None:
        where = ("WHERE received_at >= date_trunc('day', now() + %s * interval '1 second') "
                 "- %s * interval '1 second'")
        args = (utc_offset_seconds, utc_offset_seconds)
    c = Counts()
    row = conn.execute(
        f"SELECT count(*), count(DISTINCT session_id), count(*) FILTER (WHERE by_print), "
        f"count(*) FILTER (WHERE by_email) FROM letters {where}", args).fetchone()
    assert row is not None
    c.letters, c.visitors = int(str(row[0])), int(str(row[1]))
    c.by_channel = {"print": int(str(row[2])), "email": int(str(row[3]))}
    for col, target in (("recipient_id", c.by_recipient), ("language", c.by_language)):
        for key, n in conn.execute(
                f"SELECT {col}, count(*) FROM letters {where} GROUP BY {col} ORDER BY {col}",
                args):
            target[str(key)] = int(str(n))
    return c
