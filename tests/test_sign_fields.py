"""The Sign step's fields: each asks for the keys it needs, and a postal code is laid out as
it is typed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kiosk.domain.journey import Step

H = Qt.InputMethodHint


@pytest.fixture
def sign(visitor, open_window):
    window = open_window()
    j = window.journey
    v = visitor(window)
    v.start()
    v.choose(j.campaign.recipients[0].id)
    v.next()
    v.write("A letter long enough to pass the minimum length.")
    v.next()
    assert j.step is Step.SIGN
    return window.pages[Step.SIGN]


def test_each_field_asks_for_its_keyboard(sign):
    email = sign.edits["email"].inputMethodHints()
    assert email & H.ImhEmailCharactersOnly  # the layouts then show @ and .
    assert email & H.ImhNoAutoUppercase and email & H.ImhNoPredictiveText
    postal = sign.edits["postal_code"].inputMethodHints()
    assert postal & H.ImhUppercaseOnly and postal & H.ImhNoPredictiveText
    for name in ("first_name", "last_name", "city"):
        hints = sign.edits[name].inputMethodHints()
        # A capital first letter comes from the keyboard's own auto-capitals: never turned off.
        assert not hints & (H.ImhNoAutoUppercase | H.ImhLowercaseOnly | H.ImhEmailCharactersOnly)


@pytest.mark.parametrize(("keys", "shown"), [("r3c4t3", "R3C 4T3"), ("R3C 4T3", "R3C 4T3"),
                                             ("r2h0h9", "R2H 0H9"), ("90210", "90210"),
                                             ("sw1a 1aa", "SW1A 1AA"), ("r3c ", "R3C")])
def test_postal_code_is_laid_out_while_typed(qtbot, sign, keys, shown):
    field = sign.edits["postal_code"]
    field.setFocus()
    for ch in keys:
        qtbot.keyClicks(field, ch)
        # After every key the caret is at the end, after what was typed.
        assert field.cursorPosition() == len(field.text())
    assert field.text() == shown
    # What the session keeps is what the field shows, not only once the letter is made.
    assert sign.journey.session.postal_code == shown
    assert sign.journey.session.signer().postal_code == shown


def test_postal_code_caret_stays_after_the_same_character(qtbot, sign):
    field = sign.edits["postal_code"]
    field.setFocus()
    qtbot.keyClicks(field, "r3c4")
    field.setCursorPosition(3)  # after "R3C", before the space the field put in
    qtbot.keyClicks(field, "x")  # "R3CX 4": not a code; kept, the caret after the X
    assert (field.text(), field.cursorPosition()) == ("R3CX 4", 4)
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    assert (field.text(), field.cursorPosition()) == ("R3C 4", 3)
    field.setCursorPosition(len(field.text()))
    qtbot.keyClicks(field, "t3")
    field.setCursorPosition(2)  # after "R3"
    qtbot.keyClick(field, Qt.Key.Key_Backspace)  # deletes the 3: no code any more, kept as is
    assert field.text() == "RC 4T3"
    qtbot.keyClicks(field, "3")  # typed back in: laid out again
    assert field.text() == "R3C 4T3"
    assert field.cursorPosition() == 2


def test_a_pasted_postal_code_is_laid_out_too(qtbot, sign):
    field = sign.edits["postal_code"]
    field.setFocus()
    field.insert(" r3c-4t3 ")  # as a paste does
    assert field.text() == "R3C 4T3"
    assert sign.journey.session.postal_code == "R3C 4T3"
