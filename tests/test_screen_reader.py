"""The kiosk as a screen reader meets it: over AT-SPI, on a real X server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ATSPI_SCRIPTS, ROOT
from tests.support.atspi.kiosk_process import private_session

SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, where python3-pyatspi lives
NEEDED = ["/usr/bin/dbus-run-session", "/usr/libexec/at-spi-bus-launcher", SYSTEM_PYTHON]
CONTROLS = {"push button", "check box", "toggle button", "text", "radio button"}


@pytest.fixture(scope="module")
def tree(display, sample_path, tmp_path_factory):
    missing = [p for p in NEEDED if not Path(p).exists()]
    if missing or subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"]).returncode:
        pytest.fail(f"AT-SPI test tools missing ({missing or 'pyatspi'}): run ./scripts/setup")
    work = tmp_path_factory.mktemp("a11y")
    driver = [SYSTEM_PYTHON, str(ATSPI_SCRIPTS / "driver.py"), display, str(sample_path),
              str(work), sys.executable]
    # One pyatspi process does all the reading, waiting for each screen (generous deadlines
    # inside); this timeout only stops a driver that hangs for good.
    with private_session(driver) as (command, env):
        out = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env,
                             cwd=ROOT)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    assert lines, f"driver failed:\n{out.stderr[-3000:]}"
    result = json.loads(lines[-1])
    assert "error" not in result, f"{result['error']}\n{out.stderr[-3000:]}"
    return result


def _showing_controls(nodes):
    return [n for n in nodes if n.get("showing") and n.get("role") in CONTROLS]


def test_the_kiosk_is_on_the_accessibility_bus(tree):
    assert tree["attract"], "letter-kiosk did not appear on the AT-SPI bus"
    assert tree["attract"][0]["role"] == "application"
    assert tree["attract"][0]["name"] == "letter-kiosk"


@pytest.mark.parametrize("snapshot", ["attract", "recipients", "recipients_fr"])
def test_every_control_has_a_role_and_a_name(tree, snapshot):
    controls = _showing_controls(tree[snapshot])
    assert len(controls) >= 3
    assert [c for c in controls if not c["name"].strip()] == []
    assert all(c["actions"] for c in controls), "every control can be pressed or focused"


def test_a_screen_reader_can_start_and_switch_language(tree):
    assert tree["press_start"] == [{"pressed": "Start"}]
    names = {n["name"] for n in _showing_controls(tree["recipients"])}
    assert {"Prime Minister of Canada", "Start over", "Français"} <= names
    assert tree["press_french"] == [{"pressed": "Français"}]
    names_fr = {n["name"] for n in _showing_controls(tree["recipients_fr"])}
    assert {"Premier ministre du Canada", "Recommencer", "English"} <= names_fr
    cards = [n for n in tree["recipients_fr"] if n.get("role") == "check box"
             and n["name"] == "Premier ministre du Canada"]
    assert cards and "timbre" in cards[0]["description"]
