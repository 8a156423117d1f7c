"""A simulated visitor in the real kiosk window (offscreen): taps, typing, and the time each
step switch takes until the new step is painted.

Typing goes in as input-method commits, the way an on-screen keyboard delivers "é". Every tap is
a real button's ``click()``, so the window's own slots do the work, as for a visitor.
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


def type_text(widget, text: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


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

    j = window.journey
    lang, recipients, text_id, words, first, last, city, email = VISITORS[n % len(VISITORS)]
    assert j.step is Step.ATTRACT, j.step
    window.pages[Step.ATTRACT].lang_buttons[lang].click()
    switch(timings, "attract → recipients", window.pages[Step.ATTRACT].start.click)
    cards = window.pages[Step.RECIPIENTS].cards
    for r in recipients:
        cards[r].click()
    switch(timings, "recipients → write", window.primary.click)
    window.pages[Step.WRITE].choice_buttons[text_id].click()
    editor = window.pages[Step.WRITE].editor
    cursor = editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    type_text(editor, words)
    switch(timings, "write → sign", window.primary.click)
    sign = window.pages[Step.SIGN]
    for field, value in (("first_name", first), ("last_name", last), ("city", city),
                         ("email", email)):
        if value:
            type_text(sign.edits[field], value)
    if email and n % 3 == 0:
        sign.send_copy.box.click()
    switch(timings, "sign → review", window.primary.click)
    switch(timings, "review → sign (back)", window.back_button.click)
    switch(timings, "sign → review", window.primary.click)
    switch(timings, "review → deliver", window.primary.click)
    if deliver[0]:
        window.pages[Step.DELIVER].print_card.click()
    if deliver[1]:
        window.pages[Step.DELIVER].email_card.click()
    switch(timings, "deliver → thanks (letters kept)", window.primary.click)
    assert j.step is Step.THANKS, (j.step, j.problems())
    switch(timings, "thanks → attract", window.pages[Step.THANKS].done.click)
    assert j.step is Step.ATTRACT, j.step
    settle()
