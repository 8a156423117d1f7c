"""Run in its own process (the keyboard must be chosen before Qt starts): open the kiosk in
one language, touch the letter editor and each field of the Sign step, and report which keys
the real on-screen keyboard shows for each (and on its &123 page). Also taps and long-presses
a few keys for real and reports what arrived, and every QML message the keyboard printed.

    keyboard_layout_probe.py CAMPAIGN DATA_DIR LANG [SCREENSHOT_DIR]

Prints one JSON line: {"locale", "layout_dir", "views": {name: view}, "taps": {...},
"qml_messages": [...]} (or "timed_out": what it was waiting for).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from kiosk.ui import touch_keyboard

touch_keyboard.prepare()

from PySide6 import QtQuick  # noqa: E402 - so the keyboard's window comes back as a QQuickView
from PySide6.QtCore import QObject, QPointF, Qt, QTimer, qInstallMessageHandler  # noqa: E402
from PySide6.QtGui import QGuiApplication, QTextCursor  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from kiosk.config import load_campaign  # noqa: E402
from kiosk.domain.journey import Step  # noqa: E402
from kiosk.ui.app import build_window, make_app  # noqa: E402
from kiosk.ui.visitor import Visitor  # noqa: E402

DEADLINE = 240.0  # seconds for each wait: generous, for a loaded machine
LETTER = "Une lettre assez longue pour passer, avec des mots."

Wait = tuple[str, Callable[[], bool]]  # what is awaited (for the report), and the test


class Keyboard:
    """The real keyboard, as a visitor sees it: its window, its keys, its state."""

    def __init__(self) -> None:
        self.view: QtQuick.QQuickView | None = None
        self.frames = 0

    def find(self) -> bool:
        if self.view is None:
            for win in QGuiApplication.topLevelWindows():
                if win.metaObject().className() == "QtVirtualKeyboard::InputView":
                    self.view = win
                    win.frameSwapped.connect(self._frame)
        return self.view is not None and self.view.rootObject() is not None

    def _frame(self) -> None:
        self.frames += 1

    def context(self) -> QObject:
        return self.view.engine().singletonInstance("QtQuick.VirtualKeyboard", "InputContext")

    def loader(self) -> QObject | None:
        return self.view.rootObject().findChild(QObject, "keyboardLayoutLoader")

    def source(self) -> str:
        loader = self.loader()
        return loader.property("source").toString() if loader is not None else ""

    def loaded(self) -> bool:
        loader = self.loader()
        return loader is not None and loader.property("item") is not None

    def keys(self) -> list[dict]:
        """Every key a visitor can see: a visible key item with a label, inside the
        keyboard's rectangle."""
        im = QGuiApplication.inputMethod()
        area = im.keyboardRectangle()
        found: list[dict] = []

        def walk(item: QtQuick.QQuickItem) -> None:
            if not item.isVisible():
                return
            key_type = item.property("keyType")
            if key_type is not None:  # a key (BaseKey): its drawing is inside, not a key
                text = item.property("text") or ""
                label = item.property("displayText") or ""
                if text.strip() or label.strip():
                    found.append(_describe(item, text, label, key_type))
                return
            for child in item.childItems():
                walk(child)

        walk(self.view.rootObject())
        return [k for k in found if _inside(k["rect"], area)]

    def key(self, label: str) -> dict | None:
        return next((k for k in self.keys() if k["label"] == label or k["text"] == label), None)

    def tap(self, key: dict) -> None:
        # A real press and release on the keyboard's own window, at the key's centre.
        x, y = key["centre_in_window"]
        QTest.mouseClick(self.view, Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier, QPointF(x, y).toPoint())


def _describe(item: QtQuick.QQuickItem, text: str, label: str, key_type: int) -> dict:
    corner = item.mapToGlobal(QPointF(0, 0))
    centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2))
    alternatives = item.property("alternativeKeys")
    if hasattr(alternatives, "toVariant"):  # a QML "var": a string or a list of strings
        alternatives = alternatives.toVariant()
    function_key = bool(item.property("functionKey"))
    shown = label
    # A letter key draws its label in capitals when the keyboard is in upper case.
    if item.property("uppercased") and not function_key:
        shown = label.upper()
    return {"text": text, "label": label, "shown": shown, "type": key_type,
            "function": function_key, "alternatives": list(alternatives or []),
            "rect": [corner.x(), corner.y(), item.width(), item.height()],
            "centre_in_window": [centre.x(), centre.y()]}


def _inside(rect: list[float], area) -> bool:
    x, y, w, h = rect
    return (w > 0 and h > 0 and x >= area.x() - 1 and y >= area.y() - 1
            and x + w <= area.x() + area.width() + 1 and y + h <= area.y() + area.height() + 1)


def main() -> None:
    campaign = load_campaign(sys.argv[1])
    data_dir = Path(sys.argv[2])
    lang = sys.argv[3]
    shots = Path(sys.argv[4]) if len(sys.argv) > 4 else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    qml_messages: list[str] = []

    def on_message(kind, context, message: str) -> None:
        # A layout with a mistake shows an empty or half keyboard and only says so here.
        where = f"{context.file or ''}:{context.line}" if context.file else ""
        if (context.category in ("qml", "js") or ".qml" in message or ".qml" in where
                or "keyboard_layouts" in message):
            qml_messages.append(message if where in message else f"{where}: {message}")
        print(message, file=sys.stderr)

    qInstallMessageHandler(on_message)
    app = make_app()
    window = build_window(campaign, data_dir, kiosk_mode=False)
    window.setFixedSize(1280, 800)
    window.show()
    window.keyboard = touch_keyboard.TouchKeyboard(window, campaign.campaign.french_keyboard)
    locale = touch_keyboard.layout_for(lang, campaign.campaign.french_keyboard)
    keyboard = Keyboard()
    im = QGuiApplication.inputMethod()
    report: dict = {"locale": locale, "layout_dir": str(touch_keyboard.LAYOUT_DIR),
                    "views": {}, "taps": {}}
    v = Visitor(window)
    write = window.pages[Step.WRITE]
    sign = window.pages[Step.SIGN]

    def settled(symbols: bool = False) -> Iterator[Wait]:
        """Wait until the keyboard is up in the visitor's language with the layout for the
        focused field, then until it has drawn a frame since (the keys have their places)."""
        yield "keyboard window", keyboard.find
        yield "keyboard open", lambda: im.isVisible() and im.keyboardRectangle().height() > 0
        yield f"keyboard in {locale}", lambda: im.locale().name() == locale
        ask = QGuiApplication.focusObject()
        wanted = ask.inputMethodQuery(Qt.InputMethodQuery.ImHints) if ask is not None else 0
        yield "keyboard told the field's hints", (
            lambda: _flags(keyboard.context().property("inputMethodHints")) == _flags(wanted))
        page = "symbols.qml" if symbols else "main.qml"
        yield f"layout {page} loaded", (
            lambda: keyboard.loaded() and keyboard.source().endswith(page)
            and len(keyboard.keys()) > 10)
        frames = keyboard.frames
        keyboard.view.update()
        yield "a frame drawn with the layout", lambda: keyboard.frames > frames

    def record(name: str) -> None:
        ctx = keyboard.context()
        report["views"][name] = {
            "source": keyboard.source(), "keys": keyboard.keys(),
            "keyboard": _rect(im.keyboardRectangle()),
            "uppercase": bool(ctx.property("uppercase")),
            "hints": _flags(ctx.property("inputMethodHints")),
        }
        if shots is not None:
            app.primaryScreen().grabWindow(0).save(str(shots / f"{lang}-{locale}-{name}.png"))

    def touch(widget) -> Iterator[Wait]:
        window.activateWindow()
        widget.setFocus(Qt.FocusReason.MouseFocusReason)
        yield "field focused", widget.hasFocus
        im.show()
        yield from settled()

    def tap(name: str, label: str, read: Callable[[], str]) -> Iterator[Wait]:
        before = read()
        key = keyboard.key(label)
        if key is None:
            report["taps"][name] = {"key": label, "missing": True}
            return
        keyboard.tap(key)
        yield f"tap on {label!r} arrives", lambda: read() != before
        report["taps"][name] = {"key": label, "before": before, "after": read()}

    def long_press(name: str, label: str, read: Callable[[], str]) -> Iterator[Wait]:
        before = read()
        key = keyboard.key(label)
        if key is None:
            report["taps"][name] = {"key": label, "missing": True}
            return
        at = QPointF(*key["centre_in_window"]).toPoint()
        popup = keyboard.view.rootObject().findChild(QObject, "alternativeKeys")
        QTest.mousePress(keyboard.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         at)
        yield f"accents of {label!r} shown", lambda: bool(popup.property("active"))
        QTest.mouseRelease(keyboard.view, Qt.MouseButton.LeftButton,
                           Qt.KeyboardModifier.NoModifier, at)
        yield f"long press on {label!r} arrives", lambda: read() != before
        report["taps"][name] = {"key": label, "before": before, "after": read()}

    def script() -> Iterator[Wait]:
        yield "window shown", lambda: (window.windowHandle() is not None
                                       and window.windowHandle().isExposed())
        v.language(lang)
        v.start()
        v.choose("pm")
        v.next()
        yield "write step shown", write.editor.isVisible
        yield from touch(write.editor)
        record("letter")
        # Mid-sentence, where the keyboard is in lower case: "é" itself must arrive, not "É".
        write.editor.setPlainText("Merci ")
        write.editor.moveCursor(QTextCursor.MoveOperation.End)
        yield "keyboard in lower case", lambda: not keyboard.context().property("uppercase")
        if lang == "fr":
            yield from tap("letter_e_acute", "é", write.editor.toPlainText)
        # A long press opens the letter's accents with the first one chosen; letting go types it.
        yield from long_press("letter_long_press", "a" if lang == "fr" else "e",
                              write.editor.toPlainText)
        # The &123 page, then back to the letters.
        symbol_key = keyboard.key("&123")
        if symbol_key is not None:
            keyboard.tap(symbol_key)
            yield from settled(symbols=True)
            record("symbols")
            back = keyboard.key("ABC")
            if back is not None:
                keyboard.tap(back)
                yield from settled()
        v.write(LETTER)
        v.next()  # signing with the full name, the first choice
        for field in ("first_name", "last_name", "city", "postal_code", "email"):
            edit = sign.edits[field]
            yield f"{field} shown", edit.isVisible
            yield from touch(edit)
            record(field)
        # Taps last, each in its own field (the fields were seen empty above).
        email = sign.edits["email"]
        yield from touch(email)
        yield from tap("email_at", "@", email.text)
        postal = sign.edits["postal_code"]
        yield from touch(postal)
        yield from tap("postal_letter", "k", postal.text)
        yield from tap("postal_digit", "1", postal.text)
        # A name starts with a capital by itself, and goes on in lower case.
        name = sign.edits["first_name"]
        yield from touch(name)
        yield from tap("name_first_letter", "j", name.text)
        yield from tap("name_second_letter", "o", name.text)
        # An email address does not.
        email.clear()
        yield from touch(email)
        yield from tap("email_first_letter", "j", email.text)

    steps = script()
    state: dict = {"wait": ("start", lambda: True), "since": time.monotonic()}

    def finish() -> None:
        report["qml_messages"] = qml_messages
        print(json.dumps(report), flush=True)
        window.services.stop()
        app.quit()

    def poll() -> None:
        # Conditions, not delays: each step waits for what it needs; a busy machine only
        # takes longer, and after DEADLINE the report says what never came.
        try:
            while state["wait"][1]():
                state["wait"] = next(steps)
                state["since"] = time.monotonic()
        except StopIteration:
            finish()
            return
        except Exception as e:  # reported, so the test says what broke
            report["error"] = f"{type(e).__name__}: {e}"
            finish()
            return
        if time.monotonic() - state["since"] > DEADLINE:
            report["timed_out"] = state["wait"][0]
            finish()
            return
        QTimer.singleShot(50, poll)

    QTimer.singleShot(0, poll)
    app.exec()


def _flags(value) -> int:
    # Qt hands hints back as an enum, a flag set or a plain int, depending on the way asked.
    return int(getattr(value, "value", value) or 0)


def _rect(r) -> list[float]:
    return [r.x(), r.y(), r.width(), r.height()]


if __name__ == "__main__":
    main()
