"""Run in its own process under an X server: the kiosk as ``run_kiosk`` starts it at an event
(kiosk mode, no window manager), driven from inside to the Write step. Prints a JSON line with
whether the on-screen keyboard opened by itself, then hides it and quits as staff do; the
process's exit code is the kiosk's.

    python tests/support/probes/kiosk_start_probe.py CAMPAIGN DATA_DIR [--windowed]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication

from kiosk.config import load_campaign
from kiosk.ui import app as kiosk_app
from kiosk.ui.visitor import Visitor

DEADLINE = 180.0  # seconds: generous, for a loaded machine


def main() -> int:
    campaign = load_campaign(sys.argv[1])
    build = kiosk_app.build_window
    report: dict = {}

    def drive(window) -> None:
        im = QGuiApplication.inputMethod()
        deadline = time.monotonic() + DEADLINE
        state = {"stage": "start"}

        def poll() -> None:
            if state["stage"] == "start" and window.isActiveWindow():
                v = Visitor(window)
                v.start()
                v.choose(campaign.recipients[0].id)
                v.next()
                state["stage"] = "write"
            elif state["stage"] == "write" and im.isVisible():
                report["opened_by_itself"] = True
                im.hide()
                state["stage"] = "hidden"
            elif state["stage"] == "hidden" and not im.isVisible():
                print(json.dumps(report), flush=True)
                window.quit()
                return
            if time.monotonic() > deadline:
                report["timed_out"] = state["stage"]
                print(json.dumps(report), flush=True)
                window.quit()
                return
            QTimer.singleShot(20, poll)

        QTimer.singleShot(0, poll)

    def build_and_drive(*args, **kwargs):
        window = build(*args, **kwargs)
        drive(window)
        return window

    kiosk_app.build_window = build_and_drive
    return kiosk_app.run_kiosk(campaign, Path(sys.argv[2]), windowed="--windowed" in sys.argv)


if __name__ == "__main__":
    sys.exit(main())
