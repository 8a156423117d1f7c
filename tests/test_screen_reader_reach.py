"""What a screen reader can reach: every piece of text, and only what is in front.

Checked through Qt's accessibility interfaces, which are what the AT-SPI bridge hands to Orca.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAccessible, QAccessibleActionInterface
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.domain.journey import Step
from kiosk.domain.letter import SignMode


@pytest.fixture
def window(open_window):
    return open_window()


@pytest.fixture
def v(visitor, window):
    return visitor(window)


def _iface(w: QWidget):
    iface = QAccessible.queryAccessibleInterface(w)
    assert iface is not None
    return iface


def _reachable(window, cls=QWidget) -> list[QWidget]:
    """What assistive technology sees as showing: visible on screen, in the window."""
    return [w for w in window.findChildren(cls) if w.isVisible()]


def _to_step(v, step: Step) -> None:
    """Walk ``v`` to ``step``: the first recipient and starting text, signed anonymously."""
    v.start()
    v.choose("pm")
    for _ in range(len(Step)):
        if v.step is step:
            return
        if v.step is Step.WRITE:
            v.starting_text(next(iter(v.window.pages[Step.WRITE].choice_buttons)))
        if v.step is Step.SIGN:
            v.sign(mode=SignMode.ANONYMOUS)
        v.next()
    raise AssertionError(f"stuck at {v.step}")


def test_every_talking_point_is_read_in_full(v, window, campaign):
    _to_step(v, Step.WRITE)
    for lang in campaign.languages:
        window.journey.set_language(lang)
        names = [_iface(p).text(QAccessible.Text.Name) for p in window.pages[Step.WRITE].points
                 if p.isVisible()]
        assert names == list(campaign.talking_points.get(lang))


def test_the_review_letter_is_text_a_reader_can_walk_line_by_line(v, window):
    _to_step(v, Step.REVIEW)
    view = window.pages[Step.REVIEW].previews[0]
    iface = _iface(view)
    assert iface.text(QAccessible.Text.Name) == "Letter to: Prime Minister of Canada"
    text = iface.textInterface()
    assert text is not None, "the letter has no Text interface"
    whole = text.text(0, text.characterCount())
    assert whole == view.plain_text() and "Dear Prime Minister" in whole
    assert iface.state().readOnly
    # Lines as printed, so "next line" in a screen reader walks the receipt's lines.
    assert whole.split("\n") == [ln.text for ln in view.lines if ln.style not in ("qr", "cut")]


def test_exclusive_choices_are_radio_buttons(v, window):
    _to_step(v, Step.SIGN)
    modes = window.pages[Step.SIGN].mode_buttons.values()
    assert {_iface(b).role() for b in modes} == {QAccessible.Role.RadioButton}
    starts = window.pages[Step.WRITE].choice_buttons.values()
    assert {_iface(b).role() for b in starts} == {QAccessible.Role.RadioButton}
    cards = window.pages[Step.RECIPIENTS].cards.values()  # several may be chosen
    assert {_iface(c).role() for c in cards} == {QAccessible.Role.CheckBox}


def test_a_question_hides_the_page_behind_it_until_answered(qtbot, v, window):
    _to_step(v, Step.WRITE)
    before = {w for w in _reachable(window) if not window.confirm.isAncestorOf(w)}
    assert window.primary in before and window.back_button in before
    v.ask_start_over()
    assert window.confirm.isVisible()
    showing = [w for w in _reachable(window) if w is not window.confirm
               and not window.confirm.isAncestorOf(w)]
    assert showing == [], f"behind the question: {[type(w).__name__ for w in showing]}"
    v.answer(False)
    qtbot.waitUntil(lambda: window.primary.isVisible())
    assert window.journey.step is Step.WRITE
    # Back on the control that asked, as after any dialog.
    assert QApplication.focusWidget() is window.start_over_button


def test_the_pin_pad_leaves_nothing_pressable_behind_it(qtbot, window):
    window.staff.open_pad()
    pad = window.staff.pad
    assert pad.isVisible()
    assert not window.pages[Step.ATTRACT].start.isVisible()
    # Pressing Start through its accessible action while the pad is open does nothing.
    _iface(window.pages[Step.ATTRACT].start).actionInterface().doAction(
        QAccessibleActionInterface.pressAction())
    assert window.journey.step is Step.ATTRACT
    pad.close_pad()
    qtbot.waitUntil(lambda: window.pages[Step.ATTRACT].start.isVisible())
