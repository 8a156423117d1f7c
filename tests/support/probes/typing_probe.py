"""Run in its own process under an X server (the keyboard must be chosen before Qt starts):
a visitor writing by touch on a screen of the X server's size, with the real on-screen keyboard.

It walks to the Write step and lets the keyboard open by itself, then measures what a visitor
sees above the keyboard at 100 % and 200 % text, types 40 lines, opens the aids, closes the
keyboard, presses a key on a "real" keyboard (XTest), and comes back for the next visitor.
One JSON line per stage on stdout; every wait is for a condition, with a generous deadline.

    python tests/support/probes/typing_probe.py CAMPAIGN DATA_DIR [LANG]
"""

from __future__ import annotations

import ctypes
import json
import sys
import time
from pathlib import Path

from kiosk.ui import touch_keyboard

touch_keyboard.prepare()

from PySide6.QtCore import Q_ARG, QEvent, QMetaObject, QRect, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QInputMethodEvent, QKeyEvent, QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from kiosk.config import load_campaign  # noqa: E402
from kiosk.domain.journey import Step  # noqa: E402
from kiosk.ui.app import build_window, make_app  # noqa: E402
from kiosk.ui.visitor import Visitor  # noqa: E402

DEADLINE = 180.0  # seconds: generous, for a loaded machine


class TimedOut(Exception):
    pass


def wait_for(app, condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise TimedOut(what)
        app.processEvents()
        time.sleep(0.01)


def settle(app, measure) -> None:
    """Until ``measure()`` gives the same answer over 20 turns of the event loop in a row
    (layouts run on the next turn, and a reflow may start another)."""
    last, same = None, 0
    deadline = time.monotonic() + DEADLINE
    while same < 20:
        app.processEvents()
        now = measure()
        same = same + 1 if now == last else 0
        last = now
        if time.monotonic() > deadline:
            raise TimedOut("the layout never settled")


def global_rect(w: QWidget) -> list[int]:
    r = QRect(w.mapToGlobal(w.rect().topLeft()), w.size())
    return [r.x(), r.y(), r.width(), r.height()]


def xtest_key(keysym_name: bytes) -> None:
    """One key press and release through the X server: what a USB keyboard sends."""
    x11 = ctypes.CDLL("libX11.so.6")
    xtst = ctypes.CDLL("libXtst.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    x11.XStringToKeysym.restype = ctypes.c_ulong
    xtst.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int,
                                       ctypes.c_ulong]
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(None)
    code = x11.XKeysymToKeycode(display, x11.XStringToKeysym(keysym_name))
    xtst.XTestFakeKeyEvent(display, code, 1, 0)
    xtst.XTestFakeKeyEvent(display, code, 0, 0)
    x11.XFlush(display)
    x11.XCloseDisplay(display)


def globe_key_item():
    """The keyboard's own item (named "keyboard" in its window), which the globe key's
    ``changeInputLanguage`` belongs to."""
    view = touch_keyboard.input_view()
    root = view.rootObject() if view is not None else None
    for item in root.childItems() if root is not None else ():
        if item.objectName() == "keyboard":
            return item
    raise RuntimeError("the on-screen keyboard has no item named 'keyboard'")


def main() -> None:
    campaign = load_campaign(sys.argv[1])
    lang = sys.argv[3] if len(sys.argv) > 3 else "en"
    started = time.monotonic()
    app = make_app()
    window = build_window(campaign, Path(sys.argv[2]), kiosk_mode=False)
    # Frameless and the screen's size, as at an event.
    window.setWindowFlags(Qt.WindowType.FramelessWindowHint)
    window.setGeometry(app.primaryScreen().geometry())
    window.setFixedSize(app.primaryScreen().geometry().size())
    window.show()
    keyboard = touch_keyboard.TouchKeyboard(window, campaign.campaign.french_keyboard)
    window.keyboard = keyboard
    im = QGuiApplication.inputMethod()
    j = window.journey
    v = Visitor(window)
    write = window.pages[Step.WRITE]

    def out(stage: str, **facts) -> None:
        print(json.dumps({"stage": stage, "t": round(time.monotonic() - started, 1), **facts}),
              flush=True)

    def keyboard_rect() -> list[int]:
        r = im.keyboardRectangle().toRect()
        return [r.x(), r.y(), r.width(), r.height()]

    def open_and_settled() -> bool:
        return im.isVisible() and im.keyboardRectangle().height() > 0 and window.typing

    def view() -> dict:
        editor = write.editor
        line = editor.fontMetrics().lineSpacing()
        return {
            "keyboard": keyboard_rect(),
            "editor": global_rect(editor),
            "editor_viewport": global_rect(editor.viewport()),
            "lines": editor.viewport().height() / line,
            "line": line,
            "back": global_rect(window.back_button) if window.back_button.isVisible() else None,
            "next": global_rect(window.primary) if window.primary.isVisible() else None,
            "topbar": window.topbar.isVisible(),
            "title": write.title.isVisible(),
            "help": write.help.isVisible(),
            "aids": write.aids.isVisible(),
            "ideas": write.ideas.isVisible(),
            "screen": [window.width(), window.height()],
            "step": j.step.name,
            "content_shown": window.content.isVisible(),
            # Whatever covers the page (an overlay's title): nothing should, here.
            "covers": [c.title.text() if hasattr(c, "title") else type(c).__name__
                       for c in window.children()
                       if isinstance(c, QWidget) and c is not window.content and c.isVisible()],
            "scroll": [write.editor.verticalScrollBar().value(),
                       write.editor.verticalScrollBar().maximum()],
        }

    def caret_in_screen() -> list[int]:
        caret = write.editor.cursorRect()
        r = QRect(write.editor.viewport().mapToGlobal(caret.topLeft()), caret.size())
        return [r.x(), r.y(), r.width(), r.height()]

    def to_write() -> None:
        v.language(lang)
        v.start()
        v.choose(campaign.recipients[0].id)
        v.next()
        assert j.step is Step.WRITE

    try:
        wait_for(app, lambda: window.windowHandle() is not None
                 and window.windowHandle().isExposed(), "the window never showed")
        window.activateWindow()
        wait_for(app, window.isActiveWindow, "the window never became active")

        # 1. The step lands on the letter: the keyboard opens by itself.
        to_write()
        v.starting_text(campaign.starting_texts[0].id)
        wait_for(app, open_and_settled, "the keyboard did not open by itself on Write")
        settle(app, lambda: (keyboard_rect(), global_rect(write.editor)))
        first_layout = keyboard.current_layout()
        out("opened", layout=first_layout,
            focus_is_editor=QApplication.focusWidget() is write.editor, **view())

        # 2. The largest text size.
        j.update(text_size=200)
        window.apply_theme()
        settle(app, lambda: (keyboard_rect(), global_rect(write.editor),
                             write.editor.fontMetrics().lineSpacing()))
        out("text_200", **view())
        j.update(text_size=100)
        window.apply_theme()

        # 3. Forty lines, typed as the keyboard types them: committed text, and Enter as a key
        # event sent by the application (QTest's would look like a real keyboard's).
        write.editor.setFocus()
        write.editor.clear()
        for i in range(40):
            event = QInputMethodEvent()
            event.setCommitString(f"Line {i + 1} of my letter")
            QApplication.sendEvent(write.editor, event)
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(write.editor, QKeyEvent(
                    kind, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r"))
        settle(app, lambda: (keyboard_rect(), global_rect(write.editor),
                             write.editor.cursorRect().getRect(),
                             write.editor.verticalScrollBar().value()))
        out("typed_40_lines", caret=caret_in_screen(), block_count=write.editor.blockCount(),
            **view())

        # 4. The aids, one tap away, beside the letter; the keyboard stays.
        before = global_rect(write.editor)[3]
        write.ideas.click()  # a tap (a QTest click would look like a real mouse: no matter)
        settle(app, lambda: (global_rect(write.editor), write.aids.isVisible()))
        out("ideas", keyboard_open=im.isVisible(), editor_height_before=before,
            choices_shown=all(b.isVisible() for b in write.choice_buttons.values()), **view())
        write.ideas.click()

        # 5. The keyboard closes: the step as usual.
        im.hide()
        wait_for(app, lambda: not im.isVisible() and not window.typing,
                 "the window stayed in typing mode after the keyboard closed")
        settle(app, lambda: global_rect(write.editor))
        out("closed", **view())

        # The caret at the end of the long letter, then the keyboard opens: the letter's box
        # shrinks and still shows the caret.
        write.editor.setFocus()
        write.editor.moveCursor(QTextCursor.MoveOperation.End)
        im.show()
        wait_for(app, open_and_settled, "the keyboard did not open again")
        settle(app, lambda: (keyboard_rect(), global_rect(write.editor),
                             write.editor.verticalScrollBar().value()))
        out("reopened_at_end", caret=caret_in_screen(), **view())
        im.hide()
        wait_for(app, lambda: not im.isVisible() and not window.typing, "the keyboard stayed")

        # 6. A real keyboard: one key on it hides the on-screen one.
        im.show()
        wait_for(app, open_and_settled, "the keyboard did not open again")
        text_before = write.editor.toPlainText()
        xtest_key(b"a")
        wait_for(app, lambda: write.editor.toPlainText() != text_before,
                 "the key from the real keyboard never arrived")
        out("key_arrived", hardware=keyboard.hardware_keys, open=im.isVisible())
        wait_for(app, lambda: not im.isVisible(), "the on-screen keyboard stayed over a real one")
        # It stays closed when the visitor goes on and comes back to the letter.
        v.next()
        v.back()
        settle(app, lambda: (QApplication.focusWidget() is write.editor, im.isVisible()))
        out("hardware_key", typed=write.editor.toPlainText().endswith("a"),
            reopened_by_itself=im.isVisible(), **view())

        # 7. The next visitor types by touch again, in their own language: the globe key's
        # choice of this visitor (another language's keys) does not stay.
        im.show()
        wait_for(app, open_and_settled, "the keyboard did not open for the globe key")
        QMetaObject.invokeMethod(globe_key_item(), "changeInputLanguage",
                                 Q_ARG("QVariant", False))
        wait_for(app, lambda: keyboard.current_layout() != first_layout,
                 "the globe key changed nothing")
        j.start_over()  # the session ends (as after the idle timeout): the keyboard is open
        to_write()
        wait_for(app, open_and_settled, "the keyboard did not open by itself for the next visitor")
        settle(app, lambda: (keyboard_rect(), global_rect(write.editor)))
        wait_for(app, lambda: keyboard.current_layout() == first_layout,
                 "the next visitor got the last visitor's keyboard language")
        out("next_visitor", keyboard_open=im.isVisible(), layout=keyboard.current_layout(),
            first_layout=first_layout, **view())
    except TimedOut as e:
        out("timed_out", what=str(e), **view())
    finally:
        window.services.stop()
        window.allow_close()
        window.close()
        app.processEvents()


if __name__ == "__main__":
    main()
