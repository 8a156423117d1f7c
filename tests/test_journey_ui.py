"""A visitor goes through the whole journey in the real window, in English and in French."""

from __future__ import annotations

import pytest
import zxingcpp
from PySide6.QtWidgets import QLineEdit

from kiosk.domain.journey import Step
from kiosk.domain.text_rules import body_length
from tests.support.kiosk_window import printer_out_of_paper, to_deliver
from tests.support.peers.escpos_printer import decode

FRENCH_BODY = (
    "Je vous écris de Saint-Boniface. Ça presse : protégez ces hommes « maintenant ». "
    "Œuvrez à leur accueil, à Noël comme en été. ÉÈÀÇÔ {{ 7*7 }}"
)


@pytest.fixture
def window(open_window):
    return open_window(workers=True)  # the real print worker, into the sample's file printer


def _qr_text(widget) -> str:
    image = widget.grab().toImage()
    from PIL import Image

    buf = image.constBits().tobytes()
    pil = Image.frombuffer("RGBA", (image.width(), image.height()), buf, "raw", "BGRA", 0, 1)
    results = zxingcpp.read_barcodes(pil)
    assert results, "no QR code found on the thank-you screen"
    return results[0].text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_whole_journey(qtbot, tap, visitor, window, campaign, lang):
    j = window.journey
    v = visitor(window)
    a = window.pages[Step.ATTRACT]
    if lang == "fr":
        v.language("fr")
        assert a.start.text() == "Commencer"
    v.start()
    assert j.step is Step.RECIPIENTS
    assert window.step_label.text() == ("Step 1 of 5" if lang == "en" else "Étape 1 sur 5")

    # Next without a recipient: a kind message, and the visitor stays.
    tap(window.primary)
    assert j.step is Step.RECIPIENTS and window.problem.isVisible()
    v.choose("pm", "un-ohchr")
    v.next()
    assert j.step is Step.WRITE

    write = window.pages[Step.WRITE]
    v.blank_page()
    body = FRENCH_BODY if lang == "fr" else "Please offer safe haven now. {{ 7*7 }} 🏳️‍🌈"
    v.write(body)
    assert j.session.body == body
    assert write.count.text().startswith(str(body_length(body)))
    v.next()
    assert j.step is Step.SIGN

    sign = window.pages[Step.SIGN]
    first, last = ("Zoë", "Bélanger-Côté") if lang == "fr" else ("Jordan", "Lee")
    v.sign(first=first, last=last, city="Winnipeg")
    assert not sign.opt_in.isVisible(), "consent is offered only with an email address"
    v.sign(email="visitor@example.com")
    assert sign.opt_in.isVisible() and not sign.opt_in.isChecked()
    v.sign(opt_in=True)
    v.review()
    assert j.step is Step.REVIEW
    preview = v.letters_shown()[0]
    assert body.split()[0] in preview and last in preview

    v.next()
    assert j.step is Step.DELIVER
    tap(window.primary)  # nothing chosen yet
    assert j.step is Step.DELIVER and window.problem.isVisible()
    v.send(print=True, email=True)
    assert j.step is Step.THANKS

    rows = window.services.store.letters()
    assert [r.recipient_id for r in rows] == ["pm", "un-ohchr"]
    for r in rows:
        assert r.language == lang
        assert r.body == body  # visitor text is data: {{ 7*7 }} stays as typed
        assert r.first_name == first and r.last_name == last
        assert r.opt_in == 1
        assert f"{first} {last}" in r.full_text
    outbox = window.services.store.conn.execute(
        "SELECT to_addr, subject FROM outbox ORDER BY id").fetchall()
    assert [o["to_addr"] for o in outbox] == ["pm@pm.gc.ca", "ohchr-registry@un.org"]
    assert ("Protégez" if lang == "fr" else "Protect") in outbox[0]["subject"]

    # The print worker prints both letters, through python-escpos, into the file printer.
    conn = window.services.store.conn
    qtbot.waitUntil(lambda: conn.execute(
        "SELECT COUNT(*) FROM print_jobs WHERE state = 'printed'").fetchone()[0] == 2,
        timeout=120_000)
    receipts = decode((window.services.data_dir / "printer-output.bin").read_bytes())
    assert len(receipts) == 2 and all(r.cut for r in receipts)
    printed = " ".join(receipts[0].text.split())
    salutation = campaign.recipient("pm").salutation.get(lang)
    assert salutation in printed
    printable_body = body.replace("🏳️‍🌈", "").replace("Œ", "OE").replace("’", "'")
    assert " ".join(printable_body.split()) in printed
    assert f"{first} {last}" in printed
    assert receipts[0].qr == [campaign.donation.url]

    assert _qr_text(window.pages[Step.THANKS].qr) == campaign.donation.url
    assert window.pages[Step.THANKS].url.text() == campaign.donation.url

    v.done()
    assert j.step is Step.ATTRACT
    # Nothing of this visitor is left on any page.
    for edit in window.findChildren(QLineEdit):
        assert edit.text() == "" and not edit.isUndoAvailable()
    assert write.editor.toPlainText() == ""
    assert not write.editor.document().isUndoAvailable()


def test_language_switch_keeps_typed_text(tap, visitor, window):
    j = window.journey
    v = visitor(window)
    v.start()
    v.choose("pm")
    v.next()
    v.write("Mon texte à moi, écrit à la main.")
    tap(window.lang_button)
    assert j.language == "fr"
    assert window.pages[Step.WRITE].title.text() == "Écrivez votre lettre"
    assert window.pages[Step.WRITE].editor.toPlainText() == "Mon texte à moi, écrit à la main."
    tap(window.lang_button)
    assert j.language == "en" and window.back_button.text() == "Back"


def test_start_over_asks_first(visitor, window):
    j = window.journey
    v = visitor(window)
    v.start()
    v.choose("pm")
    v.ask_start_over()
    v.answer(False)
    assert j.step is Step.RECIPIENTS and j.session.recipient_ids == ["pm"]
    v.ask_start_over()
    v.answer(True)
    assert j.step is Step.ATTRACT and j.session.recipient_ids == []
    assert not window.pages[Step.RECIPIENTS].cards["pm"].isChecked()


def test_idle_timeout_wipes_the_session(qtbot, visitor, window):
    j = window.journey
    v = visitor(window)
    v.start()
    v.choose("pm")
    v.next()
    v.write("Private words of the last visitor")
    # Fire the idle timer now rather than waiting 90 s; the countdown runs for real, shortened.
    window.idle.warn(countdown=1)
    assert window.idle.overlay.isVisible()
    with qtbot.waitSignal(window.idle.countdown.timeout, timeout=60_000):
        pass
    assert j.step is Step.ATTRACT
    assert window.pages[Step.WRITE].editor.toPlainText() == ""
    assert not window.idle.overlay.isVisible()


def test_idle_still_here_keeps_everything(tap, visitor, window):
    j = window.journey
    v = visitor(window)
    v.start()
    v.choose("pm")
    window.idle.warn()
    tap(window.idle.overlay.yes)
    assert j.step is Step.RECIPIENTS and j.session.recipient_ids == ["pm"]
    assert not window.idle.countdown.isActive()


def test_any_touch_or_key_restarts_the_idle_clock(tap, visitor, window):
    v = visitor(window)
    v.start()
    timer = window.idle.timer
    assert timer.isActive()
    for touch in (lambda: v.choose("pm"), lambda: v.write("Still writing")):
        timer.stop()  # as if the clock had nearly run out
        touch()
        assert timer.isActive() and timer.remainingTime() > timer.interval() - 5_000
        tap(window.primary)


def test_text_put_in_by_assistive_technology_counts(visitor, window):
    """Screen readers and on-screen keyboards may set text without key events."""
    j = window.journey
    v = visitor(window)
    v.start()
    v.choose("pm")
    v.next()
    window.pages[Step.WRITE].editor.insertPlainText("Inserted by an assistive tool, long enough.")
    v.next()
    sign = window.pages[Step.SIGN]
    sign.edits["first_name"].insert("Zoë")
    sign.edits["last_name"].insert("Côté")
    assert (j.session.first_name, j.session.last_name) == ("Zoë", "Côté")
    v.review()
    assert j.step is Step.REVIEW


def test_a_toggle_action_works_like_a_click(qtbot, window):
    """A screen reader's default action on a checkable button toggles it."""
    window.pages[Step.ATTRACT].lang_buttons["fr"].toggle()
    assert window.journey.language == "fr"
    window.pages[Step.ATTRACT].contrast_button.toggle()
    assert window.journey.session.high_contrast


def test_printer_trouble_is_told_kindly_before_choosing(visitor, open_window):
    window = open_window()  # no workers: the status below is the only one
    window.services.printer_changed.emit(printer_out_of_paper())
    alert = window.pages[Step.ATTRACT].alert
    assert alert.isVisible() and "paper" in alert.text()
    to_deliver(visitor(window), "pm")
    note = window.pages[Step.DELIVER].printer_note
    assert note.isVisible()
    assert "will print when the printer is ready" in note.text()
    assert "Email it" in note.text()


def test_no_email_suggestion_when_the_office_has_no_address(visitor, campaign, open_window):
    recipients = [r.model_copy(update={"email": None}) if r.id == "un-ohchr" else r
                  for r in campaign.recipients]
    w = open_window(chosen=campaign.model_copy(update={"recipients": recipients}))
    w.services.printer_changed.emit(printer_out_of_paper())
    to_deliver(visitor(w), "un-ohchr")
    deliver = w.pages[Step.DELIVER]
    assert not deliver.email_card.isVisible()
    assert deliver.printer_note.isVisible() and "Email it" not in deliver.printer_note.text()
