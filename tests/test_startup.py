"""Start-up stays lean, and a broken campaign file stops the kiosk before it opens."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.campaigns import sample_text

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys
from pathlib import Path
from kiosk.config import load_campaign
from kiosk.ui.app import build_window, make_app
app = make_app()
w = build_window(load_campaign(sys.argv[1]), Path(sys.argv[2]), kiosk_mode=False)
w.show()
app.processEvents()
# qrcode is needed at start: the campaign check makes sure the QR fits the paper.
heavy = [m for m in ("escpos", "smtplib", "aiosmtpd", "usb", "serial", "cups")
         if m in sys.modules]
print(",".join(heavy))
"""


def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def test_attract_screen_loads_no_printing_or_mail_modules(sample_path, tmp_path):
    out = subprocess.run([sys.executable, "-c", PROBE, str(sample_path), str(tmp_path)],
                         capture_output=True, text=True, env=_env(), timeout=60, check=True)
    assert out.stdout.strip() == "", f"imported at start-up: {out.stdout.strip()}"


def test_kiosk_refuses_to_start_on_a_broken_campaign(sample_path, tmp_path):
    broken = tmp_path / "broken.toml"
    text = sample_text().replace('email = "pm@pm.gc.ca"', 'email = "not an address"')
    broken.write_text(text, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--config", str(broken),
         "--data-dir", str(tmp_path / "data"), "--windowed"],
        capture_output=True, text=True, env=_env(), timeout=60,
    )
    assert out.returncode == 2
    assert f"{broken}: recipients[0].email: not an email address" in out.stderr
    assert not (tmp_path / "data" / "kiosk.sqlite3").exists()


def test_work_after_the_first_frame_waits_for_it(qtbot):
    """run_kiosk starts the workers and makes the other pages after the attract screen has
    painted, once, or after a while should no frame come (a screen that never shows)."""
    from PySide6.QtWidgets import QWidget

    from kiosk.ui.app import after_first_paint

    window = QWidget()
    qtbot.addWidget(window)
    calls: list[bool] = []
    after_first_paint(window, lambda: calls.append(window.isVisible()), latest_ms=60_000)
    qtbot.wait(50)
    assert calls == []
    window.show()
    qtbot.waitUntil(lambda: calls != [])
    window.update()
    qtbot.wait(50)
    assert calls == [True]

    never_shown = QWidget()
    qtbot.addWidget(never_shown)
    after_first_paint(never_shown, lambda: calls.append(never_shown.isVisible()), latest_ms=20)
    qtbot.waitUntil(lambda: len(calls) == 2)
    assert calls == [True, False]


def test_sigterm_stops_the_kiosk_in_order(tmp_path):
    """systemd stops the service with SIGTERM: the kiosk records it, lets its workers go and
    closes its store, and exits 0 (not killed half-way, exit 143)."""
    import signal
    import sqlite3

    from kiosk.store.opening import DB_NAME
    from tests.support.waiting import wait_until

    data = tmp_path / "data"
    kiosk = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--windowed", "--data-dir", str(data)],
        cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def audit() -> list[str]:
        if not (data / DB_NAME).exists():
            return []
        with sqlite3.connect(data / DB_NAME, timeout=10) as conn:
            try:
                return [r[0] for r in conn.execute("SELECT action FROM audit")]
            except sqlite3.OperationalError:  # the tables are still being made
                return []

    try:
        # Up, and past its first frame: the retention purge at start writes its audit row.
        wait_until(lambda: "retention.purge" in audit(), timeout=120, what="the kiosk started")
        kiosk.send_signal(signal.SIGTERM)
        out, _ = kiosk.communicate(timeout=60)
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
            kiosk.communicate()
    assert kiosk.returncode == 0, out
    assert audit()[-1] == "kiosk.quit"
    assert "Traceback" not in out
