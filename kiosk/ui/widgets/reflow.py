"""Rows that become columns when there is no room."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QWidget,
)

from kiosk.ui.widgets.card import Card


class Reflow(QWidget):
    """Children side by side when they fit, one under the other when they don't.

    Large text, French and portrait screens all make rows wider than the screen; instead of
    cutting words off, the row turns into a column.
    """

    def __init__(self, spacing: int = 16, parent: QWidget | None = None):
        from PySide6.QtWidgets import QBoxLayout

        super().__init__(parent)
        self._box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(spacing)
        self._items: list[tuple[QWidget, int]] = []
        self._trailing_stretch = False
        self._pending = False

    def add(self, widget: QWidget, stretch: int = 0) -> QWidget:
        self._box.addWidget(widget, stretch)
        self._items.append((widget, stretch))
        return widget

    def add_stretch(self) -> None:
        self._box.addStretch(1)
        self._trailing_stretch = True

    def row_width(self) -> int:
        """The width this needs to lay its children out side by side."""
        shown = [w for w, _ in self._items if not w.isHidden()]
        spacing = self._box.spacing() * max(0, len(shown) - 1)
        return sum(_needed_width(w) for w in shown) + spacing

    def sizeHint(self):
        # Prefer the width of a row, so a parent row gives this one room to be a row.
        hint = super().sizeHint()
        return hint.expandedTo(QSize(self.row_width(), 0)) if self.is_column else hint

    def _fits(self, width: int) -> bool:
        shown = [(w, s) for w, s in self._items if not w.isHidden()]
        if not shown:
            return True
        spacing = self._box.spacing() * (len(shown) - 1)
        total_stretch = sum(s for _, s in shown)
        if total_stretch:
            # Children without stretch keep their width; the others share what is left, and
            # every share must hold its content.
            free = width - spacing - sum(_needed_width(w) for w, s in shown if not s)
            return free >= 0 and all(
                _needed_width(w) <= free * s / total_stretch for w, s in shown if s)
        return self.row_width() <= width

    def _reflow(self, width: int) -> None:
        from PySide6.QtWidgets import QBoxLayout

        # Only on screen: a closed window's children may already be half torn down.
        if not self.isVisible():
            return
        direction = (QBoxLayout.Direction.LeftToRight if self._fits(width)
                     else QBoxLayout.Direction.TopToBottom)
        if self._box.direction() != direction:
            self._box.setDirection(direction)

    def event(self, event) -> bool:
        from PySide6.QtCore import QEvent, QTimer

        # A resize, new text (another language, a bigger size) or a new style changes what
        # fits. Text is measured on the next turn of the event loop, never in the middle of
        # a restyle (measuring then crashed Qt's font engine) or of a teardown; a timer tied
        # to ``self`` is dropped if this widget goes first.
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.LayoutRequest,
                            QEvent.Type.StyleChange) and not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self._deferred_reflow)
        return super().event(event)

    def _deferred_reflow(self) -> None:
        self._pending = False
        self._reflow(self.width())

    @property
    def is_column(self) -> bool:
        from PySide6.QtWidgets import QBoxLayout

        return self._box.direction() == QBoxLayout.Direction.TopToBottom


def _needed_width(w: QWidget) -> int:
    # A nested Reflow is asked for its width as a row, not as it happens to be laid out now,
    # or a row squeezed into a column would never get the room to become a row again.
    if isinstance(w, Reflow):
        return w.row_width()
    if isinstance(w, Card | QLabel) or (w.findChild(QLabel) is not None and not isinstance(
        w, QPushButton
    )):
        return max(w.minimumSizeHint().width(), _widest_text(w))
    return max(w.sizeHint().width(), _widest_text(w))


def _widest_text(w: QWidget) -> int:
    """The widest single-line control text inside ``w`` (buttons do not wrap)."""

    from shiboken6 import isValid

    widest = 0
    for b in [w, *w.findChildren(QPushButton)]:
        if isValid(b) and isinstance(b, QPushButton) and not isinstance(b, Card) and b.text():
            fm = b.fontMetrics()  # by value: font() is a reference a restyle can free
            widest = max(widest, max(fm.horizontalAdvance(t) for t in b.text().split("\n")) + 40)
    return widest
