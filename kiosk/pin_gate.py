"""The PIN pad's guard against guessing: five tries, then a pause that doubles each time
(30 s, 1 min, 2 min… up to 15 min), kept in the store so that switching the kiosk off and on
gives no fresh tries.

Time: a lockout is stored as its start (UTC wall clock) and its length. While the kiosk runs,
the monotonic clock counts it down, so setting the system clock back or forward changes
nothing. After a restart only the wall clock is left: time since the start counts, and a clock
earlier than the start (set back, or a board that lost its time while off) means nobody knows
how long has passed, so the whole lockout runs again from now. A clock set back can lengthen a
lockout by at most its own length; it can never shorten one.

Every wrong PIN, lockout and unlock is written to the audit log: how many, never which digits.

Threads: the pad asks ``seconds_locked`` on the GUI thread (every second of a lockout) while a
try, which checks the Argon2 hash and writes the store, runs on the staff-actions thread. A lock
keeps the two apart, and ``seconds_locked`` writes nothing when a lockout runs out: the row
already holds no wrong tries, and a lockout whose time has passed is over after a restart too.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kiosk.pin_rules import FIRST_LOCKOUT_SECONDS, MAX_LOCKOUT_SECONDS, MAX_TRIES, verify_pin
from kiosk.store import pin_lockout
from kiosk.store.pin_lockout import LockoutRow

if TYPE_CHECKING:
    from kiosk.store import Store


def utc_now() -> datetime:
    return datetime.now(UTC)


class PinGate:
    """``wall`` and ``mono`` are injectable so tests can move time instead of sleeping."""

    def __init__(self, pin_hash: str | None, store: Store, *,
                 wall: Callable[[], datetime] = utc_now,
                 mono: Callable[[], float] = time.monotonic, actor: str = "staff"):
        self.pin_hash = pin_hash
        self._store = store
        self._wall = wall
        self._mono = mono
        self._actor = actor
        row = pin_lockout.load(store)
        # A damaged row never grants more tries or a shorter lockout than the rules allow.
        self._row = replace(row, failures=min(max(row.failures, 0), MAX_TRIES - 1),
                            lockouts=max(row.lockouts, 0),
                            lock_seconds=min(max(row.lock_seconds, 0), MAX_LOCKOUT_SECONDS))
        self._ends: float | None = None  # the running lockout's end on this run's monotonic clock
        self._lock = threading.RLock()

    @property
    def failures(self) -> int:
        return self._row.failures

    def tries_left(self) -> int:
        with self._lock:
            return MAX_TRIES - self._row.failures

    def seconds_locked(self) -> int:
        with self._lock:
            if not self._row.lock_seconds:
                return 0
            if self._ends is None:  # first look since the start: only the wall clock can tell
                self._ends = self._mono() + self._left_by_wall_clock()
            left = self._ends - self._mono()
            if left <= 0:
                # Over. Kept in memory only: the next try writes the row (see the module's doc).
                self._ends = None
                self._row = replace(self._row, locked_at=None, lock_seconds=0)
                return 0
            return math.ceil(left)

    def try_pin(self, pin: str) -> bool:
        """Check ``pin``; slow on purpose (Argon2) and writes the store: not on the GUI thread."""
        with self._lock:
            return self._try(pin)

    def _try(self, pin: str) -> bool:
        if self.seconds_locked():
            return False
        if verify_pin(self.pin_hash, pin):
            self._save(LockoutRow(), [("staff.unlock", "")])
            return True
        failures = self._row.failures + 1
        audit = [("staff.pin_wrong", f"wrong PIN {failures} of {MAX_TRIES}")]
        if failures < MAX_TRIES:
            self._save(replace(self._row, failures=failures), audit)
            return False
        lockouts = self._row.lockouts + 1
        length = min(FIRST_LOCKOUT_SECONDS * 2 ** min(lockouts - 1, 16), MAX_LOCKOUT_SECONDS)
        audit.append(("staff.pin_lockout", f"locked for {length} s (lockout {lockouts})"))
        self._ends = self._mono() + length
        self._save(LockoutRow(0, lockouts, self._wall(), length), audit)
        return False

    def _left_by_wall_clock(self) -> float:
        row, now = self._row, self._wall()
        if row.locked_at is None or now < row.locked_at:
            self._save(replace(row, locked_at=now), [(
                "staff.pin_lockout",
                f"locked for {row.lock_seconds} s again: its start is unknown "
                "(the clock is earlier than it, or the record is damaged)")])
            return row.lock_seconds
        return row.lock_seconds - (now - row.locked_at).total_seconds()

    def _save(self, row: LockoutRow, audit: Sequence[tuple[str, str]] = ()) -> None:
        # Memory first: if the disk refuses the write, this run still keeps the lockout.
        self._row = row
        pin_lockout.save(self._store, row, list(audit), self._actor)
