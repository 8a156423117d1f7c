"""A visitor goes through the whole journey in the real window, in English and in French."""

from __future__ import annotations

import pytest
import zxingcpp
from PySide6.QtWidgets import QLineEdit

from kiosk.domain.journey import Step
from kiosk.domain.text_rules import body_length
from tests.escpos_emulator import decode
from tests.ui_driver import click, type_text

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
def test_whole_journey(qtbot, window, campaign, lang):
    j = window.journey
    a = window.pages[Step.ATTRACT]
    if lang == "fr":
        click(qtbot, a.lang_buttons["fr"])
        assert a.start.text() == "Commencer"
    click(qtbot, a.start)
    assert j.step is Step.RECIPIENTS
    assert window.step_label.text() == ("Step 1 of 5" if lang == "en" else "Étape 1 sur 5")

    # Next without a recipient: a kind message, and the visitor stays.
    click(qtbot, window.primary)
    assert j.step is Step.RECIPIENTS and window.problem.isVisible()
    cards = window.pages[Step.RECIPIENTS].cards
    click(qtbot, cards["pm"])
    click(qtbot, cards["un-ohchr"])
    click(qtbot, window.primary)
    assert j.step is Step.WRITE

    write = window.pages[Step.WRITE]
    click(qtbot, write.choice_buttons["__blank__"])
    body = FRENCH_BODY if lang == "fr" else "Please offer safe haven now. {{ 7*7 }} 🏳️‍🌈"
    type_text(write.editor, body)
    assert j.session.body == body
    assert write.count.text().startswith(str(body_length(body)))
    click(qtbot, window.primary)
    assert j.step is Step.SIGN

    sign = window.pages[Step.SIGN]
    first, last = ("Zoë", "Bélanger-Côté") if lang == "fr" else ("Jordan", "Lee")
    type_text(sign.edits["first_name"], first)
    type_text(sign.edits["last_name"], last)
    type_text(sign.edits["city"], "Winnipeg")
    assert not sign.opt_in.isVisible(), "consent is offered only with an email address"
    type_text(sign.edits["email"], "visitor@example.com")
    assert sign.opt_in.isVisible() and not sign.opt_in.isChecked()
    click(qtbot, sign.opt_in.box)
    click(qtbot, window.primary)
    assert j.step is Step.REVIEW
    preview = window.pages[Step.REVIEW].previews[0].plain_text()
    assert body.split()[0] in preview and last in preview

    click(qtbot, window.primary)
    assert j.step is Step.DELIVER
    click(qtbot, window.primary)  # nothing chosen yet
    assert j.step is Step.DELIVER and window.problem.isVisible()
    click(qtbot, window.pages[Step.DELIVER].print_card)
    click(qtbot, window.pages[Step.DELIVER].email_card)
    click(qtbot, window.primary)
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

    click(qtbot, window.pages[Step.THANKS].done)
    assert j.step is Step.ATTRACT
    # Nothing of this visitor is left on any page.
    for edit in window.findChildren(QLineEdit):
        assert edit.text() == "" and not edit.isUndoAvailable()
    assert write.editor.toPlainText() == ""
    assert not write.editor.document().isUndoAvailable()


def test_language_switch_keeps_typed_text(qtbot, window):
    j = window.journey
    click(qtbot, window.pages[Step.ATTRACT].start)
    click(qtbot, window.pages[Step.RECIPIENTS].cards["pm"])
    click(qtbot, window.primary)
    type_text(window.pages[Step.WRITE].editor, "Mon texte à moi, écrit à la main.")
    click(qtbot, window.lang_button)
    assert j.language == "fr"
    assert window.pages[Step.WRITE].title.text() == "Écrivez votre lettre"
    assert window.pages[Step.WRITE].editor.toPlainText() == "Mon texte à moi, écrit à la main."
    click(qtbot, window.lang_button)
    assert j.language == "en" and window.back_button.text() == "Back"


def test_start_over_asks_first(qtbot, window):
    j = window.journey
    click(qtbot, window.pages[Step.ATTRACT].start)
    click(qtbot, window.pages[Step.RECIPIENTS].cards["pm"])
    click(qtbot, window.start_over_button)
    click(qtbot, window.confirm.no)
    assert j.step is Step.RECIPIENTS and j.session.recipient_ids == ["pm"]
    click(qtbot, window.start_over_button)
    click(qtbot, window.confirm.yes)
    assert j.step is Step.ATTRACT and j.session.recipient_ids == []
    assert not window.pages[Step.RECIPIENTS].cards["pm"].isChecked()


def test_idle_timeout_wipes_the_session(qtbot, window):
    j = window.journey
    click(qtbot, window.pages[Step.ATTRACT].start)
    click(qtbot, window.pages[Step.RECIPIENTS].cards["pm"])
    click(qtbot, window.primary)
    type_text(window.pages[Step.WRITE].editor, "Private words of the last visitor")
    # Fire the idle timer now rather than waiting 90 s; the countdown runs for real, shortened.
    window.idle.warn(countdown=1)
    assert window.idle.overlay.isVisible()
    with qtbot.waitSignal(window.idle.countdown.timeout, timeout=60_000):
        pass
    assert j.step is Step.ATTRACT
    assert window.pages[Step.WRITE].editor.toPlainText() == ""
    assert not window.idle.overlay.isVisible()


def test_idle_still_here_keeps_everything(qtbot, window):
    j = window.journey
    click(qtbot, window.pages[Step.ATTRACT].start)
    click(qtbot, window.pages[Step.RECIPIENTS].cards["pm"])
    window.idle.warn()
    click(qtbot, window.idle.overlay.yes)
    assert j.step is Step.RECIPIENTS and j.session.recipient_ids == ["pm"]
    assert not window.idle.countdown.isActive()


def test_any_touch_or_key_restarts_the_idle_clock(qtbot, window):
    click(qtbot, window.pages[Step.ATTRACT].start)
    timer = window.idle.timer
    assert timer.isActive()
    for touch in (lambda: click(qtbot, window.pages[Step.RECIPIENTS].cards["pm"]),
                  lambda: type_text(window.pages[Step.WRITE].editor, "Still writing")):
        timer.stop()  # as if the clock had nearly run out
        touch()
        assert timer.isActive() and timer.remainingTime() > timer.interval() - 5_000
        click(qtbot, window.primary)


def test_text_put_in_by_assistive_technology_counts(qtbot, window):
    """Screen readers and on-screen keyboards may set text without key events."""
    j = window.journey
    click(qtbot, window.pages[Step.ATTRACT].start)
    click(qtbot, window.pages[Step.RECIPIENTS].cards["pm"])
    click(qtbot, window.primary)
    window.pages[Step.WRITE].editor.insertPlainText("Inserted by an assistive tool, long enough.")
    click(qtbot, window.primary)
    sign = window.pages[Step.SIGN]
    sign.edits["first_name"].insert("Zoë")
    sign.edits["last_name"].insert("Côté")
    assert (j.session.first_name, j.session.last_name) == ("Zoë", "Côté")
    click(qtbot, window.primary)
    assert j.step is Step.REVIEW


def test_a_toggle_action_works_like_a_click(qtbot, window):
    """A screen reader's default action on a checkable button toggles it."""
    window.pages[Step.ATTRACT].lang_buttons["fr"].toggle()
    assert window.journey.language == "fr"
    window.pages[Step.ATTRACT].contrast_button.toggle()
    assert window.journey.session.high_contrast


def _printer_out_of_paper():
    from kiosk.delivery.print_queue import QueueStatus
    from kiosk.delivery.printer import PrinterState, StatusKind

    return QueueStatus(PrinterState(StatusKind.PAPER_OUT, "paper end sensor"), queued=1)


def _to_deliver(qtbot, window, recipient: str) -> None:
    click(qtbot, window.pages[Step.ATTRACT].start)
    click(qtbot, window.pages[Step.RECIPIENTS].cards[recipient])
    click(qtbot, window.primary)
    type_text(window.pages[Step.WRITE].editor, "Please act now to protect these men.")
    click(qtbot, window.primary)
    type_text(window.pages[Step.SIGN].edits["first_name"], "Ana")
    type_text(window.pages[Step.SIGN].edits["last_name"], "Lopes")
    click(qtbot, window.primary)
    click(qtbot, window.primary)
    assert window.journey.step is Step.DELIVER


def test_printer_trouble_is_told_kindly_before_choosing(qtbot, open_window):
    window = open_window()  # no workers: the status below is the only one
    window.services.printer_changed.emit(_printer_out_of_paper())
    alert = window.pages[Step.ATTRACT].alert
    assert alert.isVisible() and "paper" in alert.text()
    _to_deliver(qtbot, window, "pm")
    note = window.pages[Step.DELIVER].printer_note
    assert note.isVisible()
    assert "will print when the printer is ready" in note.text()
    assert "Email it" in note.text()


def test_no_email_suggestion_when_the_office_has_no_address(qtbot, campaign, open_window):
    recipients = [r.model_copy(update={"email": None}) if r.id == "un-ohchr" else r
                  for r in campaign.recipients]
    w = open_window(chosen=campaign.model_copy(update={"recipients": recipients}))
    w.services.printer_changed.emit(_printer_out_of_paper())
    _to_deliver(qtbot, w, "un-ohchr")
    deliver = w.pages[Step.DELIVER]
    assert not deliver.email_card.isVisible()
    assert deliver.printer_note.isVisible() and "Email it" not in deliver.printer_note.text()
