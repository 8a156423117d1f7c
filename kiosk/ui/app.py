"""Starting the kiosk: the application, the window, the workers and the failsafe."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import APP_NAME

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from kiosk.config import Campaign
    from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)


def make_app():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("Letter Kiosk")
    app.setDesktopFileName(APP_NAME)
    return app


def build_window(campaign: Campaign, data_dir: Path, *, kiosk_mode: bool) -> KioskWindow:
    """The window and its parts: the back office (``window.services``), the visitor's text
    size and contrast (``window.display``), the idle guard (``window.idle``) and the way into
    staff mode (``window.staff``). None of the parts imports the window."""
    from kiosk.domain.journey import Journey
    from kiosk.ui.display import DisplayPreferences
    from kiosk.ui.idle import IdleGuard
    from kiosk.ui.input_watch import InputWatch
    from kiosk.ui.services import Services
    from kiosk.ui.staff.access import StaffAccess
    from kiosk.ui.window import KioskWindow

    services = Services(campaign, data_dir)
    journey = Journey(campaign, commit=services.commit)
    display = DisplayPreferences(journey)
    window = KioskWindow(journey, display, services, kiosk_mode=kiosk_mode)
    display.setParent(window)
    services.setParent(window)
    watch = InputWatch(window)  # one application-wide event filter for both parts below
    window.staff = staff = StaffAccess(window, watch)
    # Staff at work in their panel: the visitor's page is not the idle guard's to clear.
    window.idle = IdleGuard(window, watch, busy=lambda: staff.is_open)
    return window


def after_first_paint(window: QWidget, then: Callable[[], None],
                      latest_ms: int = 2000) -> None:
    """Run ``then`` once ``window`` has painted its first frame (or after ``latest_ms``, should
    no frame ever come), so that whatever it does never delays what a visitor sees first."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstFrame(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                window.removeEventFilter(self)
                QTimer.singleShot(0, self, run)  # once this whole frame is drawn
            return False

    done = False

    def run() -> None:
        nonlocal done
        if not done:
            done = True
            then()

    watcher = FirstFrame(window)
    window.installEventFilter(watcher)
    QTimer.singleShot(latest_ms, watcher, run)


def install_failsafe(window: KioskWindow) -> None:
    """An unexpected error is logged, shown to staff, and the visitor goes back to the attract
    screen, instead of a crash or a frozen page. Python errors raised in Qt slots arrive here."""

    def hook(kind, value, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        # Where it broke, but not the message: a message could quote what a visitor typed.
        log.error("unexpected %s:\n%s", kind.__name__, "".join(traceback.format_tb(tb)))
        try:
            window.failsafe(kind.__name__)  # the type only: a message could quote a visitor
        except Exception:
            log.exception("failsafe could not reset the journey")

    sys.excepthook = hook


def run_kiosk(campaign: Campaign, data_dir: Path, *, windowed: bool = False) -> int:
    from kiosk.store.opening import check_for_kiosk

    # Storage first, before Qt is even loaded: a kiosk that cannot keep letters (damaged,
    # read-only or full disk) refuses with exit 2 and a message for staff, never a window
    # that tells each visitor their letter could not be saved.
    check_for_kiosk(data_dir, campaign.campaign.default_language)
    from PySide6.QtCore import Qt

    if campaign.campaign.touchscreen:
        from kiosk.ui import touch_keyboard

        touch_keyboard.prepare()
    # Expose the accessibility tree over AT-SPI even when the desktop does not announce a
    # screen reader: a kiosk is often started before Orca is.
    os.environ.setdefault("QT_LINUX_ACCESSIBILITY_ALWAYS_ON", "1")
    app = make_app()
    window = build_window(campaign, data_dir, kiosk_mode=not windowed)
    install_failsafe(window)
    if campaign.campaign.touchscreen:
        window.keyboard = touch_keyboard.TouchKeyboard(window, campaign.campaign.french_keyboard)
    if not windowed:
        from kiosk.ui.lockdown import Lockdown

        app.installEventFilter(Lockdown(window))
    if windowed:
        window.resize(1280, 800)
        window.show()
    else:
        # Frameless and sized to the screen: showFullScreen() does nothing without a window
        # manager, which a kiosk often runs without.
        window.setWindowFlags(
            Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
        )
        geometry = app.primaryScreen().geometry()
        window.setGeometry(geometry)
        window.setFixedSize(geometry.size())
        window.show()
        window.showFullScreen()
    # Without a window manager (a kiosk session often has none) nobody gives the window the
    # keyboard focus: a real keyboard would type nowhere and the on-screen one never open.
    window.activateWindow()
    services = window.services
    assert services is not None  # build_window gives the window its services

    def first_frame_shown() -> None:
        # The workers (escpos, smtplib, two threads, the retention purge) and the pages a
        # visitor has not reached yet come after the attract screen is on screen.
        services.start()
        window.pages.make_all_when_idle()

    after_first_paint(window, first_frame_shown)
    stop_on_signals(window)
    code = app.exec()
    services.stop()
    return code


def stop_on_signals(window: KioskWindow) -> None:
    """SIGTERM (systemd's stop) and Ctrl+C end the kiosk in order: recorded in the audit log,
    the workers told to stop and the store closed (run_kiosk), exit 0. Python runs a signal's
    handler only between two of its own steps, and Qt's event loop gives it none while it
    waits: a timer gives it one twice a second."""
    import signal

    from PySide6.QtCore import QTimer

    def stop(signum: int, _frame: object) -> None:
        log.info("stopping: %s", signal.Signals(signum).name)
        window.quit()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    tick = QTimer(window)
    tick.setInterval(500)
    tick.timeout.connect(lambda: None)
    tick.start()
