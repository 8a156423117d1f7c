"""What the hub holds, for staff: its tables' version, the kiosks it has seen, the letters and
the emails. One snapshot (a repeatable-read transaction), so the numbers agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, cast

from kiosk.store.hub.schema import version

if TYPE_CHECKING:
    import psycopg


@dataclass(frozen=True)
class SeenKiosk:
    kiosk_id: str
    name: str
    last_seen: datetime  # the hub's clock
    seconds_ago: float  # by the hub's clock too: a kiosk's own clock never enters it
    not_uploaded: int
    letters: int  # at the hub


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
            SeenKiosk(str(r[0]), str(r[1]), cast(datetime, r[2]), float(str(r[3])), int(str(r[4])),
                      int(str(r[5])))
            for r in conn.execute(
                """SELECT k.kiosk_id, k.name, k.last_seen,
                          extract(epoch FROM now() - k.last_seen), k.not_uploaded,
                          (SELECT count(*) FROM letters l WHERE l.kiosk_id = k.kiosk_id)
                   FROM kiosks k ORDER BY k.name, k.kiosk_id""")
        ]
        letters = conn.execute("SELECT count(*) FROM letters").fetchone()
        emails = {str(s): int(str(n)) for s, n in conn.execute(
            "SELECT state, count(*) FROM outbox GROUP BY state ORDER BY state")}
        conflicts = conn.execute("SELECT count(*) FROM letter_conflicts").fetchone()
    return Overview(have, kiosks, int(str(letters[0])) if letters else 0, emails,
                    int(str(conflicts[0])) if conflicts else 0)
