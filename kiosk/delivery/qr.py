"""QR codes for the donation link, as a plain matrix any renderer (Qt, receipt) can draw."""

from __future__ import annotations


def qr_matrix(data: str, border: int = 4) -> list[list[bool]]:
    """Modules of a QR code for ``data``, quiet zone included (4 modules, as the spec asks)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]
