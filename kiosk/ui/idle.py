"""Noticing a visitor who walked away: any touch, click or key restarts the clock."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

_ACTIVITY = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.KeyPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.Wheel,
    QEvent.Type.InputMethod,
}


class IdleMonitor(QObject):
    """Emits ``idle`` after ``seconds`` with no input anywhere in the application."""

    idle = Signal()

    def __init__(self, seconds: int, parent: QObject | None = None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(seconds * 1000)
        self.timer.timeout.connect(self.idle)
        self.active = False

    def set_active(self, active: bool) -> None:
        """Only count while a visitor is mid-journey."""
        self.active = active
        if active:
            self.timer.start()
        else:
            self.timer.stop()

    def poke(self) -> None:
        if self.active:
            self.timer.start()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.poke()
        return False
