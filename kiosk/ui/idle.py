"""Noticing a visitor who walked away: any touch, click or key restarts the clock; when it runs
out mid-journey the kiosk asks "Are you still there?" and, without an answer, starts afresh."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from kiosk.domain.journey import NUMBERED_STEPS
from kiosk.i18n import tr
from kiosk.ui.a11y import announce
from kiosk.ui.widgets import Overlay

if TYPE_CHECKING:
    from kiosk.domain.journey import Journey
    from kiosk.ui.input_watch import InputWatch

_ACTIVITY = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.KeyPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    # A stylus on the signing pad: its events are taken as the pen's, no mouse is made of them.
    QEvent.Type.TabletPress,
    QEvent.Type.TabletMove,
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


class IdleHost(Protocol):
    """What the idle guard uses of the kiosk window, a QWidget that is also the parent of its
    question. Named here so that this module need not import the window."""

    journey: Journey

    def dismiss_question(self) -> None:
        """Close the window's own question (Start over?): the warning takes its place."""


class IdleGuard(QObject):
    """The clock (restarted by any input ``watch`` sees), the "Are you still there?" question
    and its countdown, for ``window``.
    ``busy()`` says whether someone else (staff in their panel) is using the screen: then the
    visitor's page is not the guard's to clear."""

    def __init__(self, window: IdleHost, watch: InputWatch,
                 busy: Callable[[], bool] = lambda: False):
        assert isinstance(window, QWidget)  # the kiosk window: the question's parent
        super().__init__(window)
        self.window = window
        self.journey = journey = window.journey
        self.busy = busy
        self.monitor = IdleMonitor(journey.campaign.session.idle_timeout_seconds, self)
        self.monitor.idle.connect(self.warn)
        # Any touch, click or key anywhere in the kiosk restarts the clock.
        watch.watch(_ACTIVITY, lambda _obj, _event: self.monitor.poke())
        self.overlay = Overlay(window)
        self.countdown = QTimer(self)
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self._tick)
        self._left = 0
        self._session: object = journey.session
        journey.subscribe(self._journey_changed)
        self._journey_changed(journey)

    @property
    def timer(self) -> QTimer:
        """The clock that runs out after the campaign's idle timeout."""
        return self.monitor.timer

    def _journey_changed(self, journey: Journey) -> None:
        if journey.session is not self._session:  # a new visitor: no question left for them
            self._session = journey.session
            self.overlay.dismiss()
            self.countdown.stop()
        self.monitor.set_active(journey.step in NUMBERED_STEPS)

    def warn(self, countdown: int | None = None) -> None:
        """Ask "Are you still there?", counting down ``countdown`` seconds (the campaign's by
        default) before the session is wiped."""
        if self.busy():
            self.monitor.poke()  # staff at work: the visitor's page is not theirs to clear
            return
        lang = self.journey.language
        self._left = countdown or self.journey.campaign.session.idle_countdown_seconds
        self.window.dismiss_question()
        self.overlay.ask(
            tr("idle.title", lang), tr("idle.body", lang, n=self._left),
            tr("idle.stay", lang), tr("idle.leave", lang), self._answer,
        )
        # "Still here" is the safe answer for someone who comes back.
        self.overlay.yes.setFocus(Qt.FocusReason.OtherFocusReason)
        announce(self.overlay, tr("idle.title", lang))
        self.countdown.start()

    def _tick(self) -> None:
        self._left -= 1
        if self._left <= 0:
            self.countdown.stop()
            self.overlay.dismiss()
            self.journey.idle_timeout()
            return
        self.overlay.set_body(tr("idle.body", self.journey.language, n=self._left))

    def _answer(self, stay: bool) -> None:
        self.countdown.stop()
        if stay:
            self.monitor.poke()
        else:
            self.journey.idle_timeout()
