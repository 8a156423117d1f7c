"""The kiosk window in states several UI tests start from.

The window itself comes from the ``open_window`` fixture and a visitor in it from ``visitor``
(both in tests/conftest.py; the visitor is ``kiosk.ui.visitor.Visitor``).
"""

from __future__ import annotations

from kiosk.delivery.print_queue import QueueStatus
from kiosk.delivery.printer import PrinterState, StatusKind
from kiosk.domain.journey import Step
from kiosk.ui.visitor import Visitor


def to_deliver(v: Visitor, recipient: str) -> None:
    """Walk ``v`` from the attract screen to the Deliver step: one recipient, a few words of
    their own, a name."""
    v.start()
    v.choose(recipient)
    v.next()
    v.write("Please act now to protect these men.")
    v.next()
    v.sign(first="Ana", last="Lopes")
    v.review()
    v.next()
    assert v.step is Step.DELIVER


def printer_out_of_paper() -> QueueStatus:
    """The print worker's news when the printer's paper has run out, one job waiting."""
    return QueueStatus(PrinterState(StatusKind.PAPER_OUT, "paper end sensor"), queued=1)
