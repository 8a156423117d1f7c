"""Scroll areas keep the same accessible children whatever happens on screen.

Qt's accessible scroll area hands out child ``i`` without checking ``i`` against its list
(QAccessibleAbstractScrollArea::child, seen in Qt 6.10 and 6.11), and its children are the
viewport plus each *visible* scroll bar. A screen reader that counted the children, then asked
for the last one after a scroll bar had hidden, made Qt read past the list: the kiosk died with
SIGSEGV in QAccessibleCache::idForObject about one journey in eight under an AT-SPI reader. The
kiosk's answer is scroll bars that never come and go; this test holds it to that on every step,
with the page hidden behind the next step, at every text size and with the keyboard taking room.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QScrollArea

from kiosk.domain.journey import TEXT_SIZES, Step
from kiosk.domain.letter import SignMode
from kiosk.ui.widgets import ScrollFrame


@pytest.fixture
def window(open_window):
    return open_window()


def _counts(window) -> dict[int, tuple[str, int]]:
    out = {}
    for area in window.findChildren(QScrollArea):
        iface = QAccessible.queryAccessibleInterface(area)
        out[id(area)] = (f"{type(area).__name__} in {type(area.parent()).__name__}",
                         iface.childCount())
    return out


def test_no_scroll_area_changes_its_child_count(tap, visitor, window):
    # Pages and staff screens are made when first needed: each scroll area is held to the
    # count it had when it first appeared, and must be in its frame from then on.
    first: dict[int, tuple[str, int]] = {}
    seen = []

    def check(moment: str) -> None:
        bare = [type(a.parent()).__name__ for a in window.findChildren(QScrollArea)
                if not isinstance(a.parent(), ScrollFrame)]
        assert bare == [], f"after {moment}: scroll areas outside a ScrollFrame"
        now = _counts(window)
        changed = [f"{first[k][0]}: {first[k][1]} -> {now[k][1]}"
                   for k in first if k in now and now[k][1] != first[k][1]]
        for k, v in now.items():
            first.setdefault(k, v)
        seen.append(moment)
        assert changed == [], f"after {moment}: {changed}"

    v = visitor(window)
    check("start-up")
    v.start()
    check("start")
    v.choose("pm")
    v.next()
    check("write")
    v.starting_text(next(iter(window.pages[Step.WRITE].choice_buttons)))
    v.write("\n".join(f"line {i}" for i in range(60)))  # grows long
    check("a long letter")
    window.set_keyboard_room(360)  # the on-screen keyboard opens
    check("keyboard open")
    window.set_keyboard_room(0)
    for size in TEXT_SIZES[1:]:
        tap(window.size_button)
        check(f"text size {size}")
    v.next()
    check("sign")
    v.sign(mode=SignMode.ANONYMOUS)
    v.review()
    check("review")
    v.next()
    check("deliver")
    window.staff.open_pad()
    check("PIN pad")
    window.staff.pad.close_pad()
    window.staff.panel.open_panel()
    check("staff panel")
    window.staff.panel.close_panel()
    check("staff panel closed")
    assert len(seen) == 13
    assert len(first) >= 10  # every page's, the talking points', review's, staff screens'
