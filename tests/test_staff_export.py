"""The staff export in the real window: staff choose the target every time, from the drives
mounted now (two "sticks" in a temp mount root) and the data dir, and confirm it; nothing is
written anywhere else, and the audit log names the target, never a visitor."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk.app.letters import keep_letters
from kiosk.domain.journey import TEXT_SIZES, Delivery, Journey
from tests.support.checks.a11y_audit import audit
from tests.support.peers.usb_drives import FakeMounts


@pytest.fixture
def mounts(tmp_path) -> FakeMounts:
    return FakeMounts(tmp_path)


@pytest.fixture
def window(open_window, mounts):
    w = open_window(kiosk_mode=True)
    w.services.drives = mounts.finder()
    return w


def _keep_a_letter(window, campaign) -> None:
    j = Journey(campaign)
    j.toggle_recipient("pm")
    j.update(body="Une lettre à exporter, avec des accents.", first_name="Zoë",
             last_name="Privée-Visiteur", email="zoe.private@example.org", opt_in=True)
    keep_letters(window.services.store, campaign, j.session, j.letters(),
                 Delivery(print=True, email=False))


def _open_export(tap, window):
    panel = window.staff.panel
    panel.open_panel()
    tap(panel.buttons["export"])
    screen = window.staff.export
    assert screen.isVisible()
    return screen


def _files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


def _card(screen, title: str):
    return next(c for c in screen.cards if c.title.text() == title)


def test_export_goes_only_to_the_drive_staff_chose(qtbot, tap, window, campaign, mounts,
                                                   data_dir):
    visitor = mounts.plug("A-VISITOR")  # sorts first: today's kiosk wrote to it
    kingston = mounts.plug("KINGSTON")
    _keep_a_letter(window, campaign)
    screen = _open_export(tap, window)
    assert [c.title.text() for c in screen.cards] == ["A-VISITOR", "KINGSTON",
                                                     "This kiosk’s own folder"]
    assert "USB drive" in _card(screen, "KINGSTON").detail.text()
    tap(_card(screen, "KINGSTON"))
    confirm = screen.confirm
    assert confirm.isVisible()
    size = window.services.export_targets()[1].describe("en")
    assert confirm.title.text() == f"Export 3 files to {size}?"
    assert "letter-kiosk-" in confirm.body.text()
    assert _files_under(kingston) == _files_under(visitor) == [], "nothing before the yes"
    tap(confirm.yes)
    panel = window.staff.panel
    qtbot.waitUntil(lambda: "Wrote" in panel.message.text(), timeout=30_000)
    assert not screen.isVisible() and panel.isVisible()
    (folder,) = list(kingston.iterdir())
    assert {p.name for p in folder.iterdir()} == {"counts.csv", "letters.pdf", "opt-ins.csv"}
    assert str(folder) in panel.message.text()
    assert _files_under(visitor) == [] and not (data_dir / "exports").exists()
    (detail,) = [r[0] for r in window.services.store.conn.execute(
        "SELECT detail FROM audit WHERE action = 'export'")]
    assert f"to {size}" in detail
    everything = " ".join(r[0] for r in window.services.store.conn.execute(
        "SELECT action || ' ' || detail FROM audit"))
    assert "Privée" not in everything and "zoe.private" not in everything


def test_no_drive_says_so_and_offers_the_data_dir(qtbot, tap, window, campaign, data_dir):
    _keep_a_letter(window, campaign)
    screen = _open_export(tap, window)
    assert "No USB drive is plugged in" in screen.help.text()
    (card,) = screen.cards
    assert card.title.text() == "This kiosk’s own folder"
    assert str(data_dir / "exports") in card.detail.text()
    tap(card)
    assert screen.confirm.title.text() == "Export 3 files to this kiosk’s own folder?"
    tap(screen.confirm.yes)
    qtbot.waitUntil(lambda: "Wrote" in window.staff.panel.message.text(), timeout=30_000)
    (folder,) = list((data_dir / "exports").iterdir())
    assert {p.name for p in folder.iterdir()} == {"counts.csv", "letters.pdf", "opt-ins.csv"}


def test_look_again_finds_a_drive_plugged_in_later(tap, window, mounts):
    screen = _open_export(tap, window)
    assert len(screen.cards) == 1
    mounts.plug("KINGSTON")
    tap(screen.rescan)
    assert [c.title.text() for c in screen.cards] == ["KINGSTON", "This kiosk’s own folder"]
    assert "No USB drive" not in screen.help.text()


def test_cancel_and_back_write_nothing(tap, window, mounts, data_dir):
    kingston = mounts.plug("KINGSTON")
    screen = _open_export(tap, window)
    tap(_card(screen, "KINGSTON"))
    # Behind the question the list is a picture: a screen reader is offered no drive there.
    assert not any(c.isVisible() for c in screen.cards) and not screen.back.isVisible()
    tap(screen.confirm.no)
    assert screen.isVisible() and not screen.confirm.isVisible()
    assert _card(screen, "KINGSTON").isVisible() and screen.back.isVisible()
    assert screen.focusWidget() is _card(screen, "KINGSTON"), "focus goes back to the choice"
    tap(screen.back)
    assert not screen.isVisible() and window.staff.panel.isVisible()
    assert _files_under(kingston) == [] and not (data_dir / "exports").exists()
    assert "export" not in [r[0] for r in window.services.store.conn.execute(
        "SELECT action FROM audit")]


def test_a_drive_pulled_out_before_the_yes_gets_nothing(qtbot, tap, window, mounts, data_dir):
    kingston = mounts.plug("KINGSTON")
    screen = _open_export(tap, window)
    tap(_card(screen, "KINGSTON"))
    mounts.unplug("KINGSTON")  # the folder stays, as when the desktop is slow to clean up
    tap(screen.confirm.yes)
    panel = window.staff.panel
    qtbot.waitUntil(lambda: "no longer plugged in" in panel.message.text(), timeout=30_000)
    assert _files_under(kingston) == [] and list(kingston.iterdir()) == []
    assert not (data_dir / "exports").exists()
    failed = [r[0] for r in window.services.store.conn.execute(
        "SELECT detail FROM audit WHERE action = 'export.failed'")]
    assert len(failed) == 1 and "KINGSTON" in failed[0]


def test_the_choice_by_keyboard_alone(qtbot, tap, window, mounts):
    mounts.plug("KINGSTON")
    screen = _open_export(tap, window)
    assert screen.focusWidget() is _card(screen, "KINGSTON")
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Return)
    assert screen.confirm.isVisible() and "KINGSTON" in screen.confirm.title.text()
    qtbot.keyClick(screen.confirm, Qt.Key.Key_Escape)
    assert not screen.confirm.isVisible() and screen.isVisible()


def test_a_read_only_drive_cannot_be_chosen(tap, window, mounts):
    mounts.plug("LOCKED", options="ro")
    screen = _open_export(tap, window)
    card = _card(screen, "LOCKED")
    assert not card.isEnabled() and "read-only" in card.detail.text()


def test_the_choice_is_asked_in_french(tap, window, mounts):
    mounts.plug("KINGSTON")
    window.journey.set_language("fr")
    screen = _open_export(tap, window)
    assert screen.title.text() == "Exporter les lettres et les chiffres"
    tap(_card(screen, "KINGSTON"))
    assert screen.confirm.title.text().startswith("Exporter 3 fichiers vers KINGSTON (")
    assert screen.confirm.title.text().endswith(" Go)\u00a0?")


def test_locking_the_panel_closes_the_export_screen(qtbot, tap, window, mounts):
    mounts.plug("KINGSTON")
    screen = _open_export(tap, window)
    tap(_card(screen, "KINGSTON"))
    panel = window.staff.panel
    panel.auto_lock.setInterval(50)  # two minutes in real life
    panel.poke()
    qtbot.waitUntil(lambda: not panel.isVisible(), timeout=5000)
    assert not screen.isVisible() and not screen.confirm.isVisible()
    assert not window.staff.is_open, "a visitor cannot reach the export once staff walk away"


@pytest.mark.parametrize("size", TEXT_SIZES)
def test_the_export_screen_passes_the_audit(tap, window, mounts, size):
    mounts.plug("KINGSTON")
    mounts.plug("SANDISK ULTRA FIT 3.1")
    mounts.plug("LOCKED", options="ro")
    problems = []
    for lang in ("en", "fr"):
        window.journey.set_language(lang)
        window.journey.update(text_size=size)
        window.apply_theme()
        screen = _open_export(tap, window)
        for _ in range(8):  # layouts settle over a few turns of the event loop
            QApplication.processEvents()
        problems += [f"{lang}/list: {p}" for p in audit(screen)]
        tap(_card(screen, "KINGSTON"))
        for _ in range(8):
            QApplication.processEvents()
        problems += [f"{lang}/confirm: {p}" for p in audit(screen.confirm)]
        tap(screen.confirm.no)
        tap(screen.back)
        window.staff.panel.close_panel()
    assert problems == [], "\n".join(problems)


def test_nothing_covers_the_staff_screens_titles(window, mounts):
    mounts.plug("KINGSTON")
    staff = window.staff
    for screen, open_screen in ((staff.panel, staff.panel.open_panel),
                                (staff.export, staff.export.open_screen)):
        open_screen()
        for _ in range(8):
            QApplication.processEvents()
        for words in (screen.title, getattr(screen, "help", screen.title)):
            middle = words.mapTo(window, words.rect().center())
            assert window.childAt(middle) is words, f"{type(screen).__name__}: covered"
    staff.export.close_screen()
    staff.panel.close_panel()
