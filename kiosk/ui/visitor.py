"""A visitor in the real kiosk window: the journey as a page object.

The one way through the visitor's journey for everything that walks it from outside the window:
the UI tests, ``render-screens`` (screenshots.py, keyboard_shots.py) and the benchmarks::

    v = Visitor(window)
    v.language("fr")
    v.start()
    v.choose("pm", "un-ohchr")
    v.next()
    v.starting_text("short")
    v.write(" Ça presse.")
    v.next()
    v.sign(first="Zoë", last="Bélanger-Côté", email="zoe@example.com", opt_in=True)
    v.draw_signature()
    v.review()
    v.next()
    v.send(print=True, email=True)
    v.done()

Everything goes through the widgets a visitor uses. A tap is a real button's ``click()`` (or
the ``tap`` given: a test taps with the mouse, ``qtbot.mouseClick``), so the window's own slots
do the work; only a control on screen can be tapped. Typing is an input-method commit, the way
an on-screen keyboard (or a compose key) delivers "é" to the field that has the focus. A step
that moves the journey on returns once the window shows the new step, and raises ``Stuck``,
with what the window says, when the journey stayed where it was.

Only the window's and the pages' public members are used. Adding a step to the journey: a
method here for what the visitor does on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QInputMethodEvent, QMouseEvent, QTextCursor
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QPlainTextEdit, QWidget

from kiosk.domain.journey import NUMBERED_STEPS, Delivery, Step
from kiosk.domain.letter import SignMode
from kiosk.ui.pages.attract import AttractPage
from kiosk.ui.pages.deliver import DeliverPage
from kiosk.ui.pages.recipients import RecipientsPage
from kiosk.ui.pages.review import ReviewPage
from kiosk.ui.pages.sign import SignPage
from kiosk.ui.pages.thanks import ThanksPage
from kiosk.ui.pages.write import BLANK, WritePage

if TYPE_CHECKING:
    from kiosk.ui.pages.base import Page
    from kiosk.ui.window import KioskWindow

P = TypeVar("P", bound="Page")
Tap = Callable[[QAbstractButton], object]

# The journey's steps in the order a visitor meets them.
ORDER = (Step.ATTRACT, *NUMBERED_STEPS, Step.THANKS)
# The Sign step's text fields, in the order they are on screen (and typed in).
SIGN_FIELDS = ("first_name", "last_name", "city", "postal_code", "email")


Stroke = Sequence[tuple[float, float]]


def sample_signature() -> list[list[tuple[float, float]]]:
    """A made-up handwritten signature: strokes of points in the drawing's frame (600 x 200,
    kiosk/domain/drawing.py; the baseline at y = 150). A tall capital, a run of loops (a
    trochoid: the pen runs back at the top of each turn) and an underline."""
    capital = [(70 + 30 * t + 18 * math.sin(math.pi * t),
                148 - 110 * math.sin(math.pi * t) ** 0.8 + 6 * t)
               for t in (i / 40 for i in range(41))]
    turns = 7
    step = 360 / (2 * math.pi * turns)
    loops = []
    for i in range(241):
        angle = 2 * math.pi * turns * i / 240
        tall = 1.9 if int(angle / (2 * math.pi)) in (1, 4) else 1.0
        loops.append((108 + step * angle + 14 * math.sin(angle),
                      146 - 17 * tall * (1 - math.cos(angle)) - 4 * math.sin(i / 40)))
    underline = [(470 - 400 * t, 166 + 10 * math.sin(math.pi * t) - 4 * t)
                 for t in (i / 40 for i in range(41))]
    return [capital, loops, underline]


def drag(widget: QWidget, points: Sequence[QPointF]) -> None:
    """A mouse drag through ``points`` (the widget's coordinates): press, moves, release."""
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    for i, point in enumerate(points):
        kind = (QEvent.Type.MouseButtonPress if i == 0 else QEvent.Type.MouseButtonRelease
                if i == len(points) - 1 else QEvent.Type.MouseMove)
        button = none if kind == QEvent.Type.MouseMove else left
        held = none if kind == QEvent.Type.MouseButtonRelease else left
        event = QMouseEvent(kind, point, widget.mapToGlobal(point), button, held,
                            Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, event)


class Stuck(Exception):
    """The visitor could not do what was asked: the step did not change, or the control to tap
    is not on screen. The message says where the journey is and what the window shows."""


def click(button: QAbstractButton) -> None:
    """A tap as the button's own ``click()``: the same signals as a finger, no mouse events."""
    button.click()


def commit(widget: QWidget, text: str, *, replacing: int = 0) -> None:
    """Type ``text`` into ``widget`` as an input method delivers it: a commit, at the caret,
    in place of the ``replacing`` characters before it."""
    event = QInputMethodEvent()
    event.setCommitString(text, -replacing, replacing)
    QApplication.sendEvent(widget, event)


class Visitor:
    """One visitor at a time in ``window``, from the attract screen to the thank-you screen."""

    def __init__(self, window: KioskWindow, tap: Tap | None = None):
        self.window = window
        self.journey = window.journey
        self._tap: Tap = tap or click

    # --- where the visitor is ------------------------------------------------------------------

    @property
    def step(self) -> Step:
        return self.journey.step

    def page(self, step: Step, kind: type[P]) -> P:
        """The page of ``step``, as the page class it is (made now if it was not yet)."""
        page = self.window.page(step)
        if not isinstance(page, kind):
            raise TypeError(f"the {step} page is a {type(page).__name__}, not a {kind.__name__}")
        return page

    def _on(self, step: Step) -> None:
        if self.journey.step is not step:
            raise Stuck(f"this needs the {step} step; the visitor is on {self._where()}")

    def _where(self) -> str:
        shown = self.window.problem.text() if self.window.problem.isVisible() else ""
        return f"{self.journey.step}" + (f" ({shown})" if shown else "")

    # --- the visitor's hands -------------------------------------------------------------------

    def tap(self, button: QAbstractButton) -> None:
        """Tap a control on screen (a card, a check box, any button)."""
        if not button.isVisible():
            name = button.accessibleName() or button.text() or type(button).__name__
            raise Stuck(f"{name!r} is not on screen (on {self._where()})")
        self._tap(button)

    def _tap_to(self, button: QAbstractButton, step: Step) -> None:
        """Tap ``button``, which must take the visitor to ``step``."""
        before = self.journey.step
        self.tap(button)
        if self.journey.step is not step:
            raise Stuck(f"from {before}, expected {step}; the visitor is on {self._where()}")

    def type_into(self, field: QLineEdit | QPlainTextEdit, text: str) -> None:
        """Put the caret at the end of ``field`` (focusing it, as a tap on it does) and type
        ``text`` there. A line field's text is replaced, as a visitor retyping it."""
        field.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(field, QLineEdit):
            field.end(False)
            commit(field, text, replacing=len(field.text()))
        else:
            field.moveCursor(QTextCursor.MoveOperation.End)
            commit(field, text)

    # --- the steps -----------------------------------------------------------------------------

    def language(self, code: str) -> None:
        """Speak ``code``: its button on the attract screen, or the top bar's language button
        (it goes round the languages) on the other steps."""
        if self.journey.language == code:
            return
        if self.journey.step is Step.ATTRACT:
            self.tap(self.page(Step.ATTRACT, AttractPage).lang_buttons[code])
        else:
            for _ in self.journey.campaign.languages:
                self.tap(self.window.lang_button)
                if self.journey.language == code:
                    break
        if self.journey.language != code:
            raise Stuck(f"the kiosk did not switch to {code}; it speaks {self.journey.language}")

    def start(self) -> None:
        """Tap Start on the attract screen: step 1, the recipients."""
        self._on(Step.ATTRACT)
        self._tap_to(self.page(Step.ATTRACT, AttractPage).start, Step.RECIPIENTS)

    def choose(self, *recipient_ids: str) -> None:
        """Tick these recipients' cards (those not ticked yet)."""
        self._on(Step.RECIPIENTS)
        cards = self.page(Step.RECIPIENTS, RecipientsPage).cards
        for rid in recipient_ids:
            if not cards[rid].isChecked():
                self.tap(cards[rid])

    def next(self) -> None:
        """Tap the main button (Next) and arrive at the next step (on the Deliver step the
        main button is Send: ``send``)."""
        here = self.journey.step
        if here not in NUMBERED_STEPS[:-1]:
            raise Stuck(f"there is no Next on {here}")
        self._tap_to(self.window.primary, ORDER[ORDER.index(here) + 1])

    def back(self) -> None:
        """Tap Back and arrive at the step before (from step 1, the attract screen)."""
        here = self.journey.step
        if here not in NUMBERED_STEPS:
            raise Stuck(f"there is no Back on {here}")
        self._tap_to(self.window.back_button, ORDER[ORDER.index(here) - 1])

    def starting_text(self, text_id: str) -> None:
        """Tap a starting letter (or ``BLANK``) on the Write step. Over words the visitor typed
        the window asks first: ``answer(True)`` replaces them."""
        self._on(Step.WRITE)
        self.tap(self.page(Step.WRITE, WritePage).choice_buttons[text_id])

    def blank_page(self) -> None:
        """Tap "blank page" on the Write step."""
        self.starting_text(BLANK)

    def write(self, text: str) -> None:
        """Type ``text`` at the end of the letter."""
        self._on(Step.WRITE)
        self.type_into(self.page(Step.WRITE, WritePage).editor, text)

    def sign(self, *, mode: SignMode | str | None = None, first: str | None = None,
             last: str | None = None, city: str | None = None, postal_code: str | None = None,
             email: str | None = None, send_copy: bool | None = None,
             opt_in: bool | None = None) -> None:
        """On the Sign step: choose how to sign, type each field given (in the order they are
        on screen), then tick or untick the copy and the consent boxes when given (they show
        once there is an email address)."""
        self._on(Step.SIGN)
        page = self.page(Step.SIGN, SignPage)
        if mode is not None:
            button = page.mode_buttons[SignMode(mode)]
            if not button.isChecked():
                self.tap(button)
        given = {"first_name": first, "last_name": last, "city": city,
                 "postal_code": postal_code, "email": email}
        for field in SIGN_FIELDS:
            value = given[field]
            if value is not None:
                self.type_into(page.edits[field], value)
        for box, wanted in ((page.send_copy, send_copy), (page.opt_in, opt_in)):
            if wanted is not None and box.isChecked() != wanted:
                self.tap(box.box)

    def draw_signature(self, strokes: Sequence[Stroke] | None = None) -> None:
        """On the Sign step: tap "Draw my signature too" (unless the pad is open) and draw
        ``strokes`` on the pad with the mouse, each a list of points in the drawing's frame
        (600 x 200); ``sample_signature()`` if none are given."""
        self._on(Step.SIGN)
        page = self.page(Step.SIGN, SignPage)
        if not page.draw_toggle.isChecked():
            self.tap(page.draw_toggle.box)
        canvas = page.pad.canvas
        if not canvas.isVisible():
            raise Stuck(f"the signing pad is not on screen (on {self._where()})")
        for stroke in strokes if strokes is not None else sample_signature():
            drag(canvas, [canvas.from_frame(QPointF(x, y)) for x, y in stroke])

    def review(self) -> None:
        """From the Sign step, Next: the letters as they will be printed and emailed."""
        self._on(Step.SIGN)
        self._tap_to(self.window.primary, Step.REVIEW)

    def letters_shown(self) -> list[str]:
        """The letters on the Review step, as text (a screen reader reads them so)."""
        self._on(Step.REVIEW)
        return [view.plain_text() for view in self.page(Step.REVIEW, ReviewPage).previews]

    def offered(self) -> Delivery:
        """The ways the Deliver step offers: its Print and Email cards on screen."""
        self._on(Step.DELIVER)
        page = self.page(Step.DELIVER, DeliverPage)
        return Delivery(print=page.print_card.isVisible(), email=page.email_card.isVisible(),
                        full_letter=page.office_card.isVisible())

    def choose_delivery(self, *, print: bool | None = None, email: bool | None = None,
                        full_letter: bool | None = None) -> None:
        """On the Deliver step, tick (or untick) Print, Print a full letter and Email."""
        self._on(Step.DELIVER)
        page = self.page(Step.DELIVER, DeliverPage)
        for card, wanted in ((page.print_card, print), (page.email_card, email),
                             (page.office_card, full_letter)):
            if wanted is not None and card.isChecked() != wanted:
                if not card.isVisible():
                    raise Stuck(f"the Deliver step offers no {card.accessibleName()!r} card")
                self.tap(card)

    def send(self, *, print: bool | None = None, email: bool | None = None,
             full_letter: bool | None = None) -> None:
        """On the Deliver step: choose Print, a full letter and Email when given, then tap Send
        and arrive at the thank-you screen (the letters are kept)."""
        self.choose_delivery(print=print, email=email, full_letter=full_letter)
        self._tap_to(self.window.primary, Step.THANKS)

    def done(self) -> None:
        """Tap Done on the thank-you screen: back to the attract screen, for the next visitor."""
        self._on(Step.THANKS)
        self._tap_to(self.page(Step.THANKS, ThanksPage).done, Step.ATTRACT)

    def ask_start_over(self) -> None:
        """Tap Start over in the top bar: the window asks first (``answer``)."""
        self.tap(self.window.start_over_button)
        if not self.window.confirm.isVisible():
            raise Stuck(f"Start over asked nothing (on {self._where()})")

    def answer(self, yes: bool) -> None:
        """Answer the question the window asks (start over? replace the letter?)."""
        confirm = self.window.confirm
        self.tap(confirm.yes if yes else confirm.no)

    def start_over(self) -> None:
        """Start over, and say yes: back to the attract screen with nothing kept."""
        self.ask_start_over()
        self.answer(True)
        if self.journey.step is not Step.ATTRACT:
            raise Stuck(f"starting over left the visitor on {self._where()}")
