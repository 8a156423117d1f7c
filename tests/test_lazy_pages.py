"""Pages the window does not know: each step's page comes from one table (kiosk/ui/pages/) and
is made the first time it is needed, looking as if it had been there from the start."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk.domain.journey import NUMBERED_STEPS, Step
from kiosk.i18n import tr
from kiosk.ui.pages import PAGES
from kiosk.ui.staff.panel import StaffPanel
from kiosk.ui.staff.pin_pad import PinPad
from tests.support.kiosk_window import printer_out_of_paper, to_deliver


def _made(window) -> set[Step]:
    return {page.step for page in window.pages.made()}


def test_every_step_has_its_page(open_window):
    window = open_window()
    assert set(PAGES) == set(Step)
    for step in Step:
        assert window.page(step).step is step
    assert _made(window) == set(Step)


def test_only_the_attract_screen_is_made_at_start(open_window):
    window = open_window()
    assert _made(window) == {Step.ATTRACT}
    staff = window.staff
    # Made when staff first need them: until then the window has no such child.
    assert window.findChildren(PinPad) == [] and window.findChildren(StaffPanel) == []
    staff.open_pad()
    assert window.findChildren(PinPad) == [staff.pad] and staff.pad.isVisible()
    assert window.findChildren(StaffPanel) == []


def test_pages_are_made_in_idle_time(qtbot, open_window):
    window = open_window()
    window.pages.make_all_when_idle()
    qtbot.waitUntil(lambda: _made(window) == set(Step), timeout=30_000)
    assert window.journey.step is Step.ATTRACT
    assert window.pages.currentWidget() is window.pages.scroller(Step.ATTRACT)


def test_a_page_made_late_speaks_the_visitors_language_at_their_text_size(tap, visitor,
                                                                          open_window):
    window = open_window()
    v = visitor(window)
    attract = window.page(Step.ATTRACT)
    v.language("fr")
    tap(attract.size_button)
    tap(attract.size_button)  # 200 %
    v.start()
    recipients = window.page(Step.RECIPIENTS)
    assert recipients.title.text() == tr("recipients.title", "fr")
    assert recipients.title.font().pixelSize() == 80  # 40 px at 1280×800, twice
    assert window.primary.text() == tr("common.next", "fr")


def test_a_page_made_while_typing_makes_room_for_the_keyboard(visitor, open_window):
    window = open_window()
    v = visitor(window)
    v.start()
    v.choose("pm")
    window.set_keyboard_room(300)  # the on-screen keyboard is open as the step changes
    v.next()
    write = window.page(Step.WRITE)
    assert write.typing_bar.isVisible() and not write.help.isVisible()
    window.set_keyboard_room(0)
    assert not write.typing_bar.isVisible() and write.help.isVisible()


def test_a_page_made_late_knows_the_printers_news(visitor, open_window):
    window = open_window()
    window.services.printer_changed.emit(printer_out_of_paper())
    to_deliver(visitor(window), "pm")  # the deliver page is made after the news came
    note = window.page(Step.DELIVER).printer_note
    assert note.isVisible() and "will print when the printer is ready" in note.text()


def test_tab_goes_from_the_page_to_back_next_and_the_top_bar(qtbot, visitor, open_window):
    """Each page is made after the bottom bar; in the Tab order it still comes before it."""
    window = open_window(kiosk_mode=True)
    qtbot.waitUntil(window.isActiveWindow)
    j = window.journey
    v = visitor(window)
    v.start()
    v.choose("pm")
    for step in NUMBERED_STEPS:
        assert j.step is step
        page = window.page(step)
        if step is Step.WRITE:
            v.write("Please give these men a safe way out, now and for good.")
        elif step is Step.SIGN:
            v.sign(first="Ana", last="Lopes")
        elif step is Step.DELIVER:
            v.choose_delivery(print=True)
        first = page.first_focus()
        first.setFocus(Qt.FocusReason.OtherFocusReason)
        for _ in range(30):  # Tab through the page's own controls
            focus = QApplication.focusWidget()
            if not page.isAncestorOf(focus):
                break
            qtbot.keyClick(focus, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is window.back_button, step
        qtbot.keyClick(window.back_button, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is window.primary, step
        qtbot.keyClick(window.primary, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is window.size_button, step
        if step is not Step.DELIVER:
            v.next()


def test_leaving_the_thanks_page_stops_its_countdown(visitor, open_window):
    window = open_window()
    v = visitor(window)
    to_deliver(v, "pm")
    v.send(print=True)
    thanks = window.page(Step.THANKS)
    assert thanks.timer.isActive()
    v.done()
    assert window.journey.step is Step.ATTRACT and not thanks.timer.isActive()
