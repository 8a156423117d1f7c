"""What every full-window staff screen shares: it covers the kiosk, speaks the kiosk's
language, and reaches the back office only through ``Services``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from kiosk.i18n import tr
from kiosk.ui.widgets import set_text

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


def show_line(w: QLabel, text: str) -> None:
    """A line that is sometimes empty: hidden while it is, so a screen reader never stops on a
    blank label."""
    set_text(w, text)
    w.setVisible(bool(text.strip()))

