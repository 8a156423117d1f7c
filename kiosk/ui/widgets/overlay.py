"""The modal question over a screen (Start over?, Are you still there?)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.widgets.reflow import Reflow
from kiosk.ui.widgets.text import button, label, set_text


class Overlay(QFrame):
    """A full-window dim layer with one centred question and two answers.

    Kept inside the window rather than a QDialog: no new top-level window can appear over a
    frameless kiosk, and focus stays trapped in the question until it is answered.
    """

    answered = Signal(bool)

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setProperty("role", "overlay")
        self.hide()
        outer = QVBoxLayout(self)
        box = QFrame(self)
        box.setProperty("role", "dialog")
        box.setAccessibleName("dialog")
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 18)  # wide enough for large text in either language
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(24, 24, 24, 24)
        lay.setSpacing(16)
        self.title = label("title", parent=box)
        self.body = label(parent=box)
        lay.addWidget(self.title)
        lay.addWidget(self.body)
        self.no = button("quiet", parent=box)
        self.yes = button("primary", parent=box)
        buttons = Reflow(spacing=12, parent=box)  # one under the other at large text sizes
        buttons.add(self.no)
        buttons.add_stretch()
        buttons.add(self.yes)
        lay.addWidget(buttons)
        self.yes.clicked.connect(lambda: self._answer(True))
        self.no.clicked.connect(lambda: self._answer(False))
        self._on_answer: Callable[[bool], None] | None = None

    def ask(
        self, title: str, body: str, yes: str, no: str, on_answer: Callable[[bool], None]
    ) -> None:
        set_text(self.title, title)
        set_text(self.body, body)
        set_text(self.yes, yes)
        set_text(self.no, no)
        self._on_answer = on_answer
        parent = self.parentWidget()
        assert parent is not None  # made with the window as its parent
        self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self.no.setFocus(Qt.FocusReason.OtherFocusReason)  # the safe answer has focus

    def set_body(self, body: str) -> None:
        set_text(self.body, body)

    def _answer(self, yes: bool) -> None:
        self.hide()
        callback, self._on_answer = self._on_answer, None
        if callback:
            callback(yes)
        self.answered.emit(yes)

    def dismiss(self) -> None:
        self.hide()
        self._on_answer = None

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._answer(False)
            return
        super().keyPressEvent(event)
