"""A visitor asks for a full letter on the Send step, in the real window; it prints through the
real private CUPS scheduler (issue 13). And the campaign that prints every letter on a full
page says so instead of asking."""

from __future__ import annotations

import io

from pypdf import PdfReader

from kiosk.delivery.office_queue import OfficeKind, OfficeStatus
from kiosk.domain.journey import Step
from kiosk.ui.pages.deliver import DeliverPage
from kiosk.ui.pages.review import ReviewPage
from kiosk.ui.pages.thanks import ThanksPage
from tests.support.kiosk_window import to_deliver
from tests.test_office_printing import office_campaign


def office_jobs(store) -> list[dict]:
    rows = store.conn.execute(
        "SELECT j.*, l.body FROM print_jobs j JOIN letters l ON l.id = j.letter_id"
        " WHERE j.device = 'office' ORDER BY j.id").fetchall()
    return [dict(r) for r in rows]


def test_a_visitor_asks_for_a_full_letter_and_gets_one(qtbot, open_window, visitor, campaign,
                                                       cups, cups_queue, store):
    office = office_campaign(campaign, cups, cups_queue.name)
    window = open_window(workers=True, chosen=office)
    v = visitor(window)
    to_deliver(v, "pm")
    page = window.page(Step.DELIVER)
    assert isinstance(page, DeliverPage)
    assert page.office_card.isVisible() and not page.office_card.isChecked()
    assert page.office_card.accessibleName().startswith("Print a full letter")
    assert v.offered().full_letter
    v.send(print=False, full_letter=True)
    jobs = office_jobs(store)
    assert len(jobs) == 1 and "protect these men" in jobs[0]["body"]
    qtbot.waitUntil(lambda: office_jobs(store)[0]["state"] == "printed")
    files = sorted(cups_queue.folder.glob("job-*.prn"))
    assert len(files) == 1
    text = PdfReader(io.BytesIO(files[0].read_bytes())).pages[0].extract_text()
    assert "Ana Lopes" in text and "protect these men" in text
    # No receipt was asked for: the receipt printer has nothing.
    assert store.conn.execute(
        "SELECT COUNT(*) FROM print_jobs WHERE device = 'receipt'").fetchone()[0] == 0
    thanks = window.page(Step.THANKS)
    assert isinstance(thanks, ThanksPage)
    assert "office printer" in thanks.status.text()


def test_review_shows_the_full_page_as_it_will_print(qtbot, open_window, visitor, campaign,
                                                     cups, cups_queue):
    office = office_campaign(campaign, cups, cups_queue.name)
    window = open_window(chosen=office)
    v = visitor(window)
    v.start()
    v.choose("pm", "un-ohchr")
    v.next()
    v.write("Please act now to protect these men.")
    v.next()
    v.sign(first="Ana", last="Lopes")
    v.review()
    review = window.page(Step.REVIEW)
    assert isinstance(review, ReviewPage)
    # Laid out off the GUI thread: the step shows at once, the pages when they are ready.
    qtbot.waitUntil(lambda: len(review.full_pages()) == 2)
    pages = review.full_pages()
    assert len(pages) == 2 and all(p.pages >= 1 and p.height() > 500 for p in pages)
    assert "full letter" in pages[0].accessibleName()
    assert "Ana Lopes" in pages[0].accessibleDescription()
    # A new visitor's review holds nothing of this one's pages.
    v.ask_start_over()
    v.answer(True)
    assert v.step is Step.ATTRACT
    assert review.full_pages() == [] and all(p.pages == 0 for p in pages)


def test_automatic_full_letters_are_said_not_asked(qtbot, open_window, visitor, campaign, cups,
                                                   cups_queue, store):
    office = office_campaign(campaign, cups, cups_queue.name, automatic=True)
    window = open_window(chosen=office)
    v = visitor(window)
    to_deliver(v, "pm")
    page = window.page(Step.DELIVER)
    assert isinstance(page, DeliverPage)
    assert not page.office_card.isVisible()
    assert page.automatic_note.isVisible() and "mail bag" in page.automatic_note.text()
    v.send(print=False, email=True)
    assert len(office_jobs(store)) == 1  # printed for the mail bag, though only email was chosen


def test_office_printer_trouble_is_told_kindly(qtbot, open_window, visitor, campaign, cups,
                                               cups_queue):
    office = office_campaign(campaign, cups, cups_queue.name)
    window = open_window(chosen=office)
    v = visitor(window)
    to_deliver(v, "pm")
    window.services.office_changed.emit(OfficeStatus(OfficeKind.STOPPED, "Paper jam",
                                                     queue=cups_queue.name))
    page = window.page(Step.DELIVER)
    assert isinstance(page, DeliverPage)
    qtbot.waitUntil(page.printer_note.isVisible)
    assert "saved" in page.printer_note.text()
    window.page(Step.ATTRACT)  # made, so it hears the news too
    attract = window.pages[Step.ATTRACT]
    assert "cupsenable" in attract.alert.text()
