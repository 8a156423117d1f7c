"""Step 4: review. Each letter exactly as it will be printed and emailed; with an office
printer, also the full page exactly as it will print (the very PDF, drawn by QtPdf)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from kiosk.background import run_once
from kiosk.delivery.receipt import preview_lines
from kiosk.domain.journey import Step
from kiosk.ui.pages.base import Page, PageHost
from kiosk.ui.receipt_view import ReceiptView
from kiosk.ui.widgets import label, set_text

if TYPE_CHECKING:
    from kiosk.domain.letter import Letter
    from kiosk.ui.full_page_view import FullPageView

log = logging.getLogger(__name__)
FULL_PAGE_PX = 640  # wide enough to see the layout; the receipt view above reads the words


class ReviewPage(Page):
    # A full page laid out off the GUI thread: (slot, letter, PDF bytes or None).
    _laid_out = Signal(int, object, object)
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
        # Laying out a page takes ~0.1 s (fpdf2 embeds the font): done off the GUI thread, so
        # the step appears at once, and once per letter: Back and Next again reuse it. This
        # visitor's pages only: a wipe forgets them.
        self._made: dict[Letter, bytes | None] = {}
        self._wanted: dict[int, Letter] = {}
        self._laid_out.connect(self._page_ready)
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
            page.hide()
            page_head.hide()
        self._made.clear()
        self._wanted.clear()
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

    def _show_full_page(self, i: int, letter: Letter) -> None:
        self._wanted[i] = letter
        if letter in self._made:
            self._page_ready(i, letter, self._made[letter])
            return
        page_head, page = self._pages[i]
        page.hide()
        page_head.hide()
        from kiosk.delivery.paper.letter_pdf import full_letter_pdf

        paper, title = self.campaign.office_printer.paper, self.heading()
        run_once("review-full-page",
                 lambda: full_letter_pdf([(letter, datetime.now().astimezone())],
                                         paper=paper, title=title),
                 lambda data, _error: self._laid_out.emit(i, letter, data))

    def _page_ready(self, i: int, letter: Letter, data: bytes | None) -> None:
        if self._wanted.get(i) != letter:
            return  # the visitor changed the letter, or left, meanwhile
        self._made[letter] = data  # None: it could not be laid out (logged); the receipt shows
        page_head, page = self._pages[i]
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
