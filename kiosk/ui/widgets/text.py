"""Labels and buttons with a theme role, and setting their text and name together."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QWidget,
)


def label(role: str = "", *, wrap: bool = True, parent: QWidget | None = None) -> QLabel:
    w = QLabel(parent)
    if role:
        w.setProperty("role", role)
    w.setWordWrap(wrap)
    w.setTextFormat(Qt.TextFormat.PlainText)  # visitor and campaign text is never markup
    return w


def button(
    role: str = "", *, checkable: bool = False, parent: QWidget | None = None
) -> QPushButton:
    b = QPushButton(parent)
    if role:
        b.setProperty("role", role)
    b.setCheckable(checkable)
    b.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    b.setAutoDefault(True)  # Enter presses the focused button, as Space does
    return b


def set_checked_quietly(b: QPushButton, on: bool) -> None:
    """Show a state without acting on it. Checkable buttons act on ``toggled`` (a screen
    reader's default action toggles rather than clicks), so the program's own changes must not
    emit it."""
    b.blockSignals(True)
    b.setChecked(on)
    b.blockSignals(False)


def set_compact(w: QWidget, compact: bool) -> None:
    """Switch the theme's compact look (a smaller heading while the keyboard is open)."""
    if bool(w.property("compact")) != compact:
        w.setProperty("compact", compact)
        w.style().unpolish(w)
        w.style().polish(w)


def set_text(w: QLabel | QPushButton, text: str, description: str = "") -> None:
    """Set visible text and the name a screen reader speaks, always together."""
    if w.text() != text:  # unchanged text would still cost a relayout
        w.setText(text)
    name = text.replace("&", "").replace("\n", " ")
    if w.accessibleName() != name:
        w.setAccessibleName(name)
    if description and w.accessibleDescription() != description:
        w.setAccessibleDescription(description)
