"""A large choice button with a title and a detail line."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.widgets.text import label


class Card(QPushButton):
    """A large toggle card with a title and a detail line that wrap.

    QPushButton never wraps its own text, so long French office names were cut off; the card
    draws two word-wrapped labels instead and reports their size to the layout.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "card")
        self.setCheckable(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)  # the layout gives it the height its wrapped text needs
        self.setSizePolicy(policy)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 16, 20, 16)
        lay.setSpacing(6)
        self.title = label()
        self.title.setStyleSheet("font-weight: 600;")
        self.detail = label("help")
        for w in (self.title, self.detail):
            w.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            lay.addWidget(w)
        lay.addStretch(1)

    def set_texts(self, title: str, detail: str, state: str = "") -> None:
        self.title.setText(title)
        self.detail.setText(detail)
        self.setAccessibleName(title)
        self.setAccessibleDescription(f"{detail}. {state}".strip() if state else detail)

    def sizeHint(self):
        return self.layout().sizeHint()

    def minimumSizeHint(self):
        return self.layout().minimumSize()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, w: int) -> int:
        lay = self.layout()
        assert lay is not None  # set in __init__
        return lay.totalHeightForWidth(w)
