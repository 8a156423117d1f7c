"""Simulated visitors in the real kiosk window (offscreen), and the time each step switch takes
until the new step is painted.

The visitor is ``kiosk.ui.visitor.Visitor``, as in the UI tests and ``render-screens``: every
tap is a real button's ``click()``, so the window's own slots do the work, and typing goes in
as input-method commits, the way an on-screen keyboard delivers "é".
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

VISITORS = [
    # lang, recipients, starting text, own words, first, last, city, email
    ("en", ("pm", "un-ohchr"), "asylum", " I am writing from Winnipeg.", "Jordan", "Lee",
     "Winnipeg", "jordan@example.com"),
    ("fr", ("pm",), "short", " J’écris de Saint-Boniface. Ça presse : œuvrez-y.", "Zoë",
     "Bélanger-Côté", "Saint-Boniface", "zoe@example.com"),
    ("en", ("ircc", "foreign-affairs"), "accountability", " Please act now.", "Sam", "Okafor",
     "Brandon", ""),
    ("fr", ("un-ohchr",), "asylum", " Merci de les protéger.", "Éloïse", "Tremblay",
     "Winnipeg", "eloise@example.com"),
]


def build(campaign, data_dir: Path, *, start_services: bool = True):
    """The kiosk window as ``run_kiosk --windowed`` makes it, at 1280×800, offscreen."""
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.app import build_window, make_app

    app = make_app()
    window = build_window(campaign, data_dir, kiosk_mode=False)
    window.setFixedSize(1280, 800)
    window.show()
    if start_services:
        window.services.start()
    for _ in range(5):
        QApplication.processEvents()
    return app, window


def close(window) -> None:
    from PySide6.QtWidgets import QApplication

    window.services.stop()
    window.allow_close()
    window.close()
    window.deleteLater()
    QApplication.processEvents()


class Timings:
    """Milliseconds per kind of step switch, from the tap to the new step painted."""

    def __init__(self) -> None:
        self.by_kind: dict[str, list[float]] = defaultdict(list)
        self.enabled = True

    def all(self) -> list[float]:
        return [v for values in self.by_kind.values() for v in values]


def settle() -> None:
    """What one turn of the running event loop does: deferred deletes, layouts, the paint.

    Outside ``exec()``, ``processEvents()`` never runs ``deleteLater()`` (Qt deletes an object
    only from the loop it was scheduled in), so without the first line a page's discarded
    widgets would pile up here as they never do in the kiosk."""
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def switch(timings: Timings | None, kind: str, action: Callable[[], object]) -> None:
    """Do ``action`` (a tap that changes the step) and let Qt lay out and paint the result."""
    t0 = time.perf_counter()
    action()
    settle()
    if timings is not None and timings.enabled:
        timings.by_kind[kind].append((time.perf_counter() - t0) * 1000)


def one_session(window, n: int, timings: Timings | None = None, *, deliver=(True, True)) -> None:
    """One visitor from the attract screen to the thank-you screen and back, as visitor ``n``."""
    from kiosk.domain.journey import Step
    from kiosk.ui.visitor import Visitor

    v = Visitor(window)
    lang, recipients, text_id, words, first, last, city, email = VISITORS[n % len(VISITORS)]
    assert v.step is Step.ATTRACT, v.step
    v.language(lang)
    switch(timings, "attract → recipients", v.start)
    v.choose(*recipients)
    switch(timings, "recipients → write", v.next)
    v.starting_text(text_id)
    v.write(words)
    switch(timings, "write → sign", v.next)
    v.sign(first=first, last=last, city=city, email=email or None,
           send_copy=True if email and n % 3 == 0 else None)
    switch(timings, "sign → review", v.review)
    switch(timings, "review → sign (back)", v.back)
    switch(timings, "sign → review", v.review)
    switch(timings, "review → deliver", v.next)
    v.choose_delivery(print=deliver[0] or None, email=deliver[1] or None)
    switch(timings, "deliver → thanks (letters kept)", v.send)
    assert v.step is Step.THANKS, v.step
    switch(timings, "thanks → attract", v.done)
    assert v.step is Step.ATTRACT, v.step
    settle()
