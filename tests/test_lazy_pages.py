"""Pages the window does not know: each step's page comes from one table (kiosk/ui/pages/) and
is made the first time it is needed, looking as if it had been there from the start."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk.domain.journey import NUMBERED_STEPS, Step
from kiosk.i18n import tr
from kiosk.ui.pages import PAGES
from tests.test_journey_ui import _printer_out_of_paper, _to_deliver
from tests.ui_driver import click, type_text


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
    assert staff._pad is None and staff._panel is None  # made when staff first need them
    staff.open_pad()
    assert staff._pad is not None and staff.pad.isVisible() and staff._panel is None


def test_pages_are_made_in_idle_time(qtbot, open_window):
    window = open_window()
    window.pages.make_all_when_idle()
    qtbot.waitUntil(lambda: _made(window) == set(Step), timeout=30_000)
    assert window.journey.step is Step.ATTRACT
    assert window.pages.currentWidget() is window.pages.scroller(Step.ATTRACT)


def test_a_page_made_late_speaks_the_visitors_language_at_their_text_size(qtbot, open_window):
    window = open_window()
    attract = window.page(Step.ATTRACT)
    click(qtbot, attract.lang_buttons["fr"])
    click(qtbot, attract.size_button)
    click(qtbot, attract.size_button)  # 200 %
    click(qtbot, attract.start)
    recipients = window.page(Step.RECIPIENTS)
    assert recipients.title.text() == tr("recipients.title", "fr")
    assert recipients.title.font().pixelSize() == 80  # 40 px at 1280×800, twice
    assert window.primary.text() == tr("common.next", "fr")


def test_a_page_made_while_typing_makes_room_for_the_keyboard(qtbot, open_window):
    window = open_window()
    click(qtbot, window.page(Step.ATTRACT).start)
    click(qtbot, window.page(Step.RECIPIENTS).cards["pm"])
    window.set_keyboard_room(300)  # the on-screen keyboard is open as the step changes
    click(qtbot, window.primary)
    write = window.page(Step.WRITE)
    assert write.typing_bar.isVisible() and not write.help.isVisible()
    window.set_keyboard_room(0)
    assert not write.typing_bar.isVisible() and write.help.isVisible()


def test_a_page_made_late_knows_the_printers_news(qtbot, open_window):
    window = open_window()
    window.services.printer_changed.emit(_printer_out_of_paper())
    _to_deliver(qtbot, window, "pm")  # the deliver page is made after the news came
    note = window.page(Step.DELIVER).printer_note
    assert note.isVisible() and "will print when the printer is ready" in note.text()


def test_tab_goes_from_the_page_to_back_next_and_the_top_bar(qtbot, open_window):
    """Each page is made after the bottom bar; in the Tab order it still comes before it."""
    window = open_window(kiosk_mode=True)
    qtbot.waitUntil(window.isActiveWindow)
    j = window.journey
    click(qtbot, window.page(Step.ATTRACT).start)
    click(qtbot, window.page(Step.RECIPIENTS).cards["pm"])
    for step in NUMBERED_STEPS:
        assert j.step is step
        page = window.page(step)
        if step is Step.WRITE:
            type_text(page.editor, "Please give these men a safe way out, now and for good.")
        elif step is Step.SIGN:
            type_text(page.edits["first_name"], "Ana")
            type_text(page.edits["last_name"], "Lopes")
        elif step is Step.DELIVER:
            click(qtbot, page.print_card)
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
            click(qtbot, window.primary)


def test_leaving_the_thanks_page_stops_its_countdown(qtbot, open_window):
    window = open_window()
    _to_deliver(qtbot, window, "pm")
    click(qtbot, window.page(Step.DELIVER).print_card)
    click(qtbot, window.primary)
    thanks = window.page(Step.THANKS)
    assert thanks.timer.isActive()
    click(qtbot, thanks.done)
    assert window.journey.step is Step.ATTRACT and not thanks.timer.isActive()
