"""Staff access: the PIN, kept only as an Argon2 hash, and a pad that slows down guessing."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_TRIES = 5
FIRST_LOCKOUT_SECONDS = 30
MAX_LOCKOUT_SECONDS = 15 * 60
PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 12
SAMPLE_PIN = "2468"  # the bundled sample campaign's; check-config warns while it is in use


def hash_pin(pin: str) -> str:
    if not (pin.isdigit() and PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS):
        raise ValueError(f"a PIN is {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits")
    from argon2 import PasswordHasher

    return PasswordHasher().hash(pin)


def verify_pin(pin_hash: str | None, pin: str) -> bool:
    if not pin_hash:
        return False
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


@dataclass
class PinGate:
    """Five tries, then a pause that doubles each time (30 s, 1 min, 2 min… up to 15 min).

    ``clock`` is injectable so tests can move time instead of sleeping.
    """

    pin_hash: str | None
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    lockouts: int = 0
    locked_until: float = field(default=0.0)

    def seconds_locked(self) -> int:
        return max(0, int(self.locked_until - self.clock() + 0.999))

    def try_pin(self, pin: str) -> bool:
        if self.seconds_locked() > 0:
            return False
        if verify_pin(self.pin_hash, pin):
            self.failures = 0
            self.lockouts = 0
            return True
        self.failures += 1
        if self.failures >= MAX_TRIES:
            delay = min(FIRST_LOCKOUT_SECONDS * 2**self.lockouts, MAX_LOCKOUT_SECONDS)
            self.locked_until = self.clock() + delay
            self.lockouts += 1
            self.failures = 0
        return False
