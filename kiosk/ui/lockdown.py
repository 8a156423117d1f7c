"""Kiosk mode: a visitor cannot leave the kiosk or reach anything but the journey.

The window ignores close requests (Alt+F4, the window manager's close); this filter swallows
context menus everywhere (a scroll bar's own menu included) and the shortcuts people try.
Staff leave through the staff panel's Quit.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent

_BLOCKED_KEYS = {Qt.Key.Key_F4, Qt.Key.Key_Q, Qt.Key.Key_W}


class Lockdown(QObject):
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ContextMenu:
            return True
        if kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) and isinstance(
            event, QKeyEvent
        ):
            mods = event.modifiers()
            if event.key() in _BLOCKED_KEYS and mods & (
                Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ControlModifier
            ):
                return True
            if event.key() == Qt.Key.Key_Escape and obj is self.parent():
                return True
        return False
