"""QR codes for the donation link, as a plain matrix any renderer (Qt, receipt) can draw."""

from __future__ import annotations

from functools import lru_cache


def qr_matrix(data: str, border: int = 4) -> list[list[bool]]:
    """Modules of a QR code for ``data``, quiet zone included (4 modules, as the spec asks).

    A fresh list each call (callers may keep it); the code itself is made once per link: the
    review page draws the same donation link for every letter of every visitor, and making it
    (mask scoring in pure Python) costs about 8 ms each time."""
    return [list(row) for row in _matrix(data, border)]


@lru_cache(maxsize=16)
def _matrix(data: str, border: int) -> tuple[tuple[bool, ...], ...]:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())
