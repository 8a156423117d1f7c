"""Small reusable widgets, one a file: labels and buttons with a role (text), the QR code,
the modal overlay, the page cover, cards, wrapping check boxes, rows that reflow, pages
that scroll, and the signing pad. Import them from here."""

from kiosk.ui.widgets.card import Card
from kiosk.ui.widgets.overlay import Overlay
from kiosk.ui.widgets.page_cover import PageCover
from kiosk.ui.widgets.qr_code import QrCode
from kiosk.ui.widgets.reflow import Reflow
from kiosk.ui.widgets.scrolling import ScrollFrame, make_page_scroller, steady_scroll_bars
from kiosk.ui.widgets.signature_pad import SignaturePad
from kiosk.ui.widgets.text import button, label, set_checked_quietly, set_compact, set_text
from kiosk.ui.widgets.wrap_check import WrapCheck

__all__ = [
    "Card", "Overlay", "PageCover", "QrCode", "Reflow", "ScrollFrame", "SignaturePad", "WrapCheck",
    "button", "label", "make_page_scroller", "set_checked_quietly", "set_compact", "set_text",
    "steady_scroll_bars",
]
