"""Qt Virtual Keyboard for touch-only kiosks: in the visitor's language, never over the field.

The keyboard is Qt's own input-method plugin. It has to be chosen before the QApplication
exists (``prepare``); afterwards ``TouchKeyboard`` follows the visitor's language and asks the
window to make room for the keyboard so the field being typed in stays in view.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRect, QRectF, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTextEdit,
    QWidget,
)
from shiboken6 import isValid

from kiosk.i18n import language

if TYPE_CHECKING:
    from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)

# The kiosk's own layouts (Qt's have no @ for an email address, no digits for a postal code).
# A locale without a folder there gets `fallback`, the kiosk's QWERTY, with accents by long
# press; en_CA is that layout, named so on the space bar ("Canadian English").
FALLBACK_LAYOUT = "en_CA"
LAYOUT_DIR = Path(__file__).resolve().parent / "keyboard_layouts"


def prepare() -> None:
    """Select the virtual keyboard. Call before creating the QApplication."""
    os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
    if (LAYOUT_DIR / "fallback" / "main.qml").is_file():
        os.environ.setdefault("QT_VIRTUALKEYBOARD_LAYOUT_PATH", str(LAYOUT_DIR))
    # The keyboard is drawn with Qt Quick; the software renderer works on every kiosk PC,
    # with or without working OpenGL drivers.
    os.environ.setdefault("QT_QUICK_BACKEND", "software")


def layout_for(lang: str, chosen: str) -> str:
    """The keyboard locale for ``lang``: its language.toml's ``keyboard``, or ``chosen`` (the
    campaign's ``french_keyboard``) when that is one of the language's ``keyboard_choices``.
    A locale without a layout in LAYOUT_DIR gets the kiosk's QWERTY (en_CA): Qt's keyboard,
    reading layouts from there only, would otherwise stay in the previous visitor's language."""
    try:
        facts = language(lang)
    except KeyError:
        return FALLBACK_LAYOUT
    locale = chosen if chosen in facts.keyboard_choices else facts.keyboard
    return locale if _has_layout(locale) else FALLBACK_LAYOUT


@cache
def _has_layout(locale: str) -> bool:
    return (LAYOUT_DIR / locale).is_dir()


# At most this share of the screen's height: Qt sizes its keyboard from the screen's width
# (half of a 1280×800 screen, more on 1920×1080), which left the letter a two-line slot.
MAX_HEIGHT_SHARE = 0.4

_TEXT_FIELDS = (QLineEdit, QPlainTextEdit, QTextEdit)


_EDITING_KEYS = {
    Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Return, Qt.Key.Key_Enter,
    Qt.Key.Key_Backspace, Qt.Key.Key_Delete, Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up,
    Qt.Key.Key_Down, Qt.Key.Key_Home, Qt.Key.Key_End,
}


def _types_or_moves(event) -> bool:
    """A key someone types or edits with. Shift alone, volume and media keys, or a keep-awake
    script's key say nothing about a keyboard being used to write."""
    text = event.text()
    return (bool(text) and text.isprintable()) or Qt.Key(event.key()) in _EDITING_KEYS


def input_view():
    """The keyboard's own window (a QQuickView), once it has first been shown; else None."""
    from PySide6 import QtQuick  # noqa: F401 - so the window comes back as a QQuickView

    for win in QGuiApplication.topLevelWindows():
        if win.metaObject().className() == "QtVirtualKeyboard::InputView":
            return win
    return None


class TouchKeyboard(QObject):
    """Qt's keyboard, made to behave as visitors expect at a touchscreen.

    - It opens by itself when a step puts the caret in a text field, unless the visitor has
      a real keyboard: a key pressed on one (a spontaneous key event; the on-screen keyboard's
      own are posted by Qt) hides it and stops it opening by itself until the next visitor.
    - It is never taller than MAX_HEIGHT_SHARE of the screen (narrower, centred, instead).
    - The window gives it the bottom of the screen and compacts the page above it; the caret
      is kept in view while the visitor types.
    """

    def __init__(self, window: KioskWindow, french_layout: str):
        super().__init__(window)
        self.window = window
        self.french_layout = french_layout
        languages = window.journey.campaign.languages
        self.locales = [layout_for(lang, french_layout) for lang in languages]
        self.hardware_keys = False  # a real keyboard was used in this visitor's session
        self._settings_object: QObject | None = None
        self._fit_failed = False
        self._session: object = window.journey.session
        self.input = QGuiApplication.inputMethod()
        # Tied to self: when the window (and so this object) goes, Qt drops the connections.
        self.input.keyboardRectangleChanged.connect(self._make_room)
        self.input.visibleChanged.connect(self._make_room)
        self.input.visibleChanged.connect(self.apply_language)
        self.input.visibleChanged.connect(self._fit)
        self.input.keyboardRectangleChanged.connect(self._fit)  # a new screen size too
        self.input.cursorRectangleChanged.connect(self._schedule_caret)
        self._caret_pending = False
        app = QApplication.instance()
        assert isinstance(app, QApplication)  # focusChanged is a QApplication's
        app.focusChanged.connect(self._focus_moved)
        app.installEventFilter(self)
        window.journey.subscribe(self._journey_changed)

    # --- opening by itself, and a real keyboard ----------------------------------------------

    def _journey_changed(self, journey) -> None:
        if journey.session is not self._session:
            self._session = journey.session
            self.hardware_keys = False  # the next visitor may well type by touch
        self.apply_language()  # cheap when nothing changed: it runs on every keystroke

    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if (kind == QEvent.Type.KeyPress and event.spontaneous() and not self.hardware_keys
                and _types_or_moves(event)):
            # A key from the X server (QTest's count too: tests send their Enter otherwise).
            self.hardware_keys = True
            QTimer.singleShot(0, self, self._hide_for_hardware)
        elif kind == QEvent.Type.Resize and obj is QApplication.focusWidget():
            # The field being typed in shrank (the keyboard opened): the caret may be out of
            # its box now.
            self._schedule_caret()
        return False

    def _hide_for_hardware(self) -> None:
        if self.input.isVisible():
            self.input.hide()

    def wants_keyboard(self, widget: QWidget | None) -> bool:
        """A visitor's text field, where the on-screen keyboard should open by itself."""
        return (
            isinstance(widget, _TEXT_FIELDS)
            and not widget.isReadOnly()
            and widget.isVisible()
            and self.window.content.isAncestorOf(widget)  # not the staff screens
        )

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self.hardware_keys or not self.wants_keyboard(new):
            return
        # After the step change that moved the focus has finished painting.
        QTimer.singleShot(0, self, self._open_for_focus)

    def _open_for_focus(self) -> None:
        focus = QApplication.focusWidget()
        if (not self.hardware_keys and self.wants_keyboard(focus) and self.window.isActiveWindow()
                and not self.input.isVisible()):
            self.input.show()

    # --- size and room -----------------------------------------------------------------------

    def _keyboard_item(self):
        view = input_view()
        root = view.rootObject() if view is not None else None
        for item in root.childItems() if root is not None else ():
            if item.objectName() == "keyboard":
                return view, item
        return view, None

    def _fit(self) -> None:
        """Keep the keyboard within MAX_HEIGHT_SHARE of the screen: its height follows its
        width, so side margins make it shorter. This reaches into Qt's keyboard (an item named
        "keyboard", anchored to both sides of its window); if a later Qt changes that, the
        keyboard stays full-width, which still works, and the log says so once."""
        if not self.input.isVisible() or self._fit_failed:
            return
        view, item = self._keyboard_item()
        if view is None:
            return
        from PySide6.QtQml import QQmlProperty

        left = QQmlProperty(item, "anchors.leftMargin") if item is not None else None
        right = QQmlProperty(item, "anchors.rightMargin") if item is not None else None
        if item is None or left is None or right is None or not (
                left.isValid() and right.isValid()):
            self._fit_failed = True
            log.warning("this Qt's on-screen keyboard cannot be narrowed: it stays full width")
            return
        if item.width() <= 0 or item.height() <= 0:
            return
        ratio = item.width() / item.height()
        limit = view.screen().geometry().height() * MAX_HEIGHT_SHARE
        width = min(view.width(), limit * ratio)
        margin = max(0, round((view.width() - width) / 2))
        if left.read() != margin and not (left.write(margin) and right.write(margin)):
            self._fit_failed = True
            log.warning("this Qt's on-screen keyboard cannot be narrowed: it stays full width")

    def _make_room(self) -> None:
        """Shrink the window's working area by the keyboard's height, then bring the caret
        back into view."""
        if not isValid(self.window):  # the kiosk is closing
            return
        rect = self.input.keyboardRectangle() if self.input.isVisible() else None
        room = 0
        if rect is not None and rect.height() > 0:
            top = self.window.mapFromGlobal(rect.toRect().topLeft()).y()
            room = max(0, self.window.height() - top)
        self.window.set_keyboard_room(room)
        self._schedule_caret()

    def _schedule_caret(self) -> None:
        # Once the relayout the keyboard caused is done (a turn of the event loop).
        if not self._caret_pending:
            self._caret_pending = True
            QTimer.singleShot(0, self, self._show_caret)

    def _show_caret(self) -> None:
        """Scroll the page so the caret (with a line around it) is in view above the keyboard.
        A text box scrolls its own text to the caret; this scrolls the page to the text box."""
        self._caret_pending = False
        focus = QApplication.focusWidget()
        if focus is None or not self.window.content.isAncestorOf(focus):
            return
        if isinstance(focus, QPlainTextEdit | QTextEdit):
            focus.ensureCursorVisible()  # its text, scrolled to the caret inside its box
        caret = focus.inputMethodQuery(Qt.InputMethodQuery.ImCursorRectangle)
        if isinstance(caret, QRectF):
            caret = caret.toRect()
        elif not isinstance(caret, QRect):
            caret = focus.rect()
        if isinstance(focus, QAbstractScrollArea):
            caret.translate(focus.viewport().pos())
        parent: QWidget | None = focus.parentWidget()
        while parent is not None:
            if isinstance(parent, QScrollArea) and (inner := parent.widget()) is not None:
                centre = focus.mapTo(inner, caret.center())
                line = max(caret.height(), 20)
                parent.ensureVisible(centre.x(), centre.y(), 20, line * 2)
                return
            parent = parent.parentWidget()

    # --- language ----------------------------------------------------------------------------

    def _settings(self) -> QObject | None:
        # The keyboard's settings live in its own QML engine, made when it first appears.
        if self._settings_object is None:
            view = input_view()
            if view is not None:
                self._settings_object = view.engine().singletonInstance(
                    "QtQuick.VirtualKeyboard.Settings", "VirtualKeyboardSettings")
        return self._settings_object

    def apply_language(self) -> None:
        """The keyboard in the visitor's language. Compared with the keyboard's own locale, not
        the setting: a visitor's pick with the globe key changes the first and not the second,
        and must not stay for the next visitor."""
        wanted = layout_for(self.window.journey.language, self.french_layout)
        if self.input.locale().name() == wanted and self._settings_object is not None:
            return
        settings = self._settings()
        if settings is None:
            return
        if settings.property("activeLocales") != self.locales:
            settings.setProperty("activeLocales", self.locales)
        if settings.property("locale") == wanted:
            settings.setProperty("locale", "")  # or setting it again would change nothing
        settings.setProperty("locale", wanted)

    def current_layout(self) -> str:
        return self.input.locale().name()
