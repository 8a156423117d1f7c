"""Step 4: review. Each letter exactly as it will be printed and emailed."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from kiosk.delivery.receipt import preview_lines
from kiosk.domain.journey import Step
from kiosk.ui.pages.base import Page, PageHost
from kiosk.ui.receipt_view import ReceiptView
from kiosk.ui.widgets import label, set_text


class ReviewPage(Page):
    step = Step.REVIEW
    title_key = "review.title"
    help_key = "review.help"

    def __init__(self, journey, host: PageHost, parent: QWidget | None = None):
        super().__init__(journey, host, parent)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        # Focusable, so arrow keys and Page Down scroll a long letter without a mouse.
        self.scroller.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.inner = QWidget()
        self.letters_layout = QVBoxLayout(self.inner)
        self.letters_layout.setSpacing(24)
        self.scroller.setWidget(self.inner)
        self.letters_layout.addStretch(1)
        self.layout_.addWidget(self.scroller, 1)
        self.previews: list[ReceiptView] = []
        self._pool: list[tuple[QFrame, QLabel, ReceiptView]] = []
        # A box for each letter a visitor can write, made with the page: the letters come
        # before Back and Next in the Tab order (a widget made later joins the end of it).
        for i in range(len(self.campaign.recipients)):
            self._slot(i)[0].hide()

    def _slot(self, i: int) -> tuple[QFrame, QLabel, ReceiptView]:
        """The i-th letter's box, made once and reused: rebuilding widgets on every visit to
        this step cost more than the rest of the step switch."""
        while len(self._pool) <= i:
            box = QFrame()
            box.setProperty("role", "panel")
            lay = QVBoxLayout(box)
            head = label()
            head.setStyleSheet("font-weight: 600;")
            lay.addWidget(head)
            view = ReceiptView([])
            lay.addWidget(view, 0, Qt.AlignmentFlag.AlignHCenter)
            self.letters_layout.insertWidget(len(self._pool), box)
            self._pool.append((box, head, view))
        return self._pool[i]

    def _clear(self) -> None:
        for box, head, view in self._pool:
            set_text(head, "")
            view.set_lines([])
            view.setAccessibleName("")
            box.hide()
        self.previews = []

    def enter(self) -> None:
        letters = self.journey.letters()
        self.previews = []
        for i, letter in enumerate(letters):
            box, head, view = self._slot(i)
            r = self.campaign.recipient(letter.recipient_id)
            set_text(head, self.t("review.letter_to", recipient=r.name.get(self.lang)))
            view.set_lines(preview_lines(letter, self.campaign, datetime.now()))
            view.setAccessibleName(head.text())
            box.show()
            self.previews.append(view)
        for box, _head, view in self._pool[len(letters):]:
            view.set_lines([])
            box.hide()
        self.scroller.verticalScrollBar().setValue(0)

    def retranslate(self) -> None:
        super().retranslate()
        if self.isVisible():
            self.enter()

    def wipe(self) -> None:
        self._clear()

    def first_focus(self):
        return self.scroller
