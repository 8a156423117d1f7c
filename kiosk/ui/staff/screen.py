"""What every full-window staff screen shares: it covers the kiosk, speaks the kiosk's
language, and reaches the back office only through ``Services``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from kiosk.i18n import tr
from kiosk.ui.widgets import Overlay, PageCover, set_text

if TYPE_CHECKING:
    from kiosk.ui.services import Services


class StaffScreen(QFrame):
    def __init__(self, services: Services, lang: Callable[[], str], parent: QWidget):
        super().__init__(parent)
        self.services = services
        self._lang = lang
        self.setProperty("role", "staff")
        self.setAutoFillBackground(True)  # opaque: nothing of the visitor's page shows through
        self.hide()
        self.main = QVBoxLayout(self)
        self.main.setContentsMargins(40, 16, 40, 16)

    def t(self, key: str, **values: object) -> str:
        return tr(key, self._lang(), **values)

    def cover_window(self) -> None:
        parent = self.parentWidget()
        assert parent is not None  # made with the window as its parent
        self.setGeometry(parent.rect())
        self.show()
        self.raise_()


class AskingScreen(StaffScreen):
    """A staff screen that asks before it acts: ``self.confirm`` (an Overlay) over ``content``,
    which is shown as a picture while the question is up (dimmed buttons would still be offered
    to a screen reader). Call ``ask_over(content)`` once the content is made."""

    def ask_over(self, content: QWidget) -> None:
        self.confirm = Overlay(self)
        self.confirm.answered.connect(lambda _yes: self._uncover())
        self.cover = PageCover(self, content)

    def _cover(self) -> None:
        self.cover.cover()

    def _uncover(self) -> None:
        focus = self.cover.uncover()
        if focus is not None and self.isVisible():
            focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.cover.paint()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.confirm.isVisible():
            self.confirm.setGeometry(self.rect())


def show_line(w: QLabel, text: str) -> None:
    """A line that is sometimes empty: hidden while it is, so a screen reader never stops on a
    blank label."""
    set_text(w, text)
    w.setVisible(bool(text.strip()))

