"""What every page of the journey has in common."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.i18n import tr
from kiosk.ui.widgets import label, set_compact, set_text

if TYPE_CHECKING:
    from kiosk.config import Campaign
    from kiosk.domain.journey import Journey, Step


class Page(QWidget):
    step: Step
    title_key = ""
    help_key = ""

    def __init__(self, journey: Journey, parent: QWidget | None = None):
        super().__init__(parent)
        self.journey = journey
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

    def retranslate(self) -> None:
        """Put every visible text and accessible name in the current language."""
        if self.title is not None:
            set_text(self.title, self.t(self.title_key))
        if self.help is not None:
            set_text(self.help, self.t(self.help_key))

    def enter(self) -> None:
        """The page is about to show: render the session as it is now."""

    def wipe(self) -> None:
        """Forget the visitor: clear every field, selection and undo history."""

    def first_focus(self) -> QWidget | None:
        return None

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
