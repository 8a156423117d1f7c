"""The whole journey with the keyboard alone: Tab, Shift+Tab, Space and Enter (the visitor's
words typed into the field Tab reached, as a keyboard's input method delivers them)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk.domain.journey import Step


@pytest.fixture
def window(open_window):
    return open_window(kiosk_mode=True)


def focused():
    return QApplication.focusWidget()


def key(qtbot, k, mods=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(focused(), k, mods)


def tab_to(qtbot, target, limit=40):
    """Press Tab until ``target`` has focus; fail if it never does (a focus trap or a gap)."""
    for _ in range(limit):
        if focused() is target:
            return
        key(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target.accessibleName()!r}")


def test_whole_journey_by_keyboard(qtbot, visitor, window, campaign):
    j = window.journey
    v = visitor(window)
    assert focused() is window.pages[Step.ATTRACT].start
    key(qtbot, Qt.Key.Key_Space)
    assert j.step is Step.RECIPIENTS

    cards = window.pages[Step.RECIPIENTS].cards
    assert focused() is cards["pm"]
    key(qtbot, Qt.Key.Key_Space)
    tab_to(qtbot, cards["un-ohchr"])
    key(qtbot, Qt.Key.Key_Space)
    assert j.session.recipient_ids == ["pm", "un-ohchr"]
    tab_to(qtbot, window.primary)
    key(qtbot, Qt.Key.Key_Return)
    assert j.step is Step.WRITE

    editor = window.pages[Step.WRITE].editor
    assert focused() is editor
    v.write("Please give these men a safe way out, now and for good.")
    tab_to(qtbot, window.primary)  # Tab leaves the editor; a letter needs no tab characters
    key(qtbot, Qt.Key.Key_Return)
    assert j.step is Step.SIGN

    sign = window.pages[Step.SIGN]
    tab_to(qtbot, sign.mode_buttons[next(iter(sign.mode_buttons))])
    tab_to(qtbot, sign.edits["first_name"])
    v.sign(first="Ana")
    key(qtbot, Qt.Key.Key_Tab)
    assert focused() is sign.edits["last_name"], "first name → last name in reading order"
    v.sign(last="Lopes")
    tab_to(qtbot, window.primary)
    key(qtbot, Qt.Key.Key_Return)
    assert j.step is Step.REVIEW

    tab_to(qtbot, window.primary)
    key(qtbot, Qt.Key.Key_Return)
    assert j.step is Step.DELIVER
    tab_to(qtbot, window.pages[Step.DELIVER].print_card)
    key(qtbot, Qt.Key.Key_Space)
    assert window.pages[Step.DELIVER].print_card.isChecked()
    tab_to(qtbot, window.primary)
    key(qtbot, Qt.Key.Key_Return)
    assert j.step is Step.THANKS
    assert len(window.services.store.letters()) == 2

    assert focused() is window.pages[Step.THANKS].done
    key(qtbot, Qt.Key.Key_Return)
    assert j.step is Step.ATTRACT


def test_shift_tab_goes_back_through_the_controls(qtbot, window):
    key(qtbot, Qt.Key.Key_Return)
    start = focused()
    key(qtbot, Qt.Key.Key_Tab)
    key(qtbot, Qt.Key.Key_Tab)
    key(qtbot, Qt.Key.Key_Backtab)
    key(qtbot, Qt.Key.Key_Backtab)
    assert focused() is start


def test_back_by_keyboard(qtbot, window):
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Space)  # choose the first recipient
    tab_to(qtbot, window.primary)
    key(qtbot, Qt.Key.Key_Return)
    assert window.journey.step is Step.WRITE
    key(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.journey.step is Step.RECIPIENTS
