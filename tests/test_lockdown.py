"""Kiosk mode: no way out for a visitor, one kiosk per data dir, and a failsafe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication

from kiosk.domain.journey import Step
from kiosk.single_instance import AlreadyRunning, hold_lock
from kiosk.ui.app import install_failsafe
from kiosk.ui.lockdown import Lockdown

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def kiosk(open_window):
    w = open_window(kiosk_mode=True)
    lock = Lockdown(w)
    QApplication.instance().installEventFilter(lock)
    yield w
    QApplication.instance().removeEventFilter(lock)


def test_close_and_quit_keys_do_nothing(qtbot, kiosk):
    assert not kiosk.close(), "a close request must be refused in kiosk mode"
    for key, mods in ((Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
                      (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
                      (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
                      (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)):
        qtbot.keyClick(kiosk, key, mods)
        assert kiosk.isVisible()


def test_no_context_menu_anywhere(visitor, kiosk):
    v = visitor(kiosk)
    v.start()
    v.choose("pm")
    v.next()
    editor = kiosk.pages[Step.WRITE].editor
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(5, 5), QPoint(5, 5))
    assert QApplication.sendEvent(editor.viewport(), event)  # swallowed by the filter
    assert QApplication.activePopupWidget() is None
    scrollbar = kiosk.pages.scroller(Step.WRITE).verticalScrollBar()
    QApplication.sendEvent(scrollbar, QContextMenuEvent(QContextMenuEvent.Reason.Mouse,
                                                        QPoint(2, 2), QPoint(2, 2)))
    assert QApplication.activePopupWidget() is None


def test_second_kiosk_on_the_same_data_dir_is_refused(data_dir, sample_path):
    held = hold_lock(data_dir)
    try:
        with pytest.raises(AlreadyRunning, match="already running"):
            hold_lock(data_dir)
        out = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), "--windowed"],
            capture_output=True, text=True, timeout=60,
            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
        )
        assert out.returncode == 2  # a refusal: the service must not restart
        assert "already running" in out.stderr and str(data_dir) in out.stderr
    finally:
        held.close()
    hold_lock(data_dir).close()  # released: the next start works


def test_failsafe_returns_to_the_attract_screen(qtbot, visitor, kiosk, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_failsafe(kiosk)
    j = kiosk.journey
    v = visitor(kiosk)
    v.start()
    v.choose("pm")
    v.next()
    v.write("A letter in progress when something breaks")

    def broken() -> None:
        raise RuntimeError("injected fault")

    QTimer.singleShot(0, broken)
    qtbot.waitUntil(lambda: j.step is Step.ATTRACT, timeout=3000)
    assert kiosk.pages[Step.WRITE].editor.toPlainText() == ""
    assert kiosk.pages[Step.ATTRACT].alert.isVisible()

    def audited() -> list[tuple]:
        rows = kiosk.services.store.conn.execute(
            "SELECT action, detail FROM audit WHERE action = 'kiosk.failsafe'").fetchall()
        return [tuple(r) for r in rows]

    # The audit log is written on the staff-actions thread, a moment later.
    qtbot.waitUntil(lambda: audited() != [], timeout=10_000)
    assert audited() == [("kiosk.failsafe", "RuntimeError")]
