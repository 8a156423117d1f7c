"""Driving the real kiosk window the way a visitor does: clicks, and typing with accents.

``qtbot.keyClicks`` only sends ASCII, so text goes in as an input-method commit, which is how
an on-screen keyboard or a compose key delivers "é" to a Qt widget.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


def type_text(widget: QWidget, text: str) -> None:
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def click(qtbot, widget: QWidget) -> None:
    assert widget.isVisible(), f"{widget.accessibleName() or widget} is not visible"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
