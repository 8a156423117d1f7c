"""Step 4: review. Each letter exactly as it will be printed and emailed; with an office
printer, also the full page exactly as it will print (the very PDF, drawn by QtPdf)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from kiosk.delivery.receipt import preview_lines
from kiosk.domain.journey import Step
from kiosk.ui.pages.base import Page, PageHost
from kiosk.ui.receipt_view import ReceiptView
from kiosk.ui.widgets import label, set_text

if TYPE_CHECKING:
    from kiosk.ui.full_page_view import FullPageView

log = logging.getLogger(__name__)
FULL_PAGE_PX = 640  # wide enough to see the layout; the receipt view above reads the words


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
        self._pages: list[tuple[QLabel, FullPageView]] = []  # the full pages, by slot
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
            if self.campaign.office_printer.enabled:
                from kiosk.ui.full_page_view import FullPageView

                page_head, page = label("help"), FullPageView(FULL_PAGE_PX)
                lay.addSpacing(12)
                lay.addWidget(page_head)
                lay.addWidget(page, 0, Qt.AlignmentFlag.AlignHCenter)
                self._pages.append((page_head, page))
            self.letters_layout.insertWidget(len(self._pool), box)
            self._pool.append((box, head, view))
        return self._pool[i]

    def _clear(self) -> None:
        for box, head, view in self._pool:
            set_text(head, "")
            view.set_lines([])
            view.setAccessibleName("")
            box.hide()
        for page_head, page in self._pages:
            set_text(page_head, "")
            page.set_pdf(None)
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
            if self._pages:
                self._show_full_page(i, letter)
            box.show()
            self.previews.append(view)
        for box, _head, view in self._pool[len(letters):]:
            view.set_lines([])
            box.hide()
        self.scroller.verticalScrollBar().setValue(0)

    def _show_full_page(self, i: int, letter) -> None:
        from kiosk.delivery.paper.letter_pdf import full_letter_pdf

        page_head, page = self._pages[i]
        settings = self.campaign.office_printer
        try:
            data = full_letter_pdf([(letter, datetime.now().astimezone())],
                                   paper=settings.paper, title=self.heading())
        except Exception:  # the receipt view above still shows every word
            log.exception("the full page could not be laid out for the review")
            data = None
        page.set_pdf(data)
        set_text(page_head, self.t("office.review.full_page", pages=page.pages))
        page.setVisible(data is not None)
        page_head.setVisible(data is not None)
        page.setAccessibleName(page_head.text())
        page.setAccessibleDescription(letter.text())

    def full_pages(self) -> list[FullPageView]:
        """The full-page pictures on show, one per letter (none without an office printer)."""
        return [page for _head, page in self._pages if page.isVisibleTo(self)]

    def retranslate(self) -> None:
        super().retranslate()
        if self.isVisible():
            self.enter()

    def wipe(self) -> None:
        self._clear()

    def first_focus(self):
        return self.scroller
