"""What every page of the journey has in common, and what a page may ask of the window.

A page owns everything about its step that the window shows around it: its heading and what a
screen reader is told when the step appears, its primary action and that button's label (Next,
or Send on the deliver step), what happens when it is left, and what it shows of the printer's
news. The window knows pages only through this class: it has no code for any one step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.domain.journey import NUMBERED_STEPS
from kiosk.i18n import tr
from kiosk.ui.widgets import label, set_compact, set_text

if TYPE_CHECKING:
    from kiosk.config import Campaign
    from kiosk.delivery.office_queue import OfficeStatus
    from kiosk.delivery.print_queue import QueueStatus
    from kiosk.domain.journey import Delivery, Journey, Problem, Step
    from kiosk.ui.display import DisplayPreferences


class PageHost(Protocol):
    """What a page may ask of the window that shows it (named here, so that pages need not
    import the window)."""

    @property
    def display(self) -> DisplayPreferences: ...

    def ask(self, title: str, body: str, yes: str, no: str,
            on_answer: Callable[[bool], None]) -> None:
        """A question over the page; ``on_answer(yes)`` once the visitor has answered."""

    def show_problems(self, problems: Sequence[Problem]) -> None:
        """Why the visitor cannot go on (said under the page, and to a screen reader)."""

    def show_message(self, text: str) -> None:
        """A problem that is not one of the journey's rules (saving failed)."""

    def letters_kept(self, delivery: Delivery) -> None:
        """The visitor's letters are on disk: the workers may start on them."""


class Page(QWidget):
    step: Step
    title_key = ""
    help_key = ""
    top_bar = True  # the window's top bar (step, text size, contrast, language, start over)

    def __init__(self, journey: Journey, host: PageHost, parent: QWidget | None = None):
        super().__init__(parent)
        self.journey = journey
        self.host = host
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(12)
        self.title: QLabel | None = None
        self.help: QLabel | None = None
        if self.title_key:
            self.title = label("title")
            self.layout_.addWidget(self.title)
        if self.help_key:
            self.help = label("help")
            self.layout_.addWidget(self.help)

    @property
    def campaign(self) -> Campaign:
        return self.journey.campaign

    @property
    def lang(self) -> str:
        return self.journey.language

    def t(self, key: str, **values: object) -> str:
        return tr(key, self.lang, **values)

    def heading(self) -> str:
        return self.t(self.title_key) if self.title_key else ""

    def announcement(self) -> str:
        """What a screen reader says when the step appears: "Step 2 of 5: …" on a numbered
        step, the page's heading on the others."""
        n = self.journey.step_number()
        if n is None:
            return self.heading()
        return self.t("common.step_announce", n=n, total=len(NUMBERED_STEPS),
                      title=self.heading())

    def retranslate(self) -> None:
        """Put every visible text and accessible name in the current language."""
        if self.title is not None:
            set_text(self.title, self.t(self.title_key))
        if self.help is not None:
            set_text(self.help, self.t(self.help_key))

    def enter(self) -> None:
        """The page is about to show: render the session as it is now."""

    def leave(self) -> None:
        """Another step is about to show instead of this one."""

    def wipe(self) -> None:
        """Forget the visitor: clear every field, selection and undo history."""

    def first_focus(self) -> QWidget | None:
        return None

    # --- the bottom bar's main button ----------------------------------------------------------

    def primary_label(self) -> str:
        return self.t("common.next")

    def primary(self) -> None:
        """The main button was pressed: go on if the step is complete, else say why not."""
        if not self.journey.next():
            self.host.show_problems(self.journey.problems())

    # --- news the window passes on to every page made so far ---------------------------------

    def printer_changed(self, status: QueueStatus) -> None:
        """The print worker's latest news (also given to a page when it is made)."""

    def office_changed(self, status: OfficeStatus) -> None:
        """The office printer's latest news (also given to a page when it is made)."""

    def letters_kept(self, delivery: Delivery, printer_ready: bool) -> None:
        """The visitor's letters were kept, to be delivered as ``delivery`` says."""

    def failsafe(self) -> None:
        """After an unexpected error the journey went back to its start."""

    def event_total(self, letters: int) -> None:
        """Letters written today at the whole event (from its hub, when the campaign shows
        them: ``hub.show_total``)."""

    # --- typing on the on-screen keyboard ------------------------------------------------------

    def can_spare(self, height: int) -> bool:
        """While typing: could this page give ``height`` pixels back to the window's top bar
        and still show what is typed well? Pages without a long text can."""
        return True

    def set_typing(self, typing: bool) -> None:
        """The on-screen keyboard opened (or closed): while it is open, the field being typed
        in gets the room; the help line goes and the heading gets smaller."""
        if self.help is not None:
            self.help.setVisible(not typing)
        if self.title is not None:
            set_compact(self.title, typing)
