"""Qt Virtual Keyboard for touch-only kiosks: in the visitor's language, never over the field.

The keyboard is Qt's own input-method plugin. It has to be chosen before the QApplication
exists (``prepare``); afterwards ``TouchKeyboard`` follows the visitor's language and asks the
window to make room for the keyboard so the field being typed in stays in view.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QScrollArea, QWidget

if TYPE_CHECKING:
    from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)

# English keys are the same on US and Canadian keyboards; Qt has no en_CA layout.
LAYOUTS = {"en": "en_US"}
# The kiosk's own layouts (Qt's have no @ for an email address, no digits for a postal code).
LAYOUT_DIR = Path(__file__).resolve().parent / "keyboard_layouts"


def prepare() -> None:
    """Select the virtual keyboard. Call before creating the QApplication."""
    os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
    if (LAYOUT_DIR / "fallback" / "main.qml").is_file():
        os.environ.setdefault("QT_VIRTUALKEYBOARD_LAYOUT_PATH", str(LAYOUT_DIR))
    # The keyboard is drawn with Qt Quick; the software renderer works on every kiosk PC,
    # with or without working OpenGL drivers.
    os.environ.setdefault("QT_QUICK_BACKEND", "software")


def layout_for(lang: str, french_layout: str) -> str:
    return french_layout if lang == "fr" else LAYOUTS.get(lang, "en_US")


class TouchKeyboard(QObject):
    def __init__(self, window: KioskWindow, french_layout: str):
        super().__init__(window)
        self.window = window
        self.french_layout = french_layout
        languages = window.journey.campaign.languages
        self.locales = [layout_for(lang, french_layout) for lang in languages]
        self.input = QGuiApplication.inputMethod()
        self.input.keyboardRectangleChanged.connect(self._make_room)
        self.input.visibleChanged.connect(self._make_room)
        self.input.visibleChanged.connect(self.apply_language)
        window.journey.subscribe(lambda _j: self.apply_language())

    def _settings(self) -> QObject | None:
        # The keyboard's settings live in its own QML engine, made when it first appears.
        from PySide6 import QtQuick  # noqa: F401 - so its window comes back as a QQuickView

        for win in QGuiApplication.topLevelWindows():
            if win.metaObject().className() == "QtVirtualKeyboard::InputView":
                return win.engine().singletonInstance(
                    "QtQuick.VirtualKeyboard.Settings", "VirtualKeyboardSettings")
        return None

    def apply_language(self) -> None:
        settings = self._settings()
        if settings is None:
            return
        wanted = layout_for(self.window.journey.language, self.french_layout)
        if settings.property("activeLocales") != self.locales:
            settings.setProperty("activeLocales", self.locales)
        if settings.property("locale") != wanted:
            settings.setProperty("locale", wanted)

    def current_layout(self) -> str:
        return self.input.locale().name()

    def _make_room(self) -> None:
        """Shrink the window's working area by the keyboard's height, then scroll the field
        being typed in back into view."""
        rect = self.input.keyboardRectangle() if self.input.isVisible() else None
        room = 0
        if rect is not None and rect.height() > 0:
            top = self.window.mapFromGlobal(rect.toRect().topLeft()).y()
            room = max(0, self.window.height() - top)
        self.window.set_keyboard_room(room)
        QTimer.singleShot(0, self, self._show_focus)

    def _show_focus(self) -> None:
        focus = QApplication.focusWidget()
        if focus is None:
            return
        parent: QWidget | None = focus.parentWidget()
        while parent is not None:
            if isinstance(parent, QScrollArea) and not isinstance(focus, QAbstractScrollArea):
                parent.ensureWidgetVisible(focus, 20, 40)
                return
            parent = parent.parentWidget()
