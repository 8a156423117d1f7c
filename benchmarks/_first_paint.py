"""Child process for the start-up benchmarks: start, then say "painted" at the first frame.

    python benchmarks/_first_paint.py bare
    python benchmarks/_first_paint.py kiosk CAMPAIGN DATA_DIR

``bare`` is the baseline: a QApplication and an empty 1280×800 QWidget. ``kiosk`` starts the real
kiosk the way ``python main.py --windowed`` does (``kiosk.cli.main``: logging, campaign file,
single-instance lock, ``run_kiosk`` with its workers), watched from when its window is made.
Either way the parent times from spawning this process to reading the line, so both include the
interpreter and PySide6 start-up.

The first paint is the first Paint event a window receives; a zero-delay timer started then fires
once Qt has finished drawing that whole frame, and that is when "painted" is written.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _watch_first_paint() -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    class FirstPaint(QObject):
        seen = False

        def eventFilter(self, obj, event):
            if (not self.seen and event.type() == QEvent.Type.Paint and obj.isWidgetType()
                    and obj.window().isVisible()):
                self.seen = True
                QTimer.singleShot(0, done)
            return False

    def done() -> None:
        sys.stdout.write("painted\n")
        sys.stdout.flush()
        os._exit(0)  # start-up is what is measured; tear-down is not

    app = QApplication.instance()
    watcher = FirstPaint(app)
    app.installEventFilter(watcher)


def bare() -> None:
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication([sys.argv[0]])
    _watch_first_paint()
    w = QWidget()
    w.resize(1280, 800)
    w.show()
    app.exec()


def kiosk(config: str, data_dir: str) -> None:
    # The watcher goes in once the kiosk has made its window, before it is shown: Qt is
    # imported when the kiosk imports it (after the campaign is loaded), and the window is made
    # with no Python filter on every event, as in a real start. Installed before either, the
    # watcher cost the kiosk 30-40 ms that a real start does not pay: PySide6's import hook
    # reads the source of every module imported after it, and a Python filter on the whole
    # application is called for each of the thousands of events of making the window.
    from kiosk.ui import app

    build_window = app.build_window

    def build_and_watch(*args, **kwargs):
        window = build_window(*args, **kwargs)
        _watch_first_paint()
        return window

    app.build_window = build_and_watch
    from kiosk.cli import main

    main(["run", "--windowed", "--config", config, "--data-dir", data_dir])


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        bare()
    else:
        kiosk(sys.argv[2], sys.argv[3])
