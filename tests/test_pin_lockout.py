"""The PIN pad's lockout, kept in the store: a restart gives no fresh tries, a clock set back
never shortens a lockout, and every wrong PIN, lockout and unlock is in the audit log (never a
digit that was typed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.pin_gate import PinGate
from kiosk.pin_rules import FIRST_LOCKOUT_SECONDS, MAX_LOCKOUT_SECONDS, MAX_TRIES, hash_pin
from kiosk.store import Store

PIN = "2468"
WRONG = "97531"  # digits that must never reach the audit log


class Clocks:
    """The wall clock (UTC, can be set back) and this run's monotonic clock (never goes back)."""

    def __init__(self):
        self.now = datetime(2025, 5, 17, 14, 0, tzinfo=UTC)
        self.mono_now = 5000.0

    def wall(self) -> datetime:
        return self.now

    def mono(self) -> float:
        return self.mono_now

    def pass_time(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.mono_now += seconds

    def restart(self) -> None:
        # A new process: the monotonic clock starts somewhere else entirely (a reboot).
        self.mono_now = 12.0


@pytest.fixture(scope="module")
def pin_hash():
    return hash_pin(PIN)


@pytest.fixture
def clocks():
    return Clocks()


def _gate(pin_hash, store, clocks) -> PinGate:
    return PinGate(pin_hash, store, wall=clocks.wall, mono=clocks.mono)


def _lock_out(gate: PinGate) -> None:
    for _ in range(MAX_TRIES):
        assert not gate.try_pin(WRONG)


def _audit(store) -> list[tuple[str, str]]:
    return [(r["action"], r["detail"]) for r in
            store.conn.execute("SELECT action, detail FROM audit ORDER BY id")]


def test_lockouts_grow_and_the_right_pin_clears_them(pin_hash, store, clocks):
    gate = _gate(pin_hash, store, clocks)
    assert gate.tries_left() == MAX_TRIES
    assert not gate.try_pin(WRONG)
    assert gate.tries_left() == MAX_TRIES - 1
    for _ in range(MAX_TRIES - 1):
        gate.try_pin(WRONG)
    assert gate.seconds_locked() == FIRST_LOCKOUT_SECONDS
    assert not gate.try_pin(PIN), "even the right PIN waits out the lockout"
    clocks.pass_time(FIRST_LOCKOUT_SECONDS)
    assert gate.seconds_locked() == 0
    _lock_out(gate)
    assert gate.seconds_locked() == 2 * FIRST_LOCKOUT_SECONDS
    clocks.pass_time(2 * FIRST_LOCKOUT_SECONDS)
    lengths = []
    for _ in range(6):  # 2 min, 4, 8, 15 (the longest), 15, 15
        _lock_out(gate)
        lengths.append(gate.seconds_locked())
        clocks.pass_time(gate.seconds_locked())
    assert lengths == [120, 240, 480, MAX_LOCKOUT_SECONDS, MAX_LOCKOUT_SECONDS,
                       MAX_LOCKOUT_SECONDS]
    assert gate.try_pin(PIN)
    assert gate.tries_left() == MAX_TRIES
    _lock_out(gate)
    assert gate.seconds_locked() == FIRST_LOCKOUT_SECONDS, "an unlock starts the doubling again"


def test_a_restart_keeps_the_lockout(pin_hash, data_dir, clocks):
    store = Store(data_dir)
    _lock_out(_gate(pin_hash, store, clocks))
    store.close()
    clocks.pass_time(10)
    clocks.restart()
    store = Store(data_dir)
    gate = _gate(pin_hash, store, clocks)
    assert gate.seconds_locked() == FIRST_LOCKOUT_SECONDS - 10
    assert not gate.try_pin(PIN)
    clocks.pass_time(FIRST_LOCKOUT_SECONDS - 10)
    assert gate.try_pin(PIN)
    store.close()


def test_a_restart_keeps_the_wrong_pins_counted(pin_hash, data_dir, clocks):
    store = Store(data_dir)
    for _ in range(MAX_TRIES - 1):
        _gate(pin_hash, store, clocks).try_pin(WRONG)  # a power cycle after each try
    store.close()
    store = Store(data_dir)
    gate = _gate(pin_hash, store, clocks)
    assert gate.tries_left() == 1
    assert not gate.try_pin(WRONG)
    assert gate.seconds_locked() == FIRST_LOCKOUT_SECONDS
    store.close()


def test_a_clock_set_back_never_shortens_a_lockout(pin_hash, data_dir, clocks):
    store = Store(data_dir)
    gate = _gate(pin_hash, store, clocks)
    _lock_out(gate)
    # While running, the monotonic clock decides: setting the wall clock back or forward
    # changes nothing.
    clocks.now -= timedelta(days=3)
    assert gate.seconds_locked() == FIRST_LOCKOUT_SECONDS
    clocks.now += timedelta(days=30)
    assert gate.seconds_locked() == FIRST_LOCKOUT_SECONDS
    store.close()

    # Restarted with the clock earlier than the lockout's start: how long passed is unknown,
    # so the whole lockout runs again, from now (never for ever).
    clocks.now = datetime(2025, 5, 17, 13, 0, tzinfo=UTC)
    clocks.restart()
    store = Store(data_dir)
    gate = _gate(pin_hash, store, clocks)
    assert gate.seconds_locked() == FIRST_LOCKOUT_SECONDS
    clocks.pass_time(FIRST_LOCKOUT_SECONDS - 1)
    assert gate.seconds_locked() == 1
    clocks.pass_time(1)
    assert gate.seconds_locked() == 0
    assert gate.try_pin(PIN)
    store.close()


def test_a_lockout_that_ran_out_while_the_kiosk_was_off_is_over(pin_hash, data_dir, clocks):
    store = Store(data_dir)
    _lock_out(_gate(pin_hash, store, clocks))
    store.close()
    clocks.pass_time(3600)
    clocks.restart()
    store = Store(data_dir)
    gate = _gate(pin_hash, store, clocks)
    assert gate.seconds_locked() == 0 and gate.tries_left() == MAX_TRIES
    assert gate.try_pin(PIN)
    store.close()


def test_every_wrong_pin_lockout_and_unlock_is_audited_without_digits(pin_hash, store, clocks):
    gate = _gate(pin_hash, store, clocks)
    _lock_out(gate)
    clocks.pass_time(FIRST_LOCKOUT_SECONDS)
    assert not gate.try_pin("")
    assert gate.try_pin(PIN)
    audit = _audit(store)
    assert [a for a, _ in audit] == (["staff.pin_wrong"] * MAX_TRIES + ["staff.pin_lockout"]
                                     + ["staff.pin_wrong", "staff.unlock"])
    assert audit[0][1] == f"wrong PIN 1 of {MAX_TRIES}"
    assert audit[MAX_TRIES][1] == f"locked for {FIRST_LOCKOUT_SECONDS} s (lockout 1)"
    for _, detail in audit:
        assert WRONG not in detail and PIN not in detail
    actor = {r[0] for r in store.conn.execute("SELECT DISTINCT actor FROM audit")}
    assert actor == {"staff"}


@pytest.mark.parametrize("row", [
    "locked_at = 'not a time', lock_seconds = 60",
    "locked_at = NULL, lock_seconds = 60",
    "locked_at = '2025-05-17T14:00:00+00:00', lock_seconds = 999999999",
    "failures = -40",
])
def test_a_damaged_lockout_row_fails_closed_and_bounded(pin_hash, store, clocks, row):
    _gate(pin_hash, store, clocks).try_pin(WRONG)
    store.conn.execute(f"UPDATE pin_lockout SET {row}")
    gate = _gate(pin_hash, store, clocks)
    assert gate.seconds_locked() <= MAX_LOCKOUT_SECONDS
    assert gate.tries_left() <= MAX_TRIES
    if "lock_seconds" in row:
        assert gate.seconds_locked() > 0, "a lockout whose start cannot be read still holds"
