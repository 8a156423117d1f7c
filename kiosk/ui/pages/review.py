"""Step 4: review. Each letter exactly as it will be printed and emailed."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from kiosk.delivery.receipt import preview_lines
from kiosk.domain.journey import Step
from kiosk.ui.pages.base import Page
from kiosk.ui.receipt_view import ReceiptView
from kiosk.ui.widgets import label, set_text


class ReviewPage(Page):
    step = Step.REVIEW
    title_key = "review.title"
    help_key = "review.help"

    def __init__(self, journey, parent: QWidget | None = None):
        super().__init__(journey, parent)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        # Focusable, so arrow keys and Page Down scroll a long letter without a mouse.
        self.scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.inner = QWidget()
        self.letters_layout = QVBoxLayout(self.inner)
        self.letters_layout.setSpacing(24)
        self.scroll.setWidget(self.inner)
        self.layout_.addWidget(self.scroll, 1)
        self.previews: list[ReceiptView] = []

    def _clear(self) -> None:
        while self.letters_layout.count():
            item = self.letters_layout.takeAt(0)
            if w := item.widget():
                w.deleteLater()
        self.previews = []

    def enter(self) -> None:
        self._clear()
        for letter in self.journey.letters():
            r = self.campaign.recipient(letter.recipient_id)
            box = QFrame()
            box.setProperty("role", "panel")
            lay = QVBoxLayout(box)
            head = label()
            head.setStyleSheet("font-weight: 600;")
            set_text(head, self.t("review.letter_to", recipient=r.name.get(self.lang)))
            lay.addWidget(head)
            preview = ReceiptView(preview_lines(letter, self.campaign, datetime.now()))
            preview.setAccessibleName(head.text())
            lay.addWidget(preview, 0, Qt.AlignmentFlag.AlignHCenter)
            self.previews.append(preview)
            self.letters_layout.addWidget(box)
        self.letters_layout.addStretch(1)
        self.scroll.verticalScrollBar().setValue(0)

    def retranslate(self) -> None:
        super().retranslate()
        if self.isVisible():
            self.enter()

    def wipe(self) -> None:
        self._clear()

    def first_focus(self):
        return self.scroll
