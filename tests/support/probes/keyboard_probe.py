"""Run in its own process (the keyboard must be chosen before Qt starts): open the sign step
in French, touch the first-name field, and report where the keyboard and the field are."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from kiosk.ui import touch_keyboard

touch_keyboard.prepare()

from PySide6.QtCore import QRect, QTimer  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from kiosk.config import load_campaign  # noqa: E402
from kiosk.domain.journey import Step  # noqa: E402
from kiosk.ui.app import build_window, make_app  # noqa: E402
from kiosk.ui.visitor import Visitor  # noqa: E402

DEADLINE = 180.0  # seconds: generous, for a loaded machine


def main() -> None:
    campaign = load_campaign(sys.argv[1])
    out = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    app = make_app()
    window = build_window(campaign, Path(sys.argv[2]), kiosk_mode=False)
    window.setFixedSize(1280, 800)
    window.show()
    window.keyboard = touch_keyboard.TouchKeyboard(window, campaign.campaign.french_keyboard)
    v = Visitor(window)
    v.language("fr")
    v.start()
    v.choose("pm")
    v.next()
    v.write("Une lettre assez longue pour passer.")
    v.next()
    sign = window.pages[Step.SIGN]
    field = sign.edits["email"]
    report: dict = {}

    def touch() -> None:
        window.activateWindow()
        field.setFocus()
        QGuiApplication.inputMethod().show()

    def measure() -> None:
        app.processEvents()  # the scroll that brings the field into view
        im = QGuiApplication.inputMethod()
        kb = im.keyboardRectangle().toRect()
        top_left = field.mapToGlobal(field.rect().topLeft())
        f = QRect(top_left, field.size())
        report.update(visible=im.isVisible(), keyboard=[kb.x(), kb.y(), kb.width(), kb.height()],
                      field=[f.x(), f.y(), f.width(), f.height()], layout=im.locale().name(),
                      overlap=kb.intersects(f))
        if out is not None:
            app.primaryScreen().grabWindow(0).save(str(out))
        print(json.dumps(report), flush=True)
        window.services.stop()
        app.quit()

    deadline = time.monotonic() + DEADLINE
    touched = [False]

    def poll() -> None:
        # Conditions, not delays: touch the field once the window is on screen,
        # then measure once the keyboard is up and the window has made room for it. A busy
        # machine only takes longer; after DEADLINE the report says what was reached.
        if not touched[0]:
            handle = window.windowHandle()
            if handle is not None and handle.isExposed():
                touch()
                touched[0] = True
        else:
            im = QGuiApplication.inputMethod()
            room = window.layout().contentsMargins().bottom() > 16  # the window made room
            if im.isVisible() and im.keyboardRectangle().height() > 0 and room:
                measure()
                return
        if time.monotonic() > deadline:
            report["timed_out"] = "keyboard never settled" if touched[0] else "window never shown"
            measure()
            return
        QTimer.singleShot(50, poll)

    QTimer.singleShot(0, poll)
    app.exec()


if __name__ == "__main__":
    main()
