"""Step 1: choose who to write to. Cards, one or several."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from kiosk.domain.journey import Step
from kiosk.ui.pages.base import Page, PageHost
from kiosk.ui.widgets import Card, Reflow


class RecipientsPage(Page):
    step = Step.RECIPIENTS
    title_key = "recipients.title"
    help_key = "recipients.help"

    def __init__(self, journey, host: PageHost, parent: QWidget | None = None):
        super().__init__(journey, host, parent)
        self.layout_.addSpacing(12)
        self.cards: dict[str, Card] = {}
        row: Reflow | None = None
        for i, r in enumerate(self.campaign.recipients):
            if row is None or i % 2 == 0:  # two cards a row, or one under the other when narrow
                row = Reflow(spacing=20)
                self.layout_.addWidget(row)
            card = Card()
            card.toggled.connect(lambda on, rid=r.id: self._toggled(rid, on))
            row.add(card, 1)
            self.cards[r.id] = card
        self.layout_.addStretch(1)

    def _toggled(self, rid: str, on: bool) -> None:
        if (rid in self.journey.session.recipient_ids) != on:
            self.journey.toggle_recipient(rid)
        self._describe(rid)

    def _describe(self, rid: str) -> None:
        r = self.campaign.recipient(rid)
        card = self.cards[rid]
        postage = self.t(f"recipients.postage_{'free' if r.postage_free else 'needed'}")
        # Chosen or not is the check box's own state; a screen reader says it already.
        card.set_texts(r.name.get(self.lang), postage)

    def retranslate(self) -> None:
        super().retranslate()
        for rid in self.cards:
            self._describe(rid)

    def enter(self) -> None:
        chosen = set(self.journey.session.recipient_ids)
        for rid, card in self.cards.items():
            card.blockSignals(True)
            card.setChecked(rid in chosen)
            card.blockSignals(False)
            self._describe(rid)

    def wipe(self) -> None:
        for card in self.cards.values():
            card.blockSignals(True)
            card.setChecked(False)
            card.blockSignals(False)

    def first_focus(self):
        return next(iter(self.cards.values()))
