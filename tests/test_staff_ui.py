"""Staff mode in the real window: the way in, the PIN pad, the panel and its actions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from kiosk.app.letters import keep_letters
from kiosk.domain.journey import Delivery, Journey, Step
from kiosk.pin_rules import MAX_TRIES, SAMPLE_PIN


@pytest.fixture
def window(open_window):
    return open_window(kiosk_mode=True)


def _enter_pin(qtbot, tap, pad, pin: str) -> None:
    for digit in pin:
        tap(pad.keys[digit])
    tap(pad.keys["ok"])
    qtbot.waitUntil(lambda: not pad.checking)  # the PIN is checked off the GUI thread


def test_corner_hold_opens_the_pin_pad(qtbot, window):
    staff = window.staff
    qtbot.mousePress(window, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert staff.hold.isActive() and not staff.pad.isVisible()
    qtbot.waitUntil(staff.pad.isVisible, timeout=5000)
    qtbot.mouseRelease(window, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))


def test_a_tap_in_the_corner_does_nothing(qtbot, window):
    qtbot.mouseClick(window, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert not window.staff.hold.isActive() and not window.staff.pad.isVisible()


def test_key_chord_opens_the_pin_pad(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_S,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    assert window.staff.pad.isVisible()


def test_right_pin_opens_the_panel_and_is_audited(qtbot, tap, window):
    staff = window.staff
    staff.open_pad()
    _enter_pin(qtbot, tap, staff.pad, SAMPLE_PIN)
    assert staff.panel.isVisible() and not staff.pad.isVisible()
    actions = [r[0] for r in window.services.store.conn.execute("SELECT action FROM audit")]
    assert actions == ["staff.pin_pad", "staff.unlock"]
    tap(staff.panel.lock)
    assert not staff.panel.isVisible()


def test_pin_by_keyboard(qtbot, window):
    staff = window.staff
    staff.open_pad()
    for digit in SAMPLE_PIN:
        qtbot.keyClick(staff.pad.focusWidget(), getattr(Qt.Key, f"Key_{digit}"))
    assert "●" * len(SAMPLE_PIN) == staff.pad.dots.text()
    assert SAMPLE_PIN not in staff.pad.dots.accessibleName()
    qtbot.keyClick(staff.pad.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(staff.panel.isVisible)  # the PIN is checked off the GUI thread


def test_wrong_pins_lock_the_pad(qtbot, tap, window):
    staff = window.staff
    staff.open_pad()
    _enter_pin(qtbot, tap, staff.pad, "0000")
    assert staff.pad.message.text() == "Wrong PIN. 4 tries left." and not staff.panel.isVisible()
    for _ in range(MAX_TRIES - 2):
        _enter_pin(qtbot, tap, staff.pad, "0000")
    assert staff.pad.message.text() == "Wrong PIN. 1 try left."
    _enter_pin(qtbot, tap, staff.pad, "0000")
    assert staff.gate.seconds_locked() > 0
    assert not staff.pad.keys["ok"].isEnabled()
    assert "30 seconds" in staff.pad.message.text()


def test_a_restart_keeps_the_pad_locked_and_the_audit_has_no_digits(qtbot, tap, open_window):
    first = open_window(kiosk_mode=True)
    first.staff.open_pad()
    for _ in range(MAX_TRIES):
        _enter_pin(qtbot, tap, first.staff.pad, "97531")
    assert first.staff.gate.seconds_locked() > 0
    first.staff.pad.close_pad()
    first.hide()
    # A power cycle: a new window and services on the same data dir.
    second = open_window(kiosk_mode=True)
    staff = second.staff
    staff.open_pad()
    assert staff.gate.seconds_locked() > 0
    assert not staff.pad.keys["ok"].isEnabled() and not staff.pad.keys["1"].isEnabled()
    assert "Try again in" in staff.pad.message.text()
    for digit in SAMPLE_PIN:  # the keyboard is refused too
        qtbot.keyClick(staff.pad, getattr(Qt.Key, f"Key_{digit}"))
    qtbot.keyClick(staff.pad, Qt.Key.Key_Return)
    assert not staff.panel.isVisible()
    rows = second.services.store.conn.execute("SELECT action, detail FROM audit").fetchall()
    actions = [r["action"] for r in rows]
    assert actions.count("staff.pin_wrong") == MAX_TRIES
    assert actions.count("staff.pin_lockout") == 1
    assert "staff.unlock" not in actions
    assert not any("97531" in r["detail"] or SAMPLE_PIN in r["detail"] for r in rows)


def test_panel_locks_itself_when_left_alone(qtbot, window):
    panel = window.staff.panel
    panel.auto_lock.setInterval(50)  # two minutes in real life
    panel.open_panel()
    qtbot.waitUntil(lambda: not panel.isVisible(), timeout=2000)


def test_panel_counts_match_the_store(window, campaign):
    store = window.services.store
    for lang, rids in (("en", ["pm", "ircc"]), ("fr", ["pm"]), ("fr", ["un-ohchr"])):
        j = Journey(campaign)
        j.set_language(lang)
        for r in rids:
            j.toggle_recipient(r)
        j.update(body="x" * 40, first_name="A", last_name="B")
        keep_letters(store, campaign, j.session, j.letters(), Delivery(print=True, email=False))
    panel = window.staff.panel
    panel.open_panel()
    assert panel.totals.text().startswith("4 letters from 3 visitors")
    assert "Printed: 4" in panel.totals.text()
    assert "English: 2   Français: 2" in panel.totals.text()
    rows = dict(panel.chart.rows)
    assert rows == {"Prime Minister of Canada": 2,
                    "Minister of Immigration, Refugees and Citizenship": 1,
                    "Minister of Foreign Affairs": 0,
                    "UN High Commissioner for Human Rights": 1}


@pytest.mark.parametrize("step", [s for s in Step if s is not Step.ATTRACT])
def test_reset_from_every_step_leaves_nothing(tap, visitor, window, step):
    j = window.journey
    v = visitor(window)
    v.start()
    v.choose("pm")
    v.next()
    write = window.pages[Step.WRITE]
    v.blank_page()
    v.write("Mots très privés du visiteur précédent, assez longs.")
    write.editor.selectAll()
    write.editor.copy()
    assert QGuiApplication.clipboard().text()
    if step.value in ("sign", "review", "deliver", "thanks"):
        v.next()
        v.sign(first="Zoë", last="Privée", email="zoe@example.com", opt_in=True)
    if step.value in ("review", "deliver", "thanks"):
        v.review()
    if step.value in ("deliver", "thanks"):
        v.next()
        v.choose_delivery(print=True)
    if step is Step.THANKS:
        v.send()
    if step is not Step.RECIPIENTS:
        assert j.step is step
    window.staff.panel.open_panel()
    tap(window.staff.panel.buttons["reset_session"])
    assert j.step is Step.ATTRACT
    for edit in window.findChildren(QLineEdit):
        assert edit.text() == "" and not edit.isUndoAvailable() and not edit.hasSelectedText()
    editor = window.pages[Step.WRITE].editor
    assert editor.toPlainText() == "" and not editor.document().isUndoAvailable()
    assert not editor.textCursor().hasSelection()
    assert QGuiApplication.clipboard().text() == ""
    assert not any(c.isChecked() for c in window.pages[Step.RECIPIENTS].cards.values())
    sign = window.pages[Step.SIGN]
    assert not sign.opt_in.isChecked() and not sign.send_copy.isChecked()
    assert window.pages[Step.REVIEW].previews == []
    assert not window.pages[Step.DELIVER].print_card.isChecked()
    assert j.session.body == "" and j.session.first_name == ""


def test_review_mode_holds_and_releases_emails(qtbot, tap, campaign, open_window):
    held_campaign = campaign.model_copy(update={
        "email": campaign.email.model_copy(update={"hold_for_review": True})})
    w = open_window(chosen=held_campaign)
    store = w.services.store
    j = Journey(held_campaign)
    j.toggle_recipient("pm")
    j.toggle_recipient("ircc")
    j.update(body="Please act now for these men.", first_name="A", last_name="B")
    keep_letters(store, held_campaign, j.session, j.letters(), Delivery(print=False, email=True))
    states = lambda: [r[0] for r in store.conn.execute("SELECT state FROM outbox ORDER BY id")]  # noqa: E731
    assert states() == ["held", "held"]
    panel = w.staff.panel
    panel.open_panel()
    assert panel.buttons["review_held"].isEnabled()
    tap(panel.buttons["review_held"])
    review = w.staff.review
    assert review.isVisible() and "Please act now" in review.text.toPlainText()
    tap(review.approve)
    # Decided off the GUI thread: the next email is shown once the first is released.
    qtbot.waitUntil(lambda: states()[0] == "queued" and review.reject.isEnabled())
    tap(review.reject)
    qtbot.waitUntil(lambda: states() == ["queued", "cancelled"])
    qtbot.waitUntil(lambda: "No emails" in review.title.text())  # nothing left to review
    assert not review.approve.isEnabled()


# The export button and the choice of drive: tests/test_staff_export.py.


def test_queue_view_retries_and_cancels(qtbot, tap, window, campaign):
    store = window.services.store
    j = Journey(campaign)
    j.toggle_recipient("pm")
    j.update(body="A letter that waits for the printer and the mail server.", first_name="A",
             last_name="B")
    keep_letters(store, campaign, j.session, j.letters(), Delivery(print=True, email=True))
    store.conn.execute("UPDATE outbox SET state = 'failed', last_error = '550 no such user'")
    panel = window.staff.panel
    panel.open_panel()
    tap(panel.buttons["queues"])
    view = window.staff.queues
    assert view.isVisible()
    rows = [view.rows.itemAt(i).widget() for i in range(view.rows.count())]
    rows = [r for r in rows if r is not None]
    texts = [" ".join(lbl.text() for lbl in r.findChildren(QLabel)) for r in rows]
    assert any("Print job" in t and "Prime Minister" in t for t in texts)
    assert any("Email" in t and "550 no such user" in t for t in texts)
    # Cancel the print job (first row), retry the email (second row).
    cancel = next(b for b in rows[0].findChildren(QPushButton) if b.text() == "Cancel")
    tap(cancel)
    qtbot.waitUntil(lambda: store.conn.execute(  # done off the GUI thread
        "SELECT state FROM print_jobs").fetchone()[0] == "cancelled")

    def shown() -> list:
        return [w for w in (view.rows.itemAt(i).widget() for i in range(view.rows.count()))
                if w and not any("Print job" in lbl.text() for lbl in w.findChildren(QLabel))]

    qtbot.waitUntil(lambda: len(shown()) == 1)  # the view shows the queues as they are now
    rows = shown()
    retry = next(b for b in rows[0].findChildren(QPushButton) if b.text() == "Retry")
    qtbot.waitUntil(retry.isVisible)  # new rows are shown on the next turn of the event loop
    tap(retry)
    qtbot.waitUntil(lambda: store.conn.execute(
        "SELECT state FROM outbox").fetchone()[0] in ("queued", "retry"))


def test_idle_does_not_clear_the_page_while_staff_are_in_the_panel(visitor, window):
    v = visitor(window)
    v.start()
    v.choose("pm")
    window.staff.panel.open_panel()
    window.idle.warn()
    assert not window.idle.overlay.isVisible()
    assert window.idle.timer.isActive()
    window.staff.panel.close_panel()
    window.idle.warn()
    assert window.idle.overlay.isVisible()


def test_a_closed_window_leaves_no_staff_timer_running(qtbot, tap, window):
    # Later they would lock the panel, or end a lockout, in a store already closed.
    staff = window.staff
    staff.panel.open_panel()
    assert staff.panel.auto_lock.isActive()
    staff.pad.open_pad()
    for _ in range(MAX_TRIES):
        _enter_pin(qtbot, tap, staff.pad, "0000")
    assert staff.pad.tick.isActive()
    window.allow_close()
    window.close()
    assert not staff.panel.auto_lock.isActive() and not staff.pad.tick.isActive()
