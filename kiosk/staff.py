"""Staff access: the PIN, kept only as an Argon2 hash, and the rules of the pad that slows down
guessing (applied by ``kiosk.pin_gate``, which keeps the lockout in the store)."""

from __future__ import annotations

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
