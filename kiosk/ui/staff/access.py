"""The way into staff mode: hold the top-left corner for 3 seconds, or press Ctrl+Alt+S.

Visitors do not hold a blank corner still for three seconds by chance; a keyboard user on
staff duty has a chord instead. Both open the PIN pad, never the panel directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QTimer
from PySide6.QtGui import QKeySequence, QMouseEvent, QShortcut, QTouchEvent
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.ui.staff.export_screen import ExportScreen
from kiosk.ui.staff.held_review import HeldReview
from kiosk.ui.staff.panel import StaffPanel
from kiosk.ui.staff.pin_pad import PinPad
from kiosk.ui.staff.queues import QueueView

if TYPE_CHECKING:
    from kiosk.domain.journey import Journey
    from kiosk.ui.services import Services

_WATCHED = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseMove,
    QEvent.Type.KeyPress, QEvent.Type.TouchBegin, QEvent.Type.TouchEnd, QEvent.Type.TouchCancel,
})
HOLD_MS = 3000
CORNER_PX = 90
STAFF_CHORD = "Ctrl+Alt+S"


class StaffHost(Protocol):
    """What staff access uses of the kiosk window, a QWidget that is also the parent of the
    staff screens. Named here so that this module need not import the window, which builds it."""

    services: Services | None
    journey: Journey

    def ask_quit(self) -> None: ...
    def rect(self) -> QRect: ...
    def mapFromGlobal(self, pos: QPoint) -> QPoint: ...


class StaffAccess(QObject):
    def __init__(self, window: StaffHost):
        assert isinstance(window, QWidget)  # the kiosk window: the staff screens' parent
        super().__init__(window)
        self.window = window
        services = window.services
        assert services is not None
        self.services = services
        lang = lambda: window.journey.language  # noqa: E731 - read at use, not now
        self.gate = services.pin_gate()  # kept in the store: a restart gives no fresh tries
        self.pad = PinPad(self.gate, lang, window)
        self.panel = StaffPanel(services, lang, window)
        self.review = HeldReview(services, lang, window)
        self.queues = QueueView(services, lang, window)
        self.export = ExportScreen(services, lang, window)
        self.pad.accepted.connect(self._opened)
        self.panel.locked.connect(self._locked)
        self.panel.reset_requested.connect(self._reset)
        self.panel.quit_requested.connect(window.ask_quit)
        self.panel.language_requested.connect(self._language)
        self.panel.review_requested.connect(self.review.open_review)
        self.panel.queues_requested.connect(self.queues.open_view)
        self.panel.export_requested.connect(self.export.open_screen)
        self.export.chosen.connect(self.panel.run_export)
        services.printer_changed.connect(lambda _s: self._refresh())
        services.outbox_changed.connect(lambda _s: self._refresh())

        self.hold = QTimer(self)
        self.hold.setSingleShot(True)
        self.hold.setInterval(HOLD_MS)
        self.hold.timeout.connect(self.open_pad)
        self.shortcut = QShortcut(QKeySequence(STAFF_CHORD), window)
        self.shortcut.activated.connect(self.open_pad)
        app = QApplication.instance()
        assert app is not None  # the window exists, so the application does
        app.installEventFilter(self)

    @property
    def is_open(self) -> bool:
        return any(w.isVisible() for w in self._screens())

    def _screens(self) -> tuple:
        return (self.pad, self.panel, self.review, self.queues, self.export)

    def open_pad(self) -> None:
        if not self.is_open:
            self.services.audit("staff.pin_pad")
            self.pad.open_pad()

    def _opened(self) -> None:
        self.panel.open_panel()  # the gate has written the unlock to the audit log

    def _locked(self) -> None:
        # Every screen opened from the panel goes with it: staff who walk away from the export
        # list must not leave a visitor the choice of drive, or the held emails to read.
        for w in (self.review, self.queues):
            w.hide()
        self.export.close_screen()
        self.services.audit("staff.lock")

    def _refresh(self) -> None:
        if self.panel.isVisible():
            self.panel.refresh()

    def _reset(self) -> None:
        self.services.audit("visitor.reset")
        self.window.journey.start_over()

    def _language(self, code: str) -> None:
        self.services.set_default_language(code)
        self.window.journey.set_default_language(code)

    def relayout(self) -> None:
        for w in self._screens():
            if w.isVisible():
                w.setGeometry(self.window.rect())

    # --- the corner gesture --------------------------------------------------------------------

    def _in_corner(self, global_pos: QPoint) -> bool:
        local = self.window.mapFromGlobal(global_pos)
        return QRect(0, 0, CORNER_PX, CORNER_PX).contains(local)

    def _ends_hold(self, kind: QEvent.Type, event: QEvent) -> bool:
        if kind in (QEvent.Type.MouseButtonRelease, QEvent.Type.TouchEnd,
                    QEvent.Type.TouchCancel):
            return True
        return kind == QEvent.Type.MouseMove and not self._in_corner(
            cast(QMouseEvent, event).globalPosition().toPoint())

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in _WATCHED:  # runs for every event in the app: leave the rest at once
            return False
        if self.panel.isVisible() and kind in (QEvent.Type.MouseButtonPress,
                                               QEvent.Type.KeyPress, QEvent.Type.TouchBegin):
            self.panel.poke()
        if kind == QEvent.Type.MouseButtonPress:
            pos = cast(QMouseEvent, event).globalPosition().toPoint()
            if self._in_corner(pos) and not self.is_open:
                self.hold.start()
        elif kind == QEvent.Type.TouchBegin:
            points = cast(QTouchEvent, event).points()
            if len(points) == 1 and self._in_corner(points[0].globalPosition().toPoint()):
                self.hold.start()
        elif self.hold.isActive() and self._ends_hold(kind, event):
            self.hold.stop()
        return False
