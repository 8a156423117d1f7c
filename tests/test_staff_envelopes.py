"""Envelopes and labels from the staff panel, in the real window: the panel opened through the
PIN, a real store with letters printed today, the PDF saved to a drive staff chose (read back
with pypdf) or printed through the tests' own CUPS scheduler (the job read where it landed)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk.domain.letter import Signer, make_letter
from kiosk.pin_rules import SAMPLE_PIN
from kiosk.store import print_jobs
from tests.support.checks.a11y_audit import audit
from tests.support.pdf_text import page_size_mm, reader
from tests.support.peers.usb_drives import FakeMounts
from tests.test_office_printing import office_campaign

LETTER_MM, A4_MM, US10_MM = (215.9, 279.4), (210, 297), (241.3, 104.775)


@pytest.fixture
def mounts(tmp_path) -> FakeMounts:
    return FakeMounts(tmp_path)


def printed_today(store, campaign, recipients=("pm", "un-ohchr", "ircc"), *, full_page=()):
    """Letters printed on the receipt printer today; those in ``full_page`` on a full page too."""
    for recipient, office in [(r, False) for r in recipients] + [(r, True) for r in full_page]:
        letter = make_letter(campaign, recipient, "fr", "Protégez-les !",
                             Signer(first_name="Zoë", last_name="Privée-Visiteur"))
        [kept] = store.keep(session_id="s", campaign_id=campaign.campaign.id, letters=[letter],
                            by_print=True, by_email=False, emails=[None], by_office=office)
        print_jobs.mark_printed(store, kept.print_job_id, "online")
        if office:
            print_jobs.mark_printed(store, kept.office_job_id, "online")


def open_envelopes(qtbot, tap, window):
    """Through the PIN pad, as staff do, then the panel's button."""
    staff = window.staff
    staff.open_pad()
    for digit in SAMPLE_PIN:
        tap(staff.pad.keys[digit])
    tap(staff.pad.keys["ok"])
    qtbot.waitUntil(staff.panel.isVisible)  # the PIN is checked off the GUI thread
    tap(staff.panel.buttons["envelopes"])
    screen = staff.envelopes
    assert screen.isVisible()
    return screen


def audit_rows(window, prefix: str) -> list[str]:
    return [r[0] for r in window.services.store.conn.execute(
        "SELECT action || ': ' || detail FROM audit WHERE action LIKE ?", (f"{prefix}%",))]


def test_labels_saved_to_the_drive_staff_chose(qtbot, tap, open_window, campaign, mounts):
    visitor = mounts.plug("A-VISITOR")
    kingston = mounts.plug("KINGSTON")
    window = open_window(kiosk_mode=True)
    window.services.drives = mounts.finder()
    printed_today(window.services.store, campaign, full_page=("pm",))
    screen = open_envelopes(qtbot, tap, window)
    assert screen.count.text() == (
        "3 letters printed today on the receipt printer need an envelope or a label. "
        "1 more was printed on full pages and needs no envelope: it goes in window envelopes.")
    assert screen.kinds["us10"].isChecked(), "the campaign's paper's envelopes by default"
    # No office printer in the sample campaign: no Print button, and a word on what to do.
    assert not screen.print.isVisible() and "No office printer" in screen.hint.text()
    tap(screen.kinds["avery5160"])
    assert screen.kinds["avery5160"].isChecked() and not screen.kinds["us10"].isChecked()
    assert "1 sheet for today" in screen.kinds["avery5160"].detail.text()
    tap(screen.kinds["avery5160"])
    assert screen.kinds["avery5160"].isChecked(), "one kind is always chosen"

    tap(screen.save)
    drives = window.staff.export
    assert drives.isVisible() and drives.title.text() == "Save the addresses as a PDF"
    tap(next(c for c in drives.cards if c.title.text() == "KINGSTON"))
    size = window.services.export_targets()[1].describe("en")
    assert drives.confirm.title.text() == f"Save the PDF of Avery 5160 labels to {size}?"
    assert list(kingston.iterdir()) == [], "nothing before the yes"
    tap(drives.confirm.yes)
    qtbot.waitUntil(lambda: "Saved" in screen.message.text(), timeout=30_000)
    assert screen.isVisible() and not drives.isVisible()
    (pdf,) = kingston.rglob("*.pdf")
    assert pdf.name == f"labels-avery5160-{pdf.name[-14:-4]}.pdf"
    assert str(pdf) in screen.message.text() and "for 3 letters" in screen.message.text()
    [page] = reader(pdf.read_bytes()).pages
    assert page_size_mm(page) == pytest.approx(LETTER_MM, abs=0.1)
    text = page.extract_text()
    assert "Haut-Commissaire" in text and "Ottawa" in text
    assert list(visitor.iterdir()) == [], "only the drive chosen"
    [row] = audit_rows(window, "envelopes")
    assert row.startswith("envelopes.save: avery5160, 3 of ") and f"to {size}" in row
    assert "Ottawa" not in row and "Privée" not in row, "counts only"

    # Back to the panel, and the panel's own export is still the export.
    tap(screen.back)
    assert window.staff.panel.isVisible() and not screen.isVisible()
    tap(window.staff.panel.buttons["export"])
    assert drives.title.text() == "Export letters and counts"


def test_envelopes_print_through_cups(qtbot, tap, open_window, campaign, cups, cups_queue):
    office = office_campaign(campaign, cups, cups_queue.name)
    window = open_window(kiosk_mode=True, chosen=office)
    printed_today(window.services.store, office, recipients=("pm", "un-ohchr"))
    screen = open_envelopes(qtbot, tap, window)
    assert screen.print.isVisible() and screen.print.isEnabled()
    assert "manual (envelope) feed" in screen.hint.text()
    tap(screen.print)
    confirm = screen.confirm
    assert confirm.title.text() == "Print the addresses of 2 letters on #10 envelopes?"
    assert "load #10 envelopes there, 2 in all" in confirm.body.text()
    assert list(cups_queue.folder.glob("job-*")) == [], "nothing before the yes"
    tap(confirm.yes)
    qtbot.waitUntil(lambda: "CUPS job" in screen.message.text(), timeout=30_000)
    job = int(screen.message.text().split("CUPS job ")[1].split(":")[0])
    arrived = cups_queue.folder / f"job-{job}.prn"
    qtbot.waitUntil(lambda: arrived.exists() and arrived.stat().st_size > 0, timeout=30_000)
    pages = reader(arrived.read_bytes()).pages
    assert [page_size_mm(p) for p in pages] == [pytest.approx(US10_MM, abs=0.1)] * 2
    [row] = audit_rows(window, "envelopes")
    assert row.startswith("envelopes.print: us10, 2 of ") and f"CUPS job {job}" in row

    # CUPS stopped: said plainly, with what to do; nothing is lost, the audit says it failed.
    cups.stop()
    tap(screen.kinds["l7160"])
    tap(screen.print)
    tap(screen.confirm.yes)
    qtbot.waitUntil(lambda: "Nothing was printed" in screen.message.text(), timeout=60_000)
    assert "CUPS, the printing service, is not answering" in screen.message.text()
    assert "sudo systemctl start cups" in screen.message.text()
    assert screen.print.isEnabled(), "staff can try again"
    assert audit_rows(window, "envelopes.print_failed")[0].startswith(
        "envelopes.print_failed: l7160, 2 of ")


def test_nothing_printed_today_offers_nothing(qtbot, tap, open_window):
    window = open_window(kiosk_mode=True)
    window.journey.set_language("fr")
    screen = open_envelopes(qtbot, tap, window)
    assert screen.title.text() == "Enveloppes et étiquettes pour les lettres du jour"
    assert screen.count.text() == ("Aucune lettre n’a été imprimée aujourd’hui sur "
                                   "l’imprimante à reçus\u00a0: il n’y a rien à adresser.")
    assert not screen.save.isEnabled()


def test_the_choice_by_keyboard_and_the_lock(qtbot, tap, open_window, campaign):
    window = open_window(kiosk_mode=True)
    printed_today(window.services.store, campaign)
    screen = open_envelopes(qtbot, tap, window)
    assert screen.focusWidget() is screen.kinds["us10"]
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Tab)
    assert screen.focusWidget() is screen.kinds["avery5160"]
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Space)
    assert screen.kinds["avery5160"].isChecked() and not screen.kinds["us10"].isChecked()
    panel = window.staff.panel
    panel.auto_lock.setInterval(50)  # two minutes in real life
    panel.poke()
    qtbot.waitUntil(lambda: not panel.isVisible(), timeout=5000)
    assert not screen.isVisible() and not window.staff.is_open


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_envelopes_screen_passes_the_audit(qtbot, tap, open_window, campaign, cups,
                                               cups_queue, lang):
    window = open_window(kiosk_mode=True, chosen=office_campaign(campaign, cups, cups_queue.name))
    printed_today(window.services.store, campaign)
    window.journey.set_language(lang)
    screen = open_envelopes(qtbot, tap, window)
    for _ in range(8):  # layouts settle over a few turns of the event loop
        QApplication.processEvents()
    problems = [f"screen: {p}" for p in audit(screen)]
    tap(screen.print)
    for _ in range(8):
        QApplication.processEvents()
    problems += [f"confirm: {p}" for p in audit(screen.confirm)]
    assert problems == [], "\n".join(problems)
