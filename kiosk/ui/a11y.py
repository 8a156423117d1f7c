"""Telling assistive technology what just happened."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def announce(widget: QWidget, text: str) -> None:
    """Ask the screen reader to speak ``text`` now (a polite announcement)."""
    from PySide6.QtGui import QAccessible

    if not text or not QAccessible.isActive():
        return
    try:
        from PySide6.QtGui import QAccessibleAnnouncementEvent
    except ImportError:  # Qt < 6.8: a name change on the widget is spoken instead
        widget.setAccessibleName(text)
        return
    QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(widget, text))
