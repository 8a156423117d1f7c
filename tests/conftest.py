"""Shared fixtures. Real parts only: SQLite on disk, the bundled sample campaign.

The fixtures of the peers (the printer emulator, the SMTP server, PostgreSQL) are registered
here, once, for every test module: a fixture starts its peer only for a test that asks for it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Before any Qt import: tests never need a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = [
    "tests.support.peers.printer_fixtures",  # emulator, net_campaign, probe
    "tests.support.peers.smtp_fixtures",  # smtp_server, make_campaign, mail_campaign, tls_*
    "tests.support.pg_fixtures",  # pg_cluster, pg_database, pg_proxy, hub_url
    "tests.support.cups_fixtures",  # cups, cups_queue
]

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "assets" / "sample-campaign.toml"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def campaign(sample_path):
    from kiosk.app.preflight import load_campaign

    return load_campaign(sample_path)


@pytest.fixture
def data_dir(tmp_path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def store(data_dir):
    from kiosk.store import open_store

    s = open_store(data_dir)
    yield s
    s.close()


@pytest.fixture(scope="session")
def display():
    """A private Xvfb server: for tests that need a real X display (keyboard, AT-SPI)."""
    from kiosk.xvfb import XvfbMissing, xvfb

    try:
        with xvfb() as name:
            yield name
    except XvfbMissing as e:
        pytest.fail(str(e))


@pytest.fixture
def open_window(qtbot, campaign, data_dir):
    """Open the real kiosk window at 1280×800: ``open_window(kiosk_mode=..., workers=...)``.

    Every window it opens has its workers stopped and is allowed to close at the end.
    """
    from kiosk.ui.app import build_window

    opened = []

    def make(*, kiosk_mode: bool = False, workers: bool = False, chosen=None):
        w = build_window(chosen or campaign, data_dir, kiosk_mode=kiosk_mode)
        # pytest-qt closes its widgets before fixtures end: a kiosk-mode window must be
        # allowed to close then, or it stays open with its staff panel's timers running.
        qtbot.addWidget(w, before_close_func=lambda w: w.allow_close())
        w.setFixedSize(1280, 800)
        w.show()
        qtbot.waitExposed(w)
        w.activateWindow()
        if workers:
            w.services.start()  # the real print and email workers
        opened.append(w)
        return w

    yield make
    for w in opened:
        w.services.stop()
        w.allow_close()  # kiosk mode refuses to close otherwise


@pytest.fixture
def tap(qtbot):
    """``tap(widget)``: a finger on the widget (a mouse press and release on it), which must be
    on screen."""
    from PySide6.QtCore import Qt

    def press(widget) -> None:
        assert widget.isVisible(), f"{widget.accessibleName() or widget} is not visible"
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)

    return press


@pytest.fixture
def visitor(tap):
    """``visitor(window)``: a visitor in that kiosk window (kiosk.ui.visitor.Visitor), tapping
    with the mouse: ``v.start(); v.choose("pm"); v.next(); v.write("..."); ...``."""
    from kiosk.ui.visitor import Visitor

    return lambda window: Visitor(window, tap=tap)


@pytest.fixture(autouse=True)
def _generous_qt_waits(monkeypatch):
    """Every ``qtbot.waitUntil`` waits for its condition up to a minute (pytest-qt's default is
    5 s): it returns as soon as the condition holds, so only a busy machine waits longer."""
    from pytestqt.qtbot import QtBot

    original = QtBot.waitUntil

    def wait_until(self, callback, *, timeout: int = 60_000):
        return original(self, callback, timeout=timeout)

    monkeypatch.setattr(QtBot, "waitUntil", wait_until)


@pytest.fixture(autouse=True)
def _root_logger_as_it_was():
    """A command run in-process (``kiosk.cli.main``) sets up the kiosk's logging on the root
    logger, writing to the stderr pytest had captured for that test. Left there, the SMTP
    server's thread later logged into that closed stream ("--- Logging error ---")."""
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
