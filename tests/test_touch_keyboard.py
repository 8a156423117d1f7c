"""The on-screen keyboard, under a real X server: the visitor's language, never over the field."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support import PROBE_SCRIPTS, ROOT
from tests.support.campaigns import sample_text


def _probe(display: str, campaign_file: Path, data_dir: Path) -> dict:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    out = subprocess.run([sys.executable, str(PROBE_SCRIPTS / "keyboard_probe.py"),
                          str(campaign_file), str(data_dir)],
                         capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    assert lines, f"probe failed:\n{out.stderr[-2000:]}"
    report = json.loads(lines[-1])
    # The probe waits for the keyboard itself (generous deadline inside); this says why not.
    assert "timed_out" not in report, f"the probe gave up: {report}"
    return report


def test_keyboard_opens_in_canadian_french_below_the_field(display, sample_path, tmp_path):
    report = _probe(display, sample_path, tmp_path)
    assert report["visible"], "the keyboard did not open for the text field"
    assert report["keyboard"][3] > 200
    assert report["layout"] == "fr_CA"
    assert not report["overlap"], f"keyboard {report['keyboard']} covers field {report['field']}"


def test_azerty_when_the_campaign_asks(display, sample_path, tmp_path):
    text = sample_text().replace("touchscreen = true",
                                 'touchscreen = true\nfrench_keyboard = "fr_FR"')
    campaign_file = tmp_path / "azerty.toml"
    campaign_file.write_text(text, encoding="utf-8")
    report = _probe(display, campaign_file, tmp_path / "data")
    assert report["visible"] and report["layout"] == "fr_FR"
    assert not report["overlap"]
