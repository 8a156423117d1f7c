"""The journey's pages, one on screen at a time, each made the first time it is asked for.

Only the attract screen is made before the first frame; the others are made on their first
visit, or earlier when the kiosk has nothing else to do (``make_all_when_idle``). A page made
later must look as if it had been there from the start: the window readies it (language, typing
state, printer news) through ``on_made`` before anyone can see it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QStackedWidget, QWidget

from kiosk.domain.journey import Step
from kiosk.ui.pages import PAGES, make_page
from kiosk.ui.widgets import ScrollFrame, make_page_scroller, steady_scroll_bars

if TYPE_CHECKING:
    from kiosk.domain.journey import Journey
    from kiosk.ui.pages.base import Page, PageHost


class PageStack(QStackedWidget):
    """``stack[step]`` is the page for ``step``, made if it was not yet."""

    def __init__(self, journey: Journey, host: PageHost, on_made: Callable[[Page], None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.journey = journey
        self.host = host
        self.on_made = on_made
        self._pages: dict[Step, Page] = {}
        self._scrollers: dict[Step, ScrollFrame] = {}

    def __getitem__(self, step: Step) -> Page:
        page = self._pages.get(step)
        return page if page is not None else self._make(step)

    def __contains__(self, step: object) -> bool:
        """Whether the page for ``step`` has been made."""
        return step in self._pages

    def get(self, step: Step | None) -> Page | None:
        """The page for ``step`` if it has been made (never makes one)."""
        return self._pages.get(step) if step is not None else None

    def made(self) -> Iterator[Page]:
        """Every page made so far."""
        return iter(list(self._pages.values()))

    def scroller(self, step: Step) -> ScrollFrame:
        """The scroll area the page for ``step`` sits in (made with the page)."""
        if step not in self._scrollers:
            self._make(step)
        return self._scrollers[step]

    def show_page(self, step: Step) -> Page:
        page = self[step]
        self.setCurrentWidget(self._scrollers[step])
        return page

    def _make(self, step: Step) -> Page:
        page = make_page(step, self.journey, self.host)
        # The page's own scroll areas go in frames now, before the page is anywhere a screen
        # reader can see it (see kiosk/ui/widgets/scrolling.py): a visible scroll area's
        # children never change. Before the page is put in its scroller, so that its widgets
        # stay together in the Tab order.
        steady_scroll_bars(page)
        # Every page can scroll: at 200 % text or in portrait nothing is cut off.
        scroller = make_page_scroller(page)
        self._pages[step] = page
        self._scrollers[step] = scroller
        self.addWidget(scroller)
        self.on_made(page)
        return page

    def make_all_when_idle(self, gap_ms: int = 0) -> None:
        """Make the pages not yet made, one each time the event loop is free (a visitor's
        tap waits for one page at most), so that no first visit to a step waits for one."""
        missing = [step for step in PAGES if step not in self._pages]
        if not missing:
            return

        def next_one() -> None:
            while missing and missing[0] in self._pages:
                missing.pop(0)
            if missing:
                self._make(missing.pop(0))
                QTimer.singleShot(gap_ms, self, next_one)

        QTimer.singleShot(gap_ms, self, next_one)
