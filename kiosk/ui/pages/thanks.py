"""Thank you: the donation QR code, the link in words, and a countdown back to the start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.domain.journey import Delivery, Step
from kiosk.ui.a11y import announce
from kiosk.ui.pages.base import Page, PageHost
from kiosk.ui.widgets import QrCode, Reflow, button, label, set_text

if TYPE_CHECKING:
    from kiosk.delivery.office_queue import OfficeStatus


class ThanksPage(Page):
    step = Step.THANKS

    def __init__(self, journey, host: PageHost, parent: QWidget | None = None):
        super().__init__(journey, host, parent)
        # Side by side when they fit; the code under the thanks on a narrow (portrait) screen
        # with large text, rather than a page wider than the screen.
        row = Reflow(spacing=48)
        left_box = QWidget()
        left = QVBoxLayout(left_box)
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(20)
        self.hero = label("hero")
        self.status = label("pitch")
        self.donate = label("title")
        self.countdown = label("help")
        self.done = button("primary")
        self.done.clicked.connect(journey.finish)
        left.addStretch(1)
        for w in (self.hero, self.status, self.donate):
            left.addWidget(w)
        left.addStretch(1)
        left.addWidget(self.countdown)
        left.addWidget(self.done, 0, Qt.AlignmentFlag.AlignLeft)
        row.add(left_box, 3)
        right_box = QWidget()
        right = QVBoxLayout(right_box)
        right.setContentsMargins(0, 0, 0, 0)
        self.qr = QrCode()
        self.qr.setMinimumSize(340, 340)
        self.qr.setMaximumSize(440, 440)
        self.qr.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # so a screen reader can land on it
        self.caption = label()
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.url = label("help")
        self.url.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # The code, its caption and the link in words stay together as one block.
        block = QWidget()
        together = QVBoxLayout(block)
        together.setContentsMargins(0, 0, 0, 0)
        together.setSpacing(8)
        together.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        together.addWidget(self.caption)
        together.addWidget(self.url)
        right.addStretch(1)
        right.addWidget(block)
        right.addStretch(1)
        row.add(right_box, 2)
        self.layout_.addWidget(row, 1)
        self.remaining = 0
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self.printed_ok = True
        self.emailed = False
        self.printing = False
        self.full_letter = self.office_ready = False
        self._office: OfficeStatus | None = None

    def heading(self) -> str:
        return self.t("thanks.title")

    def office_changed(self, status: OfficeStatus) -> None:
        self._office = status

    def letters_kept(self, delivery: Delivery, printer_ready: bool) -> None:
        # With office_printer.automatic the full page is the campaign's, not the visitor's: the
        # Send step said so, and there is nothing for them to collect.
        asked = delivery.full_letter and not self.campaign.office_printer.automatic
        self.set_outcome(printing=delivery.print, printer_ready=printer_ready,
                         emailed=delivery.email, full_letter=asked,
                         office_ready=self._office is not None and self._office.ready)

    def set_outcome(self, *, printing: bool, printer_ready: bool, emailed: bool,
                    full_letter: bool = False, office_ready: bool = False) -> None:
        self.printing, self.printed_ok, self.emailed = printing, printer_ready, emailed
        self.full_letter, self.office_ready = full_letter, office_ready
        self._status()
        announce(self.status, self.status.text())

    def _status(self) -> None:
        lines = []
        if self.printing:
            lines.append(self.t("thanks.printing" if self.printed_ok else "thanks.print_waiting"))
        if self.full_letter:
            lines.append(self.t("thanks.full_letter" if self.office_ready
                                else "thanks.full_letter_waiting"))
        if self.emailed:
            lines.append(self.t("thanks.emailed"))
        set_text(self.status, " ".join(lines))

    def _tick(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            self.timer.stop()
            self.journey.finish()
            return
        set_text(self.countdown, self.t("thanks.countdown", n=self.remaining))

    def retranslate(self) -> None:
        set_text(self.hero, self.t("thanks.title"))
        set_text(self.donate, self.t("thanks.donate"))
        set_text(self.caption, self.campaign.donation.caption.get(self.lang))
        set_text(self.url, self.campaign.donation.url)
        self.qr.setAccessibleName(self.t("thanks.qr_name"))
        self.qr.setAccessibleDescription(
            self.t("thanks.qr_description", url=self.campaign.donation.url)
        )
        set_text(self.done, self.t("thanks.done"))
        set_text(self.countdown, self.t("thanks.countdown", n=max(self.remaining, 0)))
        self._status()

    def enter(self) -> None:
        if not self.qr.has_data():  # drawn on first use: qrcode stays off the start-up path
            self.qr.set_data(self.campaign.donation.url)
        self.remaining = self.campaign.session.thanks_seconds
        set_text(self.countdown, self.t("thanks.countdown", n=self.remaining))
        self.timer.start()

    def leave(self) -> None:
        self.timer.stop()

    def wipe(self) -> None:
        self.timer.stop()
        self.printing = self.emailed = False
        set_text(self.status, "")

    def first_focus(self):
        return self.done
