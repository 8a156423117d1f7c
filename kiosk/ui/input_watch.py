"""One watch on everything a visitor (or staff) does with the screen and keys, for every part
that needs to see it: the idle guard's clock, the staff corner gesture.

Each Python event filter on the whole application is called for every event Qt delivers, a few
hundred for each step change; two of them cost a step change about half a millisecond more than
one. The parts share this one, and are told only of the kinds of event they asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

Watcher = Callable[[QObject, QEvent], None]


class InputWatch(QObject):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._watchers: list[tuple[frozenset[QEvent.Type], Watcher]] = []
        self._kinds: frozenset[QEvent.Type] = frozenset()
        app = QApplication.instance()
        assert app is not None  # made with the window, so after the application
        app.installEventFilter(self)

    def watch(self, kinds: Iterable[QEvent.Type], on_event: Watcher) -> None:
        """Call ``on_event(obj, event)`` for each event of these kinds, anywhere."""
        wanted = frozenset(kinds)
        self._watchers.append((wanted, on_event))
        self._kinds = self._kinds | wanted

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in self._kinds:  # runs for every event in the app: leave the rest at once
            for kinds, on_event in self._watchers:
                if kind in kinds:
                    on_event(obj, event)
        return False
