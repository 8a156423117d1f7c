"""QR codes for the donation link, as a plain matrix any renderer (Qt, receipt) can draw."""

from __future__ import annotations

from functools import lru_cache

# Above this many modules across (version 11, a link of about 250 characters) a phone needs a
# steady hand and good light to read the code off the thank-you screen.
EASY_TO_SCAN_MODULES = 61


class QrTooLong(ValueError):
    """More data than the largest QR code (version 40) holds."""


def qr_matrix(data: str, border: int = 4) -> list[list[bool]]:
    """Modules of a QR code for ``data``, quiet zone included (4 modules, as the spec asks).

    A fresh list each call (callers may keep it); the code itself is made once per link: the
    review page draws the same donation link for every letter of every visitor, and making it
    (mask scoring in pure Python) costs about 8 ms each time. Raises QrTooLong when no QR code
    can hold ``data``; the campaign check refuses such a link before the kiosk starts."""
    return [list(row) for row in _matrix(data, border)]


def qr_problem(data: str) -> str | None:
    """Why ``data`` cannot be shown as a QR code, in words for the campaign file, or None."""
    try:
        _matrix(data, 4)
    except QrTooLong:
        return (f"{len(data):,} characters is too long for a QR code (a link of at most about "
                "2,300 plain characters fits, and under 250 scans easily); use a shorter link")
    return None


def qr_modules_across(data: str) -> int:
    """Modules across the code for ``data``, without the quiet zone."""
    return len(_matrix(data, 0))


@lru_cache(maxsize=16)
def _matrix(data: str, border: int) -> tuple[tuple[bool, ...], ...]:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M
    from qrcode.exceptions import DataOverflowError

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border)
    code.add_data(data)
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError):
        # qrcode 7/8 say "Invalid version (was 41, expected 1 to 40)" as a bare ValueError.
        raise QrTooLong(f"{len(data)} characters do not fit in a QR code") from None
    return tuple(tuple(row) for row in code.get_matrix())
