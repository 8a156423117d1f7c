"""Logging for a kiosk that handles people's words and addresses.

The code logs ids and states, never letter text or contact details. Error messages from other
programs can still quote an address (a mail server's "550 <jane@example.org>: no such user"),
so every line is passed through a redaction before it is written.
"""

from __future__ import annotations

import logging
import re

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
REDACTED = "<email>"


def redact(text: str, mark: str = REDACTED) -> str:
    """``text`` with every address-shaped part replaced by ``mark`` (in any letter case)."""
    return _EMAIL.sub(mark, text)


class _QuietLibraries(logging.Filter):
    """python-escpos logs through the root logger at INFO on every connection (each retry and
    status check): keep its warnings, drop the chatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or "/escpos/" not in record.pathname


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup(verbose: bool = False) -> None:
    # Before python-escpos is imported: it calls logging.basicConfig() itself.
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_QuietLibraries())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
