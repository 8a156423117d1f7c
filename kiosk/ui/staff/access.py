"""The way into staff mode: hold the top-left corner for 3 seconds, or press Ctrl+Alt+S.

Visitors do not hold a blank corner still for three seconds by chance; a keyboard user on
staff duty has a chord instead. Both open the PIN pad, never the panel directly.

The PIN pad is made the first time it opens, and the staff panel and its screens the first
time staff are let in: a visitor's start-up does not wait for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QTimer
from PySide6.QtGui import QKeySequence, QMouseEvent, QShortcut, QTouchEvent
from PySide6.QtWidgets import QWidget

from kiosk.ui.widgets import steady_scroll_bars

if TYPE_CHECKING:
    from kiosk.domain.journey import Journey
    from kiosk.pin_gate import PinGate
    from kiosk.ui.input_watch import InputWatch
    from kiosk.ui.services import Services
    from kiosk.ui.staff.envelopes_screen import EnvelopesScreen
    from kiosk.ui.staff.export_screen import ExportScreen
    from kiosk.ui.staff.held_review import HeldReview
    from kiosk.ui.staff.panel import StaffPanel
    from kiosk.ui.staff.pin_pad import PinPad
    from kiosk.ui.staff.queues import QueueView

_WATCHED = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseMove,
    QEvent.Type.KeyPress, QEvent.Type.TouchBegin, QEvent.Type.TouchEnd, QEvent.Type.TouchCancel,
})
HOLD_MS = 3000
CORNER_PX = 90
STAFF_CHORD = "Ctrl+Alt+S"
W = TypeVar("W", bound=QWidget)


class StaffHost(Protocol):
    """What staff access uses of the kiosk window, a QWidget that is also the parent of the
    staff screens. Named here so that this module need not import the window."""

    services: Services | None
    journey: Journey

    def ask_quit(self) -> None: ...
    def rect(self) -> QRect: ...
    def mapFromGlobal(self, pos: QPoint) -> QPoint: ...


class StaffAccess(QObject):
    def __init__(self, window: StaffHost, watch: InputWatch):
        assert isinstance(window, QWidget)  # the kiosk window: the staff screens' parent
        super().__init__(window)
        self.window = window
        self.host: QWidget = window
        services = window.services
        assert services is not None
        self.services = services
        self._pad: PinPad | None = None
        self._panel: StaffPanel | None = None
        self._review: HeldReview | None = None
        self._queues: QueueView | None = None
        self._export: ExportScreen | None = None
        self._envelopes: EnvelopesScreen | None = None
        services.printer_changed.connect(lambda _s: self._refresh())
        services.office_changed.connect(lambda _s: self._refresh())
        services.outbox_changed.connect(lambda _s: self._refresh())

        self.hold = QTimer(self)
        self.hold.setSingleShot(True)
        self.hold.setInterval(HOLD_MS)
        self.hold.timeout.connect(self.open_pad)
        self.shortcut = QShortcut(QKeySequence(STAFF_CHORD), window)
        self.shortcut.activated.connect(self.open_pad)
        watch.watch(_WATCHED, self._input)

    def _lang(self) -> str:
        return self.window.journey.language  # read at use: the visitor's language then

    # --- the screens, each made when first needed ----------------------------------------------

    @property
    def gate(self) -> PinGate:
        """The PIN pad's guard, kept in the store: a restart gives no fresh tries."""
        return self.services.pin_gate()

    @property
    def pad(self) -> PinPad:
        if self._pad is None:
            from kiosk.ui.staff.pin_pad import PinPad

            self._pad = self._ready(PinPad(self.gate, self.services.try_pin, self._lang, self.host))
            self._pad.accepted.connect(self._opened)
        return self._pad

    @property
    def panel(self) -> StaffPanel:
        if self._panel is None:
            self._make_panel()
        assert self._panel is not None
        return self._panel

    @property
    def review(self) -> HeldReview:
        if self._review is None:
            self._make_panel()
        assert self._review is not None
        return self._review

    @property
    def queues(self) -> QueueView:
        if self._queues is None:
            self._make_panel()
        assert self._queues is not None
        return self._queues

    @property
    def export(self) -> ExportScreen:
        if self._export is None:
            self._make_panel()
        assert self._export is not None
        return self._export

    @property
    def envelopes(self) -> EnvelopesScreen:
        if self._envelopes is None:
            self._make_panel()
        assert self._envelopes is not None
        return self._envelopes

    def _make_panel(self) -> None:
        from kiosk.ui.staff.envelopes_screen import EnvelopesScreen
        from kiosk.ui.staff.export_screen import ExportScreen
        from kiosk.ui.staff.held_review import HeldReview
        from kiosk.ui.staff.panel import StaffPanel
        from kiosk.ui.staff.queues import QueueView

        services, lang, host = self.services, self._lang, self.host
        self._panel = panel = self._ready(StaffPanel(services, lang, host))
        self._review = review = self._ready(HeldReview(services, lang, host))
        self._queues = queues = self._ready(QueueView(services, lang, host))
        self._envelopes = envelopes = self._ready(EnvelopesScreen(services, lang, host))
        self._export = export = self._ready(ExportScreen(services, lang, host))
        panel.locked.connect(self._locked)
        panel.reset_requested.connect(self._reset)
        panel.quit_requested.connect(self.window.ask_quit)
        panel.language_requested.connect(self._language)
        panel.review_requested.connect(review.open_review)
        panel.queues_requested.connect(queues.open_view)
        panel.export_requested.connect(export.open_screen)
        export.chosen.connect(panel.run_export)
        panel.envelopes_requested.connect(envelopes.open_screen)
        envelopes.choose_drive.connect(export.open_screen)

    @staticmethod
    def _ready(screen: W) -> W:
        """A screen just made: its scroll areas go in frames before it is ever shown (screen
        readers: see kiosk/ui/widgets/scrolling.py)."""
        steady_scroll_bars(screen)
        return screen

    @property
    def is_open(self) -> bool:
        return any(w.isVisible() for w in self._screens())

    def _screens(self) -> tuple[QWidget, ...]:
        made = (self._pad, self._panel, self._review, self._queues, self._envelopes,
                self._export)
        return tuple(w for w in made if w is not None)

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
        self.envelopes.close_screen()
        self.services.audit("staff.lock")

    def _refresh(self) -> None:
        if self._panel is not None and self._panel.isVisible():
            self._panel.refresh()

    def _reset(self) -> None:
        self.services.audit("visitor.reset")
        self.window.journey.start_over()

    def _language(self, code: str) -> None:
        self.services.set_default_language(code)
        self.window.journey.set_default_language(code)

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

    def _input(self, _obj: QObject, event: QEvent) -> None:
        kind = event.type()
        panel = self._panel
        if panel is not None and panel.isVisible() and kind in (
                QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin):
            panel.poke()
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
