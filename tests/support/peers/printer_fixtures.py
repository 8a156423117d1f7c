"""Fixtures for the printing tests: an emulated network printer (``emulator``), the sample
campaign pointing at it (``net_campaign``), and running PrintServices that record their
reports (``probe``). Registered once, in tests/conftest.py.

The letters they print: ``tests.support.letters`` (``keep_letter``, ``job_row``); a campaign
with other printer settings: ``tests.support.campaigns.printer_campaign``.
"""

from __future__ import annotations

import threading

import pytest

from kiosk.delivery.print_queue import PrintService, QueueStatus
from kiosk.store import Store
from tests.support.campaigns import printer_campaign
from tests.support.peers.escpos_printer import PrinterEmulator


@pytest.fixture
def emulator():
    with PrinterEmulator() as em:
        yield em
        assert em.errors == [], f"the printer received bytes it could not parse: {em.errors}"


@pytest.fixture
def net_campaign(campaign, emulator):
    # The printer's answer must come within timeout_seconds or the kiosk calls the job
    # unconfirmed and prints it again (by design). 0.5 s was too short on a loaded machine:
    # a second copy failed "printed exactly once". Tests that wait for a timeout wait longer.
    return printer_campaign(
        campaign, connection="network", host=emulator.host, port=emulator.port,
        timeout_seconds=2.0, retry_seconds=0.05, poll_seconds=0.2, codepage="CP1252",
    )


class ServiceProbe:
    """A started PrintService plus every status it reported, for assertions."""

    def __init__(self, campaign, store: Store):
        self.reports: list[QueueStatus] = []
        self._lock = threading.Lock()
        self.service = PrintService(campaign, store, on_change=self._record)

    def _record(self, status: QueueStatus) -> None:
        with self._lock:
            self.reports.append(status)

    def kinds(self) -> list[str]:
        with self._lock:
            return [str(r.printer.kind) for r in self.reports]

    def start(self) -> ServiceProbe:
        self.service.start()
        return self


@pytest.fixture
def probe(store):
    probes: list[ServiceProbe] = []

    def make(campaign) -> ServiceProbe:
        p = ServiceProbe(campaign, store)
        probes.append(p)
        return p

    yield make
    for p in probes:
        p.service.stop()
        assert not p.service.running, "the print worker did not stop"
