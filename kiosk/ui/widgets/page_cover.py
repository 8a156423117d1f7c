"""A screen's widgets hidden behind a picture of them while a layer is open over it."""

from __future__ import annotations

from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import (
    QWidget,
)


class PageCover:
    """While a layer (a question, the PIN pad, a staff screen) is open over a screen, the
    screen's widgets are hidden for real and ``host`` paints a picture of them instead.

    Dimming alone left every control behind the layer showing and pressable for a screen
    reader (Start under the PIN pad started a journey); Qt has no "hidden from assistive
    technology" flag. The host calls ``paint`` from its paintEvent.
    """

    def __init__(self, host: QWidget, content: QWidget):
        self.host = host
        self.content = content
        self._picture: QPixmap | None = None
        self._focus: QWidget | None = None

    def cover(self) -> None:
        if not self.content.isVisible():
            return
        from PySide6.QtWidgets import QApplication

        focus = QApplication.focusWidget()
        self._focus = focus if focus is not None and self.content.isAncestorOf(focus) else None
        self._picture = self.content.grab()
        self.content.hide()
        self.host.update()

    def uncover(self) -> QWidget | None:
        """Show the widgets again; returns the one that had the focus before, to give it back
        (None if there was none, or if nothing was covered)."""
        if not self.content.isHidden():
            return None
        self.content.show()
        self._picture = None
        self.host.update()
        focus, self._focus = self._focus, None
        return focus

    def paint(self) -> None:
        if self._picture is not None:
            p = QPainter(self.host)
            p.drawPixmap(self.content.geometry().topLeft(), self._picture)
            p.end()
