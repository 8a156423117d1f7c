"""Logs never carry a visitor's address, even inside another program's error message."""

from __future__ import annotations

import logging

from kiosk.logs import RedactingFormatter, redact


def test_addresses_are_redacted_from_messages_and_tracebacks():
    fmt = RedactingFormatter("%(message)s")
    try:
        raise RuntimeError("550 <zoë.bélanger+kiosk@example.org>: no such user")
    except RuntimeError:
        import sys

        record = logging.LogRecord("kiosk", logging.ERROR, __file__, 1,
                                   "refused copy to %s", ("jane@example.com",), sys.exc_info())
    out = fmt.format(record)
    assert "jane@example.com" not in out and "example.org" not in out
    assert out.count("<email>") == 3  # the message, and the quoted line and the error
    assert "no such user" in out


def test_text_without_addresses_is_unchanged():
    assert redact("print job 12 printed (online)") == "print job 12 printed (online)"
