"""Step 5: deliver. Print a receipt, a full letter on the office printer, email, or several;
then the letters are kept."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from kiosk.domain.journey import Delivery, Problem, Step
from kiosk.ui.pages.base import Page, PageHost
from kiosk.ui.widgets import Card, Reflow, label, set_text

if TYPE_CHECKING:
    from kiosk.delivery.office_queue import OfficeStatus
    from kiosk.delivery.print_queue import QueueStatus

log = logging.getLogger(__name__)


class DeliverPage(Page):
    step = Step.DELIVER
    title_key = "deliver.title"
    help_key = "deliver.help"

    def __init__(self, journey, host: PageHost, parent: QWidget | None = None):
        super().__init__(journey, host, parent)
        office = self.campaign.office_printer
        if office.enabled and not office.automatic:
            self.help_key = "deliver.help_more"  # three ways, not two
        row = Reflow(spacing=24)
        self.print_card = Card()
        self.office_card = Card()  # a full page on the office printer (issue 13)
        self.email_card = Card()
        for card in (self.print_card, self.office_card, self.email_card):
            card.setMinimumHeight(160)
            card.toggled.connect(self._describe)
            row.add(card, 1)
        self.layout_.addSpacing(12)
        self.layout_.addWidget(row)
        self.note = label("help")
        self.note.hide()
        self.layout_.addWidget(self.note)
        # With office_printer.automatic every letter is printed on a full page: said, not asked.
        self.automatic_note = label("help")
        self.automatic_note.hide()
        self.layout_.addWidget(self.automatic_note)
        self.printer_note = label("alert")
        self.printer_note.hide()
        self.layout_.addWidget(self.printer_note)
        self.layout_.addStretch(1)
        self._printer: QueueStatus | None = None
        self._office: OfficeStatus | None = None

    def set_printer_note(self, text: str) -> None:
        set_text(self.printer_note, text)
        self.printer_note.setVisible(bool(text))

    def delivery(self) -> Delivery:
        office = self.campaign.office_printer
        full = office.enabled and (office.automatic or self.office_card.isChecked())
        return Delivery(print=self.print_card.isChecked(), email=self.email_card.isChecked(),
                        full_letter=full)

    def _can_email(self) -> bool:
        c = self.campaign
        chosen = self.journey.session.recipient_ids
        return c.email.enabled and any(c.recipient(r).email for r in chosen)

    def _card(self, card: Card, key: str) -> None:
        card.set_texts(self.t(f"deliver.{key}"), self.t(f"deliver.{key}_help"))

    def _describe(self) -> None:
        self._card(self.print_card, "print")
        self._card(self.email_card, "email")
        self.office_card.set_texts(self.t("office.visitor.full_letter"),
                                   self.t("office.visitor.full_letter_help"))
        set_text(self.automatic_note, self.t("office.visitor.automatic"))

    def primary_label(self) -> str:
        n = len(self.journey.session.recipient_ids)
        return self.t("deliver.send") if n == 1 else self.t("deliver.send_many", n=n)

    def primary(self) -> None:
        """Send: keep the letters, to be printed and/or emailed, and thank the visitor."""
        delivery = self.delivery()
        if not delivery.any:
            self.host.show_problems([Problem.NO_CHANNEL])
            return
        try:
            self.journey.confirm(delivery)
        except Exception:
            # The letter is still on screen; nothing is lost by staying here.
            log.exception("could not keep the visitor's letters")
            self.host.show_message(self.t("deliver.saving_failed"))
            return
        self.host.letters_kept(delivery)

    def printer_changed(self, status: QueueStatus) -> None:
        self._printer = status
        self._show_printer()

    def office_changed(self, status: OfficeStatus) -> None:
        self._office = status
        self._show_printer()

    def _show_printer(self) -> None:
        """A visitor who is about to print is told kindly, before choosing, that their letter
        is safe either way."""
        notes = []
        status = self._printer
        if status is not None and self.print_card.isVisibleTo(self):
            printer = status.printer
            trouble = printer.needs_staff and printer.monitored and printer.kind != "paper_low"
            if trouble:
                notes.append(printer.visitor_message(self.lang))
        if self._office is not None and self._office.needs_staff \
                and self.office_card.isVisibleTo(self):
            notes.append(self.t("office.visitor.problem"))
        if notes and self.email_card.isVisibleTo(self):  # only if email is offered
            notes.append(self.t("printing.visitor.or_email"))
        self.set_printer_note(" ".join(notes))

    def retranslate(self) -> None:
        super().retranslate()
        self._describe()
        self._show_printer()

    def enter(self) -> None:
        office = self.campaign.office_printer
        self.print_card.setVisible(self.campaign.printer.enabled)
        self.office_card.setVisible(office.enabled and not office.automatic)
        self.automatic_note.setVisible(office.enabled and office.automatic)
        self.email_card.setVisible(self._can_email())
        for card in (self.print_card, self.office_card, self.email_card):
            if not card.isVisibleTo(self):
                card.setChecked(False)
        missing = [
            self.campaign.recipient(r).name.get(self.lang)
            for r in self.journey.session.recipient_ids
            if not self.campaign.recipient(r).email
        ]
        set_text(self.note, "\n".join(f"{m}: {self.t('review.no_email')}" for m in missing))
        self.note.setVisible(bool(missing))  # an empty label is read out as nothing
        self._describe()
        self._show_printer()  # what the note may offer depends on the cards shown

    def wipe(self) -> None:
        for card in (self.print_card, self.office_card, self.email_card):
            card.setChecked(False)
        set_text(self.note, "")
        self.note.hide()

    def first_focus(self):
        cards = (self.print_card, self.office_card, self.email_card)
        return next((c for c in cards if c.isVisibleTo(self)), self.email_card)
