"""Staff access: the PIN, kept only as an Argon2 hash, and the rules of the pad that slows down
guessing (applied by ``kiosk.pin_gate``, which keeps the lockout in the store)."""

from __future__ import annotations

MAX_TRIES = 5
FIRST_LOCKOUT_SECONDS = 30
MAX_LOCKOUT_SECONDS = 15 * 60
PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 12
SAMPLE_PIN = "2468"  # the bundled sample campaign's; check-config warns while it is in use


# Costs a hash may ask of each try at the PIN pad: the ones hash-pin uses (64 MiB, 3 passes)
# with room above, but not a hash that takes minutes or all the memory to check.
MAX_HASH_MEMORY_KIB = 256 * 1024
MAX_HASH_PASSES = 10
MAX_HASH_LANES = 16


def pin_problem(pin: str) -> str | None:
    """Why ``pin`` cannot be a staff PIN, or None. Only the digits 0 to 9 the pad has: Python
    also counts "１２３４" (full-width) and "١٢٣٤" (Arabic-Indic) as digits, and a PIN made of
    them could never be typed."""
    if not (PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS and all("0" <= ch <= "9" for ch in pin)):
        return (f"a PIN is {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits, each one of 0 to 9 as on "
                "the PIN pad")
    return None


def hash_pin(pin: str) -> str:
    if problem := pin_problem(pin):
        raise ValueError(problem)
    from argon2 import PasswordHasher

    return PasswordHasher().hash(pin)


def pin_hash_problem(pin_hash: str) -> str | None:
    """Why ``pin_hash`` could never open the staff panel, or None: not an Argon2 hash (the PIN
    itself pasted in, say), damaged, or so costly that each try would stall the kiosk."""
    import base64
    import binascii

    from argon2 import extract_parameters
    from argon2.exceptions import InvalidHashError

    make_one = "make one with `python -m kiosk hash-pin` and paste the whole line it prints"
    if not pin_hash.startswith("$argon2"):
        return f"not an Argon2 hash (it should start with $argon2id$); {make_one}"
    try:
        params = extract_parameters(pin_hash)
    except (InvalidHashError, ValueError):
        return f"a damaged Argon2 hash; {make_one}"
    *_, salt, digest = pin_hash.split("$")
    try:
        for part in (salt, digest):
            base64.b64decode(part + "=" * (-len(part) % 4), validate=True)
    except (binascii.Error, ValueError):
        return f"a damaged Argon2 hash; {make_one}"
    if params.salt_len < 8 or params.hash_len < 4:
        return f"a damaged Argon2 hash; {make_one}"
    if (params.memory_cost > MAX_HASH_MEMORY_KIB or params.time_cost > MAX_HASH_PASSES
            or params.parallelism > MAX_HASH_LANES):
        return ("an Argon2 hash too costly to check at the PIN pad (at most "
                f"{MAX_HASH_MEMORY_KIB // 1024} MiB, {MAX_HASH_PASSES} passes); {make_one}")
    return None


def verify_pin(pin_hash: str | None, pin: str) -> bool:
    if not pin_hash:
        return False
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False
