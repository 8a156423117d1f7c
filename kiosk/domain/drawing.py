"""A drawn signature's shape, as every output reads it (``Signer.drawing``).

The signing pad exports PNG bytes in one fixed frame, ``FRAME_WIDTH`` x ``FRAME_HEIGHT`` pixels,
cropped to the ink: the pad's whole width is always ``FRAME_WIDTH`` pixels, so a small signature
stays small and every output can scale it the same way (the receipt: ``FRAME_WIDTH`` pixels to
the paper's printable width). Black ink on white, in grey levels: a printer thresholds it.
"""

from __future__ import annotations

FRAME_WIDTH = 600
FRAME_HEIGHT = 200
# A cropped 600x200 grey PNG of a signature is a few kilobytes. Anything far larger is not
# what the pad makes, and is not printed.
MAX_BYTES = 256 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def looks_like_drawing(data: bytes | None) -> bool:
    """Whether ``data`` can be a drawing the pad made (a PNG of a sensible size)."""
    return data is not None and len(data) <= MAX_BYTES and data.startswith(PNG_MAGIC)
