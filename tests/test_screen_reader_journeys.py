"""Whole visitor journeys made through the accessibility tree alone, as a screen-reader user
makes them, with the whole tree read between steps as Orca reads it: the kiosk must neither
crash nor get stuck (issue 10, point 1). The short form of the soak in benchmarks/atspi_soak.py
(``.venv/bin/python -m benchmarks.atspi_soak --journeys 200`` for the long one)."""

from __future__ import annotations

import pytest

from benchmarks.atspi_soak import missing_tools, report, run_soak, soak_campaign

# Five journeys cover every path of tests/support/atspi/journeys.py's plans: both languages and a
# switch mid-journey, one and two recipients, typed and starting texts, the three ways to
# sign, an email address and Email, Done and the thank-you countdown. Text fields are tapped,
# so the on-screen keyboard opens; each journey gets a fresh kiosk. Before the fix of issue 10
# the kiosk crashed (PySide6 6.11.3) mostly in its first journeys with the keyboard.
JOURNEYS = 5


def test_whole_journeys_through_at_spi_never_crash_or_get_stuck(display, tmp_path):
    missing = missing_tools()
    if missing:
        pytest.fail(f"AT-SPI test tools missing ({', '.join(missing)}): run ./scripts/setup")
    result = run_soak(display, JOURNEYS, tmp_path, soak_campaign(tmp_path / "campaign"),
                      step_timeout=180, restart_every=1)
    assert result.ok, report(result, [f"{JOURNEYS} journeys through AT-SPI"])
