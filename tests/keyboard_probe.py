"""Run in its own process (the keyboard must be chosen before Qt starts): open the sign step
in French, touch the first-name field, and report where the keyboard and the field are."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kiosk.ui import touch_keyboard

touch_keyboard.prepare()

from PySide6.QtCore import QRect, QTimer  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from kiosk.config import load_campaign  # noqa: E402
from kiosk.domain.journey import Step  # noqa: E402
from kiosk.ui.app import build_window, make_app  # noqa: E402


def main() -> None:
    campaign = load_campaign(sys.argv[1])
    out = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    app = make_app()
    window = build_window(campaign, Path(sys.argv[2]), kiosk_mode=False)
    window.setFixedSize(1280, 800)
    window.show()
    window.keyboard = touch_keyboard.TouchKeyboard(window, campaign.campaign.french_keyboard)
    j = window.journey
    j.set_language("fr")
    j.start()
    j.toggle_recipient("pm")
    j.next()
    j.update(body="Une lettre assez longue pour passer.")
    j.next()
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

    waited = [0]

    def when_ready() -> None:
        # Poll rather than sleep a fixed time: a slow machine gets up to 15 s for the
        # keyboard to appear and for the window to make room for it.
        im = QGuiApplication.inputMethod()
        room = window.layout().contentsMargins().bottom() > 16  # the window made room
        settled = im.isVisible() and im.keyboardRectangle().height() > 0 and room
        waited[0] += 1
        if settled or waited[0] > 150:
            measure()
        else:
            QTimer.singleShot(100, when_ready)

    QTimer.singleShot(300, touch)
    QTimer.singleShot(400, when_ready)
    app.exec()


if __name__ == "__main__":
    main()
