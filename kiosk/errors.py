"""Refusals: problems staff must fix outside the kiosk (a broken campaign file, storage that
cannot be used, a second kiosk on the same data dir).

Every command ends a refusal the same way: a plain message on stderr and exit 2, which the
deployment service reads as "do not restart" (a restart would only fail again, for ever).
A traceback or exit 1 means a defect in the kiosk, never a problem with its inputs.
"""

from __future__ import annotations

EXIT_REFUSED = 2


class Refusal(Exception):
    """Stop here with ``message`` (and ``details``, one per line) for a person to act on."""

    def __init__(self, message: str, details: list[str] | tuple[str, ...] = ()):
        self.message = message
        self.details = list(details)
        super().__init__("\n".join([message, *self.details]))

    def lines(self) -> list[str]:
        return [self.message, *self.details]
