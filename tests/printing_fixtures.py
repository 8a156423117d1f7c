"""Fixtures and helpers for the printing tests: an emulated network printer, a campaign that
points at it, letters kept in the store, and a running PrintService that records its reports.

Test modules take the fixtures with ``from tests.printing_fixtures import *``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from kiosk.delivery.print_queue import PrintService, QueueStatus
from kiosk.domain.letter import Signer, make_letter
from kiosk.store import Store
from tests.escpos_emulator import PrinterEmulator, Receipt

# The fixtures, for ``from tests.printing_fixtures import *``; helpers are imported by name.
__all__ = ["emulator", "net_campaign", "probe"]

FRENCH_BODY = (
    "Monsieur le Premier ministre, ÉCOUTEZ : « Maintenant » ! Ève, Èze, À bientôt, ÇA SUFFIT, "
    "Ô Canada, ŒUVRE et cœur, déjà, garçon, hôpital, où, élève, fête, capharnaüm, naïf, "
    "Noël, l’été dernier — 🏳️‍🌈"
)


def wait_until(condition: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    """Wait for ``condition`` (checked every 20 ms), failing the test after ``timeout``: a
    generous deadline, only ever reached when something is wrong (a busy machine is slow)."""
    deadline = time.monotonic() + timeout
    tick = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
        tick.wait(0.02)


def printer_campaign(campaign, **printer: object):
    """The sample campaign with printer settings changed (models are frozen: copy them)."""
    settings = campaign.printer.model_validate(
        {**campaign.printer.model_dump(), **printer}
    )
    return campaign.model_copy(update={"printer": settings})


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


def keep_letter(store, campaign, body: str = FRENCH_BODY, lang: str = "fr",
                recipient: str = "pm", first: str = "Zoë", last: str = "Ñúñez-Çelik") -> int:
    """Keep one letter with a print job, as the kiosk does on confirm; return the job id."""
    letter = make_letter(campaign, recipient, lang, body,
                         Signer(first_name=first, last_name=last, city="Montréal"))
    kept = store.keep(session_id="s", campaign_id=campaign.campaign.id, letters=[letter],
                      by_print=True, by_email=False, emails=[None])
    return int(kept[0].print_job_id)


def job_row(store, job_id: int) -> dict:
    return dict(store.conn.execute("SELECT * FROM print_jobs WHERE id = ?", (job_id,)).fetchone())


def complete_copies(receipts: list[Receipt], needle: str) -> int:
    """How many whole receipts (ending in a cut) carry ``needle``."""
    return sum(1 for r in receipts if r.cut and needle in r.text)


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
